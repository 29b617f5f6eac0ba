"""Property and unit tests of the arithmetic: shares, largest remainder, changes, rounding."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from reportgen.compute.arithmetic import (
    HALF_UP,
    LARGEST_REMAINDER,
    change,
    point_change,
    round_half_up,
    shares,
)
from reportgen.compute.display import Settings, format_percent
from reportgen.compute.facts import change_text, points_text

counts = st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=8)


def reference_half_up(numerator: int, denominator: int, decimals: int) -> Decimal:
    """Half-up rounding of an exact fraction, by integer arithmetic only."""
    scaled = Fraction(numerator * 100 * 10**decimals, denominator)
    floor = scaled.numerator // scaled.denominator
    if scaled - floor >= Fraction(1, 2):
        floor += 1
    return Decimal(floor).scaleb(-decimals)


@settings(max_examples=300, deadline=None)
@given(counts, st.integers(min_value=0, max_value=3), st.sampled_from([HALF_UP, LARGEST_REMAINDER]))
def test_shares_lie_between_0_and_100(parts, decimals, rule):
    result = shares(parts, decimals, rule)
    if sum(parts) == 0:
        assert result is None
        return
    assert all(Decimal(0) <= s <= Decimal(100) for s in result)


@settings(max_examples=300, deadline=None)
@given(counts, st.integers(min_value=0, max_value=3))
def test_largest_remainder_adds_up_to_exactly_100(parts, decimals):
    result = shares(parts, decimals, LARGEST_REMAINDER)
    if sum(parts) == 0:
        assert result is None
    else:
        assert sum(result) == Decimal(100)
        # never more than one unit away from the exact share
        unit = Decimal(1).scaleb(-decimals)
        for p, s in zip(parts, result, strict=True):
            assert abs(Fraction(str(s)) - Fraction(p * 100, sum(parts))) < Fraction(str(unit))


@settings(max_examples=500, deadline=None)
@given(st.integers(min_value=0, max_value=10**7), st.integers(min_value=1, max_value=10**7), st.integers(0, 3))
def test_half_up_matches_reference(numerator, denominator, decimals):
    got = shares([numerator, denominator], decimals, HALF_UP)[0] if numerator + denominator else None
    assert got == reference_half_up(numerator, numerator + denominator, decimals)


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=10**6))
def test_a_change_from_zero_is_never_a_percentage(this, last):
    c = change(this, last)
    text = change_text(c, "件", Settings())
    if last == 0:
        assert c.rate is None
        assert "%" not in text and "增长" not in text
    if this == last:
        assert text == "与上年持平"
    elif this > last:
        assert text.startswith("较上年增加")
    else:
        assert text.startswith("较上年减少")


def test_unknown_previous_gives_no_comparison():
    assert change(5, None) is None
    assert change_text(None, "件", Settings()) == ""
    assert point_change(Decimal("50.0"), None) is None
    assert points_text(None, Settings()) == ""


def test_round_half_up_ignores_the_ambient_context():
    with localcontext() as ctx:
        ctx.rounding = "ROUND_HALF_EVEN"
        assert round_half_up(Decimal("0.45"), 1) == Decimal("0.5")
        assert round_half_up(Decimal("0.25"), 1) == Decimal("0.3")


def test_babel_formatting_rounds_half_up_and_keeps_trailing_zeros():
    s = Settings()
    assert format_percent(Decimal("25.0"), s) == "25.0%"
    assert format_percent(Decimal("0.4"), Settings(percent_sign="％")) == "0.4％"
    with localcontext() as ctx:
        ctx.rounding = ROUND_HALF_UP
        assert format_percent(Decimal("13"), Settings(decimals=0)) == "13%"


def test_lanshan_shares_under_both_rules():
    outcomes = [90, 11, 26, 93, 1, 3]
    review = [12, 1, 2, 3]
    d = Decimal
    assert shares(outcomes) == [d("40.2"), d("4.9"), d("11.6"), d("41.5"), d("0.4"), d("1.3")]
    assert shares(outcomes, rule=LARGEST_REMAINDER) == [d("40.2"), d("4.9"), d("11.6"), d("41.5"), d("0.5"), d("1.3")]
    assert shares(review) == [d("66.7"), d("5.6"), d("11.1"), d("16.7")]
    assert shares(review, rule=LARGEST_REMAINDER) == [d("66.7"), d("5.5"), d("11.1"), d("16.7")]


def test_ties_go_to_the_earlier_row():
    # three equal thirds: 33.3 each, the missing 0.1 goes to the first
    assert shares([1, 1, 1], rule=LARGEST_REMAINDER) == [Decimal("33.4"), Decimal("33.3"), Decimal("33.3")]


def test_percentage_points_are_the_difference_of_displayed_shares():
    s = Settings()
    this, last = shares([12, 1, 2, 3]), shares([6, 11, 4, 0])
    assert points_text(point_change(this[0], last[0]), s) == "较上年提高38.1个百分点"
    assert points_text(point_change(this[1], last[1]), s) == "较上年降低46.8个百分点"
    assert points_text(Decimal("0.0"), s) == "占比与上年持平"


def test_formatting_itself_rounds_half_up():
    from reportgen.compute.display import format_number

    assert format_number(Decimal("0.45"), Settings(), 1) == "0.5"  # half-even would give 0.4
    assert format_number(Decimal("2.5"), Settings(), 0) == "3"
    assert format_number(295613, Settings(grouping=True)) == "295,613"
    assert format_number(295613, Settings()) == "295613"
