"""The report as templates see it: figures, facts, sentences, staff text and table grids.

Both renderers (HTML, DOCX) and the JSON output take this one context, so what a report says
is decided once. Shape (all plain dicts, lists, strings and numbers):

- ``meta``: organ, short_name, year, website, contact{…}, compiled_from, publish_date
- ``contact_items``: [(label, value)] of the contact fields that are filled
- ``title``: the report title; ``format``: key, name, notice
- ``headings``: section key → heading (``overview`` … ``other`` and ``overview.active`` …)
- ``narrative``: section key → list of paragraphs (placeholders filled), every key present
- ``sentences``: statement name → list of paragraphs (empty list when nothing to say)
- ``tables``: ``active`` / ``requests`` / ``appeals`` → grid (tables.Grid.as_dict()); ``units`` too
  when a merged report lists its units and the pack sets ``units_table``
- ``units``: a merged report's units with their key figures (empty otherwise)
- ``requests``, ``appeals``, ``active_disclosure``, ``other_matters``: every figure, nested
- ``previous``: last year's figures, nested (only what is known)
- ``facts``: shares and changes (facts.build_facts)
- ``settings``: the pack's number settings
- ``charts``: key → chart (title, desc, rows, svg …) when the pack sets ``charts``; ``comparison``:
  主要数据与上年对比 when it sets ``comparison_table`` (reportgen.render.charts / .comparison)
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from .facts import build_facts
from .findings import Finding, Location, finding
from .model import Report, derive, nest
from .numbers import Settings, format_count, format_money
from .packs import Pack, environment, guarded, render_bounded
from .tables import grids, units_grid

# The statements a pack's sentences.j2 defines, in report order.
SENTENCES = (
    "title",
    "intro",
    "requests_summary",
    "applicants",
    "outcomes",
    "outcomes_change",
    "active",
    "review",
    "litigation",
    "appeals_none",
    "processing_fees",
)

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def paragraphs(text: str) -> list[str]:
    """Staff text → paragraphs: blank lines separate them; single line breaks too (as in Word)."""
    out = []
    for block in _PARAGRAPH_BREAK.split(text.replace("\r\n", "\n").replace("\r", "\n")):
        for line in block.split("\n"):
            line = line.strip()
            if line:
                out.append(line)
    return out


def figure_text(fmt_kind: str, value: Any, settings: Settings) -> str:
    if isinstance(value, Decimal) and fmt_kind == "money":
        return format_money(value, settings)
    return format_count(int(value), settings)


def values_namespace(report: Report) -> dict[str, Any]:
    """Every figure (inputs and derived) nested by key: requests.new.total …"""
    return nest(derive(report.format, report.figures))


def previous_namespace(report: Report) -> dict[str, Any]:
    if report.previous is None:
        return {}
    ns = nest(derive(report.format, report.previous.figures, keep_given=True))
    ns["year"] = report.previous.year
    return ns


def placeholder_namespace(report: Report, facts: dict[str, Any]) -> dict[str, Any]:
    """What `{{ … }}` in staff text may name: every figure, last year's, meta and facts."""
    ns = values_namespace(report)
    ns["previous"] = previous_namespace(report)
    ns["meta"] = report.meta
    ns["facts"] = facts
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


def build_context(report: Report, pack: Pack) -> tuple[dict[str, Any], list[Finding]]:
    """The full template context for `report` in `pack`, and any placeholder findings."""
    settings = pack.settings
    fmt = report.format
    facts = build_facts(report, settings)
    ns = placeholder_namespace(report, facts)
    filled, problems = fill_placeholders(report, ns)

    headings = {key: heading for key, heading in fmt.sections}
    headings |= {s.key: s.heading for s in fmt.narrative if "." in s.key}
    headings |= pack.merged_headings()

    meta = dict(report.meta)
    contact = meta.get("contact") or {}
    contact_items = [
        (f.label, contact.get(f.key, "")) for f in fmt.contact if f.key != "name" and contact.get(f.key)
    ]
    values = derive(fmt, report.figures)
    kinds = {k: f.kind for k, f in fmt.input_figures()}

    def show(key: str) -> str:
        return figure_text(kinds.get(key, "count"), values[key], settings) if key in values else ""

    context: dict[str, Any] = {
        "format": {"key": fmt.key, "name": fmt.name, "notice": fmt.notice},
        "meta": meta,
        "contact_items": contact_items,
        "headings": headings,
        "narrative": {s.key: paragraphs(filled.get(s.key, "")) for s in fmt.narrative},
        "tables": {k: g.as_dict() for k, g in grids(fmt, show).items()},
        "units": report.units,
        "previous": previous_namespace(report),
        "facts": facts,
        "settings": facts["settings"]
        | {"zero_groups": settings.zero_groups, "grouping": settings.grouping, "subject": settings.subject},
        **values_namespace(report),
    }
    if report.units and settings.units_table:
        from .merge import unit_columns

        annex = units_grid(unit_columns(fmt), report.units, lambda v: format_count(int(v), settings))
        context["tables"]["units"] = annex.as_dict()
    context["settings"]["units_table"] = bool(report.units and settings.units_table)
    add_graphics(context, settings)
    context["sentences"] = render_sentences(pack, context, settings)
    context["title"] = " ".join(context["sentences"]["title"]) or f"{meta.get('organ', '')}{meta.get('year', '')}年政府信息公开工作年度报告"
    return context, problems


def add_graphics(context: dict[str, Any], settings: Settings) -> None:
    """The 图解 parts a pack turns on: ``charts`` (key → chart) and ``comparison`` (主要数据与上年对比,
    also as ``tables.comparison`` when there is a row), both drawn from the facts."""
    context["settings"] |= {"charts": settings.charts, "comparison_table": settings.comparison_table}
    context["charts"] = {}
    context["comparison"] = None
    year = context["meta"].get("year")
    previous_year = context["previous"].get("year") or _year_before(year)
    if settings.charts:  # the modules are loaded only for a pack that draws charts
        from reportgen.render.charts import build_charts

        context["charts"] = build_charts(context["facts"], settings, year, previous_year)
    if settings.comparison_table:
        from reportgen.render.comparison import build_comparison

        context["comparison"] = build_comparison(context["facts"], settings, previous_year)
        if context["comparison"]["grid"]:
            context["tables"]["comparison"] = context["comparison"]["grid"]


def _year_before(year: Any) -> Any:
    return year - 1 if isinstance(year, int) else "上"


def sentence_environment(pack: Pack, settings: Settings) -> Any:
    # Filters are the pack's own number formatting; the environment is shared per pack chain,
    # and a chain's settings come from the same manifests, so setting them again is idempotent.
    env = environment(pack, autoescape=False)
    env.filters["num"] = lambda v: format_count(int(v), settings)
    env.filters["money"] = lambda v: format_money(Decimal(v), settings)
    return env


def render_sentences(pack: Pack, context: dict[str, Any], settings: Settings) -> dict[str, list[str]]:
    """Each statement from the first pack along the chain whose sentences.j2 defines it."""
    env = sentence_environment(pack, settings)
    variables = {
        "f": context["facts"],
        "meta": context["meta"],
        "contact_items": context["contact_items"],
        "settings": context["settings"],
        "format": context["format"],
        "headings": context["headings"],
        "previous_year": context["previous"].get("year") or _year_before(context["meta"].get("year")),
    }
    modules = []
    for i, p in enumerate(pack.chain()):
        if (p.path / "sentences.j2").is_file():
            name = f"@{i}/sentences.j2"
            template = guarded(lambda n=name: env.get_template(n), f"{p.name}/sentences.j2")
            modules.append((p, guarded(lambda t=template: t.make_module(variables), f"{p.name}/sentences.j2")))
    out: dict[str, list[str]] = {}
    for sentence in SENTENCES:
        for p, module in modules:
            macro = getattr(module, sentence, None)
            if macro is not None:
                where = f"{p.name}/sentences.j2 中的 {sentence}"
                text = render_bounded(lambda m=macro: [str(m())], where)
                out[sentence] = paragraphs(text)
                break
        else:
            out[sentence] = []
    return out
