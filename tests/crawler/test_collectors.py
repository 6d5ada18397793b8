"""The crawl stage's collectors, and the per-stage store they write to."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tests.conftest import crawl_into, make_config, page
from zwgk.crawler import collectors
from zwgk.crawler.collectors import Collector, Scope, registry
from zwgk.runner import LINKS
from zwgk.store import Store
from zwgk.store.crawl import CrawlStore
from zwgk.store.linkcheck import LinkCheckStore
from zwgk.store.models import Base
from zwgk.store.results import ResultStore
from zwgk.store.runs import RunStore
from zwgk.vocab import StageOutcome


def test_registry_is_portal_ipv6_then_linkcheck() -> None:
    found = registry()
    assert [(c.id, c.scope) for c in found] == [
        ("portal", Scope.SITE),
        ("ipv6", Scope.SITE),
        ("linkcheck", Scope.RUN),
    ]
    assert [c.spider.name for c in found] == ["portal", "ipv6", "linkcheck"]
    assert found[2].label == LINKS


def test_collectors_own_disjoint_existing_tables() -> None:
    owned = [t for c in registry() for t in c.tables]
    assert len(owned) == len(set(owned))
    assert set(owned) <= set(Base.metadata.tables)
    assert set(owned) == {
        "pages",
        "links",
        "list_items",
        "ipv6_sites",
        "ipv6_probes",
        "url_checks",
        "link_cache",
    }


def test_outcome_of_close_reason() -> None:
    for c in registry():
        assert c.outcome("finished") is StageOutcome.CRAWLED
        assert c.outcome("shutdown") is StageOutcome.INTERRUPTED


def test_portal_complete_only_once_finished(store: Store) -> None:
    portal, _, linkcheck = registry()
    cfg = make_config()
    assert not portal.completed(store, "2026-11", "demo")
    store.ensure_run("2026-11", cfg.evaluation.as_of, cfg.evaluation.start, {})
    store.begin_site_crawl("2026-11", "demo", "x", "http://www.demo.gov.test/", resume=False)
    assert not portal.completed(store, "2026-11", "demo")  # killed midway: resumed
    crawl_into(store, cfg, [page("http://www.demo.gov.test/", is_home=True, depth=0)])
    assert portal.completed(store, "2026-11", "demo")
    assert portal.pages(store, "2026-11", "demo") == 1
    assert not linkcheck.completed(store, "2026-11", None)  # resumes by skipping checked URLs
    args = portal.spider_args(cfg, store, "2026-11", "demo", recrawl=True)
    assert args["resume"] is False and args["site"] == "demo"


def test_ipv6_complete_only_once_finished(store: Store) -> None:
    _, ipv6, _ = registry()
    cfg = make_config()
    crawl_into(store, cfg, [page("http://www.demo.gov.test/", is_home=True, depth=0)])
    assert not ipv6.completed(store, "2026-11", "demo")
    store.begin_ipv6(
        "2026-11", "demo", home_url="http://www.demo.gov.test/", home_host="www.demo.gov.test"
    )
    assert not ipv6.completed(store, "2026-11", "demo")  # killed midway: run again
    store.finish_ipv6("2026-11", "demo", {})
    assert ipv6.completed(store, "2026-11", "demo")
    # Begun again (a forced re-crawl), the old probe is gone until it finishes.
    store.begin_ipv6(
        "2026-11", "demo", home_url="http://www.demo.gov.test/", home_host="www.demo.gov.test"
    )
    assert not ipv6.completed(store, "2026-11", "demo")


def test_per_run_collector_declared_before_a_per_site_one_is_refused() -> None:
    class Early(Collector):
        id, order, scope, tables = "early", 1, Scope.RUN, ()

    collectors.register(Early)
    try:
        with pytest.raises(ValueError, match="per-run collector is declared before"):
            registry()
    finally:
        del collectors._REGISTRY["early"]


def test_store_is_its_stages(tmp_path: Path) -> None:
    for part in (RunStore, CrawlStore, LinkCheckStore, ResultStore):
        assert issubclass(Store, part)
    crawl_only = CrawlStore(str(tmp_path / "c.db"))
    assert crawl_only.crawl_state("2026-11", "demo", 1) == (set(), [])
    crawl_only.dispose()


def test_migrations_match_the_models(tmp_path: Path) -> None:
    """What ``alembic check`` asserts: the migrated schema is the models' schema."""
    s = Store(str(tmp_path / "m.db"))
    with s.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    s.dispose()
