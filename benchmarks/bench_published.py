"""Time `extract` and `check` over a folder of published reports (copies of the real fixtures in
tests/data/published: web pages and PDFs), printing pages per second.

Run: python benchmarks/bench_published.py [--pages 1000] [--jobs N]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from reportgen.app.audit import check_files
from reportgen.app.batch import expand_inputs
from reportgen.app.extract import read_all, write_extract

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "data" / "published"


def make_folder(folder: Path, pages: int) -> list[Path]:
    sources = sorted(p for p in FIXTURES.iterdir() if p.suffix in (".html", ".pdf"))
    for i in range(pages):
        source = sources[i % len(sources)]
        shutil.copy(source, folder / f"{i:04d}-{source.name}")
    return expand_inputs([folder], published=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=None, help="check 的进程数（默认为CPU核数，最多8）")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "pages"
        folder.mkdir()
        inputs = make_folder(folder, args.pages)
        kinds = {s: sum(1 for p in inputs if p.suffix == s) for s in (".html", ".pdf")}
        print(f"{len(inputs)} 份报告（网页 {kinds['.html']}，PDF {kinds['.pdf']}）")

        start = time.perf_counter()
        extracted = read_all(inputs)
        write_extract(extracted, Path(tmp) / "数据.csv")
        took = time.perf_counter() - start
        print(f"extract（一个进程）：{took:.1f} 秒，{len(inputs) / took:.1f} 页/秒，无法读取 {len(extracted.failed)}")

        start = time.perf_counter()
        checked = check_files(inputs, jobs=args.jobs)
        took = time.perf_counter() - start
        unread = sum(1 for c in checked if c.unreadable or c.unread)
        print(f"check（并行）：{took:.1f} 秒，{len(inputs) / took:.1f} 页/秒，未能读取 {unread}")


if __name__ == "__main__":
    main()
