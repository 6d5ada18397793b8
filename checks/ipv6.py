"""IPv6 支持度, in the steps the national monitoring measures.

Judges only what the ``ipv6`` collector stored (``ipv6_sites``,
``ipv6_probes``): the home host's AAAA records, the home page over IPv6
(repeated probes give a success rate, latency beside IPv4's), whether the
IPv4 and IPv6 home pages are the same page, the zone's name servers, and the
2nd- and 3rd-level link rates — URLs of that level answering 2xx over IPv6
divided by all distinct URLs of that level, with the IPv4 figure beside it
so that a link broken for everyone is told apart from one broken for IPv6.
A site without AAAA fails at once, and its rates are 0 (the monitoring's
definition), not left out. Hosts reached through an IPv6 translation proxy
(a CNAME to, or links rewritten to, a provider's hosts) count as reachable
and are named in the evidence.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar
from urllib.parse import urlsplit

from zwgk.checks import register
from zwgk.checks.base import Check, CheckContext, CheckOutcome
from zwgk.store import Ipv6Probe
from zwgk.vocab import FetchStatus, Status, host_matches

# What the collector records when a host has no address of the family.
NO_ADDRESS = "no_address"
LEVEL_NAMES = {2: "二级链接", 3: "三级链接"}


class Rule(StrEnum):
    AAAA_MISSING = "aaaa_missing"
    HOME_V6_FAILED = "home_v6_failed"
    CONTENT_DIFFERS = "content_differs"
    CONTENT_UNVERIFIED = "content_unverified"
    LEVEL2_LOW = "level2_low"
    LEVEL3_LOW = "level3_low"
    NS_V6_MISSING = "ns_v6_missing"
    NS_UNVERIFIED = "ns_unverified"
    PROXY = "proxy"


def shingles(text: str, n: int = 3) -> set[str]:
    """Character n-grams of the text with white space removed: Chinese has
    no word boundaries, and a template's spacing should not count."""
    s = "".join(text.split())
    if len(s) <= n:
        return {s} if s else set()
    return {s[i : i + n] for i in range(len(s) - n + 1)}


def similarity(a: str | None, b: str | None) -> float | None:
    """Jaccard similarity of the two texts' 3-grams: 1.0 for the same page,
    near 0 for unrelated ones; None when either page has no text."""
    if not a or not b:
        return None
    sa, sb = shingles(a), shingles(b)
    if not sa or not sb:
        return None
    return round(len(sa & sb) / len(sa | sb), 3)


def ok(p: Ipv6Probe | None) -> bool:
    return (
        p is not None
        and p.fetch_status == FetchStatus.OK
        and p.status is not None
        and 200 <= p.status < 300
    )


@dataclass
class LevelResult:
    level: int
    urls: list[str]
    v4: dict[str, Ipv6Probe]
    v6: dict[str, Ipv6Probe]

    @property
    def total(self) -> int:
        return len(self.urls)

    @property
    def ok6(self) -> int:
        return sum(ok(self.v6.get(u)) for u in self.urls)

    @property
    def ok4(self) -> int:
        return sum(ok(self.v4.get(u)) for u in self.urls)


def rate(n: int, d: int) -> float:
    # An empty level has nothing to fail: the monitoring counts it as met.
    return round(n / d, 4) if d else 1.0


@register
class Ipv6Check(Check):
    id = "ipv6"
    label = "IPv6支持度"
    explanation = (
        "按照IPv6支持度监测的步骤检查网站：首页域名是否有AAAA记录；首页能否通过IPv6访问"
        "（多次探测，成功率不低于{home_rate}%为合格，并列出IPv4的成功率和访问时间对照）；"
        "IPv4与IPv6访问到的首页内容是否一致（相似度不低于{similarity}%）；域名解析服务器是否有AAAA记录；"
        "首页上的站内链接（二级链接）和二级页面上的站内链接（三级链接）通过IPv6访问成功（2xx）的比例，"
        "不低于{link_rate}%为合格，比例的分母为该层级全部不重复链接，并列出IPv4访问的比例对照。"
        "首页域名没有AAAA记录的，直接判为不支持IPv6，二、三级链接支持率计为0。"
        "经IPv6转换代理提供访问的，视为可访问，并在证据中注明。"
        "依据：《推进互联网协议第六版（IPv6）规模部署行动计划》及历年政务公开工作要点、"
        "政府网站IPv6改造的有关要求。"
    )
    version = "1.0"
    rules: ClassVar[dict[str, str]] = {
        Rule.AAAA_MISSING: "首页域名无AAAA记录（不支持IPv6）",
        Rule.HOME_V6_FAILED: "首页无法通过IPv6访问",
        Rule.CONTENT_DIFFERS: "IPv4与IPv6首页内容不一致",
        Rule.CONTENT_UNVERIFIED: "IPv4与IPv6首页内容未能比对",
        Rule.LEVEL2_LOW: "二级链接IPv6支持率不达标",
        Rule.LEVEL3_LOW: "三级链接IPv6支持率不达标",
        Rule.NS_V6_MISSING: "域名解析服务器不支持IPv6",
        Rule.NS_UNVERIFIED: "域名解析服务器未能验证",
        Rule.PROXY: "通过IPv6转换代理提供访问",
    }
    metric_labels: ClassVar[dict[str, str]] = {
        "aaaa": "首页域名有AAAA记录",
        "aaaa_records": "AAAA记录",
        "home_v6": "首页IPv6访问成功率",
        "home_v4": "首页IPv4访问成功率",
        "home_v6_latency_ms": "首页IPv6访问时间（毫秒）",
        "home_v4_latency_ms": "首页IPv4访问时间（毫秒）",
        "same_content": "IPv4与IPv6首页内容相似度",
        "ns_v6": "域名解析服务器有AAAA记录",
        "level2_rate": "二级链接IPv6支持率",
        "level2_ok": "二级链接IPv6可访问数",
        "level2_total": "二级链接总数",
        "level2_v4_rate": "二级链接IPv4可访问比例",
        "level3_rate": "三级链接IPv6支持率",
        "level3_ok": "三级链接IPv6可访问数",
        "level3_total": "三级链接总数",
        "level3_v4_rate": "三级链接IPv4可访问比例",
        "proxy_hosts": "经转换代理访问的主机",
    }
    evidence_labels: ClassVar[dict[str, str]] = {
        "host": "域名",
        "a": "A记录（IPv4地址）",
        "aaaa": "AAAA记录（IPv6地址）",
        "cnames": "别名（CNAME）",
        "probes": "探测结果",
        "family": "协议",
        "attempt": "第几次",
        "status": "HTTP状态码",
        "latency_ms": "访问时间（毫秒）",
        "final_url": "最终网址",
        "hops": "跳转经过",
        "reason": "原因",
        "v4": "IPv4访问",
        "v6": "IPv6访问",
        "similarity": "内容相似度",
        "threshold": "合格标准",
        "rate": "IPv6支持率",
        "ok": "IPv6可访问数",
        "total": "链接总数",
        "v4_rate": "IPv4可访问比例",
        "failing": "IPv6无法访问的链接",
        "more": "另有未列出的链接数",
        "zone": "域名区",
        "servers": "域名解析服务器",
        "name": "名称",
        "proxy_hosts": "经转换代理访问的主机",
        "via": "方式",
        "v4_text_chars": "IPv4首页正文字数",
        "v6_text_chars": "IPv6首页正文字数",
        "error": "错误信息",
    }
    value_labels: ClassVar[dict[str, str]] = {
        NO_ADDRESS: "该主机无对应地址",
        "ipv4": "IPv4",
        "ipv6": "IPv6",
        "cname": "域名别名指向代理",
        "links": "页面链接被改写到代理",
    }

    # -- parameters ----------------------------------------------------------

    @property
    def min_link_rate(self) -> float:
        return float(self.params.get("min_link_rate", 0.85))

    @property
    def min_similarity(self) -> float:
        return float(self.params.get("min_similarity", 0.9))

    @property
    def home_min_success_rate(self) -> float:
        return float(self.params.get("home_min_success_rate", 1.0))

    @property
    def proxy_suffixes(self) -> list[str]:
        return [str(s) for s in self.params.get("proxy_suffixes", [])]

    @property
    def max_listed(self) -> int:
        return int(self.params.get("max_listed", 20))

    def explanation_params(self) -> dict[str, Any]:
        return {
            "home_rate": _pct(self.home_min_success_rate),
            "similarity": _pct(self.min_similarity),
            "link_rate": _pct(self.min_link_rate),
        }

    # -- the check -------------------------------------------------------------

    def run(self, ctx: CheckContext) -> CheckOutcome:
        site = ctx.ipv6_site
        if site is None or site.finished_at is None:
            # Nothing collected (the collector did not run or was killed):
            # nothing to judge, and no score taken or given.
            return CheckOutcome(status_override=Status.SKIPPED)
        probes = ctx.ipv6_probes
        home = [p for p in probes if p.level == 1]
        home4 = [p for p in home if p.family == 4]
        home6 = [p for p in home if p.family == 6]
        levels = {n: self._level(n, probes) for n in (2, 3)}
        has_aaaa = bool(site.aaaa)
        out = CheckOutcome()
        dns_ev = {
            "host": site.home_host,
            "a": list(site.a),
            "aaaa": list(site.aaaa),
            "cnames": list(site.cnames),
        }

        # Step 1: AAAA. Without it the site fails at once; the later steps
        # are still measured (a webmaster sees what IPv4 gives) but the
        # rates count as 0.
        if not has_aaaa:
            out.findings.append(
                self.finding(
                    Rule.AAAA_MISSING,
                    f"首页域名{site.home_host}没有AAAA记录，网站不支持IPv6访问；"
                    "按监测规则，首页IPv6访问和二、三级链接IPv6支持率均计为0。",
                    url=site.home_url,
                    evidence=dns_ev,
                )
            )

        # Step 2: the home page over IPv6, repeated.
        rate6 = rate(sum(ok(p) for p in home6), len(home6)) if home6 else 0.0
        rate4 = rate(sum(ok(p) for p in home4), len(home4)) if home4 else 0.0
        if not has_aaaa:
            rate6 = 0.0
        elif rate6 < self.home_min_success_rate:
            failed = next((p for p in home6 if not ok(p)), None)
            reason = self._reason(failed) if failed else ""
            out.findings.append(
                self.finding(
                    Rule.HOME_V6_FAILED,
                    f"首页通过IPv6访问{len(home6)}次，成功{sum(ok(p) for p in home6)}次"
                    f"（成功率{_pct(rate6)}%，要求不低于{_pct(self.home_min_success_rate)}%）"
                    + (f"：{reason}" if reason else "")
                    + f"；同时IPv4访问成功率为{_pct(rate4)}%。",
                    url=site.home_url,
                    evidence={**dns_ev, "probes": [self._probe_ev(p) for p in home]},
                )
            )

        # Step 3: the same page over both families.
        text4 = next((p.text for p in home4 if ok(p) and p.text), None)
        text6 = next((p.text for p in home6 if ok(p) and p.text), None)
        same = similarity(text4, text6) if has_aaaa else None
        if has_aaaa and any(ok(p) for p in home6):
            ev = {
                "similarity": same,
                "threshold": self.min_similarity,
                "v4_text_chars": len(text4 or ""),
                "v6_text_chars": len(text6 or ""),
            }
            if same is None:
                out.findings.append(
                    self.finding(
                        Rule.CONTENT_UNVERIFIED,
                        "IPv4或IPv6访问的首页没有可比对的正文，未能比对两者内容是否一致。",
                        url=site.home_url,
                        evidence=ev,
                    )
                )
            elif same < self.min_similarity:
                out.findings.append(
                    self.finding(
                        Rule.CONTENT_DIFFERS,
                        f"通过IPv4和IPv6访问到的首页内容不一致（相似度{_pct(same)}%，"
                        f"要求不低于{_pct(self.min_similarity)}%），IPv6用户看到的可能是旧页面或其他页面。",
                        url=site.home_url,
                        evidence=ev,
                    )
                )

        # Step 4: name servers.
        ns_v6: bool | None = None
        if site.ns_known:
            with_v6 = [n for n in site.ns if n.get("aaaa")]
            ns_v6 = bool(with_v6)
            if not with_v6:
                out.findings.append(
                    self.finding(
                        Rule.NS_V6_MISSING,
                        f"域名{site.ns_zone}的解析服务器"
                        f"（{'、'.join(n['name'] for n in site.ns)}）均没有AAAA记录，"
                        "不支持通过IPv6进行域名解析。",
                        url=site.home_url,
                        evidence={"zone": site.ns_zone, "servers": list(site.ns)},
                    )
                )
        else:
            out.findings.append(
                self.finding(
                    Rule.NS_UNVERIFIED,
                    f"未能查到首页域名{site.home_host}所在域的解析服务器（NS记录），"
                    "请向域名管理单位核实解析服务器是否支持IPv6。",
                    url=site.home_url,
                    evidence={"host": site.home_host, "error": site.ns_error},
                )
            )

        # Step 5: 2nd- and 3rd-level links.
        metrics_levels: dict[str, Any] = {}
        for n, lv in levels.items():
            r6 = rate(lv.ok6, lv.total) if has_aaaa else 0.0
            r4 = rate(lv.ok4, lv.total)
            metrics_levels.update(
                {
                    f"level{n}_rate": r6,
                    f"level{n}_ok": lv.ok6 if has_aaaa else 0,
                    f"level{n}_total": lv.total,
                    f"level{n}_v4_rate": r4,
                }
            )
            if has_aaaa and r6 < self.min_link_rate:
                out.findings.append(self._level_finding(n, lv, r6, r4, site.home_url))

        # Translation proxies: reachable, and the office should know.
        proxies = self._proxies(site, home6)
        if proxies:
            out.findings.append(
                self.finding(
                    Rule.PROXY,
                    f"以下主机的IPv6访问经由转换代理提供：{'、'.join(sorted(proxies))}。"
                    "按可访问计，但网站本身尚未完成IPv6改造，请留意代理服务的稳定性。",
                    url=site.home_url,
                    evidence={
                        "proxy_hosts": [
                            {"host": h, "via": via} for h, via in sorted(proxies.items())
                        ]
                    },
                )
            )

        lat4 = _median([p.latency_ms for p in home4 if ok(p)])
        lat6 = _median([p.latency_ms for p in home6 if ok(p)])
        out.metrics = {
            "aaaa": has_aaaa,
            "aaaa_records": list(site.aaaa),
            "home_v6": rate6,
            "home_v4": rate4,
            "home_v6_latency_ms": lat6,
            "home_v4_latency_ms": lat4,
            "same_content": same,
            "ns_v6": ns_v6,
            **metrics_levels,
            "proxy_hosts": sorted(proxies),
        }
        return out

    # -- helpers ---------------------------------------------------------------

    @staticmethod
    def _level(n: int, probes: list[Ipv6Probe]) -> LevelResult:
        v4: dict[str, Ipv6Probe] = {}
        v6: dict[str, Ipv6Probe] = {}
        for p in probes:
            if p.level == n:
                (v4 if p.family == 4 else v6).setdefault(p.url, p)
        # robots.txt forbids the crawler, not the visitor: such a URL was not
        # measured over either family and is left out of the denominator.
        denied = FetchStatus.ROBOTS_DENIED.value
        urls = [
            u
            for u in sorted(set(v4) | set(v6))
            if not all(p.fetch_status == denied for p in (v4.get(u), v6.get(u)) if p is not None)
        ]
        return LevelResult(n, urls, v4, v6)

    def _reason(self, p: Ipv6Probe | None) -> str:
        """Why a URL failed over IPv6, in the words a webmaster acts on."""
        if p is None:
            return "未访问"
        if p.fetch_status == NO_ADDRESS:
            hops = p.hops or []
            host = urlsplit(hops[-1]["url"] if hops else p.url).hostname or ""
            if len(hops) > 1:
                return f"跳转到不支持IPv6的主机{host}（该主机无AAAA记录）"
            return f"主机{host}没有AAAA记录"
        if p.fetch_status == FetchStatus.OK and p.status is not None:
            return f"IPv6访问返回HTTP {p.status}"
        words = {
            FetchStatus.CONNECTION_REFUSED: "IPv6连接被拒绝（AAAA地址上没有提供网站服务）",
            FetchStatus.TIMEOUT: "IPv6访问超时",
            FetchStatus.DNS_ERROR: "域名无法解析",
            FetchStatus.TLS_ERROR: "IPv6访问时证书或加密连接错误",
            FetchStatus.CONNECTION_ERROR: "IPv6连接中断",
            FetchStatus.PRIVATE_ADDRESS: "指向内网地址，未访问",
            FetchStatus.REDIRECT_LOOP: "重定向循环",
        }
        try:
            return words.get(FetchStatus(p.fetch_status), "IPv6访问失败")
        except ValueError:
            return "IPv6访问失败"

    def _level_finding(
        self,
        n: int,
        lv: LevelResult,
        r6: float,
        r4: float,
        home_url: str,
    ) -> Any:
        failing = [u for u in lv.urls if not ok(lv.v6.get(u))]
        listed = []
        for u in failing[: self.max_listed]:
            p4 = lv.v4.get(u)
            listed.append(
                {
                    "url": u,
                    "reason": self._reason(lv.v6.get(u)),
                    "v4": "可访问" if ok(p4) else f"也无法访问（{self._v4_words(p4)}）",
                }
            )
        rule = Rule.LEVEL2_LOW if n == 2 else Rule.LEVEL3_LOW
        broken_both = sum(not ok(lv.v4.get(u)) for u in failing)
        tail = f"，其中{broken_both}个IPv4也无法访问（链接本身失效）" if broken_both else ""
        return self.finding(
            rule,
            f"{LEVEL_NAMES[n]}IPv6支持率为{_pct(r6)}%（{lv.ok6}/{lv.total}），"
            f"低于{_pct(self.min_link_rate)}%；IPv4可访问比例为{_pct(r4)}%（{lv.ok4}/{lv.total}）。"
            f"IPv6无法访问的链接{len(failing)}个{tail}。",
            url=home_url,
            evidence={
                "rate": r6,
                "ok": lv.ok6,
                "total": lv.total,
                "v4_rate": r4,
                "threshold": self.min_link_rate,
                "failing": listed,
                **(
                    {"more": len(failing) - self.max_listed}
                    if len(failing) > self.max_listed
                    else {}
                ),
            },
        )

    def _probe_ev(self, p: Ipv6Probe) -> dict[str, Any]:
        return {
            "family": "ipv6" if p.family == 6 else "ipv4",
            "attempt": p.attempt + 1,
            "fetch_status": p.fetch_status,
            "status": p.status,
            "latency_ms": p.latency_ms,
            "final_url": p.final_url,
            "hops": [h["url"] for h in p.hops or []],
        }

    @staticmethod
    def _v4_words(p: Ipv6Probe | None) -> str:
        if p is None:
            return "未访问"
        if p.fetch_status == FetchStatus.OK:
            return f"HTTP {p.status}"
        return {
            FetchStatus.CONNECTION_REFUSED.value: "连接被拒绝",
            FetchStatus.TIMEOUT.value: "超时",
            FetchStatus.DNS_ERROR.value: "域名无法解析",
            FetchStatus.PRIVATE_ADDRESS.value: "指向内网地址，未访问",
            FetchStatus.TLS_ERROR.value: "证书或加密连接错误",
            FetchStatus.CONNECTION_ERROR.value: "连接中断",
            FetchStatus.REDIRECT_LOOP.value: "重定向循环",
            NO_ADDRESS: "该主机无IPv4地址",
        }.get(p.fetch_status, "访问失败")

    def _proxies(self, site: Any, home6: list[Ipv6Probe]) -> dict[str, str]:
        suffixes = self.proxy_suffixes
        if not suffixes:
            return {}
        found: dict[str, str] = {}
        chains = {site.home_host: list(site.cnames)}
        for host, facts in (site.hosts or {}).items():
            chains[host] = list(facts.get("cnames") or [])
        for host, chain in chains.items():
            if any(host_matches(c, suffixes) for c in chain):
                found[host] = "cname"
        for p in home6:
            for h in p.link_hosts or []:
                if host_matches(h, suffixes):
                    found.setdefault(h, "links")
        return found


def _pct(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x * 100:.1f}".rstrip("0").rstrip(".")


def _median(values: list[int | None]) -> int | None:
    got = [v for v in values if v is not None]
    return int(statistics.median(got)) if got else None


__all__ = ["Ipv6Check", "Rule", "similarity"]
