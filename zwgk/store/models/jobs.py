"""The tables of work shared between processes and machines (issue 12).

``claims``: who is doing one item of a run-wide piece of work (a link
target being verified), with a lease, so that a target linked from many
sites is fetched once whichever site job meets it first, and a holder that
died is taken over when its lease runs out. ``site_jobs``: one row per site
of a run handed to a site job (another process of this machine, or a
worker): its state, attempts, holder and heartbeat; taking the row is the
per-site lock, so two deliveries of one site never run at once.
``run_files``: the files a run's configuration names (rubric, rules), as the
coordinator read them, so that a worker needs nothing but the store.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zwgk.store.models.core import Base, SafeText, utcnow


class Claim(Base):
    __tablename__ = "claims"
    __table_args__ = (UniqueConstraint("run_id", "kind", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    # The collector whose work this is ("linkcheck"); key: the item (a URL).
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(SafeText)
    owner: Mapped[str] = mapped_column(String(64))
    site_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claimed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)


class SiteJob(Base):
    __tablename__ = "site_jobs"
    __table_args__ = (UniqueConstraint("run_id", "site_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    site_id: Mapped[str] = mapped_column(String(64))
    # queued -> running -> done | failed (zwgk.vocab.JobState)
    state: Mapped[str] = mapped_column(String(16), default="queued")
    # The coordinator's dispatch: a message of an earlier one is a no-op.
    dispatch: Mapped[str] = mapped_column(String(64))
    recrawl: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    worker: Mapped[str | None] = mapped_column(String(255), nullable=True)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    queued_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    # The crawl's outcome (zwgk.vocab.StageOutcome) and pages, for the summary.
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(SafeText, nullable=True)


class RunFile(Base):
    __tablename__ = "run_files"
    __table_args__ = (UniqueConstraint("run_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    # "rubric", or the rubric parameter it fills ("interpretation.rules_file").
    name: Mapped[str] = mapped_column(String(120))
    path: Mapped[str] = mapped_column(SafeText)  # where the coordinator read it
    content: Mapped[str] = mapped_column(SafeText)
