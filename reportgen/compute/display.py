"""Number display for zh_CN through babel, rounding half-up (babel follows the decimal context)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from functools import lru_cache
from typing import Any

from .arithmetic import HALF_UP, RULES

PERCENT_SIGNS = ("%", "％")


@dataclass(frozen=True)
class Settings:
    """A pack's choices for numbers and prose (pack.toml [settings])."""

    decimals: int = 1
    percent_sign: str = "%"
    grouping: bool = False
    rounding: str = HALF_UP
    zero_groups: str = "show"  # show: 0件 without a share; omit: leave zero groups out
    locale: str = "zh_CN"
    units_table: bool = False  # a merged report lists its units' key figures as an annex
    subject: str = ""  # the organ's word for itself at the head of a statement: 全区, 本机关, 我局
    # 图解 (issue 17): charts drawn from the facts, and a table comparing the headline figures with last year.
    charts: bool = False
    comparison_table: bool = False
    chart_font: str = "黑体"  # an official font name, mapped like the PDF's (fonts/fonts.conf)
    chart_font_size: int = 14  # px in a chart chart_width px wide; scaled with it in print
    chart_width: int = 640  # px on the web page; Word images fill the text width
    chart_dpi: int = 300  # the Word images' resolution at that width
    chart_colors: tuple[str, ...] | list[str] = ("#a4161a", "#8c8c8c", "#2f5d8a", "#d08c2a")

    def problems(self) -> list[str]:
        """What is out of range, in Chinese (empty when all is well)."""
        out = []
        if not isinstance(self.decimals, int) or isinstance(self.decimals, bool) or not 0 <= self.decimals <= 3:
            out.append(f"decimals 应为0到3之间的整数，实际为{self.decimals!r}")
        if self.percent_sign not in PERCENT_SIGNS:
            out.append(f"percent_sign 应为“%”或“％”，实际为{self.percent_sign!r}")
        if not isinstance(self.grouping, bool):
            out.append(f"grouping 应为 true 或 false，实际为{self.grouping!r}")
        if self.rounding not in RULES:
            out.append(f"rounding 应为 {' 或 '.join(RULES)}，实际为{self.rounding!r}")
        if self.zero_groups not in ("show", "omit"):
            out.append(f"zero_groups 应为 show 或 omit，实际为{self.zero_groups!r}")
        if not isinstance(self.units_table, bool):
            out.append(f"units_table 应为 true 或 false，实际为{self.units_table!r}")
        if not isinstance(self.subject, str) or len(self.subject) > 12 or any(c in self.subject for c in "{}%<>\n"):
            out.append(f"subject 应为不超过12个字的主语（如“全区”“本机关”），实际为{self.subject!r}")
        out += self._chart_problems()
        if self.locale not in ("zh_CN",):
            out.append(f"locale 目前只支持 zh_CN，实际为{self.locale!r}")
        return out

    def _chart_problems(self) -> list[str]:
        out = []
        for name in ("charts", "comparison_table"):
            if not isinstance(getattr(self, name), bool):
                out.append(f"{name} 应为 true 或 false，实际为{getattr(self, name)!r}")
        font = self.chart_font
        if not isinstance(font, str) or not 0 < len(font) <= 40 or any(c in font for c in "{}<>\"'&;\n"):
            out.append(f"chart_font 应为字体名称（如“黑体”“仿宋_GB2312”），实际为{font!r}")
        for name, low, high in CHART_RANGES:
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                out.append(f"{name} 应为{low}到{high}之间的整数，实际为{value!r}")
        colors = self.chart_colors
        if (not isinstance(colors, (list, tuple)) or not 1 <= len(colors) <= 12
                or not all(isinstance(c, str) and _COLOR.fullmatch(c) for c in colors)):
            out.append(f"chart_colors 应为1到12个“#RRGGBB”形式的颜色，实际为{colors!r}")
        return out


CHART_RANGES = (("chart_font_size", 10, 24), ("chart_width", 400, 1200), ("chart_dpi", 150, 600))
_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")


def _pattern(decimals: int, grouping: bool) -> str:
    body = "#,##0" if grouping else "0"
    return body + ("." + "0" * decimals if decimals else "")


@lru_cache(maxsize=64)
def _compiled(decimals: int, grouping: bool, locale: str) -> tuple[Any, Any]:
    """babel's parsed pattern and locale, once: parsing them is most of the cost of a call."""
    from babel import Locale
    from babel.numbers import parse_pattern

    return parse_pattern(_pattern(decimals, grouping)), Locale.parse(locale)


def format_number(value: int | Decimal, settings: Settings, decimals: int = 0) -> str:
    """A count (decimals=0) or an amount, with the pack's grouping, rounded half-up."""
    if type(value) is int or type(value) is Decimal:
        # str() keeps the value exactly (digits, exponent, sign), so equal keys print alike
        return _formatted(str(value), decimals, settings.grouping, settings.locale)
    return _format(value, decimals, settings.grouping, settings.locale)


@lru_cache(maxsize=4096)
def _formatted(value: str, decimals: int, grouping: bool, locale: str) -> str:
    """babel's formatting is most of the cost of the facts; a report repeats its numbers, and a
    batch or merge the same small ones across reports."""
    return _format(Decimal(value), decimals, grouping, locale)


def _format(value: int | Decimal, decimals: int, grouping: bool, locale_name: str) -> str:
    pattern, locale = _compiled(decimals, grouping, locale_name)
    number = Decimal(value)
    with localcontext() as ctx:
        ctx.rounding = ROUND_HALF_UP  # babel rounds in the active decimal context
        # −0.0, or −0.004 rounding to zero, is shown as 0, never "-0.00"
        if number.quantize(Decimal(1).scaleb(-decimals)) == 0:
            number = abs(number) * 0
        return pattern.apply(number, locale)


def format_count(value: int, settings: Settings) -> str:
    return format_number(value, settings, 0)


def format_percent(value: Decimal, settings: Settings) -> str:
    """40.2 → "40.2%" (value is already in percent and rounded; trailing zeros kept)."""
    return format_number(value, settings, settings.decimals) + settings.percent_sign


def format_points(value: Decimal, settings: Settings) -> str:
    """Percentage points, without sign: 38.1."""
    return format_number(abs(value), settings, settings.decimals)


def format_money(value: Decimal, settings: Settings, decimals: int | None = None) -> str:
    """An amount as typed: 1210.06, 24252.311082; two places at least (1210 → 1210.00)."""
    if decimals is None:
        decimals = max(2, -int(value.as_tuple().exponent)) if value.is_finite() else 2
    return format_number(value, settings, decimals)
