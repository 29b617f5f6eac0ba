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


__all__ = ["new_pack", "check_pack", "load_pack"]
