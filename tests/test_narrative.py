"""Staff text: placeholders filled from the data, stale hand-typed numbers caught; the JSON model."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from helpers import run_cli, set_cells

from reportgen.app.pipeline import build_context, check
from reportgen.findings import flatten
from reportgen.formats.workbook import layout
from reportgen.read import load
from reportgen.read.document import from_document
from reportgen.render.packs import find_pack
from reportgen.resources import sample_workbook

ACTIVE = layout().slots["narrative.overview.active"]
REQUESTS = layout().slots["narrative.overview.requests"]




def sample_copy(tmp_path: Path) -> Path:
    path = tmp_path / "兰山区 2021.xlsx"
    shutil.copy(sample_workbook(), path)
    return path


def test_placeholders_are_filled_from_the_data(doc):
    doc["narrative"]["overview.requests"] = (
        "全年新收申请{{ requests.new.total }}件，其中予以公开{{ requests.granted.total }}件，"
        "占{{ facts.requests.outcomes[0].share }}；上年新收{{ previous.requests.new.total }}件。"
    )
    report = from_document(doc)
    assert not [f for f in check(report) if f.code.startswith("placeholder")]
    context, problems = build_context(report, find_pack("standard"))
    assert not [p for p in problems if p.code.startswith("placeholder")]
    assert context["narrative"]["overview.requests"] == ["全年新收申请232件，其中予以公开90件，占40.2%；上年新收205件。"]


def test_a_placeholder_naming_nothing_is_an_error_at_its_cell(tmp_path):
    path = sample_copy(tmp_path)
    set_cells(path, {(REQUESTS.sheet, REQUESTS.cell): "本年新收{{ requests.new.totl }}件。"})
    findings = check(load(path))
    assert ["正文", REQUESTS.cell, "placeholder_unknown"] in flatten(findings, "sheet", "cell", "code")
    message = next(f.message for f in findings if f.code == "placeholder_unknown")
    assert "requests.new.totl" in message
    result = run_cli("check", str(path))
    assert result.returncode == 1 and f"正文!{REQUESTS.cell}" in result.stdout and "Traceback" not in result.stderr


def test_a_broken_placeholder_is_an_error_not_a_blank(tmp_path):
    path = sample_copy(tmp_path)
    set_cells(path, {(REQUESTS.sheet, REQUESTS.cell): "本年新收{{ requests.new.total 件。"})
    assert ["正文", REQUESTS.cell, "placeholder_syntax"] in flatten(check(load(path)), "sheet", "cell", "code")


def test_a_stale_hand_typed_number_is_caught_with_the_figure_expected(tmp_path):
    path = sample_copy(tmp_path)
    text = ("2021年，全区受理政府信息公开申请230件，予以公开90件。全区以信息公开为案由被提起行政复议案件17件。"
            "通过区长信箱答复网友留言101条，发布信息2506件。")
    set_cells(path, {(REQUESTS.sheet, REQUESTS.cell): text})
    stale = [f for f in check(load(path)) if f.code == "stale_number" and f.location.cell == REQUESTS.cell]
    messages = [f.message for f in stale]
    assert len(stale) == 2, messages
    assert "“2021年，全区受理政府信息公开申请230件，予以公开90件。”中的230件" in messages[0]
    assert "232" in messages[0]  # the figure it expected
    assert "17件" in messages[1] and "18" in messages[1]
    assert all(f.severity == "warning" for f in stale)
    result = run_cli("check", str(path))
    assert result.returncode == 0 and "230件与表格不符" in result.stdout


def test_a_count_of_requests_is_told_against_the_rows_it_may_mean_each_named(doc):
    """“申请” may be any row of table 3; the message names the rows a count of requests means
    (本年新收, 上年结转, 办结, 结转下年度), each with its figure, not every figure of the table."""
    doc["narrative"]["overview.requests"] = "2021年，全区受理政府信息公开申请999件。"
    (stale,) = [f for f in check(from_document(doc)) if f.code == "stale_number" and "999" in f.message]
    assert stale.message.endswith("表格中本年新收232件、上年结转3件、办结224件、结转下年度继续办理11件（申请数量）")


def test_numbers_about_other_things_are_left_alone(doc):
    doc["narrative"]["overview.active"] = (
        "全年主动公开政府信息28356条，其中区政府发布2506条；制作政府公报4期；答复网友留言101件。"
    )
    assert [f for f in check(from_document(doc)) if f.code == "stale_number"] == []


def test_build_json_prints_the_computed_model_with_the_golden_shares():
    result = run_cli("build", str(sample_workbook()), "--format", "json", "-o", "-")
    assert result.returncode == 0, result.stderr
    model = json.loads(result.stdout)
    assert model["format"] == "gov-2021" and model["meta"]["organ"] == "临沂市兰山区人民政府"
    assert model["requests"]["handled"]["total"] == 224
    assert model["requests"]["denied"]["total"] == 26  # derived group totals are in the model
    assert model["active_disclosure"]["fees"]["amount"] == "1210.06"  # decimals as strings
    outcomes = {o["key"]: o for o in model["facts"]["requests"]["outcomes"]}
    assert [outcomes[k]["share_value"] for k in ("granted", "partial", "denied", "unavailable", "not_processed", "other")] == [
        "40.2", "4.9", "11.6", "41.5", "0.4", "1.3"]
    assert outcomes["granted"]["change"]["diff"] == 22 and outcomes["granted"]["change"]["rate"] == "32.4"
    review = {r["key"]: r for r in model["facts"]["appeals"]["review"]["results"]}
    assert review["upheld"]["points_value"] == "38.1" and review["corrected"]["points_value"] == "-46.8"
    assert model["sentences"]["outcomes"][0].startswith("办结的224件中，予以公开90件，占40.2%")
    assert sum(Decimal(o["share_value"]) for o in outcomes.values()) == Decimal("99.9")  # half-up: not forced to 100


def test_build_json_with_largest_remainder_adds_up_to_100():
    result = run_cli("build", str(sample_workbook()), "--format", "json", "-o", "-", "--template", "lanshan")
    model = json.loads(result.stdout)
    shares = [Decimal(o["share_value"]) for o in model["facts"]["requests"]["outcomes"]]
    assert sum(shares) == Decimal("100.0") and shares[4] == Decimal("0.5")


def test_percentages_in_staff_text_are_held_against_the_computed_ones(doc):
    doc["narrative"]["overview.requests"] = (
        "办结的224件中，予以公开90件，占40.2%；不予处理1件，占0.6%。"
        "新收申请较上年增长13.2%，予以公开较上年增长40%。"
        "予以公开比例较上年提高3.1个百分点。"
    )
    found = [f for f in check(from_document(doc)) if f.code == "percent_mismatch"]
    assert sorted(f.message.split("中的")[1][:5] for f in found) == ["0.6%与", "40%与表"]


def test_a_share_of_counts_its_own_sentence_states_is_not_held_against_the_tables(doc):
    # 平潭经发局 2019: (55 + 341) / 437 = 90.62%, a share of 政府信息 (条), not of the requests
    doc["narrative"]["overview.requests"] = (
        "全年共制发政府信息437条，其中，主动公开政府信息55条、依申请公开341条、不予公开41条，"
        "主动公开及依申请公开政府信息占比高达90.62%。"
        "全年共制发政府信息437条，依申请公开341条，占比高达91.5%。"  # 341/437 is 78.0%: still flagged
    )
    found = [f for f in check(from_document(doc)) if f.code == "percent_mismatch"]
    assert [f.message.split("中的")[1][:5] for f in found] == ["91.5%"]


def test_requests_counted_by_the_way_they_came_are_parts_not_the_tables_count(doc):
    # 平潭交建局 2022: 共收到政府信息公开申请11件，其中网络申请5件，信函申请6件 (the sample: 新收232)
    doc["narrative"]["overview.requests"] = (
        "全年共收到政府信息公开申请232件，其中网络申请200件，信函申请30件，当面申请2件。"
        "全年共收到政府信息公开申请99件。"  # still a count of the table's, and wrong
    )
    found = [f for f in check(from_document(doc)) if f.code == "stale_number" and "申请" in f.message]
    assert [f.message.split("中的")[1].split("与")[0] for f in found] == ["99件"]


def test_a_share_change_stated_in_percent_is_flagged_but_a_count_change_is_not(doc):
    doc["narrative"]["overview.requests"] = (
        "结果维持比例为66.7%，较上年提高38.1%。新收申请数量较上年增加13.2%。"
    )
    found = [f for f in check(from_document(doc)) if f.code == "share_change_as_percent"]
    assert len(found) == 1 and "应写作“38.1个百分点”" in found[0].message


# How real reports word a change, held against the workbook's own 上年数据 (sample: 本年新收 232
# against 205 in 2020, 办结 224 against 206): a true statement, the same with a wrong figure, and
# one against a year that is not last year (not checked: the workbook holds only last year's).
_REQUESTS_CHANGED = "表格中本年新收增减27件、办结增减18件（申请数量）"
WORKBOOK_CHANGE_WORDINGS = {
    "the year named between topic and change": (
        "申请数量较2020年增加27件", "申请数量较2020年增加99件", "申请数量较2019年增加99件"),
    "last year's figure in brackets after this year's": (
        "共受理申请232件，比2020年（205件）增加27件", "共受理申请232件，比2020年（205件）增加99件",
        "共受理申请232件，较2019年（150件）增加99件"),
    "the year opening a clause after this year's figure": (
        "本年度新收政府信息公开申请232件，较2020年增加27件", "本年度新收政府信息公开申请232件，较2020年增加99件",
        "本年度新收政府信息公开申请232件，较2019年增加99件"),
    "同比 opening a clause of its own": (
        "收到申请232件，同比增加27件", "收到申请232件，同比增加99件", "申请数量较上年增加至232件"),  # 增加至: the new figure
}


@pytest.mark.parametrize("wording", WORKBOOK_CHANGE_WORDINGS)
def test_real_wordings_of_a_change_are_held_against_the_workbooks_last_year(doc, wording):
    true, wrong, not_checked = WORKBOOK_CHANGE_WORDINGS[wording]
    doc["narrative"]["overview.requests"] = "。".join((true, wrong, not_checked)) + "。"
    found = [f.message for f in check(from_document(doc)) if f.code == "stale_number"
             and f.key == "narrative.overview.requests"]
    assert found == [f"正文“{wrong}。”中的99件与表格不符：{_REQUESTS_CHANGED}"]


def test_the_lanshan_reports_own_comparison_with_2020_agrees_with_the_workbook(doc):
    # tests/data/lanshan-2021-report.txt, 四、…: every change it states is a change of the sample's figures
    doc["narrative"]["overview.requests"] = (
        "与2020年数据对比，2021年受理政府信息公开申请数量增加27件，已答复的同意公开比例增加22件，同意部分公开"
        "减少3件，不予公开类回复增加21件，无法提供类回复减少18件，不予处理类回复减少1件,其他情况类回复减少3件。")
    assert [f.message for f in check(from_document(doc)) if f.key == "narrative.overview.requests"] == []


def test_a_wrong_change_of_an_outcome_or_of_appeals_says_the_change_not_the_figure(doc):
    # the Lanshan report's 四 and its comparison after table 3, each with a wrong change: the message
    # said “表格中予以公开为22件” (予以公开 is 90; 22 is its change) and “表格中行政复议为2、3、6、10件”
    doc["narrative"]["overview.requests"] = "已答复的同意公开比例增加99件。2021年行政复议总体数量与去年减少9件。"
    found = [f.message for f in check(from_document(doc)) if f.key == "narrative.overview.requests"]
    assert found == [
        "正文“已答复的同意公开比例增加99件。”中的99件与表格不符：表格中予以公开增减22件",
        # 维持 12 − 6, 纠正 1 − 11, 其他 2 − 4, 未审结 3 − 0, 总计 18 − 21
        "正文“2021年行政复议总体数量与去年减少9件。”中的9件与表格不符：表格中行政复议增减2、3、6、10件",
    ]


def test_a_growth_rate_against_another_year_than_last_is_not_judged(doc):
    # the Lanshan report's 一（一）: 232 against 205 in 2020 is 13.2% (13% at no decimal); the workbook
    # knows 2020 only, so a rate against 2019 cannot be judged (it was told “与表格算出的各项比例都不相符”)
    doc["narrative"]["overview.requests"] = (
        "2021年，兰山区受理政府信息公开申请232件，数量较2020年增加13%。"
        "2021年，兰山区受理政府信息公开申请232件，数量较2019年增加7%。"
        "2021年，兰山区受理政府信息公开申请232件，数量较2020年增加7%。")
    found = [f.message for f in check(from_document(doc)) if f.key == "narrative.overview.requests"]
    assert found == ["正文“2021年，兰山区受理政府信息公开申请232件，数量较2020年增加7%。”中的7%与表格算出的各项比例都不相符"]


# Last year's figure in brackets after the year compared with, held against the workbook's 上年数据
# (sample, 2020: 本年新收 205, 办结 206, 予以公开 68, 行政复议 21 = 维持6 + 纠正11 + 其他4): the Lanshan
# report's own sentences (tests/data/lanshan-2021-report.txt) given the figure they compare with — true,
# wrong, and against a year that is not last year (not checked: the workbook holds only last year's).
_LAST_REQUESTS = "上年数据中本年新收205件、办结206件（申请数量）"
LAST_YEAR_FIGURE_WORDINGS = {
    "this year's figure, then 比2020年 and last year's": (
        "本年度新收政府信息公开申请232件，比2020年（205件）增加27件",
        "本年度新收政府信息公开申请232件，比2020年（999件）增加27件",
        "本年度新收政府信息公开申请232件，比2019年（999件）增加82件",
        "2020年的999件", _LAST_REQUESTS),
    "一（一）: a growth rate after last year's figure": (
        "2021年，兰山区受理政府信息公开申请232件，数量较2020年（205件）增加13%",
        "2021年，兰山区受理政府信息公开申请232件，数量较2020年（250件）增加13%",
        "2021年，兰山区受理政府信息公开申请232件，数量较2019年（250件）增加7%",
        "2020年的250件", _LAST_REQUESTS),
    "四: 与去年 and a count of cases": (
        "2021年行政复议总体数量与去年（21件）减少3件", "2021年行政复议总体数量与去年（12件）减少3件",
        "2021年行政复议总体数量与2019年（12件）相比增加6件",
        "去年的12件", "上年数据中行政复议为4、6、11、21件"),
    "上年 and an outcome under its other name": (
        "已答复的同意公开90件，比上年（68件）增加22件", "已答复的同意公开90件，比上年（60件）增加22件",
        "已答复的同意公开90件，比2019年（60件）增加30件",
        "上年的60件", "上年数据中予以公开为68件"),
}


@pytest.mark.parametrize("wording", LAST_YEAR_FIGURE_WORDINGS)
def test_last_years_figure_in_brackets_is_held_against_the_workbooks_last_year(doc, wording):
    true, wrong, not_checked, said, expected = LAST_YEAR_FIGURE_WORDINGS[wording]
    doc["narrative"]["overview.requests"] = "。".join((true, wrong, not_checked)) + "。"
    found = [f for f in check(from_document(doc)) if f.key == "narrative.overview.requests"]
    assert [(f.code, f.message) for f in found] == [
        ("stale_last_year", f"正文“{wrong}。”中{said}与上年数据不符：{expected}")]
    assert "“上年数据”表" in found[0].remedy and "{{ previous.requests.new.total }}" in found[0].remedy


def test_last_years_figure_is_not_judged_without_last_years_data(doc):
    doc["narrative"]["overview.requests"] = "本年度新收政府信息公开申请232件，比2020年（999件）增加27件。"
    del doc["previous"]
    assert [f for f in check(from_document(doc)) if f.key == "narrative.overview.requests"] == []


def test_a_count_of_requests_is_not_judged_when_last_year_knows_none_of_its_rows(doc):
    # 上年数据 with 予以公开 alone (“空白表示不知道”): 本年新收's change and its 2020 figure are unknown.
    # A change was held against 予以公开's (22) and told as “表格中（申请数量）”, naming nothing.
    doc["previous"] = {"year": 2020, "requests": {"granted": {"total": 68}}}
    doc["narrative"]["overview.requests"] = (
        "与2020年数据对比，2021年受理政府信息公开申请数量增加27件。"
        "本年度新收政府信息公开申请232件，比2020年（205件）增加27件。")
    assert [f.message for f in check(from_document(doc)) if f.key == "narrative.overview.requests"] == []
    doc["narrative"]["overview.requests"] = "已答复的同意公开90件，比上年（60件）增加22件。"  # 予以公开 is known
    assert [f.code for f in check(from_document(doc)) if f.key == "narrative.overview.requests"] == [
        "stale_last_year"]


def test_the_parts_of_litigation_name_its_count(doc):
    # the Lanshan report's 四: 行政诉讼 named by its two parts, 7 + 5 = 12 against 18 in 2020. Its
    # change went unchecked: neither part was a word of any topic.
    true, wrong = "2021年未经复议直接起诉和复议后起诉总体数量减少6件", "2021年未经复议直接起诉和复议后起诉总体数量减少9件"
    doc["narrative"]["overview.requests"] = f"{true}。{wrong}。未经复议直接起诉7件，复议后起诉5件。"
    found = [f.message for f in check(from_document(doc)) if f.key == "narrative.overview.requests"]
    assert found == [f"正文“{wrong}。”中的9件与表格不符：表格中行政诉讼增减1、2、3、6件"]


# A change stated the wrong way (a direction word copied from last year's text): the Lanshan report's
# own sentences (tests/data/lanshan-2021-report.txt), true against the sample (本年新收 232 against 205,
# 部分公开 11 against 14, 无法提供 93 against 111, 行政诉讼 12 against 18), and each with its
# direction flipped: the same size, the other way. Each wording: (true, flipped, what the tables give).
DIRECTION_WORDINGS = {
    "四: 申请数量增加": (
        "与2020年数据对比，2021年受理政府信息公开申请数量增加27件",
        "与2020年数据对比，2021年受理政府信息公开申请数量减少27件",
        "减少27件", "表格中本年新收较上年增加27件"),
    "四: an outcome under its other name": (
        "同意部分公开减少3件", "同意部分公开增加3件", "增加3件", "表格中部分公开较上年减少3件"),
    "四: a kind of reply": (
        "无法提供类回复减少18件", "无法提供类回复增加18件", "增加18件", "表格中无法提供较上年减少18件"),
    "四: litigation named by its parts": (
        "2021年未经复议直接起诉和复议后起诉总体数量减少6件", "2021年未经复议直接起诉和复议后起诉总体数量增加6件",
        "增加6件", "表格中行政诉讼较上年减少6件"),
    "last year's figure in brackets": (
        "本年度新收政府信息公开申请232件，比2020年（205件）增加27件",
        "本年度新收政府信息公开申请232件，比2020年（205件）减少27件",
        "减少27件", "表格中本年新收较上年增加27件"),
    "回落 (上海市政府办公厅 2019) for a rise": (
        "申请数量较去年增加27件", "申请数量较去年回落27件", "回落27件", "表格中本年新收较上年增加27件"),
    "一（一）: a growth rate": (
        "2021年，兰山区受理政府信息公开申请232件，数量较2020年增加13%",
        "2021年，兰山区受理政府信息公开申请232件，数量较2020年减少13%",
        "减少13%", "表格中本年新收较上年增长13%"),
    "a count right, its rate the wrong way": (
        "本年度新收申请232件，较上年增加27件，增长13.2%", "本年度新收申请232件，较上年增加27件，下降13.2%",
        "下降13.2%", "表格中本年新收较上年增长13.2%"),
}


# A share's change in 个百分点 stated the wrong way: the Lanshan report's sentences on 行政复议
# (tests/data/lanshan-2021-report.txt, there in % where 个百分点 is meant) in points, true against the
# sample (结果维持 6 of 21 → 12 of 18: 28.6% → 66.7%; 结果纠正 52.4% → 5.5%), and a share of the
# outcomes (予以公开 68 of 206 → 90 of 224: 33.0% → 40.2%); each flipped. (true, flipped, written, expected)
POINTS_WORDINGS = {
    "复议: 结果维持": (
        "2021年行政复议总体数量与去年减少3件，其中结果维持比例为66.7%，上年结果维持比例为28.6%，较上年大幅增加38.1个百分点",
        "2021年行政复议总体数量与去年减少3件，其中结果维持比例为66.7%，上年结果维持比例为28.6%，较上年大幅减少38.1个百分点",
        "减少38.1个百分点", "表格中行政复议（结果维持）占比较上年提高38.1个百分点"),
    "复议: 结果纠正, the shares as displayed": (
        "结果纠正比例为5.5%，上年结果纠正比例为52.4%，较上年减少46.9个百分点",
        "结果纠正比例为5.5%，上年结果纠正比例为52.4%，较上年增加46.9个百分点",
        "增加46.9个百分点", "表格中行政复议（结果纠正）占比较上年降低46.9个百分点"),
    "an outcome's share": (
        "予以公开的比例较上年提高7.2个百分点", "予以公开的比例较上年降低7.2个百分点",
        "降低7.2个百分点", "表格中予以公开占比较上年提高7.2个百分点"),
}


@pytest.mark.parametrize("wording", DIRECTION_WORDINGS | POINTS_WORDINGS)
def test_a_change_stated_the_wrong_way_is_found_with_both_ways_said(doc, wording):
    true, flipped, written, expected = (DIRECTION_WORDINGS | POINTS_WORDINGS)[wording]
    doc["narrative"]["overview.requests"] = f"{true}。"
    assert [f.message for f in check(from_document(doc)) if f.key == "narrative.overview.requests"] == []
    doc["narrative"]["overview.requests"] = f"{flipped}。"
    found = [f for f in check(from_document(doc)) if f.key == "narrative.overview.requests"]
    assert [(f.code, f.message) for f in found] == [
        ("change_direction", f"正文“{flipped}。”写的是{written}，{expected}：增减方向相反")]
    assert "增加与减少" in found[0].remedy and "{{ facts.requests.new_change.text }}" in found[0].remedy
    # on a report as published, the remedy is an auditor's
    report = from_document(doc)
    report.published = True
    (published,) = [f for f in check(report) if f.code == "change_direction"]
    assert published.remedy.startswith("正文写的增减方向与统计数字相反") and "发布机关更正" in published.remedy


def test_a_change_whose_way_cannot_be_told_is_not_judged(doc):
    # 行政复议 总计 fell 3 (21 → 18) while 尚未审结 rose 3 (0 → 3): “增加3件” may be either, as the
    # Lanshan report's “行政复议总体数量与去年减少3件” may; a change of 0 has no way at all
    doc["narrative"]["overview.requests"] = (
        "2021年行政复议总体数量与去年增加3件。2021年行政复议总体数量与去年减少3件。"
        "行政诉讼结果纠正较上年增加0件。")
    assert [f.message for f in check(from_document(doc)) if f.key == "narrative.overview.requests"] == []


def test_a_wrong_way_and_a_wrong_size_are_told_apart(doc):
    # the wrong size keeps its message (stale_number), the wrong way gets its own
    doc["narrative"]["overview.requests"] = "申请数量较上年减少99件。申请数量较上年减少27件。"
    found = [(f.code, f.message) for f in check(from_document(doc)) if f.key == "narrative.overview.requests"]
    assert found == [
        ("stale_number", f"正文“申请数量较上年减少99件。”中的99件与表格不符：{_REQUESTS_CHANGED}"),
        ("change_direction", "正文“申请数量较上年减少27件。”写的是减少27件，表格中本年新收较上年增加27件：增减方向相反"),
    ]


def test_a_share_change_in_points_whose_way_cannot_be_told_is_not_judged(doc):
    doc["narrative"]["overview.requests"] = (
        # 尚未审结: 行政复议 0% → 16.7% while 行政诉讼 16.7% → 0% (the Lanshan report's sentence, in points)
        "今年尚未审结比例为16.7%，上年尚未审结比例为0，较上年减少16.7个百分点。"
        "今年尚未审结比例为16.7%，上年尚未审结比例为0，较上年增加16.7个百分点。"
        "予以公开及部分公开的比例较上年降低7.2个百分点。"  # two outcomes together: not 予以公开's share
        "比例较上年降低7.2个百分点。"  # no part named
        "予以公开的比例较2019年降低7.2个百分点。"  # against a year whose figures are not at hand
        "予以公开比例较上年提高3.1个百分点。"  # no change of its size: its way untold
    )
    assert [f.message for f in check(from_document(doc)) if f.key == "narrative.overview.requests"] == []
