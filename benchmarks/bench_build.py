"""Time `build` of the sample (DOCX+HTML) and each step: read, check, compute, render DOCX, render HTML.

Run: python benchmarks/bench_build.py [--runs N] [--template 模板包]   (medians in ms; the first, cold run
is shown apart; --template graphic measures the charts and the comparison table)
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from reportgen.context import build_context
from reportgen.packs import find_pack
from reportgen.pipeline import build, check
from reportgen.readers import load
from reportgen.render_docx import render_docx
from reportgen.render_html import render_html
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
    parser.add_argument("--template", default="standard")
    args = parser.parse_args()
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
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "reportgen.cli", "build", str(sample), "-o", str(out),
                        "--template", args.template],
                       check=True, capture_output=True)
        print(f"{'`reportgen build` (new process)':32} {(time.perf_counter() - start) * 1000:8.1f}ms")


if __name__ == "__main__":
    main()
