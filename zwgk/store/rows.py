"""What the checks read: plain rows, not ORM objects.

A province's portal has tens of thousands of pages and over a million links;
an ORM object for each (its identity-map entry, instance state and attribute
dict) made the checks the largest part of a run's memory. These rows carry
only the columns checks use, in ``__slots__``: a page row leaves out its
body text, which a check reads for the few pages it needs
(``ResultStore.page_texts``), and links are streamed, never listed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import ColumnElement

from zwgk.store.models import Link, ListItem, Page, UrlCheck


@dataclass(slots=True, frozen=True)
class PageRow:
    """A stored page without its body text (``has_text``: whether it has one)."""

    id: int
    url: str
    final_url: str
    redirects: list[Any]
    fetch_status: str
    status: int | None
    error: str | None
    content_type: str | None
    size: int
    elapsed_ms: int | None
    encoding: str | None
    title: str | None
    meta: dict[str, Any]
    has_text: bool
    text_len: int
    text_hash: str | None
    fragment_ids: list[Any]
    depth: int
    is_home: bool


@dataclass(slots=True, frozen=True)
class LinkRow:
    id: int
    page_id: int
    source_url: str
    href: str
    url: str | None
    kind: str
    element: str
    attribute: str
    text: str | None
    on_home: bool
    generated_by: str | None


@dataclass(slots=True, frozen=True)
class ListItemRow:
    id: int
    page_id: int
    page_url: str
    column: str | None
    position: int
    title: str
    url: str
    date: str | None
    date_text: str | None
    date_precision: str | None
    pinned: bool


@dataclass(slots=True, frozen=True)
class UrlCheckRow:
    """Link verification's verdict on one target, as the link check reports it."""

    url: str
    outcome: str
    http_status: int | None
    final_url: str | None
    error: str | None
    attempts: int
    method: str | None
    checked_at: dt.datetime
    source: str
    detail: dict[str, Any]


@dataclass(slots=True, frozen=True)
class CrawledRow:
    """A page the portal crawl fetched, as link verification judges a link
    to it without fetching it again: no text (``text_len`` says how long),
    and of its metadata only where it sends the visitor."""

    id: int
    url: str
    final_url: str
    redirects: list[Any]
    fetch_status: str
    status: int | None
    error: str | None
    content_type: str | None
    size: int
    elapsed_ms: int | None
    title: str | None
    text_len: int
    text_hash: str | None
    refresh: dict[str, Any] | None
    redirect_to: str | None


def _columns(row_type: type, model: type, **computed: ColumnElement[Any]) -> list[Any]:
    """The model's columns in the row type's field order (``computed`` for
    fields that are expressions, not columns)."""
    return [
        computed[f.name] if f.name in computed else getattr(model, f.name) for f in fields(row_type)
    ]


PAGE_COLUMNS = _columns(PageRow, Page, has_text=Page.text.is_not(None))
LINK_COLUMNS = _columns(LinkRow, Link)
LIST_ITEM_COLUMNS = _columns(ListItemRow, ListItem)
URL_CHECK_COLUMNS = _columns(UrlCheckRow, UrlCheck)
