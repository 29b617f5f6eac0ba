"""Reading a published report's tables (text or HTML) back, as last year's figures or to check it."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import run_cli

from reportgen.app.pipeline import check
from reportgen.compute import derive
from reportgen.findings import ERROR, flatten
from reportgen.formats import get_format
from reportgen.read import load
from reportgen.resources import sample_json

PUBLISHED = Path(__file__).parent / "data" / "lanshan-2021-report.txt"  # the real Lanshan 2021 report


def test_the_real_lanshan_report_reads_back_every_figure_of_its_tables():
    published, seed = load(PUBLISHED), load(sample_json())
    assert published.figures == seed.figures  # tables 2, 3, 4 and the fee sentence of section 六
    assert published.meta["organ"] == "临沂市兰山区人民政府" and published.meta["year"] == 2021
    values = derive(get_format(), published.figures)
    assert published.given  # the printed totals are checked, not trusted
    assert all(values[k] == v for k, v in published.given.items())
    assert [f for f in check(published) if f.severity == ERROR] == []


def test_its_prose_is_read_by_section_and_held_against_its_tables():
    published = load(PUBLISHED)
    assert set(published.narrative) == {s.key for s in get_format().narrative}
    assert published.narrative["overview.requests"].startswith("一是申请受理情况。2021年，兰山区受理政府信息公开申请232件")
    assert published.narrative["other"].startswith("（一）信息处理费收取情况")
    stale = [f for f in check(published) if f.code == "stale_number"]
    assert len(stale) == 1 and "规范性文件6件" in stale[0].message  # the table says 8 issued


def test_an_overview_in_its_own_order_is_kept_whole_not_filed_under_aspects_it_does_not_name(tmp_path):
    # 平潭 2019 divides 一、总体情况 into （一）基本情况 （二）主要做法: no aspect of the format is named,
    # so 主要做法 is not 依申请公开 and nothing of 总体情况 is missing
    lines = PUBLISHED.read_text(encoding="utf-8").splitlines()
    renamed = {"（一）主动公开政府信息情况": "（一）基本情况", "（二）依申请公开情况": "（二）主要做法"}
    dropped = {"（三）政府信息管理情况", "（四）平台建设管理情况", "（五）组织保障情况"}
    own = tmp_path / "own-order.txt"
    own.write_text("\n".join(renamed.get(x.strip(), x) for x in lines if x.strip() not in dropped), encoding="utf-8")
    report = load(own)
    assert not any(k.startswith("overview.") for k in report.narrative)
    overview = report.extra_text["overview"]
    assert "兰山区受理政府信息公开申请232件" in overview and "兰山区高度重视政务公开工作" in overview
    assert report.narrative_where["overview"].key == "第5段"  # where 一、总体情况 stands
    found = check(report)
    assert [f for f in found if f.code == "narrative_missing"] == []
    # its prose is still held against the tables: the same one stale number as the original
    assert [f.message for f in found if f.code == "stale_number"] == [
        f.message for f in check(load(PUBLISHED)) if f.code == "stale_number"]
    page = load(Path(__file__).parent / "data" / "published" / "pingtan-2019.html")
    assert "overview.requests" not in page.narrative and "（1）加强政策解读信息公开" in page.extra_text["overview"]


def test_a_misprinted_total_is_found_at_its_line(tmp_path):
    lines = PUBLISHED.read_text(encoding="utf-8").splitlines()
    at = [line.strip() for line in lines].index("（七）总计") + 7  # the 总计 column of （七）总计
    assert lines[at].strip() == "224"
    lines[at] = "\t234"
    misprinted = tmp_path / "misprinted.txt"
    misprinted.write_text("\n".join(lines), encoding="gb18030")  # as a Windows editor may save it
    found = flatten(check(load(misprinted)), "key", "code")
    assert ["requests.handled.total", "row_total"] in found
    result = run_cli("check", misprinted)
    assert result.returncode == 1 and f"第{at + 1}行" in result.stdout


def test_our_own_html_reads_back(tmp_path):
    assert run_cli("build", sample_json(), "-o", tmp_path, "--format", "html").returncode == 0
    (page,) = tmp_path.glob("*.html")
    assert load(page).figures == load(sample_json()).figures


def test_last_years_published_report_starts_this_years_workbook(tmp_path):
    out = tmp_path / "2022.xlsx"
    result = run_cli("init", out, "--previous", PUBLISHED)
    assert result.returncode == 0, result.stderr
    this = load(out)
    assert this.meta["year"] == 2022 and this.previous.year == 2021
    assert this.figures["requests.carried_in.natural_person"] == 11
    assert derive(get_format(), this.previous.figures, keep_given=True)["requests.handled.total"] == 224


@pytest.mark.parametrize("text", ["新收申请 230", "三、收到和处理政府信息公开申请情况\n（没有表格）"])
def test_text_without_the_tables_is_refused_clearly(tmp_path, text):
    path = tmp_path / "粘贴.txt"
    path.write_text(text, encoding="utf-8")
    result = run_cli("check", path)
    assert result.returncode == 2 and "没有找到年度报告的统计表" in result.stderr
    assert "Traceback" not in result.stderr


def test_labels_with_the_typos_seen_in_published_reports_still_match(tmp_path):
    text = PUBLISHED.read_text(encoding="utf-8")
    # variants from format-notes §7 (长春市二道区 2022): 内容 for 内部, 情况 for 情形
    text = text.replace("5.属于三类内部事务信息", "5.属于三类内容事务信息")
    text = text.replace("只计这一情形", "只计这一情况")
    variant = tmp_path / "variant.txt"
    variant.write_text(text, encoding="utf-8")
    assert load(variant).figures == load(sample_json()).figures


def test_checking_the_published_report_finds_the_errors_its_notes_list():
    found = check(load(PUBLISHED))
    as_percent = [f.message for f in found if f.code == "share_change_as_percent"]
    # lanshan-2021-notes.md: “较上年大幅增加38.1%” and the like, where 个百分点 is meant
    for written in ("38.1%", "46.9%", "7.9%", "11.1%", "8.3%", "2.7%"):
        assert any(f"写成了“{written}”" in m for m in as_percent), written
    assert any("应写作“38.1个百分点”" in m for m in as_percent)
    # its shares (0.5% and 5.5% by largest remainder) are plausible: no percentage is flagged
    assert [f for f in found if f.code == "percent_mismatch"] == []


def test_last_years_word_report_reads_back(tmp_path):
    # the office keeps last year's report as the Word file it published: our own DOCX here
    assert run_cli("build", sample_json(), "-o", tmp_path, "--format", "docx").returncode == 0
    (word,) = tmp_path.glob("*.docx")
    report = load(word)
    assert report.figures == load(sample_json()).figures
    assert report.narrative["problems"].startswith("2020年兰山区政府信息公开工作中存在队伍建设有待加强")
    made = run_cli("init", tmp_path / "2022.xlsx", "--previous", word)
    assert made.returncode == 0 and load(tmp_path / "2022.xlsx").previous.year == 2021


def test_an_old_doc_file_says_to_save_as_docx(tmp_path):
    old = tmp_path / "2020年报告.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    result = run_cli("check", old)
    assert result.returncode == 2 and ".docx" in result.stderr and "Traceback" not in result.stderr


def _lanshan_with(tmp_path: Path, headings: dict[str, str]) -> Path:
    text = PUBLISHED.read_text(encoding="utf-8")
    for old, new in headings.items():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    page = tmp_path / "outline.txt"
    page.write_text(text, encoding="utf-8")
    return page


def test_an_overview_in_an_outline_of_its_own_is_kept_whole_and_not_missing(tmp_path):
    # 平潭 2020: （一）强化组织协调，着力规范公开工作 / （二）围绕工作重点… — not the format's five aspects
    page = _lanshan_with(tmp_path, {"（一）主动公开政府信息情况": "（一）强化组织协调，着力规范公开工作",
                                    "（三）政府信息管理情况": "", "（四）平台建设管理情况": "", "（五）组织保障情况": ""})
    report = load(page)
    assert not [k for k in report.narrative if k.startswith("overview.")]  # no aspect guessed
    assert report.extra_text["overview"].startswith("（一）强化组织协调")
    found = check(report)
    assert [f for f in found if f.code == "narrative_missing"] == []
    stale = [f for f in found if f.code == "stale_number"]  # the whole overview is still checked
    assert len(stale) == 1 and "规范性文件6件" in stale[0].message


def test_overview_subsections_are_told_by_the_aspect_their_heading_names(tmp_path):
    # four of the five aspects: the missing one is 主动公开, not the last in the format's order
    page = _lanshan_with(tmp_path, {"（一）主动公开政府信息情况": "", "（二）依申请公开情况": "（一）依申请公开情况",
                                    "（三）政府信息管理情况": "（二）政府信息管理情况",
                                    "（四）平台建设管理情况": "（三）平台建设管理情况", "（五）组织保障情况": "（四）组织保障情况"})
    report = load(page)
    assert report.narrative["overview.requests"].startswith("一是申请受理情况")
    assert report.narrative["overview.supervision"].startswith("兰山区高度重视政务公开工作")
    missing = [f.key for f in check(report) if f.code == "section_missing"]
    assert missing == ["narrative.overview.active"]
