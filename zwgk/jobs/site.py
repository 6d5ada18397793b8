"""One site job, in the current process: ``python -m zwgk.jobs.site``.

The job takes its site's ``site_jobs`` row (the per-site lock: a second
delivery, a done job or a message of an older dispatch does nothing), beats
while it works, reads the run's configuration and files from the store (a
worker on another machine needs nothing but the store), runs the site's
collectors and its share of link verification (``runner.crawl(share=…)``),
then its checks and score (``runner.check``), and records how it ended.
A job taken again after its holder died continues the site's generation:
the crawl resumes as ``zwgk run`` does after a kill.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import logging
import os
import secrets
import socket
import sys
import tempfile
import threading
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zwgk.config import Config
from zwgk.runner import CrawlOutcome, Share, check, crawl, die_with_parent
from zwgk.scoring import Rubric, load_rubric, parse_rubric
from zwgk.stages import log_to
from zwgk.store import Store
from zwgk.vocab import JobState, StageOutcome

log = logging.getLogger("zwgk")

RUBRIC = "rubric"


@dataclass(frozen=True)
class JobSettings:
    """Timings of site jobs, chosen by the coordinator and sent with each job.

    ``lease_s``: a claim on a link target; ``stale_s``: a job whose heartbeat
    is older is taken as dead (swept back, or taken by a redelivery);
    ``heartbeat_s``: how often a job beats; ``poll_s``: how often a job
    waiting for targets other jobs hold looks again."""

    lease_s: float = 120.0
    stale_s: float = 300.0
    heartbeat_s: float = 10.0
    poll_s: float = 1.0
    wait_max_s: float = 3600.0

    @classmethod
    def from_env(cls) -> JobSettings:
        """Defaults, each overridable by ``ZWGK_JOB_<NAME>`` (tests shrink them)."""
        values: dict[str, float] = {}
        for f in dataclasses.fields(cls):
            raw = os.environ.get(f"ZWGK_JOB_{f.name.upper()}")
            if raw:
                values[f.name] = float(raw)
        return cls(**values)

    def as_dict(self) -> dict[str, float]:
        return dataclasses.asdict(self)

    @property
    def stale_after(self) -> dt.timedelta:
        return dt.timedelta(seconds=self.stale_s)


# -- the run's configuration, stored with the run ------------------------------


def run_files(cfg: Config) -> dict[str, tuple[str, str]]:
    """The files ``cfg`` names that a job needs, as the coordinator reads
    them: the rubric, and each rules file its checks' parameters name
    (``CHECK.PARAM``). Stored with the run (``Store.put_run_files``)."""
    path = cfg.rubric_path()
    files = {RUBRIC: (str(path), path.read_text(encoding="utf-8"))}
    rubric = load_rubric(path)
    for cid, entry in rubric.checks.items():
        for key, value in entry.params.items():
            if key.endswith("_file") and isinstance(value, str):
                p = Path(value)
                files[f"{cid}.{key}"] = (str(p), p.read_text(encoding="utf-8"))
    return files


def load_run(store: Store, run_id: str, scratch: Path) -> tuple[Config, Rubric]:
    """The configuration and rubric stored with the run; the rules files
    are written to ``scratch`` and the rubric points at them."""
    run = store.get_run(run_id)
    if run is None:
        raise KeyError(f"no run {run_id!r} in the store")
    cfg = Config.model_validate(run.config)
    files = store.run_files(run_id)
    if RUBRIC not in files:
        return cfg, load_rubric(cfg.rubric_path())
    name, text = files[RUBRIC]
    rubric = parse_rubric(text, name)
    for key, (path, content) in files.items():
        if key == RUBRIC:
            continue
        cid, param = key.split(".", 1)
        local = scratch / f"{cid}.{param}{Path(path).suffix}"
        local.write_text(content, encoding="utf-8")
        rubric.checks[cid].params[param] = str(local)
    return cfg, rubric


# -- the job ---------------------------------------------------------------------


@dataclass
class JobResult:
    taken: bool
    state: JobState | None = None
    outcomes: list[CrawlOutcome] = dataclasses.field(default_factory=list)
    check_errors: list[str] = dataclasses.field(default_factory=list)


def run_site_job(
    store: Store,
    run_id: str,
    site_id: str,
    dispatch: str,
    settings: JobSettings,
    *,
    log_file: Path | None = None,
    worker: str | None = None,
) -> JobResult:
    owner = secrets.token_hex(16)
    worker = worker or f"{socket.gethostname()}:{os.getpid()}"
    job = store.take_site_job(run_id, site_id, dispatch, owner, worker, settings.stale_after)
    if job is None:
        log.info("site job %s/%s: done, held or superseded; nothing to do", run_id, site_id)
        return JobResult(taken=False)
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(settings.heartbeat_s):
            try:
                if not store.heartbeat_site_job(run_id, site_id, owner):
                    log.warning("site job %s/%s was taken over", run_id, site_id)
                    return
            except Exception:  # a busy database: the next beat tries again
                continue

    beater = threading.Thread(target=beat, name="site-job-heartbeat", daemon=True)
    beater.start()
    result = JobResult(taken=True)
    state, outcome, pages, error = JobState.FAILED, StageOutcome.FAILED.value, 0, None
    try:
        with tempfile.TemporaryDirectory(prefix="zwgk-job-") as scratch:
            cfg, rubric = load_run(store, run_id, Path(scratch))
            # A job taken again continues the site's generation, never starts it anew.
            recrawl = job.recrawl and job.attempts == 1
            result.outcomes = crawl(
                cfg,
                store,
                run_id,
                [site_id],
                recrawl=recrawl,
                log_file=log_file,
                parallel_sites=1,
                share=Share(
                    owner,
                    dt.timedelta(seconds=settings.lease_s),
                    settings.poll_s,
                    settings.wait_max_s,
                ),
            )
            site, links = result.outcomes[0], result.outcomes[1:]
            outcome, pages, error = site.status.value, site.pages, site.error
            worst = [o for o in links if not o.status.ok]
            if site.status.ok and worst:
                outcome, error = worst[0].status.value, worst[0].error
            if StageOutcome(outcome) is not StageOutcome.INTERRUPTED:
                result.check_errors = check(cfg, store, run_id, [site_id], rubric=rubric)
                state = JobState.DONE
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        log.error("site job %s/%s failed: %s", run_id, site_id, error)
    finally:
        stop.set()
        beater.join(timeout=5)
        store.finish_site_job(run_id, site_id, owner, state, outcome, pages, error)
    result.state = state
    return result


_FORK_LOCK = threading.Lock()


def _child(argv: list[str], output: str) -> None:
    fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    sys.exit(main(argv))


def run_job_process(argv: list[str]) -> tuple[int, str]:
    """Run ``main(argv)`` in a process of its own and wait for it; returns
    its exit status (negative: the signal that killed it) and the last line
    it wrote. The process is forked from a fork server that has imported
    what a job needs (``zwgk.jobs.preload``) but started no reactor, so each
    job still gets a fresh one; it dies with its parent (``main``)."""
    import multiprocessing

    ctx = multiprocessing.get_context("forkserver")
    with _FORK_LOCK:
        ctx.set_forkserver_preload(["zwgk.jobs.preload"])
    with tempfile.NamedTemporaryFile(prefix="zwgk-job-", suffix=".log") as out:
        argv = [*argv, "--owner-pid", str(os.getpid())]
        proc = ctx.Process(target=_child, args=(argv, out.name), daemon=False)
        with _FORK_LOCK:
            proc.start()
        proc.join()
        text = Path(out.name).read_text(encoding="utf-8", errors="replace")
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return proc.exitcode if proc.exitcode is not None else -1, (lines[-1] if lines else "")


def main(argv: list[str] | None = None) -> int:
    """``python -m zwgk.jobs.site --db URL --run ID --site ID --dispatch TOKEN``:
    exit 0 when the job ran to its end (whatever the site's findings) or
    had nothing to do, 1 otherwise."""
    p = argparse.ArgumentParser(prog="python -m zwgk.jobs.site")
    p.add_argument("--db", required=True)
    p.add_argument("--run", required=True)
    p.add_argument("--site", required=True)
    p.add_argument("--dispatch", required=True)
    p.add_argument("--settings", default="{}", help="JobSettings as JSON")
    p.add_argument("--log", type=Path, default=None, help="Scrapy's log file")
    p.add_argument("--worker", default=None)
    p.add_argument("--owner-pid", type=int, default=None, help="die when this process does")
    a = p.parse_args(argv)
    die_with_parent(a.owner_pid)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger("zwgk").handlers[:] = [handler]
    logging.getLogger("zwgk").setLevel(logging.INFO)
    logging.getLogger("zwgk").propagate = False
    settings = JobSettings(**json.loads(a.settings))
    # Migrated already by the coordinator or the worker that started this job.
    store = Store(a.db, migrate=False)
    try:
        with log_to(a.log) if a.log is not None else nullcontext():
            # The job's stage lines (zwgk.stages) go to Scrapy's log file too.
            res = run_site_job(
                store, a.run, a.site, a.dispatch, settings, log_file=a.log, worker=a.worker
            )
    finally:
        store.dispose()
    return 0 if not res.taken or res.state is JobState.DONE else 1


if __name__ == "__main__":
    sys.exit(main())


__all__: list[Any] = ["JobResult", "JobSettings", "load_run", "main", "run_files", "run_site_job"]
