"""Compiled templates, kept: Jinja bytecode on disk per user, compiled templates in memory per process.

Compiling a pack's templates (the sentence macros, the HTML page, the DOCX's XML) costs more than
rendering them, and used to happen on every run. The bytecode is stored in the user's own cache
folder under a key made from the template's text and everything in the environment that changes
the compiled code (the sandbox's intercepted operators, autoescaping, whitespace options, the
Jinja and Python versions), so an edited template or another environment never reads a stale or
unsandboxed entry. The folder must belong to the user and be private (the cache holds code that
will run); when it cannot be made so, or cannot be written, templates are simply compiled again.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from pathlib import Path
from typing import Any

CACHE_ENV = "REPORTGEN_CACHE_DIR"  # tests and locked-down machines point the cache elsewhere
_MEMORY_LIMIT = 64  # compiled DOCX parts kept per process: a few per pack in use

_state: dict[str, Any] = {}
_compiled: dict[tuple[int, str], Any] = {}


def cache_root() -> Path:
    """reportgen's folder in the user's cache: %LOCALAPPDATA%, ~/Library/Caches or XDG_CACHE_HOME."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "reportgen" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "reportgen"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "reportgen"


def private_folder(folder: Path) -> bool:
    """Make `folder` (mode 0700) and confirm that only this user can write it."""
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if os.name == "nt":  # %LOCALAPPDATA% is the user's own; there is no uid to compare
            return os.access(folder, os.W_OK)
        info = os.lstat(folder)
        if info.st_uid != os.getuid() or not stat.S_ISDIR(info.st_mode):
            return False
        if stat.S_IMODE(info.st_mode) & 0o077:
            folder.chmod(0o700)
        return os.access(folder, os.W_OK)
    except OSError:
        return False


def bytecode_cache() -> Any:
    """The per-user bytecode cache, or None when no private, writable folder is available."""
    if "bcc" not in _state:
        _state["bcc"] = _make_cache()
    return _state["bcc"]


def _make_cache() -> Any:
    from jinja2.bccache import Bucket, FileSystemBytecodeCache

    folder = cache_root() / "jinja"
    if not private_folder(folder):
        return None

    class ContentKeyedCache(FileSystemBytecodeCache):
        """Keyed by the template's text and the environment's compile options; never fails a render."""

        def get_bucket(self, environment: Any, name: str, filename: str | None, source: str) -> Bucket:
            digest = hashlib.sha256()
            for part in (fingerprint(environment), name, filename or "", source):
                digest.update(str(part).encode("utf-8", "surrogatepass") + b"\0")
            key = digest.hexdigest()
            bucket = Bucket(environment, key, key)
            self.load_bytecode(bucket)
            return bucket

        def load_bytecode(self, bucket: Bucket) -> None:
            try:
                super().load_bytecode(bucket)
            except Exception:  # noqa: BLE001 - a damaged entry is recompiled, not an error
                bucket.reset()

        def dump_bytecode(self, bucket: Bucket) -> None:
            try:
                super().dump_bytecode(bucket)
            except OSError:
                pass  # a full or vanished folder: the next run compiles again

    return ContentKeyedCache(str(folder), "%s.jinja")


def fingerprint(env: Any) -> str:
    """Everything about `env` that changes the code Jinja generates for a template."""
    import jinja2

    return repr((
        jinja2.__version__, sys.version_info[:3], type(env).__module__, type(env).__qualname__,
        env.sandboxed, sorted(getattr(env, "intercepted_binops", ())), sorted(getattr(env, "intercepted_unops", ())),
        env.autoescape if isinstance(env.autoescape, bool) else id(env.autoescape),
        env.trim_blocks, env.lstrip_blocks, env.keep_trailing_newline, env.newline_sequence, env.optimized,
        env.block_start_string, env.block_end_string, env.variable_start_string, env.variable_end_string,
        env.comment_start_string, env.comment_end_string, env.line_statement_prefix, env.line_comment_prefix,
        sorted(env.extensions),
    ))


def from_string(env: Any, source: str, name: str) -> Any:
    """`env.from_string(source)`, compiled once per process and once per user on disk.

    Used for the DOCX's XML, which docxtpl hands over as a string (Jinja caches only the
    templates its loader finds). `name` is the template's name in messages and tracebacks.
    """
    digest = hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()
    key = (id(env), digest)
    template = _compiled.get(key)
    if template is not None:
        return template
    cache = env.bytecode_cache
    bucket = cache.get_bucket(env, name, None, source) if cache is not None else None
    code = bucket.code if bucket is not None else None
    if code is None:
        code = env.compile(source)  # unnamed, as env.from_string would: errors read the same
        if bucket is not None:
            bucket.code = code
            cache.set_bucket(bucket)
    template = env.template_class.from_code(env, code, env.make_globals(None), None)
    if len(_compiled) >= _MEMORY_LIMIT:
        _compiled.clear()
    _compiled[key] = template
    return template
