"""Time reading the sample workbook with python-calamine and with openpyxl: ms per read."""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reportgen.read.workbook import VALUE_READERS, read_workbook  # noqa: E402

SAMPLE = ROOT / "sample_data" / "lanshan-2021.xlsx"


def per_read_ms(fn, rounds: int) -> float:
    fn()  # warm up: imports and caches are not what a clerk waits for twice
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(rounds):
            fn()
        best = min(best, (time.perf_counter() - start) / rounds)
    return best * 1000


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else SAMPLE
    rounds = 20
    names = ["基本信息", "主动公开", "依申请公开", "复议诉讼", "上年数据", "正文"]
    print(f"{path.name}，每种方式读取{rounds}次取最快一轮的平均值")
    for engine, values in VALUE_READERS.items():
        raw = per_read_ms(lambda values=values: values(path, names), rounds)
        full = per_read_ms(lambda engine=engine: read_workbook(path, engine=engine), rounds)
        print(f"{engine:9s} 仅读取单元格值 {raw:7.1f} ms/次   read_workbook 全过程 {full:7.1f} ms/次")


if __name__ == "__main__":
    main()
