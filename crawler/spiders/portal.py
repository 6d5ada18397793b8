"""The one spider: a site's home page and disclosure column, breadth-first."""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import StopDownload
from scrapy.http import FormRequest, Request, Response
from scrapy.settings import BaseSettings
from twisted.python.failure import Failure

from zwgk.config import Config, Site
from zwgk.crawler.extensions import CrawlTarget, crawl_target
from zwgk.crawler.extract import (
    NAVIGABLE,
    NEVER_FOLLOWED,
    decode_html,
    is_binary_url,
    links_from_fragments,
    list_facts,
    list_rows,
    parse_hanweb_xml,
    parse_html,
    records_list,
    text_hash,
)
from zwgk.crawler.fetch import classify_failure, failure_meta
from zwgk.crawler.items import LinkBatchItem, PageItem
from zwgk.crawler.spiders._setup import apply_settings, install_guard, load, open_store
from zwgk.crawler.throttle import BLOCKED_META, patient
from zwgk.store import Store, StoredPage
from zwgk.vocab import PAGE_TYPES, FetchStatus, canonical_url, defragment

# Hanweb's jpage asks the proxy for three pages at a time; so do we.
HANWEB_GROUP_PAGES = 3
HANWEB_MAX_GROUPS = 2000

_DIGITS_RE = re.compile(r"\d+")

# request.meta: the request carries the stored page's validators.
CONDITIONAL_META = "zwgk_conditional"
NOT_MODIFIED = 304


def url_pattern(url: str) -> str | None:
    """The key crawl.max_pages_per_pattern counts under, or None if uncounted.

    Only URLs with a query string are counted, by their text with each run of
    digits made one ``0``: an endless calendar (``/cal/?y=2026&m=12``) or a
    generated search is one pattern. A path-addressed article
    (``/art/2024/3/15/art_1_2.html``, ``t20240315_1.html``) has no query and
    is never counted: a column may hold thousands of them.
    """
    if "?" not in url:
        return None
    return _DIGITS_RE.sub("0", url)


class PortalSpider(scrapy.Spider):
    name = "portal"
    # Scrapy starts CONCURRENT_ITEMS asyncio tasks (default 100) for the
    # output of every callback, however little it yields: a quarter of the
    # crawl's time against a fast server. The store pipeline is synchronous,
    # so 16 lose nothing; a page's output up to 32 objects is still queued
    # in one go. The callbacks claim every URL they will request before they
    # yield anything, so that a page's recorded depth does not depend on how
    # Scrapy interleaves the outputs of concurrent callbacks.
    CONCURRENT_ITEMS = 16

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        settings.set("CONCURRENT_ITEMS", cls.CONCURRENT_ITEMS, priority="spider")

    cfg: Config
    site: Site
    store: Store  # read only: what a resumed crawl has stored already
    run_id: str

    def __init__(
        self,
        site: str | None = None,
        config: str | Config | None = None,
        run: str | None = None,
        db: str | Store | None = None,
        resume: str | bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not site:
            raise ValueError("the portal spider needs -a site=ID")
        self.cfg = load(config)
        self.site = self.cfg.site(site)
        self.run_id = (
            run or os.environ.get("ZWGK_RUN") or self.cfg.evaluation.as_of.strftime("%Y-%m")
        )
        self.store = open_store(db)
        self.resume = resume if isinstance(resume, bool) else resume not in ("0", "false", "no")
        self.hosts = set(self.site.all_hosts)
        self.home = defragment(self.site.home)
        self.seen: set[str] = set()
        self.patterns: Counter[str] = Counter()
        self.scheduled = 0
        self.pages_stored = 0
        # The previous generation's pages asked for conditionally, by URL.
        self.basis: dict[str, StoredPage] = {}
        self.not_modified = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> PortalSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        # The site's crawl is begun and finished by the SiteCrawl extension.
        apply_settings(crawler, spider.cfg, EXTENSIONS={"zwgk.crawler.extensions.SiteCrawl": 100})
        install_guard(spider.cfg)
        crawler.signals.connect(spider._headers_received, signal=signals.headers_received)
        return spider

    @property
    def target(self) -> CrawlTarget:
        """The generation this crawl writes, and whether it resumes one."""
        return crawl_target(self.crawler)

    # -- scheduling ------------------------------------------------------

    def _request(self, url: str, depth: int, referer: str | None = None) -> Request | None:
        # One page per canonical URL: 50 ";jsessionid=" variants are one
        # page, fetched and stored once under the URL without the session id.
        key = canonical_url(url)
        if key in self.seen:
            return None
        if self.scheduled >= self.cfg.crawl.max_pages:
            return None
        pattern = url_pattern(key)
        if pattern is not None:
            if self.patterns[pattern] >= self.cfg.crawl.max_pages_per_pattern:
                return None
            self.patterns[pattern] += 1
        self.seen.add(key)
        self.scheduled += 1
        headers = {"Referer": referer} if referer else {}
        meta: dict[str, Any] = {"zdepth": depth, "zurl": key}
        stored = self.basis.get(key)
        if stored is not None:
            # The server answers 304 if the page is unchanged since the stored
            # copy; that copy is then this crawl's page (parse_not_modified).
            if stored.etag:
                headers["If-None-Match"] = stored.etag
            if stored.last_modified:
                headers["If-Modified-Since"] = stored.last_modified
            meta[CONDITIONAL_META] = True
        return Request(
            key,
            callback=self.parse,
            errback=self.on_error,
            headers=headers or None,
            meta=meta,
            # The seen-set above is the crawl's duplicate filter. Scrapy's own
            # would drop a redirect back to a URL already requested (/loop ->
            # /loop2 -> /loop) without a word, and the page would be lost
            # instead of stored as a redirect loop.
            dont_filter=True,
        )

    async def start(self) -> AsyncIterator[Any]:
        target = self.target
        # One query per site: the validators of every page of the site's
        # previous generation (the run's current one, else the last run's).
        self.basis = self.store.revisit_basis(self.run_id, self.site.id)
        if self.basis:
            self.logger.info(
                "revisit of %s: %d stored pages asked for conditionally",
                self.site.id,
                len(self.basis),
            )
        if target.resumed:
            seen, frontier = self.store.crawl_state(
                self.run_id, self.site.id, target.generation, follow=NAVIGABLE, never=NEVER_FOLLOWED
            )
            self.seen |= seen
            self.scheduled = len(seen)
            self.patterns.update(p for p in map(url_pattern, seen) if p is not None)
            self.logger.info(
                "resuming %s: %d pages stored, %d to fetch", self.site.id, len(seen), len(frontier)
            )
            for start_url in self.site.start_urls:
                req = self._request(start_url, 0)
                if req:
                    yield patient(req)
            for url, depth, referer in frontier:
                if (
                    self._in_scope(url)
                    and depth <= self.cfg.crawl.max_depth
                    and not is_binary_url(url)
                ):
                    req = self._request(url, depth, referer)
                    if req:
                        yield req
            # Script-loaded lists whose list-data requests were pending when
            # the crawl stopped: the list page is stored, so nothing else
            # would ask for the rest of its items.
            for list_url, depth, jobs, stored in self.store.list_continuations(
                self.run_id, self.site.id, target.generation
            ):
                for job in jobs:
                    # With one list on the page its stored items say how far
                    # it got; with several, each starts again where its page
                    # left it (the store keeps one row per position).
                    have = max(job["have"], stored) if len(jobs) == 1 else job["have"]
                    req = self._hanweb_request(
                        job["proxy"],
                        job["params"],
                        job["per_page"],
                        have,
                        job["total"],
                        list_url,
                        depth,
                        have // max(job["per_page"] * HANWEB_GROUP_PAGES, 1),
                    )
                    if req is not None:
                        yield req
            return
        for start_url in self.site.start_urls:
            req = self._request(start_url, 0)
            if req:
                yield patient(req)

    def _in_scope(self, url: str) -> bool:
        host = urlsplit(url).hostname
        return host is not None and host.lower() in self.hosts

    def _follow(self, links: list[dict[str, Any]], depth: int, referer: str) -> Iterator[Request]:
        if depth > self.cfg.crawl.max_depth:
            return
        seen = self.seen
        for link in links:
            url = link["url"]
            if link["kind"] != "http" or not url:
                continue
            if url in seen:
                # What _request would conclude: keys in seen are canonical,
                # and canonical_url leaves a canonical URL unchanged.
                continue
            element = link["element"]
            if element not in NAVIGABLE and (
                link["generated_by"] is None or element in NEVER_FOLLOWED
            ):
                continue
            if not self._in_scope(url) or is_binary_url(url):
                continue
            req = self._request(url, depth, referer)
            if req is not None:
                yield req

    # -- responses -------------------------------------------------------

    def _headers_received(
        self, headers: Any, body_length: int, request: Request, spider: scrapy.Spider
    ) -> None:
        if spider is not self or "zurl" not in request.meta:
            return
        ctype = (headers.get(b"Content-Type") or b"").decode("latin-1").lower()
        if ctype and not ctype.startswith(PAGE_TYPES):
            # Attachments are recorded by their headers only.
            raise StopDownload(fail=False)

    def _base_item(self, response: Response) -> PageItem:
        meta = response.meta
        requested = meta.get("zurl", response.url)
        redirect_urls = meta.get("redirect_urls") or []
        reasons = meta.get("redirect_reasons") or []
        redirects = [
            {"url": u, "status": reasons[i] if i < len(reasons) else None}
            for i, u in enumerate(redirect_urls)
        ]
        ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1") or None
        length = response.headers.get(b"Content-Length")
        size = len(response.body)
        if length and length.isdigit() and int(length) > size:
            size = int(length)
        final = defragment(response.url)
        return PageItem(
            url=requested,
            final_url=final,
            fetch_status=FetchStatus.OK.value,
            depth=meta.get("zdepth", 0),
            is_home=self.home in (requested, final),
            status=response.status,
            redirects=redirects,
            content_type=ctype,
            size=size,
            elapsed_ms=int(meta.get("download_latency", 0) * 1000),
            etag=_header(response, b"ETag"),
            last_modified=_header(response, b"Last-Modified"),
        )

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        if response.status == NOT_MODIFIED and response.meta.get(CONDITIONAL_META):
            yield from self.parse_not_modified(response)
            return
        item = self._base_item(response)
        ctype = (item.content_type or "text/html").lower()
        if not ctype.startswith(PAGE_TYPES) or not self._in_scope(response.url):
            yield item
            return
        text, encoding = decode_html(response.body, item.content_type)
        # A year-less list date ("06-25") is never put after the evaluation date.
        parsed = parse_html(text, response.url, as_of=self.cfg.evaluation.as_of)
        item.encoding = encoding
        item.title = parsed.title
        item.meta = parsed.meta
        lp = parsed.list_page
        if lp is not None and response.status < 400:
            item.meta = {**parsed.meta, "list": list_facts(lp)}
            item.list_items = list_rows(lp.items, lp.column)
        if response.status < 400:
            item.text = parsed.text
            item.text_len = len(parsed.text)
            item.text_hash = text_hash(parsed.text) if parsed.text else None
            item.fragment_ids = parsed.fragment_ids
            item.links = [link.as_dict() for link in parsed.links]
        blocked = response.meta.get(BLOCKED_META)
        if blocked:
            item.meta = {**(item.meta or {}), "blocked": blocked}
        self.pages_stored += 1
        if response.status >= 400:
            yield item
            return
        depth = item.depth + 1
        requests: list[Request] = list(self._follow(item.links, depth, response.url))
        jobs = []
        for hl in parsed.hanweb:
            if hl.proxy_url and self._in_scope(hl.proxy_url):
                jobs.append(
                    {
                        "proxy": hl.proxy_url,
                        "params": hl.params,
                        "per_page": hl.per_page,
                        "have": len(hl.records_html),
                        "total": hl.total,
                    }
                )
                req = self._hanweb_request(
                    hl.proxy_url,
                    hl.params,
                    hl.per_page,
                    len(hl.records_html),
                    hl.total,
                    response.url,
                    item.depth,
                    0,
                )
                if req is not None:
                    requests.append(req)
        if jobs:
            # Stored with the page, so that a resumed crawl can send the
            # list-data requests that were still pending (list_continuations),
            # and a revisit answered 304 sends them all again; how many list
            # items the page itself holds, so that its 304 copy takes those
            # and not the ones the list data added.
            item.meta = {**item.meta, "list_jobs": jobs, "list_page_items": len(item.list_items)}
        yield item
        yield from requests

    def parse_not_modified(self, response: Response) -> Iterator[Any]:
        """A 304 to the stored page's validators: the page is the stored copy.

        The store copies its content (status, text, metadata, links, list
        items) into this generation; the crawl goes on through its stored
        links and sends its list-data requests again, as for a download.
        A 304 from elsewhere than the stored page's final URL (its redirect
        changed) confirms nothing: the URL is asked again unconditionally.
        """
        key = response.meta["zurl"]
        stored = self.basis.get(key)
        if stored is None or defragment(response.url) != stored.final_url:
            yield self._unconditional(response.request)
            return
        item = self._base_item(response)
        item.copy_of = stored.id
        item.not_modified = True
        item.final_url = stored.final_url
        item.status = None  # the stored page's, filled by the store
        item.content_type = None
        item.size = 0
        # A 304 may leave its validators out; the stored ones still hold.
        item.etag = item.etag or stored.etag
        item.last_modified = item.last_modified or stored.last_modified
        self.pages_stored += 1
        self.not_modified += 1
        depth = item.depth + 1
        requests: list[Request] = list(self._follow(stored.links, depth, response.url))
        for job in stored.list_jobs:
            req = self._hanweb_request(
                job["proxy"],
                job["params"],
                job["per_page"],
                job["have"],
                job["total"],
                response.url,
                item.depth,
                0,
            )
            if req is not None:
                requests.append(req)
        yield item
        yield from requests

    def _unconditional(self, request: Request | None) -> Request:
        assert request is not None
        headers = request.headers.copy()
        for name in (b"If-None-Match", b"If-Modified-Since"):
            headers.pop(name, None)
        meta = {k: v for k, v in request.meta.items() if k != CONDITIONAL_META}
        for k in ("redirect_urls", "redirect_reasons", "redirect_times", "redirect_ttl"):
            meta.pop(k, None)
        return request.replace(url=meta["zurl"], headers=headers, meta=meta)

    def _hanweb_request(
        self,
        proxy: str,
        params: dict[str, str],
        per_page: int,
        have: int,
        total: int | None,
        list_url: str,
        depth: int,
        groups: int,
    ) -> FormRequest | None:
        if (total is not None and have >= total) or groups >= HANWEB_MAX_GROUPS:
            return None
        start, end = have + 1, have + per_page * HANWEB_GROUP_PAGES
        if total is not None:
            end = min(end, total)
        return FormRequest(
            f"{proxy}?startrecord={start}&endrecord={end}&perpage={per_page}",
            formdata=params,
            callback=self.parse_hanweb,
            errback=self.on_list_error,
            headers={"Referer": list_url},
            meta={
                "hanweb": {
                    "proxy": proxy,
                    "params": params,
                    "per_page": per_page,
                    "have": end,
                    "total": total,
                    "list_url": list_url,
                    "depth": depth,
                    "groups": groups + 1,
                    "asked": end - start + 1,
                }
            },
            dont_filter=True,
        )

    def parse_hanweb(self, response: Response) -> Iterator[Any]:
        h = response.meta["hanweb"]
        text, _ = decode_html(
            response.body, (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        )
        records, total = parse_hanweb_xml(text)
        # "hanweb_proxy", not "hanweb": these records are not in the page's HTML
        # (the IPv6 probe's link levels leave them out).
        links = [
            link.as_dict() for link in links_from_fragments(records, h["list_url"], "hanweb_proxy")
        ]
        # The proxy's records continue the list the page holds: record
        # ``start`` (1-based) is the list's item ``start - 1``.
        start = h["have"] - h["asked"]
        items = list_rows(
            records_list(records, h["list_url"], self.cfg.evaluation.as_of), None, start
        )
        requests: list[Request] = list(self._follow(links, h["depth"] + 1, h["list_url"]))
        total = total if total is not None else h["total"]
        if records and (total is not None or len(records) >= h["asked"]):
            req = self._hanweb_request(
                h["proxy"],
                h["params"],
                h["per_page"],
                h["have"],
                total,
                h["list_url"],
                h["depth"],
                h["groups"],
            )
            if req is not None:
                requests.append(req)
        if links or items:
            yield LinkBatchItem(source_url=h["list_url"], links=links, list_items=items)
        yield from requests

    def on_list_error(self, failure: Failure) -> None:
        self.logger.warning("list data request failed: %s (%s)", failure.request.url, failure.value)  # type: ignore[attr-defined]

    def on_error(self, failure: Failure) -> Iterator[PageItem]:
        request: Request = failure.request  # type: ignore[attr-defined]
        status = classify_failure(failure.value or Exception("unknown failure"))
        url = request.meta.get("zurl", request.url)
        redirect_urls = request.meta.get("redirect_urls") or []
        yield PageItem(
            url=url,
            final_url=defragment(request.url),
            fetch_status=status.value,
            depth=request.meta.get("zdepth", 0),
            is_home=self.home == url,
            error=f"{type(failure.value).__name__}: {failure.value}"[:500],
            redirects=[{"url": u, "status": None} for u in redirect_urls],
            meta=failure_meta(failure.value),
        )


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1").strip() or None if value else None
