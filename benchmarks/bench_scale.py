"""Province scale: merge and batch-build up to 10,000 synthetic units, each beside its floor.

Run: python benchmarks/bench_scale.py [--merge 1000] [--build 100] [--pdf 12] [--keep DIR]
     python benchmarks/bench_scale.py --merge 10000 --build 10000 --pdf 0     (the province run)

Every figure is measured in this run, next to a floor measured in the same run on the same
machine: merge beside a process that only json-loads every unit; a batch beside the DOCX floor
(docxtpl rendering and saving the report template, in one warm process) spread over the cores;
a batch with PDF beside twelve separate fresh LibreOffice conversions. Peak memory is the largest
sum of resident memory over the whole process tree (the batch and its workers and soffices),
sampled from /proc (Linux only). The bars (issue 16): merge of 10,000 units ≤ 15 s on two cores,
a 10,000-report DOCX+HTML batch under 500 MB, a batch of 12 with PDF ≤ 0.3 of twelve fresh
conversions.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench_build import compile_package

from reportgen.app.synthetic import unit_report
from reportgen.resources import templates_dir
from reportgen.write import save

JSON_FLOOR = """
import json, sys, pathlib
files = sorted(pathlib.Path(sys.argv[1]).glob("*.json"))
total = 0
for f in files:
    total += len(json.loads(f.read_text(encoding="utf-8")))
"""

DOCX_FLOOR = """
import sys, time, jinja2
from docxtpl import DocxTemplate
template, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
start = time.perf_counter()
for i in range(n):
    tpl = DocxTemplate(template)
    env = jinja2.Environment(undefined=jinja2.ChainableUndefined)
    env.filters["docx_table"] = lambda *a, **k: ""
    tpl.render({"title": f"单位{i}"}, jinja_env=env)
    tpl.save(out)
print((time.perf_counter() - start) / n)
"""


def make_units(folder: Path, n: int, suffix: str = ".json") -> list[Path]:
    """n synthetic units (JSON is quick to write; .xlsx for the PDF run, as clerks hand them in)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = folder / f"单位{i:05d}{suffix}"
        if not path.exists():
            save(unit_report(i, organ=f"第{i:05d}单位"), path)
        paths.append(path)
    return paths


class PeakMemory:
    """The largest total RSS of a process and all its descendants, sampled every 50 ms."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _tree_rss(self.pid))
            time.sleep(0.05)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak / 2**20


def _tree_rss(root: int) -> int:
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            pages = int((entry / "statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        rss[int(entry.name)] = pages * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total


def run(*args: str, ok: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """(seconds, peak MB of the process tree) of one `reportgen` command."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "reportgen.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    memory = PeakMemory(proc.pid) if Path("/proc").is_dir() else None
    out, err = proc.communicate()
    elapsed = time.perf_counter() - start
    peak = memory.stop() if memory else float("nan")
    if proc.returncode not in ok:
        raise SystemExit(f"reportgen {' '.join(args[:2])} failed:\n{out[-2000:]}\n{err[-2000:]}")
    return elapsed, peak


def bench_merge(root: Path, n: int) -> None:
    start = time.perf_counter()
    units = make_units(root / f"units-{n}", n)
    made = time.perf_counter() - start
    floor_start = time.perf_counter()
    subprocess.run([sys.executable, "-c", JSON_FLOOR, str(units[0].parent)], check=True)
    floor = time.perf_counter() - floor_start
    elapsed, peak = run("merge", str(units[0].parent), "-o", str(root / f"district-{n}.json"),
                        "--organ", "基准测试区", "--force")
    print(f"merge {n:>6} units: {elapsed:7.2f} s ({elapsed / n * 1000:5.2f} ms per unit), peak {peak:6.0f} MB; "
          f"floor (json-load every unit) {floor:5.2f} s; bar ≤ 15 s for 10,000 "
          f"(writing the units took {made:.0f} s)")


def docx_floor(root: Path, n: int = 20) -> float:
    """Seconds per report for docxtpl alone rendering and saving the report template, warm."""
    template = templates_dir() / "standard" / "report.docx"
    done = subprocess.run([sys.executable, "-c", DOCX_FLOOR, str(template), str(root / "floor.docx"), str(n)],
                          check=True, capture_output=True, text=True)
    return float(done.stdout.strip())


def bench_build(root: Path, n: int) -> None:
    units = make_units(root / f"units-{n}", n)
    cores = os.cpu_count() or 1
    elapsed, peak = run("build", str(units[0].parent), "-o", str(root / f"batch-{n}"), "--format", "docx,html")
    floor = docx_floor(root) * n / cores
    print(f"build {n:>6} reports (DOCX+HTML, {cores} cores): {elapsed:7.2f} s, {n / elapsed:6.1f} reports/s, "
          f"peak {peak:6.0f} MB (bar < 500 MB); floor (docxtpl alone, warm, over {cores} cores) "
          f"{floor:6.2f} s → {elapsed / floor:.1f}× the floor")


def bench_pdf(root: Path, n: int) -> None:
    from reportgen.render.pdf import docx_to_pdf

    units = make_units(root / f"pdf-units-{n}", n, ".xlsx")
    out = root / f"pdf-{n}"
    elapsed, peak = run("build", str(units[0].parent), "-o", str(out), "--format", "docx,pdf")
    start = time.perf_counter()
    for docx in sorted(out.glob("*.docx")):
        docx_to_pdf(docx, root / "fresh.pdf")  # a fresh soffice and profile each, as before
    fresh = time.perf_counter() - start
    print(f"build {n:>6} reports with PDF: {elapsed:6.2f} s, peak {peak:5.0f} MB; {n} separate fresh "
          f"conversions {fresh:6.2f} s → ratio {elapsed / fresh:.2f} (bar ≤ 0.30)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--merge", type=int, nargs="*", default=[1000])
    parser.add_argument("--build", type=int, nargs="*", default=[100])
    parser.add_argument("--pdf", type=int, default=12, help="reports in the PDF batch (0: skip)")
    parser.add_argument("--keep", type=Path, default=None, help="keep (and reuse) the generated files here")
    args = parser.parse_args()
    compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        for n in args.merge:
            bench_merge(root, n)
        for n in args.build:
            bench_build(root, n)
        if args.pdf:
            bench_pdf(root, args.pdf)


if __name__ == "__main__":
    main()
