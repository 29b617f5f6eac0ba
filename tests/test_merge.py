"""Merging units into the district workbook, and building many reports at once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import run_cli

from reportgen.app.merge import merge_files
from reportgen.app.pipeline import check
from reportgen.app.synthetic import unit_report
from reportgen.compute import derive
from reportgen.findings import ERROR
from reportgen.formats import get_format
from reportgen.formats.workbook import UNITS_SHEET
from reportgen.read import load
from reportgen.write.workbook import write_workbook


@pytest.fixture
def three_units(tmp_path: Path) -> list[Path]:
    paths = []
    for seed, organ in ((1, "甲镇人民政府"), (2, "乙街道办事处"), (3, "区教育局")):
        path = tmp_path / "units" / f"{organ}.xlsx"
        path.parent.mkdir(exist_ok=True)
        write_workbook(path, report=unit_report(seed, organ=organ))
        paths.append(path)
    return paths


def test_merging_three_units_adds_up_every_figure(three_units, tmp_path):
    out = tmp_path / "区.xlsx"
    result = run_cli("merge", str(three_units[0].parent), "-o", str(out), "--organ", "某某区人民政府")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "已汇总3个单位" in result.stdout
    units = [load(p) for p in three_units]
    district = load(out)
    fmt = get_format()
    for key, _ in fmt.input_figures():
        assert district.figures[key] == sum(u.figures[key] for u in units), key
    # last year's figures: summed where every unit knew them
    lasts = [derive(fmt, u.previous.figures, keep_given=True) for u in units]
    merged_last = derive(fmt, district.previous.figures, keep_given=True)
    for key in ("requests.new.total", "requests.granted.total", "appeals.review.upheld"):
        assert merged_last[key] == sum(x[key] for x in lasts), key
    assert district.meta["organ"] == "某某区人民政府" and district.meta["year"] == 2025
    in_order = [load(p).meta["organ"] for p in sorted(three_units)]  # a folder is read in name order
    assert "、".join(in_order) in district.meta["compiled_from"]
    assert district.narrative == {}  # the district writes its own text
    # the 单位汇总 sheet: who contributed what
    assert [u["organ"] for u in district.units] == in_order
    for unit, report in zip(district.units, sorted(units, key=lambda r: r.source), strict=True):
        values = derive(fmt, report.figures)
        for key, _ in fmt.unit_columns():
            assert unit[key] == values[key]
    assert not [f for f in check(district) if f.severity == ERROR]


def test_the_district_report_states_the_merged_figures(three_units, tmp_path):
    out = tmp_path / "区.xlsx"
    assert run_cli("merge", *map(str, three_units), "-o", str(out), "--organ", "某某区人民政府").returncode == 0
    built = run_cli("build", str(out), "-o", str(tmp_path / "报告"), "--format", "json,html", "--template", "lanshan")
    assert built.returncode == 0, built.stdout + built.stderr
    html = (tmp_path / "报告" / "某某区人民政府2025年政府信息公开工作年度报告.html").read_text(encoding="utf-8")
    total_new = sum(derive(get_format(), load(p).figures)["requests.new.total"] for p in three_units)
    assert f"新收政府信息公开申请{total_new}件" in html
    assert "附表：各单位主要数据" in html and "甲镇人民政府" in html


def test_merge_stops_on_a_broken_unit_and_names_it(three_units, tmp_path):
    broken = load(three_units[1])
    broken.figures["requests.granted.natural_person"] += 5
    write_workbook(three_units[1], report=broken)
    out = tmp_path / "区.xlsx"
    result = run_cli("merge", *map(str, three_units), "-o", str(out))
    assert result.returncode == 1
    assert "乙街道办事处.xlsx" in result.stdout and "依申请公开!" in result.stdout
    assert not out.exists()
    skipped = run_cli("merge", *map(str, three_units), "-o", str(out), "--skip-invalid", "--organ", "区")
    assert skipped.returncode == 0 and "已跳过1个" in skipped.stdout
    assert len(load(out).units) == 2


def test_merge_refuses_duplicates_and_mixed_years(three_units, tmp_path):
    copy = tmp_path / "copy.xlsx"
    copy.write_bytes(three_units[0].read_bytes())
    dup = run_cli("merge", *map(str, three_units), str(copy), "-o", str(tmp_path / "x.xlsx"))
    assert dup.returncode == 2 and "同一单位给了两次" in dup.stderr and "Traceback" not in dup.stderr
    other_year = tmp_path / "y.xlsx"
    write_workbook(other_year, report=unit_report(9, organ="丙镇", year=2024))
    mixed = run_cli("merge", *map(str, three_units), str(other_year), "-o", str(tmp_path / "x.xlsx"))
    assert mixed.returncode == 2 and "统计年度不一致" in mixed.stderr


def test_units_sheet_round_trips(tmp_path, three_units):
    result = merge_files(three_units, organ="区")
    path = tmp_path / "d.xlsx"
    write_workbook(path, report=result.report)
    import openpyxl

    assert UNITS_SHEET in openpyxl.load_workbook(path).sheetnames
    assert load(path).units == [dict(u, source=Path(u["source"]).name) for u in result.report.units]


def test_batch_build_keeps_going_past_broken_units(tmp_path):
    folder = tmp_path / "各单位"
    folder.mkdir()
    for seed in range(10):
        report = unit_report(seed, organ=f"单位{seed:02d}")
        if seed in (3, 7):
            report.figures["requests.carried_out.natural_person"] += 1  # breaks the balance
        write_workbook(folder / f"单位{seed:02d}.xlsx", report=report)
    out = tmp_path / "报告"
    result = run_cli("build", str(folder), "-o", str(out), "--format", "html,json", "-j", "2")
    assert result.returncode == 1
    built = sorted(p.name for p in out.glob("*.html"))
    assert len(built) == 8 and not any("单位03" in n or "单位07" in n for n in built)
    summary = result.stdout
    assert "已生成8个，失败2个" in summary
    for bad in ("单位03.xlsx", "单位07.xlsx"):
        line = next(line for line in summary.splitlines() if bad in line)
        assert "失败" in line
    assert "依申请公开!" in summary  # the failure names its cell


def test_init_in_bulk_makes_this_years_workbook_for_every_unit(three_units, tmp_path):
    out = tmp_path / "2026"
    result = run_cli("init", "--previous", str(three_units[0].parent), "-o", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "已生成3个工作簿" in result.stdout
    for last_path in three_units:
        last = load(last_path)
        organ = last.meta["organ"]
        this = load(out / f"{organ}2026.xlsx")
        assert this.meta["organ"] == organ and this.meta["year"] == 2026
        for column in ("natural_person", "commercial", "other_org"):
            assert this.figures[f"requests.carried_in.{column}"] == last.figures[f"requests.carried_out.{column}"]
        assert this.previous.year == 2025
        last_all = derive(get_format(), last.figures)
        this_prev = derive(get_format(), this.previous.figures, keep_given=True)
        assert this_prev["requests.new.total"] == last_all["requests.new.total"]
        assert this_prev["appeals.review.upheld"] == last_all["appeals.review.upheld"]
    again = run_cli("init", "--previous", str(three_units[0].parent), "-o", str(out))
    assert again.returncode == 1 and "文件已存在" in again.stderr


def test_check_takes_a_whole_folder_and_reports_each_unit(three_units, tmp_path):
    broken = load(three_units[2])
    broken.figures["requests.carried_out.natural_person"] += 1
    write_workbook(three_units[2], report=broken)
    (three_units[0].parent / "坏文件.xlsx").write_text("不是工作簿", encoding="utf-8")
    result = run_cli("check", str(three_units[0].parent))
    assert result.returncode == 2  # the worst outcome: an unreadable file
    lines = result.stdout.splitlines()
    assert any("坏文件.xlsx" in line and "无法读取" in line for line in lines)
    assert any(three_units[2].name in line and "个错误" in line for line in lines)
    assert f"[错误] {three_units[2]}：依申请公开!" in result.stdout  # each error names file and cell
    assert "共4个文件：2个通过" in result.stdout
    as_json = run_cli("check", str(three_units[0]), str(three_units[1]), "--json")
    rows = json.loads(as_json.stdout)
    assert as_json.returncode == 0 and [r["ok"] for r in rows] == [True, True]
