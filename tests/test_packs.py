"""Template packs: layering, one-macro overrides, the sandbox and `templates check`."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import sentences_of

from reportgen.app.packcheck import check_pack, new_pack
from reportgen.app.pipeline import build_context
from reportgen.errors import PackError
from reportgen.read.document import from_document
from reportgen.render.packs import available, find_pack


def make_pack(root: Path, name: str, manifest: str = "", **files: str) -> Path:
    d = root / name
    d.mkdir(parents=True)
    (d / "pack.toml").write_text(f'name = "{name}"\n{manifest}', encoding="utf-8")
    for filename, text in files.items():
        (d / filename.replace("__", ".")).write_text(text, encoding="utf-8")
    return d


def test_builtin_packs_are_listed_with_their_parents():
    packs = {p.name: p for p in available()}
    assert packs["standard"].extends is None
    assert packs["lanshan"].extends == "standard"
    assert packs["lanshan"].display_name.startswith("临沂市兰山区")


def test_overriding_one_macro_changes_exactly_that_sentence(doc, tmp_path):
    make_pack(tmp_path, "one", "", sentences__j2="{% macro processing_fees() %}本年度信息处理费：{{ f.other_matters.processing_fees.amount_yuan }}元。{% endmacro %}")
    base = sentences_of(doc)
    changed = sentences_of(doc, str(tmp_path / "one"))
    assert changed["processing_fees"] == ["本年度信息处理费：840元。"]
    assert {k: v for k, v in changed.items() if k != "processing_fees"} == {
        k: v for k, v in base.items() if k != "processing_fees"
    }


def test_inheritance_over_two_levels(doc, tmp_path):
    make_pack(tmp_path, "city", 'extends = "lanshan"\n[settings]\npercent_sign = "％"\n[headings]\nproblems = "五、存在的主要问题和改进措施"\n')
    make_pack(tmp_path, "district", 'extends = "city"\n[headings]\n"overview.active" = "（一）主动公开"\n')
    pack = find_pack("district", tmp_path)
    assert [p.name for p in pack.chain()] == ["district", "city", "lanshan", "standard"]
    context, _ = build_context(from_document(doc), pack)
    assert context["headings"]["problems"] == "五、存在的主要问题和改进措施"  # from city
    assert context["headings"]["overview.active"] == "（一）主动公开"  # own
    assert context["headings"]["overview.platforms"] == "（四）平台建设管理情况"  # from lanshan
    summary = "".join(context["sentences"]["requests_summary"])
    assert "占答复总量的0.5％" in summary  # lanshan's macro, lanshan's rounding, city's sign


def test_a_pack_extending_its_namesake_does_not_recurse(doc, tmp_path):
    make_pack(tmp_path, "standard", 'extends = "standard"\n[settings]\ndecimals = 2\n')
    pack = find_pack("standard", tmp_path)
    assert len(pack.chain()) == 2
    context, _ = build_context(from_document(doc), pack)
    assert "占40.18%" in context["sentences"]["outcomes"][0]


@pytest.mark.parametrize(
    "body",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ f.__class__.__init__.__globals__ }}",
        "{% include '/etc/passwd' %}",
        "{% include '../../../../etc/passwd' %}",
        "{{ 'x' * 10**9 }}",
        "{{ 'x' * 100000 * 100000 }}",
        "{% for i in range(10**9) %}{% endfor %}",
        "{% set l = [] %}{{ l.append(1) }}",
    ],
)
def test_sandbox_refuses_escapes_with_a_clear_message(doc, tmp_path, body):
    make_pack(tmp_path, "evil", "", sentences__j2="{% macro processing_fees() %}" + body + "{% endmacro %}")
    with pytest.raises(PackError) as info:
        sentences_of(doc, str(tmp_path / "evil"))
    message = str(info.value)
    assert "processing_fees" in message
    assert "root:" not in message and "Traceback" not in message


def test_bad_settings_are_refused_with_what_is_wrong(tmp_path):
    make_pack(tmp_path, "bad", '[settings]\ndecimals = 7\npercent_sign = "pct"\nrounding = "bankers"\n')
    with pytest.raises(PackError) as info:
        _ = find_pack(str(tmp_path / "bad")).settings
    message = str(info.value)
    assert "decimals" in message and "percent_sign" in message and "rounding" in message
    assert "pack.toml" in message


def test_unknown_pack_names_the_available_ones():
    with pytest.raises(PackError) as info:
        find_pack("不存在的包")
    assert "standard" in str(info.value) and "lanshan" in str(info.value)


def test_templates_check_finds_syntax_error_with_file_and_line(tmp_path):
    make_pack(tmp_path, "broken", "", sentences__j2="{% macro outcomes() %}\n第二行\n{% if %}\n{% endmacro %}\n")
    problems = check_pack(str(tmp_path / "broken"))
    assert len(problems) == 1
    assert "sentences.j2第3行" in problems[0] and "语法错误" in problems[0]


def test_templates_check_finds_unknown_variable_with_file_and_line(tmp_path):
    make_pack(tmp_path, "typo", "", sentences__j2="{% macro outcomes() %}\n{{ f.requests.handeld }}\n{% endmacro %}\n")
    problems = check_pack(str(tmp_path / "typo"))
    assert len(problems) == 1
    assert "sentences.j2第2行" in problems[0] and "handeld" in problems[0]


def test_templates_check_finds_bad_setting(tmp_path):
    make_pack(tmp_path, "setting", '[settings]\nzero_groups = "hide"\n')
    problems = check_pack(str(tmp_path / "setting"))
    assert len(problems) == 1 and "zero_groups" in problems[0] and "pack.toml" in problems[0]


def test_templates_new_copies_a_pack_that_extends_its_source(tmp_path):
    path = new_pack("某某市", find_pack("lanshan"), tmp_path)
    assert (path / "report.docx").is_file() and (path / "sentences.j2").is_file()
    pack = find_pack(str(path))
    assert pack.extends == "lanshan" and pack.settings.rounding == "largest_remainder"
    assert pack.merged_headings()["overview.platforms"] == "（四）平台建设管理情况"


def test_a_loop_that_prints_nothing_is_stopped_by_the_time_bound(doc, tmp_path, monkeypatch):
    import time

    import reportgen.sandbox

    monkeypatch.setattr(reportgen.sandbox, "MAX_SECONDS", 1.0)
    body = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    make_pack(tmp_path, "slow", "", sentences__j2="{% macro processing_fees() %}" + body + "{% endmacro %}")
    start = time.monotonic()
    with pytest.raises(PackError) as info:
        sentences_of(doc, str(tmp_path / "slow"))
    assert time.monotonic() - start < 10
    assert "渲染超过1秒" in str(info.value) and "processing_fees" in str(info.value)
    # and the next render in this thread is not hit by a stray timeout
    assert sentences_of(doc)["processing_fees"]


def test_the_department_pack_speaks_for_one_body(doc):
    doc["meta"].update(organ="临沂市兰山区教育局", short_name="区教育局", compiled_from="")
    got = sentences_of(doc, "department")
    assert got["requests_summary"][0].startswith("本机关本年新收政府信息公开申请232件，较上年增加27件")
    assert got["processing_fees"] == ["本机关本年度依据《政府信息公开信息处理费管理办法》收取信息处理费1次，共计840元。"]
    everything = "".join(p for ps in got.values() for p in ps)
    assert "全区" not in everything and "根据全区" not in everything
    assert "本报告由临沂市兰山区教育局根据" in got["intro"][0]
    # the figures are the standard pack's, word for word after 本机关
    standard = sentences_of(doc)
    assert got["review"][0] == "本机关" + standard["review"][0]


def test_nothing_to_report_in_the_department_pack(doc):
    for row in doc["requests"].values():
        for col in row:
            row[col] = 0
    doc["appeals"] = {k: {f: 0 for f in v} for k, v in doc["appeals"].items()}
    doc["other_matters"]["processing_fees"] = {"count": 0, "amount_yuan": 0}
    got = sentences_of(doc, "department")
    assert got["requests_summary"] == ["本机关本年度未收到政府信息公开申请，无上年结转申请。"]
    assert got["appeals_none"] == ["本机关本年度未发生因政府信息公开工作被申请行政复议、提起行政诉讼的情况。"]
    assert got["processing_fees"] == ["本机关本年度未收取信息处理费。"]


@pytest.mark.parametrize("name", ["standard", "lanshan", "department", "standard-2019"])
def test_every_builtin_pack_passes_templates_check(name):
    assert check_pack(name) == []


def test_packs_are_found_through_the_environment_variable(tmp_path, monkeypatch):
    make_pack(tmp_path, "envpack", '[settings]\ndecimals = 0\n')
    monkeypatch.setenv("REPORTGEN_TEMPLATES", str(tmp_path))
    pack = find_pack("envpack")
    assert pack.origin == "REPORTGEN_TEMPLATES" and pack.settings.decimals == 0
    assert "envpack" in {p.name for p in available()}


def _docx_paragraphs(path: Path) -> list[str]:
    import docx

    document = docx.Document(str(path))
    return [p.text for p in document.paragraphs if p.text.strip()]


def _html_paragraphs(text: str) -> list[str]:
    import lxml.html

    return [p.text_content() for p in lxml.html.fromstring(text).iter("p", "h1", "h2", "h3")]


def test_one_macro_override_changes_exactly_one_paragraph_in_docx_and_html(doc, tmp_path):
    from reportgen.render.docx import render_docx
    from reportgen.render.html import render_html

    make_pack(tmp_path, "one", "", sentences__j2="{% macro processing_fees() %}全年收取信息处理费{{ f.other_matters.processing_fees.count }}次。{% endmacro %}")
    outputs = {}
    for name, ref in (("base", "standard"), ("one", str(tmp_path / "one"))):
        pack = find_pack(ref)
        context, _ = build_context(from_document(doc), pack)
        render_docx(context, pack, tmp_path / f"{name}.docx")
        outputs[name] = (_docx_paragraphs(tmp_path / f"{name}.docx"), _html_paragraphs(render_html(context, pack)))
    for kind in (0, 1):
        base, one = outputs["base"][kind], outputs["one"][kind]
        assert len(base) == len(one)
        changed = [(a, b) for a, b in zip(base, one, strict=True) if a != b]
        assert changed == [("本年度依据《政府信息公开信息处理费管理办法》收取信息处理费1次，共计840元。", "全年收取信息处理费1次。")]


def test_a_pack_docx_with_an_entity_bomb_is_refused(doc, tmp_path):
    import zipfile

    from reportgen.render.docx import render_docx
    from reportgen.resources import templates_dir

    bomb = make_pack(tmp_path, "bomb")
    src = zipfile.ZipFile(templates_dir() / "standard" / "report.docx")
    with zipfile.ZipFile(bomb / "report.docx", "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "word/document.xml":
                entities = '<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
                data = data.replace(b"?>", b"?>" + entities.encode(), 1)
            dst.writestr(name, data)
    pack = find_pack(str(bomb))
    context, _ = build_context(from_document(doc), pack)
    with pytest.raises(PackError) as info:
        render_docx(context, pack, tmp_path / "out.docx")
    assert "Word 模板中含有XML实体声明" in str(info.value) and "word/document.xml" in str(info.value)
    assert not (tmp_path / "out.docx").exists()


def test_templates_check_finds_a_heading_key_that_names_nothing(tmp_path):
    make_pack(tmp_path, "typo_heading", '[headings]\n"overview.platform" = "（四）平台建设"\n')
    problems = check_pack(str(tmp_path / "typo_heading"))
    assert len(problems) == 1 and "overview.platform" in problems[0] and "overview.platforms" in problems[0]


def test_the_organs_phrasing_is_a_setting(doc, tmp_path):
    make_pack(tmp_path, "bureau", '[settings]\nsubject = "我局"\n')
    got = sentences_of(doc, str(tmp_path / "bureau"))
    assert got["requests_summary"][0].startswith("我局本年新收政府信息公开申请232件")
    assert got["review"][0].startswith("我局本年度因政府信息公开工作被申请行政复议18件")
    assert got["active"][0].startswith("我局本年制发行政规范性文件8件")
    assert got["outcomes"] == sentences_of(doc)["outcomes"]  # mid-paragraph statements need no subject
    make_pack(tmp_path, "bad_subject", '[settings]\nsubject = "{{ 7*7 }}"\n')
    assert "subject" in check_pack(str(tmp_path / "bad_subject"))[0]


def test_templates_check_names_the_word_paragraph_of_an_unknown_variable(tmp_path):
    import docx

    from reportgen.resources import templates_dir

    pack = make_pack(tmp_path, "wordtypo")
    document = docx.Document(str(templates_dir() / "standard" / "report.docx"))
    document.add_paragraph("落款：{{ meta.orgn }}")
    document.save(str(pack / "report.docx"))
    problems = check_pack(str(pack))
    assert len(problems) == 1
    assert "wordtypo/report.docx" in problems[0] and "orgn" in problems[0]
    assert "“落款：{{ meta.orgn }}”" in problems[0]


def test_a_link_out_of_the_pack_is_refused(doc, tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("机密内容", encoding="utf-8")
    pack = make_pack(tmp_path, "linky", "", sentences__j2='{% macro processing_fees() %}{% include "leak.j2" %}{% endmacro %}')
    (pack / "leak.j2").symlink_to(outside)
    with pytest.raises(PackError) as info:
        sentences_of(doc, str(pack))
    assert "模板包以外" in str(info.value) and "机密内容" not in str(info.value)
    (pack / "report.docx").symlink_to(outside)
    with pytest.raises(PackError):
        find_pack(str(pack)).find_file("report.docx")
