"""The portal crawl's part of the store: page, link and list-item writes, and
what a resumed crawl reads back (``crawl_state``)."""

from __future__ import annotations

from collections.abc import Collection, Iterator, KeysView, Sequence
from typing import Any, cast

from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.orm import Session

from zwgk.store.base import StoreBase
from zwgk.store.models import Link, ListItem, Page

_LINKS = cast(Table, Link.__table__)
_LIST_ITEMS = cast(Table, ListItem.__table__)
# Keys a crawled page's dict may have: Page's attributes, its links and the
# items of its column list.
_CHILDREN = frozenset({"links", "list_items"})
_PAGE_KEYS = frozenset(Page.__mapper__.attrs.keys()) | _CHILDREN


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


class CrawlStore(StoreBase):
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
