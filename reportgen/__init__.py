"""reportgen: 政府信息公开工作年度报告生成器 — from a filled workbook to the published report.

The pipeline as a library (imported lazily, so `reportgen --help` stays instant)::

    from reportgen import load, analyse, check, build_context, find_pack, build

`analyse(report, pack)` computes a report once and checks it once; its `.findings`, `.computed`
and `.context()` are what every command uses.
"""

from __future__ import annotations

from typing import Any

__all__ = ["load", "analyse", "check", "build_context", "find_pack", "build", "computed_model"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from .app import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'reportgen' has no attribute {name!r}")
