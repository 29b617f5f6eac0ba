"""The sample workbook through the real CLI, in both packs: every table figure in its cell,
every statement in its corrected form, in the DOCX, the HTML and the PDF LibreOffice makes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from reportgen.compute import derive
from reportgen.formats import get_format
from reportgen.formats.grids import NUMBER, grids
from reportgen.read import load
from reportgen.resources import sample_json, sample_workbook

STEM = "临沂市兰山区人民政府2021年政府信息公开工作年度报告"
HAS_PDF = shutil.which("soffice") is not None and shutil.which("pdftotext") is not None

# The statements of shared/spec/narrative.md, as each pack words them.
STATEMENTS = {
    "standard": [
        "本年新收政府信息公开申请232件，较上年增加27件，增长13.2%；上年结转3件，共计235件；办结224件，结转下年度继续办理11件。",
        "其中自然人提出230件，占99.1%；法人或其他组织提出2件，占0.9%。",
        "办结的224件中，予以公开90件，占40.2%；部分公开11件，占4.9%；不予公开26件，占11.6%；无法提供93件，占41.5%；不予处理1件，占0.4%；其他处理3件，占1.3%。",
        "予以公开较上年增加22件，增长32.4%",
        "被申请行政复议18件，较上年减少3件，其中结果维持12件，占66.7%，较上年提高38.1个百分点；结果纠正1件，占5.6%，较上年降低46.8个百分点",
        "被提起行政诉讼12件（未经复议直接起诉7件、复议后起诉5件），较上年减少6件，其中结果维持8件，占66.7%，较上年提高11.1个百分点",
        "本年制发行政规范性文件8件，废止5件，现行有效20件；作出行政许可决定295613件、行政处罚决定20713件、行政强制决定3577件；收取行政事业性收费1210.06万元。",
        "本年度依据《政府信息公开信息处理费管理办法》收取信息处理费1次，共计840元。",
    ],
    "lanshan": [
        "新收政府信息公开申请232件，较上年增加27件，增长13.2%；上年结转3件，共计235件。",
        "不予处理1件，占答复总量的0.5%；其他处理3件，占答复总量的1.3%。",  # largest remainder, as published
        "结果纠正1件，占复议总量的5.5%",
        "结果维持比例为66.7%，上年为28.6%，较上年提高38.1个百分点",  # never 增加38.1%
        "其他结果比例为8.3%，上年为11.1%，较上年降低2.8个百分点",  # never 减少2.7%
        "予以公开较上年增加22件",  # a count, not a share
        "本年度依据《政府信息公开信息处理费管理办法》收取信息处理费1次，共计840元。",
    ],
}


def expected_cells() -> dict[str, dict[tuple[int, int], str]]:
    """Every number cell of the three tables, from the seed JSON (not from our own context)."""
    fmt = get_format()
    values = derive(fmt, load(sample_json()).figures)

    def show(key: str) -> str:
        value = values[key]
        return f"{value:.2f}" if isinstance(value, Decimal) else str(value)

    return {
        name: {(c.row, c.col): show(c.key) for c in grid.cells if c.kind == NUMBER}
        for name, grid in grids(fmt, show).items()
    }


@pytest.fixture(scope="module", params=["standard", "lanshan"])
def built(request, tmp_path_factory) -> tuple[str, Path]:
    out = tmp_path_factory.mktemp(request.param)
    formats = "docx,html,json,pdf" if HAS_PDF else "docx,html,json"
    result = subprocess.run(
        [sys.executable, "-m", "reportgen.cli", "build", str(sample_workbook()), "-o", str(out),
         "--format", formats, "--template", request.param],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return request.param, out


def test_every_table_figure_is_in_its_cell_of_the_docx(built):
    import docx

    _, out = built
    document = docx.Document(str(out / f"{STEM}.docx"))
    tables = dict(zip(("active", "requests", "appeals"), document.tables, strict=False))
    for name, cells in expected_cells().items():
        for (row, col), text in cells.items():
            assert tables[name].cell(row, col).text == text, (name, row, col)
    assert tables["requests"].cell(3, 3).text == "230" and tables["requests"].cell(26, 9).text == "224"


def test_every_statement_in_its_corrected_form(built):
    pack, out = built
    html = (out / f"{STEM}.html").read_text(encoding="utf-8")
    model = json.loads((out / f"{STEM}.json").read_text(encoding="utf-8"))
    text = "".join(p for ps in model["sentences"].values() for p in ps)
    for statement in STATEMENTS[pack]:
        assert statement in text, statement
        assert statement in html, statement
    for wrong in ("增加38.1%", "减少2.7%", "转结", "％"):
        assert wrong not in text


@pytest.mark.slow
@pytest.mark.skipif(not HAS_PDF, reason="needs LibreOffice and poppler")
def test_the_pdf_shows_the_statements_and_figures(built):
    pack, out = built
    text = subprocess.run(["pdftotext", "-layout", str(out / f"{STEM}.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    # page numbers (— 2 —) fall between the lines of a paragraph that crosses a page
    text = "\n".join(line for line in text.splitlines() if not re.match(r"^\f?\s*—\s*\d+\s*—\s*$", line))
    flat = "".join(text.split())
    for statement in STATEMENTS[pack]:
        assert "".join(statement.split()) in flat, statement
    for figure in ("295613", "20713", "3577", "1210.06", "224", "232"):
        assert figure in text
    table4 = "12 1 2 3 18 6 1 0 0 7 2 2 1 0 5"
    assert table4 in " ".join(text.split())
