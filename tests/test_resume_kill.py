"""A run killed with SIGKILL and continued ends with the findings of an
uninterrupted run: killed mid-crawl (the Hanweb list's list-data requests
still pending) and killed mid-link-verification.

Site qinghe of the sample portal is the one with a script-loaded (Hanweb
jpage) list, whose items only the list-data requests bring.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.crawler.test_crawl import REPO, write_config, zwgk
from zwgk.sample import SamplePortal

SITE = "qinghe"


def findings(out: Path) -> set[tuple[str, str, str, str | None]]:
    data = json.loads((out / "2026-11" / "findings.json").read_text(encoding="utf-8"))
    return {(f["site"], f["check"], f["rule"], f["url"]) for f in data}


def count(db: Path, sql: str) -> int:
    try:
        with sqlite3.connect(db) as c:
            return int(c.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:  # not created or not migrated yet
        return 0


CURRENT = (
    "SELECT p.url FROM pages p JOIN site_runs r ON r.run_id = p.run_id "
    "AND r.site_id = p.site_id AND r.generation = p.generation"
)


def current_urls(db: Path) -> set[str]:
    with sqlite3.connect(db) as c:
        return {u for (u,) in c.execute(CURRENT)}


def kill_when(db: Path, sql: str, at_least: int, args: list[str], timeout: float = 120) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "zwgk", "run", *args, "--no-progress"],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + timeout
    try:
        while count(db, sql) < at_least:
            assert proc.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline, f"{sql} never reached {at_least}"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


@pytest.fixture(scope="module")
def portal() -> Iterator[SamplePortal]:
    with SamplePortal() as p:
        yield p


@pytest.fixture(scope="module")
def reference(
    portal: SamplePortal, tmp_path_factory: pytest.TempPathFactory
) -> tuple[set[str], set]:
    tmp = tmp_path_factory.mktemp("ref")
    cfg = write_config(portal, tmp / "sites.yaml", delay_s=0.05, concurrency_per_host=1)
    db, out = tmp / "z.db", tmp / "out"
    r = zwgk("run", "--config", str(cfg), "--db", str(db), "--out", str(out), "--site", SITE,
             "--no-progress")  # fmt: skip
    assert r.returncode == 0, r.stderr
    pages = current_urls(db)
    items = count(db, "SELECT count(*) FROM list_items")
    assert len(pages) > 20 and items > 0
    return pages, findings(out)


@pytest.mark.parametrize("stage", ["crawl", "linkcheck"])
def test_killed_run_continues_to_the_same_findings(
    portal: SamplePortal, reference: tuple[set[str], set], tmp_path: Path, stage: str
) -> None:
    ref_pages, ref_findings = reference
    cfg = write_config(portal, tmp_path / "sites.yaml", delay_s=0.05, concurrency_per_host=1)
    db, out = tmp_path / "z.db", tmp_path / "out"
    args = ["--config", str(cfg), "--db", str(db), "--out", str(out), "--site", SITE]
    if stage == "crawl":
        # 40 % of the crawl: the Hanweb list page is stored, its list data not all.
        kill_when(db, "SELECT count(*) FROM pages", int(len(ref_pages) * 0.4), args)
        assert count(db, "SELECT count(*) FROM pages") < len(ref_pages)
    else:
        kill_when(db, "SELECT count(*) FROM url_checks", 1, args)
        assert count(db, "SELECT count(*) FROM url_checks") >= 1
    r = zwgk("run", *args, "--no-progress")
    assert r.returncode == 0, r.stderr
    got_pages = current_urls(db)
    assert got_pages == ref_pages, {"lost": ref_pages - got_pages, "extra": got_pages - ref_pages}
    got = findings(out)
    assert got == ref_findings, {"lost": ref_findings - got, "extra": got - ref_findings}
