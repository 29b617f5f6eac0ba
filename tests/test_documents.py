"""The JSON interface stands equal to the workbook: same figures, same report, both directions."""

from __future__ import annotations

import json

from helpers import run_cli

from reportgen.app.pipeline import save
from reportgen.app.synthetic import unit_report
from reportgen.read import load
from reportgen.read.document import from_document
from reportgen.resources import sample_json, sample_workbook
from reportgen.write.document import to_document


def test_a_workbook_and_its_json_document_hold_the_same_report(tmp_path):
    book = load(sample_workbook())
    doc = json.loads(json.dumps(to_document(book)))
    again = from_document(doc)
    assert again.figures == book.figures and again.meta == book.meta
    assert again.narrative == book.narrative
    assert again.previous.figures == book.previous.figures and again.previous.year == book.previous.year
    path = tmp_path / "again.xlsx"
    save(again, path)
    assert load(path).figures == book.figures


def test_json_and_workbook_render_the_same_report(tmp_path):
    for source, out in ((sample_json(), "from-json"), (sample_workbook(), "from-xlsx")):
        result = run_cli("build", str(source), "-o", str(tmp_path / out), "--format", "html")
        assert result.returncode == 0, result.stderr
    name = "临沂市兰山区人民政府2021年政府信息公开工作年度报告.html"
    assert (tmp_path / "from-json" / name).read_bytes() == (tmp_path / "from-xlsx" / name).read_bytes()


def test_merge_can_write_a_json_document(tmp_path):
    units = []
    for seed in (11, 12):
        path = tmp_path / f"u{seed}.json"
        save(unit_report(seed, organ=f"单位{seed}"), path)
        units.append(path)
    out = tmp_path / "区.json"
    result = run_cli("merge", *map(str, units), "-o", str(out), "--organ", "某区")
    assert result.returncode == 0, result.stderr
    district = load(out)
    assert district.figures["requests.new.natural_person"] == sum(
        load(u).figures["requests.new.natural_person"] for u in units
    )
    assert [u["organ"] for u in district.units] == ["单位11", "单位12"]
    assert json.loads(out.read_text(encoding="utf-8"))["format"] == "gov-2021"
