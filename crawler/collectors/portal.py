"""The portal crawl: a site's home page and disclosure column, breadth-first."""

from __future__ import annotations

from typing import Any

from zwgk.config import Config
from zwgk.crawler.collectors import Collector, Scope, register
from zwgk.crawler.items import PageItem
from zwgk.crawler.spiders.portal import PortalSpider
from zwgk.store import Store
from zwgk.vocab import SiteState


@register
class PortalCollector(Collector):
    id = "portal"
    order = 10
    scope = Scope.SITE
    spider = PortalSpider
    tables = ("pages", "links", "list_items")
    title = "crawl of {site}"

    def completed(self, store: Store, run_id: str, site_id: str | None) -> bool:
        # A killed crawl leaves its site ``crawling`` in a generation not yet
        # current; started again with resume=True, it continues that
        # generation without fetching its stored pages again.
        assert site_id is not None
        sr = store.site_run(run_id, site_id)
        return sr is not None and SiteState(sr.status).crawl_done

    def spider_args(
        self, cfg: Config, store: Store, run_id: str, site_id: str | None, *, recrawl: bool
    ) -> dict[str, Any]:
        return {"site": site_id, "config": cfg, "run": run_id, "db": store, "resume": not recrawl}

    def failed(self, store: Store, run_id: str, site_id: str | None, error: str) -> None:
        assert site_id is not None
        store.fail_site(run_id, site_id, error)

    def pages(self, store: Store, run_id: str, site_id: str | None) -> int:
        assert site_id is not None
        sr = store.site_run(run_id, site_id)
        return sr.pages if sr else 0

    def counts_page(self, item: Any) -> bool:
        return isinstance(item, PageItem)
