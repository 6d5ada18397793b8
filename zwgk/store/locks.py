"""Run locks: one holder per run and store, stale holders taken over.

A row in ``run_locks`` rather than a file lock, so that it holds on
PostgreSQL across machines as on SQLite on one. The holder refreshes
``heartbeat_at`` from a thread; a lock is stale when its process is gone
(same host: the pid no longer exists) or its heartbeat is older than
``stale_after`` (another host, or a process that hangs). Taking a stale lock
over is a compare-and-swap on the owner token, so of two processes that
find the same stale lock only one gets it.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError

from zwgk.store.base import StoreBase
from zwgk.store.models.core import utcnow
from zwgk.store.models.locks import RunLock

STALE_AFTER = dt.timedelta(minutes=2)


@dataclass(frozen=True)
class LockHolder:
    name: str
    host: str
    pid: int
    acquired_at: dt.datetime
    heartbeat_at: dt.datetime


class LockBusy(Exception):
    """Someone alive holds the lock."""

    def __init__(self, holder: LockHolder) -> None:
        super().__init__(holder.name)
        self.holder = holder


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def is_stale(lock: RunLock, now: dt.datetime, stale_after: dt.timedelta, host: str) -> bool:
    if lock.host == host and not pid_alive(lock.pid):
        return True
    return now - lock.heartbeat_at > stale_after


class LockStore(StoreBase):
    def acquire_lock(self, name: str, stale_after: dt.timedelta = STALE_AFTER) -> str:
        """Take ``name`` and return the owner token, or raise :class:`LockBusy`."""
        host, pid = socket.gethostname(), os.getpid()
        owner = secrets.token_hex(16)
        for _ in range(3):
            now = utcnow()
            try:
                with self.session() as s:
                    s.add(
                        RunLock(
                            name=name,
                            owner=owner,
                            host=host,
                            pid=pid,
                            acquired_at=now,
                            heartbeat_at=now,
                        )
                    )
                return owner
            except IntegrityError:
                pass
            with self.session() as s:
                held = s.get(RunLock, name)
                if held is None:
                    continue  # released in between: try again
                if not is_stale(held, now, stale_after, host):
                    raise LockBusy(
                        LockHolder(name, held.host, held.pid, held.acquired_at, held.heartbeat_at)
                    )
                taken = s.execute(
                    update(RunLock)
                    .where(RunLock.name == name, RunLock.owner == held.owner)
                    .values(owner=owner, host=host, pid=pid, acquired_at=now, heartbeat_at=now)
                    .execution_options(synchronize_session=False)
                )
                if taken.rowcount == 1:  # type: ignore[attr-defined]
                    return owner
        raise LockBusy(self.lock_holder(name) or LockHolder(name, "?", 0, utcnow(), utcnow()))

    def lock_holder(self, name: str) -> LockHolder | None:
        with self.Session() as s:
            held = s.get(RunLock, name)
            if held is None:
                return None
            return LockHolder(name, held.host, held.pid, held.acquired_at, held.heartbeat_at)

    def heartbeat_lock(self, name: str, owner: str) -> bool:
        """Refresh one's own lock; False if it was taken over meanwhile."""
        with self.session() as s:
            res = s.execute(
                update(RunLock)
                .where(RunLock.name == name, RunLock.owner == owner)
                .values(heartbeat_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            return bool(res.rowcount)  # type: ignore[attr-defined]

    def release_lock(self, name: str, owner: str) -> None:
        with self.session() as s:
            s.execute(delete(RunLock).where(RunLock.name == name, RunLock.owner == owner))

    @contextmanager
    def run_lock(self, name: str, stale_after: dt.timedelta = STALE_AFTER) -> Iterator[str]:
        """Hold ``name`` for the block, with a heartbeat, and release it after."""
        owner = self.acquire_lock(name, stale_after)
        stop = threading.Event()
        interval = max(stale_after.total_seconds() / 4, 0.05)

        def beat() -> None:
            while not stop.wait(interval):
                try:
                    self.heartbeat_lock(name, owner)
                except Exception:  # a busy database: the next beat tries again
                    continue

        t = threading.Thread(target=beat, name=f"lock-heartbeat-{name}", daemon=True)
        t.start()
        try:
            yield owner
        finally:
            stop.set()
            t.join(timeout=5)
            self.release_lock(name, owner)
