"""Build sample_data/lanshan-2021.xlsx from its JSON twin, through the workbook writer."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reportgen.read import load  # noqa: E402
from reportgen.write.workbook import write_workbook  # noqa: E402


def main() -> None:
    source = ROOT / "sample_data" / "lanshan-2021.json"
    target = source.with_suffix(".xlsx")
    # The JSON carries the 2020 figures in `previous` and the narrative: both go in the workbook.
    write_workbook(target, report=load(source))
    print(f"已生成 {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
