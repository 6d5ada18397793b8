"""公开要素: the disclosure items carry 索引号, 发布机构, 发布日期 and, for
documents, 文号 and 成文日期.

An item is a page under the site's disclosure column entries that is neither
the home page, nor a column's index or list page: what the 政府信息公开目录
lists one by one. A document is an item with a 文号, or one in a policy or
regulation column (政策文件, 规范性文件 …; a column of 解读 is not one).
The elements come from the page's metadata table or label runs, the 来源 of
its header line (发布机构) and the signature (成文日期), all read at parse
time. Each element missing from more than a set share of the items makes one
finding, with example pages: one missing field is a template's or an
editor's slip, a share of them is a template to fix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar
from urllib.parse import urlsplit

from zwgk.checks import register
from zwgk.checks.base import Check, CheckContext, CheckOutcome
from zwgk.store import PageRow
from zwgk.vocab import Severity, Status, defragment, directory_of, page_ok


class Rule(StrEnum):
    INDEX_NO_MISSING = "index_no_missing"
    PUBLISHER_MISSING = "publisher_missing"
    PUBLISH_DATE_MISSING = "publish_date_missing"
    DOC_NUMBER_MISSING = "doc_number_missing"
    WRITTEN_DATE_MISSING = "written_date_missing"


@dataclass(frozen=True)
class Element:
    key: str  # the PageRow.meta key
    label: str
    rule: Rule
    documents_only: bool


ELEMENTS = (
    Element("index_no", "索引号", Rule.INDEX_NO_MISSING, False),
    Element("publisher", "发布机构", Rule.PUBLISHER_MISSING, False),
    Element("publish_date", "发布日期", Rule.PUBLISH_DATE_MISSING, False),
    Element("doc_number", "文号", Rule.DOC_NUMBER_MISSING, True),
    Element("written_date", "成文日期", Rule.WRITTEN_DATE_MISSING, True),
)
_FACTS = (*(e.key for e in ELEMENTS), "body_images_only", "body_attachment")

# A column's index or list page: the folder itself, or index.html, index_1.html …
_INDEX_NAME = re.compile(r"^(?:index|default|list|more)(?:_\d+)?\.[a-z]{2,5}$", re.I)
# Article URLs of the common CMSs (TRS t20260310_140203.html, Hanweb
# art_1234_56201.html, dated folders): an item even when it shows no element.
_ARTICLE_URL = re.compile(
    r"/t\d{8}_\d+\.s?html?$|/art/\d{4}/|/art_\d+_\d+\.html$|content_\d+\.s?html?$"
    r"|/20\d{4,6}/[^/]+\.s?html?$",
    re.I,
)
# An interpretation (解读) column holds explanations of documents, not documents.
_INTERPRETATION = re.compile(r"解读")
DEFAULT_DOCUMENT_COLUMNS = ("政策文件", "政府文件", "规范性文件", "文件库", "法规", "规章")


def is_index_url(url: str) -> bool:
    path = urlsplit(url).path
    return path == "" or path.endswith("/") or bool(_INDEX_NAME.match(path.rsplit("/", 1)[-1]))


@register
class MetadataCheck(Check):
    id = "metadata"
    label = "公开要素"
    explanation = (
        "检查政府信息公开专栏中逐条公开的信息是否标注索引号、发布机构、发布日期，"
        "政策文件（有文号或位于{columns}等栏目的信息）是否还标注文号和成文日期。"
        "某一要素缺失的信息超过{share}时提示，并列出最多{examples}个示例页面。"
        "依据：《中华人民共和国政府信息公开条例》（2019年修订）第二十条、第二十六条，"
        "《政府网站发展指引》（国办发〔2017〕47号）。"
    )
    version = "1.0"
    rules: ClassVar[dict[str, str]] = {
        Rule.INDEX_NO_MISSING: "信息未标注索引号",
        Rule.PUBLISHER_MISSING: "信息未标注发布机构",
        Rule.PUBLISH_DATE_MISSING: "信息未标注发布日期",
        Rule.DOC_NUMBER_MISSING: "政策文件未标注文号",
        Rule.WRITTEN_DATE_MISSING: "政策文件未标注成文日期",
    }
    metric_labels: ClassVar[dict[str, str]] = {
        "items": "检查的信息数",
        "documents": "其中政策文件数",
        **{f"{e.key}_missing": f"缺少{e.label}的信息数" for e in ELEMENTS},
        **{f"{e.key}_missing_pct": f"缺少{e.label}的比例（%）" for e in ELEMENTS},
    }
    evidence_labels: ClassVar[dict[str, str]] = {
        "element": "公开要素",
        "missing": "缺少该要素的信息数",
        "checked": "检查的信息数",
        "missing_pct": "缺少比例（%）",
        "threshold_pct": "提示阈值（%）",
        "examples": "示例页面",
    }

    def __init__(
        self, params: Mapping[str, Any] | None = None, *, severities: Mapping[str, Severity]
    ) -> None:
        super().__init__(params, severities=severities)
        self.max_share = float(self.params.get("max_missing_share", 0.05))
        self.examples = int(self.params.get("examples", 5))
        columns = self.params.get("document_columns", list(DEFAULT_DOCUMENT_COLUMNS))
        self.document_columns = [str(c) for c in columns]

    def explanation_params(self) -> dict[str, Any]:
        return {
            "columns": "、".join(f"“{c}”" for c in self.document_columns[:3]),
            "share": f"{self.max_share * 100:g}%",
            "examples": self.examples,
        }

    def items(self, ctx: CheckContext) -> list[PageRow]:
        """The disclosure items: pages under the column entries that are not a
        home, entry, index or list page."""
        entries = ctx.site.disclosure or [ctx.site.home]
        prefixes = tuple(directory_of(defragment(u)) for u in entries)
        skip = {defragment(u) for u in [ctx.site.home, *entries]}
        out: list[PageRow] = []
        seen: set[str] = set()
        for p in ctx.pages:
            if not page_ok(p) or p.is_home:
                continue
            url = p.final_url or p.url
            if url in seen or not (url.startswith(prefixes) or p.url.startswith(prefixes)):
                continue
            meta = p.meta or {}
            if url in skip or p.url in skip or is_index_url(url) or meta.get("list"):
                continue
            # Neither an element nor an article URL: a navigation or list page
            # at an unusual address, not an item the catalogue lists.
            if not any(meta.get(k) for k in _FACTS) and not _ARTICLE_URL.search(url):
                continue
            seen.add(url)
            out.append(p)
        return sorted(out, key=lambda p: p.final_url or p.url)

    def is_document(self, page: PageRow) -> bool:
        meta = page.meta or {}
        if meta.get("doc_number"):
            return True
        column = str(meta.get("column_name") or "")
        if not column or _INTERPRETATION.search(column):
            return False
        return any(c in column for c in self.document_columns)

    def run(self, ctx: CheckContext) -> CheckOutcome:
        out = CheckOutcome()
        items = self.items(ctx)
        documents = [p for p in items if self.is_document(p)]
        out.metrics = {"items": len(items), "documents": len(documents)}
        if not items:
            out.status_override = Status.SKIPPED
            return out
        for element in ELEMENTS:
            pool = documents if element.documents_only else items
            missing = [p for p in pool if not (p.meta or {}).get(element.key)]
            pct = round(100 * len(missing) / len(pool), 1) if pool else 0.0
            out.metrics[f"{element.key}_missing"] = len(missing)
            out.metrics[f"{element.key}_missing_pct"] = pct
            if not pool or len(missing) / len(pool) <= self.max_share:
                continue
            examples = [p.final_url or p.url for p in missing[: self.examples]]
            kind = "政策文件" if element.documents_only else "信息"
            out.findings.append(
                self.finding(
                    element.rule,
                    f"{len(pool)}条{kind}中有{len(missing)}条未标注{element.label}（{pct:g}%）",
                    url=examples[0],
                    evidence={
                        "element": element.label,
                        "missing": len(missing),
                        "checked": len(pool),
                        "missing_pct": pct,
                        "threshold_pct": round(self.max_share * 100, 1),
                        "examples": examples,
                    },
                )
            )
        return out
