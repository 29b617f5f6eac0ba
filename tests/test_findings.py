"""Every finding code of the registry, each provoked once, and a meta-test that none is untested."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reportgen.app.pipeline import check
from reportgen.findings import CODES, ERROR, INFO, WARNING, flatten
from reportgen.read import load
from reportgen.read.document import from_document
from reportgen.resources import sample_workbook


def codes_of(doc: dict) -> list[list[str]]:
    return flatten(check(from_document(doc, source="t.json")), "code", "key", "severity")


def test_too_large(doc):
    doc["requests"]["new"]["natural_person"] = 10**9
    assert ["too_large", "requests.new.natural_person", ERROR] in codes_of(doc)


def test_missing_meta_and_bad_year(doc):
    doc["meta"]["organ"] = ""
    doc["meta"]["year"] = "二〇二一"
    found = codes_of(doc)
    assert ["missing_meta", "meta.organ", ERROR] in found
    assert ["bad_year", "meta.year", ERROR] in found


def test_narrative_missing(doc):
    del doc["narrative"]["problems"]
    assert ["narrative_missing", "narrative.problems", WARNING] in codes_of(doc)


def test_unknown_key(doc):
    doc["requests"]["new"]["robots"] = 1
    doc["extra"] = {}
    found = codes_of(doc)
    assert ["unknown_key", "requests.new.robots", WARNING] in found
    assert ["unknown_key", "extra", WARNING] in found


def test_jump_10x_and_previous_year(doc):
    doc["previous"]["year"] = 2019
    doc["previous"]["requests"]["new"]["total"] = 2
    found = codes_of(doc)
    assert ["jump_10x", "requests.new.total", WARNING] in found
    assert ["previous_year", "previous.year", ERROR] in found


def test_carried_in_mismatch(doc):
    doc["previous"]["requests"]["carried_out"] = {"natural_person": 4}
    found = codes_of(doc)
    assert ["carried_in_mismatch", "requests.carried_in.natural_person", WARNING] in found


def test_total_not_checked_for_a_workbook_saved_without_results():
    found = flatten(check(load(sample_workbook())), "code", "severity")
    assert ["total_not_checked", INFO] in found


def test_every_code_has_a_message_and_a_test():
    tests = "".join(p.read_text(encoding="utf-8") for p in Path(__file__).parent.rglob("*.py"))
    for code, entry in CODES.items():
        assert entry.severity in (ERROR, WARNING, INFO) and entry.message
        assert entry.remedy, f"finding code {code} has no remedy for the user guide"
        assert re.search(rf"[\"']{code}[\"']", tests), f"finding code {code} has no test"


@pytest.mark.parametrize("code", sorted(CODES))
def test_messages_are_chinese(code):
    entry = CODES[code]
    assert entry.message == "{text}" or re.search(r"[\u4e00-\u9fff]", entry.message)
    assert re.search(r"[\u4e00-\u9fff]", entry.remedy)


def test_previous_sum(doc):
    doc["previous"]["appeals"]["review"]["total"] = 30  # its four results add up to 21
    found = codes_of(doc)
    assert ["previous_sum", "appeals.review.total", WARNING] in found


def test_strict_check_fails_on_warnings(tmp_path):
    from helpers import run_cli

    assert run_cli("check", sample_workbook()).returncode == 0  # one warning: 规范性文件6件
    strict = run_cli("check", sample_workbook(), "--strict")
    assert strict.returncode == 1 and "规范性文件6件" in strict.stdout


def test_previous_parts_exceed(doc):
    # 七、总计 typed as 200 while （一）（二）（四） alone add up to 206: the total cannot be right.
    doc["previous"]["requests"] = {
        "handled": {"total": 200}, "granted": {"total": 90}, "partial": {"total": 12}, "unavailable": {"total": 104},
    }
    found = codes_of(doc)
    assert ["previous_parts_exceed", "requests.handled.total", WARNING] in found
    assert found.count(["previous_parts_exceed", "requests.handled.total", WARNING]) == 1


def test_year_text(doc):
    doc["meta"]["year"] = "2021年"
    report = from_document(doc, source="t.json")
    assert report.year == 2021
    assert ["year_text", "meta.year", WARNING] in flatten(check(report), "code", "key", "severity")


def test_file_year(doc):
    found = flatten(check(from_document(doc, source="兰山区2022.json")), "code", "key", "severity", "message")
    assert ["file_year", "meta.year", WARNING,
            "文件名中的年度（2022）与“基本信息”中的统计年度（2021）不一致，可能选错了文件"] in found
    assert "file_year" not in [c for c, *_ in flatten(check(from_document(doc, source="兰山区2021.json")), "code")]


def test_not_filled(tmp_path):
    from reportgen.write.workbook import write_workbook

    path = tmp_path / "兰山区2021.xlsx"
    write_workbook(path, organ="临沂市兰山区人民政府", year=2021)
    found = flatten(check(load(path)), "code", "severity")
    # One warning for the whole workbook, not one per empty table and unwritten section.
    assert [c for c in found if c[1] != INFO] == [["not_filled", WARNING]]


def test_file_open(tmp_path):
    import shutil

    path = tmp_path / "兰山区2021.xlsx"
    shutil.copy(sample_workbook(), path)
    (tmp_path / "~$兰山区2021.xlsx").write_bytes(b"owner")
    found = check(load(path))
    opened = [f for f in found if f.code == "file_open"]
    assert [f.severity for f in opened] == [WARNING]
    assert "工作簿可能仍在 Excel/WPS 中打开，未保存的修改不会被读取" in opened[0].message


def test_text_cleaned_not_text_and_text_too_long(doc):
    doc["meta"]["organ"] = "兰山区\u202e人民政府"
    doc["meta"]["website"] = True
    doc["narrative"]["problems"] = "问" * 40_000
    found = codes_of(doc)
    assert ["text_cleaned", "meta.organ", WARNING] in found
    assert ["not_text", "meta.website", ERROR] in found
    assert ["text_too_long", "narrative.problems", ERROR] in found
    report = from_document(doc, source="t.json")
    assert report.meta["organ"] == "兰山区人民政府" and report.meta["website"] == ""
    assert len(report.narrative["problems"]) == 32767


def test_text_cleaned_replaces_a_lone_surrogate_and_names_the_cell(tmp_path):
    from reportgen.read.values import clean_text

    assert clean_text("本年\ud800新收\u200b申请\x0b") == ("本年\ufffd新收申请", ["无法编码的半个字符（已替换为�）", "零宽字符", "控制字符"])


def test_placeholder_not_value(doc):
    doc["narrative"]["overview.requests"] = "本年新收{{ requests.new }}件。"
    found = codes_of(doc)
    assert ["placeholder_not_value", "narrative.overview.requests", ERROR] in found


def test_placeholders_are_data_references_with_the_documented_filters(doc):
    from reportgen.app.pipeline import analyse

    doc["narrative"]["overview.requests"] = (
        "收费{{ active_disclosure.fees.amount | money }}万元，新收{{ requests.new.total|num }}件，"
        "占{{ facts.requests.outcomes[0].share }}。"
    )
    doc["narrative"]["problems"] = "{{ 9**(9**9) }}"
    analysis = analyse(from_document(doc, source="t.json"))
    assert analysis.narrative["overview.requests"] == "收费1210.06万元，新收232件，占40.2%。"  # standard pack: no grouping
    refused = [f for f in analysis.findings if f.key == "narrative.problems"]
    assert [f.code for f in refused] == ["placeholder_syntax"]
    assert "“{{ 9**(9**9) }}”中只能写数据的名称" in refused[0].message  # the placeholder itself, not sandbox text


def test_a_cell_of_table_2_is_named_as_table_3s_are_its_row_then_its_column(doc):
    doc["previous"]["active_disclosure"] = {"normative_documents": {"in_force": 2}, "fees": {"amount": "100.00"}}
    doc["previous"]["requests"]["new"]["total"] = 2
    found = [f.message for f in check(from_document(doc, source="t.json")) if f.code == "jump_10x"]
    assert found == [
        "行政规范性文件（现行有效件数）本年为20，上年为2，相差10倍以上，请核对",
        # the column's own note in brackets follows a comma: no brackets within brackets
        "行政事业性收费（本年收费金额，单位：万元）本年为1210.06，上年为100.00，相差10倍以上，请核对",
        "一、本年新收政府信息公开申请数量（总计）本年为232，上年为2，相差10倍以上，请核对",
    ]
