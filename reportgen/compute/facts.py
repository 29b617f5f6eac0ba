"""The computed facts the prose quotes: totals, shares, changes — plain values for templates.

Everything a sentence states is here, already computed and formatted; templates choose words,
never numbers. Phrases for a change ("较上年增加27件，增长13.2%") are built here once so every
pack states changes the same correct way (percentage points for shares).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..formats.base import DECISIONS, DOCUMENTS, FALL, MONEY, RISE
from ..model import Number, Report
from .arithmetic import LARGEST_REMAINDER, Change, change, point_change, share, shares
from .display import Settings, format_count, format_money, format_percent, format_points


def change_text(c: Change | None, unit: str, s: Settings, *, money: bool = False) -> str:
    """较上年增加27件，增长13.2% / 较上年减少3件，下降14.3% / 与上年持平 / '' (unknown)."""
    if c is None:
        return ""
    if c.diff == 0:
        return "与上年持平"
    amount = format_money(abs(c.diff), s) if money else format_count(abs(c.diff), s)  # type: ignore[arg-type]
    way = RISE if c.diff > 0 else FALL
    text = f"较上年{way.count}{amount}{unit}"
    if c.rate is not None:
        text += f"，{way.rate}{format_percent(c.rate, s)}"
    return text


def points_text(points: Decimal | None, s: Settings) -> str:
    """较上年提高38.1个百分点 / 较上年降低46.8个百分点 / 占比与上年持平 / '' (no comparison)."""
    if points is None:
        return ""
    if points == 0:
        return "占比与上年持平"
    return f"较上年{(RISE if points > 0 else FALL).points}{format_points(points, s)}个百分点"


def _change_fact(c: Change | None, unit: str, s: Settings, *, money: bool = False) -> dict[str, Any] | None:
    if c is None:
        return None
    fmt = (lambda v: format_money(v, s)) if money else (lambda v: format_count(v, s))
    return {
        "this": c.this,
        "last": c.last,
        "last_text": fmt(c.last),
        "diff": abs(c.diff),
        "diff_text": fmt(abs(c.diff)),
        "direction": c.direction,
        "rate": c.rate,
        "rate_text": format_percent(c.rate, s) if c.rate is not None else None,
        "text": change_text(c, unit, s, money=money),
        "count_text": change_text(Change(c.this, c.last, c.diff, None), unit, s, money=money),
    }


def _breakdown(
    items: list[tuple[str, str, int, int | None]], s: Settings, *, unit: str, previous_whole: bool = True
) -> tuple[list[dict[str, Any]], list[Decimal] | None, list[Decimal] | None]:
    """Shares of a complete breakdown, this year and (where every part is known) last year."""
    rule = s.rounding
    counts = [c for _, _, c, _ in items]
    this_shares = shares(counts, s.decimals, rule)
    lasts = [last for _, _, _, last in items]
    last_shares = shares([x or 0 for x in lasts], s.decimals, rule) if all(x is not None for x in lasts) else None
    rows = []
    for i, (key, name, count, last) in enumerate(items):
        sv = this_shares[i] if this_shares else None
        lv = last_shares[i] if last_shares else None
        pts = point_change(sv, lv)
        rows.append(
            {
                "key": key,
                "name": name,
                "count": count,
                "share_value": sv,
                "share": format_percent(sv, s) if sv is not None else None,
                "last": last,
                "last_share_value": lv,
                "last_share": format_percent(lv, s) if lv is not None else None,
                "change": _change_fact(change(count, last, s.decimals), unit, s),
                "points_value": pts,
                "points": points_text(pts, s),
            }
        )
    return rows, this_shares, last_shares


def build_facts(report: Report, v: dict[str, Number], last: dict[str, Number], s: Settings) -> dict[str, Any]:
    """Every computed fact of `report` under the pack's settings, from its derived figures `v`
    and last year's `last`."""
    fmt = report.format
    req = fmt.requests
    t = req.key
    total = req.total_column().key
    unit = req.total_column().unit  # 件

    def val(row: str, col: str = total) -> int:
        return int(v.get(f"{t}.{row}.{col}", 0))

    def lastval(key: str) -> int | None:
        value = last.get(key)
        return None if value is None else int(value)

    new, carried_in = (val(k) for k in req.balance_left)
    handled, carried_out = (val(k) for k in req.balance_right)
    def last_sum(row: str, cols: tuple[str, ...]) -> int | None:
        """Last year's sum over `cols`, when last year gave every one of them."""
        parts = [lastval(f"{t}.{row}.{c}") for c in cols]
        return None if any(x is None for x in parts) else sum(x or 0 for x in parts)

    applicants, _, _ = _breakdown(
        [
            (key, name, sum(val(req.balance_left[0], c) for c in cols), last_sum(req.balance_left[0], cols))
            for key, name, cols in req.applicant_groups
        ],
        s,
        unit=unit,
    )
    outcomes, _, _ = _breakdown(
        [
            (row.key, row.prose, val(row.key), lastval(f"{t}.{row.key}.{total}"))
            for row in req.outcome_rows()
        ],
        s,
        unit=unit,
    )
    requests = {
        "new": new,
        "new_name": req.row(req.balance_left[0]).prose,
        "carried_in": carried_in,
        "received": new + carried_in,
        "handled": handled,
        "carried_out": carried_out,
        "new_change": _change_fact(
            change(new, lastval(f"{t}.{req.balance_left[0]}.{total}"), s.decimals), unit, s
        ),
        "applicants": applicants,
        "outcomes": outcomes,
        "nonzero_outcomes": [o for o in outcomes if o["count"]],
    }

    ap = fmt.appeals
    appeals: dict[str, Any] = {}
    combined, combined_label, members = ap.combined
    result_fields = ap.input_fields()
    ap_total = next(f for f in ap.fields if f.derived).key
    ap_unit = ap.fields[0].unit
    blocks = [(b.key, b.label) for b in ap.blocks if not b.parent] + [(combined, combined_label)]
    for key, label in blocks:
        items = [
            (f.key, f.label, int(v[f"{ap.key}.{key}.{f.key}"]), lastval(f"{ap.key}.{key}.{f.key}"))
            for f in result_fields
        ]
        results, _, _ = _breakdown(items, s, unit=ap_unit)
        block_total = int(v[f"{ap.key}.{key}.{ap_total}"])
        last_total = lastval(f"{ap.key}.{key}.{ap_total}")
        appeals[key] = {
            "name": label,
            "total": block_total,
            "change": _change_fact(change(block_total, last_total, s.decimals), ap_unit, s),
            "results": results,
            "all_upheld": block_total > 0 and results[0]["count"] == block_total,
        }
    appeals[combined]["parts"] = [
        {"key": m, "name": next(b.label for b in ap.blocks if b.key == m), "total": int(v[f"{ap.key}.{m}.{ap_total}"])}
        for m in members
    ]
    appeals["any"] = any(appeals[k]["total"] for k, _ in blocks)

    act = fmt.active
    active: dict[str, Any] = {}
    for key, item, f in act.figures():
        value = v[key]
        money = f.kind == MONEY
        entry = active.setdefault(item.key, {"name": item.label})
        entry[f.key] = value
        entry[f"{f.key}_text"] = format_money(Decimal(value), s) if money else format_count(int(value), s)
        c = change(value, last.get(key), s.decimals)
        entry[f"{f.key}_change"] = _change_fact(c, f.unit, s, money=money)

    active["documents"] = [
        active[item.key] for block in act.blocks for item in block.items
        if block.role == DOCUMENTS
    ]
    active["decisions"] = [
        active[item.key] | {"decision_name": f"{item.label}决定"}
        for block in act.blocks for item in block.items
        if block.role == DECISIONS
    ]
    active["compared"] = [
        {"name": d["decision_name"], "change": d["decisions_change"]}
        for d in active["decisions"] if d["decisions_change"]
    ] + [
        {"name": active[item.key]["name"], "change": active[item.key][f"{f.key}_change"]}
        for block in act.blocks for item in block.items for f in block.fields
        if f.kind == MONEY and active[item.key][f"{f.key}_change"]
    ]

    other: dict[str, dict[str, Number | None]] = {}
    for key, _ in fmt.other_matters:
        group, name = key.split(".")
        # a published report may not state its fees (上海 2019: “无。”): unknown, not 0
        other.setdefault(group, {})[name] = v.get(f"other_matters.{key}")
    return {
        "requests": requests,
        "appeals": appeals,
        "active": active,
        "other_matters": other,
        "settings": {
            "decimals": s.decimals,
            "percent_sign": s.percent_sign,
            "rounding": s.rounding,
            "largest_remainder": s.rounding == LARGEST_REMAINDER,
        },
    }


__all__ = ["build_facts", "change_text", "points_text", "share"]
