"""Province scale: merge and batch-build up to 10,000 synthetic units, each beside its floor.

Run: python benchmarks/bench_scale.py [--merge 1000] [--build 100] [--pdf 12] [--rounds 3] [--keep DIR]
     python benchmarks/bench_scale.py --merge 10000 --build 10000 --pdf 0     (the province run)

Every figure is measured in this run, next to a floor measured in the same run on the same
machine: merge beside a process that only json-loads every unit; a batch beside the DOCX floor
(docxtpl rendering and saving the report template, in one warm process) spread over the cores;
a batch with PDF beside twelve separate fresh LibreOffice conversions (a new soffice on a new
profile each: what every document cost before), batch and floor taking turns over several
rounds, with the median ratio and its spread. Peak memory is sampled from /proc (Linux only):
the whole process tree (the batch, its workers and soffices), the batch process alone and the
largest worker; beside it the kernel's exact peak of the largest single process (wait4's
ru_maxrss). The bars (issue 16): merge of 10,000 units ≤ 15 s on two cores, a 10,000-report
DOCX+HTML batch under 500 MB, a batch of 12 with PDF ≤ 0.3 of twelve fresh conversions.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
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
    """Peak resident memory of a process tree, sampled: of the whole tree, of its root (the batch
    process) and of the largest other process (a worker). A sample reads all of /proc (about 6 ms
    of CPU here), so sampling is sparse enough not to slow what it measures."""

    def __init__(self, pid: int, every: float = 0.2) -> None:
        self.pid, self.every, self._stop = pid, every, threading.Event()
        self.tree = self.root = self.other = 0
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            sizes = _tree_rss(self.pid)
            self.tree = max(self.tree, sum(sizes.values()))
            self.root = max(self.root, sizes.get(self.pid, 0))
            self.other = max([self.other, *(v for k, v in sizes.items() if k != self.pid)])
            time.sleep(self.every)

    def stop(self) -> Memory:
        self._stop.set()
        self._thread.join()
        return Memory(self.tree / 2**20, self.root / 2**20, self.other / 2**20)


@dataclass
class Memory:
    """Peak MB: the sampled tree, batch process and largest child (a worker or its soffice); the kernel's exact peak of the
    largest single process (getrusage RUSAGE_CHILDREN ru_maxrss: every descendant once reaped)."""

    tree: float = float("nan")
    parent: float = float("nan")
    worker: float = float("nan")
    largest: float = float("nan")

    def __str__(self) -> str:
        return (f"peak {self.tree:.0f} MB in all (batch process {self.parent:.0f} MB, largest child "
                f"{self.worker:.0f} MB; largest single process by wait4 {self.largest:.0f} MB)")


def _tree_rss(root: int) -> dict[int, int]:
    """Resident bytes of `root` and each of its descendants."""
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
    found, todo = {}, [root]
    while todo:
        pid = todo.pop()
        found[pid] = rss.get(pid, 0)
        todo += children.get(pid, [])
    return found


def run(*args: str, ok: tuple[int, ...] = (0,), every: float = 0.2) -> tuple[float, Memory]:
    """(seconds, peak memory) of one `reportgen` command."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "reportgen.cli", *args], stdout=out, stderr=err)
        sampler = PeakMemory(proc.pid, every) if Path("/proc").is_dir() else None
        if hasattr(os, "wait4"):
            # wait4's ru_maxrss: the largest of the process and every descendant it reaped (its workers)
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            largest = usage.ru_maxrss / 1024 if sys.platform.startswith("linux") else float("nan")
        else:
            proc.wait()
            largest = float("nan")
        elapsed = time.perf_counter() - start
        memory = sampler.stop() if sampler else Memory()
        memory.largest = largest
        if proc.returncode not in ok:
            out.seek(0)
            err.seek(0)
            raise SystemExit(f"reportgen {' '.join(args[:2])} failed:\n"
                             f"{out.read()[-2000:].decode(errors='replace')}\n{err.read()[-2000:].decode(errors='replace')}")
    return elapsed, memory


def bench_merge(root: Path, n: int) -> None:
    start = time.perf_counter()
    units = make_units(root / f"units-{n}", n)
    made = time.perf_counter() - start
    floor_start = time.perf_counter()
    subprocess.run([sys.executable, "-c", JSON_FLOOR, str(units[0].parent)], check=True)
    floor = time.perf_counter() - floor_start
    elapsed, memory = run("merge", str(units[0].parent), "-o", str(root / f"district-{n}.json"),
                          "--organ", "基准测试区", "--force")
    print(f"merge {n:>6} units: {elapsed:7.2f} s ({elapsed / n * 1000:5.2f} ms per unit), {memory}; "
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
    elapsed, memory = run("build", str(units[0].parent), "-o", str(root / f"batch-{n}"), "--format", "docx,html")
    floor = docx_floor(root) * n / cores
    print(f"build {n:>6} reports (DOCX+HTML, {cores} cores): {elapsed:7.2f} s, {n / elapsed:6.1f} reports/s, "
          f"{memory} (bar < 500 MB); floor (docxtpl alone, warm, over {cores} cores) "
          f"{floor:6.2f} s → {elapsed / floor:.1f}× the floor")


def fresh_conversions(docs: list[Path], root: Path) -> float:
    """Seconds to convert `docs` one by one, each by a fresh soffice on a new profile: what a
    document cost before anything was kept (the floor of issue 16), with reportgen's font map."""
    from reportgen.render.fonts import FONTS_CONF
    from reportgen.render.pdf import find_soffice
    from reportgen.render.soffice import soffice_env

    soffice = find_soffice()
    assert soffice, "needs LibreOffice"
    start = time.perf_counter()
    for docx in docs:
        with tempfile.TemporaryDirectory(dir=root) as tmp:
            work = Path(tmp)
            subprocess.run([soffice, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
                            "--norestore", "--nologo", "--nodefault", "--nolockcheck", "--convert-to",
                            "pdf:writer_pdf_Export", "--outdir", str(work), str(docx)],
                           env=soffice_env(work, FONTS_CONF), cwd=work, capture_output=True, check=True, timeout=300)
            if not (work / f"{docx.stem}.pdf").is_file():
                raise SystemExit(f"LibreOffice did not convert {docx.name}")
    return time.perf_counter() - start


def single_conversions(docs: list[Path], root: Path) -> float:
    """Seconds for reportgen's own one-document conversions (`build --format pdf` of one unit):
    a fresh soffice each, on a copy of the prepared profile."""
    from reportgen.render.pdf import docx_to_pdf

    start = time.perf_counter()
    for docx in docs:
        docx_to_pdf(docx, root / "single.pdf")
    return time.perf_counter() - start


def bench_pdf(root: Path, n: int, rounds: int) -> None:
    units = make_units(root / f"pdf-units-{n}", n, ".xlsx")
    docs: list[Path] = []
    ratios = []
    for k in range(rounds):
        # batch and floor take turns going first, so a load that comes or goes favours neither
        order = ("batch", "floor") if k % 2 == 0 else ("floor", "batch")
        figures: dict[str, float] = {}
        memory = Memory()
        for what in order:
            if what == "batch":
                out = root / f"pdf-{n}-{k}"
                figures["batch"], memory = run("build", str(units[0].parent), "-o", str(out),
                                               "--format", "docx,pdf", every=0.5)
                docs = docs or sorted(out.glob("*.docx"))
            else:
                if not docs:  # the first round builds the documents the floor converts
                    continue
                figures["floor"] = fresh_conversions(docs, root)
        if "floor" not in figures:
            figures["floor"] = fresh_conversions(docs, root)
        single = single_conversions(docs, root)
        ratio = figures["batch"] / figures["floor"]
        ratios.append(ratio)
        print(f"build {n:>6} reports with PDF, round {k + 1}: {figures['batch']:6.2f} s, {memory}; "
              f"{n} fresh conversions (new profile each) {figures['floor']:6.2f} s → ratio {ratio:.2f}; "
              f"reportgen's single conversions (prepared profile) {single:6.2f} s")
    print(f"build {n:>6} reports with PDF: ratio to {n} fresh conversions, median of {rounds} rounds "
          f"{statistics.median(ratios):.2f} (spread {min(ratios):.2f}–{max(ratios):.2f}; bar ≤ 0.30)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--merge", type=int, nargs="*", default=[1000])
    parser.add_argument("--build", type=int, nargs="*", default=[100])
    parser.add_argument("--pdf", type=int, default=12, help="reports in the PDF batch (0: skip)")
    parser.add_argument("--rounds", type=int, default=3, help="PDF batch and floor measured this many times")
    parser.add_argument("--keep", type=Path, default=None, help="keep (and reuse) the generated files here")
    args = parser.parse_args()
    compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        for n in filter(None, args.merge):  # 0: none
            bench_merge(root, n)
        for n in filter(None, args.build):
            bench_build(root, n)
        if args.pdf:
            bench_pdf(root, args.pdf, max(1, args.rounds))


if __name__ == "__main__":
    main()
