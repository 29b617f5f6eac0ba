"""Compute: every derived figure, last year's, and the facts the prose quotes — once per report.

`compute(report, settings)` is the one place figures are derived; what it returns, `Computed`,
is handed to the checks, the template context and the renderers, and none of them derives again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..formats import Format
from ..model import Number, Report
from .display import Settings


# never compared, hashed or printed: no generated __eq__/__repr__ (see formats/base.py)
@dataclass(frozen=True, eq=False, repr=False)
class Computed:
    """A report after computing: its figures with every total, last year's, and the facts."""

    values: dict[str, Number]  # every input figure and every derived one whose parts are known
    last: dict[str, Number]  # last year's, derived where possible, given totals kept
    facts: dict[str, Any]  # shares, changes and their wording (compute.facts)
    settings: Settings


def compute(report: Report, settings: Settings | None = None, *, facts: bool = True) -> Computed:
    """Derive `report`'s figures and facts under a pack's number `settings` (default: standard).
    `facts=False`: the figures only, for a caller that renders nothing and fills no placeholder."""
    from .facts import build_facts

    settings = settings or Settings()
    values, last = figures(report)
    # A refused cell (an error already) leaves no figure to state: no facts rather than wrong ones.
    # (The fees of section 六 are prose, not table figures: a published report may not state them.)
    complete = all(key in report.figures for key, _ in report.format.input_figures()
                   if not key.startswith("other_matters."))
    stated = build_facts(report, values, last, settings) if complete and facts else {}
    return Computed(values, last, stated, settings)


def figures(report: Report) -> tuple[dict[str, Number], dict[str, Number]]:
    """`report`'s figures with every total whose parts are known, and last year's (given totals
    kept): the one place a report's figures are derived."""
    values = derive(report.format, report.figures)
    last = derive(report.format, report.previous.figures, keep_given=True) if report.previous else {}
    return values, last


def derive(fmt: Format, figures: dict[str, Number], *, keep_given: bool = False) -> dict[str, Number]:
    """All figures plus every derived one whose parts are all known.

    With `keep_given` (last year's figures), a derived figure that was given directly and
    cannot be computed is kept as given — last year's totals often survive only as quoted.
    """
    out = dict(figures)
    for s in fmt.sums:
        if all(p in out for p in s.parts):
            value: Number = sum((out[p] for p in s.parts), start=0)
            if keep_given and s.target in figures:
                continue
            out[s.target] = value
    return out


__all__ = ["Computed", "Settings", "compute", "derive", "figures"]
