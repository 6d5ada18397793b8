"""错链、断链：every link target verified, classified and located.

Judges the outcomes the link-verification crawl stored (``url_checks``):
one finding per broken target per site, with every place it is linked from.
Blocked answers (anti-bot 403/412/429, WAF pages, robots.txt) are reported
as unverified, never as broken: a wrong finding costs a site its score.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, ClassVar
from urllib.parse import unquote

from zwgk.checks import register
from zwgk.checks.base import Check, CheckContext, CheckOutcome
from zwgk.store import LinkRow
from zwgk.vocab import LinkOutcome, Status, canonical_url, tls_label, tls_reason

MAX_OCCURRENCES = 50
# The one rule that is not a link outcome: a link to a missing in-page anchor.
FRAGMENT_MISSING = "fragment_missing"
# Fragments browsers resolve without an element of that id.
IMPLICIT_FRAGMENTS = frozenset({"", "top"})

OUTCOME_LABEL = {
    LinkOutcome.HTTP_4XX: "页面不存在或无法访问（HTTP {status}）",
    LinkOutcome.HTTP_5XX: "服务器错误（HTTP {status}）",
    LinkOutcome.DNS_ERROR: "域名无法解析",
    LinkOutcome.CONNECTION_REFUSED: "服务器拒绝连接",
    LinkOutcome.TIMEOUT: "访问超时",
    LinkOutcome.TLS_ERROR: "证书或加密连接错误",
    LinkOutcome.CONNECTION_ERROR: "连接中断",
    LinkOutcome.REDIRECT_LOOP: "重定向循环或跳转次数过多",
    LinkOutcome.REDIRECT_NOT_HTTP: "跳转到非网页地址（如本机文件、FTP或脚本），浏览器无法打开",
    LinkOutcome.SOFT_404: "页面返回正常状态码但内容为错误提示（软404）",
    LinkOutcome.EMPTY: "页面内容为空",
    LinkOutcome.BLOCKED: "被目标网站拦截，未能验证",
    LinkOutcome.PRIVATE_ADDRESS: "指向内网地址，公众无法访问",
    LinkOutcome.MALFORMED: "链接地址格式错误，无法打开",
    LinkOutcome.LOCAL_FILE: "链接指向编辑人员本机文件（file:），公众无法访问",
    LinkOutcome.NOT_MODIFIED: "服务器返回304状态码但未返回页面内容",
    LinkOutcome.LOGIN_REQUIRED: "需要登录才能访问（HTTP {status}）",
    LinkOutcome.TOO_LARGE: "页面过大，超过{cap} MB，未完整下载",
}
# LinkRow kinds the extraction judged from the href alone: broken without a fetch.
POLICY_KINDS = {"malformed": LinkOutcome.MALFORMED, "local_file": LinkOutcome.LOCAL_FILE}
# Outcomes reported although neither broken nor unverified.
REPORTED = frozenset(
    {LinkOutcome.PRIVATE_ADDRESS, LinkOutcome.LOGIN_REQUIRED, LinkOutcome.TOO_LARGE}
)
ELEMENT_LABEL = {
    "a": "链接",
    "area": "图片热区链接",
    "img": "图片",
    "script": "脚本",
    "link": "样式表",
    "iframe": "内嵌框架",
    "frame": "框架",
    "embed": "嵌入对象",
    "object": "嵌入对象",
    "source": "媒体",
    "video": "视频",
    "audio": "音频",
    "img-srcset": "图片（srcset）",
    "source-srcset": "图片（srcset）",
    "style": "样式表引用",
    "style-attr": "行内样式引用",
    "track": "字幕文件",
    "formaction": "表单提交地址",
    "manifest": "离线清单",
}
# A form's submit address may take POST only: 405 to the checker's GET says
# it exists.
FORM_ELEMENTS = frozenset({"formaction"})
METHOD_NOT_ALLOWED = 405


def describe(
    outcome: str,
    status: int | None,
    detail: dict[str, Any] | None = None,
    cap_mb: float = 20,
    error: str | None = None,
) -> str:
    """``error`` is the stored fetch error: for a certificate refusal it
    names the reason (expired, self-signed, another host's)."""
    if outcome == LinkOutcome.TLS_ERROR:
        said = tls_label(error)
        return said + ("，浏览器会提示连接不安全" if tls_reason(error) else "，浏览器无法打开")
    if outcome == LinkOutcome.BLOCKED and (detail or {}).get("fetch_status") == "robots_denied":
        return "被网站robots.txt禁止访问，未能验证"
    if outcome == LinkOutcome.BLOCKED and status == 407:
        return "检测所用代理服务器要求认证，未能验证"
    try:
        label = OUTCOME_LABEL[LinkOutcome(outcome)]
    except (KeyError, ValueError):
        label = outcome
    return label.format(status=status if status is not None else "?", cap=f"{cap_mb:g}")


def _place(lk: LinkRow) -> tuple[bool, str, str]:
    # Home-page occurrences first, then by page: the same evidence, and the
    # same first MAX_OCCURRENCES of it, whatever order the crawl found them in.
    return (not lk.on_home, lk.source_url or "", lk.text or "")


@register
class LinksCheck(Check):
    id = "links"
    label = "错链断链"
    explanation = (
        "逐一验证网站首页及信息公开专栏页面上的全部链接（含图片、附件、脚本、样式表和外部链接），"
        "列出打不开或错误的链接及其所在页面。被目标网站反爬虫机制拦截的链接列为“未能验证”，不计为错链。"
        "依据：《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）可用性指标中的“首页不可用链接”"
        "“其他页面不可用链接”。"
    )
    version = "1.0"
    rules: ClassVar[dict[str, str]] = {
        LinkOutcome.HTTP_4XX.value: "链接目标不存在（4xx）",
        LinkOutcome.HTTP_5XX.value: "链接目标服务器错误（5xx）",
        LinkOutcome.DNS_ERROR.value: "域名无法解析",
        LinkOutcome.CONNECTION_REFUSED.value: "连接被拒绝",
        LinkOutcome.TIMEOUT.value: "访问超时",
        LinkOutcome.TLS_ERROR.value: "证书错误",
        LinkOutcome.CONNECTION_ERROR.value: "连接中断",
        LinkOutcome.REDIRECT_LOOP.value: "重定向循环",
        LinkOutcome.REDIRECT_NOT_HTTP.value: "跳转到非网页地址",
        LinkOutcome.SOFT_404.value: "软404",
        LinkOutcome.EMPTY.value: "空白页面",
        LinkOutcome.BLOCKED.value: "未能验证（被拦截）",
        LinkOutcome.PRIVATE_ADDRESS.value: "内网地址链接",
        LinkOutcome.MALFORMED.value: "链接地址格式错误",
        LinkOutcome.LOCAL_FILE.value: "链接指向本机文件",
        LinkOutcome.NOT_MODIFIED.value: "未返回页面内容（304）",
        LinkOutcome.LOGIN_REQUIRED.value: "需要登录才能访问",
        LinkOutcome.TOO_LARGE.value: "页面过大",
        FRAGMENT_MISSING: "页内锚点不存在",
    }
    metric_labels: ClassVar[dict[str, str]] = {
        "links_checked": "检查链接数（去重）",
        "occurrences": "链接出现次数",
        "broken": "错链断链数",
        "broken_by_outcome": "按类型",
        "home_unavailable": "首页不可用链接数",
        "unverified": "未能验证数",
        "login_required": "需要登录的链接数",
        "too_large": "页面过大的链接数",
        "not_checked": "未检查数",
        "not_http": "非网页链接数（javascript/mailto等）",
        "fragment_missing": "锚点缺失数",
    }

    evidence_labels: ClassVar[dict[str, str]] = {
        "outcome": "检查结果",
        "http_status": "HTTP状态码",
        "error": "错误信息",
        "final_url": "最终地址",
        "attempts": "尝试次数",
        "method": "请求方式",
        "checked_at": "检查时间（UTC）",
        "source": "结果来源",
        "on_home": "是否在首页",
        "occurrence_count": "出现次数",
        "occurrences": "出现位置",
        "source_url": "所在页面",
        "text": "链接文字",
        "element": "元素",
        "detail": "详细信息",
        "content_type": "内容类型",
        "redirects": "跳转经过",
        "challenge": "反爬虫验证页",
        "fetch_status": "抓取结果",
        "probe": "随机地址对照",
        "title": "页面标题",
        "status": "状态码",
        "anchor_page": "锚点所在页面",
        "anchor": "缺失的锚点",
        "href": "链接地址（原文）",
        "redirect_to": "跳转目标",
    }
    # The error text is the crawler's own words (an exception): kept in
    # findings.json for a technician, while people read the outcome's label.
    technical_evidence: ClassVar[frozenset[str]] = frozenset({"method", "checked_at", "error"})
    value_labels: ClassVar[dict[str, str]] = {
        **rules,
        LinkOutcome.OK.value: "正常",
        LinkOutcome.NOT_HTTP.value: "非网页链接",
        FRAGMENT_MISSING: "页内锚点不存在",
        "robots_denied": "robots.txt 禁止访问，未能验证",
        "href": "链接地址（原文）",
        **ELEMENT_LABEL,
        # Where a verdict came from: the portal crawl's own fetch, or the
        # link verification's.
        "crawl": "网站抓取时访问",
        "fetch": "链接检测时访问",
        "cache": "近期检测结果（缓存）",
        "policy": "按规则判定，未访问",
    }

    def run(self, ctx: CheckContext) -> CheckOutcome:
        out = CheckOutcome()
        outcomes = ctx.store.url_outcomes(ctx.run_id)
        # Only the targets a finding will name keep where they are linked
        # from; of the others (all but a few hundred) a count is enough.
        wanted = {url for url, o in outcomes.items() if _reported(LinkOutcome(o))}
        found: dict[str, Occurrences] = {}
        by_href: dict[tuple[LinkOutcome, str], Occurrences] = {}
        targets: set[str] = set()
        occurrences = not_http = 0
        for lk in ctx.links:
            if lk.kind in POLICY_KINDS:
                key = (POLICY_KINDS[lk.kind], (lk.href or "").strip())
                by_href.setdefault(key, Occurrences()).add(lk)
                continue
            if lk.kind != "http" or not lk.url:
                not_http += 1
                continue
            # The key link verification checked: one per page, session ids gone.
            target = canonical_url(lk.url)
            targets.add(target)
            occurrences += 1
            if target in wanted:
                found.setdefault(target, Occurrences()).add(lk)
        if targets and targets.isdisjoint(outcomes):
            out.status_override = Status.SKIPPED
            out.metrics = {"links_checked": 0, "not_checked": len(targets), "not_http": not_http}
            return out

        checks = ctx.store.url_check_rows(ctx.run_id, found)
        broken_by: Counter[str] = Counter()
        unverified = home_unavailable = login_required = too_large = 0
        not_checked = len(targets - outcomes.keys())
        for target, occ in sorted(found.items()):
            uc = checks[target]
            outcome = LinkOutcome(uc.outcome)
            if uc.http_status == METHOD_NOT_ALLOWED and occ.all_forms:
                continue
            if outcome.is_unverified:
                unverified += 1
            elif outcome is LinkOutcome.LOGIN_REQUIRED:
                login_required += 1
            elif outcome is LinkOutcome.TOO_LARGE:
                too_large += 1
            else:
                broken_by[outcome] += 1
                home_unavailable += occ.on_home
            where = "首页" if occ.on_home else "页面"
            places = occ.top()
            first = places[0][0]
            kind = ELEMENT_LABEL.get(first.element, "链接")
            name = (first.text or target)[:40]
            said = describe(
                outcome, uc.http_status, uc.detail, ctx.config.crawl.max_page_mb, uc.error
            )
            out.findings.append(
                self.finding(
                    outcome,
                    f"{where}{kind}“{name}”{said}",
                    url=target,
                    source_url=first.source_url,
                    evidence={
                        "outcome": outcome,
                        "http_status": uc.http_status,
                        "error": uc.error,
                        "final_url": uc.final_url,
                        "attempts": uc.attempts,
                        "method": uc.method,
                        "checked_at": uc.checked_at.isoformat(timespec="seconds"),
                        "source": uc.source,
                        "on_home": occ.on_home,
                        "occurrence_count": occ.count,
                        "occurrences": [
                            {
                                "source_url": lk.source_url,
                                "text": lk.text,
                                "element": lk.element,
                                "on_home": lk.on_home,
                            }
                            for lk, _ in places
                        ],
                        **({"detail": uc.detail} if uc.detail else {}),
                    },
                )
            )
        for (outcome, href), occ in sorted(by_href.items()):
            self._policy(outcome, href, occ, out)
            broken_by[outcome] += 1
            home_unavailable += occ.on_home
        fragment_missing = self._fragments(ctx, out)
        out.metrics = {
            "links_checked": len(targets) - not_checked,
            "occurrences": occurrences,
            "broken": sum(broken_by.values()),
            "broken_by_outcome": dict(sorted(broken_by.items())),
            "home_unavailable": home_unavailable,
            "unverified": unverified,
            "login_required": login_required,
            "too_large": too_large,
            "not_checked": not_checked,
            "not_http": not_http,
            "fragment_missing": fragment_missing,
        }
        return out

    def _policy(self, outcome: LinkOutcome, href: str, occ: Occurrences, out: CheckOutcome) -> None:
        """One finding for an href judged broken as written (never fetched)."""
        places = occ.top()
        first = places[0][0]
        where = "首页" if occ.on_home else "页面"
        kind = ELEMENT_LABEL.get(first.element, "链接")
        name = (first.text or href or "（空）")[:40]
        out.findings.append(
            self.finding(
                outcome,
                f"{where}{kind}“{name}”{describe(outcome, None)}",
                url=href,
                source_url=first.source_url,
                evidence={
                    "outcome": outcome,
                    "href": href,
                    "source": "policy",
                    "on_home": occ.on_home,
                    "occurrence_count": occ.count,
                    "occurrences": [
                        {
                            "source_url": lk.source_url,
                            "text": lk.text,
                            "element": lk.element,
                            "on_home": lk.on_home,
                        }
                        for lk, _ in places
                    ],
                },
            )
        )

    def _fragments(self, ctx: CheckContext, out: CheckOutcome) -> int:
        """``page.html#sec2`` to a crawled page, or ``#sec2`` on the page
        itself, where no element has id (or ``<a>`` name) sec2: one finding
        per (page, fragment), with every link that points there."""
        missing: dict[tuple[str, str], Occurrences] = {}
        ids_of: dict[str, set[str]] = {}
        for lk in ctx.links:
            aim = _fragment_target(lk)
            if aim is None:
                continue
            target, frag = aim
            if _unquote(frag).lower() in IMPLICIT_FRAGMENTS or frag.startswith(("!", "/")):
                continue  # hash-bang routes are not anchors
            page = ctx.pages_by_url.get(target)
            if page is None or page.fetch_status != "ok" or (page.status or 0) >= 400:
                continue
            ids = ids_of.get(target)
            if ids is None:
                ids = ids_of[target] = _decoded_ids(page.fragment_ids or [])
            if frag not in ids and _unquote(frag) not in ids:
                missing.setdefault((target, _unquote(frag)), Occurrences()).add(lk, frag)
        for (target, anchor), occ in sorted(missing.items()):
            places = occ.top()
            first, frag = places[0]
            url = f"{target}#{frag}"
            name = (first.text or first.href or url)[:40]
            out.findings.append(
                self.finding(
                    FRAGMENT_MISSING,
                    f"链接“{name}”指向的页内位置“#{anchor}”不存在",
                    url=url,
                    source_url=first.source_url,
                    evidence={
                        "anchor_page": target,
                        "anchor": anchor,
                        "occurrence_count": occ.count,
                        "occurrences": [
                            {
                                "source_url": lk.source_url,
                                "href": lk.href,
                                "text": lk.text,
                                "on_home": lk.on_home,
                            }
                            for lk, _ in places
                        ],
                    },
                )
            )
        return len(missing)


def _reported(outcome: LinkOutcome) -> bool:
    return outcome.is_broken or outcome.is_unverified or outcome in REPORTED


class Occurrences:
    """Where one target is linked: how often, whether from the home page, and
    the first ``MAX_OCCURRENCES`` places in :func:`_place` order — not every
    link: a missing badge image in a template is linked from every page."""

    __slots__ = ("_places", "all_forms", "count", "on_home")

    def __init__(self) -> None:
        self.count = 0
        self.on_home = False
        self.all_forms = True
        self._places: list[tuple[tuple[tuple[bool, str, str], int], LinkRow, str]] = []

    def add(self, lk: LinkRow, note: str = "") -> None:
        self.count += 1
        self.on_home |= lk.on_home
        self.all_forms &= lk.element in FORM_ELEMENTS
        # The store id breaks ties, as the stable sort of store order did.
        self._places.append(((_place(lk), lk.id), lk, note))
        if len(self._places) >= 4 * MAX_OCCURRENCES:
            self._trim()

    def _trim(self) -> None:
        self._places.sort(key=lambda p: p[0])
        del self._places[MAX_OCCURRENCES:]

    def top(self) -> list[tuple[LinkRow, str]]:
        """The first places with each one's note, home page first."""
        self._trim()
        return [(lk, note) for _, lk, note in self._places]


def _fragment_target(lk: LinkRow) -> tuple[str, str] | None:
    """``(page URL, fragment as written)`` a link scrolls to, if it names one:
    ``p.html#x`` names p.html; ``#x`` names the page it is on."""
    if lk.kind == "http" and lk.url and "#" in lk.url:
        target, frag = lk.url.split("#", 1)
        return target, frag
    href = (lk.href or "").strip()
    if lk.kind == "fragment" and href.startswith("#") and lk.source_url:
        return lk.source_url, href[1:]
    return None


def _unquote(text: str) -> str:
    """Percent-decoded as UTF-8, as a browser decodes a fragment before it
    looks for the element (``%7C`` is ``|``, ``%E4%B8%AD`` is 中)."""
    return unquote(text, errors="replace") if "%" in text else text


def _decoded_ids(ids: list[str]) -> set[str]:
    """A page's ids and names, as written and percent-decoded."""
    return {x for i in ids for x in (i, _unquote(i))}
