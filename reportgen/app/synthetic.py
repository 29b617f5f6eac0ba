"""Random but consistent unit reports, for tests, benchmarks and demonstrations."""

from __future__ import annotations

import random
from decimal import Decimal

from ..compute import derive
from ..formats import Format, get_format
from ..formats.base import MONEY
from ..model import Previous, Report


def unit_report(seed: int, *, organ: str | None = None, year: int = 2025, fmt: Format | None = None) -> Report:
    """A report whose every identity holds, with figures a township or department might have."""
    fmt = fmt or get_format()
    rng = random.Random(seed)
    report = Report(format=fmt, source=f"synthetic-{seed}")
    report.meta = {f.key: "" for f in fmt.meta} | {"contact": {f.key: "" for f in fmt.contact}}
    name = organ or f"第{seed}单位"
    report.meta.update(organ=name, short_name=name, year=year)
    for key, field in fmt.input_figures():
        if field.kind == MONEY:
            report.figures[key] = Decimal(rng.randint(0, 500_000)).scaleb(-2)
        elif key.startswith(f"{fmt.requests.key}."):
            continue  # filled below so that the balance holds
        else:
            report.figures[key] = rng.choice([0, 0, 1, 2, 3, rng.randint(0, 40)])
    req = fmt.requests
    t = req.key
    new, carried_in = req.balance_left
    handled, carried_out = req.balance_right
    columns = req.input_columns()
    for c in columns:
        # the first applicant column (自然人) is where most requests come from
        busy = c == columns[0] or rng.random() < 0.3
        for _, _, row in req.rows():
            if row.derived or row.key in (new, carried_in, carried_out):
                continue
            report.figures[f"{t}.{row.key}.{c.key}"] = rng.randint(0, 12) if busy and rng.random() < 0.6 else 0
        done = sum(int(report.figures[f"{t}.{r.key}.{c.key}"]) for _, _, r in req.rows()
                   if not r.derived and r.key not in (new, carried_in, carried_out))
        out = rng.randint(0, 3) if busy else 0
        came_in = rng.randint(0, min(3, done + out))
        report.figures[f"{t}.{carried_out}.{c.key}"] = out
        report.figures[f"{t}.{carried_in}.{c.key}"] = came_in
        report.figures[f"{t}.{new}.{c.key}"] = done + out - came_in
    report.narrative = {s.key: f"{name}{s.heading}的说明。" for s in fmt.narrative}
    last = derive(fmt, {k: max(0, v + rng.randint(-3, 3)) if isinstance(v, int) else v
                        for k, v in report.figures.items()})
    keep = [f"{t}.{r.key}.{req.total_column().key}" for _, r in req.top_rows()]
    keep += [k for k in last if k.startswith(f"{fmt.appeals.key}.") and not k.endswith(".total")]
    report.previous = Previous(year=year - 1, figures={k: last[k] for k in keep if k in last})
    return report
