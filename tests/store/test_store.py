"""The store: migrations, generations (atomic replacement) and resume state."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from sqlalchemy import create_engine, inspect, text

from tests.conftest import crawl_into, link, list_item, list_page, make_config, page
from zwgk.store import ListItem, Store


def test_migration_creates_every_table(db_url: str) -> None:
    s = Store(db_url)
    tables = set(inspect(s.engine).get_table_names())
    assert {
        "runs", "site_runs", "pages", "links", "list_items", "findings", "check_results", "scores"
    } <= tables  # fmt: skip
    assert "alembic_version" in tables
    # Opening again is a no-op migration, not an error.
    Store(db_url).dispose()
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


# -- list items ------------------------------------------------------------------------------


def _list(url: str, *titles: str) -> dict[str, Any]:
    return list_page(
        url,
        "通知公告",
        [list_item(t, f"{url}t{i}.html", f"2026-11-{20 - i:02d}") for i, t in enumerate(titles)],
        placeholder="暂无数据",
        total=len(titles),
    )


def test_list_items_are_stored_with_their_page(store: Store) -> None:
    cfg = make_config()
    crawl_into(
        store,
        cfg,
        [
            page("http://www.demo.gov.test/", is_home=True, depth=0),
            _list("http://www.demo.gov.test/zwgk/tzgg/", "甲", "乙"),
            list_page("http://www.demo.gov.test/zwgk/kong/", "空白栏目", []),
        ],
    )
    pages = {p.url: p for p in store.pages("2026-11", "demo")}
    items = store.list_items("2026-11", "demo")
    tzgg = pages["http://www.demo.gov.test/zwgk/tzgg/"]
    assert [(i.page_id, i.page_url, i.column, i.position, i.title, i.date) for i in items] == [
        (tzgg.id, tzgg.final_url, "通知公告", 0, "甲", "2026-11-20"),
        (tzgg.id, tzgg.final_url, "通知公告", 1, "乙", "2026-11-19"),
    ]
    assert items[0].date_precision == "day" and items[0].pinned is False
    assert tzgg.meta["list"] == {
        "column": "通知公告",
        "column_from": "meta",
        "source": "static",
        "dynamic": False,
        "blank": False,
        "placeholder": "暂无数据",
        "total": 2,
    }
    assert pages["http://www.demo.gov.test/zwgk/kong/"].meta["list"]["blank"] is True
    assert "list" not in pages["http://www.demo.gov.test/"].meta


def test_recrawl_replaces_list_items_and_resume_keeps_them(store: Store) -> None:
    cfg = make_config()
    url = "http://www.demo.gov.test/zwgk/tzgg/"
    crawl_into(store, cfg, [_list(url, "旧一", "旧二")])
    # A re-crawl in progress: the old items stay current …
    gen, _ = store.begin_site_crawl("2026-11", "demo", "x", cfg.sites[0].home, resume=True)
    store.add_pages("2026-11", "demo", gen, [_list(url, "新")])
    assert [i.title for i in store.list_items("2026-11", "demo")] == ["旧一", "旧二"]
    # … a killed crawl resumes the same generation, its items kept …
    gen2, resumed = store.begin_site_crawl("2026-11", "demo", "x", cfg.sites[0].home, resume=True)
    assert (gen2, resumed) == (gen, True)
    store.add_pages("2026-11", "demo", gen, [_list("http://www.demo.gov.test/zwgk/b/", "另")])
    # … and finishing swaps them in, the old generation's gone.
    store.finish_site_crawl("2026-11", "demo", gen, {})
    assert [i.title for i in store.list_items("2026-11", "demo")] == ["新", "另"]
    with store.Session() as s:
        assert s.query(ListItem).count() == 2


def test_abandoned_generation_list_items_are_dropped(store: Store) -> None:
    cfg = make_config()
    store.ensure_run("2026-11", cfg.evaluation.as_of, cfg.evaluation.start, {})
    gen, _ = store.begin_site_crawl("2026-11", "demo", "x", cfg.sites[0].home, resume=True)
    store.add_pages("2026-11", "demo", gen, [_list("http://www.demo.gov.test/a/", "弃")])
    store.begin_site_crawl("2026-11", "demo", "x", cfg.sites[0].home, resume=False)
    with store.Session() as s:
        assert s.query(ListItem).count() == 0


def test_script_loaded_records_continue_their_list(store: Store) -> None:
    cfg = make_config()
    url = "http://www.demo.gov.test/col/col1/index.html"
    store.ensure_run("2026-11", cfg.evaluation.as_of, cfg.evaluation.start, {})
    gen, _ = store.begin_site_crawl("2026-11", "demo", "x", cfg.sites[0].home, resume=False)
    store.add_pages("2026-11", "demo", gen, [_list(url, "一", "二")])
    later = [{"position": 2, **list_item("三", "http://www.demo.gov.test/art/3.html", "2026-10")}]
    store.add_links("2026-11", "demo", gen, url, [], later)
    store.finish_site_crawl("2026-11", "demo", gen, {})
    items = store.list_items("2026-11", "demo")
    assert [(i.title, i.position, i.column, i.date_precision) for i in items] == [
        ("一", 0, "通知公告", "day"),
        ("二", 1, "通知公告", "day"),
        ("三", 2, "通知公告", "month"),
    ]
    assert store.links("2026-11", "demo") == []


def test_migration_upgrades_a_0002_database(db_url: str) -> None:
    from alembic import command
    from alembic.config import Config as AlembicConfig

    from zwgk.store.db import MIGRATIONS

    url = db_url
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(cfg, "0002")
    engine = create_engine(url)
    with engine.begin() as conn:
        assert "list_items" not in inspect(conn).get_table_names()
        conn.execute(
            text(
                "INSERT INTO runs (id, as_of, period_start, status, created_at, config) "
                "VALUES ('2026-10', '2026-10-31', '2026-01-01', 'done', '2026-10-31', '{}')"
            )
        )
    engine.dispose()
    s = Store(url)
    insp = inspect(s.engine)
    cols = {c["name"] for c in insp.get_columns("list_items")}
    assert cols == {
        "id", "run_id", "site_id", "generation", "page_id", "page_url", "column", "position",
        "title", "url", "date", "date_text", "date_precision", "pinned",
    }  # fmt: skip
    assert {ix["name"] for ix in insp.get_indexes("list_items")} == {"ix_list_items_site"}
    assert s.get_run("2026-10") is not None  # the old data survives the upgrade
    with s.engine.connect() as conn:
        head = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert head == sorted(p.name[:4] for p in (MIGRATIONS / "versions").glob("0*.py"))[-1]
    assert {"ipv6_sites", "ipv6_probes"} <= set(insp.get_table_names())
    # The fresh schema and the migrated one agree (what autogenerate would see).
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from zwgk.store.models import Base

    with s.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    s.dispose()


def test_resume_frontier_keeps_the_stored_order_after_rows_move(store: Store) -> None:
    """The frontier follows the order the links were stored in, not the order
    a scan returns rows in: on PostgreSQL, CLUSTER (or VACUUM FULL) rewrites
    a table in another order, which SQLite's rowid tables never do."""
    cfg = make_config()
    store.ensure_run("2026-11", cfg.evaluation.as_of, cfg.evaluation.start, {})
    gen, _ = store.begin_site_crawl("2026-11", "demo", "x", cfg.sites[0].home, resume=True)
    targets = [f"http://www.demo.gov.test/{n}.html" for n in ("d", "a", "c", "b")]
    store.add_pages(
        "2026-11",
        "demo",
        gen,
        [page("http://www.demo.gov.test/", depth=0, links=[link(u, "链接") for u in targets])],
    )
    if store.engine.dialect.name == "postgresql":
        with store.engine.connect() as conn:
            # The table rewritten in URL order, its statistics refreshed.
            conn.execute(text("CLUSTER links USING ix_links_url"))
            conn.execute(text("ANALYZE links"))
            conn.commit()
    _, frontier = store.crawl_state("2026-11", "demo", gen)
    assert [url for url, _, _ in frontier] == targets


def test_revisit_basis_and_304_copies(store: Store) -> None:
    """A new run's crawl asks for the previous run's successful HTML pages with
    validators, and a 304 copy of one is the stored page, links and list items
    included, without what Hanweb's list data added to it (asked for again)."""
    cfg = make_config()
    home, col = "http://www.demo.gov.test/", "http://www.demo.gov.test/col/col1/index.html"
    job = {"proxy": "http://www.demo.gov.test/dataproxy.jsp", "params": {}, "per_page": 2,
           "have": 2, "total": 3}  # fmt: skip
    listed = _list(col, "一", "二")
    listed["meta"] = {**listed["meta"], "list_jobs": [job], "list_page_items": 2}
    listed["etag"] = '"c1"'
    modified = "Sun, 01 Nov 2026 00:00:00 GMT"
    links = [link(col, "栏目"), link("http://www.demo.gov.test/a.pdf", "附件")]
    pages = [
        page(home, depth=0, is_home=True, etag='"h1"', last_modified=modified, title="首页",
             links=links),
        listed,
        page("http://www.demo.gov.test/gone.html", status=404, etag='"g"'),
        page("http://www.demo.gov.test/plain.txt", content_type="text/plain", etag='"t"'),
        page("http://www.demo.gov.test/novalidators.html"),
    ]  # fmt: skip
    crawl_into(store, cfg, pages)
    # What the list data added after the page was stored.
    later = [{"position": 2, **list_item("三", "http://www.demo.gov.test/art/3.html", "2026-10")}]
    sr = store.site_run("2026-11", "demo")
    assert sr is not None
    proxy_link = {
        **link("http://www.demo.gov.test/art/3.html", "三"),
        "generated_by": "hanweb_proxy",
    }
    store.add_links("2026-11", "demo", sr.generation, col, [proxy_link], later)

    basis = store.revisit_basis("2026-12", "demo")
    assert set(basis) == {home, col}
    assert (basis[home].etag, basis[home].last_modified) == (
        '"h1"',
        "Sun, 01 Nov 2026 00:00:00 GMT",
    )
    assert [lk["url"] for lk in basis[home].links] == [col, "http://www.demo.gov.test/a.pdf"]
    assert basis[col].links == [] and basis[col].list_jobs == [job]

    store.ensure_run("2026-12", cfg.evaluation.as_of, cfg.evaluation.start, {})
    gen, _ = store.begin_site_crawl("2026-12", "demo", "x", home, resume=False)
    copies = [
        {"url": u, "final_url": u, "fetch_status": "ok", "depth": d, "is_home": u == home,
         "copy_of": basis[u].id, "not_modified": True, "etag": basis[u].etag}
        for u, d in ((home, 0), (col, 1))
    ]  # fmt: skip
    store.add_pages("2026-12", "demo", gen, copies)
    store.finish_site_crawl(
        "2026-12", "demo", gen, {}, {"bytes_received": 1234, "responses": 3, "not_modified": 2}
    )
    new = {p.url: p for p in store.pages("2026-12", "demo")}
    old = {p.url: p for p in store.pages("2026-11", "demo")}
    for u in (home, col):
        assert new[u].not_modified and not old[u].not_modified
        for attr in ("status", "title", "meta", "text", "content_type", "size", "encoding"):
            assert getattr(new[u], attr) == getattr(old[u], attr), (u, attr)
    assert [(lk.source_url, lk.url, lk.on_home) for lk in store.links("2026-12", "demo")] == [
        (home, col, True),
        (home, "http://www.demo.gov.test/a.pdf", True),
    ]
    assert [i.title for i in store.list_items("2026-12", "demo")] == ["一", "二"]
    sr = store.site_run("2026-12", "demo")
    assert sr is not None and (sr.bytes_received, sr.responses, sr.not_modified) == (1234, 3, 2)
    # A re-crawl of the run asks against the run's own current generation.
    again = store.revisit_basis("2026-12", "demo")
    assert set(again) == {home, col} and again[home].id == new[home].id


def test_a_304_copy_whose_source_is_gone_is_an_error(store: Store) -> None:
    cfg = make_config()
    crawl_into(store, cfg, [page("http://www.demo.gov.test/", etag='"x"')])
    basis = store.revisit_basis("2026-12", "demo")
    store.ensure_run("2026-12", cfg.evaluation.as_of, cfg.evaluation.start, {})
    gen, _ = store.begin_site_crawl("2026-12", "demo", "x", cfg.sites[0].home, resume=False)
    # Another process re-crawls 2026-11 meanwhile: the source page is deleted.
    crawl_into(store, cfg, [page("http://www.demo.gov.test/other.html")])
    home = "http://www.demo.gov.test/"
    row = {"url": home, "final_url": home, "fetch_status": "ok", "depth": 0,
           "copy_of": basis[home].id}  # fmt: skip
    store.add_pages("2026-12", "demo", gen, [row])
    store.finish_site_crawl("2026-12", "demo", gen, {})
    (p,) = store.pages("2026-12", "demo")
    assert p.fetch_status == "error" and not p.not_modified and "304" in (p.error or "")


def test_migration_history_is_one_line() -> None:
    """Two branches that each add a migration on the same parent merge into two heads;
    `upgrade head` then refuses every store. One head, and each revision's parent is the
    one before it, so the file order is the upgrade order."""
    from alembic.script import ScriptDirectory

    from zwgk.store.db import MIGRATIONS

    script = ScriptDirectory(str(MIGRATIONS))
    assert len(script.get_heads()) == 1, script.get_heads()
    revisions = sorted(script.walk_revisions(), key=lambda r: r.revision)
    for before, after in pairwise(revisions):
        assert after.down_revision == before.revision, after.revision
