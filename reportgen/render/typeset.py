"""GB/T 9704-2012 typesetting decisions shared by Word and web: title lines and the sign-off date."""

from __future__ import annotations

import itertools
import re
import unicodedata
from typing import Any

# Text block 156 mm wide; the title is 二号 (22 pt): 20 full-width characters a line.
TITLE_CHARS = 20
# Words of the standard title after which a line may end (GB/T 9704 7.3.3: 回行时词意完整).
_TITLE_WORDS = ("政府信息公开",)
# Inside a long organ name, a line may end after an administrative level.
MAX_BREAK_POINTS = 12  # a real title has a handful: after the organ's levels, the year, 政府信息公开
_LEVELS = re.compile(r"(?:省|自治区|市|自治州|州|盟|地区|区|县|旗|人民政府|办公室|委员会|管委会)")


def text_width(text: str) -> float:
    """Width in full-width characters: ASCII digits and letters take half a character."""
    return sum(0.5 if ord(c) < 0x2E80 and unicodedata.east_asian_width(c) in "NaH" else 1.0 for c in text)


def title_lines(title: str, organ: str = "", year: Any = "", width: float = TITLE_CHARS) -> list[str]:
    """`title` as the fewest lines of at most `width` characters, broken only between words and
    as even as possible (梯形 or 菱形), e.g. “测试区人民政府2025年 / 政府信息公开工作年度报告”."""
    title = title.strip()
    if not title or text_width(title) <= width:
        return [title] if title else []
    breaks = sorted(_break_points(title, organ, year))
    if len(breaks) > MAX_BREAK_POINTS:  # no real title; trying every combination would never end
        return _greedy_lines(title, breaks, width)
    best: tuple[Any, ...] | None = None
    best_lines = [title]
    for count in range(1, len(breaks) + 1):
        for chosen in itertools.combinations(breaks, count):
            lines = [title[a:b] for a, b in itertools.pairwise((0, *chosen, len(title)))]
            widths = [text_width(line) for line in lines]
            overflow = sum(max(0.0, w - width) for w in widths)
            # Fewest overflowing characters, then fewest lines, then the most even; a tie goes to
            # the longer first line (an inverted trapezoid reads as one heading, not as two).
            score = (overflow, len(lines), max(widths) - min(widths), -widths[0])
            if best is None or score < best:
                best, best_lines = score, lines
    return best_lines


def _greedy_lines(title: str, breaks: list[int], width: float) -> list[str]:
    """Fill each line up to the last break point that fits (or the first one, if none fits)."""
    lines, start = [], 0
    while text_width(title[start:]) > width:
        inside = [b for b in breaks if b > start and text_width(title[start:b]) <= width]
        after = [b for b in breaks if b > start]
        if not inside and not after:
            break
        end = inside[-1] if inside else after[0]
        lines.append(title[start:end])
        start = end
    return [*lines, title[start:]]


def _break_points(title: str, organ: str, year: Any) -> set[int]:
    points: set[int] = set()
    at = title.find(organ) if organ else -1
    if organ and at >= 0:
        points.add(at + len(organ))
        for m in _LEVELS.finditer(organ):
            points.add(at + m.end())
    if year:
        found = title.find(f"{year}年")
        if found >= 0:
            points.add(found + len(f"{year}年"))
            if found > 0:
                points.add(found)
    for word in _TITLE_WORDS:
        found = title.find(word)
        if found >= 0:
            points.add(found + len(word))
    return {p for p in points if 0 < p < len(title)}


_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "Ｏ": 0, "O": 0}
_NUMERIC_DATE = re.compile(r"^(\d{4})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_CHINESE_DATE = re.compile(r"^([〇零○Ｏ一二三四五六七八九]{4})年([一二三四五六七八九十]{1,2})月([一二三四五六七八九十]{1,3})日$")


def _chinese_number(text: str) -> int:
    """一 … 三十一 (the day and month of a date written in Chinese numerals)."""
    if "十" not in text:
        return _CN_DIGITS[text]
    tens, _, ones = text.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def date_parts(text: str) -> tuple[int, int, int] | None:
    """(year, month, day) of a date as staff write it: 2026年1月20日, 2026-01-20, 2026/1/20,
    二〇二六年一月二十日, or a date cell read as “2026-01-20 00:00:00”; None for anything else."""
    text = unicodedata.normalize("NFKC", str(text or "")).strip()
    m = _NUMERIC_DATE.match(text)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = _CHINESE_DATE.match(text)
        if not m:
            return None
        y = int("".join(str(_CN_DIGITS[c]) for c in m.group(1)))
        mo, d = _chinese_number(m.group(2)), _chinese_number(m.group(3))
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return y, mo, d


def signoff_date(text: str) -> str:
    """The date of the sign-off in Arabic numerals without leading zeros (GB/T 9704-2012 7.3.5.1:
    “用阿拉伯数字将年、月、日标全，年份应标全称，月、日不编虚位”); text that is not a date stays as written."""
    parts = date_parts(text)
    if parts is None:
        return str(text or "").strip()
    y, mo, d = parts
    return f"{y}年{mo}月{d}日"


def report_title_lines(pack: Any, context: dict[str, Any]) -> list[str]:
    """The title's lines for `context`: the pack's [title] lines (templates over the context,
    sandboxed) when it sets them, else `title_lines` of the computed title."""
    from ..sandbox import guarded, render_bounded
    from .packs import environment

    meta = context.get("meta") or {}
    explicit = pack.merged_title_lines()
    if not explicit:
        return title_lines(str(context.get("title", "")), str(meta.get("organ", "")), meta.get("year", ""))
    env = environment(pack, autoescape=False)
    out = []
    for i, source in enumerate(explicit, start=1):
        where = f"{pack.name}/pack.toml [title] 第{i}行"
        template = guarded(lambda s=source: env.from_string(s), where)
        line = render_bounded(lambda t=template: t.generate(context), where).strip()
        if line:
            out.append(line)
    return out


def signoff(meta: dict[str, Any]) -> dict[str, Any]:
    """The sign-off (落款) under the last section: the organ and the 发布日期, or nothing
    when no date is given (a draft is not yet signed)."""
    date = str(meta.get("publish_date") or "").strip()
    if not date:
        return {}
    organ, date = str(meta.get("organ", "")), signoff_date(date)
    # GB/T 9704-2012 7.3.5.2: the organ 右空二字 and the date starting two characters right of
    # it; a date longer than that keeps 右空二字 and pushes the organ left instead.
    organ_indent = 2.0
    date_indent = organ_indent + text_width(organ) - 2 - text_width(date)
    if date_indent < 2:
        organ_indent += 2 - date_indent
        date_indent = 2.0
    return {"organ": organ, "date": date, "organ_indent": organ_indent, "date_indent": date_indent}
