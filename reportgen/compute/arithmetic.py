"""Shares, changes and rounding: pure Decimal arithmetic, no I/O and no templates.

Rules from shared/spec/narrative.md: shares half-up (四舍五入) by default, largest remainder on
request; a change of a share is the difference of the two shares *as displayed*, in percentage
points; no percentage of a zero; no comparison with an unknown year.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, localcontext

HALF_UP = "half_up"
LARGEST_REMAINDER = "largest_remainder"
RULES = (HALF_UP, LARGEST_REMAINDER)
HUNDRED = Decimal(100)


def quantum(decimals: int) -> Decimal:
    return Decimal(1).scaleb(-decimals)


def round_half_up(value: Decimal, decimals: int) -> Decimal:
    """四舍五入 at `decimals` places, whatever the ambient decimal context says."""
    with localcontext() as ctx:
        ctx.prec = 50
        return value.quantize(quantum(decimals), rounding=ROUND_HALF_UP)


def percent(part: int | Decimal, whole: int | Decimal) -> Decimal:
    """part / whole × 100, exact enough to round (50 significant digits)."""
    with localcontext() as ctx:
        ctx.prec = 50
        return Decimal(part) * HUNDRED / Decimal(whole)


def shares(
    parts: Sequence[int], decimals: int = 1, rule: str = HALF_UP
) -> list[Decimal] | None:
    """The share of each part in their sum, in percent; None when the sum is 0.

    With `largest_remainder` the shares add up to exactly 100: each is rounded down, and the
    units still missing go to the largest remainders, ties to the earlier part (table order).
    """
    whole = sum(parts)
    if whole <= 0:
        return None
    if rule == HALF_UP:
        return [round_half_up(percent(p, whole), decimals) for p in parts]
    if rule != LARGEST_REMAINDER:
        raise ValueError(rule)
    q = quantum(decimals)
    with localcontext() as ctx:
        ctx.prec = 50
        exact = [percent(p, whole) for p in parts]
        floors = [e.quantize(q, rounding=ROUND_DOWN) for e in exact]
        missing = int((HUNDRED - sum(floors)) / q)
        order = sorted(range(len(parts)), key=lambda i: (-(exact[i] - floors[i]), i))
        for i in order[:missing]:
            floors[i] += q
    return floors


def share(part: int, whole: int, decimals: int = 1) -> Decimal | None:
    """One share, half-up (for a part that is not one of a complete breakdown)."""
    if whole <= 0:
        return None
    return round_half_up(percent(part, whole), decimals)


# never compared, hashed or printed: no generated __eq__/__repr__ (see formats/base.py)
@dataclass(frozen=True, eq=False, repr=False)
class Change:
    """A count compared with last year's."""

    this: int | Decimal
    last: int | Decimal
    diff: int | Decimal  # this − last
    rate: Decimal | None  # (this − last) / last × 100, rounded; None when last is 0

    @property
    def direction(self) -> str:
        return "same" if self.diff == 0 else ("increase" if self.diff > 0 else "decrease")


def change(this: int | Decimal, last: int | Decimal | None, decimals: int = 1) -> Change | None:
    """None when last year is unknown: no comparison with an unknown year."""
    if last is None:
        return None
    diff = this - last
    size = diff if diff >= 0 else -diff
    rate = None if last == 0 else round_half_up(percent(size, last), decimals)
    return Change(this, last, diff, rate)


def point_change(this: Decimal | None, last: Decimal | None) -> Decimal | None:
    """Percentage points between two displayed shares; None where either has no share."""
    if this is None or last is None:
        return None
    return this - last
