"""Findings are values: a code from the registry, a severity, a location and a message."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"
INFO = "info"

SEVERITY_LABEL = {ERROR: "错误", WARNING: "警告", INFO: "提示"}

# code -> (severity, Chinese message template). Tests assert codes; people read messages.
CODES: dict[str, tuple[str, str]] = {
    # reading cells and keys
    "not_integer": (ERROR, "应为非负整数，实际为“{value}”"),
    "negative": (ERROR, "不能为负数，实际为{value}"),
    "not_money": (ERROR, "应为金额（最多两位小数），实际为“{value}”"),
    "too_large": (ERROR, "数值{value}超出合理范围，请核对是否多输了位数"),
    "blank_as_zero": (INFO, "“{value}”按0计"),
    "text_number": (WARNING, "“{value}”按数字{number}读取，请改为直接输入数字"),
    "table_empty": (WARNING, "{table}全部为空（按0计），请确认本年度确无相关数据"),
    "formula_input": (WARNING, "此处应直接填写数字，现为公式“{formula}”，已按其计算结果{value}读取"),
    "formula_no_value": (
        ERROR,
        "此处应直接填写数字，现为公式“{formula}”，且文件中没有保存计算结果，请改为直接填写数字",
    ),
    "cell_error": (ERROR, "单元格为错误值{value}，请改为直接填写数字"),
    "total_not_checked": (INFO, "{label}为公式，读取时未保存计算结果，已按各项重新计算"),
    "missing_meta": (ERROR, "缺少{label}"),
    "bad_year": (ERROR, "统计年度应为四位年份，实际为“{value}”"),
    "narrative_missing": (WARNING, "“{label}”未填写，报告中该部分只有系统生成的内容"),
    "unknown_key": (WARNING, "不认识的项“{value}”，已忽略"),
    "placeholder_unknown": (ERROR, "占位符 {{{{ {value} }}}} 不对应任何数据"),
    "placeholder_syntax": (ERROR, "占位符写法有误：{value}"),
    # identities (generated from the format definition)
    "group_sum": (ERROR, "{text}"),
    "handled_sum": (ERROR, "{text}"),
    "row_total": (ERROR, "{text}"),
    "appeal_total": (ERROR, "{text}"),
    "combined_sum": (ERROR, "{text}"),
    "balance": (ERROR, "{text}"),
    # across years and sanity
    "carried_in_mismatch": (
        WARNING,
        "本年上年结转（{this}）与上年结转下年度继续办理（{last}）不一致",
    ),
    "jump_10x": (WARNING, "{label}本年为{this}，上年为{last}，相差10倍以上，请核对"),
    "previous_year": (WARNING, "上年数据的年度为{last}，本年为{this}，应相差一年"),
    "format_outdated": (WARNING, "{year}年度的报告应使用新版格式（自{since}年度起），本报告使用的是{name}"),
    "previous_sum": (WARNING, "上年数据中{label}为{given}，但各项之和为{parts}，比较时以填写的合计为准"),
    "share_change_as_percent": (
        WARNING,
        "正文“{sentence}”把占比的变化写成了“{written}”，占比的变化应写作“{points}”",
    ),
    "percent_mismatch": (WARNING, "正文“{sentence}”中的{written}与表格算出的各项比例都不相符"),
    "stale_number": (
        WARNING,
        "正文“{sentence}”中的{number}与表格不符：{expected}",
    ),
}


# What a clerk does about each finding; the message itself says what is wrong.
REMEDIES = {
    "not_integer": "填写阿拉伯数字（件数为整数），不要写汉字、单位或小数。",
    "negative": "件数不能为负数，请核对。",
    "not_money": "金额以万元为单位，最多两位小数，如 1210.06。",
    "too_large": "多半是多输了几位数，请核对。",
    "blank_as_zero": "无需处理；若确有数据请补填。",
    "text_number": "把单元格改为直接输入的数字（不带全角数字或千位分隔符）。",
    "table_empty": "确认本年度确实没有这类数据；否则请补填。",
    "total_not_checked": "无需处理：合计由各项重新计算。",
    "missing_meta": "在“基本信息”表填写。",
    "bad_year": "填写四位年份，如 2025。",
    "narrative_missing": "在“正文”表填写该部分的文字。",
    "unknown_key": "检查JSON中的键名是否拼错。",
    "placeholder_unknown": "检查占位符中的名称（见模板包编写指南的变量列表）。",
    "placeholder_syntax": "占位符写作 {{ requests.new.total }}，前后各两个花括号。",
    "group_sum": "合计应等于各项之和，请核对合计或各项。",
    "handled_sum": "（七）总计应等于（一）至（六）之和，请核对各项。",
    "row_total": "总计列应等于各申请人类型之和，请核对该行。",
    "appeal_total": "总计应等于结果维持、结果纠正、其他结果、尚未审结之和。",
    "combined_sum": "行政诉讼合计应等于两类起诉之和。",
    "balance": "本年新收＋上年结转应等于（七）总计＋结转下年度继续办理，请核对该列。",
    "carried_in_mismatch": "本年“上年结转”一般应等于上年“结转下年度继续办理”；机构调整等情况可忽略。",
    "jump_10x": "核对是否多输或少输了位数。",
    "previous_year": "核对“上年数据”表中的年度。",
    "format_outdated": "用 reportgen init 生成新版格式的工作簿，把数据转填过去（上年数据可用 --previous 带入）。",
    "previous_sum": "核对“上年数据”表中该合计及其各项（照上年报告填写）。",
    "stale_number": "改正文中的数字，或改用占位符让系统填入。",
    "share_change_as_percent": "占比（比例）之差用“个百分点”表述；只有数量的增减才用“%”。",
    "percent_mismatch": "核对该比例的分子和分母（办理结果的占比以办结总数为分母），或删去由系统生成的重复表述。",
    "formula_input": "把公式改为直接填写的数字（复制后“选择性粘贴→数值”）。",
    "formula_no_value": "把公式改为直接填写的数字，或在Excel/WPS中打开后保存一次。",
    "cell_error": "单元格显示 #REF! 等错误，请直接填写数字。",
}


@dataclass(frozen=True)
class Location:
    """Where a value came from: a workbook cell, or a key of a JSON document."""

    file: str = ""
    sheet: str = ""
    cell: str = ""
    key: str = ""

    def __str__(self) -> str:
        if self.sheet:
            return f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        return self.key


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    location: Location
    key: str
    message: str

    @property
    def label(self) -> str:
        """The Chinese name of the figure concerned (一、本年新收政府信息公开申请数量（自然人）), if any."""
        from .formats import get_format

        label = get_format().labels.get(self.key, "")
        return "" if not label or label in self.message else label

    def __str__(self) -> str:
        where = str(self.location)
        if where and self.label:
            where = f"{where}〔{self.label}〕"
        return f"{where}：{self.message}" if where else self.message

    def as_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "severity": self.severity,
            "file": self.location.file,
            "sheet": self.location.sheet,
            "cell": self.location.cell,
            "location": str(self.location),
            "key": self.key,
            "label": self.label,
            "message": self.message,
        }


def finding(code: str, location: Location, key: str = "", **values: object) -> Finding:
    """Build a finding from the registry: its severity and message come from `CODES`."""
    severity, template = CODES[code]
    return Finding(code, severity, location, key, template.format(**values))


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity == ERROR for f in findings)


def flatten(findings: Iterable[Finding], *attrs: str) -> list[list[str]]:
    """For tests: ``flatten(fs, "sheet", "cell", "code") == [["依申请公开", "J7", "balance"]]``."""
    out = []
    for f in findings:
        row = []
        for a in attrs:
            row.append(getattr(f.location, a) if a in ("file", "sheet", "cell") else getattr(f, a))
        out.append(row)
    return out
