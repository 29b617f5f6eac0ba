"""Every format word lives in reportgen/formats/: no other module spells one out by hand."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path
from typing import Any

from reportgen.formats import FORMATS
from reportgen.formats.base import DIRECTIONS, DOCUMENT_VERBS

PACKAGE = Path(__file__).resolve().parent.parent / "reportgen"
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _strings(value: Any) -> set[str]:
    """Every Chinese string a definition holds: labels, names, synonyms, units, headings, titles…"""
    if isinstance(value, str):
        return {value} if _CJK.search(value) else set()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return set().union(*(_strings(getattr(value, f.name)) for f in dataclasses.fields(value)))
    if isinstance(value, (tuple, list)):
        return set().union(set(), *(_strings(v) for v in value))
    if isinstance(value, dict):
        return set().union(set(), *(_strings(v) for v in value.values()))
    return set()


# One-character words (件, 元, 次) are also plain measure words that display code writes after a
# count it formats (a chart's “12件”); every longer word is the format's alone.
# The words of the format that no one edition defines: the verbs documents are counted by and the
# words a change from last year is stated by (增加/减少, 增长/下降…), read and written alike.
SHARED_WORDS = _strings(DOCUMENT_VERBS) | _strings(DIRECTIONS)
FORMAT_WORDS = {w for fmt in FORMATS.values() for w in _strings(fmt) if len(w) > 1} | SHARED_WORDS


def literal_format_words(source: str, words: set[str] = FORMAT_WORDS) -> list[tuple[int, str]]:
    """(line, word) for each string literal in `source` (f-string parts included) that is, whole,
    a word of a format definition: “同意公开”, “信息处理费”, “万元”. A word inside a longer
    message is wording, not a fact, and is not reported."""
    return sorted(
        (node.lineno, node.value)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in words
    )


def test_the_definitions_give_the_words_the_checks_match() -> None:
    # the words the prose check once held by hand are now in the definition
    assert {"同意公开", "规范性文件", "收费", "信息处理费", "万元", "办结", "自然人", "行政复议"} <= FORMAT_WORDS
    # and the words of a change, which compute/facts.py once wrote and checks/prose.py once matched by hand
    assert {"增加", "减少", "增长", "下降", "回落", "提高", "降低"} <= FORMAT_WORDS


def test_the_scan_finds_a_hand_written_format_word() -> None:
    source = 'WORDS = ("同意公开",)\nunit = "万元" if money else f"{n}件"\nmessage = f"本年{x}收费0万元"\n'
    assert literal_format_words(source) == [(1, "同意公开"), (2, "万元")]


def test_no_module_outside_formats_spells_out_a_format_word() -> None:
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: “{word}”"
        for path in sorted(PACKAGE.rglob("*.py"))
        if "formats" not in path.relative_to(PACKAGE).parts
        for line, word in literal_format_words(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "格式中的词应从 reportgen/formats/ 的定义读取：\n" + "\n".join(found)
