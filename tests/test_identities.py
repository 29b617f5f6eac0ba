"""Property tests of the checks: any consistent report passes, merges of consistent reports pass,
and breaking one input figure is reported by exactly the identities that use it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reportgen.app.merge import merge_reports
from reportgen.app.pipeline import check
from reportgen.app.synthetic import unit_report
from reportgen.findings import ERROR
from reportgen.formats import get_format

FMT = get_format()
REQUEST_INPUTS = [k for k, _ in FMT.input_figures() if k.startswith("requests.")]


def errors(report) -> list:
    return [f for f in check(report) if f.severity == ERROR]


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=10**6))
def test_a_consistent_report_has_no_errors(seed):
    assert errors(unit_report(seed)) == []


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=12, unique=True))
def test_a_merge_of_consistent_units_is_consistent(seeds):
    units = [unit_report(s, organ=f"单位{s}") for s in seeds]
    merged = merge_reports(units, organ="区")
    assert errors(merged) == []
    for key, _ in FMT.input_figures():
        assert merged.figures[key] == sum(u.figures[key] for u in units)


@settings(max_examples=80, deadline=None)
@given(st.integers(min_value=0, max_value=10**6), st.sampled_from(REQUEST_INPUTS), st.integers(min_value=1, max_value=50))
def test_breaking_one_request_figure_is_one_finding_at_its_column(seed, key, delta):
    report = unit_report(seed)
    report.figures[key] += delta
    found = errors(report)
    column = key.rsplit(".", 1)[1]
    # the 勾稽关系 of that column, once — not again for 总计, and no other column
    assert [(f.code, f.key) for f in found] == [("balance", f"requests.balance.{column}")]


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=10**6), st.sampled_from(sorted(s.target for s in FMT.sums)),
       st.integers(min_value=1, max_value=50))
def test_a_typed_total_that_disagrees_is_reported_at_that_total(seed, target, delta):
    from reportgen.compute import derive

    report = unit_report(seed)
    report.given[target] = derive(FMT, report.figures)[target] + delta
    found = errors(report)
    assert [f.key for f in found] == [target]
    assert str(derive(FMT, report.figures)[target]) in found[0].message
