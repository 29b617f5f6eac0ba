"""The README's library example runs as written and says something."""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_library_example_runs_and_prints_the_sample_figures(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## 作为库使用"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    out = io.StringIO()
    here = Path.cwd()
    os.chdir(tmp_path)
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, "README.md", "exec"), {})
    finally:
        os.chdir(here)
    printed = out.getvalue()
    assert "warning 正文!C3：" in printed and "改正文中的数字" in printed  # the one finding, with its remedy
    lines = printed.splitlines()
    assert "232" in lines  # 本年新收
    assert "新收政府信息公开申请232件，较上年增加27件，增长13.2%" in lines[-1], printed  # a generated sentence
    assert (tmp_path / "报告" / "临沂市兰山区人民政府2021年政府信息公开工作年度报告.docx").is_file()
