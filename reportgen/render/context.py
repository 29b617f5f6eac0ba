"""The report as templates see it: figures, facts, sentences, staff text and table grids.

Both renderers (HTML, DOCX) and the JSON output take this one context, so what a report says
is decided once. Shape (all plain dicts, lists, strings and numbers):

- ``meta``: organ, short_name, year, website, contact{…}, compiled_from, publish_date
- ``contact_items``: [(label, value)] of the contact fields that are filled
- ``title``: the report title; ``title_lines``: it broken into lines between words (or as the pack's
  [title] lines say); ``signoff``: organ and date (Arabic numerals) when 发布日期 is given, else {}
- ``format``: key, name, notice
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

from ..checks.placeholders import previous_namespace, values_namespace
from ..compute import Computed
from ..compute.display import Settings, format_count, format_money
from ..formats.base import COUNT, MONEY
from ..formats.grids import grids, units_grid
from ..model import Report
from ..sandbox import guarded, render_bounded
from .packs import Pack, environment

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
    if isinstance(value, Decimal) and fmt_kind == MONEY:
        return format_money(value, settings)
    return format_count(int(value), settings)


def build_context(report: Report, computed: Computed, narrative: dict[str, str], pack: Pack) -> dict[str, Any]:
    """The full template context for `report` in `pack`, from its figures computed under the
    pack's settings and its staff text with the placeholders filled (check.Checked.narrative)."""
    settings = computed.settings
    fmt = report.format
    facts = computed.facts
    filled = narrative

    headings = {key: heading for key, heading in fmt.sections}
    headings |= {s.key: s.heading for s in fmt.narrative if "." in s.key}
    headings |= pack.merged_headings()

    meta = dict(report.meta)
    contact = meta.get("contact") or {}
    contact_items = [
        (f.label, contact.get(f.key, "")) for f in fmt.contact if f.key != "name" and contact.get(f.key)
    ]
    values = computed.values
    kinds = {k: f.kind for k, f in fmt.input_figures()}

    def show(key: str) -> str:
        return figure_text(kinds.get(key, COUNT), values[key], settings) if key in values else ""

    context: dict[str, Any] = {
        "format": {"key": fmt.key, "name": fmt.name, "notice": fmt.notice},
        "meta": meta,
        "contact_items": contact_items,
        "headings": headings,
        "narrative": {s.key: paragraphs(filled.get(s.key, "")) for s in fmt.narrative},
        "tables": {k: g.as_dict() for k, g in grids(fmt, show).items()},
        "units": report.units,
        "previous": previous_namespace(report, computed),
        "facts": facts,
        "settings": facts["settings"]
        | {"zero_groups": settings.zero_groups, "grouping": settings.grouping, "subject": settings.subject},
        **values_namespace(computed),
    }
    if report.units and settings.units_table:
        annex = units_grid(fmt.unit_columns(), report.units, lambda v: format_count(int(v), settings))
        context["tables"]["units"] = annex.as_dict()
    context["settings"]["units_table"] = bool(report.units and settings.units_table)
    add_graphics(context, settings)
    context["sentences"] = render_sentences(pack, context, settings)
    context["title"] = " ".join(context["sentences"]["title"]) or f"{meta.get('organ', '')}{meta.get('year', '')}年政府信息公开工作年度报告"
    # Both renderers break the title and sign the report alike (GB/T 9704 layout, render/typeset.py).
    from .typeset import report_title_lines, signoff

    context["title_lines"] = report_title_lines(pack, context)
    context["title"] = "".join(context["title_lines"]) or context["title"]
    context["signoff"] = signoff(meta)
    return context


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
