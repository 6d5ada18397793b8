"""The portal crawl's tables: pages, the links on them, and the items of the
column lists among them.

Pages, links and list items carry a ``generation``: a re-crawl of a site writes a new
generation beside the old one and swaps it in with one transaction when the
crawl finishes, so a killed re-crawl never leaves a site half-replaced.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from zwgk.store.models.core import Base, SafeText, loose_string, utcnow


class Page(Base):
    __tablename__ = "pages"
    __table_args__ = (
        Index("ix_pages_site", "run_id", "site_id", "generation"),
        Index("ix_pages_url", "run_id", "url"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    site_id: Mapped[str] = mapped_column(String(64))
    generation: Mapped[int] = mapped_column(Integer)
    url: Mapped[str] = mapped_column(SafeText)  # as requested (normalised)
    final_url: Mapped[str] = mapped_column(SafeText)
    redirects: Mapped[list[Any]] = mapped_column(default=list)
    fetch_status: Mapped[str] = mapped_column(String(24))  # crawler.fetch.FetchStatus
    status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(SafeText, nullable=True)
    content_type: Mapped[str | None] = mapped_column(loose_string(200), nullable=True)
    size: Mapped[int] = mapped_column(Integer, default=0)
    elapsed_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    encoding: Mapped[str | None] = mapped_column(String(40), nullable=True)
    title: Mapped[str | None] = mapped_column(SafeText, nullable=True)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    text: Mapped[str | None] = mapped_column(SafeText, nullable=True)
    text_len: Mapped[int] = mapped_column(Integer, default=0)
    text_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    fragment_ids: Mapped[list[Any]] = mapped_column(default=list)
    depth: Mapped[int] = mapped_column(Integer, default=0)
    is_home: Mapped[bool] = mapped_column(Boolean, default=False)
    fetched_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # The response's validators (ETag, Last-Modified), sent back as
    # If-None-Match / If-Modified-Since when the site is crawled again.
    etag: Mapped[str | None] = mapped_column(SafeText, nullable=True)
    last_modified: Mapped[str | None] = mapped_column(SafeText, nullable=True)
    # True: the server answered 304 to those validators, and the row is a copy
    # of the stored page they came from (status, text, links, list items).
    not_modified: Mapped[bool] = mapped_column(Boolean, default=False)


class Link(Base):
    """One occurrence of a link on a page."""

    __tablename__ = "links"
    __table_args__ = (
        Index("ix_links_site", "run_id", "site_id", "generation"),
        Index("ix_links_url", "run_id", "url"),
        Index("ix_links_page", "page_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    site_id: Mapped[str] = mapped_column(String(64))
    generation: Mapped[int] = mapped_column(Integer)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"))
    source_url: Mapped[str] = mapped_column(SafeText)
    href: Mapped[str] = mapped_column(SafeText)  # as written
    url: Mapped[str | None] = mapped_column(SafeText, nullable=True)  # absolute; None if not http
    kind: Mapped[str] = mapped_column(String(16))  # http, javascript, mailto, tel, fragment, other
    element: Mapped[str] = mapped_column(String(16))
    attribute: Mapped[str] = mapped_column(String(32))
    text: Mapped[str | None] = mapped_column(SafeText, nullable=True)
    on_home: Mapped[bool] = mapped_column(Boolean, default=False)
    generated_by: Mapped[str | None] = mapped_column(String(32), nullable=True)


class ListItem(Base):
    """One item of a column's list page, as the page shows it.

    The list's own facts (its column name, whether it is blank or filled by
    a script) are the page's ``meta["list"]``.
    """

    __tablename__ = "list_items"
    __table_args__ = (Index("ix_list_items_site", "run_id", "site_id", "generation"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    site_id: Mapped[str] = mapped_column(String(64))
    generation: Mapped[int] = mapped_column(Integer)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"))
    page_url: Mapped[str] = mapped_column(SafeText)  # the list page (its final URL)
    column: Mapped[str | None] = mapped_column(SafeText, nullable=True)
    position: Mapped[int] = mapped_column(Integer)  # 0-based within the list
    title: Mapped[str] = mapped_column(SafeText)
    url: Mapped[str] = mapped_column(SafeText)
    # YYYY-MM-DD, or YYYY-MM at month precision; None when the list shows no date.
    date: Mapped[str | None] = mapped_column(String(10), nullable=True)
    date_text: Mapped[str | None] = mapped_column(SafeText, nullable=True)
    date_precision: Mapped[str | None] = mapped_column(String(8), nullable=True)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
