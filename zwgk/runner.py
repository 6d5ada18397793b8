"""The one-way pipeline: config -> crawl -> store -> checks -> score -> report."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zwgk.checks import CheckContext
from zwgk.config import Config
from zwgk.scoring import enabled_checks, load_rubric, score_site
from zwgk.store import Store
from zwgk.vocab import SiteState, StageOutcome, Status

log = logging.getLogger("zwgk")

# Sites crawled at once; each has its own per-host politeness, so this bounds
# only the machine's load, not any server's.
DEFAULT_PARALLEL_SITES = 4
# The pseudo-site name under which link verification reports its progress.
LINKS = "(links)"


@dataclass
class CrawlOutcome:
    site_id: str
    status: StageOutcome
    pages: int = 0
    error: str | None = None


@dataclass
class Progress:
    """Callbacks the CLI hooks a progress display onto; all optional."""

    site_started: Callable[[str], None] = lambda site: None
    page_stored: Callable[[str], None] = lambda site: None
    site_finished: Callable[[str, str], None] = lambda site, status: None


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
) -> list[CrawlOutcome]:
    """Crawl the sites in one Scrapy process (the reactor runs once per process).

    Sites already crawled in this run are skipped unless ``recrawl``; a site
    left mid-crawl by a killed run is resumed. Then every link target of the
    run is verified (the entry named ``LINKS`` in the result), resuming too.
    """
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess
    from twisted.internet import defer

    from zwgk.crawler.spiders.portal import PortalSpider

    progress = progress or Progress()
    store.ensure_run(
        run_id, cfg.evaluation.as_of, cfg.evaluation.start, cfg.model_dump(mode="json")
    )
    outcomes: dict[str, CrawlOutcome] = {}
    todo = []
    for site_id in site_ids:
        sr = store.site_run(run_id, site_id)
        if sr is not None and SiteState(sr.status).crawl_done and not recrawl:
            outcomes[site_id] = CrawlOutcome(site_id, StageOutcome.SKIPPED, sr.pages)
            continue
        todo.append(site_id)

    process = CrawlerProcess(crawl_settings(cfg, log_file))
    sem = defer.DeferredSemaphore(max(1, parallel_sites))
    links = CrawlOutcome(LINKS, StageOutcome.SKIPPED)

    def launch(site_id: str) -> Any:
        crawler = process.create_crawler(PortalSpider)
        reasons: dict[str, str] = {}

        def on_item(item: Any, response: Any, spider: Any) -> None:
            if type(item).__name__ == "PageItem":
                progress.page_stored(site_id)

        def on_closed(spider: Any, reason: str) -> None:
            reasons["reason"] = reason

        crawler.signals.connect(on_item, signal=signals.item_scraped, weak=False)
        crawler.signals.connect(on_closed, signal=signals.spider_closed, weak=False)
        progress.site_started(site_id)
        d = process.crawl(
            crawler, site=site_id, config=cfg, run=run_id, db=store, resume=not recrawl
        )

        def finished(_: Any) -> None:
            reason = reasons.get("reason", "unknown")
            status = StageOutcome.CRAWLED if reason == "finished" else StageOutcome.INTERRUPTED
            sr = store.site_run(run_id, site_id)
            outcomes[site_id] = CrawlOutcome(site_id, status, sr.pages if sr else 0)
            progress.site_finished(site_id, status)

        def failed(failure: Any) -> None:
            msg = f"{type(failure.value).__name__}: {failure.value}"
            log.error("crawl of %s failed: %s", site_id, msg)
            store.fail_site(run_id, site_id, msg)
            outcomes[site_id] = CrawlOutcome(site_id, StageOutcome.FAILED, error=msg)
            progress.site_finished(site_id, StageOutcome.FAILED)

        d.addCallbacks(finished, failed)
        return d

    def verify(_: Any) -> Any:
        # Links are verified once the site crawls have stored every page, so
        # that no crawled page is fetched a second time.
        if not verify_links or any(
            o.status is not StageOutcome.CRAWLED for o in outcomes.values() if o.site_id in todo
        ):
            return None
        from zwgk.crawler.spiders.linkcheck import LinkCheckSpider

        crawler = process.create_crawler(LinkCheckSpider)
        reasons: dict[str, str] = {}
        crawler.signals.connect(
            lambda spider, reason: reasons.setdefault("reason", reason),
            signal=signals.spider_closed,
            weak=False,
        )
        progress.site_started(LINKS)
        d = process.crawl(crawler, config=cfg, run=run_id, db=store)

        def finished(_: Any) -> None:
            links.status = (
                StageOutcome.CRAWLED
                if reasons.get("reason") == "finished"
                else StageOutcome.INTERRUPTED
            )
            progress.site_finished(LINKS, links.status)

        def failed(failure: Any) -> None:
            links.status, links.error = (
                StageOutcome.FAILED,
                f"{type(failure.value).__name__}: {failure.value}",
            )
            log.error("link verification failed: %s", links.error)
            progress.site_finished(LINKS, StageOutcome.FAILED)

        d.addCallbacks(finished, failed)
        return d

    def stop(_: Any) -> None:
        # Imported here: importing the reactor before Scrapy starts would
        # install Twisted's default reactor instead of the asyncio one.
        from twisted.internet import reactor

        r: Any = reactor
        if r.running:
            r.stop()

    all_sites = defer.DeferredList([sem.run(launch, site_id) for site_id in todo])
    all_sites.addCallback(verify)
    all_sites.addBoth(stop)
    process.start(stop_after_crawl=False)
    for site_id in todo:
        outcomes.setdefault(site_id, CrawlOutcome(site_id, StageOutcome.INTERRUPTED))
    result = [outcomes[s] for s in site_ids]
    if verify_links:
        result.append(links)
    return result


def check(cfg: Config, store: Store, run_id: str, site_ids: list[str]) -> list[str]:
    """Run every enabled check on every crawled site, then score. Returns errors."""
    rubric = load_rubric(cfg.rubric_path())
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
