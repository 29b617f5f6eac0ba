"""DOCX rendering: table merges and figures against the grids, escaping, determinism, errors."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from reportgen.app.pipeline import build_context
from reportgen.errors import OutputError, PackError
from reportgen.read import load
from reportgen.render.docx import column_widths, render_docx
from reportgen.render.packs import find_pack

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "lanshan-2021.json"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NS = {"w": W[1:-1]}
HOSTILE = "<script>alert(1)</script> & <b>"



@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory, context: dict[str, Any]) -> Path:
    out = tmp_path_factory.mktemp("docx") / "report.docx"
    render_docx(context, find_pack("standard"), out)
    return out


def document_xml(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read("word/document.xml"))


def text_of(el: etree._Element) -> str:
    return "".join(el.itertext())


def table_cells(tbl: etree._Element) -> dict[tuple[int, int], tuple[int, str | None, str]]:
    """(row, grid column) → (gridSpan, vMerge, text) for every w:tc of a w:tbl."""
    out = {}
    for r, tr in enumerate(tbl.findall("w:tr", NS)):
        col = 0
        for tc in tr.findall("w:tc", NS):
            span_el = tc.find("w:tcPr/w:gridSpan", NS)
            span = int(span_el.get(W + "val")) if span_el is not None else 1
            merge_el = tc.find("w:tcPr/w:vMerge", NS)
            merge = None if merge_el is None else (merge_el.get(W + "val") or "continue")
            out[(r, col)] = (span, merge, "".join(t.text or "" for t in tc.iter(W + "t")))
            col += span
    return out


def expected_cells(grid: dict[str, Any]) -> dict[tuple[int, int], tuple[int, str | None, str]]:
    """What the grid says Word must hold: the top cell restarts a merge, covered cells continue it."""
    out = {}
    for row in grid["rows"]:
        for cell in row:
            merge = "restart" if cell["rowspan"] > 1 else None
            out[(cell["row"], cell["col"])] = (cell["colspan"], merge, cell["text"])
            for r in range(cell["row"] + 1, cell["row"] + cell["rowspan"]):
                out[(r, cell["col"])] = (cell["colspan"], "continue", "")
    return out


def tables_by_name(path: Path) -> dict[str, etree._Element]:
    tables = document_xml(path).findall("w:body/w:tbl", NS)
    assert len(tables) == 3
    return dict(zip(("active", "requests", "appeals"), tables, strict=True))


@pytest.mark.parametrize("name", ["active", "requests", "appeals"])
def test_table_merges_and_cells_follow_the_grid(rendered: Path, context: dict[str, Any], name: str) -> None:
    grid = context["tables"][name]
    tbl = tables_by_name(rendered)[name]
    assert table_cells(tbl) == expected_cells(grid)
    assert len(tbl.findall("w:tblGrid/w:gridCol", NS)) == grid["n_cols"]
    rows = tbl.findall("w:tr", NS)
    assert len(rows) == grid["n_rows"]
    headers = [r.find("w:trPr/w:tblHeader", NS) is not None for r in rows]
    assert headers == [i < grid["header_rows"] for i in range(grid["n_rows"])]


def test_tables_carry_the_sample_figures(rendered: Path, context: dict[str, Any]) -> None:
    tables = tables_by_name(rendered)
    at = {}
    for name, grid in context["tables"].items():
        cells = table_cells(tables[name])
        for row in grid["rows"]:
            for cell in row:
                if cell["key"]:
                    at[cell["key"]] = cells[(cell["row"], cell["col"])][2]
    assert at["requests.new.natural_person"] == "230"
    assert at["requests.handled.total"] == "224"
    assert at["active_disclosure.fees.amount"] == "1210.06"
    appeals = [c["text"] for c in context["tables"]["appeals"]["rows"][-1]]
    assert appeals == "12 1 2 3 18 6 1 0 0 7 2 2 1 0 5".split()
    assert [at[c["key"]] for c in context["tables"]["appeals"]["rows"][-1]] == appeals


def test_tables_use_the_template_styles_and_sizes(rendered: Path) -> None:
    tables = tables_by_name(rendered)
    for tbl in tables.values():
        assert tbl.find("w:tblPr/w:tblStyle", NS).get(W + "val") == "ReportTable"
        styles = {p.get(W + "val") for p in tbl.iter(W + "pStyle")}
        assert styles == {"ReportTableText"}
    # one size for all three: the 表格文字 style's 五号, no size of their own
    sizes = {name: {s.get(W + "val") for s in t.iter(W + "sz")} for name, t in tables.items()}
    assert sizes == {"active": set(), "requests": set(), "appeals": set()}
    # numbers centred, row labels at the left
    cell = tables["requests"].findall("w:tr", NS)[3].findall("w:tc", NS)
    assert cell[0].find("w:p/w:pPr/w:jc", NS).get(W + "val") == "left"
    assert cell[1].find("w:p/w:pPr/w:jc", NS).get(W + "val") == "center"


def test_column_widths_fill_the_text_width() -> None:
    weights = [3, 3, 9, 2, 2, 2, 2, 2, 2, 2]
    widths = column_widths(weights, 8844)
    assert sum(widths) == 8844
    assert all(abs(w - 8844 * k / sum(weights)) < len(weights) for w, k in zip(widths, weights, strict=True))
    assert widths[0] == widths[1]


def test_body_has_text_in_order_and_no_empty_or_tag_paragraphs(
    rendered: Path, context: dict[str, Any]
) -> None:
    body = document_xml(rendered).find("w:body", NS)
    paragraphs = [text_of(p) for p in body.findall("w:p", NS)]
    assert all(p.strip() for p in paragraphs), "empty paragraph left by a loop"
    full = "\n".join(paragraphs)
    assert "{{" not in full and "{%" not in full
    assert paragraphs[: len(context["title_lines"])] == context["title_lines"]
    assert "".join(context["title_lines"]) == context["title"]
    heads = [
        context["headings"][k] for k in ("overview", "active", "requests", "appeals", "problems", "other")
    ]
    assert [full.index(h) for h in heads] == sorted(full.index(h) for h in heads)
    summary = context["sentences"]["requests_summary"][0] + context["sentences"]["applicants"][0]
    assert summary in paragraphs
    assert full.index(context["sentences"]["processing_fees"][0]) < full.index(
        context["narrative"]["other"][0]
    )


def test_paragraphs_use_the_named_styles(rendered: Path, context: dict[str, Any]) -> None:
    body = document_xml(rendered).find("w:body", NS)
    style = {}
    for p in body.findall("w:p", NS):
        el = p.find("w:pPr/w:pStyle", NS)
        style[text_of(p)] = el.get(W + "val") if el is not None else None
    assert {style[line] for line in context["title_lines"]} == {"ReportTitle"}
    assert style[context["headings"]["overview"]] == "ReportHeading1"
    assert style[context["headings"]["overview.requests"]] == "ReportHeading2"
    assert style[context["sentences"]["outcomes"][0]] == "ReportBody"


def test_template_styles_name_east_asian_fonts() -> None:
    from docx import Document

    doc = Document(str(ROOT / "templates" / "standard" / "report.docx"))
    fonts = {}
    for name in ("报告标题", "一级标题", "二级标题", "正文", "表格文字"):
        rfonts = doc.styles[name].element.find(f"{W}rPr/{W}rFonts")
        fonts[name] = rfonts.get(W + "eastAsia")
    assert fonts == {
        "报告标题": "方正小标宋简体",
        "一级标题": "黑体",
        "二级标题": "楷体_GB2312",
        "正文": "仿宋_GB2312",
        "表格文字": "仿宋_GB2312",
    }
    section = doc.sections[0]
    assert [
        round(x.mm)
        for x in (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    ] == [37, 35, 28, 26]


def test_committed_template_matches_the_script() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_docx_template.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout


def test_rendering_is_byte_identical(tmp_path: Path, context: dict[str, Any], rendered: Path) -> None:
    again = tmp_path / "again.docx"
    render_docx(context, find_pack("standard"), again)
    assert again.read_bytes() == rendered.read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["again.docx"]  # no temporary file left


def test_source_date_epoch_sets_the_dates(
    tmp_path: Path, context: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    a, b = tmp_path / "a.docx", tmp_path / "b.docx"
    render_docx(context, find_pack("standard"), a)
    render_docx(context, find_pack("standard"), b)
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as z:
        assert {i.date_time for i in z.infolist()} == {(2023, 11, 14, 22, 13, 20)}
        assert b"2023-11-14T22:13:20Z" in z.read("docProps/core.xml")


def hostile_context(tmp_text: str = HOSTILE) -> dict[str, Any]:
    report = load(SAMPLE)
    report.narrative["problems"] = f"{tmp_text}\n第二段 a < b && c > d"
    ctx, _ = build_context(report, find_pack("standard"))
    return ctx


def test_staff_text_is_escaped(tmp_path: Path) -> None:
    from docx import Document

    out = tmp_path / "hostile.docx"
    render_docx(hostile_context(), find_pack("standard"), out)
    texts = [p.text for p in Document(str(out)).paragraphs]
    assert HOSTILE in texts
    assert "第二段 a < b && c > d" in texts
    assert document_xml(out).find(".//w:script", NS) is None


def test_renamed_headings_come_from_the_pack(tmp_path: Path) -> None:
    pack_dir = tmp_path / "mine"
    pack_dir.mkdir()
    (pack_dir / "pack.toml").write_text(
        'name = "mine"\nextends = "standard"\n[headings]\nappeals = "四、因政府信息公开工作被申请行政复议和提起行政诉讼情况"\n',
        encoding="utf-8",
    )
    pack = find_pack(str(pack_dir))
    ctx, _ = build_context(load(SAMPLE), pack)
    out = tmp_path / "r.docx"
    render_docx(ctx, pack, out)
    texts = [text_of(p) for p in document_xml(out).findall("w:body/w:p", NS)]
    assert "四、因政府信息公开工作被申请行政复议和提起行政诉讼情况" in texts


def broken_pack(tmp_path: Path, body: bytes | str) -> Any:
    pack_dir = tmp_path / "broken"
    pack_dir.mkdir()
    (pack_dir / "pack.toml").write_text('name = "broken"\n', encoding="utf-8")
    target = pack_dir / "report.docx"
    if isinstance(body, bytes):
        target.write_bytes(body)
    else:
        from docx import Document

        doc = Document()
        doc.add_paragraph(body)
        doc.save(str(target))
    return find_pack(str(pack_dir))


def test_unknown_variable_in_template_is_a_pack_error(tmp_path: Path, context: dict[str, Any]) -> None:
    pack = broken_pack(tmp_path, "{{ no_such_thing.x }}")
    with pytest.raises(PackError, match="不存在的变量"):
        render_docx(context, pack, tmp_path / "out.docx")
    assert not (tmp_path / "out.docx").exists()


def test_syntax_error_in_template_is_a_pack_error(tmp_path: Path, context: dict[str, Any]) -> None:
    pack = broken_pack(tmp_path, "{% for x in %}")
    with pytest.raises(PackError, match="语法错误"):
        render_docx(context, pack, tmp_path / "out.docx")


def test_template_that_is_not_a_docx_is_a_pack_error(tmp_path: Path, context: dict[str, Any]) -> None:
    pack = broken_pack(tmp_path, b"not a zip file")
    with pytest.raises(PackError, match="无法读取 Word 模板"):
        render_docx(context, pack, tmp_path / "out.docx")


def test_unwritable_target_is_an_output_error(tmp_path: Path, context: dict[str, Any]) -> None:
    with pytest.raises(OutputError, match="无法在"):
        render_docx(context, find_pack("standard"), tmp_path / "missing" / "out.docx")


def test_importing_the_renderers_stays_light() -> None:
    code = (
        "import sys, reportgen.render.docx, reportgen.render.pdf;"
        "print(sorted(m for m in ('docxtpl', 'docx', 'lxml', 'jinja2') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_a_bare_table_tag_draws_the_table(tmp_path: Path, context: dict[str, Any]) -> None:
    pack = broken_pack(tmp_path, "{{p tables.requests }}")
    out = tmp_path / "bare.docx"
    render_docx(context, pack, out)
    (tbl,) = document_xml(out).findall("w:body/w:tbl", NS)
    assert table_cells(tbl) == expected_cells(context["tables"]["requests"])
    assert {s.get(W + "val") for s in tbl.iter(W + "sz")} == {"21"}  # 五号 by default for table 3


def test_a_tag_in_the_templates_document_properties_is_rendered_sandboxed(tmp_path: Path,
                                                                           context: dict[str, Any]) -> None:
    """Only properties holding a tag are rendered (docxtpl compiled all six on every build); one
    that does is rendered like the body, escaped and in the sandbox."""
    from docx import Document

    pack_dir = tmp_path / "props"
    pack_dir.mkdir()
    (pack_dir / "pack.toml").write_text('name = "props"\n', encoding="utf-8")
    doc = Document()
    doc.add_paragraph("正文")
    doc.core_properties.identifier = "{{ meta.organ }}-{{ meta.year }}"
    doc.core_properties.comments = "{{ ''.__class__.__mro__ }}"
    doc.save(str(pack_dir / "report.docx"))
    out = tmp_path / "props.docx"
    with pytest.raises(PackError, match="不安全"):
        render_docx(context, find_pack(str(pack_dir)), out)
    doc.core_properties.comments = "无标签"
    doc.save(str(pack_dir / "report.docx"))
    render_docx(context | {"meta": context["meta"] | {"organ": "甲&乙"}}, find_pack(str(pack_dir)), out)
    with zipfile.ZipFile(out) as z:
        core = z.read("docProps/core.xml").decode("utf-8")
    assert f"<dc:identifier>甲&amp;乙-{context['meta']['year']}</dc:identifier>" in core
