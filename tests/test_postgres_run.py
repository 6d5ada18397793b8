"""The whole pipeline on PostgreSQL: `zwgk run --db postgresql+psycopg://…` on
the bundled sample province finds what the same run on SQLite finds; a
second run on the same store fetches nothing again, and a crawl killed with
SIGKILL continues without fetching its stored pages again, as on SQLite.

The server is a real one the tests start (tests/pg.py); the store tests
(tests/store) run on it too.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from tests.crawler.test_crawl import REPO, ok_urls, write_config, zwgk
from zwgk.sample import SamplePortal
from zwgk.store import Store

Finding = tuple[str, str, str, str | None]


def run(cfg: Path, db: str, out: Path) -> set[Finding]:
    r = zwgk(
        "run", "--config", str(cfg), "--db", db, "--out", str(out), "--run", "2026-11",
        "--no-progress",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    rows: list[dict[str, Any]] = json.loads(
        (out / "2026-11" / "findings.json").read_text(encoding="utf-8")
    )
    return {(f["site"], f["check"], f["rule"], f["url"]) for f in rows}


def site_states(url: str) -> dict[str, tuple[str, int, int]]:
    s = Store(url, migrate=False)
    try:
        return {sr.site_id: (sr.status, sr.generation, sr.pages) for sr in s.site_runs("2026-11")}
    finally:
        s.dispose()


def test_sample_run_on_postgresql_matches_sqlite(tmp_path: Path, pg_url: str) -> None:
    sqlite_url = f"sqlite:///{tmp_path / 'z.db'}"
    with SamplePortal() as portal:
        cfg = write_config(portal, tmp_path / "sites.yaml")
        on_sqlite = run(cfg, sqlite_url, tmp_path / "out-sqlite")
        on_pg = run(cfg, pg_url, tmp_path / "out-pg")
        assert on_sqlite, "the sample has planted defects: no findings means no run"
        assert on_pg == on_sqlite
        # The run really wrote to PostgreSQL.
        engine = create_engine(pg_url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM pages")).scalar_one() > 0
            assert conn.execute(text("SELECT count(*) FROM findings")).scalar_one() == len(
                json.loads((tmp_path / "out-pg" / "2026-11" / "findings.json").read_text("utf-8"))
            )
        engine.dispose()
        assert site_states(pg_url) == site_states(sqlite_url)

        # A second run of the same run id: every site is crawled already, so
        # nothing is fetched again and the checks re-evaluate what is stored.
        before = len(portal.requests)
        again = run(cfg, pg_url, tmp_path / "out-pg-2")
        assert len(portal.requests) == before, "nothing fetched again"
        assert again == on_sqlite
        assert site_states(pg_url) == site_states(sqlite_url)


def _wait_for_pages(url: str, n: int, timeout: float = 60) -> None:
    engine = create_engine(url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            try:
                with engine.connect() as conn:
                    if conn.execute(text("SELECT count(*) FROM pages")).scalar_one() >= n:
                        return
            except (OperationalError, ProgrammingError):  # not migrated yet
                pass
            time.sleep(0.05)
    finally:
        engine.dispose()
    raise AssertionError(f"fewer than {n} pages stored in {timeout}s")


def test_killed_crawl_on_postgresql_resumes_without_refetching(tmp_path: Path, pg_url: str) -> None:
    with SamplePortal() as portal:
        cfg = write_config(portal, tmp_path / "sites.yaml", delay_s=0.25, concurrency_per_host=1)
        args = ["--config", str(cfg), "--db", pg_url, "--out", str(tmp_path / "out")]
        args += ["--site", "lanhai", "--no-progress"]
        proc = subprocess.Popen(
            [sys.executable, "-m", "zwgk", "run", *args],
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        _wait_for_pages(pg_url, 5)
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=60)
        assert proc.returncode == -signal.SIGKILL

        def fetched() -> Counter[str]:
            return Counter(r[2] for r in portal.requests if r[0] == "GET" and r[2] != "/robots.txt")

        first = fetched()
        assert sum(first.values()) < len(portal.expected_pages("lanhai")), "killed mid-crawl"

        # The rest without the delay that let the kill land mid-crawl.
        write_config(portal, tmp_path / "sites.yaml", delay_s=0)
        r = zwgk("run", *args)
        assert r.returncode == 0, r.stderr
        store = Store(pg_url)
        try:
            assert portal.expected_pages("lanhai") <= ok_urls(store, "lanhai")
            urls = [p.url for p in store.pages("2026-11", "lanhai")]
            assert len(urls) == len(set(urls)), "no page stored twice"
        finally:
            store.dispose()
        total = fetched()
        refetched = [path for path, n in total.items() if n > 1 and first[path] >= 1]
        # At most the pages of the batch not yet written are fetched again.
        assert len(refetched) <= 50
