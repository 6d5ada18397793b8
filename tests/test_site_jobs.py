"""`zwgk run --processes 2` (site jobs in two child processes) ends with what
`--processes 1` (one Scrapy process, per-run link verification) ends with:
the same findings, scores and link outcomes, every site's job done once."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

from tests.crawler.test_crawl import write_config, zwgk
from zwgk.sample import SamplePortal


def outputs(out: Path) -> tuple[set[tuple[Any, ...]], dict[str, Any]]:
    root = out / "2026-11"
    rows = json.loads((root / "findings.json").read_text(encoding="utf-8"))
    findings = {(f["site"], f["check"], f["rule"], f["url"]) for f in rows}
    scores = json.loads((root / "scores.json").read_text(encoding="utf-8"))
    by_site = {s["site"]: (s["score"], s["verdict"], s["vetoed"]) for s in scores}
    return findings, by_site


def rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as c:
        return list(c.execute(sql))


def test_processes_2_matches_processes_1(tmp_path: Path) -> None:
    with SamplePortal() as portal:
        cfg = write_config(portal, tmp_path / "sites.yaml")
        results = {}
        for n in (1, 2):
            out, db = tmp_path / f"out{n}", tmp_path / f"z{n}.db"
            r = zwgk(
                "run", "--config", str(cfg), "--db", str(db), "--out", str(out),
                "--run", "2026-11", "--no-progress", "--processes", str(n),
            )  # fmt: skip
            assert r.returncode == 0, r.stderr
            results[n] = outputs(out), set(rows(db, "SELECT url, outcome FROM url_checks"))
            # The cron line counts what the crawls transferred, in jobs too.
            assert re.search(r"[\d.]+ [KM]?B downloaded in [1-9]\d* responses", r.stdout), r.stdout
    (f1, s1), checks1 = results[1]
    (f2, s2), checks2 = results[2]
    assert f1, "the sample has planted defects"
    assert f2 == f1, {"lost": f1 - f2, "extra": f2 - f1}
    assert s2 == s1
    assert checks2 == checks1
    db = tmp_path / "z2.db"
    jobs = rows(db, "SELECT site_id, state, attempts FROM site_jobs ORDER BY site_id")
    assert jobs == [(s, "done", 1) for s in ("hanshan", "lanhai", "qinghe")]
    assert rows(db, "SELECT count(*) FROM claims") == [(0,)], "every claim released"
    # The files the config names were stored with the run.
    assert {n for (n,) in rows(db, "SELECT name FROM run_files")} >= {"rubric"}
    # One process: no site jobs at all.
    assert rows(tmp_path / "z1.db", "SELECT count(*) FROM site_jobs") == [(0,)]
