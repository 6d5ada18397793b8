"""结构：政府信息公开专栏的必备栏目与年度报告。

The disclosure column must offer four sections (信息公开指南, 信息公开制度,
法定主动公开内容, 信息公开年报), each reachable, and the government's annual
report for the previous year must be published by the statutory deadline
(条例第四十九条: departments by 31 January, governments by 31 March).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from zwgk.checks import register
from zwgk.checks.base import Check, CheckContext, CheckOutcome
from zwgk.config import SiteKind
from zwgk.store import LinkRow, PageRow
from zwgk.vocab import (
    FetchStatus,
    Severity,
    Status,
    defragment,
    directory_of,
    page_ok,
    tls_label,
)


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    pattern: re.Pattern[str]


SECTIONS = (
    Section("guide", "信息公开指南", re.compile(r"信息公开指南|公开指南")),
    Section("system", "信息公开制度", re.compile(r"信息公开(?:工作)?制度|公开制度")),
    Section("statutory", "法定主动公开内容", re.compile(r"法定主动公开")),
    Section(
        "annual_report",
        "信息公开年报",
        re.compile(r"信息公开(?:工作)?(?:年度)?(?:报告|年报)|工作年度报告|^年度报告$|^年报$"),
    ),
)

REPORT_TITLE = re.compile(
    r"((?:19|20)\d{2})\s*年度?[^，。]{0,40}?信息公开(?:工作)?(?:年度)?(?:报告|年报)"
    r"|信息公开(?:工作)?(?:年度)?(?:报告|年报)\s*[（(]\s*((?:19|20)\d{2})\s*年?度?\s*[)）]"
)


def report_year(title: str | None) -> int | None:
    if not title:
        return None
    m = REPORT_TITLE.search(title)
    if not m:
        return None
    return int(m.group(1) or m.group(2))


# How a failed fetch reads to a visitor, for every FetchStatus but ok.
FETCH_FAILURE = {
    FetchStatus.DNS_ERROR: "域名无法解析",
    FetchStatus.CONNECTION_REFUSED: "服务器拒绝连接",
    FetchStatus.TIMEOUT: "访问超时",
    FetchStatus.TLS_ERROR: "证书无效",
    FetchStatus.CONNECTION_ERROR: "连接中断",
    FetchStatus.PRIVATE_ADDRESS: "指向内网地址，公众无法访问",
    FetchStatus.ROBOTS_DENIED: "被网站robots协议禁止访问",
    FetchStatus.REDIRECT_LOOP: "重定向循环或跳转次数过多",
    FetchStatus.REDIRECT_NOT_HTTP: "跳转到非网页地址",
    FetchStatus.TOO_LARGE: "页面过大",
    FetchStatus.ERROR: "访问出错",
}


def describe_failure(page: PageRow) -> str:
    """Why ``page`` is unavailable, in words (never a program word such as
    ``tls_error``); a certificate refusal says which (已过期, 自签名 …)."""
    if page.fetch_status == FetchStatus.OK:
        return f"HTTP {page.status}"
    if page.fetch_status == FetchStatus.TLS_ERROR:
        return tls_label(page.error)
    try:
        return FETCH_FAILURE[FetchStatus(page.fetch_status)]
    except (KeyError, ValueError):
        return FETCH_FAILURE[FetchStatus.ERROR]


def unreachable(what: str, page: PageRow | None) -> str:
    """``网站首页无法访问（超时）``; a certificate refusal reads as what a
    visitor's browser tells them: ``网站首页证书无效（已过期）``."""
    if page is None:
        return f"{what}无法访问（未抓取到）"
    if page.fetch_status == FetchStatus.TLS_ERROR:
        return f"{what}{describe_failure(page)}"
    return f"{what}无法访问（{describe_failure(page)}）"


# What the crawl concluded about a refusal (crawler/throttle.py), in words.
BLOCK_REASONS = {
    "rate_limited": "服务器限制访问频率",
    "overloaded": "服务器繁忙，要求稍后访问",
    "challenge": "服务器启用了防护验证，拦截自动访问",
}


def blocked_of(page: PageRow | None) -> dict[str, Any] | None:
    """The crawl's conclusion that the server withheld ``page`` from a robot
    (rate limit, busy, anti-bot challenge), or None.

    A plain 403 without a challenge page is not one: every visitor gets it.
    A 429 is one even from a crawl that recorded no conclusion."""
    if page is None or page_ok(page):
        return None
    blocked = (page.meta or {}).get("blocked")
    if isinstance(blocked, dict):
        return blocked
    if page.fetch_status == "ok" and page.status == 429:
        return {"reason": "rate_limited", "http_status": 429}
    return None


def describe_block(blocked: dict[str, Any]) -> str:
    words = BLOCK_REASONS.get(str(blocked.get("reason")), "服务器拒绝自动访问")
    status = blocked.get("http_status")
    return f"{words}，HTTP {status}" if status else words


def parse_mmdd(value: str, year: int) -> dt.date:
    month, day = (int(x) for x in value.split("-"))
    return dt.date(year, month, day)


class Rule(StrEnum):
    HOME_UNREACHABLE = "home_unreachable"
    HOME_UNVERIFIED = "home_unverified"
    COLUMN_UNREACHABLE = "column_unreachable"
    COLUMN_UNVERIFIED = "column_unverified"
    SECTION_MISSING = "section_missing"
    SECTION_UNREACHABLE = "section_unreachable"
    SECTION_UNVERIFIED = "section_unverified"
    ANNUAL_REPORT_MISSING = "annual_report_missing"
    ANNUAL_REPORT_LATE = "annual_report_late"


@register
class StructureCheck(Check):
    id = "structure"
    label = "专栏结构与年度报告"
    explanation = (
        "检查政府信息公开专栏是否设置“信息公开指南”“信息公开制度”“法定主动公开内容”“信息公开年报”"
        "四个必备栏目且链接可以访问，并检查上一年度政府信息公开工作年度报告是否按期发布。"
        "年度报告的发布期限为：人民政府门户网站每年{deadline}，部门网站每年{department_deadline}"
        "（期限当天发布的为按期）。"
        "依据：《中华人民共和国政府信息公开条例》（2019年修订）第十二条、第二十条、第四十九条、第五十条。"
    )
    version = "1.0"
    metric_labels: ClassVar[dict[str, str]] = {
        "sections_required": "必备栏目数",
        "sections_present": "已设置栏目数",
        "sections_reachable": "可访问栏目数",
        "annual_report_required_year": "应发布年报年度",
        "annual_report_years_found": "已发布年报年度",
    }
    evidence_labels: ClassVar[dict[str, str]] = {
        "section": "栏目",
        "required_year": "应发布年度",
        "deadline": "法定期限",
        "newest_found": "已发布的最新年报",
        "year": "年度",
        "entries": "专栏入口",
        "searched_pages": "检查的专栏页面数",
        "report_section_links": "年报栏目链接",
        "blocked": "服务器限制情况",
        "reason": "原因",
        "retry_after": "服务器要求等待秒数",
        "attempts": "访问次数",
        "host_gave_up": "已停止访问该服务器",
    }
    value_labels: ClassVar[dict[str, str]] = {
        "rate_limited": "限制访问频率",
        "overloaded": "服务器繁忙",
        "challenge": "防护验证拦截",
    }
    rules: ClassVar[dict[str, str]] = {
        Rule.HOME_UNREACHABLE: "网站首页无法访问",
        Rule.HOME_UNVERIFIED: "网站首页未能验证",
        Rule.COLUMN_UNREACHABLE: "信息公开专栏无法访问",
        Rule.COLUMN_UNVERIFIED: "信息公开专栏未能验证",
        Rule.SECTION_MISSING: "缺少必备栏目",
        Rule.SECTION_UNREACHABLE: "必备栏目无法访问",
        Rule.SECTION_UNVERIFIED: "必备栏目未能验证",
        Rule.ANNUAL_REPORT_MISSING: "未发布上一年度年报",
        Rule.ANNUAL_REPORT_LATE: "年报发布逾期",
    }

    def __init__(
        self, params: Mapping[str, Any] | None = None, *, severities: Mapping[str, Severity]
    ) -> None:
        super().__init__(params, severities=severities)
        # 条例第四十九条: governments publish by 31 March, their departments
        # by 31 January; the site's kind (config, else its name) decides.
        self.deadline = str(self.params.get("annual_report_deadline", "03-31"))
        self.department_deadline = str(
            self.params.get("department_annual_report_deadline", "01-31")
        )

    def deadline_for(self, kind: SiteKind) -> str:
        return self.department_deadline if kind is SiteKind.DEPARTMENT else self.deadline

    def explanation_params(self) -> dict[str, Any]:
        def words(mmdd: str) -> str:
            month, day = (int(x) for x in mmdd.split("-"))
            return f"{month}月{day}日前"

        return {
            "deadline": words(self.deadline),
            "department_deadline": words(self.department_deadline),
        }

    def run(self, ctx: CheckContext) -> CheckOutcome:
        out = CheckOutcome()
        by_url = ctx.pages_by_url
        home = by_url.get(defragment(ctx.site.home))
        home_blocked = blocked_of(home)
        if home_blocked is not None:
            # A server that asked a robot to slow down, or challenged it, has
            # not shown that visitors cannot reach it: a person must look.
            out.findings.append(
                self.finding(
                    Rule.HOME_UNVERIFIED,
                    f"网站首页未能验证（{describe_block(home_blocked)}），请人工访问核实首页能否打开",
                    url=ctx.site.home,
                    evidence={
                        "http_status": home.status if home else None,
                        "blocked": home_blocked,
                    },
                )
            )
        elif not page_ok(home):
            out.findings.append(
                self.finding(
                    Rule.HOME_UNREACHABLE,
                    unreachable("网站首页", home),
                    url=ctx.site.home,
                    evidence={
                        "fetch_status": home.fetch_status if home else None,
                        "http_status": home.status if home else None,
                    },
                )
            )
        entries = ctx.site.disclosure or [ctx.site.home]
        entry_pages = [by_url.get(u) for u in entries]
        if not any(page_ok(p) for p in entry_pages):
            blocked = [b for b in map(blocked_of, entry_pages) if b is not None]
            if blocked:
                out.findings.append(
                    self.finding(
                        Rule.COLUMN_UNVERIFIED,
                        f"政府信息公开专栏未能验证（{describe_block(blocked[0])}），"
                        "无法检查必备栏目，请人工访问核实",
                        url=entries[0],
                        evidence={"entries": entries, "blocked": blocked[0]},
                    )
                )
                # Nothing of the column was seen: no score is given for it.
                out.status_override = Status.SKIPPED
            else:
                out.findings.append(
                    self.finding(
                        Rule.COLUMN_UNREACHABLE,
                        "政府信息公开专栏无法访问，无法检查必备栏目",
                        url=entries[0],
                        evidence={"entries": entries},
                    )
                )
            out.metrics = {
                "sections_required": len(SECTIONS),
                "sections_present": 0,
                "sections_reachable": 0,
            }
            return out

        prefixes = tuple(directory_of(u) for u in entries)
        column_pages = {
            p.id
            for p in ctx.pages
            if p.final_url.startswith(prefixes) or p.url.startswith(prefixes)
        }
        present = reachable = 0
        found = {section.key: SectionLinks() for section in SECTIONS}
        # One pass over the links for every section: a large portal's links
        # are read from the store, not held.
        for lk in ctx.links:
            if (
                lk.page_id in column_pages
                and lk.element in ("a", "area")
                and lk.kind == "http"
                and lk.text
            ):
                for section in SECTIONS:
                    if section.pattern.search(lk.text):
                        found[section.key].add(lk, by_url)
        for section in SECTIONS:
            links = found[section.key]
            if links.first is None:
                out.findings.append(
                    self.finding(
                        Rule.SECTION_MISSING,
                        f"信息公开专栏缺少“{section.label}”栏目",
                        url=entries[0],
                        evidence={"section": section.label, "searched_pages": len(column_pages)},
                    )
                )
                continue
            present += 1
            if links.reachable:
                reachable += 1
                continue
            first = links.first
            evidence = {"section": section.label, "links": links.targets()}
            if links.first_fetched is not None:
                out.findings.append(
                    self.finding(
                        Rule.SECTION_UNREACHABLE,
                        unreachable(f"“{section.label}”栏目链接", links.first_fetched),
                        url=first.url,
                        source_url=first.source_url,
                        evidence=evidence,
                    )
                )
            else:
                out.findings.append(
                    self.finding(
                        Rule.SECTION_UNVERIFIED,
                        f"“{section.label}”栏目链接未在本次抓取范围内，未能验证是否可访问",
                        url=first.url,
                        source_url=first.source_url,
                        evidence=evidence,
                    )
                )

        out.metrics = {
            "sections_required": len(SECTIONS),
            "sections_present": present,
            "sections_reachable": reachable,
        }
        self._annual_report(ctx, out, found["annual_report"])
        return out

    def _annual_report(
        self, ctx: CheckContext, out: CheckOutcome, report_links: SectionLinks
    ) -> None:
        as_of = ctx.as_of
        mmdd = self.deadline_for(ctx.site.site_kind)
        deadline_this_year = parse_mmdd(mmdd, as_of.year)
        required = as_of.year - 1 if as_of > deadline_this_year else as_of.year - 2
        deadline = parse_mmdd(mmdd, required + 1)
        column = ctx.site.disclosure[0] if ctx.site.disclosure else ctx.site.home

        found: dict[int, dict[str, Any]] = {}
        for page in ctx.pages:
            if not page_ok(page):
                continue
            title = (page.meta or {}).get("doc_title") or page.title
            year = report_year(title)
            if year is None:
                continue
            published = (page.meta or {}).get("publish_date")
            if published and published > as_of.isoformat():
                continue  # published after the evaluation date: not yet there as of then
            found.setdefault(
                year, {"url": page.final_url, "title": title, "publish_date": published}
            )
        for lk in ctx.links:
            year = report_year(lk.text)
            if year is not None and lk.url and year not in found:
                target = ctx.pages_by_url.get(lk.url)
                if target is not None and not page_ok(target):
                    continue
                found[year] = {
                    "url": lk.url,
                    "title": lk.text,
                    "publish_date": None,
                    "source_url": lk.source_url,
                }

        out.metrics["annual_report_required_year"] = required
        out.metrics["annual_report_years_found"] = sorted(found)
        report = found.get(required)
        if report is None:
            newest = max(found) if found else None
            out.findings.append(
                self.finding(
                    Rule.ANNUAL_REPORT_MISSING,
                    f"未找到{required}年度政府信息公开工作年度报告（应于{deadline.year}年{deadline.month}月{deadline.day}日前公布）",
                    # Point at the 年报 column when there is one: that is where
                    # the webmaster has to add the report.
                    url=report_links.first.url if report_links.first else column,
                    source_url=report_links.first.source_url if report_links.first else None,
                    evidence={
                        "required_year": required,
                        "deadline": deadline.isoformat(),
                        "newest_found": {**found[newest], "year": newest} if newest else None,
                        "report_section_links": report_links.first_urls,
                    },
                )
            )
            return
        published = report.get("publish_date")
        if published and published > deadline.isoformat():
            out.findings.append(
                self.finding(
                    Rule.ANNUAL_REPORT_LATE,
                    f"{required}年度报告发布于{published}，晚于{deadline.isoformat()}的法定期限",
                    url=report["url"],
                    source_url=report.get("source_url"),
                    evidence={
                        "required_year": required,
                        "deadline": deadline.isoformat(),
                        **report,
                    },
                )
            )


# Pages named per section target (``linked_from``) and report-section links
# named in evidence.
LINKED_FROM = 3
FIRST_URLS = 5


class SectionLinks:
    """The links to one required section, as much as the findings name:
    the first in store order, the first to a crawled page, whether any
    reaches its target, and per target the pages that link it first
    (in page order, so that the pages named do not depend on crawl order)."""

    def __init__(self) -> None:
        self.first: LinkRow | None = None
        self.first_fetched: PageRow | None = None
        self.reachable = False
        self.first_urls: list[str | None] = []
        self._targets: dict[str, dict[str, Any]] = {}

    def add(self, lk: LinkRow, by_url: dict[str, PageRow]) -> None:
        url = lk.url or ""
        page = by_url.get(url)
        if self.first is None:
            self.first = lk
        if self.first_fetched is None and lk.url in by_url:
            self.first_fetched = by_url[lk.url]
        self.reachable |= page_ok(page)
        if len(self.first_urls) < FIRST_URLS:
            self.first_urls.append(lk.url)
        key = (lk.source_url or "", lk.text or "")
        g = self._targets.get(url)
        if g is None:
            g = self._targets[url] = {
                "key": key,
                "url": url,
                "text": lk.text,
                "fetch_status": page.fetch_status if page else None,
                "http_status": page.status if page else None,
                "linked_from": [],
                "occurrences": 0,
            }
        elif key < g["key"]:
            g["key"], g["text"] = key, lk.text
        g["occurrences"] += 1
        sources: list[str] = g["linked_from"]
        if lk.source_url not in sources:
            sources.append(lk.source_url)
            sources.sort()
            del sources[LINKED_FROM:]

    def targets(self) -> list[dict[str, Any]]:
        """One entry per distinct target, in the order of the first page linking it."""
        groups = sorted(self._targets.values(), key=lambda g: g["key"])
        return [{k: v for k, v in g.items() if k != "key"} for g in groups]
