"""Nothing lost, nothing half-written: each write that matters is one
transaction, so a failure or a kill in the middle leaves the store as it was
before that write, and the crawl continues from there.

Faults are real: a statement that fails inside the database's transaction
(an injected error in the driver's cursor), and a writer process killed with
SIGKILL while it writes. Each test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event, text

from tests.conftest import crawl_into, link, list_item, list_page, make_config, page
from zwgk.store import Store

REPO = Path(__file__).resolve().parents[2]


class Injected(Exception):
    pass


@contextmanager
def fail_on_insert(store: Store, table: str) -> Iterator[None]:
    """Make the next INSERT into ``table`` fail, as a full disk or a lost
    connection would, after the statements before it have run."""

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith(f"INSERT INTO {table.upper()} "):
            raise Injected(f"injected failure inserting into {table}")

    event.listen(store.engine, "before_cursor_execute", before)
    try:
        yield
    finally:
        event.remove(store.engine, "before_cursor_execute", before)


def counts(url: str) -> dict[str, int]:
    """Row counts as another connection sees them (what is committed)."""
    engine = create_engine(url)
    try:
        with engine.connect() as con:
            return {
                t: con.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                for t in ("pages", "links", "list_items", "findings", "check_results")
            }
    finally:
        engine.dispose()


@pytest.mark.parametrize("table", ["links", "list_items"])
def test_a_page_batch_is_stored_whole_or_not_at_all(db_url: str, table: str) -> None:
    store = Store(db_url)
    cfg = make_config()
    store.ensure_run("2026-11", cfg.evaluation.as_of, cfg.evaluation.start, {})
    gen, _ = store.begin_site_crawl("2026-11", "demo", "x", "http://www.demo.gov.test/", True)
    store.add_pages("2026-11", "demo", gen, [page("http://www.demo.gov.test/", depth=0)])
    before = counts(db_url)
    batch = [
        list_page(
            "http://www.demo.gov.test/list/",
            "通知公告",
            [list_item("甲", "http://www.demo.gov.test/a.html", "2026-10-01")],
            links=[link("http://www.demo.gov.test/a.html", "甲")],
        )
    ]
    with fail_on_insert(store, table), pytest.raises(Exception, match="injected failure"):
        store.add_pages("2026-11", "demo", gen, batch)
    # The page row went in first; its rollback takes it out again, so a
    # resumed crawl fetches the page anew instead of trusting a page
    # stored without its links.
    assert counts(db_url) == before
    seen, _ = store.crawl_state("2026-11", "demo", gen)
    assert "http://www.demo.gov.test/list/" not in seen
    # The same write succeeds once the fault is gone.
    store.add_pages("2026-11", "demo", gen, batch)
    after = counts(db_url)
    assert (after["pages"], after["links"], after["list_items"]) == (
        before["pages"] + 1,
        before["links"] + 1,
        before["list_items"] + 1,
    )
    store.dispose()


def test_a_failed_check_result_keeps_the_previous_one(db_url: str) -> None:
    store = Store(db_url)
    crawl_into(store, make_config(), [page("http://www.demo.gov.test/", is_home=True, depth=0)])
    finding = {
        "rule": "section_missing",
        "severity": "fail",
        "message": "信息公开专栏缺少“信息公开指南”栏目",
        "url": "http://www.demo.gov.test/",
        "source_url": None,
        "evidence": {},
    }
    store.replace_check_result("2026-11", "demo", "structure", "1.0", "fail", {}, [finding])
    with fail_on_insert(store, "findings"), pytest.raises(Exception, match="injected failure"):
        store.replace_check_result("2026-11", "demo", "structure", "1.0", "pass", {}, [finding])
    # The delete of the old result ran before the failing insert, and was
    # rolled back with it: the scorecard still has the last complete result.
    (result,) = store.check_results("2026-11")
    assert result.status == "fail"
    assert [f.rule for f in store.findings("2026-11", "demo")] == ["section_missing"]
    store.dispose()


WRITER = textwrap.dedent(
    """
    import sys
    from zwgk.store import Store
    from tests.conftest import link, make_config, page

    store = Store(sys.argv[1])
    cfg = make_config()
    store.ensure_run("2026-11", cfg.evaluation.as_of, cfg.evaluation.start, {})
    gen, _ = store.begin_site_crawl("2026-11", "demo", "x", "http://www.demo.gov.test/", True)
    n = 0
    while True:
        batch = []
        for _ in range(BATCH):
            n += 1
            links = [link(f"http://www.demo.gov.test/p{n}/{k}.html", "链接") for k in range(LINKS)]
            batch.append(page(f"http://www.demo.gov.test/p{n}.html", links=links))
        store.add_pages("2026-11", "demo", gen, batch)
        print(n, flush=True)
    """
)
BATCH, LINKS = 40, 25


def test_a_writer_killed_mid_write_leaves_whole_batches_and_resumes(db_url: str) -> None:
    code = WRITER.replace("BATCH", str(BATCH)).replace("LINKS", str(LINKS))
    proc = subprocess.Popen(
        [sys.executable, "-c", code, db_url],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        assert proc.stdout is not None
        # Let several batches commit, then kill it without warning: the
        # kill lands while a batch is being written or between two.
        for _ in range(5):
            assert proc.stdout.readline(), "the writer died before writing"
        time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()
    engine = create_engine(db_url)
    try:
        with engine.connect() as con:
            if engine.dialect.name == "sqlite":
                assert con.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
            pages = con.execute(text("SELECT count(*) FROM pages")).scalar_one()
            per_page = con.execute(
                text(
                    "SELECT p.id, count(l.id) FROM pages p LEFT JOIN links l ON l.page_id = p.id "
                    "GROUP BY p.id"
                )
            ).all()
    finally:
        engine.dispose()
    assert pages >= 5 * BATCH and pages % BATCH == 0
    assert {n for _, n in per_page} == {LINKS}
    # The crawl continues in the same generation with what was stored.
    store = Store(db_url)
    gen, resumed = store.begin_site_crawl(
        "2026-11", "demo", "x", "http://www.demo.gov.test/", resume=True
    )
    assert (gen, resumed) == (1, True)
    seen, frontier = store.crawl_state("2026-11", "demo", gen)
    assert len(seen) == pages
    assert len(frontier) == pages * LINKS
    store.dispose()
