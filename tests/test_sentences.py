"""Golden tests: every statement of the spec's minimum set, word for word, on the Lanshan figures."""

from __future__ import annotations

from conftest import sentences_of

STANDARD = {
    "requests_summary": [
        "本年新收政府信息公开申请232件，较上年增加27件，增长13.2%；上年结转3件，共计235件；办结224件，结转下年度继续办理11件。"
    ],
    "applicants": ["其中自然人提出230件，占99.1%；法人或其他组织提出2件，占0.9%。"],
    "outcomes": [
        "办结的224件中，予以公开90件，占40.2%；部分公开11件，占4.9%；不予公开26件，占11.6%；"
        "无法提供93件，占41.5%；不予处理1件，占0.4%；其他处理3件，占1.3%。"
    ],
    "outcomes_change": [
        "予以公开较上年增加22件，增长32.4%；部分公开较上年减少3件，下降21.4%；不予公开较上年增加21件，增长420.0%；"
        "无法提供较上年减少18件，下降16.2%；不予处理较上年减少1件，下降50.0%；其他处理较上年减少3件，下降50.0%。"
    ],
    "review": [
        "本年度因政府信息公开工作被申请行政复议18件，较上年减少3件，其中结果维持12件，占66.7%，较上年提高38.1个百分点；"
        "结果纠正1件，占5.6%，较上年降低46.8个百分点；其他结果2件，占11.1%，较上年降低7.9个百分点；"
        "尚未审结3件，占16.7%，较上年提高16.7个百分点。"
    ],
    "litigation": [
        "本年度因政府信息公开工作被提起行政诉讼12件（未经复议直接起诉7件、复议后起诉5件），较上年减少6件，"
        "其中结果维持8件，占66.7%，较上年提高11.1个百分点；结果纠正3件，占25.0%，较上年提高8.3个百分点；"
        "其他结果1件，占8.3%，较上年降低2.8个百分点；尚未审结0件，占0.0%，较上年降低16.7个百分点。"
    ],
    "appeals_none": [],
    "active": [
        "本年制发行政规范性文件8件，废止5件，现行有效20件；作出行政许可决定295613件、行政处罚决定20713件、"
        "行政强制决定3577件；收取行政事业性收费1210.06万元。"
    ],
    "processing_fees": ["本年度依据《政府信息公开信息处理费管理办法》收取信息处理费1次，共计840元。"],
}


def test_standard_pack_states_every_statement_word_for_word(doc):
    got = sentences_of(doc)
    for name, expected in STANDARD.items():
        assert got[name] == expected, name


def test_lanshan_pack_uses_largest_remainder_and_percentage_points(doc):
    got = sentences_of(doc, "lanshan")
    summary = "".join(got["requests_summary"])
    assert "不予处理1件，占答复总量的0.5%" in summary  # as published, by largest remainder
    assert "予以公开90件，占答复总量的40.2%" in summary
    review = "".join(got["review"])
    assert "结果纠正1件，占复议总量的5.5%" in review
    assert "结果维持比例为66.7%，上年为28.6%，较上年提高38.1个百分点" in review
    assert "较上年降低46.9个百分点" in review  # 5.5 − 52.4, the shares as displayed
    litigation = "".join(got["litigation"])
    assert "其他结果比例为8.3%，上年为11.1%，较上年降低2.8个百分点" in litigation
    everything = "".join(p for ps in got.values() for p in ps)
    # the published errors never come back
    assert "增加38.1%" not in everything and "％" not in everything and "受理" not in everything
    assert got["applicants"] == [] and got["outcomes"] == []


def test_nothing_received(doc):
    for row in doc["requests"].values():
        for col in row:
            row[col] = 0
    doc["appeals"] = {k: {f: 0 for f in v} for k, v in doc["appeals"].items()}
    got = sentences_of(doc)
    assert got["requests_summary"] == ["本年度未收到政府信息公开申请，无上年结转申请。"]
    assert got["applicants"] == [] and got["outcomes"] == []
    assert got["review"] == [] and got["litigation"] == []
    assert got["appeals_none"] == ["本年度未发生因政府信息公开工作被申请行政复议、提起行政诉讼的情况。"]


def test_all_handled_and_no_previous_year(doc):
    doc.pop("previous")
    doc["requests"]["carried_out"]["natural_person"] = 0
    doc["requests"]["other.other"]["natural_person"] = 11
    got = sentences_of(doc)
    assert got["requests_summary"] == [
        "本年新收政府信息公开申请232件；上年结转3件，共计235件；全部办结，无结转下年度继续办理的申请。"
    ]
    assert got["outcomes_change"] == []
    assert "较上年" not in "".join(got["review"] + got["litigation"])


def test_previous_zero_gives_absolute_change_only(doc):
    doc["previous"]["requests"]["new"]["total"] = 0
    got = sentences_of(doc)
    assert got["requests_summary"][0].startswith("本年新收政府信息公开申请232件，较上年增加232件；")


def test_all_upheld(doc):
    doc["appeals"]["review"] = {"upheld": 4, "corrected": 0, "other": 0, "pending": 0}
    doc["previous"]["appeals"].pop("review")
    got = sentences_of(doc)
    assert got["review"] == ["本年度因政府信息公开工作被申请行政复议4件，均获维持。"]


def test_zero_groups_omitted_when_the_pack_says_so(doc, tmp_path):
    from reportgen.app.pipeline import build_context
    from reportgen.read.document import from_document
    from reportgen.render.packs import find_pack

    pack_dir = tmp_path / "omit"
    pack_dir.mkdir()
    (pack_dir / "pack.toml").write_text('name = "omit"\n[settings]\nzero_groups = "omit"\npercent_sign = "％"\n', encoding="utf-8")
    doc["requests"]["not_processed.duplicate"]["natural_person"] = 0
    doc["requests"]["other.other"]["natural_person"] = 1
    context, _ = build_context(from_document(doc), find_pack(str(pack_dir)))
    outcomes = context["sentences"]["outcomes"][0]
    assert "不予处理" not in outcomes
    assert "占40.2％" in outcomes
