"""规划信息：“十四五”规划纲要、国土空间规划、专项规划、区域规划与历史规划.

A plan is found where the disclosure column publishes it: a document page
(its visible title), a list item (an attachment a list links straight to
counts: a plan published only as a PDF), or a file link on a page of the
column. A title names a plan when it ends with 规划 / 纲要 and is none of
the look-alikes (会议新闻, 解读, 征求意见稿, 公示 …); an item of a news column
only mentions one. Each plan takes the first category it fits
(``config/planning.yaml``): a field's "十四五"发展规划 is a 专项规划, not the
outline. A category not found is a finding; so is a blank 规划 column. When a
规划 column's list is loaded by script the column cannot be read, and a
category not found elsewhere is unverified rather than missing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar, Literal
from urllib.parse import parse_qsl, urlsplit

from pydantic import BaseModel, ConfigDict, Field, model_validator

from zwgk.checks import register
from zwgk.checks.base import Check, CheckContext, CheckOutcome, ColumnList, Severity
from zwgk.config import ConfigError, default_file, parse_yaml_model
from zwgk.store import PageRow
from zwgk.vocab import directory_of, page_ok

RULES_FILE = default_file("planning.yaml")

CategoryKey = Literal["historical", "outline", "spatial", "regional", "special"]
CATEGORY_KEYS: tuple[CategoryKey, ...] = ("outline", "spatial", "special", "regional", "historical")

# File formats a plan is published in, by extension; anything else is a web page.
FORMATS = {
    ".pdf": "PDF",
    ".doc": "DOC",
    ".docx": "DOCX",
    ".wps": "WPS",
    ".ofd": "OFD",
    ".xls": "XLS",
    ".xlsx": "XLSX",
    ".zip": "ZIP",
    ".rar": "RAR",
}
_QUOTED = re.compile(r"《([^》]{2,80})》")
_TITLE_SEPARATORS = re.compile(r"\s*(?:_|——|\s-\s|\|)\s*")


class _Rules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Category(_Rules):
    key: CategoryKey
    label: str
    title: list[re.Pattern[str]]
    exclude: list[re.Pattern[str]] = Field(default_factory=list)
    # Names of the 规划 sub-column meant for this category (国土空间规划).
    columns: list[re.Pattern[str]] = Field(default_factory=list)

    def matches(self, title: str) -> bool:
        return any(p.search(title) for p in self.title) and not any(
            p.search(title) for p in self.exclude
        )


class Rules(_Rules):
    plan_columns: list[re.Pattern[str]]
    news_columns: list[re.Pattern[str]] = Field(default_factory=list)
    plan_title: re.Pattern[str]
    exclude_title: dict[str, re.Pattern[str]] = Field(default_factory=dict)
    categories: list[Category]
    evidence_per_category: int = Field(3, ge=1)

    @model_validator(mode="after")
    def _every_category(self) -> Rules:
        keys = [c.key for c in self.categories]
        if sorted(keys) != sorted(CATEGORY_KEYS):
            raise ValueError(f"categories must be exactly {', '.join(CATEGORY_KEYS)}")
        return self


def load_rules(path: str | Path = RULES_FILE, overrides: Mapping[str, Any] | None = None) -> Rules:
    """The rules file, with top-level keys replaced by ``overrides`` (rubric params)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{p}: planning rules file not found"]) from None
    rules = parse_yaml_model(text, str(p), Rules)
    if overrides:
        try:
            rules = Rules.model_validate({**rules.model_dump(), **overrides})
        except Exception as exc:
            raise ConfigError([f"rubric params of planning: {exc}"]) from None
    return rules


def file_format(url: str) -> str | None:
    """The document format a URL names (PDF, DOC …), or None for a web page."""
    parts = urlsplit(url)
    names = [parts.path.lower()] + [
        v.lower() for k, v in parse_qsl(parts.query) if k.lower() in ("filename", "file", "name")
    ]
    for name in names:
        for ext, label in FORMATS.items():
            if name.endswith(ext):
                return label
    return None


def plan_name(title: str) -> str:
    """The plan's own name: 《…》 of "关于印发《…》的通知", else the title."""
    title = title.strip()
    if "印发" in title:
        m = _QUOTED.search(title)
        if m:
            return m.group(1).strip()
    return title


def page_title(page: PageRow) -> str | None:
    meta = page.meta or {}
    title = meta.get("doc_title") or meta.get("article_title")
    if title:
        return str(title)
    if page.title:
        # "寒山市…规划_寒山市人民政府": the document's part of a <title>.
        return _TITLE_SEPARATORS.split(page.title.strip())[0] or None
    return None


@dataclass
class Candidate:
    title: str
    url: str
    date: str | None
    format: str
    columns: set[str] = field(default_factory=set)

    def evidence(self, plan_columns: set[str]) -> dict[str, Any]:
        cols = sorted(self.columns, key=lambda c: (c not in plan_columns, c))
        return {
            "title": self.title,
            "url": self.url,
            "column": cols[0] if cols else None,
            "publish_date": self.date,
            "format": self.format,
        }


class Rule(StrEnum):
    PLAN_MISSING = "plan_missing"
    PLAN_UNVERIFIED = "plan_unverified"
    COLUMN_BLANK = "column_blank"
    COLUMN_UNVERIFIED = "column_unverified"


@register
class PlanningCheck(Check):
    id = "planning"
    label = "规划信息"
    explanation = (
        "检查政府信息公开专栏是否公开{categories}。"
        "在规划栏目及专栏其他栏目中查找规划文件的网页或直接链接的附件（PDF、DOC等）；"
        "某一领域的“十四五”发展规划属于专项规划，不是规划纲要；"
        "新闻栏目中提及规划的会议报道、规划解读、征求意见稿、公示等不算公开规划文件。"
        "规划栏目没有任何信息的，为空白栏目。"
        "依据：《中华人民共和国政府信息公开条例》（2019年修订）第二十条第（四）项"
        "（国民经济和社会发展规划、专项规划、区域规划及相关政策）。"
        "规划的识别规则可由评估方在配置中调整。"
    )
    version = "1.0"
    rules: ClassVar[dict[str, str]] = {
        Rule.PLAN_MISSING: "未公开规划",
        Rule.PLAN_UNVERIFIED: "规划公开情况未能验证",
        Rule.COLUMN_BLANK: "规划栏目空白",
        Rule.COLUMN_UNVERIFIED: "规划栏目未能验证",
    }
    metric_labels: ClassVar[dict[str, str]] = {
        "outline_found": "已公开“十四五”规划纲要",
        "spatial_found": "已公开国土空间规划",
        "special_found": "已公开专项规划",
        "regional_found": "已公开区域规划",
        "historical_found": "已公开历史规划",
        "outline_count": "“十四五”规划纲要数",
        "spatial_count": "国土空间规划数",
        "special_count": "专项规划数",
        "regional_count": "区域规划数",
        "historical_count": "历史规划数",
        "categories_found": "已公开的规划类别数",
        "plan_documents": "规划文件数",
        "plan_columns": "规划栏目数",
        "published_later": "晚于评估日期发布、不计入的文件数",
        "documents": "已找到的规划文件",
    }
    evidence_labels: ClassVar[dict[str, str]] = {
        "category": "规划类别",
        "column": "栏目",
        "format": "格式",
        "plan_columns": "规划栏目",
        "found": "已找到的其他规划",
        "placeholder": "页面提示",
        "list_source": "列表加载方式",
        "searched_pages": "检查的专栏页面数",
    }
    # The shipped names of the categories (config/planning.yaml may rename them).
    value_labels: ClassVar[dict[str, str]] = {
        "outline": "“十四五”规划纲要",
        "spatial": "国土空间（总体）规划",
        "special": "专项规划",
        "regional": "区域规划",
        "historical": "历史规划",
    }

    def __init__(
        self, params: Mapping[str, Any] | None = None, *, severities: Mapping[str, Severity]
    ) -> None:
        super().__init__(params, severities=severities)
        self.rules_config = load_rules(*self.rules_source(RULES_FILE))

    def explanation_params(self) -> dict[str, Any]:
        labels = {c.key: c.label for c in self.rules_config.categories}
        return {"categories": "、".join(labels[k] for k in CATEGORY_KEYS)}

    # -- recognising plans -------------------------------------------------

    def is_plan_column(self, name: str | None) -> bool:
        return bool(name) and any(p.search(name or "") for p in self.rules_config.plan_columns)

    def is_news_column(self, name: str) -> bool:
        return any(p.search(name) for p in self.rules_config.news_columns)

    def category(self, title: str) -> str | None:
        """The category of a plan titled ``title``; None when it is no plan."""
        r = self.rules_config
        name = plan_name(title)
        if not r.plan_title.search(name):
            return None
        if any(p.search(name) for p in r.exclude_title.values()):
            return None
        for cat in r.categories:
            if cat.matches(name):
                return cat.key
        return ""  # a plan of no category (e.g. the next period's outline)

    # -- run ---------------------------------------------------------------

    def _candidates(self, ctx: CheckContext, prefixes: tuple[str, ...]) -> list[Candidate]:
        found: dict[str, Candidate] = {}

        def add(title: str | None, url: str, date: str | None, column: str | None) -> None:
            if not title:
                return
            c = found.get(url)
            if c is None:
                c = found[url] = Candidate(title, url, date, file_format(url) or "网页")
            elif date and not c.date:
                c.date = date
            if column:
                c.columns.add(column)

        in_scope = {
            p.id
            for p in ctx.pages
            if p.final_url.startswith(prefixes) or p.url.startswith(prefixes)
        }
        list_columns: dict[int, str | None] = {}
        list_urls: set[str] = set()
        for p in ctx.pages:
            if "list" in (p.meta or {}):
                list_columns[p.id] = p.meta["list"].get("column")
                list_urls |= {p.url, p.final_url}
        # Items of the column's lists: an attachment linked straight from a
        # list is a published plan as much as a page. An item that is a
        # column of its own (a hub's 发展规划 entry) is no document.
        for it in ctx.list_items:
            if it.page_id in in_scope and it.url not in list_urls:
                add(it.title, it.url, it.date, it.column)
        linked = set(found)
        wrapped: set[str] = set()
        for p in ctx.pages:
            meta = p.meta or {}
            if not page_ok(p) or "list" in meta:
                continue
            if p.id not in in_scope and p.url not in linked and p.final_url not in linked:
                continue
            url = p.final_url if p.final_url in found or p.url not in found else p.url
            add(page_title(p), url, meta.get("publish_date"), meta.get("column_name"))
            attachment = meta.get("body_attachment")
            if attachment and url in found:
                # A page that is just its attachment: one document, in that format.
                found[url].format = file_format(str(attachment)) or found[url].format
                wrapped.add(str(attachment))
        # Attachments on the column's pages (附件：…规划.pdf) that no list shows.
        for lk in ctx.links:
            if lk.page_id not in in_scope or lk.kind != "http" or not lk.url:
                continue
            if lk.url in found or lk.url in wrapped or file_format(lk.url) is None:
                continue
            source = ctx.pages_by_url.get(lk.source_url)
            column = list_columns.get(lk.page_id) or (
                (source.meta or {}).get("column_name") if source else None
            )
            text = (lk.text or "").strip()
            # 附件：《…规划》.pdf → the plan's name.
            text = re.sub(r"^附件\s*\d*\s*[:：.、]?\s*", "", text)
            text = re.sub(r"\.(?:pdf|docx?|wps|ofd)$", "", text, flags=re.I)
            add(text.strip("《》 "), lk.url, None, column)
        return list(found.values())

    def run(self, ctx: CheckContext) -> CheckOutcome:
        out = CheckOutcome()
        r = self.rules_config
        entries = ctx.site.disclosure or [ctx.site.home]
        prefixes = tuple(directory_of(u) for u in entries)
        plan_cols: list[ColumnList] = [
            c for c in ctx.columns if c.url.startswith(prefixes) and self.is_plan_column(c.name)
        ]
        plan_names = {c.name for c in plan_cols if c.name}
        unverified_cols: list[ColumnList] = []
        for col in plan_cols:
            facts = (col.pages[0].meta or {}).get("list", {})
            if col.blank:
                out.findings.append(
                    self.finding(
                        Rule.COLUMN_BLANK,
                        f"规划栏目“{col.name}”没有任何信息（空白栏目）",
                        url=col.url,
                        evidence={"column": col.name, "placeholder": facts.get("placeholder")},
                    )
                )
            elif col.dynamic:
                unverified_cols.append(col)
                out.findings.append(
                    self.finding(
                        Rule.COLUMN_UNVERIFIED,
                        f"规划栏目“{col.name}”的信息列表由脚本加载，静态页面无法读取，未能验证",
                        url=col.url,
                        evidence={"column": col.name, "list_source": facts.get("source")},
                    )
                )

        by_category: dict[str, list[Candidate]] = {k: [] for k in CATEGORY_KEYS}
        documents = later = 0
        for cand in self._candidates(ctx, prefixes):
            if cand.columns and all(self.is_news_column(c) for c in cand.columns):
                continue  # a news item about a plan, not the plan
            if cand.date and cand.date > ctx.as_of.isoformat():
                # Published after the evaluation date: not there as of then. A
                # month-precision date of the evaluation month ("2024-06" <
                # "2024-06-30") is given the benefit of the doubt.
                later += 1
                continue
            key = self.category(cand.title)
            if key is None:
                continue
            documents += 1
            if key:
                by_category[key].append(cand)
        for cands in by_category.values():
            # 规划 columns first, then the newest.
            cands.sort(key=lambda c: c.url)
            cands.sort(key=lambda c: c.date or "", reverse=True)
            cands.sort(key=lambda c: not (c.columns & plan_names))

        labels = {c.key: c for c in r.categories}
        docs_metric: dict[str, list[dict[str, Any]]] = {}
        for key in CATEGORY_KEYS:
            docs_metric[key] = [
                c.evidence(plan_names) for c in by_category[key][: r.evidence_per_category]
            ]
        found_summary = [
            {"category": labels[k].label, **docs_metric[k][0]}
            for k in CATEGORY_KEYS
            if docs_metric[k]
        ]
        for key in CATEGORY_KEYS:
            if by_category[key]:
                continue
            cat = labels[key]
            # Point at the 规划 column named for the category when there is
            # one: that is where the webmaster has to publish the plan.
            target = next(
                (c for c in plan_cols if c.name and any(p.search(c.name) for p in cat.columns)),
                None,
            )
            evidence = {
                "category": cat.label,
                "plan_columns": [{"column": c.name, "url": c.url} for c in plan_cols],
                "found": found_summary,
            }
            if unverified_cols:
                out.findings.append(
                    self.finding(
                        Rule.PLAN_UNVERIFIED,
                        f"未找到{cat.label}；规划栏目列表由脚本加载，未能验证是否公开",
                        url=(target or unverified_cols[0]).url,
                        evidence=evidence,
                    )
                )
            else:
                out.findings.append(
                    self.finding(
                        Rule.PLAN_MISSING,
                        f"政府信息公开专栏未公开{cat.label}",
                        url=target.url if target else entries[0],
                        evidence=evidence,
                    )
                )
        for key in CATEGORY_KEYS:
            out.metrics[f"{key}_found"] = bool(by_category[key])
            out.metrics[f"{key}_count"] = len(by_category[key])
        out.metrics["categories_found"] = sum(1 for k in CATEGORY_KEYS if by_category[k])
        out.metrics["plan_documents"] = documents
        out.metrics["plan_columns"] = len(plan_cols)
        out.metrics["published_later"] = later
        out.metrics["documents"] = docs_metric
        return out


__all__ = ["PlanningCheck", "Rules", "file_format", "load_rules", "plan_name"]
