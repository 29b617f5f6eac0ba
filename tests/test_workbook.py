"""The standard workbook: layout, round trips (openpyxl and LibreOffice), identities, bad cells."""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from helpers import fill_workbook, needs_soffice, set_cells, soffice_convert

from reportgen.app.pipeline import check
from reportgen.compute import derive
from reportgen.errors import UnreadableInput
from reportgen.findings import ERROR, flatten
from reportgen.formats import get_format
from reportgen.formats.grids import NUMBER
from reportgen.formats.workbook import DERIVED, INPUT, PREVIOUS, TABLE_TOP, addr, checks, layout, table_grids
from reportgen.model import following_year
from reportgen.read import load
from reportgen.read.workbook import read_workbook
from reportgen.resources import sample_json, sample_workbook
from reportgen.write.workbook import write_workbook

FMT = get_format()
LAY = layout(FMT)
REQ = FMT.requests.sheet


@pytest.fixture(scope="module")
def lanshan():
    return load(sample_json())


@pytest.fixture
def filled(tmp_path, lanshan) -> Path:
    """A blank workbook with the Lanshan figures typed into its input cells."""
    path = tmp_path / "兰山区2021.xlsx"
    write_workbook(path)
    fill_workbook(path, lanshan)
    return path


@pytest.fixture(scope="module")
def converted(tmp_path_factory, lanshan) -> tuple[Path, Path]:
    """(openpyxl-filled workbook, the same after LibreOffice recalculated and saved it)."""
    folder = tmp_path_factory.mktemp("lo")
    path = folder / "filled.xlsx"
    write_workbook(path)
    fill_workbook(path, lanshan)
    return path, soffice_convert(path, folder / "out")


def cell_of(key: str) -> str:
    return LAY.slots[key].cell


def errors_of(report) -> list[list[str]]:
    return flatten([f for f in check(report) if f.severity == ERROR], "sheet", "cell", "code")


# ---- Round trips ------------------------------------------------------------------------


def test_blank_filled_through_openpyxl_reads_back_the_json(filled, lanshan):
    report = read_workbook(filled)
    assert report.figures == lanshan.figures
    assert report.meta == lanshan.meta
    assert report.narrative == lanshan.narrative
    assert report.previous is not None and lanshan.previous is not None
    assert report.previous.figures == lanshan.previous.figures
    assert report.previous.year == lanshan.previous.year == 2020
    assert errors_of(report) == []
    assert report.where["requests.new.natural_person"].cell == "D6"
    assert str(report.where["requests.new.natural_person"]) == f"{REQ}!D6"


def test_the_committed_sample_equals_its_json_twin(lanshan):
    report = load(sample_workbook())
    assert errors_of(report) == []
    assert (report.figures, report.meta, report.narrative) == (lanshan.figures, lanshan.meta, lanshan.narrative)
    assert report.previous.figures == lanshan.previous.figures
    assert report.previous.year == lanshan.previous.year


def test_workbook_written_from_a_report_reads_back_the_report(tmp_path, lanshan):
    path = tmp_path / "out.xlsx"
    write_workbook(path, report=lanshan)
    report = read_workbook(path)
    assert report.figures == lanshan.figures
    assert report.narrative == lanshan.narrative
    assert report.given == {}  # openpyxl saves formulas without results: nothing to trust


def test_reading_never_modifies_the_input(filled):
    before = (filled.read_bytes(), filled.stat().st_mtime_ns)
    read_workbook(filled)
    read_workbook(filled, engine="openpyxl")
    assert (filled.read_bytes(), filled.stat().st_mtime_ns) == before


def test_both_engines_read_the_same(filled):
    a = read_workbook(filled, engine="calamine")
    b = read_workbook(filled, engine="openpyxl")
    assert (a.figures, a.meta, a.narrative, a.previous) == (b.figures, b.meta, b.narrative, b.previous)


@needs_soffice
def test_libreoffice_saved_workbook_reads_the_same_and_its_totals_agree(converted, lanshan):
    _, lo = converted
    report = read_workbook(lo)
    assert report.figures == lanshan.figures
    assert report.narrative == lanshan.narrative
    assert report.previous.figures == lanshan.previous.figures
    # LibreOffice computed every total shown; they are read as given and agree with ours.
    shown = {k for k, s in LAY.slots.items() if s.role == DERIVED}
    assert set(report.given) == shown
    values = derive(FMT, lanshan.figures)
    assert {k: values[k] for k in shown} == report.given
    assert report.given["requests.handled.total"] == 224
    assert errors_of(report) == []


@needs_soffice
def test_live_checks_show_a_tick_after_libreoffice_computes_them(converted):
    original, lo = converted
    formulas = openpyxl.load_workbook(original)
    computed = openpyxl.load_workbook(lo, data_only=True)
    live = checks(FMT, LAY)
    assert all(formulas[c.sheet][c.cell].value == c.formula for c in live)
    shown = {(c.code, computed[c.sheet][c.cell].value) for c in live}
    # Lanshan's 2020 figures are totals only: nothing to compare 上年结转 with, totals pass.
    assert shown == {("balance", "✓"), ("carried_in_mismatch", None), ("previous_year", "✓"),
                     ("previous_sum", "✓"), ("previous_sum", None), ("", "✓ 本表检查通过")}


@needs_soffice
def test_live_check_names_a_broken_balance(tmp_path, filled):
    key = "requests.carried_out.natural_person"
    set_cells(filled, {(REQ, cell_of(key)): 12})
    lo = read_workbook(soffice_convert(filled, tmp_path / "lo"))
    assert errors_of(lo) == [[REQ, "D6:D28,D30", "balance"]]
    computed = openpyxl.load_workbook(tmp_path / "lo" / filled.name, data_only=True)[REQ]
    assert computed["D31"].value == "✗233≠234"  # directly under the 自然人 column
    assert computed["L3"].value.startswith("✗")  # beside the heading, without scrolling


@needs_soffice
def test_a_formula_typed_into_an_input_cell_is_read_by_its_result_with_a_warning(tmp_path, filled):
    set_cells(filled, {(REQ, "D6"): "=200+30"})
    report = read_workbook(soffice_convert(filled, tmp_path / "lo"))
    assert report.figures["requests.new.natural_person"] == 230
    assert [f for f in flatten(report.findings, "cell", "code") if f[0] == "D6"] == [["D6", "formula_input"]]


# ---- Identities ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        # a wrong number typed over the 总计 formula of a row
        ({(REQ, "J6"): 999}, [[REQ, "J6", "row_total"]]),
        # …over （七）总计 of a column
        ({(REQ, "D29"): 221}, [[REQ, "D29", "handled_sum"]]),
        # …over a table 4 总计
        ({(FMT.appeals.sheet, "E6"): 17}, [[FMT.appeals.sheet, "E6", "appeal_total"]]),
        # 一 + 二 ≠ （七） + 四 in the 自然人 column: once, at its typed cells (not at 总计)
        ({(REQ, "D30"): 12}, [[REQ, "D6:D28,D30", "balance"]]),
    ],
    ids=["row_total", "handled_sum", "appeal_total", "balance"],
)
def test_a_broken_identity_is_reported_at_its_cell(filled, cells, expected):
    set_cells(filled, cells)
    assert errors_of(read_workbook(filled)) == expected


def test_group_and_combined_totals_never_show_so_a_workbook_cannot_contradict_them():
    hidden = {s.target for s in FMT.sums if s.code in ("group_sum", "combined_sum")}
    assert hidden
    assert not any(LAY.slots.get(k) and LAY.slots[k].role == DERIVED for k in hidden)


# ---- Bad cells ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "code", "value"),
    [
        ("十二", "not_integer", None),
        ("12abc", "not_integer", None),
        (-3, "negative", None),
        (1.5, "not_integer", None),
        (dt.date(2021, 3, 1), "not_integer", None),
        (True, "not_integer", None),
        ("#REF!", "cell_error", None),
        ("=1+2", "formula_no_value", None),  # openpyxl saves no result for it
        ("１２３", "text_number", 123),
        ("1,234", "text_number", 1234),
        (None, "blank_as_zero", 0),
        ("/", "blank_as_zero", 0),
        ("—", "blank_as_zero", 0),
        ("无", "blank_as_zero", 0),
    ],
)
def test_a_bad_cell_is_named_with_its_code(filled, typed, code, value):
    set_cells(filled, {(REQ, "D6"): typed})
    report = read_workbook(filled)
    at_d6 = [f for f in flatten(report.findings, "sheet", "cell", "code") if f[1] == "D6"]
    assert at_d6 == [[REQ, "D6", code]]
    assert report.figures.get("requests.new.natural_person") == value


def test_an_amount_with_seven_decimals_is_refused(filled):
    cell = cell_of("active_disclosure.fees.amount")
    set_cells(filled, {(FMT.active.sheet, cell): 1210.0000001})
    report = read_workbook(filled)
    assert [f for f in flatten(report.findings, "sheet", "cell", "code") if f[0] == FMT.active.sheet] == [
        [FMT.active.sheet, cell, "not_money"]
    ]


def test_an_amount_reads_as_decimal(filled):
    assert read_workbook(filled).figures["active_disclosure.fees.amount"] == Decimal("1210.06")


def test_a_table_left_empty_is_one_warning(tmp_path):
    path = tmp_path / "blank.xlsx"
    write_workbook(path, organ="临沂市兰山区人民政府", year=2021)
    report = read_workbook(path)
    empty = [f for f in flatten(report.findings, "sheet", "code") if f[1] == "table_empty"]
    assert empty == [[FMT.active.sheet, "table_empty"], [REQ, "table_empty"], [FMT.appeals.sheet, "table_empty"]]
    assert report.figures["requests.new.natural_person"] == 0
    assert report.meta["organ"] == "临沂市兰山区人民政府" and report.meta["year"] == 2021
    assert report.previous is None


# ---- Structure ----------------------------------------------------------------------------


def test_rows_inserted_above_a_table_are_followed(filled, lanshan):
    wb = openpyxl.load_workbook(filled)
    wb[REQ].insert_rows(1, 2)  # openpyxl moves values, not merges: enough for the reader
    wb.save(filled)
    report = read_workbook(filled)
    assert report.figures == lanshan.figures
    assert report.where["requests.new.natural_person"].cell == "D8"


def test_a_renamed_sheet_is_named_in_the_error(filled):
    wb = openpyxl.load_workbook(filled)
    wb[REQ].title = "Sheet3"
    wb.save(filled)
    with pytest.raises(UnreadableInput, match=f"缺少工作表“{REQ}”.*Sheet3"):
        read_workbook(filled)


def test_a_changed_label_is_named_with_its_cell(filled):
    set_cells(filled, {(REQ, "C10"): "1.属于国家机密"})
    with pytest.raises(UnreadableInput, match=f"{REQ}!C10.*1.属于国家秘密"):
        read_workbook(filled)


def test_a_missing_table_names_the_label_looked_for(filled):
    set_cells(filled, {(REQ, "A3"): None})
    with pytest.raises(UnreadableInput, match=f"{REQ}.*找不到表格标签"):
        read_workbook(filled)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "文件是空的"),
        (b"name,count\n\xe8\x87\xaa,1\n", "不是Excel工作簿"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"), "打开密码"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "旧版Excel"),
    ],
    ids=["empty", "csv", "password", "xls"],
)
def test_a_file_that_is_not_a_workbook_is_unreadable(tmp_path, content, message):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    with pytest.raises(UnreadableInput, match=message) as e:
        load(path)
    assert e.value.exit_code == 2
    assert str(path) in str(e.value)


def test_a_zip_that_is_not_a_workbook_is_unreadable(tmp_path):
    path = tmp_path / "report.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", "<w/>")
    with pytest.raises(UnreadableInput, match="Word文档"):
        load(path)


# ---- Layout -------------------------------------------------------------------------------


def merged(ws) -> set[str]:
    return {str(r) for r in ws.merged_cells.ranges}


@pytest.fixture(scope="module")
def blank(tmp_path_factory):
    path = tmp_path_factory.mktemp("blank") / "blank.xlsx"
    write_workbook(path)
    return openpyxl.load_workbook(path)


def test_sheets_in_order(blank):
    assert blank.sheetnames == ["基本信息", "主动公开", "依申请公开", "复议诉讼", "上年数据", "正文"]


@pytest.mark.parametrize("grid_key", ["active", "requests", "appeals"])
def test_tables_are_laid_out_as_the_printed_grids(blank, grid_key):
    grid = table_grids(FMT)[grid_key]
    sheet, top = LAY.tables[grid_key]
    ws = blank[sheet]
    spans = {
        f"{addr(top + c.row, 1 + c.col)}:{addr(top + c.row + c.rowspan - 1, c.col + c.colspan)}"
        for c in grid.cells
        if c.rowspan > 1 or c.colspan > 1
    }
    assert spans <= merged(ws)
    for c in grid.cells:
        if c.kind != NUMBER:
            assert ws.cell(top + c.row, 1 + c.col).value == c.text


def test_table_three_header_spans(blank):
    ws = blank[REQ]
    assert {"A3:C5", "D3:J3", "E4:I4", "D4:D5", "J4:J5", "A8:A29", "B10:B17"} <= merged(ws)
    assert ws["A8"].value == "三、本年度办理结果" and ws["B10"].value == "（三）不予公开"
    assert ws["J6"].value == "=SUM(D6:I6)" and ws["D29"].value == "=SUM(D8:D28)"


def test_table_four_header_spans(blank):
    ws = blank[FMT.appeals.sheet]
    assert {"A3:E3", "F3:O3", "F4:J4", "K4:O4", "A4:A5"} <= merged(ws)
    assert [ws[c].value for c in ("A3", "F3", "F4", "K4")] == ["行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉"]
    assert ws["E6"].value == "=SUM(A6:D6)"


def test_inputs_unlocked_and_validated_everything_else_locked(blank):
    for ws in blank.worksheets:
        assert ws.protection.sheet and not ws.protection.password
    inputs = {(s.sheet, s.cell): s for s in LAY.slots.values() if s.role in (INPUT, PREVIOUS)}
    for (sheet, cell), slot in inputs.items():
        assert blank[sheet][cell].protection.locked is False
        rules = [dv for dv in blank[sheet].data_validations.dataValidation if cell in dv.sqref]
        assert len(rules) == 1, (sheet, cell)
        assert rules[0].type == ("decimal" if slot.kind == "money" else "whole")
        assert rules[0].formula1 == ("2008" if slot.kind == "year" else "0")
        assert rules[0].prompt and rules[0].error and rules[0].showErrorMessage
    ws = blank[REQ]
    assert ws["C10"].protection.locked and ws["J6"].protection.locked
    assert ws["D6"].fill.fgColor.rgb.endswith("FFF9D6")


def test_print_setup(blank):
    assert blank[REQ].page_setup.orientation == "landscape"
    assert blank[FMT.appeals.sheet].page_setup.orientation == "landscape"
    assert blank[FMT.active.sheet].page_setup.orientation == "portrait"
    for name in (REQ, FMT.appeals.sheet, FMT.active.sheet):
        ws = blank[name]
        assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert blank[REQ].freeze_panes == f"D{TABLE_TOP + 3}"


def test_layout_places_every_key_once():
    places = [(s.sheet, s.cell) for s in LAY.slots.values()]
    assert len(places) == len(set(places))
    assert {k for k, _ in FMT.input_figures()} <= set(LAY.slots)
    assert {f"narrative.{s.key}" for s in FMT.narrative} <= set(LAY.slots)
    assert {f"meta.{f.key}" for f in FMT.meta} | {f"meta.contact.{f.key}" for f in FMT.contact} <= set(LAY.slots)
    # 上年数据 takes group totals, the 总计 column and the combined 行政诉讼 block directly.
    for key in ("requests.denied.total", "requests.handled.natural_person", "appeals.litigation.total"):
        assert LAY.slots[f"previous.{key}"].role == PREVIOUS


# ---- Last year ----------------------------------------------------------------------------


def test_previous_fills_last_year_and_carries_its_pending_requests(tmp_path, lanshan):
    path = tmp_path / "2022.xlsx"
    write_workbook(path, report=following_year(lanshan, year=2022))
    report = read_workbook(path)
    req = FMT.requests
    for c in req.input_columns():
        key = f"{req.key}.carried_in.{c.key}"
        assert report.figures[key] == lanshan.figures[f"{req.key}.carried_out.{c.key}"]
    assert report.figures["requests.carried_in.natural_person"] == 11
    assert report.previous.year == 2021
    assert report.previous.figures == lanshan.figures
    assert report.previous.where["requests.new.natural_person"].sheet == FMT.previous_sheet
    assert not [f for f in check(report) if f.code == "carried_in_mismatch"]
    assert report.meta["organ"] == "临沂市兰山区人民政府" and report.meta["year"] == 2022
    assert report.meta["contact"]["phone"] == lanshan.meta["contact"]["phone"]


def test_the_same_content_gives_the_same_bytes(tmp_path, lanshan):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_workbook(a, report=lanshan)
    write_workbook(b, report=lanshan)
    assert a.read_bytes() == b.read_bytes()


@pytest.mark.parametrize("name", ["2022.xlsx", "2022.json"])
def test_init_loads_last_years_file(tmp_path, lanshan, name):
    import subprocess
    import sys

    path = tmp_path / name
    result = subprocess.run([sys.executable, "-m", "reportgen.cli", "init", str(path), "--previous", str(sample_workbook())],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    report = load(path)
    assert report.meta["year"] == 2022 and report.meta["organ"] == "临沂市兰山区人民政府"
    assert report.previous.figures == lanshan.figures
    assert report.figures["requests.carried_in.natural_person"] == 11
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temporary file left behind


def test_blank_previous_cells_are_unknown_not_zero(filled):
    set_cells(filled, {(FMT.previous_sheet, LAY.slots["previous.requests.new.total"].cell): None})
    report = read_workbook(filled)
    assert "requests.new.total" not in report.previous.figures
    assert "requests.carried_in.total" not in report.previous.figures


def test_the_far_cell_shortcut_agrees_with_converting_the_address():
    """The reader tells far cells by their letters without converting them (a sheet has thousands
    of cells); it must agree with the conversion around both bounds, and take what is not a plain
    address as far."""
    from reportgen.formats.workbook import col_letter
    from reportgen.read.workbook import READ_COLS, READ_ROWS, _far_cell

    for col in [*range(1, 800), 16384, 18278]:
        for row in (1, READ_ROWS, READ_ROWS + 1, 1048576):
            assert _far_cell(f"{col_letter(col)}{row}") == (col > READ_COLS or row > READ_ROWS)
    assert _far_cell("") and _far_cell("12") and _far_cell("XFD1048576")
    assert not _far_cell("gr12")  # a lower-case address still converts, to column 200
