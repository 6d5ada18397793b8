"""The registered InterpretationCheck: its labels, metrics and findings."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, ClassVar

from zwgk.checks import register
from zwgk.checks.base import Check, CheckContext, CheckOutcome, FindingOut, Severity
from zwgk.checks.interpretation.analyser import Analyzer
from zwgk.checks.interpretation.calendar import working_days_after
from zwgk.checks.interpretation.documents import Analysis, Judgment, Match, Policy
from zwgk.checks.interpretation.rules import RULES_FILE, load_rules
from zwgk.checks.interpretation.text import _QUOTED


def _pct(n: int, d: int) -> float | None:
    return round(100.0 * n / d, 1) if d else None


class Rule(StrEnum):
    MISSING = "missing"
    UNLINKED = "unlinked"
    LINK_UNVERIFIED = "link_unverified"
    ONE_WAY = "one_way"
    LATE = "late"
    FORMAL = "formal"
    NO_CONTACT = "no_contact"
    PENDING = "pending"
    NO_POLICIES = "no_policies"


@register
class InterpretationCheck(Check):
    id = "interpretation"
    label = "政策解读"
    explanation = (
        "逐件检查评估期内发布的政策文件（行政规范性文件、以政府或部门名义印发的办法、意见、方案、措施等）"
        "是否发布政策解读，政策文件与解读页面是否相互链接，解读是否在政策文件发布后{deadline_working_days}个工作日内发布"
        "（按国家法定节假日和调休上班日计算），解读是否只是罗列小标题或照搬原文，"
        "是否提供政策咨询部门或联系电话；人事任免、会议新闻、活动通知、公示公告、转发上级文件等不需解读。"
        "依据：国务院办公厅《〈关于全面推进政务公开工作的意见〉实施细则》（国办发〔2016〕80号）"
        "要求按照“谁起草、谁解读”的原则，做到政策性文件与解读方案、解读材料同步组织、同步审签、同步部署；"
        "各地政策解读工作制度普遍要求解读材料与政策文件同步发布、最迟不晚于文件公开后若干个工作日（本次评估按{deadline_working_days}个工作日），"
        "并注重解读出台背景、目的意义和主要举措，避免简单罗列或照搬文件内容。"
        "识别规则与时限可由评估方在配置中调整。"
    )
    version = "1.0"
    rules: ClassVar[dict[str, str]] = {
        Rule.MISSING: "未发布政策解读",
        Rule.UNLINKED: "政策文件与解读未相互关联",
        Rule.LINK_UNVERIFIED: "解读关联由脚本加载，未能核实",
        Rule.ONE_WAY: "政策文件与解读单向链接",
        Rule.LATE: "政策解读发布逾期",
        Rule.FORMAL: "政策解读流于形式",
        Rule.NO_CONTACT: "政策解读未提供咨询方式",
        Rule.PENDING: "政策解读尚未到发布期限",
        Rule.NO_POLICIES: "未找到需解读的政策文件",
    }
    metric_labels: ClassVar[dict[str, str]] = {
        "policies_found": "评估期内政策文件数",
        "policies_due": "已到解读期限的政策文件数",
        "with_interpretation": "已发布解读的政策文件数",
        "with_interpretation_pct": "解读率（%）",
        "linked": "与解读相互关联的政策文件数",
        "linked_pct": "关联率（%，占已解读文件）",
        "one_way": "单向链接数",
        "on_time": "按时发布解读数",
        "on_time_pct": "按时率（%，占已解读文件）",
        "late": "解读逾期数",
        "missing": "未解读数",
        "unlinked": "未关联数",
        "formal": "解读流于形式数",
        "no_contact": "解读无咨询方式数",
        "pending": "尚未到期数",
        "interpretations_found": "政策解读数",
        "interpretations_unmatched": "未对应到政策文件的解读数",
        "excluded_by_reason": "不需解读的文件（按原因）",
        "calendar_fallback_years": "按周一至周五计算工作日的年份",
    }

    evidence_labels: ClassVar[dict[str, str]] = {
        "policy": "政策文件",
        "status": "判定",
        "interpretations": "对应的政策解读",
        "title": "标题",
        "doc_number": "文号",
        "url": "网址",
        "publish_date": "发布日期",
        "columns": "所在栏目",
        "why_policy": "认定为政策文件的依据",
        "other_urls": "同一文件的其他网址",
        "form": "解读形式",
        "working_days": "间隔工作日数",
        "match": "对应方式",
        "method": "方法",
        "score": "相似度",
        "detail": "说明",
        "policy_links_interpretation": "政策文件页面链接解读",
        "interpretation_links_policy": "解读页面链接政策文件",
        "deadline": "解读发布期限",
        "calendar": "工作日计算",
        "related_dynamic": "相关解读由脚本加载",
        "overlap": "与政策文件的重合情况",
        "copy_ratio": "照搬比例",
        "copied_chars": "照搬字数",
        "own_chars": "自有文字字数",
        "interpretation_chars": "解读字数",
        "headings": "政策文件小标题数",
        "headings_repeated": "重复的小标题数",
        "headings_examples": "重复的小标题",
        "longest_copied": "最长的照搬片段",
        "formal": "流于形式",
        "note": "备注",
        "period": "评估期",
        "policies_any_date": "各时期政策文件数",
        "interpretations_found": "政策解读数",
        "nearest_interpretation": "标题最接近的解读",
        "interpretations_on_site": "网站上的政策解读数",
    }
    value_labels: ClassVar[dict[str, str]] = {
        # forms of an interpretation
        "text": "文字解读",
        "image": "图解",
        "video": "视频解读",
        "qa": "问答",
        # how an interpretation was matched to its policy
        "link": "页面互相链接",
        "doc_number": "文号一致",
        "title": "标题一致",
        "body": "正文引用",
        # a policy's state
        "missing": "未解读",
        "pending": "尚在解读期限内",
        "linked": "已解读并相互关联",
        "link_unverified": "已解读，关联未能验证",
        "unlinked": "已解读但未相互关联",
    }

    def __init__(
        self, params: Mapping[str, Any] | None = None, *, severities: Mapping[str, Severity]
    ) -> None:
        super().__init__(params, severities=severities)
        self.rules_config = load_rules(*self.rules_source(RULES_FILE))

    def explanation_params(self) -> dict[str, Any]:
        return {"deadline_working_days": self.rules_config.deadline_working_days}

    def analyse(self, ctx: CheckContext) -> Analysis:
        return Analyzer(self.rules_config, ctx).run()

    def run(self, ctx: CheckContext) -> CheckOutcome:
        a = self.analyse(ctx)
        out = CheckOutcome()
        for j in a.judgments:
            out.findings.extend(self._findings(j, len(a.interpretations)))
        js = a.judgments
        due = [j for j in js if j.status != "pending"]
        interpreted = [j for j in due if j.matches]
        linked = [j for j in interpreted if j.status == "linked"]
        timed = [j for j in interpreted if j.working_days is not None]
        on_time = [j for j in timed if "late" not in j.flags]
        out.metrics = {
            "policies_found": len(js),
            "policies_due": len(due),
            "with_interpretation": len(interpreted),
            "with_interpretation_pct": _pct(len(interpreted), len(due)),
            "linked": len(linked),
            "linked_pct": _pct(len(linked), len(interpreted)),
            "one_way": sum("one_way" in j.flags for j in js),
            "on_time": len(on_time),
            "on_time_pct": _pct(len(on_time), len(timed)),
            "late": sum("late" in j.flags for j in js),
            "missing": sum(j.status == "missing" for j in js),
            "unlinked": sum(j.status == "unlinked" for j in js),
            "formal": sum("formal" in j.flags for j in js),
            "no_contact": sum("no_contact" in j.flags for j in js),
            "pending": sum(j.status == "pending" for j in js),
            "interpretations_found": len(a.interpretations),
            "interpretations_unmatched": len(a.unmatched),
            "excluded_by_reason": {k: len(v) for k, v in sorted(a.excluded.items())},
            "calendar_fallback_years": sorted(a.calendar_guessed),
        }
        if not js:
            out.findings.append(
                self.finding(
                    Rule.NO_POLICIES,
                    f"{ctx.period_start.isoformat()}至{ctx.as_of.isoformat()}期间未在抓取到的页面中"
                    "找到需要解读的政策文件，请核实政策文件栏目是否已被完整抓取",
                    url=ctx.site.home,
                    evidence={
                        "period": [ctx.period_start.isoformat(), ctx.as_of.isoformat()],
                        "policies_any_date": len(a.policies),
                        "interpretations_found": len(a.interpretations),
                    },
                )
            )
        return out

    # -- findings

    def _findings(self, j: Judgment, interpretations_on_site: int) -> list[FindingOut]:
        pol = j.policy
        name = _short(pol.title)
        number = f"（{pol.doc_number}）" if pol.doc_number else ""
        assert pol.date is not None
        base = {
            "policy": _policy_ev(pol),
            "status": j.status,
            "interpretations": [_match_ev(m, pol) for m in j.matches],
        }
        out: list[FindingOut] = []

        def add(rule: str, msg: str, src: str | None, **extra: Any) -> None:
            out.append(
                self.finding(rule, msg, url=pol.url, source_url=src, evidence={**base, **extra})
            )

        n = self.rules_config.deadline_working_days
        if j.status == "pending":
            add(
                Rule.PENDING,
                f"政策文件《{name}》{number}于{pol.date}发布，其解读最迟应于{j.deadline}发布，"
                "评估日尚未到期",
                None,
                deadline=j.deadline.isoformat() if j.deadline else None,
                calendar=j.calendar,
            )
            return out
        if j.status == "missing":
            add(
                Rule.MISSING,
                f"政策文件《{name}》{number}于{pol.date}发布，未找到对应的政策解读"
                f"（应与文件同步发布，最迟{j.deadline}）",
                None,
                deadline=j.deadline.isoformat() if j.deadline else None,
                calendar=j.calendar,
                related_dynamic=bool((pol.page.meta or {}).get("related_dynamic")),
                nearest_interpretation=j.nearest,
                interpretations_on_site=interpretations_on_site,
            )
            return out
        first = j.matches[0]
        if j.status == "unlinked":
            add(
                Rule.UNLINKED,
                f"政策文件《{name}》{number}与其解读《{_short(first.interp.title)}》未相互关联："
                "两个页面均无指向对方的链接（如“相关解读”“相关文件”）",
                first.interp.url,
            )
        elif j.status == "link_unverified":
            add(
                Rule.LINK_UNVERIFIED,
                f"政策文件《{name}》{number}的相关解读由页面脚本加载，静态页面中未见与解读"
                f"《{_short(first.interp.title)}》的链接，请人工核实",
                first.interp.url,
            )
        if "one_way" in j.flags:
            linked = next(m for m in j.matches if m.linked)
            missing_side = (
                "政策文件页面未链接解读" if linked.interp_to_policy else "解读页面未链接政策文件"
            )
            add(
                Rule.ONE_WAY,
                f"政策文件《{name}》{number}与解读《{_short(linked.interp.title)}》仅单向链接："
                f"{missing_side}",
                linked.interp.url,
            )
        if "late" in j.flags and j.first is not None:
            it = j.first.interp
            add(
                Rule.LATE,
                f"政策解读《{_short(it.title)}》于{it.date}发布，晚于政策文件《{name}》{number}"
                f"（{pol.date}）{j.working_days}个工作日，超过{n}个工作日的时限，未做到同步发布",
                it.url,
                working_days=j.working_days,
                deadline=j.deadline.isoformat() if j.deadline else None,
                calendar=j.calendar,
            )
        if "formal" in j.flags:
            worst = max(j.overlap, key=lambda r: r["copy_ratio"])
            add(
                Rule.FORMAL,
                f"政策解读《{_short(str(worst['title']))}》{worst['copy_ratio']:.0%}的文字照搬政策文件"
                f"或重复其小标题（重复小标题{worst['headings_repeated']}/{worst['headings']}个，"
                f"自有文字{worst['own_chars']}字），未解读出台背景、目的和主要举措",
                str(worst["url"]),
                overlap=j.overlap,
            )
        if "no_contact" in j.flags:
            add(
                Rule.NO_CONTACT,
                f"政策文件《{name}》{number}的解读未提供政策咨询部门或联系电话"
                + (f"（{j.contact_note}）" if j.contact_note else ""),
                first.interp.url,
                note=j.contact_note or None,
            )
        return out


def _short(title: str, limit: int = 60) -> str:
    m = _QUOTED.search(title)
    t = m.group(1) if m else title
    return t if len(t) <= limit else t[:limit] + "…"


def _policy_ev(pol: Policy) -> dict[str, Any]:
    return {
        "title": pol.title,
        "doc_number": pol.doc_number,
        "url": pol.url,
        "publish_date": pol.date.isoformat() if pol.date else None,
        "columns": sorted(pol.columns),
        "why_policy": pol.reason,
        "other_urls": pol.other_urls,
    }


def _match_ev(m: Match, pol: Policy) -> dict[str, Any]:
    it = m.interp
    days = None
    if it.date is not None and pol.date is not None:
        days = working_days_after(pol.date, it.date)[0]
    return {
        "title": it.title,
        "url": it.url,
        "publish_date": it.date.isoformat() if it.date else None,
        "form": it.form,
        "working_days": days,
        "match": {"method": m.method, "score": m.score, "detail": m.detail},
        "policy_links_interpretation": m.policy_to_interp,
        "interpretation_links_policy": m.interp_to_policy,
    }
