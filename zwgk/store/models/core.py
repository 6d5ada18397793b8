"""The tables every stage shares: runs and the sites within them."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy import Text as _Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator, TypeEngine


def _drop_nul(value: str | None) -> str | None:
    return value.replace("\x00", "") if value and "\x00" in value else value


class SafeText(TypeDecorator[str]):
    """Text as a page or a server wrote it, storable on every database.

    PostgreSQL's text cannot hold U+0000, and one NUL in a hostile page's
    title or link text would fail the whole page batch there; it is dropped
    on PostgreSQL (a browser ignores it too). SQLite keeps the value as it
    is, and pays nothing per value for this.
    """

    impl = _Text
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> Any:
        return _drop_nul if dialect.name == "postgresql" else None

    def process_literal_param(self, value: Any, dialect: Dialect) -> Any:
        return _drop_nul(value) if dialect.name == "postgresql" else value

    @property
    def python_type(self) -> type[str]:
        return str


def loose_string(length: int) -> TypeEngine[str]:
    """``String(length)`` for a value from outside zwgk (a response header, a
    configured name): SQLite never enforced the length, and on PostgreSQL the
    column is text (migration 0007), so a longer value is stored whole on
    both instead of failing there."""
    return String(length).with_variant(SafeText(), "postgresql")


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
    name: Mapped[str] = mapped_column(loose_string(200))
    home: Mapped[str] = mapped_column(SafeText)
    # pending -> crawling -> crawled -> checked; failed on a crawl that could not start
    status: Mapped[str] = mapped_column(String(16), default="pending")
    generation: Mapped[int] = mapped_column(Integer, default=0)
    crawl_generation: Mapped[int] = mapped_column(Integer, default=0)
    crawl_started: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    crawl_finished: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(SafeText, nullable=True)
    stats: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # What the finished crawl transferred (None: crawled before migration
    # 0008): response bytes as received (headers and body before
    # decompression), responses received, and how many were 304 answers to
    # a conditional request (pages not downloaded again).
    bytes_received: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    responses: Mapped[int | None] = mapped_column(Integer, nullable=True)
    not_modified: Mapped[int | None] = mapped_column(Integer, nullable=True)
