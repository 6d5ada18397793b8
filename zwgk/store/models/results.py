"""What the checks and scoring write: check results, findings, scores."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zwgk.store.models.core import Base, SafeText, loose_string, utcnow


class Finding(Base):
    __tablename__ = "findings"
    __table_args__ = (Index("ix_findings_site", "run_id", "site_id", "check"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    site_id: Mapped[str] = mapped_column(String(64))
    check: Mapped[str] = mapped_column(String(64))
    rule: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(8))  # fail, warn, info
    url: Mapped[str | None] = mapped_column(SafeText, nullable=True)
    source_url: Mapped[str | None] = mapped_column(SafeText, nullable=True)
    message: Mapped[str] = mapped_column(SafeText)
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
    error: Mapped[str | None] = mapped_column(SafeText, nullable=True)
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
    # zwgk.scoring.Verdict: pass (合格), fail (不合格), veto (单项否决).
    verdict: Mapped[str | None] = mapped_column(String(8), nullable=True)
    groups: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Which rubric gave the score: its declared version and the file's sha256.
    rubric_version: Mapped[str | None] = mapped_column(loose_string(40), nullable=True)
    rubric_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
