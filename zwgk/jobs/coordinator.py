"""The coordinator of a run spread over site jobs.

It stores the run with its configuration and the files it names, queues one
job per site under a new dispatch, hands the jobs to a launcher (this
machine's processes, or Celery workers), then watches the store: progress,
jobs whose process ended without finishing them (failed, as a crawl that
raised), jobs whose heartbeat stopped (swept back to the queue and sent
again). It returns once every job is done or failed; the caller renders the
reports from the store, as after a run in one process.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

from zwgk.config import Config
from zwgk.crawler.collectors import Scope, registry
from zwgk.jobs.site import JobSettings, run_files, run_job_process
from zwgk.runner import CrawlOutcome, with_transfer
from zwgk.store import Store
from zwgk.store.models import SiteJob
from zwgk.vocab import JobState, StageOutcome


class Launcher(Protocol):
    def submit(self, site_id: str) -> None:
        """Start (or send) the site's job of the current dispatch."""

    def poll(self) -> None:
        """Notice jobs whose process ended without finishing them."""

    def close(self) -> None: ...


def pending_sites(store: Store, run_id: str, site_ids: list[str], recrawl: bool) -> list[str]:
    """The sites whose per-site collectors are not complete in the run."""
    if recrawl:
        return list(site_ids)
    per_site = [c for c in registry() if c.scope is Scope.SITE]
    return [s for s in site_ids if not all(c.completed(store, run_id, s) for c in per_site)]


def prepare(
    cfg: Config,
    store: Store,
    run_id: str,
    site_ids: list[str],
    recrawl: bool,
    settings: JobSettings,
) -> str:
    """Store the run, its configuration and files, and queue its site jobs;
    returns the dispatch token the jobs carry."""
    store.ensure_run(
        run_id, cfg.evaluation.as_of, cfg.evaluation.start, cfg.model_dump(mode="json")
    )
    store.put_run_files(run_id, run_files(cfg))
    dispatch = secrets.token_hex(8)
    store.queue_site_jobs(run_id, site_ids, dispatch, recrawl, settings.stale_after)
    return dispatch


Watch = Callable[[list[SiteJob], dict[str, int]], None]


def wait(
    store: Store,
    run_id: str,
    site_ids: list[str],
    launcher: Launcher,
    settings: JobSettings,
    *,
    sweep: bool,
    watch: Watch | None = None,
    # A quarter second: the run's reports wait on the last job's end, and a
    # poll is two small reads.
    interval_s: float = 0.25,
) -> list[SiteJob]:
    """Until every job of ``site_ids`` is done or failed; with ``sweep``,
    jobs whose heartbeat is older than ``settings.stale_s`` are put back in
    the queue and sent again (looked for five times per stale timeout: a
    write to the store, kept off the jobs' way)."""
    wanted = set(site_ids)
    next_sweep = 0.0
    while True:
        if sweep and time.monotonic() >= next_sweep:
            next_sweep = time.monotonic() + max(interval_s, settings.stale_s / 5)
            for site_id in store.sweep_site_jobs(run_id, settings.stale_after):
                if site_id in wanted:
                    launcher.submit(site_id)
        launcher.poll()
        jobs = [j for j in store.site_jobs(run_id) if j.site_id in wanted]
        if watch is not None:
            watch(jobs, store.crawl_page_counts(run_id))
        if len(jobs) == len(wanted) and all(JobState(j.state).finished for j in jobs):
            return jobs
        time.sleep(interval_s)


def outcomes(
    store: Store, run_id: str, jobs: list[SiteJob], site_ids: list[str]
) -> list[CrawlOutcome]:
    """The jobs' ends as the crawl stage's outcomes, in ``site_ids`` order,
    with what each site's crawl transferred (for the summary line)."""
    by_site = {j.site_id: j for j in jobs}
    out = []
    for site_id in site_ids:
        j = by_site[site_id]
        status = StageOutcome(j.outcome) if j.outcome else StageOutcome.FAILED
        if j.state == JobState.FAILED and status.ok:
            status = StageOutcome.FAILED
        out.append(with_transfer(store, run_id, CrawlOutcome(site_id, status, j.pages, j.error)))
    return out


def check_errors(store: Store, run_id: str, site_ids: list[str]) -> list[str]:
    """The check errors the jobs stored, as ``runner.check`` returns them."""
    wanted = set(site_ids)
    return [
        f"{r.site_id}/{r.check}: {r.error}"
        for r in store.check_results(run_id)
        if r.site_id in wanted and r.status == "error"
    ]


def job_args(
    db_url: str,
    run_id: str,
    site_id: str,
    dispatch: str,
    settings: JobSettings,
    log_file: Path | None,
    worker: str | None = None,
) -> list[str]:
    """The arguments of ``python -m zwgk.jobs.site`` (``site.main``) for one
    site job; ``run_job_process`` runs it in a process of its own."""
    import json

    cmd = ["--db", db_url, "--run", run_id]
    cmd += ["--site", site_id, "--dispatch", dispatch, "--settings", json.dumps(settings.as_dict())]
    if log_file is not None:
        cmd += ["--log", str(log_file)]
    if worker is not None:
        cmd += ["--worker", worker]
    return cmd


class LocalLauncher:
    """Site jobs in up to ``processes`` child processes of this one, a job
    per child. A child that ends without finishing its job (it crashed, or
    was killed) fails the job with its exit status and last error line."""

    def __init__(
        self,
        store: Store,
        run_id: str,
        dispatch: str,
        settings: JobSettings,
        processes: int,
        log_file: Path | None,
    ) -> None:
        self.store, self.run_id, self.dispatch = store, run_id, dispatch
        self.settings, self.log_file = settings, log_file
        self.pool = ThreadPoolExecutor(max_workers=max(1, processes), thread_name_prefix="site-job")
        self.running: dict[str, Future[tuple[int, str]]] = {}

    def _run(self, site_id: str) -> tuple[int, str]:
        return run_job_process(
            job_args(
                self.store.url, self.run_id, site_id, self.dispatch, self.settings, self.log_file
            )
        )

    def submit(self, site_id: str) -> None:
        self.running[site_id] = self.pool.submit(self._run, site_id)

    def poll(self) -> None:
        for site_id, fut in list(self.running.items()):
            if not fut.done():
                continue
            del self.running[site_id]
            try:
                code, last = fut.result()
            except Exception as exc:  # could not even start the process
                code, last = -1, f"{type(exc).__name__}: {exc}"
            job = self.store.site_job(self.run_id, site_id)
            if job is not None and not JobState(job.state).finished:
                why = f"signal {-code}" if code < 0 else f"exit status {code}"
                self.store.fail_site_job(
                    self.run_id, site_id, f"site job process ended ({why}): {last}"[:2000]
                )

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
