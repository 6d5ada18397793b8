"""The link verification's tables: outcomes per run, and the cross-run cache."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zwgk.store.models.core import Base, SafeText, utcnow


class UrlCheck(Base):
    """The verified outcome of one distinct link target within a run.

    Shared by all sites of the run: a URL linked from ten sites is fetched
    once. Written by the link-verification crawl, read by the ``links`` check.
    """

    __tablename__ = "url_checks"
    __table_args__ = (UniqueConstraint("run_id", "url"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(SafeText)
    outcome: Mapped[str] = mapped_column(String(24))  # crawler.linkcheck.Outcome
    http_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    final_url: Mapped[str | None] = mapped_column(SafeText, nullable=True)
    error: Mapped[str | None] = mapped_column(SafeText, nullable=True)
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
    url: Mapped[str] = mapped_column(SafeText, primary_key=True)
    http_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    final_url: Mapped[str | None] = mapped_column(SafeText, nullable=True)
    checked_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
