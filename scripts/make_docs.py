"""Regenerate the variable list in docs/template-guide.md from the format definition."""

from __future__ import annotations

from pathlib import Path

from reportgen.docgen import update

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "template-guide.md"

if __name__ == "__main__":
    GUIDE.write_text(update(GUIDE.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"已更新 {GUIDE}")
