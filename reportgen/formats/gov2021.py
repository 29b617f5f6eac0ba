"""The national format of 国办公开办函〔2021〕30号 (reporting years 2021 onward), as data.

Labels are verbatim from the format (see shared/spec/format-notes.md §3–§5); keys are those of
shared/spec/data-model.md. Everything that knows the format reads it from here.
"""

from __future__ import annotations

from .base import (
    DECISIONS,
    DOCUMENTS,
    MONEY,
    ActiveTable,
    AppealBlock,
    AppealsTable,
    Block,
    Field,
    Format,
    GridTable,
    NarrativeSection,
    Row,
    Section,
    TextField,
)
from .derive import complete

_DOC_FIELDS = (
    Field("issued", "本年制发件数", verbs=("制发", "制定", "出台", "印发")),
    Field("repealed", "本年废止件数", verbs=("废止", "失效")),
    Field("in_force", "现行有效件数", verbs=("现行有效",)),
)
_DECISIONS = (Field("decisions", "本年处理决定数量"),)

ACTIVE = ActiveTable(
    key="active_disclosure",
    title="二、主动公开政府信息情况",
    sheet="主动公开",
    item_header="信息内容",
    blocks=(
        Block(
            "第二十条第（一）项",
            _DOC_FIELDS,
            (
                Row("regulations", "规章"),
                Row("normative_documents", "行政规范性文件", synonyms=("规范性文件",)),
            ),
            role=DOCUMENTS,
        ),
        Block("第二十条第（五）项", _DECISIONS, (Row("licensing", "行政许可"),), role=DECISIONS),
        Block(
            "第二十条第（六）项",
            _DECISIONS,
            (Row("penalties", "行政处罚"), Row("enforcement", "行政强制")),
            role=DECISIONS,
        ),
        Block(
            "第二十条第（八）项",
            (Field("amount", "本年收费金额（单位：万元）", kind=MONEY, unit="万元"),),
            (Row("fees", "行政事业性收费", synonyms=("收费",)),),
        ),
    ),
)

_ORG = "法人或其他组织"

REQUESTS = GridTable(
    key="requests",
    title="三、收到和处理政府信息公开申请情况",
    sheet="依申请公开",
    corner="（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
    column_header="申请人情况",
    columns=(
        Field("natural_person", "自然人"),
        Field("commercial", "商业企业", parent=_ORG),
        Field("research", "科研机构", parent=_ORG),
        Field("social_welfare", "社会公益组织", parent=_ORG),
        Field("legal_service", "法律服务机构", parent=_ORG),
        Field("other_org", "其他", parent=_ORG),
        Field("total", "总计", derived=True),
    ),
    body=(
        Row("new", "一、本年新收政府信息公开申请数量", name="本年新收"),
        Row("carried_in", "二、上年结转政府信息公开申请数量", name="上年结转"),
        Section(
            "三、本年度办理结果",
            (
                Row("granted", "（一）予以公开", name="予以公开", synonyms=("同意公开",)),
                Row(
                    "partial",
                    "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
                    name="部分公开",
                ),
                Row(
                    "denied",
                    "（三）不予公开",
                    name="不予公开",
                    derived=True,
                    children=(
                        Row("denied.state_secret", "1.属于国家秘密"),
                        Row("denied.prohibited_by_law", "2.其他法律行政法规禁止公开"),
                        Row("denied.security_stability", "3.危及“三安全一稳定”"),
                        Row("denied.third_party", "4.保护第三方合法权益"),
                        Row("denied.internal_affairs", "5.属于三类内部事务信息"),
                        Row("denied.process_info", "6.属于四类过程性信息"),
                        Row("denied.enforcement_files", "7.属于行政执法案卷"),
                        Row("denied.inquiry", "8.属于行政查询事项"),
                    ),
                ),
                Row(
                    "unavailable",
                    "（四）无法提供",
                    name="无法提供",
                    derived=True,
                    children=(
                        Row("unavailable.not_held", "1.本机关不掌握相关政府信息"),
                        Row("unavailable.needs_creation", "2.没有现成信息需要另行制作"),
                        Row("unavailable.unclear", "3.补正后申请内容仍不明确"),
                    ),
                ),
                Row(
                    "not_processed",
                    "（五）不予处理",
                    name="不予处理",
                    derived=True,
                    children=(
                        Row("not_processed.petition", "1.信访举报投诉类申请"),
                        Row("not_processed.duplicate", "2.重复申请"),
                        Row("not_processed.publication", "3.要求提供公开出版物"),
                        Row("not_processed.excessive", "4.无正当理由大量反复申请"),
                        Row(
                            "not_processed.confirmation",
                            "5.要求行政机关确认或重新出具已获取信息",
                        ),
                    ),
                ),
                Row(
                    "other",
                    "（六）其他处理",
                    name="其他处理",
                    derived=True,
                    children=(
                        Row(
                            "other.no_correction",
                            "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
                        ),
                        Row(
                            "other.no_fee",
                            "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
                        ),
                        Row("other.other", "3.其他"),
                    ),
                ),
                Row("handled", "（七）总计", name="办结", derived=True),
            ),
        ),
        Row("carried_out", "四、结转下年度继续办理", name="结转下年度继续办理"),
    ),
    balance_left=("new", "carried_in"),
    balance_right=("handled", "carried_out"),
    outcome_section="三、本年度办理结果",
    # Applicant groups for prose: 自然人 / 法人或其他组织.
    applicant_groups=(
        ("natural_person", "自然人", ("natural_person",)),
        (
            "organisations",
            _ORG,
            ("commercial", "research", "social_welfare", "legal_service", "other_org"),
        ),
    ),
    prose_word="申请",
)

_RESULTS = (
    Field("upheld", "结果维持"),
    Field("corrected", "结果纠正"),
    Field("other", "其他结果"),
    Field("pending", "尚未审结"),
    Field("total", "总计", derived=True),
)

APPEALS = AppealsTable(
    key="appeals",
    title="四、政府信息公开行政复议、行政诉讼情况",
    sheet="复议诉讼",
    fields=_RESULTS,
    blocks=(
        AppealBlock("review", "行政复议"),
        AppealBlock("litigation_direct", "未经复议直接起诉", parent="行政诉讼"),
        AppealBlock("litigation_after_review", "复议后起诉", parent="行政诉讼"),
    ),
    combined=("litigation", "行政诉讼", ("litigation_direct", "litigation_after_review")),
)

GOV_2021 = complete(
    Format(
        key="gov-2021",
        name="中华人民共和国政府信息公开工作年度报告格式（2021年版）",
        notice="国办公开办函〔2021〕30号",
        sections=(
            ("overview", "一、总体情况"),
            ("active", "二、主动公开政府信息情况"),
            ("requests", "三、收到和处理政府信息公开申请情况"),
            ("appeals", "四、政府信息公开行政复议、行政诉讼情况"),
            ("problems", "五、存在的主要问题及改进情况"),
            ("other", "六、其他需要报告的事项"),
        ),
        meta=(
            TextField("organ", "报告机关全称", required=True, hint="如：临沂市兰山区人民政府"),
            TextField("short_name", "简称（正文中使用）", hint="如：兰山区；不填则用全称"),
            TextField("year", "统计年度", required=True, hint="如：2025"),
            TextField("website", "门户网站", hint="报告电子版下载网址"),
            TextField("compiled_from", "汇总编制依据", hint="汇总报告填写：根据哪些单位的年度报告编制"),
            TextField("publish_date", "发布日期", hint="如：2026年1月20日"),
        ),
        contact=(
            TextField("name", "联系单位"),
            TextField("address", "地址"),
            TextField("postcode", "邮编"),
            TextField("phone", "电话"),
            TextField("fax", "传真"),
            TextField("email", "电子邮箱"),
        ),
        active=ACTIVE,
        requests=REQUESTS,
        appeals=APPEALS,
        other_matters=(
            ("processing_fees.count", Field("count", "收取信息处理费次数", unit="次")),
            ("processing_fees.amount_yuan", Field("amount_yuan", "收取信息处理费金额（元）", unit="元")),
        ),
        other_matters_title="信息处理费",
        table_words=("申请", "办结", "答复", "复议", "诉讼"),
        narrative=(
            NarrativeSection(
                "overview.active", "（一）主动公开情况", "overview",
                "主动公开工作情况：网站发布、政策文件、解读、会议公开、互动交流等", named_by=("主动公开",),
            ),
            NarrativeSection(
                "overview.requests", "（二）依申请公开情况", "overview",
                "依申请公开工作的补充说明（申请数量、结果占比等由系统根据表格自动生成）", named_by=("依申请", "申请公开", "申请办理"),
            ),
            NarrativeSection(
                "overview.management", "（三）政府信息管理情况", "overview",
                "信息发布审核、保密审查、政策文件清理等", named_by=("信息管理", "管理"),
            ),
            NarrativeSection(
                "overview.platforms", "（四）政府信息公开平台建设情况", "overview",
                "政府网站、政务新媒体、公开查阅点等平台建设", named_by=("平台",),
            ),
            NarrativeSection(
                "overview.supervision", "（五）监督保障情况", "overview",
                "组织领导、培训、考核、社会评议和责任追究结果", named_by=("监督", "保障", "考核"),
            ),
            NarrativeSection(
                "problems", "五、存在的主要问题及改进情况", "problems",
                "上年问题整改情况、本年存在的问题、下一步改进措施",
            ),
            NarrativeSection(
                "other", "六、其他需要报告的事项", "other",
                "工作要点落实、建议提案办理、创新情况等（信息处理费句子由系统生成）",
            ),
        ),
    )
)
