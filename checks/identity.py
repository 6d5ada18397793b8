"""网站标识: the identity marks at the foot of the home page, the gov.cn domain
and HTTPS.

《政府网站发展指引》 (国办发〔2017〕47号) asks every government site to show,
at the foot of its home page, its 网站标识码, ICP备案编号, 公安机关备案号 and
the 党政机关网站标识, to use a domain ending in ``gov.cn`` and to offer HTTPS.
The marks are read at parse time (``meta["identity"]``, see
``crawler/extract/identity.py``); a footer written by script is reported as
unverified, never as missing. The accepted domain suffixes are a rubric
parameter: the sample province and test sites end in ``.test``, so under the
shipped rubric they get the (warn) domain finding.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, ClassVar
from urllib.parse import urlsplit

from zwgk.checks import register
from zwgk.checks.base import Check, CheckContext, CheckOutcome
from zwgk.vocab import Severity, Status, defragment, host_matches, page_ok

# 6-digit region code + 4 characters; ministries' codes are "bm" + 8 digits.
SITE_CODE_LENGTH = 10
_SITE_CODE_CHARS = re.compile(r"^[0-9A-Za-z]+$")


class Rule(StrEnum):
    SITE_CODE_MISSING = "site_code_missing"
    SITE_CODE_INVALID = "site_code_invalid"
    ICP_MISSING = "icp_missing"
    POLICE_MISSING = "police_missing"
    BADGE_MISSING = "badge_missing"
    SITE_CODE_UNVERIFIED = "site_code_unverified"
    ICP_UNVERIFIED = "icp_unverified"
    POLICE_UNVERIFIED = "police_unverified"
    BADGE_UNVERIFIED = "badge_unverified"
    DOMAIN_NOT_GOV = "domain_not_gov"
    NO_HTTPS = "no_https"


# (meta key, missing rule, unverified rule, Chinese name)
MARKS = (
    ("site_code", Rule.SITE_CODE_MISSING, Rule.SITE_CODE_UNVERIFIED, "网站标识码"),
    ("icp", Rule.ICP_MISSING, Rule.ICP_UNVERIFIED, "ICP备案编号"),
    ("police", Rule.POLICE_MISSING, Rule.POLICE_UNVERIFIED, "公安机关备案号"),
    ("dzjg_badge", Rule.BADGE_MISSING, Rule.BADGE_UNVERIFIED, "党政机关网站标识"),
)


@register
class IdentityCheck(Check):
    id = "identity"
    label = "网站标识"
    explanation = (
        "检查网站首页底部是否显示网站标识码（{code_length}位）、ICP备案编号、公安机关备案号和"
        "党政机关网站标识，网站域名是否以{suffixes}结尾，以及网站是否提供HTTPS访问"
        "（只根据本次抓取到的页面判断）。首页底部由脚本生成的，标注为“未能验证”，请人工核对。"
        "依据：《政府网站发展指引》（国办发〔2017〕47号）。"
    )
    version = "1.0"
    rules: ClassVar[dict[str, str]] = {
        Rule.SITE_CODE_MISSING: "首页底部未显示网站标识码",
        Rule.SITE_CODE_INVALID: "网站标识码位数不正确",
        Rule.ICP_MISSING: "首页底部未显示ICP备案编号",
        Rule.POLICE_MISSING: "首页底部未显示公安机关备案号",
        Rule.BADGE_MISSING: "首页底部未显示党政机关网站标识",
        Rule.SITE_CODE_UNVERIFIED: "网站标识码未能验证（底部由脚本生成）",
        Rule.ICP_UNVERIFIED: "ICP备案编号未能验证（底部由脚本生成）",
        Rule.POLICE_UNVERIFIED: "公安机关备案号未能验证（底部由脚本生成）",
        Rule.BADGE_UNVERIFIED: "党政机关网站标识未能验证（底部由脚本生成）",
        Rule.DOMAIN_NOT_GOV: "网站域名不是政府网站域名",
        Rule.NO_HTTPS: "网站未提供HTTPS访问",
    }
    metric_labels: ClassVar[dict[str, str]] = {
        "marks_required": "应显示的标识数",
        "marks_found": "首页底部已显示的标识数",
        "marks_unverified": "未能验证的标识数",
        "site_code": "网站标识码",
        "https_pages": "HTTPS页面数",
    }
    evidence_labels: ClassVar[dict[str, str]] = {
        "mark": "标识",
        "matched": "页面上的文字",
        "site_code": "网站标识码",
        "site_code_meta": "网页源代码中的网站标识码",
        "length": "位数",
        "required_length": "应有位数",
        "found": "首页底部已找到的标识",
        "footer_scripted": "底部由脚本生成",
        "host": "域名",
        "accepted_suffixes": "认可的域名后缀",
        "pages_checked": "检查的页面数",
    }

    def __init__(
        self, params: Mapping[str, Any] | None = None, *, severities: Mapping[str, Severity]
    ) -> None:
        super().__init__(params, severities=severities)
        raw = self.params.get("domain_suffixes", ["gov.cn"])
        self.suffixes = [str(s) for s in ([raw] if isinstance(raw, str) else raw)]

    def explanation_params(self) -> dict[str, Any]:
        return {
            "code_length": SITE_CODE_LENGTH,
            "suffixes": "、".join(f"“{s}”" for s in self.suffixes),
        }

    def run(self, ctx: CheckContext) -> CheckOutcome:
        out = CheckOutcome()
        home_url = defragment(ctx.site.home)
        home = ctx.pages_by_url.get(home_url)
        self._domain(ctx, out, home_url)
        self._https(ctx, out, home_url)
        if not page_ok(home):
            # The structure check reports the unreachable home page; there is
            # no footer to judge here.
            out.status_override = Status.SKIPPED
            out.metrics["marks_required"] = len(MARKS)
            return out
        assert home is not None
        url = home.final_url or home.url
        marks: dict[str, Any] = dict((home.meta or {}).get("identity") or {})
        scripted = bool(marks.get("footer_scripted"))
        found = {name: marks[key] for key, _, _, name in MARKS if marks.get(key)}
        unverified = 0
        for key, missing, unverified_rule, name in MARKS:
            if marks.get(key):
                continue
            evidence: dict[str, Any] = {"mark": name, "found": found}
            if key == "site_code" and marks.get("site_code_meta"):
                evidence["site_code_meta"] = marks["site_code_meta"]
            if scripted:
                unverified += 1
                evidence["footer_scripted"] = True
                out.findings.append(
                    self.finding(
                        unverified_rule,
                        f"首页底部由脚本生成，抓取到的网页中没有{name}，请在浏览器中人工核对",
                        url=url,
                        evidence=evidence,
                    )
                )
                continue
            message = f"首页底部未显示{name}"
            if key == "site_code" and marks.get("site_code_meta"):
                message += (
                    f"（网页源代码中有网站标识码{marks['site_code_meta']}，但页面上没有显示）"
                )
            out.findings.append(self.finding(missing, message, url=url, evidence=evidence))
        code = marks.get("site_code")
        if code and (len(code) != SITE_CODE_LENGTH or not _SITE_CODE_CHARS.match(code)):
            out.findings.append(
                self.finding(
                    Rule.SITE_CODE_INVALID,
                    f"首页底部的网站标识码“{code}”为{len(code)}位，"
                    f"网站标识码应为{SITE_CODE_LENGTH}位",
                    url=url,
                    evidence={
                        "matched": f"网站标识码：{code}",
                        "site_code": code,
                        "length": len(code),
                        "required_length": SITE_CODE_LENGTH,
                    },
                )
            )
        out.metrics.update(
            {
                "marks_required": len(MARKS),
                "marks_found": len(found),
                "marks_unverified": unverified,
            }
        )
        if code:
            out.metrics["site_code"] = code
        return out

    def _domain(self, ctx: CheckContext, out: CheckOutcome, home_url: str) -> None:
        host = (urlsplit(home_url).hostname or "").lower()
        if host_matches(host, self.suffixes):
            return
        accepted = "、".join(self.suffixes)
        out.findings.append(
            self.finding(
                Rule.DOMAIN_NOT_GOV,
                f"网站首页域名{host}不以{accepted}结尾，政府网站应使用gov.cn域名",
                url=home_url,
                evidence={"host": host, "accepted_suffixes": list(self.suffixes)},
            )
        )

    def _https(self, ctx: CheckContext, out: CheckOutcome, home_url: str) -> None:
        hosts = set(ctx.site.all_hosts)
        checked = 0
        https = 0
        for p in ctx.pages:
            if not page_ok(p):
                continue
            parts = urlsplit(p.final_url or p.url)
            if (parts.hostname or "").lower() not in hosts:
                continue
            checked += 1
            if parts.scheme == "https":
                https += 1
        out.metrics["https_pages"] = https
        if https or not checked:
            return  # nothing stored to judge from when no page answered
        out.findings.append(
            self.finding(
                Rule.NO_HTTPS,
                f"抓取到的{checked}个网站页面都通过HTTP访问，未发现网站提供HTTPS访问",
                url=home_url,
                evidence={"host": urlsplit(home_url).hostname, "pages_checked": checked},
            )
        )
