"""The 2019 edition (国办公开办函〔2019〕60号, 格式（试行）), used for reporting years 2019–2020.

It differs from 2021 in table 2 (other columns, a 政府集中采购 block) and in table 3, where
（六）其他处理 is one row without sub-rows (shared/spec/format-notes.md §6). Tables 3 and 4 are
otherwise the 2021 ones, so they are derived from them rather than written again.
"""

from __future__ import annotations

from dataclasses import replace

from .base import DECISIONS, MONEY, SIGNED, Block, Field, Row, Section
from .derive import complete
from .gov2021 import ACTIVE, APPEALS, GOV_2021, REQUESTS

_PROJECTS = (
    Field("last_year_items", "上一年项目数量"),
    Field("change", "本年增/减", kind=SIGNED),
    Field("decisions", "处理决定数量"),
)

ACTIVE_2019 = replace(
    ACTIVE,  # same title, sheet and header; other blocks
    blocks=(
        Block(
            "第二十条第（一）项",
            (
                Field("made", "本年新制作数量", verbs=("制作", "制发", "制定", "出台", "印发")),
                Field("published", "本年新公开数量"),
                Field("total_public", "对外公开总数量"),
            ),
            (Row("regulations", "规章"), Row("normative_documents", "规范性文件")),
        ),
        Block(
            "第二十条第（五）项",
            _PROJECTS,
            (Row("licensing", "行政许可"), Row("other_services", "其他对外管理服务事项")),
            role=DECISIONS,
        ),
        Block(
            "第二十条第（六）项",
            _PROJECTS,
            (Row("penalties", "行政处罚"), Row("enforcement", "行政强制")),
            role=DECISIONS,
        ),
        Block("第二十条第（八）项", _PROJECTS[:2], (Row("fees", "行政事业性收费", synonyms=("收费",)),)),
        Block(
            "第二十条第（九）项",
            (Field("items", "采购项目数量"), Field("amount", "采购总金额（单位：万元）", kind=MONEY, unit="万元")),
            (Row("procurement", "政府集中采购"),),
        ),
    ),
)


def _one_row_other(section: Section) -> Section:
    """（六）其他处理 as the 2019 edition prints it: one row, no sub-rows (same key as the 2021 group)."""
    rows = tuple(
        Row(r.key, r.label, name=r.name) if r.key == "other" else r for r in section.rows
    )
    return replace(section, rows=rows)


REQUESTS_2019 = replace(
    REQUESTS,
    body=tuple(_one_row_other(e) if isinstance(e, Section) else e for e in REQUESTS.body),
)

GOV_2019 = complete(
    replace(
        GOV_2021,
        key="gov-2019",
        name="中华人民共和国政府信息公开工作年度报告格式（试行）（2019年版）",
        notice="国办公开办函〔2019〕60号",
        active=ACTIVE_2019,
        requests=REQUESTS_2019,
        appeals=APPEALS,
        sums=(),
        balances=(),
        # The 2021 edition replaced this one from reporting year 2021 on (国办公开办函〔2021〕30号).
        superseded_from=2021,
    )
)
