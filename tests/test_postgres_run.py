"""The whole pipeline on PostgreSQL: `zwgk run --db postgresql+psycopg://…` on
the bundled sample province finds what the same run on SQLite finds, and a
second run on the same store fetches nothing again, as on SQLite.

The server is a real one the tests start (tests/pg.py); the store tests
(tests/store) run on it too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from tests.crawler.test_crawl import write_config, zwgk
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
