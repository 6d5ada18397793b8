"""Verify every distinct link target of a run, once, for all its sites.

Targets the portal crawl already fetched are judged from the store; the
rest are fetched as a careful person would: HEAD first for files, GET when
HEAD is refused or fails, bounded retries with backoff, ``Retry-After``
honoured, per-host concurrency for external hosts too. Each host whose
pages answered 200 is also asked for a URL that cannot exist, so that an
error page served with 200 (a soft 404) is recognised by comparison.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import StopDownload
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from zwgk.config import Config
from zwgk.crawler.extract import decode_html, is_binary_url, parse_html, text_hash
from zwgk.crawler.extract.refresh import IMMEDIATE_REFRESH_S
from zwgk.crawler.fetch import classify_failure, failure_meta
from zwgk.crawler.items import UrlCheckItem
from zwgk.crawler.linkcheck import (
    RETRY_STATUSES,
    SOFT_404_MAX_TEXT,
    HostProbe,
    classify_html_200,
    looks_like_challenge,
    outcome_of_failure,
    outcome_of_status,
    parse_retry_after,
    spared_by_probe,
)
from zwgk.crawler.settings import REDIRECT_MAX_TIMES
from zwgk.crawler.spiders._setup import apply_settings, install_guard, load, open_store
from zwgk.crawler.throttle import GAVE_UP_META
from zwgk.store import CrawledRow, Store
from zwgk.vocab import HTML_TYPES, FetchStatus, LinkOutcome, defragment

# Elements whose targets are resources: a HEAD answers whether they exist.
# A form's submit address (formaction) is an endpoint, asked with GET like a page.
RESOURCE_ELEMENTS = frozenset(
    {"img", "script", "link", "embed", "object", "source", "video", "audio"}
    | {"img-srcset", "source-srcset", "style", "style-attr", "track", "manifest"}
)
BACKOFF_S = (0.5, 1.5, 4.0, 8.0)
# HEAD answers that say nothing about GET: many government servers refuse
# or mishandle HEAD.
HEAD_INCONCLUSIVE = frozenset({400, 403, 404, 405, 406, 412, 429, 500, 501, 502, 503})


@dataclass
class Held:
    """A 200 HTML answer waiting for its host's probe before it is judged."""

    item: UrlCheckItem
    title: str | None
    text: str
    text_hash: str | None
    body_empty: bool
    # Set when ``text`` was not read (a stored page too long to be an error page).
    text_len: int | None = None


@dataclass
class HostState:
    probe: HostProbe | None = None
    probed: bool = False
    requested: bool = False
    held: list[Held] = field(default_factory=list)


# How often link verification beside the crawls looks for new file links.
BESIDE_POLL_S = 1.0

# Refresh pages followed for one link (a chain of them is as rare as it is odd).
MAX_REFRESH_HOPS = 5


def _immediate_refresh(refresh: dict[str, Any] | None, url: str) -> str | None:
    """Where a page's immediate meta refresh (its ``meta["refresh"]``) sends
    the visitor, if anywhere else."""
    if not refresh or refresh.get("delay", 0) > IMMEDIATE_REFRESH_S:
        return None
    target = refresh.get("url")
    if not target or not str(target).startswith(("http://", "https://")):
        return None
    return None if defragment(target) == defragment(url) else str(target)


def host_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class LinkCheckSpider(scrapy.Spider):
    name = "linkcheck"

    cfg: Config
    store: Store

    def __init__(
        self,
        config: str | Config | None = None,
        run: str | None = None,
        db: str | Store | None = None,
        only: list[str] | None = None,
        beside: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        # A site job's share: these targets (claimed by it) and no others.
        self.only = None if only is None else set(only)
        # Beside the site crawls (LinkCheckCollector.beside_args): files
        # linked so far, until ``beside.is_set()``.
        self.beside = beside
        self.cfg = load(config)
        self.store = open_store(db)
        self.run_id = run or self.cfg.evaluation.as_of.strftime("%Y-%m")
        self.hosts: dict[str, HostState] = defaultdict(HostState)
        self.started = time.monotonic()
        self.trusted = self.cfg.trusted_hosts
        self.configured = {
            defragment(u) for site in self.cfg.sites for u in (site.home, *site.disclosure)
        }

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> LinkCheckSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        links = spider.cfg.links
        apply_settings(
            crawler,
            spider.cfg,
            CONCURRENT_REQUESTS=32,
            CONCURRENT_REQUESTS_PER_DOMAIN=links.concurrency_per_host,
            DOWNLOAD_TIMEOUT=links.timeout_s,
            # Retries are outcome-aware and paced here, not Scrapy's immediate ones.
            RETRY_ENABLED=False,
            # A chain longer than this is a loop for any visitor's browser.
            REDIRECT_MAX_TIMES=REDIRECT_MAX_TIMES,
            ITEM_PIPELINES={"zwgk.crawler.pipelines.UrlCheckPipeline": 300},
            EXTENSIONS={"zwgk.crawler.extensions.RunTarget": 100},
        )
        install_guard(spider.cfg)
        crawler.signals.connect(spider._headers_received, signal=signals.headers_received)
        return spider

    # -- planning ---------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        if self.beside is not None:
            async for out in self._beside_crawl():
                yield out
            return
        targets = self.store.link_targets(self.run_id)
        done = self.store.checked_urls(self.run_id)
        crawled = self.store.crawled_index(self.run_id)
        wanted = targets.keys() if self.only is None else self.only
        todo = sorted(u for u in wanted if u not in done)
        to_fetch = [u for u in todo if u not in crawled]
        cached = (
            self.store.cached_ok(to_fetch, self._cache_since()) if self.cfg.links.cache_days else {}
        )
        self.logger.info(
            "link targets: %d (%d done, %d crawled, %d cached)",
            len(targets),
            len(done),
            sum(1 for u in todo if u in crawled),
            len(cached),
        )
        for url in todo:
            page = crawled.get(url)
            # A page that sends its visitor on at once is judged by where
            # the visitor lands: fetched, so that its refresh is followed.
            if page is not None and _immediate_refresh(page.refresh, url) is None:
                for out in self._from_crawl(url, page):
                    yield out
                continue
            planned = self._planned(url, cached, targets.get(url, set()))
            if planned is not None:
                yield planned

    async def _beside_crawl(self) -> AsyncIterator[Any]:
        """While the sites crawl: every file target (by its extension: an
        attachment, an image) as the crawls store its link, HEAD first as
        after the crawl; the portal crawl never fetches these, so nothing is
        fetched twice. Pages wait for the pass after the crawl, which
        judges the crawled ones from the store and skips what is done here."""
        done = self.store.checked_urls(self.run_id)
        after = 0
        while True:
            # Read before the query: a link stored before the crawls ended is
            # seen by this query or the next, never missed.
            last_round = self.beside.is_set()
            urls, after = self.store.new_crawl_targets(self.run_id, after)
            todo = sorted({u for u in urls if u not in done and is_binary_url(u)})
            done.update(todo)
            cached = self.store.cached_ok(todo, self._cache_since()) if todo else {}
            for url in todo:
                out = self._planned(url, cached, set())
                if out is not None:
                    yield out
            if urls:
                continue  # more may be waiting: the query reads a bounded batch
            if last_round:
                return
            await asyncio.sleep(BESIDE_POLL_S)

    def _cache_since(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(
            days=self.cfg.links.cache_days
        )

    def _planned(self, url: str, cached: dict[str, Any], elements: set[str]) -> Any:
        """The cached verdict on a target, or its first request (None: not checked)."""
        if url in cached:
            c = cached[url]
            return UrlCheckItem(
                url,
                LinkOutcome.OK.value,
                "cache",
                http_status=c.http_status,
                final_url=c.final_url,
            )
        host = urlsplit(url).hostname or ""
        if not self.cfg.links.check_external and host not in self.trusted:
            return None
        resource = bool(elements) and elements <= RESOURCE_ELEMENTS
        method = "HEAD" if resource or is_binary_url(url) else "GET"
        return self._request(url, method, attempt=1)

    def _from_crawl(self, url: str, page: CrawledRow) -> Iterator[Any]:
        item = UrlCheckItem(
            url,
            LinkOutcome.OK.value,
            "crawl",
            http_status=page.status,
            final_url=page.final_url,
            error=page.error,
            method="GET",
            attempts=1,
            elapsed_ms=page.elapsed_ms,
            detail={"redirects": page.redirects} if page.redirects else {},
        )
        if page.fetch_status != FetchStatus.OK.value:
            item.outcome = outcome_of_failure(FetchStatus(page.fetch_status)).value
            item.detail["fetch_status"] = page.fetch_status
            if page.redirect_to:
                item.detail["redirect_to"] = page.redirect_to
            yield item
            return
        by_status = outcome_of_status(page.status or 0)
        if by_status is not None:
            item.outcome = by_status.value
            yield item
            return
        ctype = (page.content_type or "").lower()
        if not ctype.startswith(HTML_TYPES):
            yield item
            return
        # Only a text as short as an error page's is read: a longer one is
        # judged by its length and hash against the host's probe.
        short = page.text_len <= SOFT_404_MAX_TEXT
        text = (self.store.page_texts([page.id]).get(page.id) or "") if short else ""
        held = Held(
            item,
            page.title,
            text,
            page.text_hash,
            body_empty=page.size == 0,
            text_len=None if short else page.text_len,
        )
        yield from self._hold(page.final_url, held)

    # -- fetching -------------------------------------------------------

    def _request(
        self, url: str, method: str, attempt: int, started: float | None = None
    ) -> Request:
        return Request(
            url,
            method=method,
            callback=self.on_response,
            errback=self.on_error,
            dont_filter=True,
            meta={
                "target": url,
                "method": method,
                "attempt": attempt,
                "started": started or time.monotonic(),
            },
        )

    def _headers_received(
        self, headers: Any, body_length: int, request: Request, spider: Any
    ) -> None:
        if spider is not self or request.method != "GET" or "target" not in request.meta:
            return
        ctype = (headers.get(b"Content-Type") or b"").decode("latin-1").lower()
        if ctype and not ctype.startswith(HTML_TYPES):
            raise StopDownload(fail=False)  # a file exists; its bytes are not needed

    def _item(self, response: Response, outcome: LinkOutcome) -> UrlCheckItem:
        m = response.meta
        redirects = m.get("redirect_urls") or []
        return UrlCheckItem(
            m["target"],
            outcome.value,
            "fetch",
            http_status=response.status,
            final_url=response.url,
            method=m["method"],
            attempts=m["attempt"],
            elapsed_ms=int((time.monotonic() - m["started"]) * 1000),
            detail={
                "content_type": (response.headers.get(b"Content-Type") or b"").decode("latin-1")
                or None,
                **({"redirects": redirects} if redirects else {}),
                **({"refreshed": m["refreshed"]} if m.get("refreshed") else {}),
            },
        )

    async def on_response(self, response: Response) -> AsyncIterator[Any]:
        m = response.meta
        status = response.status
        if m.get("probe"):
            for out in self._probe_done(m["probe"], response):
                yield out
            return
        if m["method"] == "HEAD" and status in HEAD_INCONCLUSIVE:
            yield self._request(m["target"], "GET", m["attempt"] + 1, m["started"])
            return
        if (
            status in RETRY_STATUSES
            and m["attempt"] <= self.cfg.links.retries
            # The host has refused every attempt: asking again would be sent nowhere.
            and not m.get(GAVE_UP_META)
        ):
            wait = parse_retry_after(
                response.headers.get(b"Retry-After"), cap=self.cfg.crawl.retry_after_max_s
            )
            await asyncio.sleep(wait if wait is not None else BACKOFF_S[min(m["attempt"] - 1, 3)])
            yield self._request(m["target"], m["method"], m["attempt"] + 1, m["started"])
            return
        ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
        by_status = outcome_of_status(status)
        if by_status is not None:
            item = self._item(response, by_status)
            if m.get(GAVE_UP_META):
                item.detail["host_gave_up"] = True
            if status >= 400 and ctype.startswith(HTML_TYPES) and response.body:
                raw, _ = decode_html(response.body, ctype)
                text = parse_html(raw, response.url).text
                if looks_like_challenge(status, text, raw):
                    item.outcome = LinkOutcome.BLOCKED.value
                    item.detail["challenge"] = True
            yield item
            return
        if m["method"] == "HEAD":
            if ctype.startswith(HTML_TYPES) and not is_binary_url(m["target"]):
                # An HTML answer may be an error page: look at it.
                yield self._request(m["target"], "GET", m["attempt"] + 1, m["started"])
                return
            yield self._item(response, LinkOutcome.OK)
            return
        if not ctype.startswith(HTML_TYPES):
            yield self._item(response, LinkOutcome.OK)
            return
        raw, _ = decode_html(response.body, ctype)
        parsed = parse_html(raw, response.url)
        refresh = _immediate_refresh(parsed.meta.get("refresh"), response.url)
        hops = m.get("refreshed") or []
        if refresh is not None and len(hops) < MAX_REFRESH_HOPS:
            req = self._request(refresh, "GET", m["attempt"], m["started"])
            req.meta["target"] = m["target"]
            req.meta["refreshed"] = [*hops, response.url]
            yield req
            return
        item = self._item(response, LinkOutcome.OK)
        if looks_like_challenge(status, parsed.text, raw):
            item.outcome = LinkOutcome.BLOCKED.value
            item.detail["challenge"] = True
            yield item
            return
        held = Held(
            item,
            parsed.title,
            parsed.text,
            text_hash(parsed.text) if parsed.text else None,
            body_empty=not raw.strip(),
        )
        for out in self._hold(response.url, held):
            yield out

    async def on_error(self, failure: Failure) -> AsyncIterator[Any]:
        request: Request = failure.request  # type: ignore[attr-defined]
        m = request.meta
        if m.get("probe"):
            for out in self._probe_done(m["probe"], None):
                yield out
            return
        status = classify_failure(failure.value or Exception("unknown failure"))
        outcome = outcome_of_failure(status)
        transient = outcome in (LinkOutcome.TIMEOUT, LinkOutcome.CONNECTION_ERROR)
        if m["method"] == "HEAD" and transient:
            yield self._request(m["target"], "GET", m["attempt"] + 1, m["started"])
            return
        if transient and m["attempt"] <= self.cfg.links.retries:
            await asyncio.sleep(BACKOFF_S[min(m["attempt"] - 1, 3)])
            yield self._request(m["target"], m["method"], m["attempt"] + 1, m["started"])
            return
        yield UrlCheckItem(
            m["target"],
            outcome.value,
            "fetch",
            final_url=request.url,
            error=f"{type(failure.value).__name__}: {failure.value}"[:500],
            method=m["method"],
            attempts=m["attempt"],
            elapsed_ms=int((time.monotonic() - m["started"]) * 1000),
            detail={
                "fetch_status": status.value,
                **failure_meta(failure.value),
                **({"refreshed": m["refreshed"]} if m.get("refreshed") else {}),
            },
        )

    # -- soft 404 probes ---------------------------------------------------

    def _hold(self, url: str, held: Held) -> Iterator[Any]:
        key = host_key(url)
        state = self.hosts[key]
        if state.probed:
            yield self._judge(held, state.probe)
            return
        state.held.append(held)
        if not state.requested:
            state.requested = True
            probe_url = f"{key}/zwgk-probe-{secrets.token_hex(8)}.html"
            yield Request(
                probe_url,
                callback=self.on_response,
                errback=self.on_error,
                dont_filter=True,
                priority=10,
                meta={"probe": key},
            )

    def _probe_done(self, key: str, response: Response | None) -> Iterator[UrlCheckItem]:
        state = self.hosts[key]
        probe = None
        if response is not None:
            ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
            if ctype.startswith(HTML_TYPES) and response.body:
                raw, _ = decode_html(response.body, ctype)
                parsed = parse_html(raw, response.url)
                probe = HostProbe(
                    response.status,
                    text_hash(parsed.text) if parsed.text else None,
                    parsed.title,
                    len(parsed.text),
                )
            else:
                probe = HostProbe(response.status, None, None, 0)
        state.probe, state.probed = probe, True
        held, state.held = state.held, []
        for h in held:
            yield self._judge(h, probe)

    def _judge(self, held: Held, probe: HostProbe | None) -> UrlCheckItem:
        item = held.item
        spared = spared_by_probe(item.url, self.configured) or bool(
            item.final_url and spared_by_probe(item.final_url, self.configured)
        )
        outcome = classify_html_200(
            held.title, held.text, held.text_hash, held.body_empty, probe, spared, held.text_len
        )
        item.outcome = outcome.value
        if outcome is LinkOutcome.SOFT_404:
            item.detail["title"] = held.title
            if probe is not None and probe.status == 200:
                item.detail["probe"] = {"status": probe.status, "title": probe.title}
        return item
