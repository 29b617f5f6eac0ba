"""A JSON data document → `Report` (the data model's JSON interface); and the checks of meta every reader shares."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import UnreadableInput, os_reason
from ..findings import Finding, Location, finding
from ..formats import FIGURE_PARTS, FORMATS, Format, get_format
from ..formats.base import COUNT, zero_of
from ..model import Previous, Report
from .files import read_capped
from .values import MAX_TEXT, clean_text, parse_figure, parse_year, read_text

MAX_JSON_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 8  # the format nests figures three levels deep; deeper is not our document
# json's English messages → what they mean to someone editing the file by hand.
JSON_MESSAGES = {
    "Expecting value": "此处缺少值（或有多余的逗号）",
    "Expecting ',' delimiter": "缺少逗号",
    "Expecting ':' delimiter": "缺少冒号",
    "Expecting property name enclosed in double quotes": "键名应放在英文双引号中（或有多余的逗号）",
    "Unterminated string starting at": "字符串缺少结尾的英文双引号",
    "Invalid control character at": "字符串中有换行或控制字符，换行请写成 \\n",
    "Extra data": "JSON结束后还有多余的内容",
    "Invalid \\escape": "反斜杠转义写法有误",
}


def read_json(path: str | Path) -> Report:
    p = Path(path)
    try:
        if p.stat().st_size > MAX_JSON_BYTES:
            raise UnreadableInput("文件过大，不像年度报告数据", file=str(p))
        data = read_capped(p, MAX_JSON_BYTES)
    except OSError as e:
        raise UnreadableInput(f"无法打开文件（{os_reason(e)}）", file=str(p)) from e
    if not data.strip():
        raise UnreadableInput("文件是空的", file=str(p), hint="请重新导出JSON数据")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise UnreadableInput(
            f"不是UTF-8编码的JSON文件（第{line}行有无法识别的字节，可能是GBK等编码）", file=str(p),
            hint="请用记事本或其他编辑器“另存为”UTF-8编码后再试",
        ) from e
    try:
        doc = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as e:
        reason = next((v for k, v in JSON_MESSAGES.items() if e.msg.startswith(k)), e.msg)
        raise UnreadableInput(f"JSON格式错误（第{e.lineno}行第{e.colno}列）：{reason}", file=str(p)) from e
    except RecursionError as e:
        raise UnreadableInput("JSON嵌套层级过深，不是年度报告数据", file=str(p)) from e
    return from_document(doc, source=str(p))


def from_document(doc: Any, *, source: str = "") -> Report:
    """A `Report` from a parsed JSON document (the data model's JSON interface)."""
    if not isinstance(doc, dict):
        raise UnreadableInput("JSON顶层应为对象（{…}）", file=source)
    fmt_key = doc.get("format", get_format().key)
    if not isinstance(fmt_key, str) or fmt_key not in FORMATS:
        raise UnreadableInput(
            f"不认识的格式“{fmt_key}”", file=source, where="format", hint=f"可用的格式：{'、'.join(FORMATS)}"
        )
    fmt = get_format(fmt_key)
    report = Report(format=fmt, source=source)
    notes = report.findings
    report.meta = _meta(fmt, doc.get("meta"), source, notes)

    flat = _flatten_figures(doc, source, notes)
    inputs = dict(fmt.input_figures())
    derived = set(fmt.derived_figures())
    for key, field in inputs.items():
        where = Location(file=source, key=key)
        report.where[key] = where
        if key not in flat:
            notes.append(finding("blank_as_zero", where, key, value="未提供"))
            report.figures[key] = zero_of(field.kind)
            continue
        parsed = parse_figure(flat.pop(key), field.kind, where, key, text_ok=True)
        notes.extend(parsed.findings)
        if parsed.value is not None:
            report.figures[key] = parsed.value
    for key in list(flat):
        if key in derived:
            where = Location(file=source, key=key)
            parsed = parse_figure(flat.pop(key), COUNT, where, key, text_ok=True)
            notes.extend(parsed.findings)
            if parsed.value is not None:
                report.given[key] = parsed.value
                report.where[key] = where
    for key in flat:
        notes.append(finding("unknown_key", Location(file=source, key=key), key, value=key))

    report.previous = _previous(fmt, doc.get("previous"), source, notes)
    report.units = _units(fmt, doc.get("units"), source, notes)
    narrative = doc.get("narrative") or {}
    if not isinstance(narrative, dict):
        raise UnreadableInput("narrative 应为对象（章节键 → 文字）", file=source, where="narrative")
    known = {s.key for s in fmt.narrative}
    for key, text in narrative.items():
        where = Location(file=source, key=f"narrative.{key}")
        if key not in known:
            notes.append(finding("unknown_key", where, key, value=f"narrative.{key}"))
            continue
        if text is not None and not isinstance(text, str):
            notes.append(finding("not_text", where, f"narrative.{key}", value=json.dumps(text, default=str)[:40]))
            text = None
        report.narrative[key], found = read_text(text, where, f"narrative.{key}")
        notes.extend(found)
        report.narrative_where[key] = where
    return report




def _flatten_figures(doc: dict[str, Any], source: str, notes: list[Finding]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for part in FIGURE_PARTS:
        section = doc.get(part)
        if section is None:
            continue
        _flatten(section, part, flat, source)
    for key in doc:
        if key not in (*FIGURE_PARTS, "format", "meta", "previous", "narrative", "units"):
            shown = key or '""'  # an empty key still needs something to point at
            notes.append(finding("unknown_key", Location(file=source, key=shown), key, value=shown))
    return flat


def _flatten(node: Any, prefix: str, out: dict[str, Any], source: str) -> None:
    if isinstance(node, dict):
        if prefix.count(".") >= MAX_DEPTH:
            raise UnreadableInput("此处嵌套层级过深，应为数字", file=source, where=prefix)
        for k, v in node.items():
            _flatten(v, f"{prefix}.{k}", out, source)
    elif isinstance(node, list):
        raise UnreadableInput("此处应为数字或对象，不应为列表", file=source, where=prefix)
    else:
        out[prefix] = node


def _meta(fmt: Format, raw: Any, source: str, notes: list[Finding]) -> dict[str, Any]:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise UnreadableInput("meta 应为对象", file=source, where="meta")
    meta: dict[str, Any] = {}
    for f in fmt.meta:
        value = raw.get(f.key)
        meta[f.key] = "" if value is None else value
    contact = raw.get("contact") or {}
    meta["contact"] = {f.key: contact.get(f.key) for f in fmt.contact} if isinstance(contact, dict) else {}
    check_meta(fmt, meta, lambda k: Location(file=source, key=f"meta.{k}"), notes)
    return meta


def check_meta(fmt: Format, meta: dict[str, Any], where: Any, notes: list[Finding]) -> None:
    """Normalise and check organ, contact and year in place (shared by every reader): text is
    text (not `true` or a list), cleaned of invisible characters, within a cell's length."""
    for f in fmt.meta:
        if f.key != "year":
            meta[f.key] = _meta_text(meta.get(f.key), where(f.key), f"meta.{f.key}", notes, numbers_ok=False)
    contact = meta.get("contact")
    if isinstance(contact, dict):
        for k, value in contact.items():
            contact[k] = _meta_text(value, where(f"contact.{k}"), f"meta.contact.{k}", notes, numbers_ok=True)
    for f in fmt.meta:
        if f.required and meta.get(f.key) in ("", None):
            notes.append(finding("missing_meta", where(f.key), f"meta.{f.key}", label=f.label))
    year = meta.get("year")
    if year not in ("", None):
        parsed = parse_year(year, where("year"), "meta.year")
        notes.extend(parsed.findings)
        meta["year"] = parsed.value
    else:
        meta["year"] = None
    if not meta.get("short_name"):
        meta["short_name"] = meta.get("organ") or ""


def _meta_text(value: Any, where: Location, key: str, notes: list[Finding], *, numbers_ok: bool) -> str:
    """One text field of meta: `numbers_ok` for a postcode or a phone number written as a number."""
    if value is None:
        return ""
    if not isinstance(value, str):
        plain_number = isinstance(value, (int, Decimal)) and not isinstance(value, bool)
        if not (numbers_ok and plain_number):
            shown = json.dumps(value, ensure_ascii=False, default=str)
            notes.append(finding("not_text", where, key, value=shown if len(shown) <= 40 else shown[:40] + "…"))
            return ""
    text, found = read_text(value, where, key)
    notes.extend(found)
    return text.strip()


def _units(fmt: Format, raw: Any, source: str, notes: list[Finding]) -> list[dict[str, Any]]:
    """A merged report's units (单位汇总): each unit's name and key figures, checked like any count."""
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(u, dict) for u in raw):
        raise UnreadableInput("units 应为对象列表", file=source, where="units")
    units = []
    for i, u in enumerate(raw):
        unit: dict[str, Any] = {"organ": clean_text(str(u.get("organ") or ""))[0][:MAX_TEXT],
                                "source": clean_text(str(u.get("source") or ""))[0][:MAX_TEXT]}
        for key, _ in fmt.unit_columns():
            where = Location(file=source, key=f"units[{i}].{key}")
            parsed = parse_figure(u.get(key, 0), COUNT, where, key, text_ok=True)
            notes.extend(f for f in parsed.findings if f.code != "blank_as_zero")
            unit[key] = parsed.value if parsed.value is not None else 0
        units.append(unit)
    return units


def _previous(fmt: Format, raw: Any, source: str, notes: list[Finding]) -> Previous | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise UnreadableInput("previous 应为对象", file=source, where="previous")
    prev = Previous()
    year = raw.get("year")
    if year is not None:
        where = Location(file=source, key="previous.year")
        parsed = parse_year(year, where, "previous.year")
        notes.extend(parsed.findings)
        prev.year = None if parsed.value is None else int(parsed.value)
        prev.year_where = where
    flat: dict[str, Any] = {}
    for part in FIGURE_PARTS:
        if raw.get(part) is not None:
            _flatten(raw[part], part, flat, source)
    kinds = {k: f.kind for k, f in fmt.input_figures()}
    known = set(kinds) | set(fmt.derived_figures())
    for key, value in flat.items():
        where = Location(file=source, key=f"previous.{key}")
        if key not in known:
            notes.append(finding("unknown_key", where, key, value=f"previous.{key}"))
            continue
        if value is None:
            continue  # explicitly unknown
        parsed = parse_figure(value, kinds.get(key, COUNT), where, key, text_ok=True)
        notes.extend(f for f in parsed.findings if f.code != "blank_as_zero")
        if parsed.value is not None:
            prev.figures[key] = parsed.value
            prev.where[key] = where
    return prev
