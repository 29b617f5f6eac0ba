"""Derive a format's identities and figure labels from its tables, so none is written by hand."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from .base import Balance, Format, Sum

GROUP_SUM = "{label}：各项之和为{parts}，填写的合计为{given}"
ROW_TOTAL = "{label}：各申请人类型之和为{parts}，填写的总计为{given}"
HANDLED = "{label}：（一）至（六）之和为{parts}，填写的总计为{given}"
APPEAL_TOTAL = "{label}：结果维持、结果纠正、其他结果、尚未审结之和为{parts}，填写的总计为{given}"
BALANCE = "{where}：第一项加第二项（{left}）不等于第三项加第四项（{right}）"


def complete(fmt: Format) -> Format:
    """Return the format with its sums, balances and labels filled in."""
    return replace(fmt, sums=tuple(_sums(fmt)), balances=tuple(_balances(fmt)), labels=_labels(fmt))


def _sums(fmt: Format) -> list[Sum]:
    req = fmt.requests
    t = req.key
    cols = req.input_columns()
    total = req.total_column()
    sums: list[Sum] = []
    # Groups first (their columns), then `handled`, then the 总计 column of every row: each
    # sum only uses figures that are inputs or were derived by an earlier one.
    for _, row in req.top_rows():
        if row.is_group:
            for c in cols:
                sums.append(
                    Sum(
                        f"{t}.{row.key}.{c.key}",
                        tuple(f"{t}.{ch.key}.{c.key}" for ch in row.children),
                        "group_sum",
                        GROUP_SUM,
                        c.label,
                    )
                )
    handled = next(r for r in req.all_rows() if r.derived and not r.is_group)
    outcomes = req.outcome_rows()
    for c in cols:
        sums.append(
            Sum(
                f"{t}.{handled.key}.{c.key}",
                tuple(f"{t}.{r.key}.{c.key}" for r in outcomes),
                "handled_sum",
                HANDLED,
                c.label,
            )
        )
    for row in req.all_rows():
        sums.append(
            Sum(
                f"{t}.{row.key}.{total.key}",
                tuple(f"{t}.{row.key}.{c.key}" for c in cols),
                "row_total",
                ROW_TOTAL,
                total.label,
            )
        )
    # The 总计 column adds up like the others: a group's total is its rows' totals, （七）'s the
    # outcome groups'. Reached the other way as well, these routes let last year's figures, often
    # known only as the totals a report quoted, be checked against the totals of their parts.
    for _, row in req.top_rows():
        if row.is_group:
            sums.append(
                Sum(
                    f"{t}.{row.key}.{total.key}",
                    tuple(f"{t}.{ch.key}.{total.key}" for ch in row.children),
                    "group_sum",
                    GROUP_SUM,
                    total.label,
                )
            )
    sums.append(
        Sum(
            f"{t}.{handled.key}.{total.key}",
            tuple(f"{t}.{r.key}.{total.key}" for r in outcomes),
            "handled_sum",
            HANDLED,
            total.label,
        )
    )
    ap = fmt.appeals
    parts = ap.input_fields()
    ap_total = next(f for f in ap.fields if f.derived)
    for block in ap.blocks:
        sums.append(
            Sum(
                f"{ap.key}.{block.key}.{ap_total.key}",
                tuple(f"{ap.key}.{block.key}.{f.key}" for f in parts),
                "appeal_total",
                APPEAL_TOTAL,
                block.label,
            )
        )
    combined, _, members = ap.combined
    for f in ap.fields:
        sums.append(
            Sum(
                f"{ap.key}.{combined}.{f.key}",
                tuple(f"{ap.key}.{m}.{f.key}" for m in members),
                "combined_sum",
                GROUP_SUM,
                f.label,
            )
        )
    # A combined block can also be given only by its results (last year's litigation, when the
    # split between direct and after-review is unknown): its total is then their sum.
    sums.append(
        Sum(
            f"{ap.key}.{combined}.{ap_total.key}",
            tuple(f"{ap.key}.{combined}.{f.key}" for f in parts),
            "appeal_total",
            APPEAL_TOTAL,
            ap.combined[1],
        )
    )
    return sums


def typed_parts(fmt: Format, keys: Iterable[str]) -> list[str]:
    """The typed figures behind `keys`: a total is replaced by the figures it adds up (along
    its first route: the row for the 总计 column, the rows for a group)."""
    first: dict[str, tuple[str, ...]] = {}
    for s in fmt.sums:
        first.setdefault(s.target, s.parts)
    out: list[str] = []
    for key in keys:
        out += typed_parts(fmt, first[key]) if key in first else [key]
    return out


def _balances(fmt: Format) -> list[Balance]:
    req = fmt.requests
    t = req.key
    # Typed columns only: the 总计 column balances whenever they all do, so checking it too
    # would report one mistake twice.
    return [
        Balance(
            tuple(f"{t}.{r}.{c.key}" for r in req.balance_left),
            tuple(f"{t}.{r}.{c.key}" for r in req.balance_right),
            "balance",
            BALANCE,
            f"{c.label}列",
            anchor=f"{t}.balance.{c.key}",
        )
        for c in req.input_columns()
    ]


def cell_label(row: str, column: str) -> str:
    """A cell of a table as messages name it, in every table alike: its row, then its column in
    brackets, as 规章（本年制发件数） or 一、本年新收政府信息公开申请数量（自然人）. A column's own
    note in brackets follows a comma instead, not brackets within brackets: 行政事业性收费（本年收费金额，单位：万元）."""
    head, bracket, note = column.partition("（")
    if bracket and note.endswith("）"):
        column = f"{head}，{note[:-1]}"
    return f"{row}（{column}）"


def _labels(fmt: Format) -> dict[str, str]:
    labels: dict[str, str] = {}
    act = fmt.active
    for key, item, f in act.figures():
        labels[key] = cell_label(item.label, f.label)
    req = fmt.requests
    for row in req.all_rows():
        for c in req.columns:
            labels[f"{req.key}.{row.key}.{c.key}"] = cell_label(row.label, c.label)
    ap = fmt.appeals
    for key, block, f in ap.figures():
        head = f"{block.parent}·{block.label}" if block.parent else block.label
        labels[key] = cell_label(head, f.label)
    combined, combined_label, _ = ap.combined
    for f in ap.fields:
        labels[f"{ap.key}.{combined}.{f.key}"] = cell_label(f"{combined_label}合计", f.label)
    for key, f in fmt.other_matters:
        labels[f"other_matters.{key}"] = f.label
    return labels
