"""The IPv6 probe of one site, as the national monitoring measures it.

Records the home host's A/AAAA records and CNAME chain and the zone's name
servers (through the shared resolver, so ``dns.nameservers`` and
``dns.hosts`` apply); fetches the home page ``ipv6.home_probes`` times over
each family; then each 2nd- and 3rd-level URL (``zwgk.crawler.ipv6``) once
over IPv4 and once over IPv6. Every fetch connects to an address of its
family (``zwgk.crawler.family``), redirects are followed on the same family,
and the network guard decides, as for every other fetch, which hosts may be
contacted. The anchors come from what the portal crawl stored when it has
the page, otherwise from the IPv4 answer itself: nothing is fetched twice
over a family for the levels.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Request, Response, TextResponse
from scrapy.utils.defer import deferred_to_future
from twisted.internet import threads
from twisted.python.failure import Failure

from zwgk.config import Config, Site
from zwgk.crawler.extract import decode_html, parse_html
from zwgk.crawler.family import CONNECTIONS, DOWNLOAD_HANDLERS, NoAddressForFamily
from zwgk.crawler.fetch import classify_failure
from zwgk.crawler.ipv6 import level_targets, link_hosts
from zwgk.crawler.items import Ipv6ProbeItem, Ipv6SiteItem
from zwgk.crawler.resolver import get_guard
from zwgk.crawler.settings import REDIRECT_MAX_TIMES
from zwgk.crawler.spiders._setup import apply_settings, install_guard, load, open_store
from zwgk.net import NameServers, Resolution
from zwgk.store import Store
from zwgk.vocab import HTML_TYPES, FetchStatus, defragment, page_ok

NO_ADDRESS = "no_address"


class Ipv6Spider(scrapy.Spider):
    name = "ipv6"

    cfg: Config
    store: Store
    site: Site

    def __init__(
        self,
        site: str | None = None,
        config: str | Config | None = None,
        run: str | None = None,
        db: str | Store | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.cfg = load(config)
        self.store = open_store(db)
        self.run_id = run or self.cfg.evaluation.as_of.strftime("%Y-%m")
        self.site = self.cfg.site(site) if site else self.cfg.sites[0]
        self.home = defragment(self.site.home)
        self.level2: list[str] | None = None
        self.level3: set[str] = set()
        self.planned3: set[str] = set()
        self.hosts: dict[str, dict[str, Any]] = {}
        self.text_stored: set[int] = set()
        # The portal crawl's pages and anchors of this site, by URL.
        self.stored_pages: dict[str, Any] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Ipv6Spider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        v6 = spider.cfg.ipv6
        apply_settings(
            crawler,
            spider.cfg,
            CONCURRENT_REQUESTS_PER_DOMAIN=v6.concurrency_per_host,
            DOWNLOAD_TIMEOUT=v6.timeout_s,
            # A failed probe is the measurement; a retry would hide it.
            RETRY_ENABLED=False,
            # Every status reaches the callback (a 404 is a measurement), while
            # redirects are still followed (meta handle_httpstatus_all would
            # stop RedirectMiddleware).
            HTTPERROR_ALLOW_ALL=True,
            REDIRECT_MAX_TIMES=REDIRECT_MAX_TIMES,
            DOWNLOAD_HANDLERS=DOWNLOAD_HANDLERS,
            ITEM_PIPELINES={"zwgk.crawler.pipelines.Ipv6Pipeline": 300},
            EXTENSIONS={"zwgk.crawler.extensions.Ipv6Collection": 100},
        )
        install_guard(spider.cfg)
        return spider

    def host_facts(self) -> dict[str, dict[str, Any]]:
        """Facts of the other hosts the probes met (for the extension to store)."""
        return self.hosts

    # -- start -----------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        if not self.cfg.ipv6.enabled:
            self.logger.info("IPv6 probe disabled (ipv6.enabled: false)")
            return
        guard = get_guard()
        assert guard is not None
        host = (urlsplit(self.home).hostname or "").lower()
        from twisted.internet import reactor

        pool = reactor.getThreadPool()
        res: Resolution = await deferred_to_future(
            threads.deferToThreadPool(reactor, pool, guard.resolver.resolve, host)
        )
        ns: NameServers = await deferred_to_future(
            threads.deferToThreadPool(reactor, pool, guard.resolver.zone_ns, host)
        )
        yield Ipv6SiteItem(
            home_url=self.home,
            home_host=host,
            a=list(res.a),
            aaaa=list(res.aaaa),
            cnames=list(res.cnames),
            dns_error=res.error.value if res.error else None,
            ns_zone=ns.zone,
            ns=[
                {"name": n, "a": list(ns.a.get(n, ())), "aaaa": list(ns.aaaa.get(n, ()))}
                for n in ns.names
            ],
            ns_known=ns.known,
            ns_error=ns.error,
            home_probes=self.cfg.ipv6.home_probes,
        )
        self._load_stored()
        home_page = self.stored_pages.get(self.home)
        if home_page is not None:
            # The portal crawl read the home page: its anchors are the 2nd level.
            for req in self._plan_level2(self._stored_links(home_page.id)):
                yield req
        for attempt in range(self.cfg.ipv6.home_probes):
            for family in (4, 6):
                yield self._probe(self.home, 1, family, attempt)

    def _load_stored(self) -> None:
        # Page rows (no body text), and links read per page when a level
        # needs them: a large portal's links would not fit in memory.
        for p in self.store.page_rows(self.run_id, self.site.id):
            # content_type is the header as sent ("text/html; charset=..."),
            # and HTML_TYPES are prefixes; no type was parsed as HTML too.
            if page_ok(p) and (p.content_type or "text/html").lower().startswith(HTML_TYPES):
                self.stored_pages.setdefault(defragment(p.url), p)
                self.stored_pages.setdefault(defragment(p.final_url), p)

    def _stored_links(self, page_id: int) -> list[dict[str, Any]]:
        return [
            {
                "url": link.url,
                "kind": link.kind,
                "element": link.element,
                "generated_by": link.generated_by,
            }
            for link in self.store.iter_links(self.run_id, self.site.id, page_ids={page_id})
        ]

    # -- planning --------------------------------------------------------------

    def _cap(self, urls: list[str], level: int) -> list[str]:
        cap = self.cfg.ipv6.max_urls_per_level
        if len(urls) > cap:
            self.logger.warning(
                "%s: level %d has %d URLs; probing the first %d",
                self.site.id,
                level,
                len(urls),
                cap,
            )
        return urls[:cap]

    def _plan_level2(self, links: list[dict[str, Any]]) -> Iterator[Request]:
        if self.level2 is not None:
            return
        self.level2 = self._cap(level_targets(links, self.site, {self.home}), 2)
        for url in self.level2:
            for family in (4, 6):
                yield self._probe(url, 2, family, 0)

    def _plan_level3(self, links: list[dict[str, Any]]) -> Iterator[Request]:
        assert self.level2 is not None
        exclude = {self.home, *self.level2, *self.planned3}
        cap = self.cfg.ipv6.max_urls_per_level
        for url in level_targets(links, self.site, exclude):
            if len(self.planned3) >= cap:
                self.logger.warning("%s: level 3 cut at %d URLs", self.site.id, cap)
                return
            self.planned3.add(url)
            for family in (4, 6):
                yield self._probe(url, 3, family, 0)

    def _probe(self, url: str, level: int, family: int, attempt: int) -> Request:
        return Request(
            url,
            callback=self.on_response,
            errback=self.on_error,
            dont_filter=True,
            # Home first, then the 2nd level, so the 3rd level's anchors come early.
            priority=10 - level,
            meta={
                "zwgk_family": family,
                "zwgk_probe": {"level": level, "url": url, "attempt": attempt},
            },
        )

    # -- outcomes --------------------------------------------------------------

    def _hops(self, request: Request, last: dict[str, Any] | None) -> list[dict[str, Any]]:
        family = request.meta["zwgk_family"]
        urls = list(request.meta.get("redirect_urls", []))
        reasons = list(request.meta.get("redirect_reasons", []))
        # The family handler records the address of every download in the chain.
        addresses = {c["url"]: c["address"] for c in request.meta.get(CONNECTIONS, [])}
        hops = [
            {
                "url": u,
                "status": reasons[i] if i < len(reasons) else None,
                "family": family,
                "address": addresses.get(u),
            }
            for i, u in enumerate(urls)
        ]
        if last is not None:
            hops.append({"address": addresses.get(last["url"]), **last, "family": family})
        return hops

    def _note_host(self, url: str) -> None:
        """Record the DNS facts of a host other than the home's (for the
        check's reasons and proxy detection)."""
        host = (urlsplit(url).hostname or "").lower()
        guard = get_guard()
        if not host or host in self.hosts or guard is None:
            return
        # Cached by the guard's resolver: the middleware resolved it already.
        res = guard.resolver.resolve(host)
        self.hosts[host] = {
            "a": list(res.a),
            "aaaa": list(res.aaaa),
            "cnames": list(res.cnames),
            "error": res.error.value if res.error else None,
        }

    def on_response(self, response: Response) -> Iterator[Any]:
        probe = response.meta["zwgk_probe"]
        family = response.meta["zwgk_family"]
        level = probe["level"]
        connected = response.meta.get("zwgk_connected") or {}
        # Scrapy's download_latency: request sent to headers received, not the
        # time the request waited in the scheduler.
        latency = response.meta.get("download_latency")
        elapsed = None if latency is None else int(latency * 1000)
        hops = self._hops(
            response.request or Request(response.url),
            {"url": response.url, "status": response.status, "address": connected.get("address")},
        )
        for h in hops:
            self._note_host(h["url"])
        item = Ipv6ProbeItem(
            level=level,
            url=probe["url"],
            family=family,
            attempt=probe["attempt"],
            fetch_status=FetchStatus.OK.value,
            status=response.status,
            latency_ms=elapsed,
            final_url=response.url,
            hops=hops,
        )
        ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        html = ctype.strip().lower().startswith(HTML_TYPES) or (
            isinstance(response, TextResponse) and not ctype
        )
        links: list[dict[str, Any]] | None = None
        if html and 200 <= response.status < 300:
            text, _ = decode_html(response.body, ctype)
            parsed = parse_html(text, response.url, self.cfg.evaluation.as_of)
            links = [link.as_dict() for link in parsed.links]
            if level == 1 and family not in self.text_stored:
                # The first answered home page of each family is compared.
                self.text_stored.add(family)
                item.text = parsed.text or ""
                item.link_hosts = link_hosts(links)
        yield item
        if family != 4:
            return
        if level == 1 and links is not None:
            yield from self._plan_level2(links)
        elif level == 2:
            # The stored page's anchors whatever this answer was (a 503 now
            # must not drop a page the portal crawl read), as in on_error.
            stored = self.stored_pages.get(probe["url"])
            if stored is not None:
                links = self._stored_links(stored.id)
            if links is not None:
                yield from self._plan_level3(links)

    def on_error(self, failure: Failure) -> Iterator[Any]:
        request: Request = failure.request  # type: ignore[attr-defined]
        probe = request.meta["zwgk_probe"]
        family = request.meta["zwgk_family"]
        exc = failure.value
        assert exc is not None
        status = NO_ADDRESS if isinstance(exc, NoAddressForFamily) else classify_failure(exc).value
        hops = self._hops(request, {"url": request.url, "status": None})
        for h in hops:
            self._note_host(h["url"])
        yield Ipv6ProbeItem(
            level=probe["level"],
            url=probe["url"],
            family=family,
            attempt=probe["attempt"],
            fetch_status=status,
            error=f"{type(exc).__name__}: {exc}"[:500],
            final_url=request.url,
            hops=hops,
        )
        if family == 4 and probe["level"] == 2:
            # The portal crawl may have read the page although this fetch failed.
            stored = self.stored_pages.get(probe["url"])
            if stored is not None:
                yield from self._plan_level3(self._stored_links(stored.id))
