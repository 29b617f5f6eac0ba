"""Time `build` of the sample (DOCX+HTML) and each step: read, check, compute, render DOCX, render HTML.

Run: python benchmarks/bench_build.py [--runs N]   (medians in ms; the first, cold run is shown apart)
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
    args = parser.parse_args()
    sample = sample_workbook()
    pack = find_pack("standard")
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
        subprocess.run([sys.executable, "-m", "reportgen.cli", "build", str(sample), "-o", str(out)],
                       check=True, capture_output=True)
        print(f"{'`reportgen build` (new process)':32} {(time.perf_counter() - start) * 1000:8.1f}ms")


if __name__ == "__main__":
    main()
