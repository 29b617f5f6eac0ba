"""Catch the stale hand-typed number: staff text quoting a figure the tables contradict."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from ..compute import Computed
from ..compute.arithmetic import LARGEST_REMAINDER, percent, shares
from ..findings import Finding, Location, finding
from ..formats.base import DIRECTIONS, DOCUMENT_VERBS, REQUEST_CHANNELS, Direction, Format
from ..model import Number, Report


# never compared, hashed or printed: no generated __eq__/__repr__ (see formats/base.py)
@dataclass(frozen=True, eq=False, repr=False)
class Topic:
    """Words in staff text that name something the tables hold, and the figures it may be."""

    words: tuple[str, ...]
    unit: str  # 件 / 万元 / 元 / 次
    keys: tuple[str, ...]  # figure keys (prefix match: "requests.new." matches every column)
    name: str  # how the expected figure is named in the message
    verbs: tuple[str, ...] = ()  # table 2 documents: what its columns count (制发, 废止…)
    # The figures the message names, each by its row (本年新收232件、办结224件…), where naming every
    # figure the topic may mean (every row of table 3 for 申请) would be a list nobody can use.
    named: tuple[tuple[str, str], ...] = ()


def _topics(report: Report) -> list[Topic]:
    fmt = report.format
    req = fmt.requests
    t, total = req.key, req.total_column().key
    unit = req.total_column().unit
    topics = [
        Topic((r.prose, *r.synonyms), unit, (f"{t}.{r.key}.{total}",), f"表格中{r.prose}为{{values}}{unit}")
        for r in req.outcome_rows()
    ]
    # “予以公开及部分公开42件”: two outcomes stated together are their sum
    outcomes = req.outcome_rows()
    for a, b in zip(outcomes, outcomes[1:], strict=False):
        joined = tuple(f"{a.prose}{j}{b.prose}" for j in ("及", "和", "与", "、"))
        topics.append(Topic(joined, unit, (f"{t}.{a.key}.{total}+{t}.{b.key}.{total}",),
                            f"表格中{a.prose}与{b.prose}之和为{{values}}{unit}"))
    if req.prose_word:
        request_rows = tuple(f"{t}.{r.key}.{total}" for r in req.all_rows())
        # named in the message: the rows outside 三、办理结果 and its total (本年新收, 上年结转, 办结, 结转下年度…)
        summary = tuple((f"{t}.{r.key}.{total}", r.prose) for section, r in req.top_rows()
                        if section is None or (r.derived and not r.is_group))
        topics.append(Topic((req.prose_word,), unit, request_rows, f"表格中{{values}}（{req.prose_word}数量）",
                            named=summary))
    ap = fmt.appeals
    ap_unit = ap.fields[0].unit
    combined, combined_label, members = ap.combined
    # each block of its own (行政复议), and the combined one with its parts (行政诉讼)
    groups = [((b.label,), (b.key,)) for b in ap.blocks if not b.parent and b.key not in members]
    # the combined block's parts name it too (“未经复议直接起诉和复议后起诉总体数量减少6件”, Lanshan 2021)
    parts = tuple(b.label for b in ap.blocks if b.key in members)
    for words, blocks in (*groups, ((combined_label, *parts), (combined, *members))):
        topics.append(Topic(words, ap_unit, tuple(f"{ap.key}.{b}." for b in blocks),
                            f"表格中{words[0]}为{{values}}{ap_unit}"))
    for block in fmt.active.blocks:
        for item in block.items:
            words = tuple(dict.fromkeys((item.label, *item.synonyms)))  # 2019: 规范性文件 is the label
            topics.append(Topic(words, block.unit, (f"{fmt.active.key}.{item.key}.",),
                                f"表格中{item.label}为{{values}}{block.unit}",
                                tuple(v for f in block.fields for v in f.verbs)))
    # the amount before the count, so that findings keep the order they have always had
    for key, f in reversed(fmt.other_matters):
        title = fmt.other_matters_title
        topics.append(Topic((title,), f.unit, (f"other_matters.{key}",), f"{title}为{{values}}{f.unit}"))
    return topics


_SENTENCE = re.compile(r"[^。；;！？\n]+[。；;！？]?")
_GAP = 12  # characters allowed between the topic word and its number
_NUMBER = r"\d+(?:\.\d+)?"


def _between(unit: str) -> str:
    """One character of what may stand between a topic word and its number, in a figure and in a
    change alike: any word but a number or a clause break, the year compared with (较2023年度), and
    the figure compared with in brackets (较2023年（81件）, 较上年（81件）), taken whole so that it is
    never read as this year's figure nor as the change."""
    return (rf"(?:[^0-9０-９，。；,;等（(]|[（(](?![0-9０-９])|\d{{4}}年度?"
            rf"|[（(]{_NUMBER}\s*{re.escape(unit)}[)）])")


class _TopicPattern:
    """A topic's pattern, compiled when a sentence first names one of its words: a report's text
    names a few of the thirty-odd topics, and compiling them all cost every build its time."""

    def __init__(self, words: tuple[str, ...], source: str) -> None:
        self.words, self.source = words, source
        self._compiled: re.Pattern[str] | None = None

    def finditer(self, sentence: str) -> Iterator[re.Match[str]]:
        for word in self.words:  # a loop, not any() over a generator: asked ~20 times a sentence
            if word in sentence:
                break
        else:
            return iter(())
        if self._compiled is None:
            self._compiled = re.compile(self.source)
        return self._compiled.finditer(sentence)


Patterns = list[tuple[Topic, _TopicPattern]]  # each topic with a pattern of its words and number


def _patterns(topics: list[Topic]) -> Patterns:
    """Each topic's pattern, longest topic words first (so 行政规范性文件 claims before 规范性文件)."""
    out = []
    for topic in sorted(topics, key=lambda tp: -max(len(w) for w in tp.words)):
        words = "|".join(re.escape(w) for w in sorted(topic.words, key=len, reverse=True))
        out.append((topic, _TopicPattern(topic.words, (
            rf"(?:{words}){_between(topic.unit)}{{0,{_GAP}}}?({_NUMBER})\s*{re.escape(topic.unit)}(?!\w*[率比])"
        ))))
    return out


def _compared_topics(topics: list[Topic]) -> Iterator[tuple[Topic, str, str, str]]:
    """Each topic a comparison with last year may quote, longest topic words first, with its words,
    what may stand between them and a number, and its unit, as patterns."""
    for topic in sorted(topics, key=lambda tp: -max(len(w) for w in tp.words)):
        if any(k.startswith("other_matters.") for k in topic.keys):
            continue  # the processing fees (元, 次): no year-on-year statement quotes them
        words = "|".join(re.escape(w) for w in sorted(topic.words, key=len, reverse=True))
        yield topic, words, _between(topic.unit), re.escape(topic.unit)


def _change_patterns(topics: list[Topic]) -> Patterns:
    """Each topic's patterns for a stated change, longest topic words first. Between the topic
    and the change may stand what real reports write there: the year compared with and its
    figure (“申请数量较2023年（31件）增加5件”); or the change opens a clause of its own after this
    year's figure (“收到申请36件，同比增加5件”, group ``clause``)."""
    out = []
    for topic, words, gap, unit in _compared_topics(topics):
        # the change word right before its number: 增加5件, 减少了2件, but not 增加至218件 (the new figure)
        change = rf"(?P<change>{_CHANGE_WORDS.pattern})了?\s*(?P<n>{_NUMBER})\s*{unit}(?!\w*[率比])"
        out.append((topic, _TopicPattern(topic.words, rf"(?:{words}){gap}{{0,{_GAP}}}?{change}")))
        out.append((topic, _TopicPattern(
            topic.words, rf"(?:{words}){gap}{{0,{_GAP}}}?{_NUMBER}\s*{unit}[，,]\s*(?P<clause>{gap}{{0,{_GAP}}}?){change}"
        )))
    return out


def _last_figure_patterns(topics: list[Topic]) -> Patterns:
    """Each topic's pattern for last year's figure, given in brackets after the year compared with
    (“申请数量较2020年（205件）增加27件”, “新收申请232件，比上年（205件）增加27件”: group ``n``),
    longest topic words first."""
    out = []
    for topic, words, gap, unit in _compared_topics(topics):
        out.append((topic, _TopicPattern(topic.words, (
            rf"(?:{words}){gap}{{0,{_GAP}}}?(?:{_NUMBER}\s*{unit}[，,]\s*{gap}{{0,{_GAP}}}?)?"
            rf"(?P<against>{_AGAINST})[（(]\s*(?P<n>{_NUMBER})\s*{unit}[)）]"
        ))))
    return out


# Each edition's patterns, built once (they depend on the frozen format alone): a merge or batch
# checks thousands of reports of one edition.
_BUILT: dict[str, tuple[Format, Patterns, Patterns, Patterns]] = {}


def _built(report: Report) -> tuple[Format, Patterns, Patterns, Patterns]:
    """The edition's figure patterns, change patterns and patterns of last year's figure."""
    fmt = report.format
    built = _BUILT.get(fmt.key)
    if built is None or built[0] is not fmt:
        topics = _topics(report)
        built = _BUILT[fmt.key] = (fmt, _patterns(topics), _change_patterns(topics), _last_figure_patterns(topics))
    return built


def stale_numbers(report: Report, computed: Computed, texts: dict[str, str]) -> Iterator[Finding]:
    """Warn where staff text attaches a number to a topic and that number is none of its figures,
    or states a change from last year that is none of the changes of its figures."""
    if not any(re.search(r"\d", t) for t in texts.values()):
        return
    values = computed.values
    last = computed.last if report.previous else None
    _, patterns, changes, last_figures = _built(report)
    last_year = _last_year(report)
    for key, text in texts.items():
        where = report.narrative_where.get(key) or Location(file=report.source, key=f"narrative.{key}")
        for m in _SENTENCE.finditer(text):
            sentence = m.group(0).strip()
            yield from _check_sentence(sentence, patterns, changes, last_figures, values, last, last_year, where, key)


# the words of a change, each with its direction (增加27件, 回落12.3%)
_DIRECTION = {w: d for d in DIRECTIONS for w in d.words}
_CHANGE_WORDS = re.compile("|".join(_DIRECTION))
_OTHER_SCOPE = ("部门", "各级", "全市", "全区", "全县")  # 部门规范性文件45件: not the table's figure


def _about(topic: Topic, sentence: str, start: int, at: int) -> bool:
    """Whether the number at ``at``, stated of the topic word at ``start``, is the table's."""
    if sentence[max(0, start - 2): start] in _OTHER_SCOPE:
        return False  # 部门规范性文件: the departments' documents, not the organ's
    if sentence[:start].endswith(REQUEST_CHANNELS):
        return False  # 网络申请5件: the requests that came by one channel, not the table's count
    if topic.verbs:
        said = [v for v in DOCUMENT_VERBS if v in sentence[max(0, start - 4): at]]
        if said and not any(v in topic.verbs for v in said):
            return False  # 废止规范性文件5件 where no column counts what was repealed (2019)
    return True


def _check_sentence(
    sentence: str, patterns: Patterns, changes: Patterns, last_figures: Patterns, values: dict[str, Number],
    last: dict[str, Number] | None, last_year: str, where: Location, key: str,
) -> Iterator[Finding]:
    # “增加22件” states a change, not a figure (most sentences state none: not searched for)
    stated = list(_changes_in(sentence, changes)) if _CHANGE_WORDS.search(sentence) else []
    changed = {m.start("n") for _, m in stated}
    reported: set[tuple[str, str]] = set()
    quoted = sentence if len(sentence) <= 80 else sentence[:80] + "…"
    for topic, m in _claimed(sentence, patterns, 1):
        if m.start(1) in changed or not _about(topic, sentence, m.start(), m.start(1)):
            continue
        figures = _figures(topic, values)
        if not figures or Decimal(m.group(1)) in figures or (m.group(1), topic.name) in reported:
            continue
        reported.add((m.group(1), topic.name))
        yield finding("stale_number", where, f"narrative.{key}", sentence=quoted,
                      number=f"{m.group(1)}{topic.unit}", expected=_expected(topic, values, figures, "表格中"))
    if last is None:
        return  # a change, and last year's figure, are checkable only against last year's figures
    for kind, topic, m, expected in _wrong_changes(sentence, stated, values, last, last_year, "表格中"):
        if kind == "direction":
            yield finding("change_direction", where, f"narrative.{key}", sentence=quoted,
                          written=_written(sentence, m, topic.unit), expected=expected)
        elif (m.group("n"), topic.name) not in reported:
            reported.add((m.group("n"), topic.name))
            yield finding("stale_number", where, f"narrative.{key}", sentence=quoted,
                          number=f"{m.group('n')}{topic.unit}", expected=expected)
    for topic, m, expected in _wrong_last_figures(sentence, last_figures, last, last_year, "上年数据中"):
        yield finding("stale_last_year", where, f"narrative.{key}", sentence=quoted,
                      said=m.group("against")[1:], number=f"{m.group('n')}{topic.unit}", expected=expected)


def _figures(topic: Topic, values: dict[str, Number]) -> list[Decimal]:
    """The figures of ``values`` (this year's or last year's) the topic may mean: for two outcomes
    stated together, their sum."""
    sums = [k.split("+") for k in topic.keys if "+" in k]
    if sums:
        return sorted({sum((Decimal(values[p]) for p in parts), start=Decimal(0))
                       for parts in sums if all(p in values for p in parts)})
    return sorted({Decimal(values[k]) for k in values if any(k.startswith(p) or k == p for p in topic.keys)})


def _expected(topic: Topic, values: dict[str, Number], figures: list[Decimal], source: str) -> str:
    """The topic's figures as a message gives them, said to be in ``source`` (表格中, 上年数据中,
    2023年度报告中): 表格中予以公开为90件, 表格中本年新收232件、办结224件…（申请数量）."""
    shown = _named(topic, values) if topic.named else "、".join(str(f) for f in figures if f) or "0"
    return topic.name.replace("表格中", source).format(values=shown)


def _named(topic: Topic, values: dict[str, Number], last: dict[str, Number] | None = None) -> str:
    """The topic's named figures as a message gives them (本年新收232件、办结224件), or with `last`
    their changes from last year (本年新收增减137件)."""
    if last is None:
        return "、".join(f"{name}{values[k]}{topic.unit}" for k, name in topic.named if k in values)
    return "、".join(f"{name}增减{abs(Decimal(values[k]) - Decimal(last[k]))}{topic.unit}"
                    for k, name in topic.named if k in values and k in last)


# ---- Percentages -------------------------------------------------------------------------

_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*[%％]")
# “结果维持比例为66.7%，上年为28.6%，较上年大幅增加38.1%”: a change of a share stated in %.
_SHARE_CHANGE = re.compile(
    r"(比例|占比|比重)(?P<between>[^。；;]*?)(较上年|与上年相比|同比|比上年)[^。；;，,]{0,4}?"
    rf"(?:{'|'.join(_DIRECTION)})了?\s*(?P<n>\d+(?:\.\d+)?)\s*[%％]"
)


def percentages(report: Report, computed: Computed) -> dict[str, list[Decimal]]:
    """Every percentage the tables give, exactly, by kind: ``share`` (of each breakdown, this
    year's and last year's), ``rate`` (growth of a figure) and ``points`` (change of a share,
    from exact and from rounded shares)."""
    found: dict[str, set[Decimal]] = {"share": {Decimal(0), Decimal(100)}, "rate": set(), "points": set()}
    for parts, current, prior in _breakdown_shares(report, computed):
        for year in (current, prior):
            if year:
                found["share"].update(year[0])
        if current and prior:
            for changes in _share_changes(parts, current, prior).values():
                found["points"].update(changes)
    found["rate"].update(_rates(computed.values, computed.last).values())
    return {kind: sorted({abs(v) for v in values}) for kind, values in found.items()}


Shares = tuple[list[Decimal], list[int]]  # a breakdown's exact shares, and its counts


def _breakdown_shares(report: Report, computed: Computed) -> Iterator[tuple[list[str], Shares | None, Shares | None]]:
    """Each breakdown's parts with their shares this year and last year (None where a part is unknown
    or the whole is 0)."""
    for parts in _breakdowns(report):
        pair: list[Shares | None] = []
        for values in (computed.values, computed.last):
            known = [sum((values[p] for p in k.split("+")), start=0) for k in parts
                     if all(p in values for p in k.split("+"))]
            if len(known) < len(parts) or sum(known) <= 0:
                pair.append(None)
                continue
            counts = [int(c) for c in known]
            pair.append(([percent(c, sum(counts)) for c in counts], counts))
        yield parts, pair[0], pair[1]


def _share_changes(parts: list[str], current: Shares, prior: Shares) -> dict[str, set[Decimal]]:
    """Each part's change of share from last year in 个百分点, signed: from the exact shares, and
    from the shares as rounded by either rule (5.5 − 52.4 = −46.9 where the exact change is −46.8)."""
    found: dict[str, set[Decimal]] = {k: {a - b} for k, a, b in zip(parts, current[0], prior[0], strict=True)}
    for rule in ("half_up", LARGEST_REMAINDER):
        r1, r0 = shares(current[1], 1, rule), shares(prior[1], 1, rule)
        if r1 and r0:
            for k, a, b in zip(parts, r1, r0, strict=True):
                found[k].add(a - b)
    return found


def _signed_share_changes(report: Report, computed: Computed) -> dict[str, set[Decimal]]:
    """Each single part of a breakdown (not two outcomes together) by its changes of share from last
    year, signed; a part of no breakdown known in both years has none."""
    found: dict[str, set[Decimal]] = {}
    for parts, current, prior in _breakdown_shares(report, computed):
        if current and prior:
            for k, changes in _share_changes(parts, current, prior).items():
                if "+" not in k:
                    found.setdefault(k, set()).update(changes)
    return found


def _rates(this: dict[str, Number], last: dict[str, Number]) -> dict[str, Decimal]:
    """Each figure's growth from last year in %, exactly and signed (none from last year's 0)."""
    return {k: percent(Decimal(this[k]) - Decimal(was), was) for k, was in last.items() if k in this and was}


def _figure_names(report: Report) -> dict[str, str]:
    """Each figure's name as a message gives it: a row of table 3 by its name in prose (本年新收),
    any other by its label (行政复议（总计）)."""
    req = report.format.requests
    total = req.total_column().key
    return dict(report.format.labels) | {f"{req.key}.{r.key}.{total}": r.prose for r in req.all_rows()}


def _the_other_way(said: Direction) -> Direction:
    return next(d for d in DIRECTIONS if d is not said)


def _rate_the_other_way(pm: re.Match[str], word: str, rates: dict[str, Decimal], names: dict[str, str],
                        source: str) -> str:
    """Where a growth rate stated with ``word`` (增长13.2%) is, in size, only rates of figures that went
    the other way, those as a message gives them, said to be in ``source``: 表格中本年新收较上年下降13.2%.
    Else '': no figure grew so, one went the stated way, or none of those is named (its way untold)."""
    written = Decimal(pm.group(1))
    unit = Decimal(1).scaleb(-len(pm.group(1).partition(".")[2]))
    said = _DIRECTION[word]
    near = [(k, r) for k, r in rates.items() if r and abs(written - abs(r)) <= unit]
    if not near or any((r > 0) == (said.sign > 0) for _, r in near):
        return ""
    way = _the_other_way(said)
    parts = dict.fromkeys(f"{names[k]}较上年{way.rate}{abs(r).quantize(unit, ROUND_HALF_UP)}%"
                          for k, r in near if k in names)
    return source + "、".join(parts) if parts else ""


def _change_word(before: str) -> re.Match[str] | None:
    """The change word a percentage is stated with (增长13.2%): the last in the six characters before it."""
    words = list(_CHANGE_WORDS.finditer(before[-6:]))
    return words[-1] if words else None


_SHARE_WORDS = re.compile(r"占|比例|比重|占比")
_STATED_COUNT = re.compile(r"(?<![\d.])(\d+)\s*[件条项个]")


def _share_of_stated_counts(before: str, written: Decimal, unit: Decimal) -> bool:
    """Whether a percentage is the share of counts its own sentence states before it, one count or
    two together over another (全年共制发政府信息437条，其中主动公开55条…依申请公开341条…占比高达90.62%:
    (55 + 341) / 437). Such a share is the sentence's own arithmetic, not a figure of the tables; its
    counts, where they are table figures, are checked as counts."""
    counts = [int(m.group(1)) for m in _STATED_COUNT.finditer(before)]
    parts = set(counts) | {a + b for i, a in enumerate(counts) for b in counts[i + 1:]}
    return any(abs(written - percent(part, whole)) <= unit
               for whole in counts if whole for part in parts if part <= whole)


def _breakdowns(report: Report) -> list[list[str]]:
    """The complete breakdowns whose shares prose quotes, as lists of figure keys."""
    fmt = report.format
    req, ap = fmt.requests, fmt.appeals
    t, total = req.key, req.total_column().key
    outcomes = [f"{t}.{r.key}.{total}" for r in req.outcome_rows()]
    out = [outcomes]
    # 予以公开及部分公开 … 占51.85%: two neighbouring outcomes together, against the rest
    for i in range(len(outcomes) - 1):
        out.append([f"{outcomes[i]}+{outcomes[i + 1]}", *outcomes[:i], *outcomes[i + 2:]])
    out.append([f"{t}.{req.balance_left[0]}.{c.key}" for c in req.input_columns()])
    combined = ap.combined[0]
    for block in [*(b.key for b in ap.blocks), combined]:
        out.append([f"{ap.key}.{block}.{f.key}" for f in ap.input_fields()])
    return out


def _table_words(report: Report) -> set[str]:
    """Words that tie a percentage to the tables: the outcomes, applicants, appeals, 申请."""
    fmt = report.format
    found = {r.prose for r in fmt.requests.outcome_rows()} | {c.label for c in fmt.requests.columns}
    found |= {b.label for b in fmt.appeals.blocks} | {f.label for f in fmt.appeals.fields}
    return found | {fmt.appeals.combined[1], *fmt.table_words}


def stale_percentages(report: Report, computed: Computed, texts: dict[str, str]) -> Iterator[Finding]:
    """Warn where staff text states a percentage no figure of the report gives, or states the
    change of a share in % where 个百分点 is meant."""
    if not any("%" in t or "％" in t or "百分点" in t for t in texts.values()):
        return
    known = percentages(report, computed)
    # a figure not read (a published table left out) is unknown: a share of it cannot be judged
    judged = all(p in computed.values for parts in _breakdowns(report) for k in parts for p in k.split("+"))
    table_words = _table_words(report)
    last_year = _last_year(report)
    everything = sorted({v for values in known.values() for v in values})
    rates, names = _rates(computed.values, computed.last), _figure_names(report)
    points, words = _signed_share_changes(report, computed), _part_words(report)
    for key, text in texts.items():
        where = report.narrative_where.get(key) or Location(file=report.source, key=f"narrative.{key}")
        for m in _SENTENCE.finditer(text):
            sentence = m.group(0).strip()
            quoted = sentence if len(sentence) <= 80 else sentence[:80] + "…"
            for said, wrong in _points_the_other_way(sentence, points, words, names, last_year):
                yield finding("change_direction", where, f"narrative.{key}", sentence=quoted,
                              written=said, expected=wrong)
            flagged: set[int] = set()
            for change in _SHARE_CHANGE.finditer(sentence):
                if re.search(r"数量|件|人次", change.group("between")):
                    continue  # the change of a count, stated in % as it should be
                flagged.add(change.start("n"))
                yield finding("share_change_as_percent", where, f"narrative.{key}", sentence=quoted,
                              written=f"{change.group('n')}%", points=f"{change.group('n')}个百分点")
            for pm in _PERCENT.finditer(sentence):
                if pm.start(1) in flagged or not judged:
                    continue
                if not any(w in sentence[: pm.start()] for w in table_words):
                    continue  # 差评数占评价总数的0.34%: a share of something no table holds
                if report.previous is None and "占" not in sentence[max(0, pm.start() - 12): pm.start()]:
                    continue  # a growth rate cannot be checked without last year's figures
                written = Decimal(pm.group(1))
                unit = Decimal(1).scaleb(-len(pm.group(1).partition(".")[2]))
                before = sentence[max(0, pm.start() - 12): pm.start()]
                word = _change_word(before)
                if word:
                    if not _against_last_year(sentence, pm.start(), last_year):
                        continue  # growth against another year (较2019年增加7%): only last year's is at hand
                    candidates = known["rate"]  # 增长13.2%: a count's growth
                elif _SHARE_WORDS.search(before):
                    candidates = known["share"]  # 占40.2%, 比例为66.7%
                else:
                    candidates = everything
                if _share_of_stated_counts(sentence[: pm.start()], written, unit):
                    continue
                if not any(abs(written - k) <= unit for k in candidates):
                    yield finding("percent_mismatch", where, f"narrative.{key}", sentence=quoted,
                                  written=f"{pm.group(1)}%")
                elif word and (wrong := _rate_the_other_way(pm, word.group(0), rates, names, "表格中")):
                    yield finding("change_direction", where, f"narrative.{key}", sentence=quoted,
                                  written=f"{word.group(0)}{pm.group(0)}", expected=wrong)


# 提高3.1个百分点: the change of a share, in points
_POINTS_CHANGE = re.compile(rf"(?P<change>{'|'.join(_DIRECTION)})了?\s*(?P<n>\d+(?:\.\d+)?)\s*个百分点")
_JOINED = "及和与、"  # 予以公开及部分公开比例: two parts together, whose share is not either's


def _part_words(report: Report) -> dict[str, str]:
    """The word prose names each part of a breakdown by: 予以公开, 自然人, 结果维持."""
    fmt = report.format
    req, ap = fmt.requests, fmt.appeals
    t, total = req.key, req.total_column().key
    found = {f"{t}.{r.key}.{total}": r.prose for r in req.outcome_rows()}
    found |= {f"{t}.{req.balance_left[0]}.{c.key}": c.label for c in req.input_columns()}
    for block in [*(b.key for b in ap.blocks), ap.combined[0]]:
        found |= {f"{ap.key}.{block}.{f.key}": f.label for f in ap.input_fields()}
    return found


def _points_the_other_way(sentence: str, points: dict[str, set[Decimal]], words: dict[str, str],
                          names: dict[str, str], last_year: str) -> Iterator[tuple[str, str]]:
    """Each change of a share in 个百分点 (予以公开的比例较上年提高3.1个百分点) whose size is, among the
    parts its sentence names it by, only changes that went the other way: what is written, and those
    as a message gives them (表格中予以公开占比较上年降低3.1个百分点). Nothing where no part is named
    just before it, two are named together, or a part so named changed the stated way (结果维持 of
    行政复议 and of 行政诉讼: the sentence's way cannot be told)."""
    since = 0
    for m in _POINTS_CHANGE.finditer(sentence):
        before, since = sentence[since: m.start()], m.end()
        if not _against_last_year(sentence, m.start("change"), last_year):
            continue  # a change against another year: only last year's is at hand
        said = [(before.rfind(w), w) for w in set(words.values()) if w in before]
        if not said:
            continue
        at, word = max(said, key=lambda p: (p[0], len(p[1])))
        if at and before[at - 1] in _JOINED:
            continue
        written = Decimal(m.group("n"))
        unit = Decimal(1).scaleb(-len(m.group("n").partition(".")[2]))
        near = {k: min((c for c in points.get(k, ()) if c and abs(written - abs(c)) <= unit),
                       key=lambda c: abs(written - abs(c)), default=None)
                for k, w in words.items() if w == word}
        near_changes = {k: c for k, c in near.items() if c is not None}
        direction = _DIRECTION[m.group("change")]
        if not near_changes or any((c > 0) == (direction.sign > 0) for c in near_changes.values()):
            continue
        way = _the_other_way(direction)
        parts = [f"{names[k]}占比较上年{way.points}{abs(c).quantize(unit, ROUND_HALF_UP)}个百分点"
                 for k, c in near_changes.items() if k in names]
        if parts:
            yield f"{m.group('change')}{m.group('n')}个百分点", "表格中" + "、".join(parts)


# ---- Changes against last year's published report ------------------------------------------

# What a change is stated against: 较上年, 比去年, 与上年相比, 同比, 较2023年（31件）, 与2023年度相比.
_AGAINST = r"(?:较|比|与)(?:上一?年度?|去年|(?P<year>\d{4})年度?)"
_YEAR_ON_YEAR = re.compile(rf"{_AGAINST}|同比")
_BRACKETED = re.compile(r"[（(]\s*\d")  # a figure in brackets, as in 较2020年（205件）


def _compared_with(sentence: str, at: int) -> re.Match[str] | None:
    """The comparison a statement at ``at`` is made against: the nearest one before it (“较2023年
    增加5件，较2021年增加20件”), else the sentence's first."""
    said = list(_YEAR_ON_YEAR.finditer(sentence))
    before = [s for s in said if s.start() < at]
    return before[-1] if before else (said[0] if said else None)


def _against_last_year(sentence: str, at: int, last_year: str) -> bool:
    """Whether the statement at ``at`` compares with last year: 较上年, 同比, 较{last_year}年, or
    nothing said (“申请数量增加5件”)."""
    said = _compared_with(sentence, at)
    return said is None or said.group("year") in (None, last_year)


def _last_year(report: Report) -> str:
    """Last year as a change names it, or 上一 when no year is known (then no named year is last year)."""
    return str(report.previous.year) if report.previous and report.previous.year else "上一"


def stated_changes(report: Report, computed: Computed, texts: dict[str, str]) -> Iterator[Finding]:
    """Statements of change (“较上年增加137件”, “同比增长169.1%”) against ``computed.last``: for a
    published report, whose last year's figures come from the same organ's report of last year.
    Only statements that say what they compare with (较上年, 同比, 较2023年…) are taken, and
    only when the year they name is last year."""
    if not computed.last or not any(_YEAR_ON_YEAR.search(t) for t in texts.values()):
        return
    values, last = computed.values, computed.last
    _, _, changes, last_figures = _built(report)
    rates = _rates(values, last)
    sizes, names = sorted({abs(r) for r in rates.values()}), _figure_names(report)
    last_year = _last_year(report)
    for key, text in texts.items():
        where = report.narrative_where.get(key) or Location(file=report.source, key=f"narrative.{key}")
        for m in _SENTENCE.finditer(text):
            sentence = m.group(0).strip()
            if not _YEAR_ON_YEAR.search(sentence):
                continue  # no comparison stated
            quoted = sentence if len(sentence) <= 80 else sentence[:80] + "…"
            stated = _changes_in(sentence, changes)
            for kind, topic, cm, expected in _wrong_changes(sentence, stated, values, last, last_year, "两年报告中"):
                change = _written(sentence, cm, topic.unit)
                if kind == "direction":
                    yield _direction(report, where, key, quoted, change, expected)
                else:
                    yield finding("cross_change", where, f"narrative.{key}", sentence=quoted,
                                  written=change, last_year=last_year, expected=expected)
            for _, lm, expected in _wrong_last_figures(sentence, last_figures, last, last_year,
                                                       f"{last_year}年度报告中"):
                yield finding("cross_change", where, f"narrative.{key}", sentence=quoted,
                              written=sentence[lm.start("against"): lm.end()], last_year=last_year,
                              expected=expected)
            shares_changed = {c.start("n") for c in _SHARE_CHANGE.finditer(sentence)}
            for pm in _PERCENT.finditer(sentence):
                before = sentence[max(0, pm.start() - 6): pm.start()]
                word = _change_word(before)
                if pm.start(1) in shares_changed or not word:
                    continue  # a share, or the change of a share (share_change_as_percent says so)
                if not _against_last_year(sentence, pm.start(), last_year):
                    continue  # a change against another year than last year
                written = Decimal(pm.group(1))
                unit = Decimal(1).scaleb(-len(pm.group(1).partition(".")[2]))
                said = f"{before[word.start():].strip()}{pm.group(0)}"
                if not any(abs(written - r) <= unit for r in sizes):
                    yield finding("cross_change", where, f"narrative.{key}", sentence=quoted,
                                  written=said, last_year=last_year,
                                  expected="按两年报告的数字算出的各项增减比例都不是这个数")
                elif wrong := _rate_the_other_way(pm, word.group(0), rates, names, "两年报告中"):
                    yield _direction(report, where, key, quoted, said, wrong)


def _direction(report: Report, where: Location, key: str, quoted: str, written: str, expected: str) -> Finding:
    """A change stated the wrong way against last year's report: a finding on a published report, whose
    remedy is an auditor's (these findings are made outside `check`, which marks the others so)."""
    return replace(finding("change_direction", where, f"narrative.{key}", sentence=quoted, written=written,
                           expected=expected), published=report.published)


def _written(sentence: str, m: re.Match[str], unit: str) -> str:
    """A stated change as written, from its change word to its number, with its unit: 减少27件."""
    return sentence[m.start("change"): m.end("n")] + unit


def _changes_in(sentence: str, changes: Patterns) -> Iterator[tuple[Topic, re.Match[str]]]:
    """Each change the sentence states of a topic (“申请数量较2023年（81件）增加5件”, “收到申请36件，
    同比增加5件”), a longer topic word claiming its number first."""
    def compared(m: re.Match[str]) -> bool:  # “申请218件，办结210件”: the clause after the figure is no comparison
        return "clause" not in m.re.groupindex or bool(_YEAR_ON_YEAR.match(m.group("clause")))

    return _claimed(sentence, changes, "n", compared)


def _claimed(sentence: str, patterns: Patterns, group: int | str,
             keep: Callable[[re.Match[str]], bool] | None = None) -> Iterator[tuple[Topic, re.Match[str]]]:
    """Each topic's matches in `sentence` (those `keep` accepts), a number (its `group`) going to
    the first topic that reaches it: the patterns come longest topic word first, so 行政规范性文件
    claims its number before 规范性文件 can."""
    seen: set[int] = set()
    for topic, pattern in patterns:
        for m in pattern.finditer(sentence):
            if m.start(group) not in seen and (keep is None or keep(m)):
                seen.add(m.start(group))
                yield topic, m


def _wrong_changes(
    sentence: str, stated: Iterable[tuple[Topic, re.Match[str]]], values: dict[str, Number],
    last: dict[str, Number], last_year: str, source: str,
) -> Iterator[tuple[str, Topic, re.Match[str], str]]:
    """Each stated change against last year that the figures of its topic contradict, with what they
    give as a message gives it, said to be in ``source``: ``size`` where its number is no difference of
    this year's and last year's figures (表格中本年新收增减27件、办结增减18件（申请数量）, 表格中予以公开增减22件);
    ``direction`` where it is, but every such difference goes the other way (表格中本年新收较上年增加27件)."""
    for topic, m in stated:
        if any("+" in k for k in topic.keys):
            continue  # 予以公开及部分公开: claimed, so that 部分公开 alone does not take it, but not checked
        if not _about(topic, sentence, m.start(), m.start("n")):
            continue
        if not _against_last_year(sentence, m.start("change"), last_year):
            continue  # a change against another year than last year
        keys = [k for k in values if k in last and any(k.startswith(p) or k == p for p in topic.keys)]
        signed = {k: Decimal(values[k]) - Decimal(last[k]) for k in keys}
        differences = sorted({abs(d) for d in signed.values()})
        if differences and Decimal(m.group("n")) in differences:
            wrong = _change_the_other_way(topic, _DIRECTION[m.group("change")], signed, Decimal(m.group("n")), source)
            if wrong:
                yield "direction", topic, m, wrong
            continue
        if not differences:
            continue
        if _none_named(topic, last):
            continue
        shown = _named(topic, values, last) if topic.named else "、".join(str(d) for d in differences if d) or "0"
        # the named rows' form (本年新收增减27件), not “为{values}”, which read the change as the figure
        # (表格中予以公开为22件 where the table says 90)
        named = topic.name.replace("表格中", source).replace("为{values}", "增减{values}")
        yield "size", topic, m, named.format(values=shown)


def _change_the_other_way(topic: Topic, said: Direction, signed: dict[str, Decimal], n: Decimal, source: str) -> str:
    """Where a change of ``n`` stated ``said`` way (减少27件) is, in size, only changes of the topic's
    figures that went the other way, those as a message gives them, said to be in ``source``:
    表格中本年新收较上年增加27件, 表格中予以公开较上年增加22件. Else '': one went the stated way (行政复议
    总计 fell 3 where 尚未审结 rose 3: the sentence's way cannot be told), or the change is 0, or none of
    the topic's named rows (本年新收, 办结…) changed so."""
    sized = [k for k, d in signed.items() if abs(d) == n]
    if not n or any((signed[k] > 0) == (said.sign > 0) for k in sized):
        return ""
    way = _the_other_way(said)
    if topic.named:
        parts = [f"{name}较上年{way.count}{n}{topic.unit}" for k, name in topic.named if k in sized]
        return source + "、".join(parts) if parts else ""
    return topic.name.replace("表格中", source).replace("为{values}", "较上年{values}").format(values=f"{way.count}{n}")


def _none_named(topic: Topic, last: dict[str, Number]) -> bool:
    """Whether last year knows none of the rows a count of the topic means (上年数据 with 予以公开
    alone: a change of 申请, or its figure last year, may be of a row not known, and the message
    would name none)."""
    return bool(topic.named) and not any(k in last for k, _ in topic.named)


def _wrong_last_figures(
    sentence: str, last_figures: Patterns, last: dict[str, Number], last_year: str, source: str,
) -> Iterator[tuple[Topic, re.Match[str], str]]:
    """Each figure of last year given in brackets (“比2020年（205件）增加27件”, “较上年（205件）”) that is
    none of last year's figures of its topic, with those figures as a message gives them, said to be
    in ``source``. Against a year not last year's it is not checked: only last year's figures are at
    hand; nor when last year's figures of its topic are unknown."""
    if not _BRACKETED.search(sentence):
        return  # most sentences give no figure in brackets: not searched for
    for topic, m in _claimed(sentence, last_figures, "n"):
        if m.group("year") not in (None, last_year) or not _about(topic, sentence, m.start(), m.start("n")):
            continue
        figures = _figures(topic, last)
        if not figures or Decimal(m.group("n")) in figures:
            continue
        if _none_named(topic, last):
            continue
        yield topic, m, _expected(topic, last, figures, source)
