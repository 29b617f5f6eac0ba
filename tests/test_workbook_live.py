"""The workbook's live checks as a clerk sees them after LibreOffice recalculates: each over typed
cells, each able to fail; and the findings of `check` at the cells a clerk can type in, once."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from helpers import run_cli, set_cells, soffice_convert

from reportgen.compute import derive
from reportgen.findings import ERROR, WARNING
from reportgen.formats import get_format
from reportgen.formats.workbook import (
    CHECK_BAD,
    DERIVED,
    INPUT,
    META,
    PREVIOUS,
    TEXT,
    addr,
    checks,
    layout,
    split_cell,
)
from reportgen.model import Previous
from reportgen.read import load
from reportgen.resources import sample_json, sample_workbook
from reportgen.write.workbook import write_workbook

FMT = get_format()
LAY = layout(FMT)
LIVE = checks(FMT, LAY)
REQ = FMT.requests.sheet
PREV = FMT.previous_sheet
needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")

TYPED = {(s.sheet, s.cell) for s in LAY.slots.values() if s.role in (INPUT, PREVIOUS, META, TEXT)}
CHECK_CELLS = {(c.sheet, c.cell) for c in LIVE}
_REF = re.compile(r"(?:'([^']+)'!)?\$?([A-Z]{1,3})\$?([0-9]+)(?::\$?([A-Z]{1,3})\$?([0-9]+))?")


def referenced(sheet: str, formula: str) -> set[tuple[str, str]]:
    """Every cell a formula reads (ranges expanded), with its sheet; text in quotes skipped."""
    out = set()
    for m in _REF.finditer(re.sub(r'"[^"]*"', '""', formula)):
        where = m.group(1) or sheet
        c1, r1 = split_cell(m.group(2) + m.group(3))
        c2, r2 = split_cell((m.group(4) or m.group(2)) + (m.group(5) or m.group(3)))
        for col in range(c1, c2 + 1):
            for row in range(r1, r2 + 1):
                out.add((where, addr(row, col)))
    return out


def cells_of(location: str) -> set[str]:
    """D6:D28,D30 → every cell it names."""
    out = set()
    for part in location.split(","):
        a, _, b = part.partition(":")
        (c1, r1), (c2, r2) = split_cell(a), split_cell(b or a)
        out |= {addr(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
    return out


# ---- What the checks read ------------------------------------------------------------------


def test_no_live_check_reads_a_formula_total():
    """A check over a total that is itself a formula of its parts could never fail: every live
    check reads only cells a clerk types (or, for the summary, the other checks)."""
    assert LIVE
    derived = {(s.sheet, s.cell) for s in LAY.slots.values() if s.role == DERIVED}
    for c in LIVE:
        cells = referenced(c.sheet, c.formula)
        assert cells, c
        assert not cells & derived, (c.cell, sorted(cells & derived))
        assert cells <= TYPED | CHECK_CELLS, (c.cell, sorted(cells - TYPED - CHECK_CELLS))
        if c.code:  # each rule's check marks the typed cells it reads
            assert c.marks and all(cond.count(CHECK_BAD) or "AND(" in cond for _, cond in c.marks)


def test_checks_sit_directly_under_table_three_and_beside_last_years_rows():
    grid_bottom = 3 + 28 - 1  # TABLE_TOP + rows of table 3
    rows = {split_cell(c.cell)[1] for c in LIVE if c.sheet == REQ and c.code}
    assert rows == {grid_bottom + 1, grid_bottom + 2}
    summary = next(c for c in LIVE if c.sheet == REQ and not c.code)
    assert split_cell(summary.cell)[1] == 3  # in the frozen heading rows
    for c in LIVE:
        if c.sheet == PREV and c.code == "previous_sum":
            rows_checked = {LAY.slots[k].row for k in c.keys}
            assert rows_checked == {split_cell(c.cell)[1]}  # beside the row it checks


def test_the_print_area_holds_the_checks_under_table_three(tmp_path):
    path = tmp_path / "blank.xlsx"
    write_workbook(path)
    ws = openpyxl.load_workbook(path)[REQ]
    assert ws.print_area.endswith("$J$32")
    assert "检查" in ws["A31"].value and "上年" in ws["A32"].value


# ---- Through LibreOffice ----------------------------------------------------------------------


def baseline_report():
    """Lanshan 2021 with every figure of last year typed, totals included, all consistent:
    last year's 结转下年度 equal to this year's 上年结转."""
    report = load(sample_json())
    figures = dict(report.figures)
    req = FMT.requests
    for c in req.input_columns():
        figures[f"{req.key}.carried_out.{c.key}"] = report.figures[f"{req.key}.carried_in.{c.key}"]
    everything = derive(FMT, figures)
    typed = {k: v for k, v in everything.items() if f"previous.{k}" in LAY.slots}
    report.previous = Previous(year=2020, figures=typed)
    return report


def mutations() -> list[dict[tuple[str, str], object]]:
    """Workbooks, each with mistakes a clerk makes, together turning every check red."""
    req = FMT.requests
    cell = lambda key: (LAY.slots[key].sheet, LAY.slots[key].cell)  # noqa: E731
    base = derive(FMT, baseline_report().figures)
    # 1: 结转下年度 typed one too high in every column; last year's year typed wrong.
    one = {cell(f"{req.key}.carried_out.{c.key}"): base[f"{req.key}.carried_out.{c.key}"] + 1
           for c in req.input_columns()}
    one[cell("previous.year")] = 2018
    # 2: 上年结转 not what last year carried over.
    two = {cell(f"{req.key}.carried_in.{c.key}"): base[f"{req.key}.carried_in.{c.key}"] + 1
           for c in req.input_columns()}
    # 3: only last year's 总计 known, and different.
    three: dict[tuple[str, str], object] = {
        cell(f"previous.{req.key}.carried_out.{c.key}"): None for c in req.input_columns()
    }
    three[cell(f"previous.{req.key}.carried_out.total")] = 999
    out = [one, two, three]
    # 4…: on 上年数据, a total typed as 0 where a part is 1, for each row's first total,
    # spread over as few workbooks as keep the mistakes from overwriting each other.
    sums = {s.target: s.parts for s in FMT.sums}
    batches: list[dict[tuple[str, str], object]] = []
    for c in LIVE:
        if c.code != "previous_sum":
            continue
        target = c.keys[0].removeprefix("previous.")
        part = next(p for p in sums[target] if f"previous.{p}" in LAY.slots)
        change = {cell(f"previous.{target}"): 0, cell(f"previous.{part}"): 1}
        batch = next((b for b in batches if all(b.get(k, v) == v for k, v in change.items())), None)
        if batch is None:
            batches.append(batch := {})
        batch.update(change)
    return out + batches


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory):
    """(the baseline recalculated, each mutated workbook recalculated), by LibreOffice."""
    folder = tmp_path_factory.mktemp("live")
    base = folder / "base.xlsx"
    write_workbook(base, report=baseline_report())
    shutil.copy(base, folder / "m0.xlsx")
    out = [soffice_convert(base, folder / "lo")]
    for i, change in enumerate(mutations(), start=1):
        path = folder / f"m{i}.xlsx"
        shutil.copy(base, path)
        set_cells(path, change)
        out.append(soffice_convert(path, folder / "lo"))
    return out[0], out[1:]


def shown(path: Path) -> dict[tuple[str, str], object]:
    wb = openpyxl.load_workbook(path, data_only=True)
    return {(c.sheet, c.cell): wb[c.sheet][c.cell].value for c in LIVE}


def is_red(value: object) -> bool:
    return isinstance(value, str) and value.startswith(CHECK_BAD)


@pytest.mark.slow
@needs_soffice
def test_every_live_check_turns_red_for_some_mistake_and_none_on_a_right_workbook(recalculated):
    base, mutated = recalculated
    assert not [k for k, v in shown(base).items() if is_red(v)]
    assert load(base).previous is not None
    red: set[tuple[str, str]] = set()
    for path in mutated:
        values = shown(path)
        now = {k for k, v in values.items() if is_red(v)}
        red |= now
        # What turned red, `check` reports too: the live checks mirror it.
        codes = {f.code for f in run_check(path)}
        for c in LIVE:
            if (c.sheet, c.cell) in now and c.code:
                assert c.code in codes or (c.code == "previous_sum" and "previous_parts_exceed" in codes), c
    never = [(c.sheet, c.cell, c.label) for c in LIVE if (c.sheet, c.cell) not in red]
    assert never == []  # proof that no live check is hollow


def run_check(path: Path) -> list:
    from reportgen.app.pipeline import check

    return check(load(path))


@pytest.mark.slow
@needs_soffice
def test_one_wrong_entry_is_one_finding_at_typed_cells_and_red_under_the_table(tmp_path):
    path = tmp_path / "测试区2021.xlsx"
    report = load(sample_json())
    write_workbook(path, report=report)
    wrong = LAY.slots["requests.carried_out.natural_person"].cell
    set_cells(path, {(REQ, wrong): report.figures["requests.carried_out.natural_person"] + 1})
    lo = soffice_convert(path, tmp_path / "lo")
    values = openpyxl.load_workbook(lo, data_only=True)[REQ]
    assert values["D31"].value == "✗233≠234" and values["E31"].value == "✓"
    assert values["L3"].value.startswith("✗")
    result = run_cli("check", lo, "--json")
    assert result.returncode == 1
    found = json.loads(result.stdout)["findings"]
    errors = [f for f in found if f["severity"] == ERROR]
    assert [(e["code"], e["sheet"], e["cell"]) for e in errors] == [("balance", REQ, "D6:D28,D30")]
    assert errors[0]["remedy"] == "本年新收＋上年结转应等于（七）总计＋结转下年度继续办理，请核对该列。"
    for f in found:  # every cell named is one a clerk types in
        if f["cell"]:
            assert {(f["sheet"], c) for c in cells_of(f["cell"])} <= TYPED, f


# ---- Guards against the wrong file -----------------------------------------------------------


def test_last_years_workbook_renamed_for_this_year_is_a_warning(tmp_path):
    path = tmp_path / "兰山区2022.xlsx"
    shutil.copy(sample_workbook(), path)  # the 2021 workbook
    result = run_cli("check", path)
    assert "文件名中的年度（2022）与“基本信息”中的统计年度（2021）不一致" in result.stdout
    assert "基本信息!B5" in result.stdout


def test_a_workbook_open_in_excel_is_a_warning(tmp_path):
    path = tmp_path / "兰山区2021.xlsx"
    shutil.copy(sample_workbook(), path)
    # WPS; Excel, which drops two characters of a long name; LibreOffice
    for lock in ("~$兰山区2021.xlsx", "~$区2021.xlsx", ".~lock.兰山区2021.xlsx#"):
        (tmp_path / lock).write_bytes(b"x")
        result = run_cli("check", path)
        assert "工作簿可能仍在 Excel/WPS 中打开，未保存的修改不会被读取" in result.stdout, lock
        (tmp_path / lock).unlink()
    assert "仍在 Excel/WPS 中打开" not in run_cli("check", path).stdout


def test_last_years_year_not_one_less_is_an_error_at_its_cell(tmp_path):
    path = tmp_path / "兰山区2021.xlsx"
    shutil.copy(sample_workbook(), path)
    set_cells(path, {(PREV, "B3"): 2021})
    result = run_cli("check", path, "--json")
    assert result.returncode == 1
    found = [f for f in json.loads(result.stdout)["findings"] if f["code"] == "previous_year"]
    assert [(f["severity"], f["location"]) for f in found] == [(ERROR, f"{PREV}!B3")]
    assert found[0]["message"] == "上年数据的年度为2021，应为2020（统计年度2021的上一年）"


def test_a_blank_workbook_looks_unfilled(tmp_path):
    path = tmp_path / "兰山区2025.xlsx"
    assert run_cli("init", path, "--organ", "临沂市兰山区人民政府", "--year", "2025").returncode == 0
    result = run_cli("check", path)
    assert "看起来尚未填写" in result.stdout
    assert "全部为空" not in result.stdout and "未填写，报告中" not in result.stdout  # said once


@pytest.mark.parametrize(("typed", "shown"), [("25", "25"), ("二〇二五", "二〇二五"), ("3025", "3025"), ("1999", "1999")])
def test_init_refuses_a_year_that_is_no_year(tmp_path, typed, shown):
    result = run_cli("init", tmp_path / "x.xlsx", "--year", typed)
    assert result.returncode == 2
    assert f"实际为“{shown}”" in result.stderr and "integer" not in result.stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_year_in_basic_information_typed_with_its_character_is_read_with_a_note(tmp_path):
    path = tmp_path / "兰山区2021.xlsx"
    shutil.copy(sample_workbook(), path)
    set_cells(path, {(FMT.meta_sheet, LAY.slots["meta.year"].cell): "2021年"})
    report = load(path)
    assert report.year == 2021
    notes = [(f.code, f.severity, str(f.location)) for f in report.findings if f.key == "meta.year"]
    assert notes == [("year_text", WARNING, "基本信息!B5")]
    set_cells(path, {(FMT.meta_sheet, LAY.slots["meta.year"].cell): 25.0})
    bad = [f.message for f in load(path).findings if f.code == "bad_year"]
    assert bad and "实际为“25”" in bad[0]


# ---- Remedies and plain output -----------------------------------------------------------------


def test_every_printed_finding_has_its_remedy_under_it(tmp_path):
    path = tmp_path / "兰山区2021.xlsx"
    shutil.copy(sample_workbook(), path)
    set_cells(path, {(REQ, "D30"): 4, (REQ, "D6"): "十二"})
    text = run_cli("check", path).stdout.splitlines()
    shown_findings = [i for i, line in enumerate(text) if line.startswith("[错误]") or line.startswith("[警告]")]
    assert len(shown_findings) >= 2
    for i in shown_findings:
        assert text[i + 1].startswith("    处理办法：") and len(text[i + 1]) > 10
    assert "    处理办法：填写阿拉伯数字（件数为整数），不要写汉字、单位或小数。" in text
    for line in text:  # plain Chinese: no keys, no type names
        assert not re.search(r"requests\.|previous\.|integer|Error", line), line


def test_a_closed_pipe_ends_quietly(tmp_path):
    read, write = os.pipe()
    os.close(read)  # the reader has gone, as `| head` does once it has its lines
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    proc = subprocess.run([sys.executable, "-m", "reportgen.cli", "check", str(sample_workbook()), "--all"],
                          stdout=write, stderr=subprocess.PIPE, env=env, timeout=120)
    os.close(write)
    assert proc.stderr.decode() == ""
    assert proc.returncode == 0  # the reader went away: not an error of the input


# ---- Money as typed ----------------------------------------------------------------------------


def test_six_decimal_amount_is_read_checked_and_rendered_as_typed(tmp_path):
    path = tmp_path / "平潭2021.xlsx"
    report = load(sample_json())
    write_workbook(path, report=report)
    fee = LAY.slots["active_disclosure.fees.amount"]
    set_cells(path, {(fee.sheet, fee.cell): 24252.311082})
    assert openpyxl.load_workbook(path)[fee.sheet][fee.cell].number_format == "0.00####"
    read = load(path)
    assert read.figures["active_disclosure.fees.amount"] == Decimal("24252.311082")
    assert run_cli("check", path).returncode == 0
    out = tmp_path / "out"
    assert run_cli("build", path, "-o", out, "--format", "html").returncode == 0
    html = next(out.glob("*.html")).read_text(encoding="utf-8")
    assert "收取行政事业性收费24252.311082万元" in html  # the sentence
    assert re.search(r"<td[^>]*>\s*24252\.311082\s*</td>", html)  # the table
    set_cells(path, {(fee.sheet, fee.cell): "24252.3110825"})
    assert [f.code for f in load(path).findings if f.key == "active_disclosure.fees.amount"] == ["not_money"]
