"""The vocabulary a format definition is written in: tables, rows, columns, identities."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

COUNT = "count"  # a non-negative integer
MONEY = "money"  # 万元 (or 元), Decimal as typed: two to six places
SIGNED = "signed"  # an integer that may be negative: the 2019 edition's 本年增/减
# What a block of table 2 counts, for the prose: documents made and in force, or decisions taken.
DOCUMENTS = "documents"
DECISIONS = "decisions"
# The 条例 took effect in 2008: no annual report is for an earlier year.
FIRST_YEAR = 2008
# The classes below are definitions, each object made once when its edition is defined and then
# only referred to: nothing compares two of them by value, hashes or prints one. So they get
# identity equality and object's repr instead of generated __eq__, __hash__ and __repr__, which
# Python 3.11 compiles anew in every process (about 20 M instructions of each run's start-up).




def zero_of(kind: str) -> int | Decimal:
    """What a blank figure of `kind` counts as: 0, or 0.00 万元 for money."""
    return Decimal("0.00") if kind == MONEY else 0

@dataclass(frozen=True, eq=False, repr=False)
class Field:
    """A column of numbers (or a single figure of an item)."""

    key: str
    label: str
    kind: str = COUNT
    derived: bool = False
    parent: str | None = None  # a spanning header above this column (法人或其他组织)
    unit: str = "件"  # the unit prose states the figure in (万元, 元, 次)
    verbs: tuple[str, ...] = ()  # what staff text says the column counts (废止…5件): DOCUMENT_VERBS


# The verbs staff text counts documents by (经清理，已宣布废止规范性文件5件). A count stated with one
# that none of a block's columns counts (废止, 修改 in the 2019 edition) is no figure of the table.
DOCUMENT_VERBS = ("制发", "制定", "出台", "印发", "制作", "废止", "失效", "修改", "修订", "清理", "现行有效")

# The ways staff text counts requests by how they came (其中网络申请5件，信函申请6件): a part of the
# year's requests that no row of table 3 counts, so never a figure of the table.
REQUEST_CHANNELS = ("网络", "网上", "在线", "信函", "邮寄", "当面", "现场", "窗口", "电子邮件", "邮件", "传真", "电话")


# never compared, hashed or printed: no generated __eq__/__repr__
@dataclass(frozen=True, eq=False, repr=False)
class Direction:
    """One direction of a change from last year: the words generated text states it by, and every
    word staff text states it by (a change word copied from last year's text may be the wrong one)."""

    sign: int  # 1 a rise, -1 a fall
    count: str  # 较上年增加27件
    rate: str  # 增长13.2%
    points: str  # 提高3.1个百分点
    words: tuple[str, ...]  # 回落: “申请数量较去年回落12.3%” (上海市政府办公厅 2019)


RISE = Direction(1, "增加", "增长", "提高", ("增加", "增长", "上升", "提高", "多了"))
FALL = Direction(-1, "减少", "下降", "降低", ("减少", "下降", "回落", "降低", "少了"))
DIRECTIONS = (RISE, FALL)


@dataclass(frozen=True, eq=False, repr=False)
class Row:
    """A numbered line of a table; a group's rows are its children."""

    key: str  # dotted for a row inside a group: denied.state_secret
    label: str  # verbatim, as the table prints it
    name: str = ""  # short name used in prose (予以公开); defaults to the label
    derived: bool = False
    children: tuple[Row, ...] = ()
    synonyms: tuple[str, ...] = ()  # other words staff text names the row by (同意公开)

    @property
    def prose(self) -> str:
        return self.name or self.label

    @property
    def is_group(self) -> bool:
        return bool(self.children)


@dataclass(frozen=True, eq=False, repr=False)
class Section:
    """A level-1 heading spanning several rows (三、本年度办理结果) that has no numbers."""

    label: str
    rows: tuple[Row, ...]


@dataclass(frozen=True, eq=False, repr=False)
class Sum:
    """`target` is derived as the sum of `parts`; a given target is checked against it."""

    target: str
    parts: tuple[str, ...]
    code: str
    message: str  # Chinese, {target_label} {parts_value} {target_value} placeholders
    where: str = ""  # which column / block, for the message


@dataclass(frozen=True, eq=False, repr=False)
class Balance:
    """sum(left) must equal sum(right): a check among inputs, nothing is derived."""

    left: tuple[str, ...]
    right: tuple[str, ...]
    code: str
    message: str
    where: str = ""
    anchor: str = ""  # the key a finding carries (it names the balance; no cell holds it)


# ---- Table 2 ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False, repr=False)
class Block:
    """One block of table 2: a title row, a header row, and items sharing its fields."""

    title: str  # 第二十条第（一）项
    fields: tuple[Field, ...]
    items: tuple[Row, ...]
    role: str = ""  # DOCUMENTS / DECISIONS: which list of the prose facts its items join

    @property
    def unit(self) -> str:
        """The unit prose quotes the block's items in: its money's (万元) if it has money."""
        return next((f.unit for f in self.fields if f.kind == MONEY), self.fields[0].unit)


@dataclass(frozen=True, eq=False, repr=False)
class ActiveTable:
    """Table 2 (主动公开): blocks of items, each block with its own columns."""

    key: str
    title: str
    sheet: str
    item_header: str  # 信息内容
    blocks: tuple[Block, ...]

    def figures(self) -> Iterator[tuple[str, Row, Field]]:
        for block in self.blocks:
            for item in block.items:
                for f in block.fields:
                    yield f"{self.key}.{item.key}.{f.key}", item, f


# ---- Table 3 ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False, repr=False)
class GridTable:
    """Table 3: rows × applicant columns, with sections and groups of rows."""

    key: str
    title: str
    sheet: str
    corner: str  # the note printed in the top-left cell
    column_header: str  # 申请人情况
    columns: tuple[Field, ...]
    body: tuple[Row | Section, ...]
    balance_left: tuple[str, ...]
    balance_right: tuple[str, ...]
    outcome_section: str  # the key-less section whose groups make up `handled`
    applicant_groups: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    prose_word: str = ""  # the word staff text names any of its rows by (申请)

    def top_rows(self) -> Iterator[tuple[Section | None, Row]]:
        """Rows directly under the table or a section (groups not expanded)."""
        for entry in self.body:
            if isinstance(entry, Section):
                for row in entry.rows:
                    yield entry, row
            else:
                yield None, entry

    def rows(self) -> Iterator[tuple[Section | None, Row | None, Row]]:
        """Every numeric row in table order: (section, group, row). Groups themselves carry
        no numbers in the printed table, so they are not yielded."""
        for section, row in self.top_rows():
            if row.is_group:
                for child in row.children:
                    yield section, row, child
            else:
                yield section, None, row

    def all_rows(self) -> Iterator[Row]:
        """Every row with a key, groups included (group before its children)."""
        for _, row in self.top_rows():
            yield row
            yield from row.children

    def outcome_rows(self) -> tuple[Row, ...]:
        """The outcome groups that add up to `handled` (（一）…（六）), in table order."""
        for entry in self.body:
            if isinstance(entry, Section) and entry.label == self.outcome_section:
                return tuple(r for r in entry.rows if r.is_group or not r.derived)
        raise LookupError(self.outcome_section)

    def input_columns(self) -> tuple[Field, ...]:
        return tuple(c for c in self.columns if not c.derived)

    def total_column(self) -> Field:
        return next(c for c in self.columns if c.derived)

    def row(self, key: str) -> Row:
        for r in self.all_rows():
            if r.key == key:
                return r
        raise KeyError(key)


# ---- Table 4 ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False, repr=False)
class AppealBlock:
    """A block of table 4: 行政复议, or one kind of 行政诉讼."""

    key: str
    label: str
    parent: str | None = None  # 行政诉讼


@dataclass(frozen=True, eq=False, repr=False)
class AppealsTable:
    """Table 4 (行政复议、行政诉讼): blocks × the same result columns."""

    key: str
    title: str
    sheet: str
    fields: tuple[Field, ...]
    blocks: tuple[AppealBlock, ...]
    combined: tuple[str, str, tuple[str, ...]]  # (key, label, parts): litigation = direct + after

    def figures(self) -> Iterator[tuple[str, AppealBlock, Field]]:
        for block in self.blocks:
            for f in self.fields:
                yield f"{self.key}.{block.key}.{f.key}", block, f

    def input_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if not f.derived)


# ---- Text and metadata -----------------------------------------------------------------


@dataclass(frozen=True, eq=False, repr=False)
class TextField:
    """A field of 基本信息 (机关名称, 联系电话 …)."""

    key: str
    label: str
    required: bool = False
    hint: str = ""


@dataclass(frozen=True, eq=False, repr=False)
class NarrativeSection:
    """A part of the staff's own text (正文), under a heading of the report."""

    key: str  # overview.active
    heading: str  # default heading, a pack may rename
    part: str  # which of the six sections it sits in: overview / problems / other
    hint: str = ""
    # Words a published report's subsection heading names this aspect by (平台建设管理情况: 平台);
    # headings naming none of a part's aspects are the organ's own outline (平潭 2019, 2020).
    named_by: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False, repr=False)
class Format:
    """A whole edition of the national format."""

    key: str  # gov-2021
    name: str
    notice: str
    sections: tuple[tuple[str, str], ...]  # (key, heading) of the six parts
    meta: tuple[TextField, ...]
    contact: tuple[TextField, ...]
    active: ActiveTable
    requests: GridTable
    appeals: AppealsTable
    other_matters: tuple[tuple[str, Field], ...]  # (dotted key under other_matters, field)
    other_matters_title: str
    narrative: tuple[NarrativeSection, ...]
    previous_sheet: str = "上年数据"
    meta_sheet: str = "基本信息"
    narrative_sheet: str = "正文"
    sums: tuple[Sum, ...] = field(default=())
    balances: tuple[Balance, ...] = field(default=())
    labels: dict[str, str] = field(default_factory=dict, compare=False)
    superseded_from: int | None = None  # the reporting year from which a newer edition applies
    # Words that tie a percentage in staff text to the tables, besides their labels (办结, 复议).
    table_words: tuple[str, ...] = ()

    def __reduce_ex__(self, protocol: Any) -> Any:
        """A registered edition is pickled by its key (a batch or merge worker sends a report back
        with its format: the whole definition each time would be most of the bytes)."""
        if REGISTERED.get(self.key) is self:
            return (_registered, (self.key,))
        return super().__reduce_ex__(protocol)

    # -- keys -------------------------------------------------------------------------
    def input_figures(self) -> Iterator[tuple[str, Field]]:
        """Every figure a person types, in table order: (key, field)."""
        # Listed once per edition (it is frozen): reading and checking a report ask for it often.
        listed = self.__dict__.get("_input_figures")
        if listed is None:
            listed = tuple(self._list_input_figures())
            object.__setattr__(self, "_input_figures", listed)
        return iter(listed)

    def _list_input_figures(self) -> Iterator[tuple[str, Field]]:
        for key, _, f in self.active.figures():
            yield key, f
        req = self.requests
        for _, _, row in req.rows():
            if row.derived:
                continue
            for col in req.input_columns():
                yield f"{req.key}.{row.key}.{col.key}", col
        for key, _, f in self.appeals.figures():
            if not f.derived:
                yield key, f
        for key, f in self.other_matters:
            yield f"other_matters.{key}", f

    def derived_figures(self) -> list[str]:
        return [s.target for s in self.sums]

    def kind(self, key: str) -> str:
        for k, f in self.input_figures():
            if k == key:
                return f.kind
        return "count"

    def meta_label(self, key: str) -> str:
        """The 基本信息 label of a meta field (统计年度 for ``year``)."""
        return next(f.label for f in self.meta if f.key == key)

    def label(self, key: str) -> str:
        """A figure's Chinese name for messages: 依申请公开 一、本年新收… / 自然人."""
        return self.labels.get(key, key)

    def unit_columns(self) -> list[tuple[str, str]]:
        """The key figures a merged report lists per unit (单位汇总): (figure key, column title)."""
        req, ap = self.requests, self.appeals
        total = req.total_column().key
        cols = [(f"{req.key}.{row.key}.{total}", row.prose) for _, row in req.top_rows()]
        ap_total = next(f for f in ap.fields if f.derived).key
        combined, combined_label, _ = ap.combined
        cols += [(f"{ap.key}.{b.key}.{ap_total}", b.label) for b in ap.blocks if not b.parent]
        cols.append((f"{ap.key}.{combined}.{ap_total}", combined_label))
        return cols


# The editions of reportgen.formats.FORMATS, filled in there: a pickled Format names one of them.
REGISTERED: dict[str, Format] = {}


def _registered(key: str) -> Format:
    """The registered edition `key` (how a pickled Format is restored)."""
    return REGISTERED[key]
