"""Regenerate the generated parts of the guides: the variable list and the table of findings."""

from __future__ import annotations

from pathlib import Path

from reportgen.app.docvars import update

DOCS = Path(__file__).resolve().parent.parent / "docs"

if __name__ == "__main__":
    for guide in (DOCS / "template-guide.md", DOCS / "user-guide.md"):
        guide.write_text(update(guide.read_text(encoding="utf-8")), encoding="utf-8")
        print(f"已更新 {guide}")
