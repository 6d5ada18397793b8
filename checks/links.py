"""错链、断链：every link target verified, classified and located.

Judges the outcomes the link-verification crawl stored (``url_checks``):
one finding per broken target per site, with every place it is linked from.
Blocked answers (anti-bot 403/412/429, WAF pages, robots.txt) are reported
as unverified, never as broken: a wrong finding costs a site its score.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any, ClassVar
from urllib.parse import unquote

from zwgk.checks import register
from zwgk.checks.base import Check, CheckContext, CheckOutcome
from zwgk.store import Link
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
# Link kinds the extraction judged from the href alone: broken without a fetch.
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


def _place(lk: Link) -> tuple[bool, str, str]:
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
        checks = ctx.store.url_checks(ctx.run_id)
        by_target: dict[str, list[Link]] = defaultdict(list)
        by_href: dict[tuple[LinkOutcome, str], list[Link]] = defaultdict(list)
        not_http = 0
        for lk in ctx.links:
            if lk.kind in POLICY_KINDS:
                by_href[(POLICY_KINDS[lk.kind], (lk.href or "").strip())].append(lk)
                continue
            if lk.kind != "http" or not lk.url:
                not_http += 1
                continue
            # The key link verification checked: one per page, session ids gone.
            by_target[canonical_url(lk.url)].append(lk)
        if by_target and not any(t in checks for t in by_target):
            out.status_override = Status.SKIPPED
            out.metrics = {"links_checked": 0, "not_checked": len(by_target), "not_http": not_http}
            return out

        broken_by: Counter[str] = Counter()
        unverified = not_checked = home_unavailable = login_required = too_large = 0
        for target, found in sorted(by_target.items()):
            links = sorted(found, key=_place)
            uc = checks.get(target)
            if uc is None:
                not_checked += 1
                continue
            outcome = LinkOutcome(uc.outcome)
            if not (outcome.is_broken or outcome.is_unverified or outcome in REPORTED):
                continue
            if uc.http_status == METHOD_NOT_ALLOWED and all(
                lk.element in FORM_ELEMENTS for lk in links
            ):
                continue
            on_home = any(lk.on_home for lk in links)
            if outcome.is_unverified:
                unverified += 1
            elif outcome is LinkOutcome.LOGIN_REQUIRED:
                login_required += 1
            elif outcome is LinkOutcome.TOO_LARGE:
                too_large += 1
            else:
                broken_by[outcome] += 1
                home_unavailable += on_home
            where = "首页" if on_home else "页面"
            first = next((lk for lk in links if lk.on_home), links[0])
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
                        "on_home": on_home,
                        "occurrence_count": len(links),
                        "occurrences": [
                            {
                                "source_url": lk.source_url,
                                "text": lk.text,
                                "element": lk.element,
                                "on_home": lk.on_home,
                            }
                            for lk in links[:MAX_OCCURRENCES]
                        ],
                        **({"detail": uc.detail} if uc.detail else {}),
                    },
                )
            )
        for (outcome, href), found in sorted(by_href.items()):
            broken = self._policy(outcome, href, found, out)
            broken_by[outcome] += 1
            home_unavailable += broken
        fragment_missing = self._fragments(ctx, out)
        out.metrics = {
            "links_checked": len(by_target) - not_checked,
            "occurrences": sum(len(v) for v in by_target.values()),
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

    def _policy(
        self, outcome: LinkOutcome, href: str, found: list[Link], out: CheckOutcome
    ) -> bool:
        """One finding for an href judged broken as written (never fetched);
        True when the home page links it."""
        links = sorted(found, key=_place)
        on_home = any(lk.on_home for lk in links)
        first = next((lk for lk in links if lk.on_home), links[0])
        where = "首页" if on_home else "页面"
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
                    "on_home": on_home,
                    "occurrence_count": len(links),
                    "occurrences": [
                        {
                            "source_url": lk.source_url,
                            "text": lk.text,
                            "element": lk.element,
                            "on_home": lk.on_home,
                        }
                        for lk in links[:MAX_OCCURRENCES]
                    ],
                },
            )
        )
        return on_home

    def _fragments(self, ctx: CheckContext, out: CheckOutcome) -> int:
        """``page.html#sec2`` to a crawled page, or ``#sec2`` on the page
        itself, where no element has id (or ``<a>`` name) sec2: one finding
        per (page, fragment), with every link that points there."""
        missing: dict[tuple[str, str], list[tuple[Link, str]]] = defaultdict(list)
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
                missing[(target, _unquote(frag))].append((lk, frag))
        for (target, anchor), found in sorted(missing.items()):
            found.sort(key=lambda pair: _place(pair[0]))
            first, frag = found[0]
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
                        "occurrence_count": len(found),
                        "occurrences": [
                            {
                                "source_url": lk.source_url,
                                "href": lk.href,
                                "text": lk.text,
                                "on_home": lk.on_home,
                            }
                            for lk, _ in found[:MAX_OCCURRENCES]
                        ],
                    },
                )
            )
        return len(missing)


def _fragment_target(lk: Link) -> tuple[str, str] | None:
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
