"""Link verification: every distinct link target of the run, once, for all sites."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from zwgk.config import Config
from zwgk.crawler.collectors import Collector, Scope, register
from zwgk.crawler.spiders.linkcheck import LinkCheckSpider
from zwgk.store import Store


@register
class LinkCheckCollector(Collector):
    # Per run, after the sites: a target the portal crawl fetched is judged
    # from the store instead of being fetched a second time.
    id = "linkcheck"
    order = 100
    scope = Scope.RUN
    spider = LinkCheckSpider
    tables = ("url_checks", "link_cache")
    label = "(links)"
    title = "link verification"

    # Never complete: run again, the spider skips the targets that already
    # have a url_checks row in the run, so a killed verification resumes.

    def spider_args(
        self, cfg: Config, store: Store, run_id: str, site_id: str | None, *, recrawl: bool
    ) -> dict[str, Any]:
        return {"config": cfg, "run": run_id, "db": store}

    # A site job verifies its site's targets that no other job holds; a
    # target another job holds is waited for (its url_checks row).

    def share(self, cfg: Config, store: Store, run_id: str, site_id: str) -> set[str]:
        return store.site_link_targets(run_id, site_id)

    def stored(self, store: Store, run_id: str, keys: Collection[str]) -> set[str]:
        return store.checked_urls(run_id) & set(keys)

    def share_args(
        self, cfg: Config, store: Store, run_id: str, keys: Collection[str]
    ) -> dict[str, Any]:
        return {"config": cfg, "run": run_id, "db": store, "only": sorted(keys)}

    # Beside the site crawls: the files (attachments, images) linked so far,
    # which the portal crawl never fetches, so that nothing is fetched twice.

    def beside_args(
        self, cfg: Config, store: Store, run_id: str, stop: Any
    ) -> dict[str, Any] | None:
        if not cfg.links.beside_crawl:
            return None
        return {"config": cfg, "run": run_id, "db": store, "beside": stop}
