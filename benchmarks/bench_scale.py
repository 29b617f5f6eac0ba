"""Scale: merge N unit workbooks, and batch-build 100 reports against building them one by one.

Run: python benchmarks/bench_scale.py [--units 100 1000] [--build 100] [--keep DIR]
Prints per-unit costs and totals. The bar (issue 7): merging 1,000 units in under 10 s on the
2-core machine, and batch-building 100 reports (DOCX+HTML) in at most a third of the time that
running `reportgen build` on them one after another takes.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from reportgen.app.synthetic import unit_report
from reportgen.write.workbook import write_workbook


def make_units(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = folder / f"单位{i:04d}.xlsx"
        if not path.exists():
            write_workbook(path, report=unit_report(i, organ=f"第{i:04d}单位"))
        paths.append(path)
    return paths


def cli(*args: str) -> float:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "reportgen.cli", *args], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"reportgen {' '.join(args[:2])} failed:\n{result.stdout}\n{result.stderr}")
    return elapsed


def bench_merge(root: Path, n: int) -> None:
    start = time.perf_counter()
    units = make_units(root / f"units-{n}", n)
    made = time.perf_counter() - start
    out = root / f"district-{n}.xlsx"
    elapsed = cli("merge", str(units[0].parent), "-o", str(out), "--organ", "基准测试区", "--force")
    print(f"merge {n:>5} units: {elapsed:6.2f} s total, {elapsed / n * 1000:6.1f} ms per unit "
          f"(generating the workbooks took {made:.1f} s)")


def bench_build(root: Path, n: int) -> None:
    units = make_units(root / f"units-{n}", n)
    batch_out = root / "batch"
    batch = cli("build", str(units[0].parent), "-o", str(batch_out), "--format", "docx,html")
    one_out = root / "one-by-one"
    sequential = sum(cli("build", str(u), "-o", str(one_out), "--format", "docx,html") for u in units)
    cores = os.cpu_count()
    print(f"build {n:>5} units, batch ({cores} cores): {batch:6.2f} s total, {batch / n * 1000:6.1f} ms per unit")
    print(f"build {n:>5} units, one `reportgen build` each: {sequential:6.2f} s total, "
          f"{sequential / n * 1000:6.1f} ms per unit")
    print(f"batch / one-by-one = {batch / sequential:.2f} (bar: ≤ 0.33)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, nargs="*", default=[100, 1000])
    parser.add_argument("--build", type=int, default=100)
    parser.add_argument("--keep", type=Path, default=None, help="keep the generated files here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        for n in args.units:
            bench_merge(root, n)
        if args.build:
            bench_build(root, args.build)


if __name__ == "__main__":
    main()
