"""Small helpers for tests: fill a workbook's cells, convert with LibreOffice."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest

from reportgen.formats.workbook import layout
from reportgen.model import Report


def needs_soffice(test: Any) -> Any:
    """A test that runs LibreOffice: marked slow, and skipped where LibreOffice is not installed."""
    return pytest.mark.slow(pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice 未安装")(test))


def fill_workbook(path: Path, report: Report) -> None:
    """Type `report`'s figures, meta, text and last-year figures into the workbook's input cells."""
    import openpyxl

    lay = layout(report.format)
    values: dict[str, Any] = dict(report.figures)
    for k, v in report.meta.items():
        if k == "contact":
            values.update({f"meta.contact.{ck}": cv for ck, cv in v.items()})
        elif k != "short_name" or v != report.meta.get("organ"):
            values[f"meta.{k}"] = v
    values.update({f"narrative.{k}": v for k, v in report.narrative.items()})
    if report.previous:
        values.update({f"previous.{k}": v for k, v in report.previous.figures.items()})
        values["previous.year"] = report.previous.year
    wb = openpyxl.load_workbook(path)
    for key, value in values.items():
        if value in (None, ""):
            continue
        slot = lay.slots[key]
        wb[slot.sheet][slot.cell] = value
    wb.save(path)


def set_cells(path: Path, cells: dict[tuple[str, str], Any]) -> None:
    """Write values (or formulas, or None) into cells, as a clerk would type them."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    for (sheet, cell), value in cells.items():
        wb[sheet][cell] = value
    wb.save(path)


def soffice_convert(src: Path, outdir: Path, to: str = "xlsx") -> Path:
    """Convert with LibreOffice headless (recalculating formulas); a fresh profile per call."""
    profile = Path("/tmp") / f"lo-profile-{uuid.uuid4().hex}"
    outdir.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run(
            [
                "soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                "--convert-to", to, "--outdir", str(outdir), str(src),
            ],
            check=True, capture_output=True, timeout=180,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    out = outdir / f"{src.stem}.{to}"
    assert out.exists(), f"LibreOffice did not write {out}"
    return out


def run_cli(*args: str | Path, cwd: Path | None = None, real: bool = False) -> subprocess.CompletedProcess[str]:
    """Run `reportgen …` and return its exit status, stdout and stderr.

    In-process through click's CliRunner by default (fast, same code path); with `real`, as
    `python -m reportgen.cli` in a fresh process — for what only a process shows: a crash, a
    traceback on the real stderr, imports at start-up.
    """
    import os
    import sys

    if real:
        env = dict(os.environ, PYTHONIOENCODING="utf-8", NO_COLOR="1")
        return subprocess.run(
            [sys.executable, "-m", "reportgen.cli", *map(str, args)],
            capture_output=True, text=True, encoding="utf-8", cwd=cwd or Path(__file__).resolve().parent.parent,
            env=env, timeout=300,
        )
    from click.testing import CliRunner

    from reportgen.cli import main

    here = Path.cwd()
    os.chdir(cwd or Path(__file__).resolve().parent.parent)
    try:
        result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    finally:
        os.chdir(here)
    return subprocess.CompletedProcess(["reportgen", *map(str, args)], result.exit_code, result.stdout, result.stderr)
