"""Time `build` of the sample (DOCX+HTML) and each step: read, check, compute, render DOCX, render HTML.

Run: python benchmarks/bench_build.py [--runs N] [--cli-runs N] [--template 模板包] [--instructions]
(medians in ms; the first, cold run apart)

It also times `reportgen build SAMPLE --format docx,html` as a new process beside its floor, run
alternately in the same loop: a process that imports docxtpl, jinja2 and babel, reads the
workbook with python-calamine, renders the pack's report.docx and saves it — what any program
doing this job must spend. The bar (issue 16): the command within 1.3× the floor (medians).
--template graphic measures the charts and the comparison table. --instructions also counts the
CPU instructions of the command and of its floor under valgrind (callgrind): a count does not
change with what else the machine is doing, so the ratio can be compared between runs and machines
of one architecture where timings cannot.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from reportgen.app.pipeline import build, build_context, check
from reportgen.read import load
from reportgen.render.docx import render_docx
from reportgen.render.html import render_html
from reportgen.render.packs import find_pack
from reportgen.resources import sample_workbook


def timed(call, runs: int) -> tuple[float, float]:
    """(first run, median of the rest) in ms."""
    times = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times[0], statistics.median(times[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--cli-runs", type=int, default=9)
    parser.add_argument("--template", default="standard")
    parser.add_argument("--instructions", action="store_true", help="也用 valgrind 统计指令数（需要 valgrind）")
    args = parser.parse_args()
    compile_package()
    sample = sample_workbook()
    pack = find_pack(args.template)
    report = load(sample)
    context, _ = build_context(report, pack)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        steps = {
            "read (workbook)": lambda: load(sample),
            "check": lambda: check(report),
            "compute (context + sentences)": lambda: build_context(report, pack),
            "render DOCX": lambda: render_docx(context, pack, out / "r.docx"),
            "render HTML": lambda: render_html(context, pack),
            "build DOCX+HTML (in process)": lambda: build(sample, out, ("docx", "html"), pack),
        }
        print(f"{'step':32} {'first':>9} {'median':>9}")
        for name, call in steps.items():
            first, median = timed(call, args.runs)
            print(f"{name:32} {first:8.1f}ms {median:8.1f}ms")
        template = pack.find_file("report.docx")
        commands = {
            "`reportgen build` (new process)": [sys.executable, "-m", "reportgen.cli", "build", str(sample),
                                                "-o", str(out), "--format", "docx,html",
                                                "--template", args.template],
            "floor (new process)": [sys.executable, "-c", FLOOR, str(sample), str(template), str(out / "f.docx")],
            "bare python": [sys.executable, "-c", "pass"],
            "`reportgen --help`": [sys.executable, "-m", "reportgen.cli", "--help"],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.cli_runs):  # alternated, so a busy moment hurts both alike
            for name, cmd in commands.items():
                start = time.perf_counter()
                subprocess.run(cmd, check=True, capture_output=True)
                times[name].append((time.perf_counter() - start) * 1000)
        medians = {name: statistics.median(t) for name, t in times.items()}
        for name, median in medians.items():
            print(f"{name:32} {'':9} {median:8.1f}ms")
        ratio = medians["`reportgen build` (new process)"] / medians["floor (new process)"]
        print(f"build / floor = {ratio:.2f} (bar ≤ 1.3); --help − bare python = "
              f"{medians['`reportgen --help`'] - medians['bare python']:.0f} ms (bar ≤ 100)")
        if args.instructions:
            counted = {name: instructions(cmd) for name, cmd in commands.items() if "--help" not in name}
            for name, count in counted.items():
                print(f"{name:32} {count / 1e6:12.0f} M instructions")
            build_name = "`reportgen build` (new process)"
            print(f"build / floor = {counted[build_name] / counted['floor (new process)']:.2f} in instructions")


def instructions(cmd: list[str]) -> int:
    """CPU instructions `cmd` executes, counted by callgrind (the same count on a busy machine)."""
    import re
    import shutil

    if shutil.which("valgrind") is None:
        raise SystemExit("--instructions 需要 valgrind（Debian: apt-get install valgrind）")
    done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *cmd],
                          capture_output=True, text=True, check=True)
    return int(re.search(r"Collected : (\d+)", done.stderr).group(1))


def compile_package() -> None:
    """Write reportgen's bytecode first, as `pip install` does: with PYTHONDONTWRITEBYTECODE set
    (as on CI and this machine) an editable install would otherwise recompile every module in
    every new process, and the command would be measured against a floor whose libraries are
    compiled."""
    import compileall

    import reportgen

    compileall.compile_dir(Path(reportgen.__file__).parent, quiet=1)


FLOOR = """
import sys
import babel.numbers
import jinja2
from docxtpl import DocxTemplate
from python_calamine import CalamineWorkbook

sample, template, out = sys.argv[1:4]
book = CalamineWorkbook.from_path(sample)
sheets = {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}
context = {"title": str(sheets[book.sheet_names[0]][1]),
           "n": babel.numbers.format_decimal(1234.5, locale="zh_CN")}
env = jinja2.Environment(undefined=jinja2.ChainableUndefined)
env.filters["docx_table"] = lambda *a, **k: ""
tpl = DocxTemplate(template)
tpl.render(context, jinja_env=env)
tpl.save(out)
"""


if __name__ == "__main__":
    main()
