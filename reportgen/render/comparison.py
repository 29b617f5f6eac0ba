"""主要数据与上年对比: the headline figures against last year, read from the facts the sentences quote.

Nothing is computed here: counts, changes, rates, shares and their change in 个百分点 are the
facts' values (facts.build_facts), only given a sign for the table. A figure whose last year is
unknown is left out and named in a note; with no last year at all there is no table, only the note.
"""

from __future__ import annotations

from typing import Any

from ..compute.display import Settings, format_count, format_points
from ..formats.grids import HEADER, LABEL, NUMBER, Cell, Grid

TITLE = "主要数据与上年对比"
COLUMNS = ("项目", "本年", "上年", "增减（件）", "增减（%）", "本年占比", "上年占比", "占比增减（个百分点）")
NONE = "—"


def _signed(direction: str, text: str) -> str:
    return {"increase": "+", "decrease": "-"}.get(direction, "") + text


def _row(name: str, change: dict[str, Any] | None, s: Settings, share: dict[str, Any] | None = None) -> list[str] | None:
    if change is None:
        return None
    rate = change["rate_text"]
    row = [
        name,
        format_count(int(change["this"]), s),
        change["last_text"],
        _signed(change["direction"], change["diff_text"]),
        # As in statistical bulletins: a rise unsigned, a fall with a minus (13.2% / -21.4%).
        ("-" + rate if change["direction"] == "decrease" else rate) if rate else NONE,
        NONE, NONE, NONE,
    ]
    if share is not None and share["share"] is not None:
        row[5] = share["share"]
        if share["last_share"] is not None:
            row[6] = share["last_share"]
            points = share["points_value"]
            row[7] = ("+" if points > 0 else "-" if points < 0 else "") + format_points(points, s)
    return row


def build_comparison(facts: dict[str, Any], s: Settings, previous_year: Any) -> dict[str, Any]:
    """Rows (lists of cell texts), what was left out, the note, and the grid for both renderers."""
    req, ap = facts["requests"], facts["appeals"]
    candidates: list[tuple[str, list[str] | None]] = [(req["new_name"], _row(req["new_name"], req["new_change"], s))]
    candidates += [(o["name"], _row(o["name"], o["change"], s, o)) for o in req["outcomes"]]
    candidates += [(ap[k]["name"], _row(ap[k]["name"], ap[k]["change"], s)) for k in ("review", "litigation")]
    candidates += [(d["decision_name"], _row(d["decision_name"], d["decisions_change"], s))
                   for d in facts["active"]["decisions"]]
    rows = [row for _, row in candidates if row is not None]
    left_out = [name for name, row in candidates if row is None]
    if not rows:
        note = "上年数据未知，未与上年对比。"
    elif left_out:
        note = f"{'、'.join(left_out)}的上年数据未知，未列入对比。"
    else:
        note = ""
    return {
        "title": TITLE,
        "columns": list(COLUMNS),
        "rows": rows,
        "left_out": left_out,
        "note": note,
        "previous_year": previous_year,
        "grid": comparison_grid(rows).as_dict() if rows else None,
    }


def comparison_grid(rows: list[list[str]]) -> Grid:
    """The rows as a grid, so the HTML macro and the DOCX table filter draw it like tables 2–4."""
    cells = [Cell(text, 0, c, kind=HEADER, scope="col") for c, text in enumerate(COLUMNS)]
    for r, row in enumerate(rows, start=1):
        cells.append(Cell(row[0], r, 0, kind=LABEL, scope="row"))
        cells += [Cell(text, r, c, kind=NUMBER) for c, text in enumerate(row[1:], start=1)]
    return Grid("comparison", TITLE, len(rows) + 1, len(COLUMNS), 1, cells, [5, 3, 3, 3, 3, 3, 3, 4])
