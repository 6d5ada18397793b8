"""What every check declares and returns.

A check reads only what the crawl stored (through :class:`CheckContext`)
and judges time against ``evaluation.as_of``. Scores and weights live in
``config/rubric.yaml``, apart from the logic, so an office can re-weight
without touching code.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar

from zwgk.config import Config, Site
from zwgk.store import Ipv6Probe, Ipv6Site, LinkRow, ListItemRow, PageRow, Store
from zwgk.vocab import Severity, Status, canonical_url, directory_of, page_ok


@dataclass
class FindingOut:
    rule: str
    severity: Severity
    message: str  # Chinese, for the office and the webmaster
    url: str | None = None
    source_url: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)

    def as_row(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "message": self.message,
            "url": self.url,
            "source_url": self.source_url,
            "evidence": self.evidence,
        }


@dataclass
class CheckOutcome:
    findings: list[FindingOut] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    # Set when the check had nothing to judge (e.g. links never verified).
    status_override: Status | None = None

    @property
    def status(self) -> Status:
        if self.status_override is not None:
            return self.status_override
        sev = {f.severity for f in self.findings}
        if Severity.FAIL in sev:
            return Status.FAIL
        if Severity.WARN in sev:
            return Status.WARN
        return Status.PASS


@dataclass
class ColumnList:
    """A column's list as crawled: its list pages (a first page and the pages
    it paginates to) and their items in order."""

    name: str | None
    pages: list[PageRow]  # first page first
    items: list[ListItemRow]
    # The items that are documents: not links to another column's list (a
    # hub's entries, or a side menu taken for the list of an empty column).
    entries: list[ListItemRow]

    @property
    def url(self) -> str:
        return self.pages[0].final_url

    def _facts(self, key: str) -> list[Any]:
        return [(p.meta or {}).get("list", {}).get(key) for p in self.pages]

    @property
    def blank(self) -> bool:
        """No document on any page, and a page saying so (暂无数据) rather
        than a script that would fill it."""
        return (
            not self.entries
            and not any(self._facts("dynamic"))
            and (any(self._facts("blank")) or any(self._facts("placeholder")))
        )

    @property
    def dynamic(self) -> bool:
        """No document the crawl could read: a script fills the list (未能验证)."""
        return not self.entries and any(self._facts("dynamic"))


class Links:
    """A site's links, read from the store each time they are iterated.

    Never a list: a large portal has over a million links, and every check
    that walks them keeps only what it aggregates."""

    def __init__(self, store: Store, run_id: str, site_id: str) -> None:
        self._args = (run_id, site_id)
        self._store = store

    def __iter__(self) -> Iterator[LinkRow]:
        return self._store.iter_links(*self._args)

    def of_pages(self, page_ids: set[int]) -> dict[int, list[LinkRow]]:
        """The links of the given pages only, by page."""
        out: dict[int, list[LinkRow]] = {}
        for lk in self._store.iter_links(*self._args, page_ids=page_ids):
            out.setdefault(lk.page_id, []).append(lk)
        return out


# Page texts a check context keeps after reading them: a check reads the
# same page's text a few times in a row, never all pages' at once.
TEXT_CACHE = 256


@dataclass
class CheckContext:
    run_id: str
    site: Site
    config: Config
    store: Store
    as_of: dt.date
    period_start: dt.date
    _texts: OrderedDict[int, str | None] = field(default_factory=OrderedDict, repr=False)

    @cached_property
    def pages(self) -> list[PageRow]:
        """Every page of the site's crawl, without its body text (:meth:`text`)."""
        return self.store.page_rows(self.run_id, self.site.id)

    @cached_property
    def links(self) -> Links:
        return Links(self.store, self.run_id, self.site.id)

    @cached_property
    def list_items(self) -> list[ListItemRow]:
        """Items of the column lists crawled; the list facts are ``meta["list"]``
        of the page with ``id == item.page_id``."""
        return self.store.list_item_rows(self.run_id, self.site.id)

    def text(self, page: PageRow) -> str | None:
        """The page's body text, read from the store (the last few are kept)."""
        if page.id in self._texts:
            self._texts.move_to_end(page.id)
            return self._texts[page.id]
        if not page.has_text:
            return None
        text = self.store.page_texts([page.id]).get(page.id)
        self._texts[page.id] = text
        if len(self._texts) > TEXT_CACHE:
            self._texts.popitem(last=False)
        return text

    @cached_property
    def ipv6_site(self) -> Ipv6Site | None:
        """The ``ipv6`` collector's DNS facts of the site (None if it did not run)."""
        return self.store.ipv6_site(self.run_id, self.site.id)

    @cached_property
    def ipv6_probes(self) -> list[Ipv6Probe]:
        return self.store.ipv6_probes(self.run_id, self.site.id)

    @cached_property
    def columns(self) -> list[ColumnList]:
        """The column lists crawled, in URL order, home page excluded.

        The pages of one column are the list pages with its name in one folder
        (``index.html``, ``index_1.html`` …).
        """
        items: dict[int, list[ListItemRow]] = {}
        for it in self.list_items:
            items.setdefault(it.page_id, []).append(it)
        groups: dict[tuple[str, str | None], list[PageRow]] = {}
        list_urls: set[str] = set()
        for p in self.pages:
            facts = (p.meta or {}).get("list")
            if facts is None or not page_ok(p):
                continue
            list_urls |= {p.url, p.final_url}
            if not p.is_home:
                groups.setdefault((directory_of(p.final_url), facts.get("column")), []).append(p)
        out = []
        for (_, name), pages in groups.items():
            pages.sort(key=lambda p: p.final_url)
            col_items = [it for p in pages for it in items.get(p.id, [])]
            entries = [it for it in col_items if it.url not in list_urls]
            out.append(ColumnList(name, pages, col_items, entries))
        out.sort(key=lambda c: c.url)
        return out

    @cached_property
    def pages_by_url(self) -> dict[str, PageRow]:
        out = PageIndex()
        for p in self.pages:
            out.setdefault(canonical_url(p.url), p)
            out.setdefault(canonical_url(p.final_url), p)
        return out


class PageIndex(dict[str, PageRow]):
    """Pages by URL, looked up as the crawl stored them: a link written with
    a session id or a ``#fragment`` finds the one page it names."""

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(canonical_url(key), default) if key else default

    def __getitem__(self, key: str) -> PageRow:
        return super().__getitem__(canonical_url(key))

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(canonical_url(key))


# Evidence keys several checks write; a check declares its own beside them.
COMMON_EVIDENCE_LABELS: dict[str, str] = {
    "url": "网址",
    "text": "链接文字",
    "source_url": "所在页面",
    "links": "相关链接",
    "linked_from": "链接所在页面",
    "occurrences": "出现次数",
    "fetch_status": "抓取结果",
    "http_status": "HTTP状态码",
    "title": "标题",
    "publish_date": "发布日期",
}


# Coded values several checks write: how a page fetch ended (FetchStatus).
COMMON_VALUE_LABELS: dict[str, str] = {
    "ok": "已获取",
    "dns_error": "域名无法解析",
    "connection_refused": "连接被拒绝",
    "timeout": "超时",
    "tls_error": "证书或加密连接错误",
    "connection_error": "连接中断",
    "private_address": "内网地址（未访问）",
    "robots_denied": "robots.txt 禁止抓取",
    "redirect_loop": "重定向循环",
    "too_large": "页面过大",
    "error": "其他错误",
}


class Check:
    """Base class: subclasses set the class attributes and implement run().

    The contract, validated against the rubric when the registry loads
    (``zwgk.scoring.load_rubric``):

    - ``rules``: every rule id the check can report, with its Chinese label.
      The rubric gives each rule its severity and points; the check only
      says *which* rule a finding breaks (:meth:`finding`).
    - ``explanation``: Chinese; ``{name}`` placeholders are filled from
      :meth:`explanation_params`, so a deadline it states is the one applied.
    - ``metric_labels`` / ``evidence_labels``: Chinese labels of every metric
      and evidence key the check writes, nested keys included
      (``COMMON_EVIDENCE_LABELS`` apply too);
    - ``value_labels``: Chinese labels of the coded values (``stale``,
      ``pdf`` …) its metrics and evidence hold, so that a scorecard shows
      no program words.
    """

    id: ClassVar[str]
    label: ClassVar[str]  # Chinese name shown in the scorecard
    explanation: ClassVar[str]  # Chinese: what is checked and on which rule
    version: ClassVar[str]
    # Chinese label of each rule id, for the scorecard and exports.
    rules: ClassVar[Mapping[str, str]] = {}
    # Chinese label of each metric key.
    metric_labels: ClassVar[dict[str, str]] = {}
    # Chinese label of each evidence key the check writes.
    evidence_labels: ClassVar[dict[str, str]] = {}
    # Chinese label of each coded string value in metrics and evidence.
    value_labels: ClassVar[dict[str, str]] = {}
    # Evidence kept for programs (findings.json) but not shown to people:
    # the HTTP method of a fetch, a timestamp.
    technical_evidence: ClassVar[frozenset[str]] = frozenset()

    def __init__(
        self,
        params: Mapping[str, Any] | None = None,
        *,
        severities: Mapping[str, Severity],
    ) -> None:
        # Per-check parameters and each rule's severity come from the rubric,
        # never from code, so an office can change them without a release.
        self.params = dict(params or {})
        self.severities = dict(severities)

    def finding(
        self,
        rule: str,
        message: str,
        *,
        url: str | None = None,
        source_url: str | None = None,
        evidence: dict[str, Any] | None = None,
    ) -> FindingOut:
        """A finding of ``rule``, with the severity the rubric gives it."""
        if rule not in self.rules:
            raise KeyError(f"check {self.id!r} reports undeclared rule {rule!r}")
        return FindingOut(
            rule,
            Severity(self.severities[rule]),
            message,
            url=url,
            source_url=source_url,
            evidence=dict(evidence or {}),
        )

    def rules_source(self, default: Path) -> tuple[Path, dict[str, Any]]:
        """For a check whose rules live in a YAML file: the file this instance
        applies (the ``rules_file`` parameter, else ``default``) and the other
        parameters, which override the file's top-level keys."""
        overrides = {k: v for k, v in self.params.items() if k != "rules_file"}
        path = Path(str(self.params.get("rules_file") or default))
        if not path.is_absolute() and not path.exists():
            # A relative name the rubric loader did not resolve: the shipped
            # config folder's.
            path = default.parent.parent / path
        return path, overrides

    def explanation_params(self) -> dict[str, Any]:
        """Values for the explanation's placeholders: what this instance applies."""
        return {}

    def describe(self) -> str:
        """The explanation as the scorecard shows it, parameters filled in."""
        return self.explanation.format(**self.explanation_params())

    @classmethod
    def all_evidence_labels(cls) -> dict[str, str]:
        return {**COMMON_EVIDENCE_LABELS, **cls.evidence_labels}

    @classmethod
    def all_value_labels(cls) -> dict[str, str]:
        return {**COMMON_VALUE_LABELS, **cls.value_labels}

    def run(self, ctx: CheckContext) -> CheckOutcome:
        raise NotImplementedError
