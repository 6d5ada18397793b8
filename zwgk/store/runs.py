"""Runs and the sites within them: the lifecycle every stage moves along.

A site's crawl begins (``begin_site_crawl``: a new generation, or the one a
killed crawl left) and finishes (``finish_site_crawl``: that generation made
current in one transaction); checks then mark it ``checked``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update

from zwgk.store.base import StoreBase, site_run_row
from zwgk.store.crawl import count_pages, delete_generations
from zwgk.store.models import Run, SiteRun, utcnow
from zwgk.store.results import delete_site_results
from zwgk.vocab import RunState, SiteState


class RunStore(StoreBase):
    def ensure_run(
        self, run_id: str, as_of: dt.date, period_start: dt.date, config: dict[str, Any]
    ) -> Run:
        with self.session() as s:
            run = s.get(Run, run_id)
            if run is None:
                run = Run(id=run_id, as_of=as_of, period_start=period_start, config=config)
                s.add(run)
            else:
                # Re-evaluating a stored run "as of" another date is allowed.
                run.as_of, run.period_start, run.config = as_of, period_start, config
                run.status = RunState.RUNNING
            return run

    def finish_run(self, run_id: str, status: RunState) -> None:
        with self.session() as s:
            s.execute(
                update(Run).where(Run.id == run_id).values(status=status, finished_at=utcnow())
            )

    def get_run(self, run_id: str) -> Run | None:
        with self.Session() as s:
            return s.get(Run, run_id)

    def latest_run_id(self) -> str | None:
        with self.Session() as s:
            return s.scalar(select(Run.id).order_by(Run.created_at.desc()).limit(1))

    def site_run(self, run_id: str, site_id: str) -> SiteRun | None:
        with self.Session() as s:
            return site_run_row(s, run_id, site_id)

    def site_runs(self, run_id: str) -> list[SiteRun]:
        with self.Session() as s:
            return list(
                s.scalars(select(SiteRun).where(SiteRun.run_id == run_id).order_by(SiteRun.site_id))
            )

    def begin_site_crawl(
        self, run_id: str, site_id: str, name: str, home: str, resume: bool
    ) -> tuple[int, bool]:
        """Start (or continue) a crawl; returns ``(generation, resumed)``.

        A site left in ``crawling`` by a killed run is continued in the same
        generation when ``resume`` is true; otherwise a fresh generation starts
        and the previous results stay current until it finishes.
        """
        with self.session() as s:
            sr = site_run_row(s, run_id, site_id)
            if sr is None:
                sr = SiteRun(
                    run_id=run_id,
                    site_id=site_id,
                    name=name,
                    home=home,
                    generation=0,
                    crawl_generation=0,
                )
                s.add(sr)
                s.flush()
            if resume and sr.status == SiteState.CRAWLING and sr.crawl_generation > sr.generation:
                return sr.crawl_generation, True
            # Drop leftovers of an abandoned generation before starting anew.
            delete_generations(s, run_id, site_id, keep=sr.generation)
            sr.crawl_generation = sr.generation + 1
            sr.status = SiteState.CRAWLING
            sr.name, sr.home = name, home
            sr.crawl_started = utcnow()
            sr.error = None
            return sr.crawl_generation, False

    def finish_site_crawl(
        self,
        run_id: str,
        site_id: str,
        generation: int,
        stats: dict[str, Any],
        transfer: dict[str, int] | None = None,
    ) -> None:
        """Make ``generation`` current and drop the old one, in one transaction.

        ``transfer``: what the crawl received, ``bytes_received``,
        ``responses`` and ``not_modified`` (304 answers to its conditional
        requests); stored with the site's run."""
        with self.session() as s:
            sr = site_run_row(s, run_id, site_id)
            assert sr is not None
            delete_generations(s, run_id, site_id, keep=generation)
            # Check results belong to the generation they were computed on.
            delete_site_results(s, run_id, site_id)
            sr.generation = generation
            sr.status = SiteState.CRAWLED
            sr.crawl_finished = utcnow()
            sr.pages = count_pages(s, run_id, site_id, generation)
            sr.stats = stats
            if transfer is not None:
                sr.bytes_received = transfer.get("bytes_received", 0)
                sr.responses = transfer.get("responses", 0)
                sr.not_modified = transfer.get("not_modified", 0)

    def fail_site(self, run_id: str, site_id: str, error: str) -> None:
        with self.session() as s:
            s.execute(
                update(SiteRun)
                .where(SiteRun.run_id == run_id, SiteRun.site_id == site_id)
                .values(status=SiteState.FAILED, error=error)
            )

    def set_site_status(self, run_id: str, site_id: str, status: SiteState) -> None:
        with self.session() as s:
            s.execute(
                update(SiteRun)
                .where(SiteRun.run_id == run_id, SiteRun.site_id == site_id)
                .values(status=status)
            )
