"""Time building the context and rendering the sample report to HTML: python benchmarks/bench_html.py [runs]."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from reportgen.app.pipeline import build_context
from reportgen.read import load
from reportgen.render.html import render_html
from reportgen.render.packs import find_pack

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "lanshan-2021.json"


def main(runs: int = 20) -> None:
    report = load(SAMPLE)
    pack = find_pack("standard")
    start = time.perf_counter()
    for _ in range(runs):
        context, _ = build_context(report, pack)
    built = time.perf_counter()
    for _ in range(runs):
        page = render_html(context, pack)
    done = time.perf_counter()
    print(
        f"build_context {1000 * (built - start) / runs:.1f} ms, render_html {1000 * (done - built) / runs:.1f} ms, "
        f"{len(page.encode('utf-8')) / 1024:.0f} KiB"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
