"""Property-based fuzzing of the readers: whatever a cell or a JSON document holds, the answer is a
finding with a location or a `ReportgenError` with a message, never another exception.

Examples per test come from REPORTGEN_FUZZ_EXAMPLES (CI default keeps the suite fast); see the
README section “维护者：模糊测试” for a long run.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from corpus import REQ, sample_doc
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reportgen.app.pipeline import check
from reportgen.errors import ReportgenError
from reportgen.findings import ERROR, Location
from reportgen.formats import get_format
from reportgen.formats.workbook import INPUT, layout
from reportgen.read.document import from_document, read_json
from reportgen.read.values import parse_figure
from reportgen.read.workbook import read_workbook
from reportgen.resources import sample_workbook

SCALE = int(os.environ.get("REPORTGEN_FUZZ_EXAMPLES", "0") or 0)


def examples(default: int) -> settings:
    return settings(
        max_examples=SCALE or default,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


# What calamine or a JSON parser can hand a reader, and then some.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-10**6, max_value=10**9),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.decimals(places=3, min_value=-10**6, max_value=10**10),
    st.text(),
    st.text(alphabet="0123456789,.-+ ０１２３４５６７８９，。十二万亿/—无e", max_size=12),
    st.from_regex(r"\A[0-9]{1,4000}\Z", fullmatch=True),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.timedeltas(),
    st.binary(max_size=8),
    st.lists(st.integers(), max_size=2),
)


@examples(400)
@given(raw=scalars, kind=st.sampled_from(["count", "money"]), text_ok=st.booleans())
def test_parse_figure_returns_a_value_or_an_error_never_raises(raw, kind, text_ok):
    where = Location(file="x.xlsx", sheet=REQ, cell="D6")
    parsed = parse_figure(raw, kind, where, "requests.new.natural_person", text_ok=text_ok)
    errors = [f for f in parsed.findings if f.severity == ERROR]
    assert (parsed.value is None) == bool(errors)
    assert all(str(f.location) == f"{REQ}!D6" and f.message for f in parsed.findings)
    if parsed.value is not None:
        assert parsed.value >= 0
        if kind == "count":
            assert type(parsed.value) is int and parsed.value <= 100_000_000
        else:
            assert isinstance(parsed.value, Decimal) and parsed.value == parsed.value.quantize(Decimal("0.000001"))


# Findings about the file as a whole (open in Excel, nothing filled in) point at the file.
WHOLE_FILE = {"file_open", "not_filled"}


def assert_located(findings) -> None:
    for f in findings:
        assert f.message, f
        assert f.location.file, f
        # a sheet!cell or a JSON key: something to point at
        assert str(f.location) or f.code in WHOLE_FILE, f


# ---- Workbook: random values typed into random input cells of a real workbook -------------------

LAY = layout(get_format())
INPUT_CELLS = sorted((s.sheet, s.cell) for s in LAY.slots.values() if s.role == INPUT)
# What openpyxl can store in a cell: it refuses control characters, as Excel does.
cell_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)
cell_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    cell_text,
    st.sampled_from(["#REF!", "#DIV/0!", "#N/A", "#VALUE!", "=1/0", "=SUM(A1:A2)", "=D7", "１２３", "1,234",
                     "1.5", "十二", "12abc", "-3", "/", "—", "0件"]),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 1, 1)),
)


class _Workbook(bytes):
    """The sample workbook's bytes, shown briefly: hypothesis writes out every argument of a
    failing or slow example, and 30 kB of bytes as text is 87 kB (which it refuses with a warning)."""

    def __repr__(self) -> str:
        return f"<示例工作簿，{len(self)} 字节>"


@pytest.fixture(scope="module")
def workbook_bytes() -> bytes:
    return _Workbook(sample_workbook().read_bytes())


@examples(12)
@given(cells=st.dictionaries(st.sampled_from(INPUT_CELLS), cell_values, min_size=1, max_size=4))
def test_random_cells_in_a_real_workbook_give_located_findings(tmp_path, workbook_bytes, cells):
    import openpyxl

    path = tmp_path / "fuzz.xlsx"
    path.write_bytes(workbook_bytes)
    wb = openpyxl.load_workbook(path)
    for (sheet, cell), value in cells.items():
        wb[sheet][cell] = value
    wb.save(path)
    try:
        report = read_workbook(path)
    except ReportgenError as e:
        assert str(path) in str(e)
        return
    assert_located(report.findings)
    findings = check(report)
    assert_located(findings)
    for (sheet, cell), value in cells.items():
        bad = [f for f in report.findings if f.location.sheet == sheet and f.location.cell == cell]
        key = next(k for k, s in LAY.slots.items() if (s.sheet, s.cell) == (sheet, cell))
        if key not in report.figures:
            assert any(f.severity == ERROR for f in bad), (cell, value)  # refused, and said where


@examples(15)
@given(junk=st.binary(min_size=1, max_size=2000), at=st.integers(min_value=0))
@example(junk=b"\x00&", at=128_175_944_214)  # a sheet's deflated data cut short: EOFError in the one-pass scan
def test_random_bytes_in_a_workbook_zip_are_unreadable_or_read(tmp_path, workbook_bytes, junk, at):
    """Damage anywhere (the directory, a header, a deflated sheet): a message, or a located report."""
    data = bytearray(workbook_bytes)
    at %= len(data)
    data[at : at + len(junk)] = junk
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(bytes(data))
    try:
        report = read_workbook(path)
    except ReportgenError as e:
        assert str(path) in str(e)
        return
    assert_located(report.findings)


# ---- JSON: random documents and mutations of the sample -----------------------------------------

json_leaves = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20),
    st.sampled_from(["十二", "12abc", "1.5", "１２３", "1,234", "-3", "", "2021年", "∞"]),
)
json_values = st.recursive(
    json_leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=30,
)
SECTIONS = ["format", "meta", "active_disclosure", "requests", "appeals", "other_matters", "previous", "narrative",
            "units"]


def paths_of(node: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += paths_of(v, (*prefix, k))
    return out


SAMPLE = sample_doc()
SAMPLE_PATHS = paths_of(SAMPLE)


def from_json_roundtrip(doc: Any) -> Any:
    """What json.loads would give (Decimal floats, as the reader parses them)."""
    return json.loads(json.dumps(doc, ensure_ascii=False), parse_float=Decimal)


def read_or_refuse(doc: Any) -> None:
    try:
        report = from_document(from_json_roundtrip(doc), source="fuzz.json")
    except ReportgenError as e:
        assert "fuzz.json" in str(e)
        return
    assert_located(report.findings)
    assert_located(check(report))


@examples(150)
@given(doc=st.one_of(json_values, st.dictionaries(st.sampled_from(SECTIONS), json_values, max_size=6)))
def test_random_json_documents_are_read_or_refused(doc):
    read_or_refuse(doc)


@examples(150)
@given(
    edits=st.lists(
        st.tuples(st.sampled_from(SAMPLE_PATHS), st.one_of(st.just("drop"), json_values)), min_size=1, max_size=5
    )
)
def test_mutations_of_the_sample_json_are_read_or_refused(edits):
    doc = json.loads(json.dumps(SAMPLE))
    for path, change in edits:
        node = doc
        for part in path[:-1]:
            if not isinstance(node, dict) or part not in node:
                break
            node = node[part]
        else:
            if isinstance(node, dict):
                if change == "drop":
                    node.pop(path[-1], None)
                else:
                    node[path[-1]] = change
    read_or_refuse(doc)


@examples(60)
@given(text=st.text(max_size=200), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gbk", "utf-16"]))
def test_random_json_text_is_read_or_refused(tmp_path, text, encoding):
    path = tmp_path / "随机.json"
    try:
        path.write_bytes(text.encode(encoding))
    except UnicodeEncodeError:
        return  # not representable in that encoding: nothing a clerk could save
    try:
        read_json(path)
    except ReportgenError as e:
        assert str(e).startswith(str(path))


# ---- Workbook geometry: cells far out, merged ranges, hidden sheets (in a bounded process) --------

far_cells = st.tuples(st.integers(min_value=1, max_value=1_048_576), st.integers(min_value=1, max_value=16_384))
SHEETS = sorted({s for s, _ in INPUT_CELLS})


@examples(4)
@given(
    far=st.lists(st.tuples(st.sampled_from(SHEETS), far_cells), max_size=3),
    merges=st.lists(st.tuples(st.sampled_from(INPUT_CELLS), st.integers(0, 3), st.integers(0, 3)), max_size=2),
    hidden=st.lists(st.tuples(st.sampled_from(SHEETS), st.sampled_from(["hidden", "veryHidden"])), max_size=2),
)
def test_workbook_geometry_is_read_within_bounds(tmp_path, workbook_bytes, far, merges, hidden):
    """Whatever the shape of the sheets, `check` answers 0/1/2 with a message, never a crash,
    within the memory and time of test_attacks.run_bounded (a stray XFD1048576 once asked for 512 GB)."""
    import openpyxl
    from openpyxl.utils import get_column_letter
    from test_attacks import run_bounded

    path = tmp_path / "形状.xlsx"
    path.write_bytes(workbook_bytes)
    wb = openpyxl.load_workbook(path)
    for sheet, (row, col) in far:
        wb[sheet].cell(row=row, column=col, value="x")
    for (sheet, cell), down, right in merges:
        col, row = LAY_SPLIT(cell)
        wb[sheet].merge_cells(f"{cell}:{get_column_letter(col + right)}{row + down}")
    for sheet, state in hidden:
        if sum(ws.sheet_state == "visible" for ws in wb.worksheets) > 1:
            wb[sheet].sheet_state = state
    wb.save(path)

    result = run_bounded("check", path)
    both = result.stdout + result.stderr
    assert result.returncode in (0, 1, 2), both[-2000:]
    assert "Traceback" not in both and "内部错误" not in both, both[-2000:]
    assert str(path) in both


def LAY_SPLIT(cell: str) -> tuple[int, int]:  # noqa: N802 - reads like the function it wraps
    from reportgen.formats.workbook import split_cell

    return split_cell(cell)


# ---- Unicode classes in every text field: cleaned, located, and the build writes clean names -----

hostile_chars = st.one_of(
    st.characters(whitelist_categories=("Cc",)),
    st.characters(whitelist_categories=("Cs",)),
    st.characters(whitelist_categories=("Cf",)),  # bidi overrides, zero-width, BOM
    st.sampled_from(list("\u202e\u2066\u200b\u200d\ufeff\ufffe\uffff\x0b\x00")),
    st.characters(whitelist_categories=("Lo", "Nd", "Zs")),
)
hostile_text = st.text(hostile_chars, max_size=12)
TEXT_FIELDS = [("meta", f.key) for f in get_format().meta if f.key != "year"] + \
    [("contact", f.key) for f in get_format().contact] + [("narrative", s.key) for s in get_format().narrative]


@examples(6)
@given(texts=st.dictionaries(st.sampled_from(TEXT_FIELDS), hostile_text, min_size=1, max_size=6))
def test_unicode_classes_in_every_text_field_build_or_are_refused(tmp_path, texts):
    import unicodedata

    from reportgen.app.pipeline import build

    doc = json.loads(json.dumps(SAMPLE))
    for (part, key), text in texts.items():
        if part == "meta":
            doc["meta"][key] = "兰山区" + text if key == "organ" else text
        elif part == "contact":
            doc["meta"].setdefault("contact", {})[key] = text
        else:
            doc["narrative"][key] = text
    source = tmp_path / "文字.json"
    source.write_bytes(json.dumps(doc, ensure_ascii=True).encode())  # lone surrogates as \ud800 escapes
    out = tmp_path / "out"
    shutil.rmtree(out, ignore_errors=True)
    try:
        result = build(source, out, ("docx", "html", "json"))
    except ReportgenError as e:
        assert str(source) in str(e) or str(out) in str(e)
        return
    assert_located(result.findings)
    for path in result.outputs:
        assert not [c for c in path.name if unicodedata.category(c) in ("Cc", "Cf", "Cs")], repr(path.name)
        if path.suffix != ".docx":  # valid UTF-8 (read_text would raise), nothing invisible left
            written = path.read_text(encoding="utf-8")
            assert not [c for c in written if c in "\u202e\u2066\u200b\ufeff\x00\x0b"], path.name


# ---- pack.toml: values of every TOML type under every key --------------------------------------

toml_values = st.recursive(
    st.one_of(st.text(max_size=8), st.integers(), st.floats(allow_nan=False), st.booleans(),
              st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 1, 1)),
              st.sampled_from(["standard", "lanshan", "gov-2021", "gov-2019", "", "../standard"])),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.from_regex(r"\A[a-z_]{1,8}\Z"), inner, max_size=3),
    max_leaves=6,
)
MANIFEST_KEYS = ["name", "display_name", "format", "extends", "settings", "headings", "unknown"]


def toml_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if not isinstance(value, float) or value == value else "nan"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_text(v) for v in value) + "]"
    return "{" + ", ".join(f"{k} = {toml_text(v)}" for k, v in value.items()) + "}"


@examples(8)
@given(manifest=st.dictionaries(st.sampled_from(MANIFEST_KEYS), toml_values, max_size=5))
def test_pack_manifests_of_every_type_are_checked_not_crashed(tmp_path, manifest):
    import tempfile

    from reportgen.app.packcheck import check_pack
    from reportgen.render.packs import available

    packs = Path(tempfile.mkdtemp(dir=tmp_path))  # tmp_path is shared by hypothesis' examples
    pack = packs / "随机"
    pack.mkdir()
    (pack / "pack.toml").write_text("".join(f"{k} = {toml_text(v)}\n" for k, v in manifest.items()), encoding="utf-8")
    problems = check_pack(pack)  # a list of Chinese lines, or none: never an exception
    assert all(isinstance(p, str) and p for p in problems)
    try:
        available(packs)
    except ReportgenError as e:
        assert "pack.toml" in str(e) or "模板包" in str(e)
