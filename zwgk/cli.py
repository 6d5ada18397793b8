"""Command line: ``zwgk run|crawl|check|report|demo``.

Exit codes: 0 the run completed (findings are not failures); 1 the run
failed or was interrupted (run the same command again to resume); 2 usage
or configuration error.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from zwgk import __version__
from zwgk.config import Config, ConfigError, default_file, load_config
from zwgk.reports.pdf import PdfError, find_chromium, write_pdfs
from zwgk.reports.remedies import load_remedies, remedies_path
from zwgk.reports.render import write_reports
from zwgk.runner import CrawlOutcome, RunResult, check, crawl, default_run_id, select_sites
from zwgk.runner import Progress as RunProgress
from zwgk.scoring import load_rubric
from zwgk.stages import log_process_peak, log_to, stage
from zwgk.store import LockBusy, Store
from zwgk.vocab import RunState, StageOutcome, UnsafeName, format_bytes, safe_path_name

# 3: another zwgk holds this run on this store (cron started one too early).
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_BUSY = 0, 1, 2, 3

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="zwgk: crawl government disclosure portals, check them against the rules, "
    "write scorecards.",
)
# soft_wrap: an error is one line however narrow the terminal, so that logs
# and grep see it whole.
err = Console(stderr=True, soft_wrap=True)
out = Console(soft_wrap=True)


def _say(prefix: str, message: str, style: str = "bold red") -> None:
    # Text.assemble keeps brackets in messages from being read as markup.
    err.print(Text.assemble((prefix, style), message), highlight=False)


ConfigOpt = Annotated[Path, typer.Option("--config", "-c", help="Site list (YAML).")]
DbOpt = Annotated[str, typer.Option("--db", help="SQLAlchemy URL or SQLite file path.")]
OutOpt = Annotated[Path, typer.Option("--out", "-o", help="Output directory for reports and logs.")]


def _run_id(value: str | None) -> str | None:
    # The run id names the output folder: refused in one line, before any
    # write, like a bad config.
    if value is None:
        return None
    try:
        return safe_path_name(value, "--run")
    except UnsafeName as exc:
        _say("error: ", str(exc))
        raise typer.Exit(2) from None


RunOpt = Annotated[
    str | None,
    typer.Option("--run", help="Run id (default: YYYY-MM of evaluation.as_of).", callback=_run_id),
]
SiteOpt = Annotated[
    list[str] | None, typer.Option("--site", "-s", help="Only these site ids (repeatable).")
]
RecrawlOpt = Annotated[
    bool, typer.Option("--recrawl", help="Crawl sites again even if this run already has them.")
]
ProgressOpt = Annotated[
    bool, typer.Option("--progress/--no-progress", help="Show a live progress display.")
]
PdfOpt = Annotated[
    bool,
    typer.Option("--pdf", help="Also print each scorecard to sites/SITE.pdf (needs chromium)."),
]
ParallelOpt = Annotated[
    int, typer.Option("--parallel", min=1, max=64, help="Sites crawled at once.")
]
ProcessesOpt = Annotated[
    int | None,
    typer.Option(
        "--processes",
        min=1,
        max=256,
        help="Site jobs run at once, each in a process of its own "
        "(default: the number of CPUs, at most the sites to crawl; 1: one process).",
    ),
]
BrokerOpt = Annotated[
    str | None,
    typer.Option(
        "--broker",
        help="Celery broker URL (redis://host:6379/0): run the sites on `zwgk worker`s.",
    ),
]


def _fail(message: str, code: int) -> typer.Exit:
    _say("error: ", message)
    return typer.Exit(code)


def _load(config: Path) -> Config:
    try:
        cfg = load_config(config)
        # The rubric is checked against the checks before any crawl starts,
        # not an hour later when the checks run.
        load_rubric(cfg.rubric_path())
        load_remedies(remedies_path(cfg))
        return cfg
    except ConfigError as exc:
        for line in exc.problems:
            _say("config error: ", line)
        raise typer.Exit(EXIT_USAGE) from None


def _setup_logging(verbose: bool) -> None:
    # Only zwgk's own messages reach the terminal; Scrapy's go to crawl.log,
    # and so do zwgk's own of INFO and above during a run (``log_to``: the
    # stage lines), whatever reaches the terminal.
    level = logging.INFO if verbose else logging.WARNING
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(level)
    logger = logging.getLogger("zwgk")
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False


def _store(db: str) -> Store:
    try:
        return Store(db)
    except Exception as exc:
        raise _fail(
            f"cannot open the store {db}: {type(exc).__name__}: {exc}", EXIT_FAILED
        ) from None


@contextmanager
def _run_lock(store: Store, run_id: str, db: str) -> Iterator[None]:
    """One process per run and store; a second one says who has it and stops."""
    try:
        with store.run_lock(f"run:{run_id}"):
            yield
    except LockBusy as exc:
        h = exc.holder
        store.dispose()
        raise _fail(
            f"run {run_id} is already in progress on {db} (pid {h.pid} on {h.host}, "
            f"since {h.acquired_at:%Y-%m-%d %H:%M} UTC); not starting a second one",
            EXIT_BUSY,
        ) from None


def _crawl_with_progress(
    cfg: Config,
    store: Store,
    run_id: str,
    sites: list[str],
    recrawl: bool,
    log_file: Path,
    show: bool,
    parallel: int,
) -> list[CrawlOutcome]:
    if not show:
        return crawl(
            cfg, store, run_id, sites, recrawl=recrawl, log_file=log_file, parallel_sites=parallel
        )
    columns = (
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[info]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=False) as bar:
        total = bar.add_task("sites", total=len(sites), info="")
        tasks: dict[str, TaskID] = {}
        pages: dict[str, int] = {}
        started = time.monotonic()

        def site_started(site: str) -> None:
            tasks[site] = bar.add_task(f"  {site}", total=None, info="crawling")
            pages[site] = 0

        def page_stored(site: str) -> None:
            pages[site] += 1
            rate = sum(pages.values()) / max(time.monotonic() - started, 0.001)
            bar.update(tasks[site], info=f"{pages[site]} pages")
            bar.update(total, info=f"{sum(pages.values())} pages, {rate:.1f}/s")

        def site_finished(site: str, status: str) -> None:
            if site in tasks:
                bar.update(
                    tasks[site], total=1, completed=1, info=f"{pages.get(site, 0)} pages, {status}"
                )
            # Per-run collectors report under their own label, not as a site.
            if site in sites:
                bar.advance(total)

        return crawl(
            cfg,
            store,
            run_id,
            sites,
            recrawl=recrawl,
            log_file=log_file,
            parallel_sites=parallel,
            progress=RunProgress(site_started, page_stored, site_finished),
        )


def _do_run(
    cfg: Config,
    db: str,
    out_dir: Path,
    run: str | None,
    site: list[str] | None,
    recrawl: bool,
    show: bool,
    parallel: int,
    *,
    do_crawl: bool = True,
    do_report: bool = True,
    processes: int | None = 1,
    broker: str | None = None,
) -> RunResult:
    try:
        sites = select_sites(cfg, site)
    except KeyError as exc:
        raise _fail(f"unknown site id: {exc.args[0]}", EXIT_USAGE) from None
    run_id = run or default_run_id(cfg)
    store = _store(db)
    with _run_lock(store, run_id, db), ExitStack() as stack:
        if do_crawl:
            # zwgk's stage lines (zwgk.stages) go to the run's log beside Scrapy's.
            stack.enter_context(log_to(out_dir / run_id / "crawl.log"))
        return _do_run_locked(
            cfg,
            store,
            out_dir,
            run_id,
            sites,
            recrawl,
            show,
            parallel,
            do_crawl,
            do_report,
            processes,
            broker,
        )


def _jobs_with_progress(
    cfg: Config,
    store: Store,
    run_id: str,
    sites: list[str],
    recrawl: bool,
    log_file: Path,
    show: bool,
    processes: int,
    broker: str | None,
) -> tuple[list[CrawlOutcome], list[str]]:
    """The sites as site jobs: ``processes`` children of this process, or
    Celery workers when a broker is given. Returns the crawl outcomes and
    check errors, as a run in one process has them."""
    # The jobs layer (fork server, Celery) loads only for a run that uses site jobs.
    from zwgk.jobs import coordinator
    from zwgk.jobs.site import JobSettings

    settings = JobSettings.from_env()
    dispatch = coordinator.prepare(cfg, store, run_id, sites, recrawl, settings)
    launcher: coordinator.Launcher
    if broker:
        from zwgk.jobs.queue import CeleryLauncher  # Celery only with a broker

        launcher = CeleryLauncher(broker, run_id, dispatch, settings)
    else:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        launcher = coordinator.LocalLauncher(store, run_id, dispatch, settings, processes, log_file)
    try:
        for s in sites:
            launcher.submit(s)
        if not show:
            jobs = coordinator.wait(store, run_id, sites, launcher, settings, sweep=bool(broker))
        else:
            columns = (
                SpinnerColumn(),
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[info]}"),
                TimeElapsedColumn(),
            )
            with Progress(*columns, console=err, transient=False) as bar:
                total = bar.add_task("sites", total=len(sites), info="")
                tasks = {s: bar.add_task(f"  {s}", total=1, info="queued") for s in sites}

                def watch(jobs: list[Any], pages: dict[str, int]) -> None:
                    done = 0
                    for j in jobs:
                        finished = j.state in ("done", "failed")
                        done += finished
                        where = f" on {j.worker}" if j.worker and broker else ""
                        state = j.outcome if finished and j.outcome else j.state
                        bar.update(
                            tasks[j.site_id],
                            completed=int(finished),
                            info=f"{pages.get(j.site_id, 0)} pages, {state}{where}",
                        )
                    bar.update(total, completed=done, info=f"{sum(pages.values())} pages")

                jobs = coordinator.wait(
                    store, run_id, sites, launcher, settings, sweep=bool(broker), watch=watch
                )
    finally:
        launcher.close()
    return coordinator.outcomes(store, run_id, jobs, sites), coordinator.check_errors(
        store, run_id, sites
    )


def _processes(
    store: Store, run_id: str, sites: list[str], recrawl: bool, processes: int | None
) -> int:
    """``--processes``, by default the number of CPUs; at most the sites
    whose crawl is still to do (none or one: one process)."""
    from zwgk.jobs.coordinator import pending_sites  # as above: jobs load only when used

    wanted = processes if processes is not None else (os.cpu_count() or 1)
    if wanted <= 1:
        return 1
    return max(1, min(wanted, len(pending_sites(store, run_id, sites, recrawl))))


def _do_run_locked(
    cfg: Config,
    store: Store,
    out_dir: Path,
    run_id: str,
    sites: list[str],
    recrawl: bool,
    show: bool,
    parallel: int,
    do_crawl: bool,
    do_report: bool,
    processes: int | None,
    broker: str | None,
) -> RunResult:
    result = RunResult(run_id)
    jobs = do_crawl and (
        broker is not None or _processes(store, run_id, sites, recrawl, processes) > 1
    )
    if jobs:
        log_file = out_dir / run_id / "crawl.log"
        result.crawls, result.check_errors = _jobs_with_progress(
            cfg,
            store,
            run_id,
            sites,
            recrawl,
            log_file,
            show,
            _processes(store, run_id, sites, recrawl, processes),
            broker,
        )
    elif do_crawl:
        log_file = out_dir / run_id / "crawl.log"
        result.crawls = _crawl_with_progress(
            cfg, store, run_id, sites, recrawl, log_file, show, parallel
        )
    if do_crawl:
        for c in result.crawls:
            if c.status is StageOutcome.FAILED:
                _say("error: ", f"site {c.site_id}: crawl failed: {c.error}")
            elif c.status is StageOutcome.INTERRUPTED:
                _say(
                    "warning: ",
                    f"site {c.site_id}: crawl interrupted; run again to resume",
                    "bold yellow",
                )
    if not jobs:
        # Site jobs ran their sites' checks; one process checks them here.
        result.check_errors = check(cfg, store, run_id, sites)
    for e in result.check_errors:
        _say("check error: ", e)
    if do_report:
        with stage("reports"):
            result.reports = write_reports(
                store,
                run_id,
                out_dir,
                load_rubric(cfg.rubric_path()),
                load_remedies(remedies_path(cfg)),
            )
    finished = all(c.status.ok for c in result.crawls)
    done = finished and not result.check_errors
    store.finish_run(run_id, RunState.DONE if done else RunState.INCOMPLETE)
    store.dispose()
    # The stages reset the kernel's high-water mark, so GNU time and
    # getrusage see only the last stage's peak: this is the whole run's.
    log_process_peak()
    return result


@app.command()
def run(
    config: ConfigOpt = Path("config/sites.yaml"),
    db: DbOpt = "zwgk.db",
    out_dir: OutOpt = Path("zwgk-out"),
    run: RunOpt = None,
    site: SiteOpt = None,
    recrawl: RecrawlOpt = False,
    progress: ProgressOpt = True,
    parallel: ParallelOpt = 4,
    processes: ProcessesOpt = None,
    broker: BrokerOpt = None,
    pdf: PdfOpt = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Crawl, check and report: the monthly job."""
    _setup_logging(verbose)
    cfg = _load(config)
    if pdf:
        _need_chromium()
    result = _do_run(
        cfg,
        db,
        out_dir,
        run,
        site,
        recrawl,
        progress,
        parallel,
        processes=processes,
        broker=broker,
    )
    _summary(result, out_dir)
    if pdf:
        _write_pdfs(result.reports)
    raise typer.Exit(EXIT_OK if result.ok else EXIT_FAILED)


@app.command()
def worker(
    broker: Annotated[str, typer.Option("--broker", help="Celery broker URL (redis://…).")],
    db: DbOpt = "zwgk.db",
    concurrency: Annotated[
        int | None,
        typer.Option("--concurrency", min=1, max=256, help="Site jobs at once (default: CPUs)."),
    ] = None,
    log_dir: Annotated[
        Path | None, typer.Option("--log-dir", help="Scrapy logs: DIR/RUN/crawl-SITE.log.")
    ] = None,
    visibility_timeout: Annotated[
        float,
        typer.Option(
            "--visibility-timeout",
            min=1,
            help="Seconds after which Redis hands a killed worker's job to another.",
        ),
    ] = 3600.0,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Run site jobs of any run sent to the broker (`zwgk run --broker`), on this machine."""
    _setup_logging(verbose)
    from zwgk.jobs.queue import run_worker  # Celery loads for `zwgk worker` only

    store = _store(db)  # migrated and reachable before any job is taken
    store.dispose()
    run_worker(
        store.url,
        broker,
        concurrency or os.cpu_count() or 1,
        log_dir=log_dir,
        visibility_timeout_s=visibility_timeout,
        loglevel="INFO" if verbose else "WARNING",
    )


@app.command("crawl")
def crawl_cmd(
    config: ConfigOpt = Path("config/sites.yaml"),
    db: DbOpt = "zwgk.db",
    out_dir: OutOpt = Path("zwgk-out"),
    run: RunOpt = None,
    site: SiteOpt = None,
    recrawl: RecrawlOpt = False,
    progress: ProgressOpt = True,
    parallel: ParallelOpt = 4,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Crawl only (resumes an interrupted crawl of the same run)."""
    _setup_logging(verbose)
    cfg = _load(config)
    try:
        sites = select_sites(cfg, site)
    except KeyError as exc:
        raise _fail(f"unknown site id: {exc.args[0]}", EXIT_USAGE) from None
    run_id = run or default_run_id(cfg)
    store = _store(db)
    log_file = out_dir / run_id / "crawl.log"
    with _run_lock(store, run_id, db), log_to(log_file):
        outcomes = _crawl_with_progress(
            cfg, store, run_id, sites, recrawl, log_file, progress, parallel
        )
    for c in outcomes:
        out.print(
            f"{c.site_id}: {c.status}, {c.pages} pages" + (f" ({c.error})" if c.error else ""),
            highlight=False,
        )
    raise typer.Exit(EXIT_OK if all(c.status.ok for c in outcomes) else EXIT_FAILED)


@app.command("check")
def check_cmd(
    config: ConfigOpt = Path("config/sites.yaml"),
    db: DbOpt = "zwgk.db",
    run: RunOpt = None,
    site: SiteOpt = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Run the checks and scoring on what the store holds (no network for stored pages)."""
    _setup_logging(verbose)
    cfg = _load(config)
    try:
        sites = select_sites(cfg, site)
    except KeyError as exc:
        raise _fail(f"unknown site id: {exc.args[0]}", EXIT_USAGE) from None
    run_id = run or default_run_id(cfg)
    store = _store(db)
    if store.get_run(run_id) is None:
        raise _fail(f"no run {run_id!r} in {db}; crawl first", EXIT_FAILED)
    with _run_lock(store, run_id, db):
        errors = check(cfg, store, run_id, sites)
    for e in errors:
        _say("check error: ", e)
    out.print(f"checked {len(sites)} site(s) in run {run_id}", highlight=False)
    raise typer.Exit(EXIT_FAILED if errors else EXIT_OK)


@app.command("report")
def report_cmd(
    db: DbOpt = "zwgk.db",
    out_dir: OutOpt = Path("zwgk-out"),
    run: RunOpt = None,
    pdf: PdfOpt = False,
) -> None:
    """Write scorecards and JSON exports for a stored run."""
    if pdf:
        _need_chromium()
    store = _store(db)
    run_id = run or store.latest_run_id()
    if run_id is None or store.get_run(run_id) is None:
        raise _fail(f"no run {run_id or ''} in {db}", EXIT_FAILED)
    paths = write_reports(store, run_id, out_dir)
    out.print(f"wrote {len(paths)} files to {out_dir / run_id}", highlight=False)
    if pdf:
        _write_pdfs(paths)


@app.command()
def demo(
    out_dir: OutOpt = Path("demo-output"),
    progress: ProgressOpt = True,
    pdf: PdfOpt = False,
) -> None:
    """Serve the bundled sample province on loopback and run the whole pipeline on it."""
    import yaml

    if pdf:
        _need_chromium()

    # Demo support only: the other commands never load the sample portal.
    from zwgk.sample.server import SamplePortal

    _setup_logging(False)
    out_dir.mkdir(parents=True, exist_ok=True)
    db_path = out_dir / "zwgk-demo.db"
    cfg_path = out_dir / "demo-sites.yaml"
    with SamplePortal() as portal:
        data = portal.config_dict()
        data["rubric"] = str(default_file("rubric.yaml"))
        cfg_path.write_text(
            "# Written by `zwgk demo`: the bundled sample portal on loopback.\n"
            + yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
            encoding="utf-8",
        )
        cfg = _load(cfg_path)
        if db_path.exists():
            db_path.unlink()  # ports differ per demo run, so old URLs would not match
        result = _do_run(cfg, str(db_path), out_dir, None, None, True, progress, 4, processes=None)
    _summary(result, out_dir)
    if pdf:
        _write_pdfs(result.reports)
    raise typer.Exit(EXIT_OK if result.ok else EXIT_FAILED)


def _need_chromium() -> None:
    """--pdf: fail before any work when Chromium is missing."""
    try:
        find_chromium()
    except PdfError as exc:
        raise _fail(str(exc), EXIT_USAGE) from None


def _write_pdfs(paths: list[Path]) -> list[Path]:
    """--pdf: sites/SITE.pdf beside each scorecard."""
    pages = [p for p in paths if p.suffix == ".html" and p.parent.name == "sites"]
    try:
        pdfs = write_pdfs(pages)
    except PdfError as exc:
        raise _fail(f"pdf: {exc}", EXIT_FAILED) from None
    if pdfs:
        out.print(f"pdf:        {len(pdfs)} files in {pdfs[0].parent}", highlight=False)
    return pdfs


def summary_line(result: RunResult) -> str:
    """The run's one line for cron mail: pages, and what the crawls of this
    invocation downloaded (sites skipped as already crawled add nothing)."""
    line = f"run {result.run_id}: {sum(c.pages for c in result.crawls)} pages crawled"
    measured = [c for c in result.crawls if c.bytes_received is not None]
    if measured:
        received = sum(c.bytes_received or 0 for c in measured)
        responses = sum(c.responses or 0 for c in measured)
        unchanged = sum(c.not_modified or 0 for c in measured)
        line += (
            f", {format_bytes(received)} downloaded in {responses} responses"
            f", {unchanged} pages not modified (304)"
        )
    return line


def _summary(result: RunResult, out_dir: Path) -> None:
    root = out_dir / result.run_id
    out.print(summary_line(result), highlight=False)
    if result.reports:
        out.print(f"scorecards: {root / 'index.html'}", highlight=False)
        out.print(f"findings:   {root / 'findings.json'}", highlight=False)
        out.print(f"scores:     {root / 'scores.json'}", highlight=False)


def version_callback(value: bool) -> None:
    if value:
        out.print(f"zwgk {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool, typer.Option("--version", callback=version_callback, is_eager=True)
    ] = False,
) -> None:
    pass


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        _say("interrupted: ", "run the same command again to resume")
        sys.exit(EXIT_FAILED)
    except Exception as exc:
        # Operators get one line; the traceback goes to the zwgk log (-v).
        logging.getLogger("zwgk").debug("unhandled error", exc_info=True)
        _say("error: ", f"{type(exc).__name__}: {exc}")
        sys.exit(EXIT_FAILED)


if __name__ == "__main__":
    main()
