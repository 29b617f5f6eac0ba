"""Placeholders in staff text (`{{ requests.new.total }}`): filled from the computed figures, in the sandbox."""

from __future__ import annotations

import re
from typing import Any

from ..compute import Computed
from ..findings import Finding, Location, finding
from ..model import Report, nest
from ..sandbox import render_bounded


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


def fill_placeholders(report: Report, namespace: dict[str, Any]) -> tuple[dict[str, str], list[Finding]]:
    """Fill `{{ requests.new.total }}` in each narrative section; unknown names are errors."""
    from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
    filled: dict[str, str] = {}
    problems: list[Finding] = []
    for key, text in report.narrative.items():
        where = report.narrative_where.get(key) or Location(file=report.source, key=f"narrative.{key}")
        if "{{" not in text and "{%" not in text:
            filled[key] = text
            continue
        try:
            template = env.from_string(text)
            filled[key] = render_bounded(lambda t=template: t.generate(namespace), "正文占位符")
        except TemplateSyntaxError as e:
            problems.append(finding("placeholder_syntax", where, f"narrative.{key}", value=e.message))
            filled[key] = text
        except Exception as e:  # noqa: BLE001 - every failure names its place, never a traceback
            cause = e.__cause__ if isinstance(e.__cause__, UndefinedError) else e
            name = _unknown_name(text, namespace) or str(cause)
            problems.append(finding("placeholder_unknown", where, f"narrative.{key}", value=name))
            filled[key] = text
    return filled, problems


_PLACEHOLDER = re.compile(r"\{\{\s*([^{}|]+?)\s*(\|[^{}]*)?\}\}")


def _unknown_name(text: str, namespace: dict[str, Any]) -> str:
    for m in _PLACEHOLDER.finditer(text):
        node: Any = namespace
        for part in m.group(1).split("."):
            if isinstance(node, dict) and part in node:
                node = node[part]
            else:
                return m.group(1)
    return ""
