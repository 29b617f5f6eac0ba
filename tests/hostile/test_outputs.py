"""What a build leaves on disk: the same bytes every time, all formats or none, inputs untouched."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

from corpus import copy_sample, sample_doc
from helpers import run_cli

from reportgen.resources import sample_workbook

STEM = "临沂市兰山区人民政府2021年政府信息公开工作年度报告"
STANDARD_DOCX = Path(__file__).resolve().parents[2] / "templates" / "standard" / "report.docx"


def files(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (hidden ones too: a staging folder left behind would show)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_building_the_sample_twice_gives_the_same_bytes(tmp_path):
    a, b = tmp_path / "A", tmp_path / "B"
    for out in (a, b):
        result = run_cli("build", sample_workbook(), "-o", out, "--format", "docx,html,json")
        assert result.returncode == 0, result.stdout + result.stderr
    built = files(a)
    assert sorted(built) == [f"{STEM}.docx", f"{STEM}.html", f"{STEM}.json"]
    assert built == files(b)


def broken_docx_pack(folder: Path) -> Path:
    """A pack that extends standard with a report.docx whose tag fails while rendering."""
    pack = folder / "坏模板"
    pack.mkdir()
    (pack / "pack.toml").write_text(
        'name = "broken"\ndisplay_name = "渲染到一半出错"\nformat = "gov-2021"\nextends = "standard"\n',
        encoding="utf-8",
    )
    with zipfile.ZipFile(STANDARD_DOCX) as zin, zipfile.ZipFile(pack / "report.docx", "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "word/document.xml":
                tag = b"<w:p><w:r><w:t>{{ no_such_variable }}</w:t></w:r></w:p>"
                data = data.replace(b"<w:body>", b"<w:body>" + tag, 1)
            zout.writestr(info, data)
    return pack


def test_a_build_that_fails_midway_leaves_the_previous_report_intact(tmp_path):
    out = tmp_path / "报告"
    first = tmp_path / "兰山区2021.json"
    first.write_text(json.dumps(sample_doc(), ensure_ascii=False), encoding="utf-8")
    assert run_cli("build", first, "-o", out, "--format", "json,html,docx").returncode == 0
    previous = files(out)

    # New figures, same organ and year (so the same file names), and a pack whose DOCX, rendered
    # last, fails: without staging, the JSON and HTML of the second build would already be written.
    doc = sample_doc()
    doc["narrative"] = {k: v + "（修改）" for k, v in doc["narrative"].items()}
    second = tmp_path / "兰山区2021改.json"
    second.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    pack = broken_docx_pack(tmp_path)
    result = run_cli("build", second, "-o", out, "--format", "json,html,docx", "--template", pack)

    assert result.returncode == 2, result.stdout + result.stderr
    assert "no_such_variable" in result.stderr and "Traceback" not in result.stderr
    assert files(out) == previous  # byte-identical, and no temp file or staging folder left


def test_inputs_are_never_written_even_when_read_only(tmp_path):
    xlsx = copy_sample(tmp_path, "兰山区2021.xlsx")
    data = tmp_path / "兰山区2021.json"
    data.write_text(json.dumps(sample_doc(), ensure_ascii=False), encoding="utf-8")
    for p in (xlsx, data):
        p.chmod(0o444)
        os.utime(p, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))  # a known, old mtime
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_mode) for p in (xlsx, data)}

    assert run_cli("check", xlsx).returncode == 0
    assert run_cli("check", data).returncode == 0
    assert run_cli("build", xlsx, "-o", tmp_path / "out", "--format", "html,json").returncode == 0
    merged = run_cli("merge", xlsx, "-o", tmp_path / "汇总.xlsx", "--organ", "临沂市兰山区人民政府")
    assert merged.returncode == 0, merged.stdout + merged.stderr

    after = {p: (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_mode) for p in (xlsx, data)}
    assert after == before
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith((".", "~$"))]
