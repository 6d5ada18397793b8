"""Scrapy extensions: the store side of a crawl's life.

Rules for extensions here: the run and site lifecycle (``ensure_run``,
``begin_site_crawl``, ``finish_site_crawl``) is written here, on the crawl's
start and its ``spider_closed`` signal, and nowhere in a spider; the
:class:`CrawlTarget` an extension puts on the crawler is where the pipelines
write. A spider decides what to fetch and yields items; it only reads the
store (what a resumed crawl has done already).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from zwgk.store import Store

_ATTR = "zwgk_target"


@dataclass
class CrawlTarget:
    """Where a crawl's items are stored: the store, the run, and for a
    per-site crawl the site and the generation being written."""

    store: Store
    run_id: str
    site_id: str | None = None
    generation: int = 0
    resumed: bool = False


def crawl_target(crawler: Crawler) -> CrawlTarget:
    """The target an extension below put on ``crawler``."""
    target: CrawlTarget | None = getattr(crawler, _ATTR, None)
    if target is None:
        raise RuntimeError(
            "no zwgk crawl target on this crawler: enable "
            "zwgk.crawler.extensions.SiteCrawl or RunTarget in EXTENSIONS"
        )
    return target


class RunTarget:
    """A per-run crawl (link verification): its items go to the spider's
    store and run; it has no site lifecycle."""

    def __init__(self, crawler: Crawler) -> None:
        spider: Any = crawler.spider
        self.target = CrawlTarget(spider.store, spider.run_id)
        setattr(crawler, _ATTR, self.target)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunTarget:
        return cls(crawler)


# "HTTP/1.1 200 OK\r\n": the status line, which Scrapy does not hand on.
_STATUS_LINE = 17


class Transfer:
    """What one crawler received from the network (robots.txt, redirects,
    error pages, list data included): Scrapy's ``headers_received`` and
    ``bytes_received`` signals, which its HTTP handler sends for each
    response's headers and for each body chunk as it arrives, before any
    decompression. Headers are counted as ``Name: value`` lines (as Scrapy
    parsed them) plus the status line and the blank line."""

    def __init__(self) -> None:
        self.bytes = 0
        self.responses = 0

    def headers_received(self, headers: Any, **kwargs: Any) -> None:
        self.responses += 1
        size = _STATUS_LINE + 2
        for name, values in headers.items():
            for value in values:
                size += len(name) + len(value) + 4  # ": " and CRLF
        self.bytes += size

    def bytes_received(self, data: bytes, **kwargs: Any) -> None:
        self.bytes += len(data)


class SiteCrawl:
    """A per-site crawl (the portal): begun when the crawler is built,
    finished when the spider closes with reason ``finished``.

    The spider gives the run, the site and whether to resume; a crawl
    started by ``scrapy crawl`` rather than zwgk's runner creates its run.
    The crawl is begun here, before the engine opens, rather than on
    ``spider_opened``: Scrapy logs and swallows a signal handler's error,
    and a store that cannot begin the crawl must fail it.
    """

    def __init__(self, crawler: Crawler) -> None:
        spider: Any = crawler.spider
        store: Store = spider.store
        cfg, site, run_id = spider.cfg, spider.site, spider.run_id
        if store.get_run(run_id) is None:
            store.ensure_run(
                run_id, cfg.evaluation.as_of, cfg.evaluation.start, cfg.model_dump(mode="json")
            )
        generation, resumed = store.begin_site_crawl(
            run_id, site.id, site.name, site.home, spider.resume
        )
        self.target = CrawlTarget(store, run_id, site.id, generation, resumed)
        setattr(crawler, _ATTR, self.target)
        self.started = time.monotonic()
        self.transfer = Transfer()
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.transfer.headers_received, signal=signals.headers_received)
        crawler.signals.connect(self.transfer.bytes_received, signal=signals.bytes_received)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteCrawl:
        return cls(crawler)

    def spider_closed(self, spider: Any, reason: str) -> None:
        t = self.target
        assert t.site_id is not None
        if reason == "finished":
            t.store.finish_site_crawl(
                t.run_id,
                t.site_id,
                t.generation,
                {
                    "seconds": round(time.monotonic() - self.started, 2),
                    "scheduled": spider.scheduled,
                    "resumed": t.resumed,
                },
                {
                    "bytes_received": self.transfer.bytes,
                    "responses": self.transfer.responses,
                    "not_modified": spider.not_modified,
                },
            )
        else:
            spider.logger.warning("crawl of %s ended (%s); run again to resume", t.site_id, reason)


class Ipv6Collection:
    """A site's IPv6 probe: its items go to the site in the run; when the
    spider closes with ``finished`` (after the pipeline's last batch), the
    collection is marked complete with the facts of the other hosts the
    probes met. A killed probe stays incomplete and is run again."""

    def __init__(self, crawler: Crawler) -> None:
        spider: Any = crawler.spider
        self.target = CrawlTarget(spider.store, spider.run_id, spider.site.id)
        setattr(crawler, _ATTR, self.target)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Ipv6Collection:
        return cls(crawler)

    def spider_closed(self, spider: Any, reason: str) -> None:
        t = self.target
        assert t.site_id is not None
        if reason == "finished" and t.store.ipv6_site(t.run_id, t.site_id) is not None:
            t.store.finish_ipv6(t.run_id, t.site_id, spider.host_facts())
        elif spider.cfg.ipv6.enabled:
            spider.logger.warning("IPv6 probe of %s ended (%s); run again", t.site_id, reason)
