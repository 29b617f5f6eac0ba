"""Read one typed value the way a clerk means it: counts and money, never guessed."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ..findings import Finding, Location, finding
from ..formats.base import FIRST_YEAR, MONEY, SIGNED
from ..model import Number

# What published tables print for "nothing": read as 0 with a note.
BLANKS = {"", "/", "／", "—", "——", "-", "－", "–", "无", "空", "0件"}
# Past this a count is a typo (a township does not decide a billion licences).
MAX_COUNT = 100_000_000
MAX_MONEY = Decimal("100000000")  # 万元: a trillion yuan

# ASCII digits only: `\d` would also take ٣ or ३, which NFKC leaves as they are.
_GROUPED = re.compile(r"^[0-9]{1,3}(,[0-9]{3})+$")
_PLAIN_INT = re.compile(r"^[0-9]+$")
_MONEY = re.compile(r"^[0-9]+(\.[0-9]{1,6})?$")
# Reports print 万元 to two places, or to six (the 分 of an amount in 元); finer is a mistake.
MONEY_PLACES = 6

# More digits than this is past MAX_COUNT anyway; int() of thousands of digits is refused by Python.
_MAX_DIGITS = 20


# Excel's limit for one cell; a JSON item stands for a cell, so it gets the same bound.
MAX_TEXT = 32767

# Characters that are invisible or reorder what is shown: control characters (a newline and a
# tab are text), bidi overrides and isolates, zero-width spaces and joiners, the BOM, and the
# noncharacters XML forbids. In a file name or a title they make a name display as another.
_INVISIBLE = {
    **{chr(c): "控制字符" for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]},
    **{c: "改变文字方向的控制字符" for c in "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
       "\u2066\u2067\u2068\u2069"},
    **{c: "零宽字符" for c in "\u200b\u200c\u200d\u2060\ufeff"},
    "\ufffe": "非法字符", "\uffff": "非法字符",
}
_INVISIBLE_RE = re.compile("[" + re.escape("".join(_INVISIBLE)) + "\ud800-\udfff]")


def clean_text(text: str) -> tuple[str, list[str]]:
    """`text` without invisible or illegal characters, and what kinds were removed.

    A lone surrogate (half of a UTF-16 pair, from broken JSON escapes) cannot be written to any
    file; it becomes U+FFFD, the replacement character, so the place shows where it was.
    """
    if not _INVISIBLE_RE.search(text):
        return text, []
    kinds: dict[str, None] = {}

    def swap(m: re.Match[str]) -> str:
        ch = m.group()
        if "\ud800" <= ch <= "\udfff":
            kinds["无法编码的半个字符（已替换为�）"] = None
            return "\ufffd"
        kinds[_INVISIBLE[ch]] = None
        return ""

    return _INVISIBLE_RE.sub(swap, text), list(kinds)


def read_text(raw: object, where: Location, key: str) -> tuple[str, list[Finding]]:
    """A text field (organ, contact, 正文) as it may be used: cleaned, bounded, a warning or an
    error naming its cell or key when it was not."""
    text = "" if raw is None else str(raw)
    notes: list[Finding] = []
    # At the limit is refused too: a workbook reader hands back a longer cell cut to 32767.
    if len(text) >= MAX_TEXT:
        notes.append(finding("text_too_long", where, key, length=len(text), limit=MAX_TEXT))
        text = text[:MAX_TEXT]
    text, removed = clean_text(text)
    if removed:
        notes.append(finding("text_cleaned", where, key, what="、".join(removed)))
    return text, notes


# never compared, hashed or printed: no generated __eq__/__repr__ (see formats/base.py)
@dataclass(eq=False, repr=False)
class Parsed:
    """A value read from a cell or a document, and what was found reading it."""

    value: Number | None  # None: refused (an error finding says why)
    findings: list[Finding]


def _show(raw: object) -> str:
    text = str(raw)
    return text if len(text) <= 40 else text[:40] + "…"


def parse_figure(raw: object, kind: str, where: Location, key: str, *, text_ok: bool = False) -> Parsed:
    """Parse a count (non-negative int) or an amount (Decimal, as typed, ≤ 6 places) from a cell or JSON.

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
    if type(raw) is int and 0 <= raw <= MAX_COUNT:
        return Parsed(raw, [])  # the usual cell, before building the refusal it does not need
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
        if -int(number.as_tuple().exponent) > MONEY_PLACES:
            finest = number.quantize(Decimal(1).scaleb(-MONEY_PLACES))
            if number != finest:
                return bad
            number = finest  # 24252.3110820 from JSON: the zeros past six places say nothing
    else:
        return bad
    if number < 0:
        return Parsed(None, [finding("negative", where, key, value=number)])
    if number > MAX_MONEY:
        return Parsed(None, [finding("too_large", where, key, value=number)])
    # copy_abs: −0.0 (a cell showing 0.00 after a subtraction) is zero, never "-0.00万元".
    return Parsed(as_typed(number.copy_abs() if number == 0 else number), notes)


def as_typed(number: Decimal) -> Decimal:
    """An amount with the places it was typed with, and at least two (1210 → 1210.00)."""
    places = max(2, -int(number.as_tuple().exponent))
    return number.quantize(Decimal(1).scaleb(-places))


def last_plausible_year() -> int:
    """A workbook may be made for next year ahead of time; later than that is a typo."""
    return dt.date.today().year + 1


def parse_year(raw: object, where: Location, key: str) -> Parsed:
    """A four-digit year between 2008 and next year; "2025年" or "２０２５" read with a note."""
    shown = raw
    if isinstance(raw, bool):
        text = str(raw)
    elif isinstance(raw, (float, Decimal)) and raw == raw and raw not in (float("inf"), float("-inf")) \
            and raw == int(raw):
        text = shown = str(int(raw))  # 2025.0 from a number cell; 25.0 shows as 25
    else:
        text = str(raw).strip()
    plain = unicodedata.normalize("NFKC", text).strip().removesuffix("年").strip()
    last = last_plausible_year()
    if not (plain.isascii() and plain.isdigit() and len(plain) == 4 and FIRST_YEAR <= int(plain) <= last):
        return Parsed(None, [finding("bad_year", where, key, value=_show(shown), first=FIRST_YEAR, last=last)])
    year = int(plain)
    notes = [] if plain == text else [finding("year_text", where, key, value=_show(text), year=year)]
    return Parsed(year, notes)
