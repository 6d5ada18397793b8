"""The IPv6 probe of each site (after its portal crawl, whose anchors it reuses)."""

from __future__ import annotations

from typing import Any

from zwgk.config import Config
from zwgk.crawler.collectors import Collector, Scope, register
from zwgk.crawler.spiders.ipv6 import Ipv6Spider
from zwgk.store import Store


@register
class Ipv6Collector(Collector):
    id = "ipv6"
    order = 20
    scope = Scope.SITE
    spider = Ipv6Spider
    tables = ("ipv6_sites", "ipv6_probes")
    title = "IPv6 probe of {site}"

    def completed(self, store: Store, run_id: str, site_id: str | None) -> bool:
        # A finished probe is kept; a killed one (no finished_at) is run
        # again from the start: its probes are cheap and a half-measured
        # rate would mislead.
        assert site_id is not None
        row = store.ipv6_site(run_id, site_id)
        return row is not None and row.finished_at is not None

    def spider_args(
        self, cfg: Config, store: Store, run_id: str, site_id: str | None, *, recrawl: bool
    ) -> dict[str, Any]:
        return {"site": site_id, "config": cfg, "run": run_id, "db": store}
