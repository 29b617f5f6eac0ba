"""HTML output: page structure, tables against the format's grids, sentences, escaping, and Chromium layout."""

from __future__ import annotations

import copy
import html
import json
import re
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

import lxml.html
import pytest

from reportgen.app.pipeline import build_context
from reportgen.errors import PackError
from reportgen.formats.grids import grids
from reportgen.read import load
from reportgen.render.html import render_html, write_html
from reportgen.render.packs import find_pack

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "lanshan-2021.json"
SECTIONS = ("overview", "active", "requests", "appeals", "problems", "other")
OVERVIEW = (
    "overview.active",
    "overview.requests",
    "overview.management",
    "overview.platforms",
    "overview.supervision",
)


@pytest.fixture(scope="module")
def sample():
    report = load(SAMPLE)
    pack = find_pack("standard")
    context, _ = build_context(report, pack)
    return report, pack, context


@pytest.fixture(scope="module")
def page(sample):
    _, pack, context = sample
    return render_html(context, pack)


@pytest.fixture(scope="module")
def doc(page):
    return lxml.html.document_fromstring(page)


def text(el) -> str:
    return el.text_content().strip()


def section(doc, key: str):
    (el,) = doc.xpath(f'//section[@id="{key}"]')
    return el


def paragraph_texts(el) -> list[str]:
    return [text(p) for p in el.xpath(".//p")]


def table_matrix(table) -> list[list]:
    """The table as a full grid of cell elements: a spanned position holds the cell that covers it."""
    rows = table.xpath("./thead/tr | ./tbody/tr")
    matrix: list[list] = [[] for _ in rows]
    for r, tr in enumerate(rows):
        c = 0
        for cell in tr.xpath("./th | ./td"):
            while c < len(matrix[r]) and matrix[r][c] is not None:
                c += 1
            for dr in range(int(cell.get("rowspan", 1))):
                row = matrix[r + dr]
                for dc in range(int(cell.get("colspan", 1))):
                    while len(row) <= c + dc:
                        row.append(None)
                    assert row[c + dc] is None, f"overlapping cells at row {r + dr}, column {c + dc}"
                    row[c + dc] = cell
            c += int(cell.get("colspan", 1))
    return matrix


# ---- page structure ---------------------------------------------------------------------------


def test_page_is_a_self_contained_html5_document(page, doc):
    assert page.startswith("<!DOCTYPE html>\n")
    assert doc.get("lang") == "zh-CN"
    assert doc.xpath("//meta/@charset") == ["utf-8"]
    assert "width=device-width" in doc.xpath('//meta[@name="viewport"]/@content')[0]
    assert len(doc.xpath("//head/style")) == 1
    assert doc.xpath("//script | //link | //img | //iframe | //object | //embed") == []


def test_tags_are_balanced(page):
    void = {"meta", "col", "br", "wbr", "hr", "img", "link", "input"}

    class Balance(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.stack: list[str] = []

        def handle_starttag(self, tag, attrs):
            if tag not in void:
                self.stack.append(tag)

        def handle_endtag(self, tag):
            assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1:]}>"
            self.stack.pop()

    parser = Balance()
    parser.feed(page)
    parser.close()
    assert parser.stack == []


def test_title_sections_and_subsections_use_the_headings(sample, doc):
    _, _, context = sample
    headings = context["headings"]
    assert [text(h) for h in doc.xpath("//h1")] == [context["title"]]
    assert doc.xpath("//title/text()") == [context["title"]]
    assert [s.get("id") for s in doc.xpath("//section")] == list(SECTIONS)
    assert [text(s.xpath("./h2")[0]) for s in doc.xpath("//section")] == [headings[k] for k in SECTIONS]
    assert [text(h) for h in section(doc, "overview").xpath(".//h3")] == [headings[k] for k in OVERVIEW]
    assert doc.xpath("//section[not(@id='overview')]//h3") == []


def test_every_paragraph_of_staff_text_and_sentences_appears(sample, doc):
    _, _, context = sample
    shown = paragraph_texts(doc)
    s = context["sentences"]
    expected = [p for ps in context["narrative"].values() for p in ps]
    expected += [p for name, ps in s.items() if name not in ("title", "requests_summary", "applicants") for p in ps]
    expected += s["requests_summary"][:-1] + ["".join(s["requests_summary"][-1:] + s["applicants"])]
    assert expected
    for p in expected:
        assert p in shown


def test_sentences_are_placed_in_their_sections(sample, doc):
    _, _, context = sample
    s = context["sentences"]
    n = context["narrative"]
    overview = paragraph_texts(section(doc, "overview"))
    # the applicants' "其中…" continues the summary's last paragraph
    joined = ["".join(s["requests_summary"][-1:] + s["applicants"])]
    requests_part = n["overview.requests"] + s["requests_summary"][:-1] + joined + s["outcomes"]
    start = overview.index(requests_part[0])
    assert overview[start : start + len(requests_part)] == requests_part
    assert paragraph_texts(section(doc, "active")) == s["active"]
    assert paragraph_texts(section(doc, "requests")) == s["outcomes_change"]
    assert paragraph_texts(section(doc, "appeals")) == s["review"] + s["litigation"] + s["appeals_none"]
    assert paragraph_texts(section(doc, "problems")) == n["problems"]
    assert paragraph_texts(section(doc, "other")) == s["processing_fees"] + n["other"]
    # Each table comes before the statements about it.
    for key in ("active", "requests", "appeals"):
        first = section(doc, key).xpath("./*[not(self::h2)]")[0]
        assert first.get("class") == "table-scroll"


def test_key_sentences_verbatim(doc):
    outcomes = (
        "办结的224件中，予以公开90件，占40.2%；部分公开11件，占4.9%；不予公开26件，占11.6%；"
        "无法提供93件，占41.5%；不予处理1件，占0.4%；其他处理3件，占1.3%。"
    )
    assert outcomes in paragraph_texts(section(doc, "overview"))
    assert "较上年提高38.1个百分点" in " ".join(paragraph_texts(section(doc, "appeals")))


def test_staff_subheadings_stay_paragraphs(doc):
    other = section(doc, "other")
    subheads = [text(p) for p in other.xpath('.//p[@class="subhead"]')]
    assert subheads[0] == "（一）信息处理费收取情况"
    assert all(not t.endswith("。") for t in subheads)


# ---- tables -------------------------------------------------------------------------------------


def expected_grids(sample):
    """The grids as the format definition lays them out, showing what the context shows."""
    report, _, context = sample
    shown = {
        c["key"]: c["text"] for g in context["tables"].values() for row in g["rows"] for c in row if c["key"]
    }
    return grids(report.format, lambda key: shown[key])


def test_tables_follow_the_grids_cell_for_cell(sample, doc):
    for key, grid in expected_grids(sample).items():
        (table,) = doc.xpath(f'//table[contains(concat(" ", @class, " "), " grid-{grid.key} ")]')
        assert text(table.xpath("./caption")[0]) == grid.title
        assert len(table.xpath("./thead/tr")) == grid.header_rows
        trs = table.xpath("./thead/tr | ./tbody/tr")
        assert len(trs) == grid.n_rows
        for tr, cells in zip(trs, grid.rows(), strict=True):
            html_cells = tr.xpath("./th | ./td")
            assert len(html_cells) == len(cells)
            for el, cell in zip(html_cells, cells, strict=True):
                where = f"{key} row {cell.row} col {cell.col}"
                assert text(el) == cell.text, where
                assert int(el.get("rowspan", 1)) == cell.rowspan, where
                assert int(el.get("colspan", 1)) == cell.colspan, where
                assert el.get("rowspan") != "1" and el.get("colspan") != "1", where
                if cell.scope:
                    assert (el.tag, el.get("scope")) == ("th", cell.scope), where
                elif cell.is_header:
                    assert el.get("scope") is None, where
                else:
                    assert (el.tag, el.get("scope")) == ("td", None), where


def test_tables_are_full_rectangles(sample, doc):
    for grid in expected_grids(sample).values():
        (table,) = doc.xpath(f'//table[contains(concat(" ", @class, " "), " grid-{grid.key} ")]')
        matrix = table_matrix(table)
        assert [len(row) for row in matrix] == [grid.n_cols] * grid.n_rows
        assert all(cell is not None for row in matrix for cell in row)
        assert len(table.xpath("./colgroup/col")) == grid.n_cols


def test_every_table_scrolls_in_a_labelled_region(doc):
    for wrapper in doc.xpath('//div[@class="table-scroll"]'):
        (table,) = wrapper.xpath("./table")
        assert wrapper.get("role") == "region"
        assert wrapper.get("tabindex") == "0"
        assert wrapper.get("aria-label") == text(table.xpath("./caption")[0])
    assert len(doc.xpath('//div[@class="table-scroll"]')) == 3


def cell_at(table, row_label: str, col_label: str) -> str:
    matrix = table_matrix(table)
    (r,) = [i for i, row in enumerate(matrix) if any(text(c) == row_label for c in row[:3])]
    header = len(table.xpath("./thead/tr"))
    (c,) = {j for row in matrix[:header] for j, cell in enumerate(row) if text(cell) == col_label}
    return text(matrix[r][c])


def test_figures_are_in_the_right_cells(doc):
    (requests,) = doc.xpath('//table[contains(@class, "grid-requests")]')
    assert cell_at(requests, "一、本年新收政府信息公开申请数量", "自然人") == "230"
    assert cell_at(requests, "（七）总计", "总计") == "224"
    assert cell_at(requests, "1.属于国家秘密", "自然人") == "12"
    (appeals,) = doc.xpath('//table[contains(@class, "grid-appeals")]')
    numbers = [text(td) for td in appeals.xpath("./tbody/tr[last()]/td")]
    assert " ".join(numbers) == "12 1 2 3 18 6 1 0 0 7 2 2 1 0 5"
    (active,) = doc.xpath('//table[contains(@class, "grid-active")]')
    (fees_row,) = [tr for tr in active.xpath(".//tr") if text(tr.xpath("./th")[0]) == "行政事业性收费"]
    assert [text(td) for td in fees_row.xpath("./td")] == ["1210.06"]


def test_a_caption_repeating_the_heading_is_only_for_screen_readers(doc):
    for key in ("active", "requests", "appeals"):
        caption = section(doc, key).xpath(".//caption")[0]
        heading = text(section(doc, key).xpath("./h2")[0])
        assert (caption.get("class") == "visually-hidden") == (text(caption) == heading)


# ---- safety and determinism ---------------------------------------------------------------------


def test_no_external_requests(page, doc, sample):
    _, _, context = sample
    website = context["meta"]["website"]
    for attr in ("src", "href", "srcset", "action", "poster", "data"):
        for value in doc.xpath(f"//@{attr}"):
            assert value == website, f"{attr}={value}"
    style = doc.xpath("//style")[0].text_content()
    assert "url(" not in style and "@import" not in style and "@font-face" not in style
    # Web addresses appear only as text, e.g. the organ's website in the opening paragraph.
    for url in re.findall(r"https?:[^\s<>\"'）)]+", page):
        assert url == website


def test_staff_text_is_escaped(sample):
    _, pack, context = sample
    evil = "<script>alert(1)</script> & <b>x</b>"
    ctx = copy.deepcopy(context)
    ctx["narrative"]["problems"] = [evil]
    ctx["headings"]["problems"] = "五、<i>问题</i>"
    out = render_html(ctx, pack)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;x&lt;/b&gt;" in out
    tree = lxml.html.document_fromstring(out)
    assert tree.xpath("//script | //b | //i") == []
    assert paragraph_texts(section(tree, "problems")) == [evil]
    assert text(section(tree, "problems").xpath("./h2")[0]) == "五、<i>问题</i>"


def test_output_is_deterministic_and_written_atomically(sample, page, tmp_path):
    _, pack, context = sample
    assert render_html(copy.deepcopy(context), pack) == page
    out = tmp_path / "报告.html"
    out.write_text("old", encoding="utf-8")
    write_html(context, pack, out)
    assert out.read_bytes() == page.encode("utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["报告.html"]
    assert page.endswith("</html>\n")


# ---- packs ---------------------------------------------------------------------------------------


def make_child(tmp_path: Path, template: str) -> Path:
    child = tmp_path / "child"
    child.mkdir()
    (child / "pack.toml").write_text(
        'name = "child"\nextends = "standard"\n[headings]\nproblems = "五、政府信息公开工作存在的主要问题及改进情况"\n',
        encoding="utf-8",
    )
    (child / "report.html.j2").write_text(template, encoding="utf-8")
    return child


def test_a_child_pack_overrides_one_block(sample, tmp_path):
    report, _, _ = sample
    child = make_child(
        tmp_path,
        '{% extends "standard/report.html.j2" %}\n'
        '{% block section_problems %}<p class="note">本段由子模板包添加。</p>{{ super() }}{% endblock %}\n',
    )
    pack = find_pack(str(child))
    context, _ = build_context(report, pack)
    tree = lxml.html.document_fromstring(render_html(context, pack))
    problems = section(tree, "problems")
    assert text(problems.xpath("./h2")[0]) == "五、政府信息公开工作存在的主要问题及改进情况"
    assert paragraph_texts(problems) == ["本段由子模板包添加。"] + context["narrative"]["problems"]
    assert len(tree.xpath("//table")) == 3


def test_a_broken_child_template_is_a_pack_error(sample, tmp_path):
    report, _, _ = sample
    child = make_child(
        tmp_path, '{% extends "standard/report.html.j2" %}{% block section_other %}{{ nope }}{% endblock %}'
    )
    pack = find_pack(str(child))
    context, _ = build_context(report, pack)
    with pytest.raises(PackError, match="nope"):
        render_html(context, pack)


# ---- Chromium ------------------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def chromium(tmp_path: Path, *args: str) -> str:
    profile = tmp_path / "profile"
    done = subprocess.run(
        [str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    return done.stdout


def ink_share(png: bytes, rows: int) -> float:
    """Share of dark pixels in the first `rows` rows of an 8-bit RGB(A) PNG (a tiny decoder)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    width = height = channels = 0
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind, body = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    previous = bytearray(stride)
    dark = 0
    for y in range(min(rows, height)):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = previous[i]
            c = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + b) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        dark += sum(1 for x in range(0, stride, channels) if line[x] + line[x + 1] + line[x + 2] < 3 * 110)
        previous = line
    return dark / (width * min(rows, height))


@pytest.fixture(scope="module")
def html_file(page, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


@pytest.mark.slow
@needs_chromium
@pytest.mark.parametrize("width", [1280, 390])
def test_chromium_screenshot_shows_the_report(html_file, tmp_path, width):
    png = tmp_path / f"shot-{width}.png"
    chromium(tmp_path, f"--screenshot={png}", f"--window-size={width},4000", html_file.as_uri())
    data = png.read_bytes()
    assert struct.unpack(">II", data[16:24]) == (width, 4000)
    assert len(data) > 50_000
    # Text was drawn: some dark pixels, but the page is mostly light.
    assert 0.003 < ink_share(data, rows=400) < 0.3


def measure(page: str, width: int, tmp_path: Path) -> dict:
    """Lay the page out at `width` CSS pixels and report page and table-wrapper widths.

    Headless Chromium will not make a window narrower than 500 px for --dump-dom, so the page is
    put in an iframe of the wanted width; the measuring script lives in the test harness only.
    """
    script = (
        "var w=this.contentWindow,d=w.document,e=d.documentElement;"
        "var t=[].map.call(d.querySelectorAll('.table-scroll'),function(x){return [x.scrollWidth,x.clientWidth]});"
        "document.body.setAttribute('data-measure',JSON.stringify({vw:w.innerWidth,sw:e.scrollWidth,cw:e.clientWidth,t:t}))"
    )
    harness = tmp_path / "harness.html"
    harness.write_text(
        f'<!DOCTYPE html><html><body style="margin:0"><iframe style="width:{width}px;height:900px;border:0" '
        f'srcdoc="{html.escape(page, quote=True)}" onload="{html.escape(script, quote=True)}"></iframe></body></html>',
        encoding="utf-8",
    )
    dom = chromium(tmp_path, "--window-size=1400,1000", "--dump-dom", harness.as_uri())
    found = lxml.html.document_fromstring(dom).xpath("//body/@data-measure")
    assert found, "the measuring script did not run"
    return json.loads(found[0])


@pytest.mark.slow
@needs_chromium
def test_on_a_phone_wide_tables_scroll_and_the_page_does_not(page, tmp_path):
    m = measure(page, 390, tmp_path)
    assert m["vw"] == 390
    assert m["sw"] <= m["cw"] == 390, "the page itself scrolls sideways"
    active, requests, appeals = m["t"]
    assert active[0] <= active[1]
    assert requests[0] > requests[1] and appeals[0] > appeals[1], (
        "tables 3 and 4 should scroll in their wrapper"
    )


@pytest.mark.slow
@needs_chromium
def test_on_a_desktop_no_table_scrolls(page, tmp_path):
    m = measure(page, 1280, tmp_path)
    assert m["sw"] <= m["cw"]
    assert all(scroll <= client for scroll, client in m["t"])


def test_a_grid_cell_reaches_the_templates_with_every_field():
    """Cell.as_dict is written by hand (asdict was slow): a field added to Cell must reach the
    templates too."""
    from dataclasses import asdict

    from reportgen.formats import get_format
    from reportgen.formats.grids import grids

    for grid in grids(get_format(), lambda key: "7").values():
        for cell in grid.cells:
            assert cell.as_dict() == asdict(cell) | {"is_header": cell.is_header}
