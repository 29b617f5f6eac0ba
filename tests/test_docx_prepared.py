"""A Word template prepared once renders the same bytes as docxtpl, without importing docxtpl or
python-docx, for the shipped packs and for templates that take docxtpl's rarer steps."""

from __future__ import annotations

import copy
import os
import re
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from reportgen.app.pipeline import build_context
from reportgen.errors import PackError
from reportgen.read.document import from_document
from reportgen.render import prepared
from reportgen.render.docx import render_docx, render_docx_parts
from reportgen.render.packs import find_pack
from reportgen.write.atomic import office_zip

ROOT = Path(__file__).resolve().parent.parent
STANDARD = ROOT / "templates" / "standard" / "report.docx"
SAMPLE = ROOT / "sample_data" / "lanshan-2021.xlsx"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test prepares into a cache of its own, with nothing kept in memory from another."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("REPORTGEN_CACHE_DIR", str(cache))
    monkeypatch.setattr(prepared, "_memory", {})
    return cache


def both_ways(context: dict[str, Any], pack: Any) -> dict[str, bytes]:
    """The parts rendered from the prepared template, after checking that docxtpl writes the
    same bytes for every part."""
    template = pack.find_file("report.docx")
    fast, fast_time = render_docx_parts(context, template, pack)
    slow, slow_time = render_docx_parts(context, template, pack, prepared=False)
    assert sorted(fast) == sorted(slow)
    # python-docx stamps the time into the properties it adds to a template without them, which
    # the written file leaves out: that part is compared as written
    assert [name for name in fast if fast[name] != slow[name] and name != "docProps/core.xml"] == []
    assert fast_time == slow_time
    assert office_zip(fast, default_time=fast_time) == office_zip(slow, default_time=slow_time)
    return fast


def variant(tmp_path: Path, edits: dict[str, Any], name: str = "variant") -> Any:
    """A pack whose report.docx is the standard one with some parts edited (name → new bytes,
    or a function of the old bytes)."""
    folder = tmp_path / name
    folder.mkdir()
    (folder / "pack.toml").write_text(f'name = "{name}"\nextends = "standard"\n', encoding="utf-8")
    with zipfile.ZipFile(STANDARD) as src, zipfile.ZipFile(folder / "report.docx", "w", zipfile.ZIP_DEFLATED) as dst:
        names = src.namelist() + [n for n in edits if n not in src.namelist()]
        for member in names:
            blob = src.read(member) if member in src.namelist() else b""
            edit = edits.get(member)
            dst.writestr(member, edit(blob) if callable(edit) else edit if edit is not None else blob)
    return find_pack(str(folder))


@pytest.mark.parametrize("pack_name", ["standard", "lanshan", "department"])
def test_the_shipped_packs_render_the_same_bytes_both_ways(doc: dict[str, Any], pack_name: str) -> None:
    doc["meta"]["publish_date"] = "2022-01-25"  # signed off: the 落款 paragraphs are indented
    context, _ = build_context(from_document(doc, source="test.json"), find_pack(pack_name))
    parts = both_ways(context, find_pack(pack_name))
    body = parts["word/document.xml"].decode("utf-8")
    assert context["title_lines"][0] in body
    assert len(re.findall(r'<w:ind w:right="\d+" w:rightChars="\d+"/>', body)) == 2
    _, published = render_docx_parts(context, find_pack(pack_name).find_file("report.docx"), find_pack(pack_name))
    assert published == datetime(2022, 1, 25, tzinfo=UTC)  # the document's time


def test_a_tag_in_a_footer_is_rendered(tmp_path: Path, context: dict[str, Any]) -> None:
    def tagged(xml: bytes) -> bytes:
        return xml.replace(b"</w:ftr>", b"<w:p><w:r><w:t>{{ meta.organ }}</w:t></w:r></w:p></w:ftr>")

    parts = both_ways(context, variant(tmp_path, {"word/footer1.xml": tagged}))
    footer = parts["word/footer1.xml"].decode("utf-8")
    assert re.search(f"<w:t[^>]*>{context['meta']['organ']}</w:t>", footer) and "{{" not in footer


def test_line_breaks_and_tabs_in_a_value_become_words_breaks(context: dict[str, Any]) -> None:
    """docxtpl's resolve_listing (imported only when a value holds such a character)."""
    ctx = copy.deepcopy(context)
    ctx["title_lines"] = ["第一行\n第二行\t附"]
    parts = both_ways(ctx, find_pack("standard"))
    body = parts["word/document.xml"].decode("utf-8")
    assert '第一行</w:t><w:br/><w:t xml:space="preserve">第二行' in body and "<w:tab/>" in body


def test_a_table_whose_grid_disagrees_with_its_rows_is_fixed_as_docxtpl_fixes_it(
        tmp_path: Path, context: dict[str, Any]) -> None:
    cells = "".join("<w:tc><w:p><w:r><w:t>{{ meta.year }}</w:t></w:r></w:p></w:tc>" for _ in range(2))
    table = ("<w:tbl><w:tblPr/><w:tblGrid><w:gridCol w:w=\"3000\"/><w:gridCol w:w=\"3000\"/>"
             f"<w:gridCol w:w=\"3000\"/></w:tblGrid><w:tr>{cells}</w:tr></w:tbl>").encode()

    def with_table(xml: bytes) -> bytes:
        return xml.replace(b"<w:body>", b"<w:body>" + table, 1)

    parts = both_ways(context, variant(tmp_path, {"word/document.xml": with_table}))
    body = parts["word/document.xml"].decode("utf-8")
    first = body[body.index("<w:tbl>"): body.index("</w:tbl>")]
    assert re.findall(r'<w:gridCol w:w="(\d+)"/>', first) == ["4500", "4500"]  # 3 columns became 2


def test_a_tag_in_the_document_properties_and_a_template_without_them(tmp_path: Path,
                                                                      context: dict[str, Any]) -> None:
    def identifier(xml: bytes) -> bytes:
        tag = "<dc:identifier>{{ meta.year }}号</dc:identifier></cp:coreProperties>".encode()
        return xml.replace(b"</cp:coreProperties>", tag)

    parts = both_ways(context, variant(tmp_path, {"docProps/core.xml": identifier}, "tagged"))
    assert f"<dc:identifier>{context['meta']['year']}号</dc:identifier>".encode() in parts["docProps/core.xml"]

    def without_core(xml: bytes) -> bytes:
        return re.sub(rb'<Relationship [^>]*core-properties"[^>]*/>', b"", xml)

    bare = variant(tmp_path, {"_rels/.rels": without_core}, "bare")
    parts = both_ways(context, bare)  # python-docx adds the properties part, both ways
    assert f"<dc:title>{context['title']}</dc:title>".encode() in parts["docProps/core.xml"]


def test_a_second_build_reads_the_prepared_template_and_imports_neither_library(tmp_path: Path,
                                                                                 own_cache: Path) -> None:
    code = (
        "import runpy, sys\n"
        f"sys.argv = ['reportgen', 'build', {str(SAMPLE)!r}, '-o', sys.argv[1], '--format', 'docx']\n"
        "try:\n    runpy.run_module('reportgen.cli', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'docx', 'docxtpl'}))\n"
    )
    env = os.environ | {"REPORTGEN_CACHE_DIR": str(own_cache)}
    runs = []
    for i in range(2):
        out = tmp_path / f"out{i}"
        done = subprocess.run([sys.executable, "-c", code, str(out)], capture_output=True, text=True,
                              env=env, check=True)
        runs.append((done.stdout.strip().splitlines()[-1], next(out.glob("*.docx")).read_bytes()))
    assert runs[0][0] == "['docx', 'docxtpl']"  # the first build prepares the template
    assert runs[1][0] == "[]"
    assert runs[0][1] == runs[1][1]
    (entry,) = (own_cache / "docx").iterdir()
    assert (own_cache / "docx").stat().st_mode & 0o077 == 0  # the user's own


def test_a_damaged_or_missing_cache_prepares_again(tmp_path: Path, own_cache: Path, context: dict[str, Any],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    pack = find_pack("standard")
    render_docx(context, pack, tmp_path / "a.docx")
    (entry,) = (own_cache / "docx").iterdir()
    entry.write_bytes(entry.read_bytes()[:500])  # cut short, as by a full disk
    monkeypatch.setattr(prepared, "_memory", {})
    render_docx(context, pack, tmp_path / "b.docx")
    assert (tmp_path / "a.docx").read_bytes() == (tmp_path / "b.docx").read_bytes()
    assert zipfile.ZipFile(entry).testzip() is None  # written whole again
    with zipfile.ZipFile(entry, "w") as z:  # whole, but not what this version keeps
        z.writestr(prepared.FACTS, '{"sources": {"word/document.xml": "x"}, "width": 1}')
        z.writestr("word/document.xml", prepared.BODY_MARK)
    monkeypatch.setattr(prepared, "_memory", {})
    render_docx(context, pack, tmp_path / "b.docx")
    assert (tmp_path / "a.docx").read_bytes() == (tmp_path / "b.docx").read_bytes()

    blocked = tmp_path / "blocked"
    blocked.write_text("一个文件，不是文件夹")
    monkeypatch.setenv("REPORTGEN_CACHE_DIR", str(blocked))
    monkeypatch.setattr(prepared, "_memory", {})
    render_docx(context, pack, tmp_path / "c.docx")  # prepared in memory only
    assert (tmp_path / "c.docx").read_bytes() == (tmp_path / "a.docx").read_bytes()


def test_an_edited_template_is_prepared_anew(tmp_path: Path, own_cache: Path, context: dict[str, Any]) -> None:
    pack = variant(tmp_path, {})
    template = pack.find_file("report.docx")
    render_docx(context, pack, tmp_path / "a.docx")
    with zipfile.ZipFile(STANDARD) as src, zipfile.ZipFile(template, "w") as dst:
        for member in src.namelist():
            blob = src.read(member)
            if member == "word/document.xml":
                blob = blob.replace(b"<w:body>", b"<w:body><w:p><w:r><w:t>\xe5\xb7\xb2\xe6\x94\xb9</w:t></w:r></w:p>", 1)
            dst.writestr(member, blob)
    render_docx(context, pack, tmp_path / "b.docx")
    assert len(list((own_cache / "docx").iterdir())) == 2
    with zipfile.ZipFile(tmp_path / "b.docx") as z:
        assert "<w:t>已改</w:t>" in z.read("word/document.xml").decode("utf-8")


def test_a_template_with_footnotes_is_rendered_by_docxtpl(tmp_path: Path, own_cache: Path,
                                                          context: dict[str, Any]) -> None:
    footnotes = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:footnotes xmlns:w="{W[1:-1]}"><w:footnote w:id="1"><w:p><w:r><w:t>{{{{ meta.organ }}}}</w:t></w:r>'
        "</w:p></w:footnote></w:footnotes>"
    ).encode()
    kind = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
    pack = variant(tmp_path, {
        "word/footnotes.xml": footnotes,
        "word/_rels/document.xml.rels": lambda x: x.replace(
            b"</Relationships>", f'<Relationship Id="rId99" Type="{kind}" Target="footnotes.xml"/></Relationships>'.encode()),
        "[Content_Types].xml": lambda x: x.replace(b"</Types>", (
            b'<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            b'wordprocessingml.footnotes+xml"/></Types>')),
    })
    out = tmp_path / "notes.docx"
    render_docx(context, pack, out)
    with zipfile.ZipFile(out) as z:
        assert context["meta"]["organ"] in z.read("word/footnotes.xml").decode("utf-8")
    (entry,) = (own_cache / "docx").iterdir()
    assert zipfile.ZipFile(entry).namelist() == [prepared.FACTS]  # kept as "docxtpl renders it"


def _no_section(xml: bytes) -> bytes:
    return re.sub(rb"<w:sectPr\b.*?</w:sectPr>", b"", xml, flags=re.S)


def _no_body(xml: bytes) -> bytes:
    return re.sub(rb"<w:body>.*</w:body>", b"", xml, flags=re.S)


def _mark_outside_body(xml: bytes) -> bytes:
    return xml.replace(b"<w:body>", prepared.BODY_MARK + b"<w:body>", 1)


@pytest.mark.parametrize("edit", [_no_section, _mark_outside_body])
def test_an_odd_template_renders_as_docxtpl_renders_it(tmp_path: Path, context: dict[str, Any], edit: Any) -> None:
    """A template without a section (no page size: the text width is A4's), or one that holds
    the preparation's own mark: the same document either way, never a traceback."""
    parts = both_ways(context, variant(tmp_path, {"word/document.xml": edit}))
    body = parts["word/document.xml"].decode("utf-8")
    assert context["title_lines"][0] in body
    assert body.count("<w:body>") == 1 and body.index("<w:body>") < body.index(context["title_lines"][0])


def test_a_template_without_a_body_is_a_pack_error(tmp_path: Path, context: dict[str, Any]) -> None:
    pack = variant(tmp_path, {"word/document.xml": _no_body})
    with pytest.raises(PackError, match="没有正文") as info:
        render_docx(context, pack, tmp_path / "out.docx")
    assert "report.docx" in str(info.value) and "请确认它是用 Word 或 WPS 保存的" in str(info.value)
    assert not (tmp_path / "out.docx").exists()
