"""Meta-tests that keep the docs true: the generated variable list, the README's commands."""

from __future__ import annotations

from pathlib import Path

import click

from reportgen.app.docvars import (
    BEGIN,
    END,
    FINDINGS_BEGIN,
    FINDINGS_END,
    findings_markdown,
    variables_markdown,
)
from reportgen.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_template_guide_variable_list_is_current():
    text = (ROOT / "docs" / "template-guide.md").read_text(encoding="utf-8")
    generated = text[text.index(BEGIN): text.index(END) + len(END)]
    assert generated == variables_markdown(), "docs/template-guide.md 已过期：运行 python scripts/make_docs.py"


def test_user_guide_findings_table_is_current():
    text = (ROOT / "docs" / "user-guide.md").read_text(encoding="utf-8")
    generated = text[text.index(FINDINGS_BEGIN): text.index(FINDINGS_END) + len(FINDINGS_END)]
    assert generated == findings_markdown(), "docs/user-guide.md 已过期：运行 python scripts/make_docs.py"


def test_user_guide_gives_every_findings_remedy():
    from reportgen.findings import CODES

    text = (ROOT / "docs" / "user-guide.md").read_text(encoding="utf-8")
    assert "| 处理办法 |" in text
    for code, entry in CODES.items():
        assert f"| `{code}` |" in text and f"| {entry.remedy} |" in text, code
    assert (ROOT / "docs" / "images" / "live-check.png").is_file() and "images/live-check.png" in text


def _commands(group: click.Group, prefix: str = "reportgen") -> list[tuple[str, click.Command]]:
    out = []
    for name, cmd in group.commands.items():
        out.append((f"{prefix} {name}", cmd))
        if isinstance(cmd, click.Group):
            out += _commands(cmd, f"{prefix} {name}")
    return out


def test_readme_names_every_command_and_option():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path, cmd in _commands(main):
        assert f"`{path}" in readme, f"README 未提到 {path}"
        if isinstance(cmd, click.Group):
            continue
        for param in cmd.params:
            if isinstance(param, click.Option):
                assert any(opt in readme for opt in param.opts), f"README 未提到 {path} 的 {param.opts}"


def test_readme_opens_with_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    head = readme[:800]
    assert "reportgen build" in head and "pytest" in head
