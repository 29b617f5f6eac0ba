"""The template authors' variable list, generated from the format definition and the sample."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

BEGIN = "<!-- BEGIN GENERATED: reportgen.docgen，请勿手工修改，运行 python scripts/make_docs.py 更新 -->"
END = "<!-- END GENERATED -->"


def _example(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return f"列表（{len(value)}项）"
    if isinstance(value, dict):
        return "对象"
    if value is None:
        return "无（null）"
    if isinstance(value, (bool, int, Decimal)):
        return f"`{value}`"
    text = str(value)
    return f"“{text[:30]}{'…' if len(text) > 30 else ''}”"


def _walk(node: Any, prefix: str, out: list[tuple[str, str]], depth: int = 0) -> None:
    if isinstance(node, dict) and depth < 6:
        for key, value in node.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, dict):
                _walk(value, path, out, depth + 1)
            elif isinstance(value, list) and value and isinstance(value[0], dict):
                out.append((path, _example(value)))
                _walk(value[0], f"{path}[i]", out, depth + 1)
            else:
                out.append((path, _example(value)))


def variables_markdown() -> str:
    """The generated part of docs/template-guide.md."""
    from ..formats import get_format
    from ..read import load
    from ..render.context import SENTENCES
    from ..render.packs import find_pack
    from ..resources import sample_json
    from .pipeline import build_context

    fmt = get_format()
    context, _ = build_context(load(sample_json()), find_pack("standard"))
    lines = [BEGIN, "", f"### 表格数字（格式 `{fmt.key}`：{fmt.name}）", ""]
    lines += [
        "每个数字都可按键名引用，如 `{{ requests.new.total }}`。带“（合计）”的为系统计算的合计项。",
        "",
        "| 变量 | 含义 | 样例值 |",
        "|---|---|---|",
    ]
    values = context
    derived = set(fmt.derived_figures())
    keys = [k for k, _ in fmt.input_figures()] + [k for k in fmt.derived_figures()]
    for key in dict.fromkeys(keys):
        node: Any = values
        for part in key.split("."):
            node = node.get(part, {}) if isinstance(node, dict) else {}
        mark = "（合计）" if key in derived else ""
        lines.append(f"| `{key}` | {fmt.label(key)}{mark} | {_example(node)} |")
    lines += ["", "### 计算结果 `f`（生成语句的宏中可用；正文占位符中写作 `facts`）", ""]
    lines += ["| 变量 | 样例值 |", "|---|---|"]
    facts: list[tuple[str, str]] = []
    _walk(context["facts"], "f", facts)
    lines += [f"| `{k}` | {v} |" for k, v in facts]
    lines += ["", "### 生成语句（`sentences.j2` 中的宏，报告模板中为 `sentences.名称`，每项是段落列表）", ""]
    lines += ["| 宏 | 标准模板包对样例生成的文字 |", "|---|---|"]
    for name in SENTENCES:
        text = "<br>".join(context["sentences"][name]) or "（无）"
        lines.append(f"| `{name}` | {text} |")
    lines += ["", "### 标题 `headings` 与正文 `narrative`", ""]
    lines += ["| 键 | 标准标题 |", "|---|---|"]
    lines += [f"| `{k}` | {v} |" for k, v in context["headings"].items()]
    lines += ["", "### 其他变量", ""]
    lines += [
        "| 变量 | 含义 |",
        "|---|---|",
        "| `meta.organ`、`meta.short_name`、`meta.year`、`meta.website`、`meta.contact.*` | 报告机关信息（工作簿“基本信息”表） |",
        "| `title` | 报告标题 |",
        "| `title_lines` | 报告标题分成的行（在词与词之间自动分行，或按 pack.toml 的 `[title] lines`） |",
        "| `signoff` | 落款：`signoff.organ`、`signoff.date`（阿拉伯数字）；未填发布日期时为空 |",
        "| `tables.active`、`tables.requests`、`tables.appeals` | 三张表格（由格式定义生成，模板中直接放置即可） |",
        "| `previous` | 上年数据（与本年同样的键，只含已知的数字） |",
        "| `settings` | 模板包的数字设置 |",
        "| `charts.requests`、`charts.outcomes`、`charts.active`、`charts.appeals` | 图表（`charts = true` 时）："
        "`title`、`desc`（文字说明）、`rows`（数据表）、`svg`（网页中的图）；Word 模板中写 `{{p charts.outcomes }}` |",
        "| `comparison`、`tables.comparison` | 主要数据与上年对比（`comparison_table = true` 时）：`rows`、`note`（上年未知的说明） |",
        "| 过滤器 `num`、`money` | 按模板包设置格式化件数、金额，如 `{{ f.requests.new \\| num }}` |",
        "",
        END,
    ]
    return "\n".join(lines)


FINDINGS_BEGIN = "<!-- BEGIN GENERATED FINDINGS: reportgen.docgen，请勿手工修改，运行 python scripts/make_docs.py 更新 -->"
FINDINGS_END = "<!-- END GENERATED FINDINGS -->"

def findings_markdown() -> str:
    """The table of every finding a check can give, from the code registry."""
    from ..findings import CODES, SEVERITY_LABEL

    lines = [FINDINGS_BEGIN, "", "| 级别 | 代码 | 说明 | 处理办法 |", "|---|---|---|---|"]
    for code, entry in CODES.items():
        shown = "（勾稽关系不成立时的具体说明，列出两边的数字）" if entry.message == "{text}" else entry.message
        shown = shown.replace("{{{{", "{{").replace("}}}}", "}}").replace("|", "\\|")
        lines.append(f"| {SEVERITY_LABEL[entry.severity]} | `{code}` | {shown} | {entry.remedy} |")
    lines += ["", FINDINGS_END]
    return "\n".join(lines)


def update(text: str) -> str:
    """Replace each generated part of `text` (between its markers) with a fresh one."""
    for begin, end, make in ((BEGIN, END, variables_markdown), (FINDINGS_BEGIN, FINDINGS_END, findings_markdown)):
        if begin in text:
            start, stop = text.index(begin), text.index(end) + len(end)
            text = text[:start] + make() + text[stop:]
    return text
