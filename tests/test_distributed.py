"""Distributed mode end to end: a real redis-server, a real PostgreSQL store,
two `zwgk worker` processes and `zwgk run --broker`; one worker is killed
with SIGKILL while its site job is mid-crawl. The run still completes: every
site done once (one current generation, no page stored twice, the killed
site's job taken a second time), with the findings and scores of a run on
one machine."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from tests.crawler.test_crawl import REPO, write_config, zwgk
from tests.redis import RedisServer
from tests.test_site_jobs import outputs
from zwgk.sample import SamplePortal

# Short timings, so that the killed job is swept back within seconds.
JOB_ENV = {
    "ZWGK_JOB_LEASE_S": "4",
    "ZWGK_JOB_STALE_S": "5",
    "ZWGK_JOB_HEARTBEAT_S": "0.5",
    "ZWGK_JOB_POLL_S": "0.3",
}


def _env() -> dict[str, str]:
    return {**os.environ, **JOB_ENV, "PYTHONPATH": str(REPO)}


def _worker(db: str, broker: str, log: Path) -> subprocess.Popen[bytes]:
    log.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [sys.executable, "-m", "zwgk", "worker", "--db", db, "--broker", broker,
         "--concurrency", "1", "--visibility-timeout", "5", "--log-dir", str(log.parent)],
        cwd=REPO,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )  # fmt: skip


def _query(url: str, sql: str) -> list[Any]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql)))
    except (OperationalError, ProgrammingError):  # not migrated yet
        return []
    finally:
        engine.dispose()


def _wait_mid_crawl(url: str, worker: str, coordinator: subprocess.Popen[str]) -> str:
    """The site the named worker is crawling, once it has stored pages."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert coordinator.poll() is None, coordinator.communicate()[1]
        rows = _query(
            url,
            "SELECT j.site_id, count(p.id) FROM site_jobs j JOIN pages p "
            "ON p.run_id = j.run_id AND p.site_id = j.site_id "
            f"WHERE j.state = 'running' AND j.worker = '{worker}' GROUP BY j.site_id",
        )
        for site_id, pages in rows:
            if pages >= 5:
                return str(site_id)
        time.sleep(0.1)
    raise AssertionError(f"worker {worker} never stored pages of a site")


def test_two_workers_one_killed_mid_job(
    tmp_path: Path, pg_url: str, redis_server: RedisServer
) -> None:
    with SamplePortal() as portal:
        # Slow enough per page for the kill to land mid-crawl.
        cfg = write_config(portal, tmp_path / "sites.yaml", delay_s=0.1, concurrency_per_host=1)
        ref_out = tmp_path / "ref"
        r = zwgk(
            "run", "--config", str(cfg), "--db", str(tmp_path / "ref.db"), "--out", str(ref_out),
            "--run", "2026-11", "--no-progress", "--processes", "1",
        )  # fmt: skip
        assert r.returncode == 0, r.stderr
        ref_findings, ref_scores = outputs(ref_out)

        # The store is migrated by the first worker; the second finds it at head.
        workers = [_worker(pg_url, redis_server.url, tmp_path / f"w{i}" / "worker.log")
                   for i in (1, 2)]  # fmt: skip
        out = tmp_path / "out"
        try:
            coordinator = subprocess.Popen(
                [sys.executable, "-m", "zwgk", "run", "--config", str(cfg), "--db", pg_url,
                 "--broker", redis_server.url, "--out", str(out), "--run", "2026-11",
                 "--no-progress"],
                cwd=REPO,
                env=_env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )  # fmt: skip
            victim = workers[0]
            name = f"{socket.gethostname()}:{victim.pid}"
            killed_site = _wait_mid_crawl(pg_url, name, coordinator)
            os.kill(victim.pid, signal.SIGKILL)
            victim.wait(timeout=30)
            stdout, stderr = coordinator.communicate(timeout=300)
            assert coordinator.returncode == 0, stderr
            assert "scorecards:" in stdout
        finally:
            for w in workers:
                if w.poll() is None:
                    w.terminate()
            for w in workers:
                try:
                    w.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    w.kill()

    jobs = {
        site: (state, attempts, worker)
        for site, state, attempts, worker in _query(
            pg_url, "SELECT site_id, state, attempts, worker FROM site_jobs"
        )
    }
    assert set(jobs) == {"hanshan", "lanhai", "qinghe"}
    assert all(state == "done" for state, _, _ in jobs.values()), jobs
    # The killed site was taken again, by the surviving worker; the others once.
    assert jobs[killed_site][1] == 2 and jobs[killed_site][2] != name, jobs
    assert all(a == 1 for s, (_, a, _) in jobs.items() if s != killed_site), jobs

    # One generation per site, the current one, and no page stored twice in it.
    gens = _query(pg_url, "SELECT site_id, count(DISTINCT generation) FROM pages GROUP BY site_id")
    assert dict(gens) == {"hanshan": 1, "lanhai": 1, "qinghe": 1}
    stale = _query(
        pg_url,
        "SELECT count(*) FROM pages p JOIN site_runs r ON r.run_id = p.run_id "
        "AND r.site_id = p.site_id WHERE p.generation <> r.generation",
    )
    assert stale == [(0,)]
    dupes = _query(
        pg_url, "SELECT site_id, url FROM pages GROUP BY site_id, url HAVING count(*) > 1"
    )
    assert dupes == []
    states = dict(_query(pg_url, "SELECT site_id, status FROM site_runs"))
    assert set(states.values()) == {"checked"}, states
    assert _query(pg_url, "SELECT count(*) FROM claims") == [(0,)]

    findings, scores = outputs(out)
    assert findings == ref_findings, {
        "lost": ref_findings - findings,
        "extra": findings - ref_findings,
    }
    assert scores == ref_scores
    assert json.loads((out / "2026-11" / "findings.json").read_text("utf-8"))
