"""Time render_docx and docx_to_pdf on the sample: python benchmarks/bench_render.py [--runs N]."""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # runnable from a checkout without installing

from reportgen.app.pipeline import build_context  # noqa: E402
from reportgen.read import load  # noqa: E402
from reportgen.render.docx import render_docx  # noqa: E402
from reportgen.render.packs import find_pack  # noqa: E402
from reportgen.render.pdf import docx_to_pdf  # noqa: E402


def timed(call, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        out.append((time.perf_counter() - start) * 1000)
    return out


def show(name: str, times: list[float]) -> None:
    print(
        f"{name:<28} median {statistics.median(times):8.1f} ms   min {min(times):8.1f} ms   ({len(times)} runs)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10, help="DOCX 渲染的次数（PDF 为其五分之一，至少 2 次）")
    args = parser.parse_args()
    pack = find_pack("standard")
    context, _ = build_context(load(ROOT / "sample_data" / "lanshan-2021.json"), pack)
    with tempfile.TemporaryDirectory() as tmp:
        docx = Path(tmp) / "report.docx"
        first = timed(lambda: render_docx(context, pack, docx), 1)
        show("render_docx (first call)", first)
        show("render_docx", timed(lambda: render_docx(context, pack, docx), args.runs))
        if shutil.which("soffice") is None:
            print("docx_to_pdf: 未安装 LibreOffice，跳过")
            return 0
        show(
            "docx_to_pdf", timed(lambda: docx_to_pdf(docx, Path(tmp) / "report.pdf"), max(2, args.runs // 5))
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
