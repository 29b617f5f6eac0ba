"""Real published reports (tests/data/published, see SOURCES.md): every figure as transcribed by
hand, every finding true, 结转下年度 carried into next year's 上年结转, and the audit commands."""

from __future__ import annotations

import io
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from helpers import run_cli

from reportgen.app.pipeline import check
from reportgen.findings import INFO
from reportgen.read import load

DATA = Path(__file__).parent / "data" / "published"
FIXTURES = {
    "pingtan-2019": "pingtan-2019.html",
    "pingtan-2020": "pingtan-2020.html",
    "pingtan-2021": "pingtan-2021.html",
    "pingtan-2022": "pingtan-2022.html",
    "pingtan-2023": "pingtan-2023.html",
    "pingtan-2024": "pingtan-2024.html",
    "pingtan-2025": "pingtan-2025.html",
    "pingtan-gaj-2024": "pingtan-gaj-2024.html",
    "pingtan-czj-2024": "pingtan-czj-2024.html",
    "pingtan-jjf-2019": "pingtan-jjf-2019.html",
    "pingtan-jjf-2021": "pingtan-jjf-2021.html",
    "pingtan-jtj-2022": "pingtan-jtj-2022.html",
    "shuyang-fgj-2023": "shuyang-fgj-2023.html",
    "shanghai-bgt-2019": "shanghai-bgt-2019.html",
    "hongze-2023": "hongze-2023.pdf",
    "hongze-2024": "hongze-2024.pdf",
    "huaian-2024": "huaian-2024.pdf",
}
EDITIONS = {"pingtan-2019": "gov-2019", "pingtan-2020": "gov-2019", "pingtan-2021": "gov-2021", "pingtan-2022": "gov-2021", "pingtan-2023": "gov-2021", "pingtan-2024": "gov-2021", "pingtan-2025": "gov-2021", "pingtan-gaj-2024": "gov-2021", "pingtan-czj-2024": "gov-2021",
            "pingtan-jjf-2019": "gov-2019", "pingtan-jjf-2021": "gov-2021", "pingtan-jtj-2022": "gov-2021",
            "shuyang-fgj-2023": "gov-2021", "shanghai-bgt-2019": "gov-2019",
            "hongze-2023": "gov-2021-table3-2019", "hongze-2024": "gov-2021-table3-2019", "huaian-2024": "gov-2021"}
# The transcriber's own keys for the 2019 table 2 → reportgen's gov-2019 keys.
ROWS_2019 = {"other_external_services": "other_services"}
FIELDS_2019 = {"new_made": "made", "new_published": "published", "total_published": "total_public",
               "prev_year_items": "last_year_items"}


def transcribed(name: str) -> tuple[dict, dict[str, object]]:
    doc = json.loads((DATA / f"{name}.expected.json").read_text(encoding="utf-8"))
    tables, flat = doc["tables"], {}
    for row, cells in tables.get("active_disclosure", {}).items():
        flat.update({f"active_disclosure.{row}.{f}": v for f, v in cells.items()})
    for row, cells in tables.get("active_disclosure_2019", {}).items():
        flat.update({f"active_disclosure.{ROWS_2019.get(row, row)}.{FIELDS_2019.get(f, f)}": v
                     for f, v in cells.items()})
    for part in ("requests", "appeals"):
        for row, cells in tables[part].items():
            flat.update({f"{part}.{row}.{f}": v for f, v in cells.items()})
    return doc, flat


@pytest.mark.parametrize("name", FIXTURES)
def test_every_figure_is_read_as_printed(name):
    report = load(DATA / FIXTURES[name])
    doc, expected = transcribed(name)
    assert report.format.key == EDITIONS[name]
    assert (report.meta["organ"], report.year) == (doc["organ"], doc["year"])
    derived = set(report.format.derived_figures())
    blanks = {f.key for f in report.findings if f.code == "blank_as_zero"}
    for key, value in expected.items():
        if value is None:  # a blank cell: an input is 0 with a note; a blank total was not printed
            if key in derived:
                assert key not in report.given and key not in report.figures, key
            else:
                assert report.figures[key] == 0 and key in blanks, key
        elif key in derived:
            assert report.given[key] == value, key  # printed totals kept as printed
        elif isinstance(value, str):
            # an amount printed in 元 (上海 “251000元”, 平潭 2019 “75394432.52元”, 平潭 2020 “73802895.90元”) under the format's
            # 万元: read as 万元, with a warning
            in_yuan = value.endswith("元") and not value.endswith("万元")
            assert report.figures[key] == (Decimal(value[:-1]) / 10000 if in_yuan else Decimal(value)), key
        else:
            assert report.figures[key] == value, key
    carried = doc["carried_over_next"]
    for column, value in carried.items():
        if column != "total":
            assert report.figures[f"requests.carried_out.{column}"] == (value or 0)
    # nothing the page does not print was invented, and every table figure was found
    table_keys = {k for k in report.figures if not k.startswith("other_matters.")}
    assert table_keys <= set(expected)
    assert [f for f in report.findings if f.code == "not_read"] == []


def test_the_fee_amount_keeps_its_six_decimals():
    assert load(DATA / "pingtan-2023.html").figures["active_disclosure.fees.amount"] == Decimal("5949.088667")


# Every finding on the fixtures (errors and warnings), each checked by hand against the page:
TRUE_FINDINGS = {
    # 采购总金额 printed “75394432.52元” (the header names no unit): 7539.443252 万元, as the format's
    # 万元 column; the prose states no table figure (its 2599条 is not a table count)
    "pingtan-2019": [("unit_in_cell", "已换算为7539.443252万元")],
    "pingtan-2020": [
        ("unit_in_cell", "73802895.90元"),  # 采购总金额 in 元 under a header without unit (万元 by the format)
        # 表三 自然人 6+6+4+3+3+4 = 26 printed （七）总计 20; the 总计 column 7+6+4+3+3+4 = 27 printed 21.
        # Prose 受理申请21件 agrees; 已宣布废止规范性文件5件 is no column of the 2019 表二.
        ("handled_sum", "之和为26，填写的总计为20"),
        ("row_total", "之和为27，填写的总计为21"),
    ],
    # prose 收到70件申请、办结69件、1件结转下年度 agree with 表三; all identities hold
    "pingtan-2021": [],
    # prose 收到申请75件 (新收74 + 上年结转1), 自然人72件、商业企业3件, 复议2件、诉讼1件: all agree
    "pingtan-2022": [],
    # prose 现行有效行政规范性文件393件, 表二 现行有效件数 470: the report states two counts
    "pingtan-2023": [("stale_number", "393件")],
    # prose 申请218件 and 制发行政规范性文件62件 agree with 表三/表二; all identities hold
    "pingtan-2024": [],
    # prose 收到154件、办结148件、结转6件、复议36起、诉讼9起 (=6+3): all agree with the tables
    "pingtan-2025": [],
    # 区公安局: prose 申请共计8件, 同意公开3件 37.5%, 无法提供4件 50%, 区分处理后公开1件 12.5%: all agree
    "pingtan-gaj-2024": [],
    # 区财政金融局: 一、总体情况 is written as (一)主动公开 (二)依申请公开 (三)平台建设 only; prose 2件/1件/1件 agrees
    "pingtan-czj-2024": [("section_missing", "政府信息管理情况"), ("section_missing", "监督保障情况")],
    # 区经济发展局 2019: 表三/表四 all 0; prose 制发政府信息437条 = 主动公开55 + 依申请公开341 + 不予公开41, and
    # 主动公开及依申请公开…占比90.62% = (55+341)/437 — counts of 政府信息, not of requests: nothing to find
    "pingtan-jjf-2019": [],
    # 区经济发展局 2021: 一、总体情况 is written as (一)政府信息管理 (二)平台建设 (三)监督保障 only; prose
    # 主动公开及依申请公开…79.63% = (125+176)/378, counts of 政府信息, and 未收到政府信息公开申请 = the table's 0
    "pingtan-jjf-2021": [("section_missing", "主动公开情况"), ("section_missing", "依申请公开情况")],
    # 区交通与建设局 2022: prose 收到申请11件 (网络申请5件、信函申请6件: its parts), 主动公开126条, 政策规范性文件类4条
    # = 表二 制发 4; 11 = 7 予以公开 + 4 本机关不掌握: nothing to find
    "pingtan-jtj-2022": [],
    "shuyang-fgj-2023": [],
    "shanghai-bgt-2019": [
        ("unit_in_cell", "251000元"),  # 采购总金额 in 元 under a 万元 header
        ("stale_number", "258件"),  # 予以公开及部分公开258件; the table: 272 + 3 = 275
        ("stale_number", "265件"),  # 无法提供265件; the table: 265 + 47 + 25 = 337
        ("percent_mismatch", "33.9%"),  # 275/805 is 34.2%
        ("percent_mismatch", "32.9%"),  # 337/805 is 41.9%
    ],
    # 表四 printed 总计 0 for 复议 10+1 and for 复议后起诉 5 (checked by x-coordinates)
    "hongze-2023": [("appeal_total", "之和为11，填写的总计为0"), ("appeal_total", "之和为5，填写的总计为0")],
    # prose 区政府办…受理政府信息公开申请 17 件; 表三 一、本年新收 95
    "hongze-2024": [("stale_number", "17件")],
    "huaian-2024": [],
}


@pytest.mark.parametrize("name", FIXTURES)
def test_every_finding_is_a_true_one(name):
    found = [f for f in check(load(DATA / FIXTURES[name])) if f.severity != INFO]
    assert len(found) == len(TRUE_FINDINGS[name]), [str(f) for f in found]
    for code, words in TRUE_FINDINGS[name]:
        assert any(f.code == code and words in f.message for f in found), (code, words)


@pytest.mark.parametrize("name", FIXTURES)
def test_no_count_or_figure_of_last_year_is_misread_in_a_real_pages_text(name):
    """With last year's figures at hand that agree with nothing (each of this year's + 1000), any
    change or bracketed last-year figure read in the text would be a finding: the pages state none
    (淮安 and 上海's “（含上年度结转申请34件…）” is no figure of last year), so only their true findings remain."""
    from reportgen.model import Previous

    report = load(DATA / FIXTURES[name])
    report.previous = Previous(year=report.year - 1, figures={k: v + 1000 for k, v in report.figures.items()})
    prose = ("stale_number", "stale_last_year", "change_direction")
    found = [(f.code, f.message) for f in check(report) if f.code in prose]
    assert [code for code, _ in found] == [code for code, _ in TRUE_FINDINGS[name] if code in prose], found


@pytest.mark.parametrize("name", FIXTURES)
def test_next_years_workbook_carries_the_pages_carried_over_row(tmp_path, name):
    out = tmp_path / "next.xlsx"
    result = run_cli("init", out, "--previous", DATA / FIXTURES[name])
    assert result.returncode == 0, result.stderr
    assert "已带入上年结转" in result.stdout
    doc, _ = transcribed(name)
    this = load(out)
    assert this.year == doc["year"] + 1 and this.previous.year == doc["year"]
    for column, value in doc["carried_over_next"].items():
        if column != "total":
            assert this.figures[f"requests.carried_in.{column}"] == (value or 0), column


def _without_carried_out(tmp_path: Path) -> Path:
    """The Pingtan page with its table 3 row 四、结转下年度继续办理 cut off (as a broken copy is)."""
    import lxml.html

    root = lxml.html.fromstring((DATA / "pingtan-2023.html").read_bytes())
    (row,) = [tr for tr in root.iter("tr") if "结转下年度" in tr.text_content()]
    row.drop_tree()
    page = tmp_path / "截断.html"
    page.write_bytes(lxml.html.tostring(root, encoding="utf-8"))
    return page


def test_a_row_not_read_is_unknown_and_check_says_so_with_exit_2(tmp_path):
    page = _without_carried_out(tmp_path)
    report = load(page)
    assert "requests.carried_out.natural_person" not in report.figures  # unknown, not 0
    result = run_cli("check", page)
    assert result.returncode == 2
    assert "未能读取表三（收到和处理政府信息公开申请情况）“四、结转下年度继续办理”一行" in result.stdout
    assert "Traceback" not in result.stderr


def test_init_refuses_a_page_without_its_carried_over_row_unless_partial(tmp_path):
    page = _without_carried_out(tmp_path)
    out = tmp_path / "2024.xlsx"
    refused = run_cli("init", out, "--previous", page)
    assert refused.returncode == 1 and "结转下年度继续办理" in refused.stderr and "--partial" in refused.stderr
    assert not out.exists()
    partial = run_cli("init", out, "--previous", page, "--partial")
    assert partial.returncode == 0
    assert "未能读取：表三" in partial.stdout
    made = load(out)
    assert made.figures["requests.carried_in.natural_person"] == 0  # left blank for the clerk to fill
    assert made.previous.figures["requests.new.natural_person"] == 80


def test_a_page_without_the_tables_gives_exit_2_and_writes_nothing(tmp_path):
    page = tmp_path / "首页.html"
    page.write_text("<html><head><title>某区人民政府</title></head><body><table><tr><td>索引号</td>"
                    "<td>123</td></tr></table><p>欢迎访问</p></body></html>", encoding="utf-8")
    for command in (("check", page), ("extract", page, "-o", tmp_path / "out.json"),
                    ("init", tmp_path / "new.xlsx", "--previous", page)):
        result = run_cli(*command)
        assert result.returncode == 2 and "没有找到年度报告的统计表" in result.stderr, command
    assert sorted(p.name for p in tmp_path.iterdir()) == ["首页.html"]


def test_a_gbk_page_with_chinese_before_its_meta_charset_is_decoded(tmp_path):
    html = (DATA / "pingtan-2023.html").read_text(encoding="utf-8")
    html = html.replace('<meta charset="utf-8" name="viewport"', '<meta name="keywords" content="年度报告">'
                        '<meta http-equiv="Content-Type" content="text/html; charset=gb2312"><meta name="viewport"')
    page = tmp_path / "gbk.html"
    page.write_bytes(html.encode("gb18030"))
    assert load(page).figures == load(DATA / "pingtan-2023.html").figures


def test_extract_writes_printed_totals_and_a_row_per_report(tmp_path):
    one = tmp_path / "洪泽2023.json"
    assert run_cli("extract", DATA / "hongze-2023.pdf", "-o", one).returncode == 0
    doc = json.loads(one.read_text(encoding="utf-8"))
    assert doc["appeals"]["review"] == {"upheld": 10, "corrected": 1, "other": 0, "pending": 0, "total": 0}
    table = tmp_path / "数据.csv"
    pages = [DATA / f for f in FIXTURES.values()]
    result = run_cli("extract", *pages, "-o", table)
    assert result.returncode == 0, result.stderr
    import csv

    rows = list(csv.DictReader(table.read_text(encoding="utf-8-sig").splitlines()))
    assert [r["报告机关"] for r in rows] == [json.loads((DATA / f"{n}.expected.json").read_text())["organ"]
                                         for n in FIXTURES]
    pingtan = rows[list(FIXTURES).index("pingtan-2023")]
    assert pingtan["active_disclosure.fees.amount"] == "5949.088667" and pingtan["requests.new.total"] == "81"
    assert rows[list(FIXTURES).index("shanghai-bgt-2019")]["active_disclosure.procurement.items"] == "6"  # the 2019 edition's own columns
    folder = tmp_path / "json"
    assert run_cli("extract", *pages, "-o", folder).returncode == 0
    assert len(list(folder.glob("*.json"))) == len(FIXTURES)


def test_auditing_a_collection_writes_the_findings_workbook(tmp_path):
    from openpyxl import load_workbook

    for f in FIXTURES.values():
        shutil.copy(DATA / f, tmp_path / f)
    book = tmp_path / "审查结果.xlsx"
    result = run_cli("check", tmp_path, "--report", book)
    assert result.returncode == 1  # hongze-2023's misprinted totals
    rows = list(load_workbook(book).active.iter_rows(values_only=True))
    assert rows[0] == ("文件", "报告机关", "统计年度", "级别", "代码", "位置", "说明", "处理办法")
    assert len(rows) - 1 == sum(len(v) for v in TRUE_FINDINGS.values())
    errors = [r for r in rows if r[4] == "appeal_total"]
    assert {(r[1], r[2]) for r in errors} == {("淮安市洪泽区人民政府", 2023)}


def test_across_reports_this_years_carried_in_is_held_against_last_years_page(tmp_path):
    # 洪泽 2023 printed 结转下年度 0; a 2024 page claiming 上年结转 3 contradicts it
    shutil.copy(DATA / "hongze-2023.pdf", tmp_path / "2023.pdf")
    report = load(DATA / "hongze-2024.pdf")
    from reportgen.write import save

    report.figures["requests.carried_in.natural_person"] = 3
    report.figures["requests.new.natural_person"] = 92  # keep its own balance
    save(report, tmp_path / "2024.json")
    result = run_cli("check", tmp_path, "--json")
    found = [f for c in json.loads(result.stdout) for f in c["findings"] if f["code"] == "cross_carried_in"]
    assert len(found) == 1
    assert "2024年度报告的上年结转（自然人）为3" in found[0]["message"] and "结转下年度继续办理为0" in found[0]["message"]


def test_the_word_file_of_a_real_page_reads_as_the_page():
    # shuyang-fgj-2023.docx: LibreOffice's conversion of the page (w:gridSpan, w:vMerge); SOURCES.md
    word, page = load(DATA / "shuyang-fgj-2023.docx"), load(DATA / "shuyang-fgj-2023.html")
    assert (word.figures, word.given) == (page.figures, page.given)
    assert (word.meta["organ"], word.year) == ("沭阳县发展和改革局", 2023)
    assert [f for f in check(word) if f.severity != INFO] == []


def _pingtan(tmp_path: Path, years=(2019, 2020, 2021, 2022, 2023, 2024, 2025)) -> Path:
    folder = tmp_path / "平潭"
    folder.mkdir()
    for year in years:
        shutil.copy(DATA / f"pingtan-{year}.html", folder / f"pingtan-{year}.html")
    return folder


def _found(result, code: str) -> list[dict]:
    return [dict(f, file=c["file"]) for c in json.loads(result.stdout) for f in c["findings"] if f["code"] == code]


def test_three_real_years_of_one_organ_give_no_false_finding_across_reports(tmp_path):
    # each year's 结转下年度 (0 in 2019 and 2020; 1 自然人 in 2021; 0 in 2022, 2023, 2024) is the next
    # year's 上年结转 (2019 and 2020 printed in the 2019 edition, 2021 on in the 2021 one); no 较上年 statements
    result = run_cli("check", _pingtan(tmp_path), "--json")
    checked = {Path(c["file"]).stem: c for c in json.loads(result.stdout)}
    assert sorted(checked) == ["pingtan-2019", "pingtan-2020", "pingtan-2021", "pingtan-2022", "pingtan-2023", "pingtan-2024",
                               "pingtan-2025"]
    for name, c in checked.items():
        codes = [f["code"] for f in c["findings"] if f["severity"] != INFO]
        assert codes == [code for code, _ in TRUE_FINDINGS[name]], name


def test_a_carried_in_that_contradicts_last_years_real_page_is_found(tmp_path):
    # 2021 printed 结转下年度 1 (自然人); the 2022 page's 上年结转 1 agrees. A 2022 copy claiming 0 does not.
    folder = _pingtan(tmp_path, (2021, 2022))
    report = load(folder / "pingtan-2022.html")
    from reportgen.write import save

    assert report.figures["requests.carried_in.natural_person"] == 1
    assert _found(run_cli("check", folder, "--json"), "cross_carried_in") == []
    report.figures["requests.carried_in.natural_person"] = 0
    report.figures["requests.new.natural_person"] += 1  # keep its own balance
    (folder / "pingtan-2022.html").unlink()
    save(report, folder / "pingtan-2022.json")
    found = _found(run_cli("check", folder, "--json"), "cross_carried_in")
    assert len(found) == 1 and "结转下年度继续办理为1" in found[0]["message"]


def test_a_2021_carried_in_is_held_against_the_2019_edition_page_of_2020(tmp_path):
    # 2020 (2019 edition) printed 结转下年度 0 everywhere; the 2021 page (2021 edition) agrees with 上年结转 0.
    # A 2021 copy claiming 上年结转 2 (自然人) contradicts last year's page across the change of edition.
    folder = _pingtan(tmp_path, (2020, 2021))
    assert _found(run_cli("check", folder, "--json"), "cross_carried_in") == []
    report = load(folder / "pingtan-2021.html")
    from reportgen.write import save

    report.figures["requests.carried_in.natural_person"] = 2
    report.figures["requests.new.natural_person"] -= 2  # keep its own balance
    (folder / "pingtan-2021.html").unlink()
    save(report, folder / "pingtan-2021.json")
    found = _found(run_cli("check", folder, "--json"), "cross_carried_in")
    assert len(found) == 1 and Path(found[0]["file"]).name == "pingtan-2021.json"
    assert "2021年度报告的上年结转（自然人）为2" in found[0]["message"] and "结转下年度继续办理为0" in found[0]["message"]


def _say_in_2024(folder: Path, words: str) -> None:
    page = folder / "pingtan-2024.html"
    html = page.read_text(encoding="utf-8")
    assert "全年办理政府信息公开申请218件。" in html
    page.write_text(html.replace("全年办理政府信息公开申请218件。", f"全年办理政府信息公开申请218件，{words}。"),
                    encoding="utf-8")


def test_a_true_year_on_year_statement_agrees_with_last_years_page(tmp_path):
    # 2023 page: 本年新收 81; 2024 page: 218 → 137 more, 137/81 = 169.1%
    folder = _pingtan(tmp_path, (2023, 2024))
    _say_in_2024(folder, "申请数量较上年增加137件，同比增长169.1%")
    assert _found(run_cli("check", folder, "--json"), "cross_change") == []


def test_a_wrong_year_on_year_statement_is_held_against_last_years_page(tmp_path):
    folder = _pingtan(tmp_path, (2023, 2024))
    _say_in_2024(folder, "申请数量较上年增加100件，同比增长7.3%")
    found = _found(run_cli("check", folder, "--json"), "cross_change")
    assert [Path(f["file"]).name for f in found] == ["pingtan-2024.html"] * 2
    count, rate = sorted(found, key=lambda f: "%" in f["message"])
    assert "“增加100件”与同一机关2023年度报告的数字不符" in count["message"]
    assert "本年新收增减137件" in count["message"]  # 218 − 81
    assert "“增长7.3%”与同一机关2023年度报告的数字不符" in rate["message"]
    # the page alone has no last year to compare with: nothing to say
    alone = run_cli("check", folder / "pingtan-2024.html", "--json")
    assert [f for f in json.loads(alone.stdout)["findings"] if f["code"] == "cross_change"] == []


def test_a_fall_worded_as_shanghai_words_it_is_held_against_last_years_page(tmp_path):
    # shanghai-bgt-2019: “申请数量较去年回落12.3%”. 平潭 2025 received 154 against 218 in 2024: 64
    # fewer, 29.4% — a 回落 was no change word, and a wrong one went unchecked
    folder = _pingtan(tmp_path, (2024, 2025))
    page = folder / "pingtan-2025.html"
    html = page.read_text(encoding="utf-8")
    said = "<span>154</span><span>件，"
    assert said in html
    page.write_text(html.replace(said, f"{said}申请数量较去年回落64件，回落29.4%；"
                                 "申请数量较去年回落46件，回落12.3%；"), encoding="utf-8")
    found = sorted(f["message"].split("中的")[1] for f in _found(run_cli("check", folder, "--json"), "cross_change"))
    assert found == ["“回落12.3%”与同一机关2024年度报告的数字不符：按两年报告的数字算出的各项增减比例都不是这个数",
                     "“回落46件”与同一机关2024年度报告的数字不符：两年报告中本年新收增减64件、上年结转增减0件、办结增减70件、"
                     "结转下年度继续办理增减6件（申请数量）"]


def _district(tmp_path: Path, change=None) -> Path:
    """A district report merged from two real 2024 pages (as `reportgen merge` makes it), beside them."""
    from reportgen.app.merge import merge_reports
    from reportgen.write import save

    folder = tmp_path / "汇总"
    folder.mkdir()
    units = []
    for name in ("pingtan-2024.html", "huaian-2024.pdf"):
        shutil.copy(DATA / name, folder / name)
        units.append(load(folder / name))
    district = merge_reports(units, organ="某市汇总", year=2024)
    if change:
        change(district)
    save(district, folder / "某市汇总2024.json")
    return folder


def test_a_district_merged_from_its_units_agrees_with_their_pages(tmp_path):
    result = run_cli("check", _district(tmp_path), "--json")
    assert _found(result, "cross_district_sum") == []


def test_a_district_total_that_is_not_the_sum_of_its_units_is_found(tmp_path):
    def misprint(report):
        report.figures["appeals.review.upheld"] += 2

    found = _found(run_cli("check", _district(tmp_path, misprint), "--json"), "cross_district_sum")
    assert len(found) == 1 and Path(found[0]["file"]).name == "某市汇总2024.json"
    pingtan = load(DATA / "pingtan-2024.html").figures
    huaian = load(DATA / "huaian-2024.pdf").figures
    units = sum(pingtan[f"appeals.review.{k}"] + huaian[f"appeals.review.{k}"]
                for k in ("upheld", "corrected", "other", "pending"))
    assert (f"2024年度某市汇总报告的行政复议为{units + 2}，而所列2个单位的年度报告之和为{units}"
            f"（平潭综合实验区、淮安市人民政府）") in found[0]["message"]


def test_a_district_is_not_summed_when_a_unit_is_missing_from_the_collection(tmp_path):
    def misprint(report):
        report.figures["appeals.review.upheld"] += 2

    folder = _district(tmp_path, misprint)
    (folder / "huaian-2024.pdf").unlink()
    assert _found(run_cli("check", folder, "--json"), "cross_district_sum") == []


def test_the_units_of_a_district_are_named_by_its_compiled_from_line():
    from reportgen.app.audit import unit_names

    report = load(DATA / "pingtan-2024.html")
    report.meta["compiled_from"] = "根据平潭综合实验区、淮安市人民政府2024年度政府信息公开工作年度报告"
    assert unit_names(report) == ["平潭综合实验区", "淮安市人民政府"]
    report.meta["compiled_from"] = "汇总平潭综合实验区各有关单位政府信息公开工作情况编制而成"
    assert unit_names(report) == []  # no list of names: not a district of the collection


def test_a_change_against_a_named_year_is_checked_only_when_that_year_is_last_year(tmp_path):
    folder = _pingtan(tmp_path, (2023, 2024))
    _say_in_2024(folder, "较2023年申请数量增加100件；较2021年申请数量增加100件")
    found = _found(run_cli("check", folder, "--json"), "cross_change")
    assert len(found) == 1 and "较2023年申请数量增加100件；”中的“增加100件”" in found[0]["message"]


# How real reports word a change (2024 page: 申请 218 against the 2023 page's 81: 137 more, 169.1%):
# a true statement, the same statement with a wrong figure, and one against a year that is not
# last year (not checked: only last year's report is at hand).
_APPLICATIONS_CHANGED = "两年报告中本年新收增减137件、上年结转增减0件、办结增减137件、结转下年度继续办理增减0件（申请数量）"
_NO_RATE = "按两年报告的数字算出的各项增减比例都不是这个数"
CHANGE_WORDINGS = {
    "the year named between topic and change": (
        "申请数量较2023年增加137件", "申请数量较2023年增加100件", "申请数量较2022年增加100件",
        "增加100件", _APPLICATIONS_CHANGED),
    "last year's figure in brackets after this year's": (
        "共收到政府信息公开申请218件，较2023年（81件）增加137件",
        "共收到政府信息公开申请218件，较2023年（81件）增加100件",
        "共收到政府信息公开申请218件，较2021年（60件）增加158件",
        "增加100件", _APPLICATIONS_CHANGED),
    "去年 for last year": (
        "申请数量较去年增长169.1%", "申请数量较去年增长16.1%", "申请数量较2021年增长16.1%",
        "增长16.1%", _NO_RATE),
    "同比 opening a clause of its own": (
        "收到政府信息公开申请218件，同比增加137件", "收到政府信息公开申请218件，同比增加100件",
        "收到政府信息公开申请218件，较2022年增加100件",
        "增加100件", _APPLICATIONS_CHANGED),
    "two comparisons in one sentence, each against its own year": (
        "申请数量与上年度相比增加137件", "申请数量较2021年增加150件，较上年增加100件",
        "申请数量较上年增加至218件",  # 增加至: the new figure, not a change
        "增加100件", _APPLICATIONS_CHANGED),
    # last year's figure in brackets is itself held against last year's page (2023: 本年新收 81;
    # 予以公开及部分公开 42, the 2023 page's own words; 行政复议 2 = 维持1 + 纠正1)
    "last year's figure in brackets, itself wrong": (
        "共收到政府信息公开申请218件，较2023年（81件）增加137件",
        "共收到政府信息公开申请218件，较2023年（80件）增加137件",
        "共收到政府信息公开申请218件，较2022年（80件）增加138件",
        "较2023年（80件）",
        "2023年度报告中本年新收81件、上年结转0件、办结81件、结转下年度继续办理0件（申请数量）"),
    "上年 and two outcomes stated together": (
        "予以公开及部分公开100件，较上年（42件）增加58件", "予以公开及部分公开100件，较上年（40件）增加58件",
        "予以公开及部分公开100件，较2022年（40件）增加60件",
        "较上年（40件）", "2023年度报告中予以公开与部分公开之和为42件"),
    "去年 and the cases of 行政复议": (
        "因政府信息公开引起的行政复议案件7件，比去年（2件）增加5件",
        "因政府信息公开引起的行政复议案件7件，比去年（3件）增加5件",
        "因政府信息公开引起的行政复议案件7件，比2022年（3件）增加4件",
        "比去年（3件）", "2023年度报告中行政复议为1、2件"),
    # a change of a topic without named rows says the changes it may be, not figures (2024 − 2023:
    # 维持 2 − 1, 纠正 1 − 1, 其他 3 − 0, 未审结 1 − 0, 总计 7 − 2)
    "a change of the cases of 行政复议": (
        "因政府信息公开引起的行政复议案件7件，比去年增加5件", "因政府信息公开引起的行政复议案件7件，比去年增加4件",
        "因政府信息公开引起的行政复议案件7件，比2022年增加4件",
        "增加4件", "两年报告中行政复议增减1、3、5件"),
}


@pytest.mark.parametrize("wording", CHANGE_WORDINGS)
def test_real_wordings_of_a_change_are_held_against_last_years_page(tmp_path, wording):
    true, wrong, not_checked, written, expected = CHANGE_WORDINGS[wording]
    folder = _pingtan(tmp_path, (2023, 2024))
    _say_in_2024(folder, "。".join(("按年度报告统计", true, wrong, not_checked)))
    found = _found(run_cli("check", folder, "--json"), "cross_change")
    assert [f["message"] for f in found] == [
        f"正文“{wrong}。”中的“{written}”与同一机关2023年度报告的数字不符：{expected}"
    ]


# A change stated the wrong way, held against last year's page: the 2024 page (申请 218 against the
# 2023 page's 81: 137 more, 169.1%; 办结 the same) and the 2025 page (154 against 218: 64 fewer, 29.4%;
# 无法提供 29.3% fewer), each given a true statement and the same statement the other way.
# Each wording: (years, true, flipped, what is written, what the two reports give).
_RISE_2024 = "两年报告中本年新收较上年增加137件、办结较上年增加137件"
CROSS_DIRECTION_WORDINGS = {
    "a rise of 申请 told as a fall": (
        (2023, 2024), "申请数量较上年增加137件", "申请数量较上年减少137件", "减少137件", _RISE_2024),
    "同比 opening a clause of its own": (
        (2023, 2024), "收到政府信息公开申请218件，同比增加137件", "收到政府信息公开申请218件，同比减少137件",
        "减少137件", _RISE_2024),
    "a growth rate told as a fall": (
        (2023, 2024), "申请数量较去年增长169.1%", "申请数量较去年下降169.1%", "下降169.1%",
        "两年报告中本年新收较上年增长169.1%、办结较上年增长169.1%"),
    "the fall of 2025, as 上海 words one, told as a rise": (
        (2024, 2025), "申请数量较去年回落64件", "申请数量较去年增加64件", "增加64件",
        "两年报告中本年新收较上年减少64件"),
    "its rate told as a rise (无法提供 fell 29.3%, within the last digit)": (
        (2024, 2025), "申请数量较去年回落29.4%", "申请数量较去年增长29.4%", "增长29.4%",
        "两年报告中本年新收较上年下降29.4%、无法提供较上年下降29.3%"),
}


@pytest.mark.parametrize("wording", CROSS_DIRECTION_WORDINGS)
def test_a_change_stated_the_wrong_way_is_held_against_last_years_page(tmp_path, wording):
    years, true, flipped, written, expected = CROSS_DIRECTION_WORDINGS[wording]
    folder = _pingtan(tmp_path, years)
    page = folder / f"pingtan-{years[1]}.html"
    html = page.read_text(encoding="utf-8")
    said = {2024: "全年办理政府信息公开申请218件。", 2025: "<span>154</span><span>件，"}[years[1]]
    assert said in html
    page.write_text(html.replace(said, f"{said}按年度报告统计。{true}。{flipped}。"), encoding="utf-8")
    result = run_cli("check", folder, "--json")
    assert _found(result, "cross_change") == []
    found = _found(result, "change_direction")
    assert [f["message"] for f in found] == [f"正文“{flipped}。”写的是{written}，{expected}：增减方向相反"]
    # a published page: the auditor's remedy, not the clerk's
    assert found[0]["remedy"].startswith("正文写的增减方向与统计数字相反") and "占位符" not in found[0]["remedy"]


def test_every_workbook_reportgen_writes_is_byte_identical_on_rerun(tmp_path):
    import time
    import zipfile

    # openpyxl stamps docProps/core.xml (to the second) and every zip entry with the time of saving
    folder = _pingtan(tmp_path, (2023, 2024))
    units = []
    for name in ("pingtan-2024.html", "huaian-2024.pdf"):
        units.append(tmp_path / f"{Path(name).stem}.json")
        assert run_cli("extract", DATA / name, "-o", units[-1]).returncode == 0
    commands = {
        "数据.xlsx": ("extract", *(DATA / f for f in FIXTURES.values()), "-o"),
        "审查结果.xlsx": ("check", folder, "--report"),
        "平潭2025.xlsx": ("init", "--previous", DATA / "pingtan-2024.html", "--partial"),
        "某市汇总2024.xlsx": ("merge", *units, "--organ", "某市汇总", "-o"),
    }
    written = []
    for run in ("第一次", "第二次"):
        if written:
            time.sleep(1.1)  # a second later: openpyxl's own times would differ
        out = tmp_path / run
        out.mkdir()
        for name, (command, *args) in commands.items():
            # init takes its output first; the others take it last (after -o / --report)
            where = [out / name, *args] if command == "init" else [*args, out / name]
            result = run_cli(command, *where)
            assert result.returncode in (0, 1) and (out / name).exists(), (name, result.stderr)
        written.append({name: (out / name).read_bytes() for name in commands})
    assert [name for name in commands if written[0][name] != written[1][name]] == []
    for name, data in written[0].items():
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            assert {i.date_time for i in book.infolist()} == {(1980, 1, 1, 0, 0, 0)}, name
            assert b"dcterms:modified" not in book.read("docProps/core.xml"), name


@pytest.mark.parametrize("name", FIXTURES)
def test_a_published_reports_remedies_are_an_auditors_not_a_clerks(name):
    """Nothing on a published page is fixed by filling in a sheet: no remedy sends its reader to
    a workbook, a sheet, a cell or a placeholder."""
    clerks = ("工作簿", "“基本信息”表", "“正文”表", "单元格", "占位符", "reportgen init", "补填")
    for f in check(load(DATA / FIXTURES[name])):
        assert not any(word in f.remedy for word in clerks), (f.code, f.remedy)


def test_a_wrong_figure_of_last_year_on_a_page_with_last_years_figures_gets_an_auditors_remedy():
    # the real 2024 page given the 2023 page's figures as its own last year's (本年新收 81)
    from reportgen.compute import figures
    from reportgen.model import Previous

    report, before = load(DATA / "pingtan-2024.html"), load(DATA / "pingtan-2023.html")
    report.previous = Previous(year=2023, figures=dict(figures(before)[0]))
    report.narrative["overview.requests"] = report.narrative["overview.requests"].replace(
        "全年办理政府信息公开申请218件。", "全年办理政府信息公开申请218件，较2023年（80件）增加137件。")
    (found,) = [f for f in check(report) if f.code == "stale_last_year"]
    assert found.message == ("正文“全年办理政府信息公开申请218件，较2023年（80件）增加137件。”中2023年的80件与上年数据不符："
                             "上年数据中本年新收81件、上年结转0件、办结81件、结转下年度继续办理0件（申请数量）")
    assert found.remedy == "正文括号中上年的数字与上年的统计数字不一致：对照本机关上年的年度报告核实哪一处有误，并请发布机关更正。"


def test_a_missing_organ_on_a_published_page_is_told_as_an_auditor_needs_it(tmp_path):
    page = (DATA / "pingtan-2023.html").read_text(encoding="utf-8")
    for organ in ("平潭综合实验区管委会办公室", "平潭综合实验区"):
        page = page.replace(organ, "")
    (tmp_path / "无机关.html").write_text(page, encoding="utf-8")
    report = load(tmp_path / "无机关.html")
    assert report.meta["organ"] == ""  # not “时间”, the portal's field after an empty 来源：
    found = [f for f in check(report) if f.code == "missing_meta"]
    assert found and all("发布机关补正" in f.remedy and "基本信息" not in f.remedy for f in found)


def test_a_page_saved_under_another_years_name_is_told_against_its_title(tmp_path):
    # the real 2024 page saved under last year's name: its year was read from its title, not a sheet
    shutil.copy(DATA / "pingtan-2024.html", tmp_path / "pingtan-2023.html")
    report = load(tmp_path / "pingtan-2023.html")
    assert report.year == 2024
    (found,) = [f for f in check(report) if f.code == "file_year"]
    assert found.message == "文件名中的年度（2023）与报告标题中的年度（2024）不一致，可能选错了文件"
    assert found.remedy == "核对选的是否为该年度的报告（文件名与报告标题中的年度不一致）。"
