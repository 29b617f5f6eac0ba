"""Every finding code in one table: its severity, the message that says what is wrong, and the
remedy that says what a clerk does about it. Tests assert codes; people read messages."""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"
INFO = "info"

SEVERITY_LABEL = {ERROR: "错误", WARNING: "警告", INFO: "提示"}


# never compared, hashed or printed: no generated __eq__/__repr__ (see formats/base.py)
@dataclass(frozen=True, eq=False, repr=False)
class Code:
    """A finding code's severity, message template and remedy (处理办法)."""

    severity: str
    message: str  # a str.format template over the finding's values
    remedy: str  # 处理办法
    # 处理办法 where the finding is on a report as published (an auditor's, not a clerk's), when
    # the clerk's would mean filling in a sheet, a cell or a placeholder
    published: str = ""


CODES: dict[str, Code] = {
    # reading cells and keys
    "not_integer": Code(
        ERROR,
        "应为非负整数，实际为“{value}”",
        "填写阿拉伯数字（件数为整数），不要写汉字、单位或小数。",
        "报告表格中此处不是件数：对照原报告核实，并请发布机关更正。",
    ),
    "negative": Code(
        ERROR,
        "不能为负数，实际为{value}",
        "件数不能为负数，请核对。",
    ),
    "not_money": Code(
        ERROR,
        "应为金额（万元，最多六位小数），实际为“{value}”",
        "金额以万元为单位，最多六位小数（到分为止），如 1210.06 或 24252.311082。",
    ),
    "too_large": Code(
        ERROR,
        "数值{value}超出合理范围，请核对是否多输了位数",
        "多半是多输了几位数，请核对。",
    ),
    "blank_as_zero": Code(
        INFO,
        "“{value}”按0计",
        "无需处理；若确有数据请补填。",
        "无需处理：报告表格中此处空白，按0计；如有疑问，对照原报告核实。",
    ),
    "text_number": Code(
        WARNING,
        "“{value}”按数字{number}读取，请改为直接输入数字",
        "把单元格改为直接输入的数字（不带全角数字或千位分隔符）。",
        "无需处理：已按数字读取；如有疑问，对照原报告核实。",
    ),
    "table_empty": Code(
        WARNING,
        "{table}全部为空（按0计），请确认本年度确无相关数据",
        "确认本年度确实没有这类数据；否则请补填。",
    ),
    "formula_input": Code(
        WARNING,
        "此处应直接填写数字，现为公式“{formula}”，已按其计算结果{value}读取",
        "把公式改为直接填写的数字（复制后“选择性粘贴→数值”）。",
    ),
    "formula_no_value": Code(
        ERROR,
        "此处应直接填写数字，现为公式“{formula}”，且文件中没有保存计算结果，请改为直接填写数字",
        "把公式改为直接填写的数字，或在Excel/WPS中打开后保存一次。",
    ),
    "cell_error": Code(
        ERROR,
        "单元格为错误值{value}，请改为直接填写数字",
        "单元格显示 #REF! 等错误，请直接填写数字。",
    ),
    "total_not_checked": Code(
        INFO,
        "{label}为公式，读取时未保存计算结果，已按各项重新计算",
        "无需处理：合计由各项重新计算。",
    ),
    "missing_meta": Code(
        ERROR,
        "缺少{label}",
        "在“基本信息”表填写。",
        "报告的标题、“本报告由……编制”、发布机构和落款中都没有找到：核对是否为完整的报告；确未写明的，请发布机关补正。",
    ),
    "bad_year": Code(
        ERROR,
        "年度应为{first}至{last}之间的四位数字年份，实际为“{value}”",
        "填写四位数字的年份，如 2025。",
        "核对报告标题中的年度。",
    ),
    "narrative_missing": Code(
        WARNING,
        "“{label}”未填写，报告中该部分只有系统生成的内容",
        "在“正文”表填写该部分的文字。",
    ),
    "section_missing": Code(
        WARNING,
        "报告中没有找到“{label}”这一部分的文字",
        "年度报告格式要求写明这一部分：核对报告是否缺少该部分；若报告用别的标题写了这部分内容，可忽略。",
    ),
    "unknown_key": Code(
        WARNING,
        "不认识的项“{value}”，已忽略",
        "检查JSON中的键名是否拼错。",
    ),
    "text_cleaned": Code(
        WARNING,
        "文字中有{what}，已删除",
        "这类字符多半是从网页或其他软件复制时带来的，看不见却会影响文件名和文档，请重新输入该处文字。",
    ),
    "not_text": Code(
        ERROR,
        "应为文字，实际为{value}",
        "在JSON中把该项写成带双引号的文字，如 \"organ\": \"某某区人民政府\"。",
    ),
    "text_too_long": Code(
        ERROR,
        "文字长达{length}个字符，达到了一个单元格的上限（{limit}个字符），多半是误粘贴了大量内容",
        "一个单元格（或JSON中的一项）最多32767个字符；请检查是否误粘贴了大量内容。",
    ),
    "not_read": Code(
        ERROR,
        "报告中未能读取{what}",
        "核对该文件是否为完整的年度报告（表格是否被截断或改成了图片）；若报告本身缺少该项，请联系发布机关。",
    ),
    "cell_debris": Code(
        INFO,
        "“{value}”中的“?”是乱码（网页转换编码时丢失的字符），已按{number}读取",
        "无需处理；如需核实，请对照发布机关的原始文件。",
    ),
    "unit_in_cell": Code(
        WARNING,
        "“{value}”以{unit}为单位，表格中的金额按万元计，已换算为{number}万元",
        "表格中的金额应以万元为单位填写，不带单位。",
        "无需处理：已换算为万元；按格式，表格中的金额应以万元为单位，可提醒发布机关。",
    ),
    "placeholder_unknown": Code(
        ERROR,
        "占位符 {{{{ {value} }}}} 不对应任何数据",
        "检查占位符中的名称（见模板包编写指南的变量列表）。",
    ),
    "placeholder_syntax": Code(
        ERROR,
        "占位符写法有误：{value}",
        "占位符写作 {{ requests.new.total }}，前后各两个花括号。",
    ),
    "year_text": Code(
        WARNING,
        "年度“{value}”按{year}读取",
        "只填写四位数字的年份，如 2025，不要加“年”字。",
    ),
    "file_open": Code(
        WARNING,
        "工作簿可能仍在 Excel/WPS 中打开，未保存的修改不会被读取（旁边有临时文件“{lock}”）",
        "在Excel/WPS中保存并关闭工作簿后再检查；若工作簿并未打开，可删除这个临时文件。",
    ),
    "placeholder_not_value": Code(
        ERROR,
        "占位符 {{{{ {value} }}}} 指的是一组数据，不是一个数字或文字",
        "写到具体的一项，如 {{ requests.new.total }}（见模板包编写指南的变量列表）。",
    ),
    # identities (generated from the format definition)
    "group_sum": Code(
        ERROR,
        "{text}",
        "合计应等于各项之和，请核对合计或各项。",
    ),
    "handled_sum": Code(
        ERROR,
        "{text}",
        "（七）总计应等于（一）至（六）之和，请核对各项。",
    ),
    "row_total": Code(
        ERROR,
        "{text}",
        "总计列应等于各申请人类型之和，请核对该行。",
    ),
    "appeal_total": Code(
        ERROR,
        "{text}",
        "总计应等于结果维持、结果纠正、其他结果、尚未审结之和。",
    ),
    "combined_sum": Code(
        ERROR,
        "{text}",
        "行政诉讼合计应等于两类起诉之和。",
    ),
    "balance": Code(
        ERROR,
        "{text}",
        "本年新收＋上年结转应等于（七）总计＋结转下年度继续办理，请核对该列。",
    ),
    # across years and sanity
    "carried_in_mismatch": Code(
        WARNING,
        "本年上年结转（{this}）与上年结转下年度继续办理（{last}）不一致",
        "本年“上年结转”一般应等于上年“结转下年度继续办理”；机构调整等情况可忽略。",
    ),
    "jump_10x": Code(
        WARNING,
        "{label}本年为{this}，上年为{last}，相差10倍以上，请核对",
        "核对是否多输或少输了位数。",
    ),
    "previous_year": Code(
        ERROR,
        "上年数据的年度为{last}，应为{expected}（统计年度{this}的上一年）",
        "把“上年数据”表中的年度改为统计年度减一；若填的是其他年份的数字，请换成上一年的数字。",
    ),
    "format_outdated": Code(
        WARNING,
        "{year}年度的报告应使用新版格式（自{since}年度起），本报告使用的是{name}",
        "用 reportgen init 生成新版格式的工作簿，把数据转填过去（上年数据可用 --previous 带入）。",
        "该报告未按现行格式编制：请发布机关按国办公开办函〔2021〕30号印发的格式更正。",
    ),
    "notice_outdated": Code(
        WARNING,
        "正文引用的是已被取代的年度报告格式通知{cited}，{year}年度的报告应按{notice}印发的格式编制",
        "把引用的通知改为现行的年度报告格式通知（国办公开办函〔2021〕30号），并核对表格是否按现行格式编制。",
    ),
    "previous_sum": Code(
        WARNING,
        "上年数据中{label}为{given}，但各项之和为{parts}，比较时以填写的合计为准",
        "核对“上年数据”表中该合计及其各项（照上年报告填写）。",
    ),
    "previous_parts_exceed": Code(
        WARNING,
        "上年数据中{label}为{given}，小于已填各项之和{parts}",
        "合计不能小于其各项之和：核对“上年数据”表中该合计及其各项（照上年报告填写）。",
    ),
    "file_year": Code(
        WARNING,
        "文件名中的年度（{named}）与{read_from}（{year}）不一致，可能选错了文件",
        "核对选的是否为本年度的工作簿；若是，改正统计年度或文件名。",
        "核对选的是否为该年度的报告（文件名与报告标题中的年度不一致）。",
    ),
    "not_filled": Code(
        WARNING,
        "工作簿中的数字全部为0，正文也没有填写，看起来尚未填写",
        "确认选的是已填好并保存的工作簿。",
    ),
    "share_change_as_percent": Code(
        WARNING,
        "正文“{sentence}”把占比的变化写成了“{written}”，占比的变化应写作“{points}”",
        "占比（比例）之差用“个百分点”表述；只有数量的增减才用“%”。",
    ),
    "percent_mismatch": Code(
        WARNING,
        "正文“{sentence}”中的{written}与表格算出的各项比例都不相符",
        "核对该比例的分子和分母（办理结果的占比以办结总数为分母），或删去由系统生成的重复表述。",
        "核对该比例的分子和分母（办理结果的占比以办结总数为分母）；确有错误的，请发布机关更正。",
    ),
    "stale_number": Code(
        WARNING,
        "正文“{sentence}”中的{number}与表格不符：{expected}",
        "改正文中的数字，或改用占位符让系统填入。",
        "正文与表格不一致：对照原报告核实哪一处有误，并请发布机关更正。",
    ),
    "stale_last_year": Code(
        WARNING,
        "正文“{sentence}”中{said}的{number}与上年数据不符：{expected}",
        "正文括号中上年的数字应与“上年数据”表相同：对照上年报告核实哪一处有误并改正，"
        "或改用占位符（如 {{ previous.requests.new.total }}）让系统填入。",
        "正文括号中上年的数字与上年的统计数字不一致：对照本机关上年的年度报告核实哪一处有误，并请发布机关更正。",
    ),
    "change_direction": Code(
        WARNING,
        "正文“{sentence}”写的是{written}，{expected}：增减方向相反",
        "把正文中增减的方向改过来（增加与减少、增长与下降），或改用占位符"
        "（如 {{ facts.requests.new_change.text }}）让系统写出增减；若正文无误，核对“上年数据”表。",
        "正文写的增减方向与统计数字相反（常见于沿用上年报告的措辞）：对照本机关本年和上年的年度报告核实，"
        "并请发布机关更正。",
    ),
    # across published reports (reportgen check over a collection)
    "cross_carried_in": Code(
        WARNING,
        "{this_year}年度报告的上年结转（{column}）为{this}，而同一机关{last_year}年度报告的结转下年度继续办理为{last}",
        "本年“上年结转”一般应等于上年“结转下年度继续办理”；核对两份报告，机构调整等情况可忽略。",
    ),
    "cross_change": Code(
        WARNING,
        "正文“{sentence}”中的“{written}”与同一机关{last_year}年度报告的数字不符：{expected}",
        "按上年已公布的年度报告核对正文中较上年的增减数字或比例，以及括号中上年的数字。",
    ),
    "cross_district_sum": Code(
        WARNING,
        "{year}年度{district}报告的{label}为{this}，而所列{count}个单位的年度报告之和为{total}（{units}）",
        "汇总报告的数字应等于所列各单位之和；若汇总报告另含本级的数字，请把本级也列为单位。",
    ),
}
