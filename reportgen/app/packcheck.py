"""`templates new` and `templates check`: copy a pack for editing, and prove a pack before use."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from ..errors import PackError, UserError
from ..render.packs import MANIFEST, Pack, find_pack, load_pack

TEMPLATE_SUFFIXES = (".j2", ".jinja", ".html")


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def manifest_text(name: str, display_name: str, fmt: str, extends: str,
                  settings: dict[str, Any], headings: dict[str, str]) -> str:
    lines = [
        "# 模板包清单。settings 和 headings 中未写的项从所继承的模板包取得。",
        f"name = {_toml_value(name)}",
        f"display_name = {_toml_value(display_name)}",
        f"format = {_toml_value(fmt)}",
        f"extends = {_toml_value(extends)}",
        "",
        "[settings]",
        *(f"{k} = {_toml_value(v)}" for k, v in settings.items()),
        "",
        "[headings]",
        *(f"{_toml_value(k)} = {_toml_value(v)}" for k, v in headings.items()),
        "",
    ]
    return "\n".join(lines)


def new_pack(name: str, source: Pack, dest_root: Path) -> Path:
    """Copy `source` into `dest_root/name` as a pack extending it, its DOCX ready to edit."""
    if not name or any(c in name for c in '\\/:*?"<>|') or name.startswith("."):
        raise UserError(f"模板包名称“{name}”不可用", hint="请用字母、数字、汉字或连字符")
    dest = dest_root / name
    if dest.exists():
        raise UserError("文件夹已存在", file=str(dest), hint="请换一个名称，或先删除该文件夹")
    dest.mkdir(parents=True)
    for item in sorted(source.path.iterdir()):
        if item.name == MANIFEST or item.name.startswith("."):
            continue
        if item.is_dir():
            shutil.copytree(item, dest / item.name)
        else:
            shutil.copy2(item, dest / item.name)
    docx = source.find_file("report.docx")
    if docx and not (dest / "report.docx").exists():
        shutil.copy2(docx, dest / "report.docx")
    (dest / MANIFEST).write_text(
        manifest_text(name, f"{source.display_name}（副本）", source.format, source.name,
                      dict(source.raw_settings), dict(source.headings)),
        encoding="utf-8",
    )
    return dest


def check_pack(ref: str | Path, extra: str | Path | None = None) -> list[str]:
    """Every problem with a pack, each a Chinese line naming file and line where known."""
    problems: list[str] = []
    try:
        pack = find_pack(ref, extra)
    except PackError as e:
        return [str(e)]
    try:
        pack.settings  # noqa: B018 - validates every setting
    except PackError as e:
        problems.append(str(e))
        return problems
    problems += _heading_problems(pack)
    problems += _syntax_problems(pack)
    if problems:
        return problems
    problems += _render_problems(pack)
    return problems


def pack_warnings(ref: str | Path, extra: str | Path | None = None) -> list[str]:
    """What works but will surprise: headings typed over in the pack's Word template."""
    try:
        pack = find_pack(ref, extra)
    except PackError:
        return []  # check_pack reports it
    return typed_over_headings(pack)


def _heading_problems(pack: Pack) -> list[str]:
    """A [headings] key that names no part of the report would silently rename nothing."""
    from ..formats import get_format

    fmt = get_format(pack.format)
    known = [key for key, _ in fmt.sections] + [s.key for s in fmt.narrative if "." in s.key]
    out = []
    for p in pack.chain():
        for key in p.headings:
            if key not in known:
                out.append(f"{p.path / MANIFEST}：[headings] 中不认识的键“{key}”（可用：{'、'.join(known)}）")
    return out


def _syntax_problems(pack: Pack) -> list[str]:
    from jinja2 import TemplateSyntaxError

    from ..render.packs import environment

    env = environment(pack, autoescape=True)
    out = []
    for p in pack.chain():
        for path in sorted(p.path.rglob("*")):
            if path.suffix not in TEMPLATE_SUFFIXES or not path.is_file():
                continue
            try:
                env.parse(path.read_text(encoding="utf-8"), name=path.name, filename=str(path))
            except TemplateSyntaxError as e:
                out.append(f"{path}第{e.lineno}行：语法错误：{e.message}")
            except UnicodeDecodeError:
                out.append(f"{path}：不是UTF-8编码的文本文件")
    return out


def _render_problems(pack: Pack) -> list[str]:
    """Render the sample through every part of the pack; report the first failure of each part."""
    from ..read import load
    from ..resources import sample_json
    from .pipeline import build_context

    out: list[str] = []
    report = load(sample_json())
    if report.format.key != pack.format:  # a pack for another edition renders a report of its own
        from ..formats import FORMATS
        from .synthetic import unit_report

        if pack.format not in FORMATS:
            return [f"{pack.path / MANIFEST}：不认识的格式“{pack.format}”（可用：{'、'.join(FORMATS)}）"]
        report = unit_report(1, fmt=FORMATS[pack.format], year=2020)
    try:
        context, _ = build_context(report, pack)
    except PackError as e:
        return [str(e)]
    parts: list[tuple[str, Any]] = []
    if pack.find_file("report.html.j2"):
        from ..render.html import render_html

        parts.append(("report.html.j2", lambda: render_html(context, pack)))
    if pack.find_file("report.docx"):
        from ..render.docx import render_docx

        def docx() -> None:
            with tempfile.TemporaryDirectory() as tmp:
                render_docx(context, pack, Path(tmp) / "check.docx")

        parts.append(("report.docx", docx))
    for _, run in parts:
        try:
            run()  # the renderers name the template (and line or paragraph) in their PackError
        except PackError as e:
            out.append(str(e))
    return out


_TAG = ("{{", "{%")


def _docx_paragraphs(path: Path) -> list[tuple[int, str, str]]:
    """(number, style name, text) of each body paragraph of a Word file (numbers from 1, as
    `_paragraph_of` counts them)."""
    import zipfile

    from defusedxml import ElementTree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(path) as z:
        body = ElementTree.fromstring(z.read("word/document.xml"))
        styles = ElementTree.fromstring(z.read("word/styles.xml"))
    names = {
        st.get(f"{w}styleId"): (st.find(f"{w}name").get(f"{w}val") if st.find(f"{w}name") is not None else "")
        for st in styles.iter(f"{w}style")
    }
    out = []
    for i, para in enumerate(body.iter(f"{w}p"), start=1):
        ref = para.find(f"{w}pPr/{w}pStyle")
        style = names.get(ref.get(f"{w}val"), "") if ref is not None else ""
        out.append((i, style, "".join(t.text or "" for t in para.iter(f"{w}t"))))
    return out


def typed_over_headings(pack: Pack) -> list[str]:
    """Warnings for a pack's own report.docx whose title or heading paragraphs hold literal
    text where the standard template has a variable: such a heading changes the Word file but
    not the web page, and is not renamed by pack.toml [headings]."""
    from ..render.packs import DEFAULT_PACK
    from ..resources import templates_dir

    own = pack.find_file("report.docx")
    standard = templates_dir() / DEFAULT_PACK / "report.docx"
    if own is None or not standard.is_file() or own.resolve() == standard.resolve():
        return []
    try:
        theirs, ours = _docx_paragraphs(own), _docx_paragraphs(standard)
    except Exception:  # noqa: BLE001 - an unreadable file is reported by the render check
        return []
    # The standard template's variable in each heading style, in order.
    expected: dict[str, list[str]] = {}
    for _, style, text in ours:
        if style and ("headings" in text or "title" in text) and text.startswith("{"):
            expected.setdefault(style, []).append(text)
    out = []
    seen: dict[str, int] = {}
    for number, style, text in theirs:
        if style not in expected:
            continue
        k = seen.get(style, 0)
        seen[style] = k + 1
        if text.strip() and not any(tag in text for tag in _TAG):
            variable = expected[style][min(k, len(expected[style]) - 1)]
            out.append(
                f"{own}：第{number}段（样式“{style}”）“{text.strip()[:40]}”是直接输入的文字，"
                f"标准模板此处是变量 {variable}。这样改的标题只改变 Word 版，网页版不变；"
                "请在 pack.toml 的 [headings]（标题为 [title]）中修改，Word 模板中保留变量"
            )
    return out


__all__ = ["new_pack", "check_pack", "load_pack", "typed_over_headings"]
