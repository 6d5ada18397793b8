"""The portal crawl's part of the store: page, link and list-item writes, and
what a resumed crawl reads back (``crawl_state``)."""

from __future__ import annotations

from collections.abc import Collection, Iterator, KeysView, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from zwgk.store.base import StoreBase, site_run_row
from zwgk.store.models import Link, ListItem, Page, SiteRun
from zwgk.vocab import HTML_TYPES, FetchStatus

_LINKS = cast(Table, Link.__table__)
_LIST_ITEMS = cast(Table, ListItem.__table__)
# Keys a crawled page's dict may have: Page's attributes, its links and the
# items of its column list.
_CHILDREN = frozenset({"links", "list_items"})
# ``copy_of``: the id of a stored page the server answered 304 for; the row
# is stored as a copy of it (add_pages).
_PAGE_KEYS = frozenset(Page.__mapper__.attrs.keys()) | _CHILDREN | {"copy_of"}
# What a 304 copy takes from the stored page: everything the response would
# have given, had it been downloaded. The crawl's own facts (depth, home,
# redirects, latency, validators, when) are the new request's.
COPIED = (
    "final_url", "status", "content_type", "size", "encoding", "title", "meta", "text",
    "text_len", "text_hash", "fragment_ids",
)  # fmt: skip
# Links and list items that script-loaded list data (Hanweb's dataproxy)
# added to a page after it was stored: a revisit asks for that data again
# (the page's ``meta["list_jobs"]``), as a download of the page would, so a
# 304 copy leaves them out.
LIST_DATA_LINKS = "hanweb_proxy"
_LINK_COPY = [
    c.key
    for c in _LINKS.columns
    if c.key not in ("id", "run_id", "site_id", "generation", "page_id", "source_url", "on_home")
]
_ITEM_COPY = [
    c.key
    for c in _LIST_ITEMS.columns
    if c.key not in ("id", "run_id", "site_id", "generation", "page_id", "page_url")
]


@dataclass
class StoredPage:
    """A page of a site's previous generation that a revisit may ask for
    conditionally: its validators, and what the crawl follows from it when
    the server answers 304 (its links in stored order, its list-data jobs)."""

    id: int
    final_url: str
    etag: str | None
    last_modified: str | None
    list_jobs: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)


def page_list_items(meta: dict[str, Any] | None) -> int | None:
    """How many of a page's list items its own HTML holds, when list data
    loaded by script added more (None: all of them are the page's)."""
    meta = meta or {}
    jobs = meta.get("list_jobs")
    if not jobs:
        return None
    n = meta.get("list_page_items")
    return int(n) if n is not None else min(int(j.get("have", 0)) for j in jobs)


def _same_keys(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """Consecutive runs of ``rows`` that have the same keys.

    A bulk INSERT groups its rows by their keys; handing it one group at a
    time keeps the rows (and so their ids) in the given order.
    """
    run: list[dict[str, Any]] = []
    keys: KeysView[str] | None = None
    for row in rows:
        if keys is not None and row.keys() != keys:
            yield run
            run = []
        run.append(row)
        keys = row.keys()
    if run:
        yield run


def delete_generations(s: Session, run_id: str, site_id: str, keep: int) -> None:
    """Drop a site's pages, links and list items of every generation but ``keep``."""
    s.execute(
        delete(Link).where(Link.run_id == run_id, Link.site_id == site_id, Link.generation != keep)
    )
    # Deleted explicitly, like links: SQLite cascades only with foreign_keys on,
    # and another database may not have the cascade at all.
    s.execute(
        delete(ListItem).where(
            ListItem.run_id == run_id, ListItem.site_id == site_id, ListItem.generation != keep
        )
    )
    s.execute(
        delete(Page).where(Page.run_id == run_id, Page.site_id == site_id, Page.generation != keep)
    )


def count_pages(s: Session, run_id: str, site_id: str, generation: int) -> int:
    return s.query(Page).filter_by(run_id=run_id, site_id=site_id, generation=generation).count()


def previous_generation(s: Session, run_id: str, site_id: str) -> tuple[str, int] | None:
    """The site's most recent stored generation a new crawl of it replaces
    or follows: the run's current one (a re-crawl), else the current one of
    the run in which the site was crawled last."""
    sr = site_run_row(s, run_id, site_id)
    if sr is not None and sr.generation > 0:
        return run_id, sr.generation
    row = s.execute(
        select(SiteRun.run_id, SiteRun.generation)
        .where(SiteRun.site_id == site_id, SiteRun.run_id != run_id, SiteRun.generation > 0)
        .order_by(SiteRun.crawl_finished.desc(), SiteRun.id.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row is not None else None


def _copies(s: Session, items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """``items`` with every ``copy_of`` row filled from the stored page it
    names (three queries for the whole batch)."""
    ids = {item["copy_of"] for item in items if item.get("copy_of") is not None}
    if not ids:
        return list(items)
    sources = {
        row.id: row
        for row in s.execute(
            select(Page.id, *(getattr(Page, c) for c in COPIED)).where(Page.id.in_(ids))
        )
    }
    links: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for m in s.execute(
        select(Link.page_id, *(getattr(Link, c) for c in _LINK_COPY))
        .where(Link.page_id.in_(ids))
        .where(or_(Link.generated_by.is_(None), Link.generated_by != LIST_DATA_LINKS))
        .order_by(Link.id)
    ).mappings():
        links[m["page_id"]].append({c: m[c] for c in _LINK_COPY})
    entries: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for m in s.execute(
        select(ListItem.page_id, *(getattr(ListItem, c) for c in _ITEM_COPY))
        .where(ListItem.page_id.in_(ids))
        .order_by(ListItem.id)
    ).mappings():
        entries[m["page_id"]].append({c: m[c] for c in _ITEM_COPY})
    out: list[dict[str, Any]] = []
    for item in items:
        source_id = item.get("copy_of")
        row = {k: v for k, v in item.items() if k != "copy_of"}
        if source_id is None:
            out.append(row)
            continue
        src = sources.get(source_id)
        if src is None:
            # Re-crawled (and so deleted) by another process since this crawl
            # began: what the 304 confirmed is gone.
            row.update(
                fetch_status=FetchStatus.ERROR.value,
                not_modified=False,
                error="304 Not Modified, but the stored copy it confirmed is gone; crawl again",
                links=[],
                list_items=[],
            )
            out.append(row)
            continue
        row.update({c: getattr(src, c) for c in COPIED})
        row["not_modified"] = True
        row["links"] = links[source_id]
        keep = page_list_items(src.meta)
        row["list_items"] = [e for e in entries[source_id] if keep is None or e["position"] < keep]
        out.append(row)
    return out


class CrawlStore(StoreBase):
    def revisit_basis(self, run_id: str, site_id: str) -> dict[str, StoredPage]:
        """The pages a new crawl of the site may ask for conditionally, by
        their stored (canonical) URL: the successful HTML pages with
        validators of the site's previous generation (``previous_generation``).
        Two queries for the whole site."""
        with self.Session() as s:
            prev = previous_generation(s, run_id, site_id)
            if prev is None:
                return {}
            prev_run, generation = prev
            where = (
                Page.run_id == prev_run,
                Page.site_id == site_id,
                Page.generation == generation,
            )
            basis: dict[str, StoredPage] = {}
            by_id: dict[int, StoredPage] = {}
            for pid, url, final, ctype, etag, modified, jobs in s.execute(
                select(
                    Page.id,
                    Page.url,
                    Page.final_url,
                    Page.content_type,
                    Page.etag,
                    Page.last_modified,
                    Page.meta["list_jobs"],
                )
                .where(*where)
                .where(Page.fetch_status == FetchStatus.OK.value)
                .where(Page.status >= 200, Page.status < 300)
                .where(or_(Page.etag.is_not(None), Page.last_modified.is_not(None)))
                .order_by(Page.id)
            ):
                if url in basis or not (ctype or "").lower().startswith(HTML_TYPES):
                    continue
                sp = StoredPage(pid, final, etag, modified, list(jobs or []))
                basis[url] = by_id[pid] = sp
            if not basis:
                return {}
            for page_id, url, element, generated_by in s.execute(
                select(Link.page_id, Link.url, Link.element, Link.generated_by)
                .where(
                    Link.run_id == prev_run, Link.site_id == site_id, Link.generation == generation
                )
                .where(Link.kind == "http", Link.url.is_not(None))
                .where(or_(Link.generated_by.is_(None), Link.generated_by != LIST_DATA_LINKS))
                .order_by(Link.id)
            ):
                owner = by_id.get(page_id)
                if owner is not None:
                    owner.links.append(
                        {
                            "url": url,
                            "kind": "http",
                            "element": element,
                            "generated_by": generated_by,
                        }
                    )
        return basis

    def add_pages(
        self, run_id: str, site_id: str, generation: int, items: Sequence[dict[str, Any]]
    ) -> None:
        """Store crawled pages with their links and list items in one transaction.

        One INSERT … RETURNING for the pages and one executemany for all
        their links (per run of rows with the same keys, so that ids follow
        the order of ``items`` as they did when each page was flushed alone).
        """
        for item in items:
            # The errors constructing Page(run_id=…, **item) raised.
            for key in item.keys() - _PAGE_KEYS:
                raise TypeError(f"{key!r} is an invalid keyword argument for Page")
            for key in item.keys() & {"run_id", "site_id", "generation"}:
                raise TypeError(f"got multiple values for keyword argument {key!r}")
        with self.session() as s:
            items = _copies(s, items)
            page_ids: list[int] = []
            for run in _same_keys(
                [
                    {
                        "run_id": run_id,
                        "site_id": site_id,
                        "generation": generation,
                        **{k: v for k, v in item.items() if k not in _CHILDREN},
                    }
                    for item in items
                ]
            ):
                page_ids.extend(
                    s.scalars(
                        insert(Page).returning(Page.id, sort_by_parameter_order=True), run
                    ).all()
                )
            links = [
                {
                    "run_id": run_id,
                    "site_id": site_id,
                    "generation": generation,
                    "page_id": page_id,
                    "source_url": item["final_url"],
                    "on_home": item.get("is_home", False),
                    **link,
                }
                for item, page_id in zip(items, page_ids, strict=True)
                for link in item.get("links") or []
            ]
            # Core, not ORM, bulk insert: the rows are plain column values,
            # and the ORM's per-row bookkeeping cost more than SQLite's work.
            for run in _same_keys(links):
                s.execute(_LINKS.insert(), run)
            list_items = [
                {
                    "run_id": run_id,
                    "site_id": site_id,
                    "generation": generation,
                    "page_id": page_id,
                    "page_url": item["final_url"],
                    **entry,
                }
                for item, page_id in zip(items, page_ids, strict=True)
                for entry in item.get("list_items") or []
            ]
            for run in _same_keys(list_items):
                s.execute(_LIST_ITEMS.insert(), run)

    def add_links(
        self,
        run_id: str,
        site_id: str,
        generation: int,
        source_url: str,
        links: Sequence[dict[str, Any]],
        list_items: Sequence[dict[str, Any]] = (),
    ) -> None:
        """Attach links found later (script-loaded list records) to a stored
        page, and the list items those records are."""
        with self.session() as s:
            page = s.scalar(
                select(Page)
                .where(
                    Page.run_id == run_id, Page.site_id == site_id, Page.generation == generation
                )
                .where((Page.final_url == source_url) | (Page.url == source_url))
                .order_by(Page.id)
                .limit(1)
            )
            if page is None:
                return
            if list_items:
                column = (page.meta or {}).get("list", {}).get("column")
                s.execute(
                    insert(ListItem),
                    [
                        {
                            "run_id": run_id,
                            "site_id": site_id,
                            "generation": generation,
                            "page_id": page.id,
                            "page_url": page.final_url,
                            **entry,
                            "column": entry.get("column") or column,
                        }
                        for entry in list_items
                    ],
                )
            if not links:
                return
            s.execute(
                insert(Link),
                [
                    {
                        "run_id": run_id,
                        "site_id": site_id,
                        "generation": generation,
                        "page_id": page.id,
                        "source_url": source_url,
                        "on_home": page.is_home,
                        **link,
                    }
                    for link in links
                ],
            )

    def crawl_state(
        self,
        run_id: str,
        site_id: str,
        generation: int,
        follow: Collection[str] | None = None,
        never: Collection[str] = (),
    ) -> tuple[set[str], list[tuple[str, int, str]]]:
        """What a resumed crawl needs: URLs already stored, and in-scope link
        targets not yet fetched as ``(url, depth, referer)``, shallowest first.

        ``follow``: the elements whose links the crawl follows (script-built
        links are followed whatever their element); None for every link. The
        crawl passes its own rule, so that a resumed crawl fetches what an
        uninterrupted one would have, and not every image and stylesheet.
        ``never``: elements not followed whoever generated them."""
        with self.Session() as s:
            rows = s.execute(
                select(Page.url, Page.final_url, Page.depth).where(
                    Page.run_id == run_id, Page.site_id == site_id, Page.generation == generation
                )
            ).all()
            # The URLs requested, not where they redirected: an uninterrupted
            # crawl requests a redirect's target again when a page links to
            # it, so a resumed one must too, or the two store different pages.
            seen: set[str] = {url for url, _final, _depth in rows}
            links = s.execute(
                select(Link.url, Page.depth, Link.source_url, Link.element, Link.generated_by)
                .join(Page, Page.id == Link.page_id)
                .where(
                    Link.run_id == run_id, Link.site_id == site_id, Link.generation == generation
                )
                .where(Link.kind == "http")
                # The order they were stored in: SQLite's scan happens to give
                # it, PostgreSQL's need not (a rewritten table, a hash join).
                .order_by(Link.id)
            ).all()
        frontier: list[tuple[str, int, str]] = []
        for target, depth, source, element, generated_by in links:
            if follow is not None and element not in follow and generated_by is None:
                continue
            if element in never:  # not even when a script generated it
                continue
            if target and target not in seen:
                frontier.append((target, depth + 1, source))
        # Stable: among links of one depth, the order they were stored in.
        frontier.sort(key=lambda f: f[1])
        return seen, frontier

    def list_continuations(
        self, run_id: str, site_id: str, generation: int
    ) -> list[tuple[str, int, list[dict[str, Any]], int]]:
        """Script-loaded lists a resumed crawl must continue: for each stored
        page whose meta has ``list_jobs``, ``(final_url, depth, jobs, items)``
        where ``items`` is how many of its list items are stored (one past
        the highest position)."""
        with self.Session() as s:
            pages = s.execute(
                select(Page.id, Page.final_url, Page.depth, Page.meta).where(
                    Page.run_id == run_id, Page.site_id == site_id, Page.generation == generation
                )
            ).all()
            wanted: dict[int, tuple[str, int, list[dict[str, Any]]]] = {
                pid: (url, depth, (meta or {})["list_jobs"])
                for pid, url, depth, meta in pages
                if (meta or {}).get("list_jobs")
            }
            if not wanted:
                return []
            counts = dict(
                s.execute(
                    select(ListItem.page_id, func.max(ListItem.position))
                    .where(ListItem.page_id.in_(list(wanted)))
                    .group_by(ListItem.page_id)
                ).all()
            )
        return [
            (url, depth, jobs, (counts[pid] + 1) if counts.get(pid) is not None else 0)
            for pid, (url, depth, jobs) in sorted(wanted.items())
        ]
