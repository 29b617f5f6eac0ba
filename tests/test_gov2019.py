"""The 2019 edition as a second definition: the same code reads, checks, renders and carries it."""

from __future__ import annotations

import pytest
from helpers import run_cli

from reportgen.app.merge import merge_reports
from reportgen.app.pipeline import build_context, check, save
from reportgen.app.synthetic import unit_report
from reportgen.compute import derive
from reportgen.errors import PackError, UserError
from reportgen.findings import ERROR, flatten
from reportgen.formats import get_format
from reportgen.formats.grids import grids
from reportgen.model import following_year
from reportgen.read import load
from reportgen.render.packs import find_pack, pack_for

OLD, NEW = get_format("gov-2019"), get_format("gov-2021")


def test_the_2019_definition_differs_where_the_notice_says():
    rows = [row.key for _, _, row in OLD.requests.rows()]
    assert "other" in rows and "other.no_fee" not in rows  # （六）其他处理 is one row
    assert len(rows) == 23 and len(list(NEW.requests.rows())) == 25
    assert [b.title for b in OLD.active.blocks][-1] == "第二十条第（九）项"
    handled = next(s for s in OLD.sums if s.target == "requests.handled.natural_person")
    assert "requests.other.natural_person" in handled.parts
    grid = grids(OLD, lambda k: "0")["requests"]
    other = next(c for c in grid.cells if c.text == "（六）其他处理")
    assert other.colspan == 2 and other.rowspan == 1  # a row of its own, not a group heading


@pytest.fixture
def report_2020():
    report = unit_report(7, organ="某县人民政府", fmt=OLD, year=2020)
    report.figures["active_disclosure.licensing.change"] = -4  # 本年增/减 may be negative
    return report


@pytest.mark.parametrize("suffix", [".xlsx", ".json"])
def test_a_2019_workbook_or_document_reads_back(report_2020, tmp_path, suffix):
    path = tmp_path / f"2020{suffix}"
    save(report_2020, path)
    again = load(path)
    assert again.format.key == "gov-2019" and again.figures == report_2020.figures
    assert [f for f in check(again) if f.severity == ERROR] == []


def test_a_negative_change_is_fine_but_a_negative_count_is_not(report_2020):
    report_2020.figures["active_disclosure.licensing.decisions"] = -1
    path_errors = flatten(check(report_2020), "key", "code")
    assert ["active_disclosure.licensing.change", "negative"] not in path_errors
    # a workbook refuses the negative count at its cell
    from reportgen.read.document import from_document
    from reportgen.write.document import to_document

    doc = to_document(report_2020)
    assert ["active_disclosure.licensing.decisions", "negative"] in flatten(
        check(from_document(doc)), "key", "code"
    )


def test_a_2021_report_in_the_2019_edition_is_warned(report_2020):
    assert "format_outdated" not in [f.code for f in check(report_2020)]
    report_2020.meta["year"] = 2022
    assert "format_outdated" in [f.code for f in check(report_2020)]


def test_a_2019_report_renders_with_its_own_standard_pack(report_2020, tmp_path):
    path = tmp_path / "2020.json"
    save(report_2020, path)
    result = run_cli("build", path, "-o", tmp_path / "out", "--format", "html,docx")
    assert result.returncode == 0, result.stderr
    (page,) = (tmp_path / "out").glob("*.html")
    html = page.read_text(encoding="utf-8")
    assert "政府集中采购" in html and "采购总金额" in html and "本年新制作规章" in html
    context, _ = build_context(report_2020, pack_for("gov-2019"))
    assert context["sentences"]["active"][0].startswith("本年新制作规章")
    with pytest.raises(PackError):
        pack_for("gov-2019", find_pack("lanshan"))  # a pack for the other edition is refused


def test_our_own_2019_page_reads_back_as_2019(report_2020, tmp_path):
    path = tmp_path / "2020.json"
    save(report_2020, path)
    assert run_cli("build", path, "-o", tmp_path, "--format", "html").returncode == 0
    (page,) = tmp_path.glob("*.html")
    published = load(page)
    assert published.format.key == "gov-2019" and published.figures == report_2020.figures


def test_the_next_year_is_written_in_the_current_edition(report_2020):
    this = following_year(report_2020)
    assert this.format.key == "gov-2021" and this.meta["year"] == 2021
    last = derive(NEW, this.previous.figures, keep_given=True)
    old = derive(OLD, report_2020.figures)
    # table 3 compares by group (2019 had no sub-rows for （六）), table 4 in full
    for key in ("requests.other.total", "requests.granted.total", "requests.new.total", "appeals.review.upheld"):
        assert last[key] == old[key]
    assert "active_disclosure.regulations.made" not in this.previous.figures  # no 2021 counterpart
    this.figures.update({k: 0 for k, _ in NEW.input_figures() if k not in this.figures})
    this.figures["requests.other.other.natural_person"] = 5
    context, _ = build_context(this, find_pack("standard"))
    other = next(o for o in context["facts"]["requests"]["outcomes"] if o["key"] == "other")
    assert other["count"] == 5 and other["change"]["last"] == old["requests.other.total"]


def test_units_of_different_editions_are_not_merged(report_2020):
    with pytest.raises(UserError):
        merge_reports([report_2020, unit_report(8, organ="另一单位", year=2020)], organ="区")


def test_init_makes_a_2019_workbook_on_request(tmp_path):
    path = tmp_path / "2020.xlsx"
    assert run_cli("init", path, "--format", "gov-2019", "--year", "2020", "--organ", "某县").returncode == 0
    report = load(path)
    assert report.format.key == "gov-2019" and report.meta["organ"] == "某县"


def test_a_2019_finding_carries_the_label_of_its_own_edition(report_2020):
    from reportgen.read.document import from_document
    from reportgen.write.document import to_document

    doc = to_document(report_2020)
    doc["active_disclosure"]["regulations"]["made"] = -2  # 2019's 制发件数: no such field in 2021
    (found,) = [f for f in check(from_document(doc)) if f.key == "active_disclosure.regulations.made"]
    assert found.label == get_format("gov-2019").labels["active_disclosure.regulations.made"] != ""
    assert f"〔{found.label}〕" in str(found) and found.as_dict()["label"] == found.label


def test_the_outdated_edition_is_named_at_its_row_of_a_workbook(tmp_path, report_2020):
    from reportgen.read import load
    from reportgen.write.workbook import write_workbook

    report_2020.meta["year"] = 2022
    path = tmp_path / "old2022.xlsx"
    write_workbook(path, report=report_2020)
    found = [f for f in check(load(path)) if f.code == "format_outdated"]
    assert [str(f.location) for f in found] == ["基本信息!B17"]  # the 报告格式 row, not a key


def test_a_count_of_repealed_documents_is_no_figure_of_the_2019_table_2(report_2020):
    # 平潭 2020: “经清理，已宣布废止规范性文件5件” — the 2019 table 2 has no 废止 column
    report_2020.figures.update({"active_disclosure.normative_documents.made": 77,
                                "active_disclosure.normative_documents.published": 77,
                                "active_disclosure.normative_documents.total_public": 166})
    report_2020.narrative["overview.active"] = "经清理，已宣布废止规范性文件5件，拟适时修改3件。本年制发规范性文件70件。"
    stale = [f.message for f in check(report_2020) if f.code == "stale_number"]
    assert len(stale) == 1 and "70件" in stale[0]  # 制发 is counted (本年新制作数量 77); 废止 is not
    # the 2021 table counts what was repealed: there the same sentence is held against it
    new = unit_report(7, organ="某县人民政府", year=2022)
    new.figures["active_disclosure.normative_documents.repealed"] = 2
    new.narrative["overview.active"] = "经清理，已宣布废止规范性文件5件。"
    assert [f.code for f in check(new) if "废止规范性文件5件" in f.message] == ["stale_number"]
