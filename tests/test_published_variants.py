"""Local variants and deviations of real published reports (shared/spec/format-notes.md §6–§7),
each made by editing a copy of a real fixture page: only the words or cells the variant concerns
change, the real markup around them stays. A label variant must lose no figure and add no finding;
a real deviation gets exactly its true finding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import run_cli

from reportgen.app.pipeline import check
from reportgen.findings import INFO, Finding
from reportgen.read import load

DATA = Path(__file__).parent / "data" / "published"
PINGTAN = DATA / "pingtan-2023.html"  # 2021 edition, every identity holding, one true finding
LANSHAN = Path(__file__).parent / "data" / "lanshan-2021-report.txt"  # a text copy, one cell a line
STALE_393 = "中的393件与表格不符：表格中行政规范性文件为77、132、470件"  # pingtan-2023's one true finding


def _variant(tmp_path: Path, changes: dict[str, str], source: Path = PINGTAN, name: str = "") -> Path:
    """A copy of `source` with each text replaced; each must occur in it exactly once."""
    text = source.read_text(encoding="utf-8")
    for old, new in changes.items():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    page = tmp_path / (name or f"变体{source.suffix}")
    page.write_text(text, encoding="utf-8")
    return page


def _shown(found: list[Finding]) -> list[tuple[str, str, str]]:
    return sorted((f.code, str(f.location), f.message) for f in found if f.severity != INFO)


def _row(label: str, values: list[str]) -> str:
    """A table 3 row of pingtan-2023.html as its markup prints it."""
    return f"<p>{label}</p></td>" + "".join(f"<td><p>{v}</p></td>" for v in values)


# Variants a reader must take as the format's own words: (what, where seen, the change).
SAME = {
    "事业企业 for 商业企业 in the table 3 header (临沂市公路事业发展中心 2021)": {
        "<p>商业</p><p>企业</p>": "<p>事业</p><p>企业</p>"},
    "内容 for 内部 and 情况 for 情形 in row labels (长春市二道区 2022)": {
        "5.属于三类内部事务信息": "5.属于三类内容事务信息",
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）": "（二）部分公开（区分处理的，只计这一情况，不计其他情形）"},
    "规范性文件 for 行政规范性文件 in a 2021 table 2 (武强县商务局 2022)": {
        "<p>行政规范性文件</p></td><td><p>77</p>": "<p>规范性文件</p></td><td><p>77</p>"},
    "收到和处理政府信息公开的申请情况 as the heading of 三 (武强县商务局 2022)": {
        "三、收到和处理政府信息公开申请情况": "三、收到和处理政府信息公开的申请情况"},
    "现行有效件数（历史累计） as the table 2 column (武汉市汉阳区 2022)": {
        "<p>现行有效件数</p>": "<p>现行有效件数（历史累计）</p>"},
    "sections 四 and 五 titled in the wording of 条例第五十条 (every Shanghai report)": {
        "四、政府信息公开行政复议、行政诉讼情况": "四、因政府信息公开工作被申请行政复议和提起行政诉讼情况",
        "五、存在的主要问题及改进情况": "五、政府信息公开工作存在的主要问题及改进情况"},
    "an intro that says 六部分 and lists five (某区统计局 2023)": {
        "汇总平潭综合实验区各有关单位政府信息公开工作情况编制而成。":
            "汇总平潭综合实验区各有关单位政府信息公开工作情况编制而成。本报告由总体情况、主动公开政府信息情况、"
            "收到和处理政府信息公开申请情况、存在的主要问题及改进情况、其他需要报告的事项共六部分组成。"},
    "prose giving table 2 figures in other units (广东省人民政府 2022)": {
        "持续推进基础信息公开": "全区行政许可、行政处罚、行政强制决定数量分别为2764.2万宗、3124万宗和188.2万宗；"
                         "行政事业性收费总金额258.5亿元。持续推进基础信息公开"},
}


@pytest.mark.parametrize("variant", SAME)
def test_a_variant_of_the_formats_words_reads_as_the_original(tmp_path, variant):
    original, page = load(PINGTAN), load(_variant(tmp_path, SAME[variant]))
    assert (page.figures, page.given) == (original.figures, original.given)
    assert page.meta == original.meta
    # each section's prose found as in the original: no heading read as the prose of the table before it
    assert (sorted(page.narrative), page.extra_text) == (sorted(original.narrative), original.extra_text)
    found = check(page)
    assert _shown(found) == _shown(check(original))
    assert [f.code for f in found if f.severity != INFO] == ["stale_number"] and STALE_393 in found[-1].message


def test_a_heading_in_the_regulations_wording_finds_table_4_in_a_text_copy(tmp_path):
    # a copy of the page as text: table 4 is found under its heading, here 条例第五十条's wording
    page = _variant(tmp_path, {"四、政府信息公开行政复议、行政诉讼情况": "四、因政府信息公开工作被申请行政复议和提起行政诉讼情况",
                               "三、收到和处理政府信息公开申请情况": "三、收到和处理政府信息公开的申请情况"}, LANSHAN)
    report, original = load(page), load(LANSHAN)
    assert [f for f in report.findings if f.code == "not_read"] == []
    assert report.figures["appeals.review.upheld"] == original.figures["appeals.review.upheld"] == 12
    assert (report.figures, report.given) == (original.figures, original.given)
    assert _shown(check(report)) == _shown(check(original))


def test_blank_and_slash_cells_are_0_with_a_note_and_a_blank_total_is_not_printed(tmp_path):
    # 二道区 2022: blank cells for 0, 予以公开 自然人 18 with 总计 blank; 某区统计局 2023: “/” for not applicable
    page = _variant(tmp_path, {
        _row("（一）予以公开", ["22", "0", "0", "0", "0", "0", "22"]):
            _row("（一）予以公开", ["22", "", "&nbsp;", "", "", "", ""]),
        _row("规章", ["0", "0", "0"]): _row("规章", ["/", "/", "/"]),
    })
    report, original = load(page), load(PINGTAN)
    assert report.figures == original.figures  # every figure as printed: the blanks and “/” were 0
    assert "requests.granted.total" not in report.given  # a blank total: nothing printed, nothing checked
    assert {k: v for k, v in original.given.items() if k != "requests.granted.total"} == report.given
    notes = {f.key: f.message for f in report.findings if f.code == "blank_as_zero"}
    columns = ("commercial", "research", "social_welfare", "legal_service", "other_org")
    assert notes == {**{f"requests.granted.{c}": "“空白”按0计" for c in columns},
                     **{f"active_disclosure.regulations.{f}": "“/”按0计" for f in ("issued", "repealed", "in_force")}}
    assert _shown(check(report)) == _shown(check(original))


def test_encoding_debris_around_a_figure_is_not_part_of_it(tmp_path):
    # a 2021 局 report on a mirror prints “? 0”: a character its encoding could not hold, beside the digit
    page = _variant(tmp_path, {
        _row("3.要求提供公开出版物", ["0"] * 7): _row("3.要求提供公开出版物", ["? 0", "0", "0?", "？", "0", "0", "0"]),
        _row("规章", ["0", "0", "0"]): _row("规章", ["?0", "0", "0"]),
    })
    report, original = load(page), load(PINGTAN)
    assert (report.figures, report.given) == (original.figures, original.given)
    debris = {f.key: f.message for f in report.findings if f.code == "cell_debris"}
    assert debris == {
        "requests.not_processed.publication.natural_person": "“?0”中的“?”是乱码（网页转换编码时丢失的字符），已按0读取",
        "requests.not_processed.publication.research": "“0?”中的“?”是乱码（网页转换编码时丢失的字符），已按0读取",
        "active_disclosure.regulations.issued": "“?0”中的“?”是乱码（网页转换编码时丢失的字符），已按0读取",
    }
    # a cell of debris alone held no figure: a blank cell
    assert [f.message for f in report.findings if f.code == "blank_as_zero"] == ["“?”按0计"]
    assert _shown(check(report)) == _shown(check(original))


def test_encoding_debris_in_a_text_copy(tmp_path):
    text = LANSHAN.read_text(encoding="utf-8").splitlines()
    at = [x.strip() for x in text].index("（七）总计") + 1  # its 自然人 cell
    assert text[at].strip() == "222"
    text[at] = "? 222"
    page = tmp_path / "乱码.txt"
    page.write_text("\n".join(text), encoding="utf-8")
    report = load(page)
    assert report.given == load(LANSHAN).given and report.given["requests.handled.natural_person"] == 222
    (note,) = [f for f in report.findings if f.code == "cell_debris"]
    assert str(note.location) == f"第{at + 1}行" and note.message.startswith("“? 222”中的“?”是乱码")


TABLES = {
    "二": ("<p><strong>二、主动公开政府信息情况</strong></p>", "表二（主动公开政府信息情况）", "active_disclosure."),
    "三": ("<p><strong>三、收到和处理政府信息公开申请情况</strong></p>", "表三（收到和处理政府信息公开申请情况）",
          "requests."),
    "四": ("<p><strong>四、政府信息公开行政复议、行政诉讼情况</strong></p>", "表四（政府信息公开行政复议、行政诉讼情况）",
          "appeals."),
}


def _without_table(tmp_path: Path, heading: str) -> Path:
    """The page with the table under `heading` left out, the heading kept (沈阳市浑南区民宗局 2021)."""
    html = PINGTAN.read_text(encoding="utf-8")
    start = html.index("<table", html.index(heading))
    end = html.index("</table>", start) + len("</table>")
    return _variant(tmp_path, {html[start:end]: ""}, name="缺表.html")


@pytest.mark.parametrize("table", TABLES)
def test_a_table_left_out_under_its_heading_is_not_read_never_0(tmp_path, table):
    heading, name, prefix = TABLES[table]
    page = _without_table(tmp_path, heading)
    report = load(page)
    assert not [k for k in report.figures if k.startswith(prefix)]  # unknown, not 0
    assert {k: v for k, v in report.figures.items() if not k.startswith(prefix)} == {
        k: v for k, v in load(PINGTAN).figures.items() if not k.startswith(prefix)}
    result = run_cli("check", page)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"缺表.html：报告中未能读取{name}\n" in result.stdout
    # only what is true: no share of an unknown figure said to be wrong (the overview states shares of
    # table 3); the 393 documents of the overview against table 2, when table 2 was read
    found = _shown(check(report))
    assert [code for code, _, _ in found] == (["not_read"] if table == "二" else ["not_read", "stale_number"])
    out = tmp_path / "数据.json"
    extracted = run_cli("extract", page, "-o", out)
    assert extracted.returncode == 2 and f"报告中未能读取{name}" in extracted.stderr
    assert not out.exists()


def test_a_collection_with_a_table_left_out_is_extracted_with_its_figures_blank(tmp_path):
    page = _without_table(tmp_path, TABLES["三"][0])
    out = tmp_path / "数据.csv"
    result = run_cli("extract", page, DATA / "pingtan-2024.html", "-o", out)
    assert result.returncode == 2
    assert "已提取2份报告（其中1份有未能读取的部分，相应数字留空），无法读取0份。" in result.stdout
    import csv

    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0]["未能读取"] == "表三（收到和处理政府信息公开申请情况）" and rows[1]["未能读取"] == ""
    assert rows[0]["requests.new.natural_person"] == "" and rows[0]["appeals.review.upheld"] == "1"
    assert rows[1]["requests.new.total"] == "218"


def test_a_wrong_table_2_count_is_still_found_beside_figures_in_other_units(tmp_path):
    page = _variant(tmp_path, {"持续推进基础信息公开": "全区行政许可决定数量2764.2万宗，行政事业性收费总金额258.5亿元；"
                                                "作出行政许可决定2600件。持续推进基础信息公开"})
    stale = [f.message for f in check(load(page)) if f.code == "stale_number"]
    assert len(stale) == 2 and STALE_393 in stale[1]
    assert stale[0].endswith("中的2600件与表格不符：表格中行政许可为2629件")


def test_a_2021_edition_report_citing_the_2019_notice_is_warned(tmp_path):
    # 周至县 2021: “…（国办公开办函〔2019〕60号）和省级、市级信息公开相关规定”
    page = _variant(tmp_path, {"（国办公开办函〔2021〕30号）": "（国办公开办函〔2019〕60号）"})
    report = load(page)
    assert (report.figures, report.format.key) == (load(PINGTAN).figures, "gov-2021")
    found = [f for f in check(report) if f.severity != INFO]
    assert [f.code for f in found] == ["notice_outdated", "stale_number"]
    assert str(found[0]) == ("第3段：正文引用的是已被取代的年度报告格式通知国办公开办函〔2019〕60号，"
                             "2023年度的报告应按国办公开办函〔2021〕30号印发的格式编制")
    # citing the notice in force beside the old one is no fault
    both = _variant(tmp_path, {"（国办公开办函〔2021〕30号）": "（国办公开办函〔2019〕60号）和（国办公开办函〔2021〕30号）"},
                    name="两个通知.html")
    assert [f.code for f in check(load(both)) if f.severity != INFO] == ["stale_number"]


def test_a_2022_report_in_the_2019_edition_is_warned_once_at_no_key(tmp_path):
    # 佳县螅镇 2022 and a 民政局 2023 (which cites 国办公开办函〔2021〕30号) still print the 2019 tables
    page = _variant(tmp_path, {"<title>平潭综合实验区2020年度": "<title>平潭综合实验区2022年度",
                               "国办公开办函〔</span>2019〕60号": "国办公开办函〔</span>2021〕30号"},
                    DATA / "pingtan-2020.html", "旧格式2022.html")
    report, original = load(page), load(DATA / "pingtan-2020.html")
    assert (report.year, report.format.key) == (2022, "gov-2019")
    assert (report.figures, report.given) == (original.figures, original.given)
    new = [f for f in check(report) if f.severity != INFO and f.code not in {g.code for g in check(original)}]
    assert [str(f) for f in new] == [
        "2022年度的报告应使用新版格式（自2021年度起），本报告使用的是中华人民共和国政府信息公开工作年度报告格式（试行）"
        "（2019年版）（国办公开办函〔2019〕60号）"]


def test_a_section_the_page_lacks_is_said_as_missing_from_the_page(tmp_path):
    html = PINGTAN.read_text(encoding="utf-8")
    section = html[html.index("<p><strong>五、"): html.index("<p><strong>六、")]
    found = [f for f in check(load(_variant(tmp_path, {section: ""}))) if f.severity != INFO]
    assert [str(f) for f in found if f.code != "stale_number"] == [
        "报告中没有找到“五、存在的主要问题及改进情况”这一部分的文字"]
    assert "narrative_missing" not in [f.code for f in found]  # a workbook's wording: no “正文”表 here
    result = run_cli("check", tmp_path / "变体.html", "--json")
    (missing,) = [f for f in json.loads(result.stdout)["findings"] if f["code"] == "section_missing"]
    assert missing["key"] == "narrative.problems" and missing["location"] == ""
