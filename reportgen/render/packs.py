"""Template packs: find them, layer them down to `standard`, and render them sandboxed.

A pack is a folder with `pack.toml` and any of `sentences.j2` (the generated statements, one
macro each), `report.html.j2` and `report.docx`. Whatever a pack leaves out comes from the pack
it extends. Packs are untrusted: Jinja runs in an immutable sandbox with StrictUndefined, can
load no file outside the pack chain, and output size and rendering time are bounded.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from ..compute.display import Settings
from ..errors import PackError
from ..resources import templates_dir
from ..sandbox import _BoundedEnvironment

DEFAULT_PACK = "standard"
# The pack used when none is named, by the edition of the report's format.
EDITION_PACKS = {"gov-2021": DEFAULT_PACK, "gov-2019": "standard-2019"}
MANIFEST = "pack.toml"
ENV_VAR = "REPORTGEN_TEMPLATES"
MAX_DEPTH = 8  # extends chain
MAX_TITLE_LINES = 4


# never compared, hashed or printed: no generated __eq__/__repr__ (see formats/base.py)
@dataclass(eq=False, repr=False)
class Pack:
    """A template pack: its manifest's settings and headings, its folder, and the pack it extends."""

    name: str
    display_name: str
    format: str
    extends: str | None
    path: Path
    origin: str  # 内置 / the folder it was found in / 路径
    raw_settings: dict[str, Any] = field(default_factory=dict)
    headings: dict[str, str] = field(default_factory=dict)
    parent: Pack | None = None
    # [title] lines: the title's lines as the pack wants them broken (templates over meta);
    # empty: break automatically between words.
    title_lines: list[str] = field(default_factory=list)

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

    def merged_title_lines(self) -> list[str]:
        """The explicit title lines of the first pack along the chain that sets them."""
        for p in self.chain():
            if p.title_lines:
                return list(p.title_lines)
        return []

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
    path, origin = locate_pack(ref, extra)
    return load_pack(path, origin=origin, extra=extra)


def locate_pack(ref: str | Path | None = None, extra: str | Path | None = None) -> tuple[Path, str]:
    """The folder of a pack named `ref` (or at path `ref`) and how it was found — without loading
    it, so a chain of `extends` is followed one level at a time and its depth can be bounded."""
    ref = ref or DEFAULT_PACK
    as_path = Path(ref)
    if as_path.is_dir() or os.sep in str(ref) or "/" in str(ref) or str(ref).startswith("."):
        if not (as_path / MANIFEST).is_file():
            raise PackError(f"找不到模板包：{ref} 中没有 {MANIFEST}", hint="请检查 --template 的路径")
        return as_path, "路径"
    for folder, origin in search_path(extra):
        candidate = folder / str(ref)
        if (candidate / MANIFEST).is_file():
            return candidate, origin
    # Folder names only: loading every pack here would let one broken pack hide this message.
    found = dict.fromkeys(
        sub.name for folder, _ in search_path(extra) if folder.is_dir()
        for sub in sorted(folder.iterdir()) if (sub / MANIFEST).is_file()
    )
    raise PackError(f"找不到模板包“{ref}”", hint=f"可用的模板包：{'、'.join(found) or '无'}")


# pack.toml: each top-level key and the TOML type it must have (anything else is a clear refusal).
_MANIFEST_TYPES: dict[str, tuple[type, str]] = {
    "name": (str, "文字"), "display_name": (str, "文字"), "format": (str, "文字"), "extends": (str, "文字"),
    "settings": (dict, "表（[settings]）"), "headings": (dict, "表（[headings]）"),
}


def _check_manifest(data: dict[str, Any], manifest: Path) -> None:
    """Refuse a pack.toml value of the wrong type before it is used (`extends = 5`, a heading
    that is a table), naming the file and the key."""
    for key, (kind, shown) in _MANIFEST_TYPES.items():
        if key in data and not isinstance(data[key], kind):
            raise PackError(f"“{key}”应为{shown}，实际为{_toml_type(data[key])}", file=str(manifest))
    for key, value in (data.get("headings") or {}).items():
        if not isinstance(value, str):
            raise PackError(f"[headings] 中“{key}”应为文字，实际为{_toml_type(value)}", file=str(manifest))


def _toml_type(value: Any) -> str:
    if isinstance(value, bool):
        return "布尔值"
    if isinstance(value, (int, float)):
        return f"数字{value!r}"
    if isinstance(value, dict):
        return "表"
    if isinstance(value, list):
        return "数组"
    if isinstance(value, str):
        return "文字"
    return "日期或时间"


def load_pack(path: Path, *, origin: str, extra: str | Path | None = None, _depth: int = 0) -> Pack:
    manifest = path / MANIFEST
    try:
        data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise PackError(f"清单格式错误：{e}", file=str(manifest)) from e
    except (OSError, UnicodeDecodeError) as e:
        raise PackError("无法读取清单", file=str(manifest)) from e
    _check_manifest(data, manifest)
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
    title = data.get("title", {})
    lines = title.get("lines", []) if isinstance(title, dict) else None
    if not isinstance(lines, list) or not all(isinstance(x, str) for x in lines) or len(lines) > MAX_TITLE_LINES:
        raise PackError(
            f"[title] 中的 lines 应为不超过{MAX_TITLE_LINES}行文字的列表",
            file=str(manifest), hint='如：lines = ["{{ meta.organ }}", "{{ meta.year }}年政府信息公开工作年度报告"]',
        )
    pack = Pack(
        name=name,
        display_name=str(data.get("display_name") or name),
        format=str(data.get("format") or "gov-2021"),
        extends=extends,
        path=path.resolve(),
        origin=origin,
        raw_settings=settings,
        headings={str(k): str(v) for k, v in headings.items()},
        title_lines=lines,
    )
    if extends:
        if _depth >= MAX_DEPTH:
            raise PackError(f"模板包继承层级过深（超过{MAX_DEPTH}层，可能是两个模板包互相继承）", file=str(manifest),
                            hint="请检查各模板包 pack.toml 中的 extends")
        if extends == name:
            # A pack that extends a namesake (a local `standard` tweaking the built-in one).
            parent_path = _find_other(extends, path, extra)
        else:
            parent_path = locate_pack(extends, extra)[0]
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
    from .compiled import bytecode_cache

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
