"""The link verification's part of the store: the run's link targets and
crawled pages it starts from, and the ``url_checks`` and ``link_cache`` it
writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, insert, select

from zwgk.store.base import StoreBase
from zwgk.store.models import Link, LinkCache, Page, SiteRun, UrlCheck
from zwgk.store.rows import CrawledRow
from zwgk.vocab import canonical_url


def current(run_id: str, model: Any) -> Any:
    """Join condition: rows of ``model`` in their site's current generation."""
    return (
        (SiteRun.run_id == model.run_id)
        & (SiteRun.site_id == model.site_id)
        & (SiteRun.generation == model.generation)
        & (SiteRun.run_id == run_id)
    )


class LinkCheckStore(StoreBase):
    def link_targets(self, run_id: str) -> dict[str, set[str]]:
        """Distinct http link targets of the run -> elements linking to them.

        Keyed by :func:`canonical_url` (no fragment, no session id), the key
        the portal crawl stores pages under: 50 session variants of a page
        are one target, verified once."""
        out: dict[str, set[str]] = {}
        with self.Session() as s:
            rows = s.execute(
                select(Link.url, Link.element)
                .join(SiteRun, current(run_id, Link))
                .where(Link.kind == "http")
                .distinct()
            ).all()
        for url, element in rows:
            if url:
                out.setdefault(canonical_url(url), set()).add(element)
        return out

    def new_crawl_targets(
        self, run_id: str, after_id: int, limit: int = 20_000
    ) -> tuple[list[str], int]:
        """Link targets the crawls in progress stored after link ``after_id``
        (canonical, in store order, repeats left in), and the last link id read."""
        q = (
            select(Link.id, Link.url)
            .join(
                SiteRun,
                (SiteRun.run_id == Link.run_id)
                & (SiteRun.site_id == Link.site_id)
                & (SiteRun.crawl_generation == Link.generation),
            )
            .where(Link.run_id == run_id, Link.id > after_id, Link.kind == "http")
            .order_by(Link.id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        last = rows[-1][0] if rows else after_id
        return [canonical_url(url) for _, url in rows if url], last

    def crawled_index(self, run_id: str) -> dict[str, CrawledRow]:
        """Pages the crawl fetched in this run, by requested and by final URL."""
        out: dict[str, CrawledRow] = {}
        q = (
            select(
                Page.id,
                Page.url,
                Page.final_url,
                Page.redirects,
                Page.fetch_status,
                Page.status,
                Page.error,
                Page.content_type,
                Page.size,
                Page.elapsed_ms,
                Page.title,
                Page.text_len,
                Page.text_hash,
                Page.meta,
            )
            .join(SiteRun, current(run_id, Page))
            # Oldest first, so that of two pages with one URL the same one
            # wins on every database.
            .order_by(Page.id)
        )
        with self.engine.connect() as conn:
            for r in conn.execution_options(yield_per=2000).execute(q):
                meta = r.meta or {}
                row = CrawledRow(
                    r.id,
                    r.url,
                    r.final_url,
                    r.redirects,
                    r.fetch_status,
                    r.status,
                    r.error,
                    r.content_type,
                    r.size,
                    r.elapsed_ms,
                    r.title,
                    r.text_len,
                    r.text_hash,
                    meta.get("refresh"),
                    meta.get("redirect_to"),
                )
                out.setdefault(row.url, row)
                out.setdefault(row.final_url, row)
        return out

    def checked_urls(self, run_id: str) -> set[str]:
        with self.Session() as s:
            return set(s.scalars(select(UrlCheck.url).where(UrlCheck.run_id == run_id)))

    def add_url_checks(self, run_id: str, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        with self.session() as s:
            urls = [r["url"] for r in rows]
            s.execute(delete(UrlCheck).where(UrlCheck.run_id == run_id, UrlCheck.url.in_(urls)))
            s.execute(insert(UrlCheck), [{"run_id": run_id, **r} for r in rows])
            ok = [r for r in rows if r["outcome"] == "ok" and r.get("source") == "fetch"]
            if ok:
                s.execute(delete(LinkCache).where(LinkCache.url.in_([r["url"] for r in ok])))
                s.execute(
                    insert(LinkCache),
                    [
                        {
                            "url": r["url"],
                            "http_status": r.get("http_status"),
                            "final_url": r.get("final_url"),
                        }
                        for r in ok
                    ],
                )
            failed = [r["url"] for r in rows if r["outcome"] != "ok"]
            if failed:
                # A URL that fails now must be fetched again next time.
                s.execute(delete(LinkCache).where(LinkCache.url.in_(failed)))

    def cached_ok(self, urls: Sequence[str], since: dt.datetime) -> dict[str, LinkCache]:
        out: dict[str, LinkCache] = {}
        with self.Session() as s:
            chunk = 500  # keep under SQLite's bound-parameter limit
            for i in range(0, len(urls), chunk):
                q = select(LinkCache).where(
                    LinkCache.url.in_(urls[i : i + chunk]), LinkCache.checked_at >= since
                )
                for row in s.scalars(q):
                    out[row.url] = row
        return out

    def url_checks(self, run_id: str) -> dict[str, UrlCheck]:
        with self.Session() as s:
            return {u.url: u for u in s.scalars(select(UrlCheck).where(UrlCheck.run_id == run_id))}
