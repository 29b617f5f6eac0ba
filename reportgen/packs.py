"""Template packs: find them, layer them down to `standard`, and render them sandboxed.

A pack is a folder with `pack.toml` and any of `sentences.j2` (the generated statements, one
macro each), `report.html.j2` and `report.docx`. Whatever a pack leaves out comes from the pack
it extends. Packs are untrusted: Jinja runs in an immutable sandbox with StrictUndefined, can
load no file outside the pack chain, and output size and rendering time are bounded.
"""

from __future__ import annotations

import ctypes
import os
import threading
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import PackError
from .numbers import Settings
from .resources import templates_dir

DEFAULT_PACK = "standard"
# The pack used when none is named, by the edition of the report's format.
EDITION_PACKS = {"gov-2021": DEFAULT_PACK, "gov-2019": "standard-2019"}
MANIFEST = "pack.toml"
ENV_VAR = "REPORTGEN_TEMPLATES"
MAX_OUTPUT_CHARS = 5_000_000  # one rendered template; a real report is ~100 k
MAX_SECONDS = 20.0  # rendering one template
MAX_RANGE = 100_000
MAX_DEPTH = 8  # extends chain


@dataclass
class Pack:
    name: str
    display_name: str
    format: str
    extends: str | None
    path: Path
    origin: str  # 内置 / the folder it was found in / 路径
    raw_settings: dict[str, Any] = field(default_factory=dict)
    headings: dict[str, str] = field(default_factory=dict)
    parent: Pack | None = None

    def chain(self) -> list[Pack]:
        """This pack, then the pack it extends, down to `standard`."""
        out: list[Pack] = []
        p: Pack | None = self
        while p is not None:
            out.append(p)
            p = p.parent
        return out

    @property
    def settings(self) -> Settings:
        merged: dict[str, Any] = {}
        for p in reversed(self.chain()):
            merged.update(p.raw_settings)
        known = {f.name for f in fields(Settings)}
        unknown = sorted(set(merged) - known)
        if unknown:
            raise PackError(f"不认识的设置项：{'、'.join(unknown)}", file=str(self.path / MANIFEST))
        s = Settings(**merged)
        problems = s.problems()
        if problems:
            raise PackError("；".join(problems), file=str(self.path / MANIFEST), where="[settings]")
        return s

    def merged_headings(self) -> dict[str, str]:
        merged: dict[str, str] = {}
        for p in reversed(self.chain()):
            merged.update(p.headings)
        return merged

    def find_file(self, name: str) -> Path | None:
        """The first file called `name` along the chain (child first)."""
        for p in self.chain():
            candidate = p.path / name
            if candidate.is_file():
                inside(candidate, p.path)
                return candidate
        return None


def pack_for(report_format: str, chosen: Pack | None = None) -> Pack:
    """The chosen pack, or the edition's default; a pack made for another edition is refused
    (its tables and statements name figures the report does not have)."""
    pack = chosen or find_pack(EDITION_PACKS.get(report_format, DEFAULT_PACK))
    if pack.format != report_format:
        raise PackError(
            f"模板包“{pack.name}”用于 {pack.format} 格式，而数据是 {report_format} 格式",
            hint="请换用同一格式的模板包，或不指定 --template 使用该格式的标准模板包",
        )
    return pack


def inside(path: Path, root: Path) -> Path:
    """`path` itself, if it really lies in `root`: a link in a pack must not reach other files."""
    real = Path(os.path.realpath(path))
    if not real.is_relative_to(Path(os.path.realpath(root))):
        raise PackError("模板包中的文件链接到了模板包以外，已拒绝", file=str(path),
                        hint="模板包只能使用自己文件夹中的文件")
    return real


def search_path(extra: str | Path | None = None) -> list[tuple[Path, str]]:
    """Folders searched for packs by name, most specific first, with how each was named."""
    dirs: list[tuple[Path, str]] = []
    if extra:
        dirs.append((Path(extra), "--templates"))
    env = os.environ.get(ENV_VAR)
    if env:
        dirs += [(Path(d), ENV_VAR) for d in env.split(os.pathsep) if d]
    dirs.append((templates_dir(), "内置"))
    return dirs


def available(extra: str | Path | None = None) -> list[Pack]:
    """Every pack that can be found by name (first found wins for a name)."""
    seen: dict[str, Pack] = {}
    for folder, origin in search_path(extra):
        if not folder.is_dir():
            continue
        for sub in sorted(folder.iterdir()):
            if (sub / MANIFEST).is_file() and sub.name not in seen:
                seen[sub.name] = load_pack(sub, origin=origin, extra=extra)
    return list(seen.values())


def find_pack(ref: str | Path | None = None, extra: str | Path | None = None) -> Pack:
    """A pack by name (searched along `search_path`) or by folder path."""
    ref = ref or DEFAULT_PACK
    as_path = Path(ref)
    if as_path.is_dir() or os.sep in str(ref) or "/" in str(ref) or str(ref).startswith("."):
        if not (as_path / MANIFEST).is_file():
            raise PackError(f"找不到模板包：{ref} 中没有 {MANIFEST}", hint="请检查 --template 的路径")
        return load_pack(as_path, origin="路径", extra=extra)
    for folder, origin in search_path(extra):
        candidate = folder / str(ref)
        if (candidate / MANIFEST).is_file():
            return load_pack(candidate, origin=origin, extra=extra)
    names = "、".join(p.name for p in available(extra)) or "无"
    raise PackError(f"找不到模板包“{ref}”", hint=f"可用的模板包：{names}")


def load_pack(path: Path, *, origin: str, extra: str | Path | None = None, _depth: int = 0) -> Pack:
    manifest = path / MANIFEST
    try:
        data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise PackError(f"清单格式错误：{e}", file=str(manifest)) from e
    except (OSError, UnicodeDecodeError) as e:
        raise PackError("无法读取清单", file=str(manifest)) from e
    name = str(data.get("name") or path.name)
    extends = data.get("extends")
    if path.resolve() == (templates_dir() / DEFAULT_PACK).resolve():
        extends = None  # the root of every chain
    elif not extends:
        extends = DEFAULT_PACK
    settings = data.get("settings", {})
    headings = data.get("headings", {})
    if not isinstance(settings, dict) or not isinstance(headings, dict):
        raise PackError("[settings] 和 [headings] 应为表", file=str(manifest))
    pack = Pack(
        name=name,
        display_name=str(data.get("display_name") or name),
        format=str(data.get("format") or "gov-2021"),
        extends=extends,
        path=path.resolve(),
        origin=origin,
        raw_settings=settings,
        headings={str(k): str(v) for k, v in headings.items()},
    )
    if extends:
        if _depth >= MAX_DEPTH:
            raise PackError("模板包继承层级过深（可能循环继承）", file=str(manifest))
        if extends == name:
            # A pack that extends a namesake (a local `standard` tweaking the built-in one).
            parent_path = _find_other(extends, path, extra)
        else:
            parent_path = find_pack(extends, extra).path
        pack.parent = load_pack(parent_path, origin="继承", extra=extra, _depth=_depth + 1)
    return pack


def _find_other(name: str, not_this: Path, extra: str | Path | None) -> Path:
    for folder, _ in search_path(extra):
        candidate = folder / name
        if (candidate / MANIFEST).is_file() and candidate.resolve() != not_this.resolve():
            return candidate
    raise PackError(f"找不到被继承的模板包“{name}”", file=str(not_this / MANIFEST))


# ---- Sandboxed Jinja ------------------------------------------------------------------------


def environment(pack: Pack, *, autoescape: bool) -> Any:
    """A sandboxed Jinja environment over the pack chain.

    Unprefixed names resolve child first; every pack is also served under its own name as a
    prefix (``standard/report.html.j2``), so a child extends its parent without finding itself.
    """
    from jinja2 import ChoiceLoader, PrefixLoader, StrictUndefined

    chain = pack.chain()
    # One environment per chain: Jinja keeps compiled templates per environment (and reloads a
    # template whose file changed), so a batch compiles each template once, not once per unit.
    cache_key = (tuple((p.name, str(p.path)) for p in chain), autoescape)
    cached = _ENVIRONMENTS.get(cache_key)
    if cached is not None:
        return cached
    prefixed: dict[str, Any] = {}
    for i, p in enumerate(chain):
        # By name the deepest pack wins, so a namesake child's "standard/…" is its parent's;
        # "@i/…" addresses each pack of the chain exactly (used to find each one's macros).
        prefixed[p.name] = prefixed[f"@{i}"] = _pack_loader([p.path])
    loader = ChoiceLoader([_pack_loader([p.path for p in chain]), PrefixLoader(prefixed)])
    from .render.compiled import bytecode_cache

    env = _BoundedEnvironment(
        loader=loader,
        bytecode_cache=bytecode_cache(),  # compiled once per user, not on every run
        undefined=StrictUndefined,
        autoescape=autoescape,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    _ENVIRONMENTS[cache_key] = env
    return env


_ENVIRONMENTS: dict[tuple[Any, ...], Any] = {}


def _pack_loader(roots: list[Path]) -> Any:
    """A FileSystemLoader that refuses a template which is a link to a file outside its pack
    (Jinja already refuses "../" in names, but follows links)."""
    from jinja2 import FileSystemLoader

    class PackLoader(FileSystemLoader):
        def get_source(self, environment: Any, template: str) -> tuple[str, str, Any]:
            source, filename, uptodate = super().get_source(environment, template)
            if not any(Path(os.path.realpath(filename)).is_relative_to(Path(os.path.realpath(r))) for r in roots):
                raise PackError(f"模板“{template}”链接到了模板包以外的文件，已拒绝", hint="模板包只能使用自己文件夹中的文件")
            return source, filename, uptodate

    return PackLoader([str(r) for r in roots])


def _bounded_range(*args: int) -> range:
    r = range(*args)
    if len(r) > MAX_RANGE:
        raise PackError(f"模板中的 range 过大（{len(r)}项，上限{MAX_RANGE}）")
    return r


def _make_env_class() -> type:
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class Bounded(ImmutableSandboxedEnvironment):
        """Refuses huge string/list products and ranges; `render` is checked by `render_bounded`."""

        def __init__(self, *a: Any, **kw: Any) -> None:
            super().__init__(*a, **kw)
            self.globals["range"] = _bounded_range
            self.globals.pop("cycler", None)
            self.globals.pop("joiner", None)
            self.globals.pop("namespace", None)
            self.globals.pop("lipsum", None)

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            if operator in ("*", "**"):
                size = _product_size(operator, left, right)
                if size > MAX_OUTPUT_CHARS:
                    raise PackError("模板中的运算结果过大，已拒绝")
            return super().call_binop(context, operator, left, right)

    # Binary operators go through call_binop only when intercepted.
    Bounded.intercepted_binops = frozenset(["*", "**"])
    return Bounded


def _product_size(operator: str, left: Any, right: Any) -> int:
    if operator == "*":
        for a, b in ((left, right), (right, left)):
            if isinstance(a, (str, list, tuple)) and isinstance(b, int):
                return len(a) * b
        return 0
    if isinstance(left, int) and isinstance(right, int) and right > 0:
        return int(abs(right) * max(1, abs(left).bit_length()) / 3.3)
    return 0


class _Lazy:
    cls: type | None = None


def _BoundedEnvironment(**kw: Any) -> Any:  # noqa: N802 - a factory standing in for a class
    if _Lazy.cls is None:
        _Lazy.cls = _make_env_class()
    return _Lazy.cls(**kw)


def render_bounded(render: Any, what: str) -> str:
    """Run `render()` (a template's generate, or a list of strings) within the size bound; the
    time bound is `guarded`'s watchdog, which stops a loop that yields nothing as well."""

    def collect() -> str:
        parts: list[str] = []
        size = 0
        for chunk in render():
            size += len(chunk)
            if size > MAX_OUTPUT_CHARS:
                raise PackError(f"{what}：输出超过{MAX_OUTPUT_CHARS}个字符，已停止")
            parts.append(chunk)
        return "".join(parts)

    return guarded(collect, what)


class RenderTimeout(BaseException):
    """Raised inside a template that ran past MAX_SECONDS (a BaseException: nothing swallows it)."""


_armed = threading.local()


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Stop the code inside after `seconds`, even a loop that prints nothing.

    The sandbox bounds what a template may touch, not how long it runs: a watchdog thread raises
    `RenderTimeout` in this thread (CPython's PyThreadState_SetAsyncExc), between two bytecodes
    of the template's compiled Python. Nested calls share the outermost limit.
    """
    if getattr(_armed, "on", False):
        yield
        return
    target = ctypes.c_ulong(threading.get_ident())
    lock = threading.Lock()
    state = {"done": False, "fired": False}

    def fire() -> None:
        with lock:
            if not state["done"]:
                state["fired"] = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(target, ctypes.py_object(RenderTimeout))

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    _armed.on = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        with lock:
            state["done"] = True
            if state["fired"]:  # fired as the block ended: take back the undelivered exception
                ctypes.pythonapi.PyThreadState_SetAsyncExc(target, None)
        _armed.on = False


def guarded(call: Any, what: str) -> Any:
    """Call into a pack's templates; every failure becomes a `PackError` naming file and line."""
    from jinja2 import TemplateError
    from jinja2.exceptions import SecurityError

    try:
        with time_limit(MAX_SECONDS):
            return call()
    except RenderTimeout as e:
        raise PackError(f"{what}：渲染超过{MAX_SECONDS:g}秒，已停止（模板中可能有过大的循环）") from e
    except PackError as e:
        if str(e).startswith(what):
            raise
        raise PackError(f"{what}{_where_in_template()}：{e}") from e
    except SecurityError as e:
        raise PackError(f"{what}{_where_in_template()}：模板试图进行不安全的操作，已拒绝（{e}）") from e
    except TemplateError as e:
        raise PackError(f"{what}{_where_in_template()}：{describe_template_error(e)}") from e
    except RecursionError as e:
        raise PackError(f"{what}：模板递归过深，已停止") from e
    except (TypeError, ValueError, AttributeError, KeyError, IndexError, ZeroDivisionError, OverflowError,
            MemoryError) as e:
        raise PackError(f"{what}{_where_in_template()}：模板运行出错（{type(e).__name__}：{e}）") from e


def _where_in_template() -> str:
    """'（sentences.j2第3行）' for the exception being handled, from Jinja's line mapping."""
    import sys
    import traceback

    from jinja2.debug import rewrite_traceback_stack

    exc = sys.exc_info()[1]
    if exc is None:
        return ""
    lineno = getattr(exc, "lineno", None)
    filename = getattr(exc, "filename", None)
    if lineno and filename:
        return f"（{Path(str(filename)).name}第{lineno}行）"
    try:
        rewritten = rewrite_traceback_stack()
    except Exception:  # noqa: BLE001 - a location is a courtesy, never a new failure
        return ""
    found = ""
    for frame in traceback.extract_tb(rewritten.__traceback__):
        name = Path(frame.filename).name
        if name.endswith((".j2", ".jinja", ".html")) and frame.lineno:
            found = f"（{name}第{frame.lineno}行）"
    return found


def describe_template_error(e: Exception) -> str:
    """A Jinja error in Chinese, with the file and line where Jinja knows them."""
    from jinja2 import TemplateSyntaxError, UndefinedError

    if isinstance(e, TemplateSyntaxError):
        where = f"{e.filename or e.name or '模板'}第{e.lineno}行"
        return f"{where}语法错误：{e.message}"
    if isinstance(e, UndefinedError):
        return f"使用了不存在的变量或宏：{e.message}"
    return str(e)
