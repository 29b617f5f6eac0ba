"""Read one typed value the way a clerk means it: counts and money, never guessed."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ..findings import Finding, Location, finding
from ..formats.base import MONEY, SIGNED
from ..model import Number

# What published tables print for "nothing": read as 0 with a note.
BLANKS = {"", "/", "／", "—", "——", "-", "－", "–", "无", "空", "0件"}
# Past this a count is a typo (a township does not decide a billion licences).
MAX_COUNT = 100_000_000
MAX_MONEY = Decimal("100000000")  # 万元: a trillion yuan

# ASCII digits only: `\d` would also take ٣ or ३, which NFKC leaves as they are.
_GROUPED = re.compile(r"^[0-9]{1,3}(,[0-9]{3})+$")
_PLAIN_INT = re.compile(r"^[0-9]+$")
# Up to six decimals: real reports convert 元 to 万元 to the 分 (24252.311082), see data-model.md.
_MONEY = re.compile(r"^[0-9]+(\.[0-9]{1,6})?$")
MONEY_PLACES = 6
# More digits than this is past MAX_COUNT anyway; int() of thousands of digits is refused by Python.
_MAX_DIGITS = 20


@dataclass
class Parsed:
    value: Number | None  # None: refused (an error finding says why)
    findings: list[Finding]


def _show(raw: object) -> str:
    text = str(raw)
    return text if len(text) <= 40 else text[:40] + "…"


def parse_figure(raw: object, kind: str, where: Location, key: str, *, text_ok: bool = False) -> Parsed:
    """Parse a count (non-negative int) or an amount (Decimal, ≤ 2 places) from a cell or JSON.

    `text_ok`: a number written as text is the source's own convention (JSON writes decimals
    as strings), so it is read without the note a workbook cell typed as text gets.
    """
    if kind == MONEY:
        parsed = _parse_money(raw, where, key)
    elif kind == SIGNED:
        parsed = _parse_signed(raw, where, key)
    else:
        parsed = _parse_count(raw, where, key)
    if text_ok:
        parsed.findings = [f for f in parsed.findings if f.code != "text_number"]
    return parsed


def _blank(raw: object, where: Location, key: str) -> Parsed | None:
    if raw is None:
        return Parsed(0, [finding("blank_as_zero", where, key, value="空白")])
    if isinstance(raw, str) and raw.strip() in BLANKS:
        shown = raw.strip() or "空白"
        return Parsed(0, [finding("blank_as_zero", where, key, value=shown)])
    return None


def _parse_signed(raw: object, where: Location, key: str) -> Parsed:
    """A change (本年增/减): a count with an optional sign (-3, +3, －3, −3)."""
    sign = 1
    if isinstance(raw, str):
        text = unicodedata.normalize("NFKC", raw).strip().replace("\u2212", "-")
        if text[:1] in ("-", "+") and len(text) > 1:
            sign, raw = (-1 if text[0] == "-" else 1), text[1:]
    elif isinstance(raw, (int, float, Decimal)) and not isinstance(raw, bool) and raw < 0:
        sign, raw = -1, -raw
    parsed = _parse_count(raw, where, key)
    if parsed.value is not None and sign < 0:
        parsed.value = -parsed.value
    return parsed


def _parse_count(raw: object, where: Location, key: str) -> Parsed:
    blank = _blank(raw, where, key)
    if blank:
        return blank
    bad = Parsed(None, [finding("not_integer", where, key, value=_show(raw))])
    if isinstance(raw, bool) or isinstance(raw, (dt.date, dt.time, dt.timedelta)):
        return bad
    notes: list[Finding] = []
    if isinstance(raw, str):
        text = unicodedata.normalize("NFKC", raw).strip()  # １２３ → 123
        if _GROUPED.match(text):
            text = text.replace(",", "")
        if not _PLAIN_INT.match(text):
            if re.match(r"^-[0-9]+$", text):
                return Parsed(None, [finding("negative", where, key, value=_show(text))])
            return bad
        if len(text.lstrip("0")) > _MAX_DIGITS:
            return Parsed(None, [finding("too_large", where, key, value=_show(text))])
        number = int(text)
        notes.append(finding("text_number", where, key, value=_show(raw), number=number))
    elif isinstance(raw, int):
        number = raw
    elif isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")) or not raw.is_integer():
            return bad
        number = int(raw)
    elif isinstance(raw, Decimal):
        if not raw.is_finite() or raw != raw.to_integral_value():
            return bad
        number = int(raw)
    else:
        return bad
    if number < 0 or number > MAX_COUNT:
        # 1e300 as a float shows as itself, not as its 301 digits
        shown = str(number) if len(str(number)) <= _MAX_DIGITS else _show(raw)
        return Parsed(None, [finding("negative" if number < 0 else "too_large", where, key, value=shown)])
    return Parsed(number, notes)


def _parse_money(raw: object, where: Location, key: str) -> Parsed:
    blank = _blank(raw, where, key)
    if blank:
        return Parsed(Decimal("0.00"), blank.findings)
    bad = Parsed(None, [finding("not_money", where, key, value=_show(raw))])
    if isinstance(raw, bool) or isinstance(raw, (dt.date, dt.time, dt.timedelta)):
        return bad
    notes: list[Finding] = []
    if isinstance(raw, str):
        text = unicodedata.normalize("NFKC", raw).strip().replace(",", "")
        if not _MONEY.match(text):
            if re.match(r"^-[0-9]+(\.[0-9]+)?$", text):
                return Parsed(None, [finding("negative", where, key, value=_show(text))])
            return bad
        if len(text.split(".")[0].lstrip("0")) > _MAX_DIGITS:
            return Parsed(None, [finding("too_large", where, key, value=_show(text))])
        number = Decimal(text)
        notes.append(finding("text_number", where, key, value=_show(raw), number=text))
    elif isinstance(raw, int):
        number = Decimal(raw)
    elif isinstance(raw, (float, Decimal)):
        try:
            # A float from a spreadsheet cell: its shortest repr is what the clerk typed.
            number = Decimal(repr(raw)) if isinstance(raw, float) else raw
        except InvalidOperation:
            return bad
        if not number.is_finite():
            return bad
        if abs(number) > MAX_MONEY:  # before quantize, which cannot hold 1E+40 to two places
            code = "negative" if number < 0 else "too_large"
            return Parsed(None, [finding(code, where, key, value=_show(number))])
        if number != number.quantize(Decimal(1).scaleb(-MONEY_PLACES)):
            return bad
    else:
        return bad
    if number < 0:
        return Parsed(None, [finding("negative", where, key, value=number)])
    if number > MAX_MONEY:
        return Parsed(None, [finding("too_large", where, key, value=number)])
    # two places at least (1210 → 1210.00), more only as typed (5949.088667)
    exponent = number.as_tuple().exponent
    exact = isinstance(exponent, int) and exponent < -2
    return Parsed(number if exact else number.quantize(Decimal("0.01")), notes)
