"""Work shared between processes and machines: claims with leases, site
jobs, and the files stored with a run.

Claims (``claims``): a key of a run-wide piece of work (a link target) is
taken by inserting its row, ignored when the row exists (insert-or-ignore on
SQLite and PostgreSQL alike), or by taking over a row whose lease expired (an
UPDATE whose WHERE names the expiry: of two takers, one changes the row);
the holder renews its leases from a thread while it works and releases them
when its results are stored. A key whose result is stored is never claimed.

Site jobs (``site_jobs``): the coordinator queues one row per site with its
dispatch token; a job takes the row (queued, or running with a heartbeat
older than ``stale_after``) with an UPDATE on those conditions, so two
deliveries of one site never run at once; it beats while it works and
finishes the row as its owner. The coordinator sweeps stale rows back to
``queued``.
"""

from __future__ import annotations

import datetime as dt
import socket
import threading
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from zwgk.store.base import StoreBase
from zwgk.store.locks import pid_alive
from zwgk.store.models import Link, Page, SiteRun, UrlCheck
from zwgk.store.models.core import utcnow
from zwgk.store.models.jobs import Claim, RunFile, SiteJob
from zwgk.vocab import JobState, canonical_url

# Keys per statement: under SQLite's bound-parameter limit.
CHUNK = 400


def _chunks(keys: Collection[str]) -> Iterator[list[str]]:
    items = sorted(keys)
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


def _dead_here(worker: str | None) -> bool:
    """Whether a job's holder (``host:pid``) is a process of this host that
    no longer exists: its job need not wait for the heartbeat to go stale."""
    host, _, pid = (worker or "").rpartition(":")
    return host == socket.gethostname() and pid.isdigit() and not pid_alive(int(pid))


class JobStore(StoreBase):
    # -- claims ------------------------------------------------------------

    def _insert_ignore(self) -> Any:
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        return dialect.insert(Claim).on_conflict_do_nothing(
            index_elements=["run_id", "kind", "key"]
        )

    def claim(
        self,
        run_id: str,
        kind: str,
        keys: Collection[str],
        owner: str,
        lease: dt.timedelta,
        site_id: str | None = None,
    ) -> set[str]:
        """Claim those of ``keys`` nobody validly holds and whose result is
        not stored; returns the keys ``owner`` holds now (its earlier claims
        among them included)."""
        mine: set[str] = set()
        for chunk in _chunks(keys):
            now = utcnow()
            values = {"owner": owner, "site_id": site_id, "claimed_at": now}
            with self.session() as s:
                s.execute(
                    self._insert_ignore(),
                    [
                        {
                            "run_id": run_id,
                            "kind": kind,
                            "key": k,
                            **values,
                            "expires_at": now + lease,
                        }
                        for k in chunk
                    ],
                )
                s.execute(
                    update(Claim)
                    .where(Claim.run_id == run_id, Claim.kind == kind, Claim.key.in_(chunk))
                    .where(Claim.expires_at < now, Claim.owner != owner)
                    .values(**values, expires_at=now + lease)
                    .execution_options(synchronize_session=False)
                )
                held = set(
                    s.scalars(
                        select(Claim.key).where(
                            Claim.run_id == run_id,
                            Claim.kind == kind,
                            Claim.key.in_(chunk),
                            Claim.owner == owner,
                        )
                    )
                )
                # A result stored meanwhile (its claim released just before
                # ours was inserted) is not done a second time.
                stored = self._stored(s, run_id, kind, held)
                if stored:
                    s.execute(
                        delete(Claim).where(
                            Claim.run_id == run_id,
                            Claim.kind == kind,
                            Claim.owner == owner,
                            Claim.key.in_(stored),
                        )
                    )
            mine |= held - stored
        return mine

    def _stored(self, s: Any, run_id: str, kind: str, keys: Collection[str]) -> set[str]:
        if kind != "linkcheck" or not keys:
            return set()
        return set(
            s.scalars(select(UrlCheck.url).where(UrlCheck.run_id == run_id, UrlCheck.url.in_(keys)))
        )

    def renew_claims(self, run_id: str, owner: str, lease: dt.timedelta) -> int:
        """Extend every lease ``owner`` holds in the run; returns how many."""
        with self.session() as s:
            res = s.execute(
                update(Claim)
                .where(Claim.run_id == run_id, Claim.owner == owner)
                .values(expires_at=utcnow() + lease)
                .execution_options(synchronize_session=False)
            )
            return int(res.rowcount)  # type: ignore[attr-defined]

    def release_claims(
        self, run_id: str, kind: str, owner: str, keys: Collection[str] | None = None
    ) -> None:
        with self.session() as s:
            q = delete(Claim).where(
                Claim.run_id == run_id, Claim.kind == kind, Claim.owner == owner
            )
            if keys is None:
                s.execute(q)
                return
            for chunk in _chunks(keys):
                s.execute(q.where(Claim.key.in_(chunk)))

    def claims(self, run_id: str, kind: str) -> dict[str, Claim]:
        with self.Session() as s:
            rows = s.scalars(select(Claim).where(Claim.run_id == run_id, Claim.kind == kind))
            return {c.key: c for c in rows}

    @contextmanager
    def leases(self, run_id: str, owner: str, lease: dt.timedelta) -> Iterator[None]:
        """Renew ``owner``'s leases from a thread for the block (a third of
        the lease apart), so that work taking longer than one lease keeps them."""
        stop = threading.Event()

        def beat() -> None:
            while not stop.wait(max(lease.total_seconds() / 3, 0.05)):
                try:
                    self.renew_claims(run_id, owner, lease)
                except Exception:  # a busy database: the next beat tries again
                    continue

        t = threading.Thread(target=beat, name=f"claim-leases-{owner[:8]}", daemon=True)
        t.start()
        try:
            yield
        finally:
            stop.set()
            t.join(timeout=5)

    def site_link_targets(self, run_id: str, site_id: str) -> set[str]:
        """The distinct http link targets of one site's current generation,
        keyed as :meth:`link_targets` keys them."""
        with self.Session() as s:
            rows = s.scalars(
                select(Link.url)
                .join(
                    SiteRun,
                    (SiteRun.run_id == Link.run_id)
                    & (SiteRun.site_id == Link.site_id)
                    & (SiteRun.generation == Link.generation),
                )
                .where(Link.run_id == run_id, Link.site_id == site_id, Link.kind == "http")
                .distinct()
            ).all()
        return {canonical_url(u) for u in rows if u}

    # -- site jobs -----------------------------------------------------------

    def queue_site_jobs(
        self,
        run_id: str,
        site_ids: Collection[str],
        dispatch: str,
        recrawl: bool,
        stale_after: dt.timedelta,
    ) -> None:
        """Queue a job for each site under a new dispatch. A job still
        running with a fresh heartbeat keeps running (it counts for the new
        dispatch); every other row is queued afresh."""
        now = utcnow()
        with self.session() as s:
            rows = {
                j.site_id: j
                for j in s.scalars(
                    select(SiteJob).where(SiteJob.run_id == run_id, SiteJob.site_id.in_(site_ids))
                )
            }
            for site_id in site_ids:
                job = rows.get(site_id)
                if job is None:
                    job = SiteJob(run_id=run_id, site_id=site_id, pages=0, attempts=0)
                    s.add(job)
                elif (
                    job.state == JobState.RUNNING
                    and job.heartbeat_at is not None
                    and now - job.heartbeat_at <= stale_after
                    and not _dead_here(job.worker)
                ):
                    job.dispatch = dispatch
                    continue
                job.dispatch, job.recrawl = dispatch, recrawl
                job.state, job.attempts, job.owner, job.worker = JobState.QUEUED, 0, None, None
                job.heartbeat_at, job.started_at, job.finished_at = None, None, None
                job.queued_at, job.outcome, job.pages, job.error = now, None, 0, None

    def take_site_job(
        self,
        run_id: str,
        site_id: str,
        dispatch: str,
        owner: str,
        worker: str,
        stale_after: dt.timedelta,
    ) -> SiteJob | None:
        """Take the site's job of ``dispatch`` if it is queued, or running
        with a heartbeat older than ``stale_after`` (its holder died); None if
        it is done, held by someone alive, or of another dispatch."""
        now = utcnow()
        with self.session() as s:
            res = s.execute(
                update(SiteJob)
                .where(
                    SiteJob.run_id == run_id,
                    SiteJob.site_id == site_id,
                    SiteJob.dispatch == dispatch,
                )
                .where(
                    (SiteJob.state == JobState.QUEUED)
                    | (
                        (SiteJob.state == JobState.RUNNING)
                        & (SiteJob.heartbeat_at < now - stale_after)
                    )
                )
                .values(
                    state=JobState.RUNNING,
                    owner=owner,
                    worker=worker,
                    heartbeat_at=now,
                    started_at=now,
                    attempts=SiteJob.attempts + 1,
                )
                .execution_options(synchronize_session=False)
            )
            if res.rowcount != 1:  # type: ignore[attr-defined]
                return None
            return s.scalar(
                select(SiteJob).where(SiteJob.run_id == run_id, SiteJob.site_id == site_id)
            )

    def heartbeat_site_job(self, run_id: str, site_id: str, owner: str) -> bool:
        with self.session() as s:
            res = s.execute(
                update(SiteJob)
                .where(
                    SiteJob.run_id == run_id,
                    SiteJob.site_id == site_id,
                    SiteJob.owner == owner,
                    SiteJob.state == JobState.RUNNING,
                )
                .values(heartbeat_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            return bool(res.rowcount)  # type: ignore[attr-defined]

    def finish_site_job(
        self,
        run_id: str,
        site_id: str,
        owner: str | None,
        state: JobState,
        outcome: str | None = None,
        pages: int = 0,
        error: str | None = None,
    ) -> bool:
        """Record the job's end; only its owner's (or, ``owner`` None, the
        coordinator's, for a job whose process died) counts."""
        with self.session() as s:
            q = update(SiteJob).where(
                SiteJob.run_id == run_id,
                SiteJob.site_id == site_id,
                SiteJob.state == JobState.RUNNING,
            )
            if owner is not None:
                q = q.where(SiteJob.owner == owner)
            res = s.execute(
                q.values(
                    state=state, outcome=outcome, pages=pages, error=error, finished_at=utcnow()
                ).execution_options(synchronize_session=False)
            )
            return bool(res.rowcount)  # type: ignore[attr-defined]

    def sweep_site_jobs(self, run_id: str, stale_after: dt.timedelta) -> list[str]:
        """Put running jobs whose heartbeat is older than ``stale_after``
        back to ``queued``; returns their sites."""
        swept: list[str] = []
        now = utcnow()
        with self.session() as s:
            stale = s.execute(
                select(SiteJob.site_id, SiteJob.owner).where(
                    SiteJob.run_id == run_id,
                    SiteJob.state == JobState.RUNNING,
                    SiteJob.heartbeat_at < now - stale_after,
                )
            ).all()
            for site_id, owner in stale:
                res = s.execute(
                    update(SiteJob)
                    .where(
                        SiteJob.run_id == run_id,
                        SiteJob.site_id == site_id,
                        SiteJob.owner == owner,
                        SiteJob.state == JobState.RUNNING,
                    )
                    .values(state=JobState.QUEUED, owner=None, queued_at=now)
                    .execution_options(synchronize_session=False)
                )
                if res.rowcount:  # type: ignore[attr-defined]
                    swept.append(site_id)
        return swept

    def fail_site_job(self, run_id: str, site_id: str, error: str) -> bool:
        """The coordinator's record of a job whose process ended without
        finishing it (crashed, killed): failed, like a crawl that raised."""
        with self.session() as s:
            res = s.execute(
                update(SiteJob)
                .where(
                    SiteJob.run_id == run_id,
                    SiteJob.site_id == site_id,
                    SiteJob.state.in_([JobState.QUEUED, JobState.RUNNING]),
                )
                .values(state=JobState.FAILED, outcome="failed", error=error, finished_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            return bool(res.rowcount)  # type: ignore[attr-defined]

    def crawl_page_counts(self, run_id: str) -> dict[str, int]:
        """Pages stored so far by each site's crawl (the generation being
        written, else the current one), for progress displays."""
        with self.Session() as s:
            rows = s.execute(
                select(Page.site_id, func.count())
                .join(
                    SiteRun,
                    (SiteRun.run_id == Page.run_id)
                    & (SiteRun.site_id == Page.site_id)
                    & (SiteRun.crawl_generation == Page.generation),
                )
                .where(Page.run_id == run_id)
                .group_by(Page.site_id)
            ).all()
        return {site: int(n) for site, n in rows}

    def site_jobs(self, run_id: str) -> list[SiteJob]:
        with self.Session() as s:
            return list(
                s.scalars(select(SiteJob).where(SiteJob.run_id == run_id).order_by(SiteJob.site_id))
            )

    def site_job(self, run_id: str, site_id: str) -> SiteJob | None:
        with self.Session() as s:
            return s.scalar(
                select(SiteJob).where(SiteJob.run_id == run_id, SiteJob.site_id == site_id)
            )

    # -- files stored with a run ---------------------------------------------

    def put_run_files(self, run_id: str, files: dict[str, tuple[str, str]]) -> None:
        """Replace the run's files: name -> (path read, content)."""
        with self.session() as s:
            s.execute(delete(RunFile).where(RunFile.run_id == run_id))
            for name, (path, content) in sorted(files.items()):
                s.add(RunFile(run_id=run_id, name=name, path=path, content=content))

    def run_files(self, run_id: str) -> dict[str, tuple[str, str]]:
        with self.Session() as s:
            rows = s.scalars(select(RunFile).where(RunFile.run_id == run_id))
            return {r.name: (r.path, r.content) for r in rows}
