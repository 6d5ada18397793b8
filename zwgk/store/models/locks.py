"""Who is working on a run: one row per lock, so that two ``zwgk run`` on
the same store and run never overlap (issue 12), whichever database it is."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from zwgk.store.models.core import Base, utcnow


class RunLock(Base):
    __tablename__ = "run_locks"
    # e.g. "run:2026-11"
    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    # A random token per holder: release and heartbeat touch only one's own row.
    owner: Mapped[str] = mapped_column(String(64))
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    acquired_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    heartbeat_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
