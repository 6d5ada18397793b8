"""The store: migrations, generations (atomic replacement) and resume state."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect

from tests.conftest import crawl_into, link, make_config, page
from zwgk.store import Store


def test_migration_creates_every_table(tmp_path: Path) -> None:
    s = Store(str(tmp_path / "m.db"))
    tables = set(inspect(s.engine).get_table_names())
    assert {"runs", "site_runs", "pages", "links", "findings", "check_results", "scores"} <= tables
    assert "alembic_version" in tables
    # Opening again is a no-op migration, not an error.
    Store(str(tmp_path / "m.db")).dispose()
    s.dispose()


def test_recrawl_replaces_site_results_only_when_finished(store: Store) -> None:
    cfg = make_config()
    crawl_into(store, cfg, [page("http://www.demo.gov.test/", is_home=True, depth=0)])
    assert [p.url for p in store.pages("2026-11", "demo")] == ["http://www.demo.gov.test/"]

    # A second crawl that has stored pages but not finished: old results stay current.
    gen, resumed = store.begin_site_crawl(
        "2026-11", "demo", "x", "http://www.demo.gov.test/", resume=False
    )
    assert (gen, resumed) == (2, False)
    store.add_pages("2026-11", "demo", gen, [page("http://www.demo.gov.test/new.html")])
    assert [p.url for p in store.pages("2026-11", "demo")] == ["http://www.demo.gov.test/"]

    store.finish_site_crawl("2026-11", "demo", gen, {})
    assert [p.url for p in store.pages("2026-11", "demo")] == ["http://www.demo.gov.test/new.html"]
    sr = store.site_run("2026-11", "demo")
    assert sr is not None and sr.generation == 2 and sr.status == "crawled" and sr.pages == 1


def test_interrupted_crawl_resumes_same_generation_with_frontier(store: Store) -> None:
    cfg = make_config()
    store.ensure_run("2026-11", cfg.evaluation.as_of, cfg.evaluation.start, {})
    gen, _ = store.begin_site_crawl(
        "2026-11", "demo", "x", "http://www.demo.gov.test/", resume=True
    )
    store.add_pages(
        "2026-11",
        "demo",
        gen,
        [
            page(
                "http://www.demo.gov.test/",
                depth=0,
                links=[
                    link("http://www.demo.gov.test/a.html", "甲"),
                    link("http://www.demo.gov.test/b.html", "乙"),
                ],
            ),
            page("http://www.demo.gov.test/a.html"),
        ],
    )
    # The process dies here; the next run resumes.
    gen2, resumed = store.begin_site_crawl(
        "2026-11", "demo", "x", "http://www.demo.gov.test/", resume=True
    )
    assert (gen2, resumed) == (gen, True)
    seen, frontier = store.crawl_state("2026-11", "demo", gen2)
    assert "http://www.demo.gov.test/a.html" in seen
    assert frontier == [("http://www.demo.gov.test/b.html", 1, "http://www.demo.gov.test/")]


def test_fresh_crawl_drops_abandoned_generation(store: Store) -> None:
    cfg = make_config()
    store.ensure_run("2026-11", cfg.evaluation.as_of, cfg.evaluation.start, {})
    gen, _ = store.begin_site_crawl(
        "2026-11", "demo", "x", "http://www.demo.gov.test/", resume=True
    )
    store.add_pages("2026-11", "demo", gen, [page("http://www.demo.gov.test/old.html")])
    gen2, resumed = store.begin_site_crawl(
        "2026-11", "demo", "x", "http://www.demo.gov.test/", resume=False
    )
    assert resumed is False
    store.finish_site_crawl("2026-11", "demo", gen2, {})
    assert store.pages("2026-11", "demo") == []


def test_links_from_script_lists_attach_to_their_page(store: Store) -> None:
    cfg = make_config()
    store.ensure_run("2026-11", cfg.evaluation.as_of, cfg.evaluation.start, {})
    gen, _ = store.begin_site_crawl(
        "2026-11", "demo", "x", "http://www.demo.gov.test/", resume=False
    )
    store.add_pages("2026-11", "demo", gen, [page("http://www.demo.gov.test/list/")])
    store.add_links(
        "2026-11",
        "demo",
        gen,
        "http://www.demo.gov.test/list/",
        [link("http://www.demo.gov.test/art/1.html", "记录")],
    )
    store.finish_site_crawl("2026-11", "demo", gen, {})
    links = store.links("2026-11", "demo")
    assert [(lk.url, lk.source_url) for lk in links] == [
        ("http://www.demo.gov.test/art/1.html", "http://www.demo.gov.test/list/")
    ]
