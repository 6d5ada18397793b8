"""The document model: policy documents, interpretations, matches and verdicts."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from zwgk.checks.interpretation.text import _WS, squash
from zwgk.store import PageRow


@dataclass
class Doc:
    page: PageRow
    url: str
    title: str
    date: dt.date | None
    columns: set[str]

    @property
    def doc_number(self) -> str | None:
        value = (self.page.meta or {}).get("doc_number")
        return str(value) if value else None


@dataclass(eq=False)
class Interpretation(Doc):
    form: str = "text"  # text, image, video, qa
    form_reason: str = ""
    cores: list[str] = field(default_factory=list)


@dataclass(eq=False)
class Policy(Doc):
    reason: str = ""  # why it counts as a policy document
    cores: list[str] = field(default_factory=list)
    other_urls: list[str] = field(default_factory=list)

    @property
    def urls(self) -> tuple[str, ...]:
        return (self.url, *self.other_urls)


def _link_detail(m: Match) -> str:
    if m.policy_to_interp and m.interp_to_policy:
        return "政策文件与解读页面互相链接"
    if m.policy_to_interp:
        return "政策文件页面链接了解读"
    return "解读页面链接了政策文件"


@dataclass
class Match:
    interp: Interpretation
    method: str  # link, title, doc_number, body
    score: float
    detail: str
    policy_to_interp: bool = False
    interp_to_policy: bool = False

    @property
    def linked(self) -> bool:
        return self.policy_to_interp or self.interp_to_policy


@dataclass
class Judgment:
    """One policy document's verdict; findings and metrics are made from these."""

    policy: Policy
    status: str  # linked, unlinked, link_unverified, missing, pending
    matches: list[Match] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)  # late, formal, no_contact, one_way
    deadline: dt.date | None = None
    working_days: int | None = None
    first: Match | None = None
    calendar: str = ""
    guessed_years: set[int] = field(default_factory=set)
    overlap: list[dict[str, Any]] = field(default_factory=list)
    overlap_note: str = ""
    contact_note: str = ""
    nearest: dict[str, Any] | None = None


@dataclass
class Analysis:
    judgments: list[Judgment]
    policies: list[Policy]  # every policy document, any date
    interpretations: list[Interpretation]  # those existing on as_of
    unmatched: list[Interpretation]
    excluded: dict[str, list[str]]  # reason -> URLs of candidates that need no interpretation
    out_of_period: list[Policy]
    calendar_guessed: set[int]


def doc_title(p: PageRow, site_name: str = "") -> str:
    meta = p.meta or {}
    # ArticleTitle names the document unless the parser found it to be only a
    # column or site name and took the visible title instead.
    article = "" if meta.get("doc_title_from") == "visible" else meta.get("article_title")
    title = str(article or meta.get("doc_title") or "")
    if not article and (not title or squash(title) == squash(site_name)):
        # No ArticleTitle and the first <h1> is missing or the site's logo.
        title = p.title or ""
    if not article and title == (p.title or ""):
        # Only <title> was there: drop the "_栏目_站点" tail templates add.
        title = re.split(r"_|\s[-|｜]\s", title)[0]
    return _WS.sub(" ", title).strip()


def publish_date(p: PageRow) -> dt.date | None:
    value = (p.meta or {}).get("publish_date")
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
