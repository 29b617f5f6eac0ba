"""Catch the stale hand-typed number: staff text quoting a figure the tables contradict."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from .findings import Finding, Location, finding
from .model import Number, Report, derive


@dataclass(frozen=True)
class Topic:
    """Words in staff text that name something the tables hold, and the figures it may be."""

    words: tuple[str, ...]
    unit: str  # 件 / 万元 / 元 / 次
    keys: tuple[str, ...]  # figure keys (prefix match: "requests.new." matches every column)
    name: str  # how the expected figure is named in the message


def _topics(report: Report) -> list[Topic]:
    fmt = report.format
    req = fmt.requests
    t, total = req.key, req.total_column().key
    topics = [
        Topic(
            (r.prose,) + (("同意公开",) if r.key == "granted" else ()),
            "件",
            (f"{t}.{r.key}.{total}",),
            f"表格中{r.prose}为{{values}}件",
        )
        for r in req.outcome_rows()
    ]
    request_rows = tuple(f"{t}.{r.key}.{total}" for r in req.all_rows())
    topics.append(Topic(("申请",), "件", request_rows, "表格中申请数量为{values}件"))
    ap = fmt.appeals
    combined, combined_label, members = ap.combined
    for label, blocks in (("行政复议", ("review",)), (combined_label, (combined, *members))):
        topics.append(
            Topic((label,), "件", tuple(f"{ap.key}.{b}." for b in blocks), f"表格中{label}为{{values}}件")
        )
    for block in fmt.active.blocks:
        for item in block.items:
            words = (item.label,) + (("规范性文件",) if item.key == "normative_documents" else ())
            unit = "万元" if any(f.kind == "money" for f in block.fields) else "件"
            words = words + (("收费",) if "收费" in item.label else ())
            topics.append(
                Topic(words, unit, (f"{fmt.active.key}.{item.key}.",), f"表格中{item.label}为{{values}}{unit}")
            )
    topics.append(Topic(("信息处理费",), "元", ("other_matters.processing_fees.amount_yuan",), "信息处理费为{values}元"))
    topics.append(Topic(("信息处理费",), "次", ("other_matters.processing_fees.count",), "信息处理费为{values}次"))
    return topics


_SENTENCE = re.compile(r"[^。；;！？\n]+[。；;！？]?")
_GAP = 12  # characters allowed between the topic word and its number


def _patterns(topics: list[Topic]) -> list[tuple[Topic, re.Pattern[str]]]:
    """Each topic's pattern, longest topic words first (so 行政规范性文件 claims before 规范性文件)."""
    out = []
    for topic in sorted(topics, key=lambda tp: -max(len(w) for w in tp.words)):
        words = "|".join(re.escape(w) for w in sorted(topic.words, key=len, reverse=True))
        out.append((topic, re.compile(
            rf"(?:{words})[^0-9０-９，。；,;]{{0,{_GAP}}}?(\d+(?:\.\d+)?)\s*{re.escape(topic.unit)}(?!\w*[率比])"
        )))
    return out


def stale_numbers(report: Report, texts: dict[str, str] | None = None) -> Iterator[Finding]:
    """Warn where staff text attaches a number to a topic and that number is none of its figures."""
    texts = report.narrative if texts is None else texts
    if not any(re.search(r"\d", t) for t in texts.values()):
        return
    values = derive(report.format, report.figures)
    patterns = _patterns(_topics(report))
    for key, text in texts.items():
        where = report.narrative_where.get(key) or Location(file=report.source, key=f"narrative.{key}")
        for m in _SENTENCE.finditer(text):
            sentence = m.group(0).strip()
            yield from _check_sentence(sentence, patterns, values, where, key)


def _check_sentence(
    sentence: str, patterns: list[tuple[Topic, re.Pattern[str]]], values: dict[str, Number],
    where: Location, key: str,
) -> Iterator[Finding]:
    seen: set[tuple[int, str]] = set()
    reported: set[tuple[str, str]] = set()
    for topic, pattern in patterns:
        for m in pattern.finditer(sentence):
            spot = (m.start(1), topic.unit)
            if spot in seen:
                continue  # a longer topic word already claimed this number
            seen.add(spot)
            number = Decimal(m.group(1))
            figures = sorted(
                {Decimal(v) for k, v in values.items() if any(k.startswith(p) or k == p for p in topic.keys)}
            )
            if not figures or number in figures or (m.group(1), topic.name) in reported:
                continue
            reported.add((m.group(1), topic.name))
            shown = "、".join(str(f) for f in figures if f) or "0"
            yield finding(
                "stale_number",
                where,
                f"narrative.{key}",
                sentence=sentence if len(sentence) <= 80 else sentence[:80] + "…",
                number=f"{m.group(1)}{topic.unit}",
                expected=topic.name.format(values=shown),
            )
