"""Item pipelines.

Rules for pipelines here: the store pipeline is the only writer of crawl
results; it batches writes so a crash loses at most one batch, which the
resumed crawl fetches again. A pipeline writes to the crawler's
:class:`~zwgk.crawler.extensions.CrawlTarget` (put there by the crawl's
extension), never through the spider.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from zwgk.crawler.extensions import CrawlTarget, crawl_target
from zwgk.crawler.items import (
    Ipv6ProbeItem,
    Ipv6SiteItem,
    LinkBatchItem,
    PageItem,
    UrlCheckItem,
)

FLUSH_EVERY_ITEMS = 50
FLUSH_EVERY_SECONDS = 2.0


def as_row(item: Any) -> dict[str, Any]:
    """The item's fields as a dict, values shared, not copied.

    ``dataclasses.asdict`` deep-copies every link dict of every page, which
    cost as much as parsing the page; the spider never changes an item
    after yielding it, and the store only reads the rows.
    """
    return {f.name: getattr(item, f.name) for f in dataclasses.fields(item)}


class StorePipeline:
    crawler: Any

    @property
    def target(self) -> CrawlTarget:
        return crawl_target(self.crawler)

    def open_spider(self, spider: Any = None) -> None:
        self.buffer: list[dict[str, Any]] = []
        self.last_flush = time.monotonic()

    def _flush(self) -> None:
        if self.buffer:
            t = self.target
            assert t.site_id is not None
            t.store.add_pages(t.run_id, t.site_id, t.generation, self.buffer)
            self.buffer = []
        self.last_flush = time.monotonic()

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if isinstance(item, PageItem):
            self.buffer.append(as_row(item))
            if (
                len(self.buffer) >= FLUSH_EVERY_ITEMS
                or time.monotonic() - self.last_flush > FLUSH_EVERY_SECONDS
            ):
                self._flush()
        elif isinstance(item, LinkBatchItem):
            self._flush()
            t = self.target
            assert t.site_id is not None
            t.store.add_links(
                t.run_id, t.site_id, t.generation, item.source_url, item.links, item.list_items
            )
        return item

    def close_spider(self, spider: Any = None) -> None:
        self._flush()

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        pipe = cls()
        pipe.crawler = crawler
        return pipe


class UrlCheckPipeline:
    """Writes link-verification outcomes; a killed run loses at most one batch."""

    crawler: Any

    @classmethod
    def from_crawler(cls, crawler: Any) -> UrlCheckPipeline:
        pipe = cls()
        pipe.crawler = crawler
        pipe.buffer = []
        pipe.last_flush = time.monotonic()
        return pipe

    buffer: list[dict[str, Any]]
    last_flush: float

    def _flush(self) -> None:
        if self.buffer:
            t = crawl_target(self.crawler)
            t.store.add_url_checks(t.run_id, self.buffer)
            self.buffer = []
        self.last_flush = time.monotonic()

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if isinstance(item, UrlCheckItem):
            self.buffer.append(as_row(item))
            if len(self.buffer) >= 200 or time.monotonic() - self.last_flush > FLUSH_EVERY_SECONDS:
                self._flush()
        return item

    def close_spider(self, spider: Any = None) -> None:
        self._flush()


class Ipv6Pipeline:
    """Writes the IPv6 probe: the site's DNS facts first (which clear a
    previous, possibly killed, collection of the site), then its probes in
    batches."""

    crawler: Any
    buffer: list[dict[str, Any]]
    last_flush: float

    @classmethod
    def from_crawler(cls, crawler: Any) -> Ipv6Pipeline:
        pipe = cls()
        pipe.crawler = crawler
        pipe.buffer = []
        pipe.last_flush = time.monotonic()
        return pipe

    def _flush(self) -> None:
        if self.buffer:
            t = crawl_target(self.crawler)
            assert t.site_id is not None
            t.store.add_ipv6_probes(t.run_id, t.site_id, self.buffer)
            self.buffer = []
        self.last_flush = time.monotonic()

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if isinstance(item, Ipv6SiteItem):
            t = crawl_target(self.crawler)
            assert t.site_id is not None
            self.buffer = []
            t.store.begin_ipv6(t.run_id, t.site_id, **as_row(item))
        elif isinstance(item, Ipv6ProbeItem):
            self.buffer.append(as_row(item))
            if len(self.buffer) >= 200 or time.monotonic() - self.last_flush > FLUSH_EVERY_SECONDS:
                self._flush()
        return item

    def close_spider(self, spider: Any = None) -> None:
        self._flush()
