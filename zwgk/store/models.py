"""The store's tables.

Pages and links carry a ``generation``: a re-crawl of a site writes a new
generation beside the old one and swaps it in with one transaction when the
crawl finishes, so a killed re-crawl never leaves a site half-replaced.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class Run(Base):
    """One evaluation round, e.g. ``2026-11``."""

    __tablename__ = "runs"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    as_of: Mapped[dt.date] = mapped_column(Date)
    period_start: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="running")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)


class SiteRun(Base):
    """A site within a run: its crawl state and which page generation is current."""

    __tablename__ = "site_runs"
    __table_args__ = (UniqueConstraint("run_id", "site_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    site_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    home: Mapped[str] = mapped_column(Text)
    # pending -> crawling -> crawled -> checked; failed on a crawl that could not start
    status: Mapped[str] = mapped_column(String(16), default="pending")
    generation: Mapped[int] = mapped_column(Integer, default=0)
    crawl_generation: Mapped[int] = mapped_column(Integer, default=0)
    crawl_started: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    crawl_finished: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    stats: Mapped[dict[str, Any]] = mapped_column(default=dict)


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
    url: Mapped[str] = mapped_column(Text)  # as requested (normalised)
    final_url: Mapped[str] = mapped_column(Text)
    redirects: Mapped[list[Any]] = mapped_column(default=list)
    fetch_status: Mapped[str] = mapped_column(String(24))  # crawler.fetch.FetchStatus
    status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    content_type: Mapped[str | None] = mapped_column(String(200), nullable=True)
    size: Mapped[int] = mapped_column(Integer, default=0)
    elapsed_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    encoding: Mapped[str | None] = mapped_column(String(40), nullable=True)
    title: Mapped[str | None] = mapped_column(Text, nullable=True)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    text_len: Mapped[int] = mapped_column(Integer, default=0)
    text_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    fragment_ids: Mapped[list[Any]] = mapped_column(default=list)
    depth: Mapped[int] = mapped_column(Integer, default=0)
    is_home: Mapped[bool] = mapped_column(Boolean, default=False)
    fetched_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Link(Base):
    """One occurrence of a link on a page."""

    __tablename__ = "links"
    __table_args__ = (
        Index("ix_links_site", "run_id", "site_id", "generation"),
        Index("ix_links_url", "run_id", "url"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    site_id: Mapped[str] = mapped_column(String(64))
    generation: Mapped[int] = mapped_column(Integer)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"))
    source_url: Mapped[str] = mapped_column(Text)
    href: Mapped[str] = mapped_column(Text)  # as written
    url: Mapped[str | None] = mapped_column(Text, nullable=True)  # absolute; None if not http
    kind: Mapped[str] = mapped_column(String(16))  # http, javascript, mailto, tel, fragment, other
    element: Mapped[str] = mapped_column(String(16))
    attribute: Mapped[str] = mapped_column(String(32))
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    on_home: Mapped[bool] = mapped_column(Boolean, default=False)
    generated_by: Mapped[str | None] = mapped_column(String(32), nullable=True)


class Finding(Base):
    __tablename__ = "findings"
    __table_args__ = (Index("ix_findings_site", "run_id", "site_id", "check"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    site_id: Mapped[str] = mapped_column(String(64))
    check: Mapped[str] = mapped_column(String(64))
    rule: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(8))  # fail, warn, info
    url: Mapped[str | None] = mapped_column(Text, nullable=True)
    source_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    message: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)


class CheckResult(Base):
    __tablename__ = "check_results"
    __table_args__ = (UniqueConstraint("run_id", "site_id", "check"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    site_id: Mapped[str] = mapped_column(String(64))
    check: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(8))  # pass, warn, fail, error
    metrics: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    checked_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Score(Base):
    __tablename__ = "scores"
    __table_args__ = (UniqueConstraint("run_id", "site_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    site_id: Mapped[str] = mapped_column(String(64))
    score: Mapped[float] = mapped_column(Float)
    max_score: Mapped[float] = mapped_column(Float)
    vetoed: Mapped[list[Any]] = mapped_column(default=list)
    checks: Mapped[dict[str, Any]] = mapped_column(default=dict)


class UrlCheck(Base):
    """The verified outcome of one distinct link target within a run.

    Shared by all sites of the run: a URL linked from ten sites is fetched
    once. Written by the link-verification crawl, read by the ``links`` check.
    """

    __tablename__ = "url_checks"
    __table_args__ = (UniqueConstraint("run_id", "url"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(24))  # crawler.linkcheck.Outcome
    http_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    final_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    method: Mapped[str | None] = mapped_column(String(8), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    elapsed_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # crawl: taken from the page the crawler fetched; cache: ok within the
    # cache window; fetch: fetched now; policy: decided without a fetch.
    source: Mapped[str] = mapped_column(String(8))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    checked_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class LinkCache(Base):
    """URLs last found ``ok``, across runs; failures are never cached."""

    __tablename__ = "link_cache"
    url: Mapped[str] = mapped_column(Text, primary_key=True)
    http_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    final_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    checked_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
