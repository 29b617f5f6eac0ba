"""Placeholders in staff text (`{{ requests.new.total }}`): data references filled from the computed figures, never run."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from ..compute import Computed
from ..compute.display import Settings, format_count, format_money
from ..findings import Finding, Location, finding
from ..model import Report, nest


def values_namespace(computed: Computed) -> dict[str, Any]:
    """Every figure (inputs and derived) nested by key: requests.new.total …"""
    return nest(computed.values)


def previous_namespace(report: Report, computed: Computed) -> dict[str, Any]:
    if report.previous is None:
        return {}
    ns = nest(computed.last)
    ns["year"] = report.previous.year
    return ns


def placeholder_namespace(report: Report, computed: Computed) -> dict[str, Any]:
    """What `{{ … }}` in staff text may name: every figure, last year's, meta and facts."""
    ns = values_namespace(computed)
    ns["previous"] = previous_namespace(report, computed)
    ns["meta"] = report.meta
    ns["facts"] = computed.facts
    return ns


def fill_placeholders(report: Report, namespace: dict[str, Any],
                      settings: Settings | None = None) -> tuple[dict[str, str], list[Finding]]:
    """Fill `{{ requests.new.total }}` in each narrative section; unknown names are errors.

    Staff text is data, not a program: a placeholder is a data reference — a name, `.name` and
    `[0]` steps, and the filters `num` and `money` — parsed here, never run as a template. So
    `{{ 9**(9**9) }}` or `{{ 'a'*(3*10**9) }}` is a finding at its cell, costing nothing, and
    the work is linear in the text (itself bounded by read.values.MAX_TEXT).
    """
    settings = settings or Settings()
    filled: dict[str, str] = {}
    problems: list[Finding] = []
    for key, text in report.narrative.items():
        where = report.narrative_where.get(key) or Location(file=report.source, key=f"narrative.{key}")
        if "{{" not in text and "{%" not in text and "{#" not in text:
            filled[key] = text
            continue
        out: list[str] = []
        problem: Finding | None = None
        pos = 0
        for m in _OPENER.finditer(text):
            if m.start() < pos:
                continue
            out.append(text[pos : m.start()])
            if m.group() != "{{":
                problem = finding("placeholder_syntax", where, f"narrative.{key}",
                                  value=f"正文中只能写 {{{{ 名称 }}}} 形式的占位符，不能写“{m.group()}”")
                break
            end = text.find("}}", m.end())
            if end == -1:
                problem = finding("placeholder_syntax", where, f"narrative.{key}",
                                  value=f"“{_clip(text[m.start():])}”缺少结尾的 }}}}")
                break
            inner = text[m.end() : end]
            value, code, detail = _resolve(inner, namespace, settings)
            if code:
                problem = finding(code, where, f"narrative.{key}", value=detail)
                break
            out.append(value)
            pos = end + 2
        if problem is not None:
            problems.append(problem)
            filled[key] = text
            continue
        out.append(text[pos:])
        filled[key] = "".join(out)
    return filled, problems


_OPENER = re.compile(r"\{\{|\{%|\{#")
_REF = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*|\[[0-9]{1,4}\])*)\s*((?:\|\s*[a-z]+\s*)*)$")
# The documented filters: the pack's own number formatting, nothing that computes.
FILTERS = ("num", "money")
MAX_VALUE_CHARS = 10_000  # one filled placeholder; a figure or a sentence of facts is far shorter


def _clip(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _resolve(inner: str, namespace: dict[str, Any], settings: Settings) -> tuple[str, str, str]:
    """(text, "", "") for a placeholder's inside, or ("", finding code, what to show)."""
    m = _REF.match(inner)
    if m is None:
        return "", "placeholder_syntax", (
            f"“{{{{{_clip(inner)}}}}}”中只能写数据的名称（如 requests.new.total）和过滤器"
            f"{'、'.join(FILTERS)}，不能运算或调用"
        )
    name, filters = m.group(1), [f.strip() for f in m.group(2).split("|")[1:]]
    unknown = [f for f in filters if f not in FILTERS]
    if unknown:
        return "", "placeholder_syntax", f"不认识的过滤器“{unknown[0]}”（可用：{'、'.join(FILTERS)}）"
    node: Any = namespace
    for step in re.findall(r"[A-Za-z_][A-Za-z0-9_]*|\[[0-9]+\]", name):
        if step.startswith("["):
            index = int(step[1:-1])
            node = node[index] if isinstance(node, list) and index < len(node) else _MISSING
        else:
            node = node.get(step, _MISSING) if isinstance(node, dict) else _MISSING
        if node is _MISSING:
            return "", "placeholder_unknown", name
    if node is None:
        return "", "placeholder_unknown", name
    if isinstance(node, (dict, list)):
        return "", "placeholder_not_value", name
    for f in filters:
        if isinstance(node, bool) or not isinstance(node, (int, Decimal)):
            return "", "placeholder_syntax", f"过滤器 {f} 只能用于数字，而 {name} 是文字"
        node = format_count(int(node), settings) if f == "num" else format_money(Decimal(node), settings)
    text = str(node)
    if len(text) > MAX_VALUE_CHARS:
        return "", "placeholder_syntax", f"{name} 的内容过长"
    return text, "", ""


_MISSING = object()
