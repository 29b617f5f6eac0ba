"""How real published reports print the format: label variants, typos, section wording, titles.

The reader of published reports (read/published.py) knows the format only through the edition
definitions and this vocabulary, gathered from real pages (tests/data/published/SOURCES.md).
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cached_property
from typing import Any, cast

from .derive import complete
from .gov2019 import REQUESTS_2019
from .gov2021 import GOV_2021


class _Pattern:
    """A regular expression compiled when first used: these serve only the reader of published
    reports, and compiling them (wide CJK character classes) would cost every `build` its time."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern

    @cached_property
    def compiled(self) -> re.Pattern[str]:
        return re.compile(self.pattern)

    def __getattr__(self, name: str) -> Any:  # match, search, finditer, sub…
        return getattr(self.compiled, name)


def _lazy(pattern: str) -> re.Pattern[str]:
    return cast("re.Pattern[str]", _Pattern(pattern))  # used exactly as the compiled pattern


# A printed label this alike to the format's (difflib ratio) is that label: typos such as
# “2.其他法律行政止公开” (洪泽区), “5.属于三类内容事务信息”, “只计这一情况” (长春市二道区).
FUZZY = 0.85
# Row labels printed otherwise than the format prints them: format label → variants.
LABEL_VARIANTS: dict[str, tuple[str, ...]] = {
    "行政规范性文件": ("规范性文件",),  # 沭阳县发改局 2023 (2021 edition)
    "规范性文件": ("行政规范性文件",),  # 2019 edition, printed with the 2021 word
    "（七）总计": ("（七）合计",),
}
# The tables' section headings as real reports word them, besides the format's title (compared
# without spaces; a heading this alike to one of them, by FUZZY, is it too: 平潭 2022 misprints
# “四、政府信息公开行政法复议、行政诉讼情况”).
TITLE_VARIANTS: dict[str, tuple[str, ...]] = {
    "requests": ("三、收到和处理政府信息公开的申请情况",),  # 武强县商务局 2022
    # the wording of 条例第五十条, as every Shanghai report titles section 四
    "appeals": ("四、因政府信息公开工作被申请行政复议和提起行政诉讼情况",
                "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况",
                "四、因政府信息公开申请行政复议、提起行政诉讼的情况"),  # 平潭 2019–2021's own outline
}

# What a published table prints for "nothing" (besides an empty cell).
BLANK_CELLS = frozenset({"/", "／", "—", "——", "-", "－", "–", "无", "空"})
# A value cell: a number, maybe signed (本年增/减), with thousands separators or a unit.
VALUE_CELL = _lazy(r"^[-+−－]?[0-9][0-9,，]*(?:[.．][0-9]+)?(?:万元|元|件|个|项|次)?$")
# Encoding debris: a character the page's encoding could not hold, shown as “?” (“? 0” in a 2021
# 局 report on a mirror) or as U+FFFD. Digits are ASCII and survive it; the debris around them is
# not part of the figure.
DEBRIS = "?\ufffd"
# Units a money cell may carry, as factors to the format's 万元.
MONEY_UNITS = {"万元": 1, "元": 10000}

# ---- prose ----------------------------------------------------------------------------------
# A subsection heading of 一、总体情况, alone or opening its paragraph: （一）主动公开方面。有序推进……
SUBSECTION = _lazy(r"^[(（][一二三四五六七八九十][)）]([^。：:；;，,]{0,30})[。：:；;]?")
OVERVIEW_HEADING = _lazy(r"^一[、.．]\s*总体情况")
# Section 五 is worded variously: 存在的主要问题及改进情况 / 及整改措施 / 政府信息公开工作存在的…
PROBLEMS_HEADING = _lazy(r"^(?:五[、.．])?.{0,12}存在的主要问题")
OTHER_HEADING = _lazy(r"^(?:六[、.．])?.{0,6}其他需要报告的事项")
# The report's title: 平潭综合实验区2023年度政府信息公开工作年度报告, 2019年上海市人民政府办公厅政府
# 信息公开工作年度报告, 沭阳县发展和改革局2023年政府信息公开年度报告.
TITLE = _lazy(
    r"(?P<before>[\u4e00-\u9fff（）()]{2,40}?)?(?P<year>(?:19|20)[0-9]{2})年度?"
    r"(?P<after>[\u4e00-\u9fff（）()]{0,40}?)政府信息公开(?:工作)?(?:年度)?(?:工作)?报告"
)
# A notice of the format cited in the prose: （国办公开办函〔2019〕60号）. Brackets vary between copies.
NOTICE = _lazy(r"国办公开办函[〔\[［(（【]\s*((?:19|20)[0-9]{2})\s*[〕\]］)）】]\s*([0-9]+)\s*号")
# 本报告由淮安市人民政府办公室根据《条例》…编制
COMPILED_BY = _lazy(r"本报告由(.{2,40}?)(?:根据|依据|按照)")
# A portal's own record of the page: 发布机构：沭阳县发展和改革局 / 来源：平潭综合实验区管委会办公室.
# Left empty, the field is followed by the portal's next one (来源：　发布时间：2024-03-08), no organ.
PUBLISHER = _lazy(r"(?:发布机构|发文机关|信息来源|来源)[:：]\s*"
                  r"(?!(?:发布|更新|成文|生成)?(?:时间|日期)|作者|浏览|点击|访问|字号|阅读|分享|打印|索引号)"
                  r"([\u4e00-\u9fff（）()]{2,40})")
# Offices that compile a government's report on its behalf: the report is the government's.
COMPILING_OFFICES = ("办公室", "办公厅", "政务公开办", "政务服务管理办公室")
# The processing fees of section 六: 收取信息处理费1次，共计840元 / 收取政府信息公开信息处理费 0 元
FEES = _lazy(r"收取(?:政府信息公开)?信息(?:处理|管理)费(?:(\d+)次[^。；]*?)?(\d+(?:\.\d+)?)元")
NO_FEES = ("未收取信息处理费", "未收取信息管理费", "未收取政府信息公开信息处理费", "未产生信息处理费",
           "无收取信息处理费", "未发生收费", "未收取任何费用")

# Pages from 2021 on by some templates (洪泽区 2023, 2024) print the 2021 table 2 with the 2019
# table 3, whose （六）其他处理 is one row: read as what they print, an edition of their own.
GOV_2021_OLD_TABLE_3 = complete(
    replace(
        GOV_2021,
        key="gov-2021-table3-2019",
        name="2021年版格式（表三按2019年版：（六）其他处理为一行）",
        requests=REQUESTS_2019,
        sums=(),
        balances=(),
    )
)
