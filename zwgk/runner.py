"""The one-way pipeline: config -> crawl -> store -> checks -> score -> report.

The crawl stage is the collectors of ``zwgk.crawler.collectors``, run in
their declared order; this module knows none of them by name.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import logging
import os
import signal
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zwgk.checks import CheckContext
from zwgk.config import Config
from zwgk.scoring import Rubric, enabled_checks, load_rubric, score_site
from zwgk.stages import Stage, stage
from zwgk.store import Store
from zwgk.vocab import SiteState, StageOutcome, Status

log = logging.getLogger("zwgk")

# Sites crawled at once; each has its own per-host politeness, so this bounds
# only the machine's load, not any server's.
DEFAULT_PARALLEL_SITES = 4
# The pseudo-site name under which link verification (the per-run
# ``linkcheck`` collector, whose label this is) reports its progress.
LINKS = "(links)"


@dataclass
class CrawlOutcome:
    site_id: str
    status: StageOutcome
    pages: int = 0
    error: str | None = None
    # What the site's portal crawl transferred (site_runs); None when it
    # was not crawled in this invocation or before migration 0008.
    bytes_received: int | None = None
    responses: int | None = None
    not_modified: int | None = None


def with_transfer(store: Store, run_id: str, outcome: CrawlOutcome) -> CrawlOutcome:
    """``outcome`` with what its site's portal crawl transferred, if it crawled."""
    sr = store.site_run(run_id, outcome.site_id)
    if sr is not None and outcome.status is StageOutcome.CRAWLED:
        outcome.bytes_received = sr.bytes_received
        outcome.responses = sr.responses
        outcome.not_modified = sr.not_modified
    return outcome


@dataclass
class Progress:
    """Callbacks the CLI hooks a progress display onto; all optional."""

    site_started: Callable[[str], None] = lambda site: None
    page_stored: Callable[[str], None] = lambda site: None
    site_finished: Callable[[str, str], None] = lambda site, status: None


@dataclass
class Share:
    """A site job's part of the per-run collectors (``crawl(share=…)``): it
    claims the site's keys that nobody holds as ``owner`` for ``lease``
    (renewed while it works), does them, and polls every ``poll_s`` for the
    keys others hold until their results are stored or their leases run out;
    after ``wait_max_s`` it does the rest itself."""

    owner: str
    lease: dt.timedelta = dt.timedelta(minutes=2)
    poll_s: float = 1.0
    wait_max_s: float = 3600.0


@dataclass
class RunResult:
    run_id: str
    crawls: list[CrawlOutcome] = field(default_factory=list)
    check_errors: list[str] = field(default_factory=list)
    reports: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.check_errors and all(c.status.ok for c in self.crawls)


def default_run_id(cfg: Config) -> str:
    return cfg.evaluation.as_of.strftime("%Y-%m")


def select_sites(cfg: Config, site_ids: list[str] | None) -> list[str]:
    if not site_ids:
        return [s.id for s in cfg.sites]
    unknown = [s for s in site_ids if s not in {x.id for x in cfg.sites}]
    if unknown:
        raise KeyError(", ".join(unknown))
    return site_ids


def crawl_settings(cfg: Config, log_file: Path | None) -> Any:
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("zwgk.crawler.settings", priority="project")
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        settings.set("LOG_FILE", str(log_file), priority="cmdline")
        settings.set("LOG_FILE_APPEND", True, priority="cmdline")
        settings.set("LOG_INSTALL_ROOT_HANDLER", True, priority="cmdline")
    else:
        settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    return settings


def crawl(
    cfg: Config,
    store: Store,
    run_id: str,
    site_ids: list[str],
    *,
    recrawl: bool = False,
    log_file: Path | None = None,
    progress: Progress | None = None,
    parallel_sites: int = DEFAULT_PARALLEL_SITES,
    verify_links: bool = True,
    share: Share | None = None,
) -> list[CrawlOutcome]:
    """Run the crawl stage's collectors in one Scrapy process (the reactor
    runs once per process), in their declared order.

    The per-site collectors (the portal crawl) run for every selected site,
    ``parallel_sites`` sites at a time, a site's collectors one after the
    other; a collector already complete for a site in this run is skipped
    unless ``recrawl``, one left midway by a killed run is resumed. Then,
    once every site crawled, the per-run collectors run (link verification,
    the entry named ``LINKS`` in the result; left out if not ``verify_links``),
    resuming too.

    With ``share`` (a site job), the per-run collectors do only the
    selected sites' share of the run's work, claimed in the store so that
    other jobs running at the same time, here or on other machines, do the
    rest (``Share``); the per-site collectors are as above.
    """
    # Scrapy, Twisted and the crawl stage load only when a crawl runs, so
    # `zwgk check` and `zwgk report` start without them.
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess
    from twisted.internet import defer

    from zwgk.crawler.collectors import Collector, Scope, registry

    progress = progress or Progress()
    store.ensure_run(
        run_id, cfg.evaluation.as_of, cfg.evaluation.start, cfg.model_dump(mode="json")
    )
    collectors = registry()
    per_site = [c for c in collectors if c.scope is Scope.SITE]
    per_run = [c for c in collectors if c.scope is Scope.RUN] if verify_links else []
    outcomes: dict[str, CrawlOutcome] = {}
    plans: dict[str, list[Collector]] = {}
    for site_id in site_ids:
        pending = [c for c in per_site if recrawl or not c.completed(store, run_id, site_id)]
        if not pending:
            pages = sum(c.pages(store, run_id, site_id) for c in per_site)
            outcomes[site_id] = CrawlOutcome(site_id, StageOutcome.SKIPPED, pages)
            continue
        plans[site_id] = pending
    todo = list(plans)

    process = CrawlerProcess(crawl_settings(cfg, log_file))
    sem = defer.DeferredSemaphore(max(1, parallel_sites))
    # Per-run collectors' parts that can run while the sites crawl, each in
    # a process of its own (the machine's other core): not for a site job,
    # whose share of the per-run work is claimed, nor when nothing crawls.
    beside = start_beside(cfg, store, run_id, per_run, log_file) if share is None and todo else []
    run_outcomes = [CrawlOutcome(c.label, StageOutcome.SKIPPED) for c in per_run]
    open_stages: list[Stage] = []

    def collect(
        c: Collector,
        name: str,
        site_id: str | None,
        args: dict[str, Any] | None = None,
        stage_name: str | None = None,
    ) -> Any:
        """Run one collector; fires with ``(outcome, error)``. Logged as the
        stage ``stage_name``, by default ``portal(SITE)``, ``linkcheck(links)``."""
        crawler = process.create_crawler(c.spider)
        reasons: dict[str, str] = {}

        def on_item(item: Any, response: Any, spider: Any) -> None:
            if c.counts_page(item):
                progress.page_stored(name)

        def on_closed(spider: Any, reason: str) -> None:
            reasons.setdefault("reason", reason)

        crawler.signals.connect(on_item, signal=signals.item_scraped, weak=False)
        crawler.signals.connect(on_closed, signal=signals.spider_closed, weak=False)
        if args is None:
            args = c.spider_args(cfg, store, run_id, site_id, recrawl=recrawl)
        # One stage per collector run: its time and peak RSS (zwgk.stages).
        if stage_name is None:
            stage_name = f"{c.id}({site_id})" if site_id is not None else f"{c.id}{name}"
        st = Stage(stage_name)
        open_stages.append(st.begin())
        try:
            d = process.crawl(crawler, **args)
        except BaseException:
            st.end()
            raise

        def stage_ended(result: Any) -> Any:
            st.end()
            return result

        d.addBoth(stage_ended)

        def finished(_: Any) -> tuple[StageOutcome, str | None]:
            return c.outcome(reasons.get("reason", "unknown")), None

        def failed(failure: Any) -> tuple[StageOutcome, str | None]:
            msg = f"{type(failure.value).__name__}: {failure.value}"
            log.error("%s failed: %s", c.title.format(site=site_id), msg)
            c.failed(store, run_id, site_id, msg)
            return StageOutcome.FAILED, msg

        d.addCallbacks(finished, failed)
        return d

    @defer.inlineCallbacks
    def launch(site_id: str) -> Any:
        progress.site_started(site_id)
        status, error, pages = StageOutcome.CRAWLED, None, 0
        for c in plans[site_id]:
            status, error = yield collect(c, site_id, site_id)
            if status is not StageOutcome.FAILED:
                pages += c.pages(store, run_id, site_id)
            if status is not StageOutcome.CRAWLED:
                break
        outcomes[site_id] = with_transfer(
            store, run_id, CrawlOutcome(site_id, status, pages, error)
        )
        progress.site_finished(site_id, status)

    @defer.inlineCallbacks
    def after_sites(_: Any) -> Any:
        from twisted.internet import threads

        # What ran beside the crawls finishes what they stored, first.
        for proc, stop in beside:
            stop.set()
            yield threads.deferToThread(proc.join)
        # Per-run collectors start once the site crawls have stored every
        # page, so that no crawled page is fetched a second time.
        if any(
            o.status is not StageOutcome.CRAWLED for o in outcomes.values() if o.site_id in todo
        ):
            return
        for c, out in zip(per_run, run_outcomes, strict=True):
            if not recrawl and c.completed(store, run_id, None):
                continue
            progress.site_started(out.site_id)
            out.status, out.error = yield collect(c, out.site_id, None)
            if out.status is not StageOutcome.FAILED:
                out.pages = c.pages(store, run_id, None)
            progress.site_finished(out.site_id, out.status)
            if out.status is not StageOutcome.CRAWLED:
                break

    @defer.inlineCallbacks
    def share_of(c: Collector, out: CrawlOutcome, site_id: str) -> Any:
        """One site's share of a per-run collector; fires with ``(outcome, error)``."""
        from twisted.internet import reactor, task

        assert share is not None
        keys = c.share(cfg, store, run_id, site_id)
        done: set[str] = set()
        deadline = time.monotonic() + share.wait_max_s
        while True:
            pending = keys - done
            pending -= c.stored(store, run_id, pending)
            if not pending:
                return StageOutcome.CRAWLED, None
            mine = store.claim(run_id, c.id, pending, share.owner, share.lease, site_id)
            if not mine and time.monotonic() > deadline:
                log.warning("%s: %d keys held too long by others; doing them", c.id, len(pending))
                mine = pending
            if not mine:
                yield task.deferLater(reactor, share.poll_s, lambda: None)
                continue
            status, error = yield collect(
                c,
                out.site_id,
                None,
                args=c.share_args(cfg, store, run_id, mine),
                stage_name=f"{c.id}({site_id}'s share)",
            )
            # Released whatever the end: a job that stopped lets another take them.
            store.release_claims(run_id, c.id, share.owner, mine)
            if status is not StageOutcome.CRAWLED:
                return status, error
            done |= mine

    @defer.inlineCallbacks
    def shared_after_sites(_: Any) -> Any:
        for site_id in site_ids:
            if not outcomes[site_id].status.ok:
                continue
            for c, out in zip(per_run, run_outcomes, strict=True):
                progress.site_started(out.site_id)
                out.status, out.error = yield share_of(c, out, site_id)
                if out.status is not StageOutcome.FAILED:
                    out.pages = c.pages(store, run_id, None)
                progress.site_finished(out.site_id, out.status)
                if out.status is not StageOutcome.CRAWLED:
                    return

    def stop(_: Any) -> None:
        # Imported here: importing the reactor before Scrapy starts would
        # install Twisted's default reactor instead of the asyncio one.
        from twisted.internet import reactor

        r: Any = reactor
        if r.running:
            r.stop()

    all_sites = defer.DeferredList([sem.run(launch, site_id) for site_id in todo])
    all_sites.addCallback(after_sites if share is None else shared_after_sites)
    all_sites.addErrback(lambda f: log.error("crawl stage failed: %s", f.getErrorMessage()))
    all_sites.addBoth(stop)
    if share is None:
        try:
            process.start(stop_after_crawl=False)
        finally:
            stop_beside(beside)
    else:
        with store.leases(run_id, share.owner, share.lease):
            process.start(stop_after_crawl=False)
    for st in open_stages:
        if not st.ended:  # the reactor stopped under it (interrupted)
            st.end("interrupted")
    for site_id in todo:
        outcomes.setdefault(site_id, CrawlOutcome(site_id, StageOutcome.INTERRUPTED))
    return [outcomes[s] for s in site_ids] + run_outcomes


# Seconds a process beside the crawl gets to finish after the crawl stage
# ended without it (interrupted): its requests in flight, its last writes.
BESIDE_GRACE_S = 30.0


def start_beside(
    cfg: Config, store: Store, run_id: str, per_run: list[Any], log_file: Path | None
) -> list[tuple[Any, Any]]:
    """Start a process for each per-run collector with a part to do beside
    the site crawls (``Collector.beside_args``); ``(process, stop event)``."""
    import multiprocessing

    # Spawned, not forked: the child starts its own reactor, and this
    # process's (installed, about to run) must not be copied into it.
    mp = multiprocessing.get_context("spawn")
    out = []
    for c in per_run:
        if c.beside_args(cfg, store, run_id, None) is None:
            continue
        stop = mp.Event()
        proc = mp.Process(
            target=run_beside,
            args=(store.url, run_id, c.id, stop, None if log_file is None else str(log_file)),
            name=f"zwgk-{c.id}-beside",
            daemon=True,
        )
        proc.start()
        out.append((proc, stop))
    return out


def stop_beside(beside: list[tuple[Any, Any]]) -> None:
    """Tell the processes beside the crawl to finish, and wait for them (bounded)."""
    for _, stop in beside:
        stop.set()
    for proc, _ in beside:
        proc.join(BESIDE_GRACE_S)
        if proc.is_alive():
            log.warning("%s did not finish; stopped", proc.name)
            proc.terminate()
            proc.join()


def die_with_parent(owner_pid: int | None) -> None:
    """A child process of a run stops when the run is killed, so that no
    orphan fetches or writes beside the run that resumes it: killed with its
    parent process (Linux ``PR_SET_PDEATHSIG``), and with ``owner_pid``
    (for a site job, the worker or ``zwgk run`` that asked for it, whose
    fork server is the parent), watched from a thread. Its store writes are
    transactions: a kill loses at most the one in progress."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass
    if owner_pid is None:
        return

    def watch() -> None:
        while True:
            try:
                os.kill(owner_pid, 0)
            except ProcessLookupError:
                os.kill(os.getpid(), signal.SIGKILL)
            except PermissionError:
                pass
            time.sleep(0.5)

    threading.Thread(target=watch, name="owner-watch", daemon=True).start()


def run_beside(
    db_url: str, run_id: str, collector_id: str, stop: Any, log_file: str | None
) -> None:
    """The child process of :func:`start_beside`: one collector's part
    beside the crawls, with the configuration stored with the run."""
    # The spawned child loads Scrapy and the crawl stage, as crawl() does.
    from scrapy.crawler import CrawlerProcess

    from zwgk.crawler.collectors import registry

    die_with_parent(os.getppid())
    store = Store(db_url, migrate=False)
    run = store.get_run(run_id)
    assert run is not None
    cfg = Config.model_validate(run.config)
    c = next(c for c in registry() if c.id == collector_id)
    args = c.beside_args(cfg, store, run_id, stop)
    assert args is not None  # start_beside asked
    process = CrawlerProcess(crawl_settings(cfg, None if log_file is None else Path(log_file)))
    process.crawl(c.spider, **args)
    with stage(f"{c.id}(beside the crawls)"):
        process.start()
    store.dispose()


def check(
    cfg: Config, store: Store, run_id: str, site_ids: list[str], rubric: Rubric | None = None
) -> list[str]:
    """Run every enabled check on every crawled site, then score. Returns errors.

    ``rubric``: the one to apply (a site job's, read from the files stored
    with the run); by default the config's ``rubric_path()``. Logged as the
    stage ``checks(SITES)`` (``zwgk.stages``)."""
    who = ", ".join(site_ids) if len(site_ids) <= 3 else f"{len(site_ids)} sites"
    with stage(f"checks({who})"):
        return _check(cfg, store, run_id, site_ids, rubric)


def _check(
    cfg: Config, store: Store, run_id: str, site_ids: list[str], rubric: Rubric | None
) -> list[str]:
    rubric = rubric or load_rubric(cfg.rubric_path())
    if store.get_run(run_id) is None:
        raise KeyError(f"no run {run_id!r} in the store")
    # The config's evaluation dates win: checking a stored run with another
    # as_of re-evaluates it as of that date.
    run = store.ensure_run(
        run_id, cfg.evaluation.as_of, cfg.evaluation.start, cfg.model_dump(mode="json")
    )
    errors: list[str] = []
    checks = enabled_checks(rubric)
    for site_id in site_ids:
        sr = store.site_run(run_id, site_id)
        if sr is None or sr.generation == 0:
            continue  # never finished a crawl: nothing to judge yet
        ctx = CheckContext(run_id, cfg.site(site_id), cfg, store, run.as_of, run.period_start)
        results: dict[str, dict[str, Any]] = {}
        for cid, chk in checks.items():
            try:
                outcome = chk.run(ctx)
                rows = [f.as_row() for f in outcome.findings]
                store.replace_check_result(
                    run_id, site_id, cid, chk.version, outcome.status.value, outcome.metrics, rows
                )
                results[cid] = {"status": outcome.status.value, "metrics": outcome.metrics}
            except Exception as exc:  # one broken check must not sink the run
                log.error("check %s failed on %s: %s", cid, site_id, exc)
                log.debug("%s", traceback.format_exc())
                store.replace_check_result(
                    run_id, site_id, cid, chk.version, Status.ERROR.value, {}, [], error=str(exc)
                )
                results[cid] = {"status": Status.ERROR.value, "metrics": {}}
                errors.append(f"{site_id}/{cid}: {exc}")
        findings = [
            {
                "check": f.check,
                "rule": f.rule,
                "severity": f.severity,
                "on_home": bool((f.evidence or {}).get("on_home")),
            }
            for f in store.findings(run_id, site_id)
        ]
        store.replace_score(run_id, site_id, **score_site(rubric, results, findings))
        store.set_site_status(run_id, site_id, SiteState.CHECKED)
    return errors
