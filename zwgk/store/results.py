"""The checks' part of the store: the current pages, links and list items they read, and
the check results, findings and scores they write."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from zwgk.store.base import StoreBase, site_run_row
from zwgk.store.models import CheckResult, Finding, Link, ListItem, Page, Run, Score, UrlCheck
from zwgk.store.rows import (
    LINK_COLUMNS,
    LIST_ITEM_COLUMNS,
    PAGE_COLUMNS,
    URL_CHECK_COLUMNS,
    LinkRow,
    ListItemRow,
    PageRow,
    UrlCheckRow,
)

# Rows fetched per round trip when streaming: enough to amortise the query,
# few enough that a million links never sit in memory at once.
STREAM_BATCH = 2000
# Ids per IN (…) list: below SQLite's and PostgreSQL's parameter limits.
ID_BATCH = 500


def batches(values: Collection[Any]) -> Iterator[list[Any]]:
    """The distinct values, sorted, ``ID_BATCH`` at a time (one IN list each)."""
    ordered = sorted(set(values))
    for i in range(0, len(ordered), ID_BATCH):
        yield ordered[i : i + ID_BATCH]


def delete_site_results(s: Session, run_id: str, site_id: str) -> None:
    """Drop a site's findings, check results and score (they belong to the
    generation they were computed on)."""
    s.execute(delete(Finding).where(Finding.run_id == run_id, Finding.site_id == site_id))
    s.execute(
        delete(CheckResult).where(CheckResult.run_id == run_id, CheckResult.site_id == site_id)
    )
    s.execute(delete(Score).where(Score.run_id == run_id, Score.site_id == site_id))


class ResultStore(StoreBase):
    # -- reads for checks -----------------------------------------------

    def pages(self, run_id: str, site_id: str) -> list[Page]:
        with self.Session() as s:
            sr = site_run_row(s, run_id, site_id)
            if sr is None:
                return []
            return list(
                s.scalars(
                    select(Page)
                    .where(
                        Page.run_id == run_id,
                        Page.site_id == site_id,
                        Page.generation == sr.generation,
                    )
                    .order_by(Page.id)
                )
            )

    def links(self, run_id: str, site_id: str) -> list[Link]:
        with self.Session() as s:
            sr = site_run_row(s, run_id, site_id)
            if sr is None:
                return []
            return list(
                s.scalars(
                    select(Link)
                    .where(
                        Link.run_id == run_id,
                        Link.site_id == site_id,
                        Link.generation == sr.generation,
                    )
                    .order_by(Link.id)
                )
            )

    def _generation(self, run_id: str, site_id: str) -> int | None:
        with self.Session() as s:
            sr = site_run_row(s, run_id, site_id)
            return None if sr is None else sr.generation

    def page_rows(self, run_id: str, site_id: str) -> list[PageRow]:
        """The current generation's pages in store order, without body text."""
        gen = self._generation(run_id, site_id)
        if gen is None:
            return []
        q = (
            select(*PAGE_COLUMNS)
            .where(Page.run_id == run_id, Page.site_id == site_id, Page.generation == gen)
            .order_by(Page.id)
        )
        with self.engine.connect() as conn:
            return [PageRow(*r) for r in conn.execute(q)]

    def page_texts(self, page_ids: Collection[int]) -> dict[int, str | None]:
        """Body texts of the given pages, read when a check needs them."""
        out: dict[int, str | None] = {}
        with self.engine.connect() as conn:
            for ids in batches(page_ids):
                out.update(conn.execute(select(Page.id, Page.text).where(Page.id.in_(ids))).all())
        return out

    def iter_links(
        self, run_id: str, site_id: str, page_ids: Collection[int] | None = None
    ) -> Iterator[LinkRow]:
        """The current generation's links in store order, streamed in batches
        (``page_ids``: only the links of those pages)."""
        gen = self._generation(run_id, site_id)
        if gen is None:
            return
        q = select(*LINK_COLUMNS).where(
            Link.run_id == run_id, Link.site_id == site_id, Link.generation == gen
        )
        if page_ids is not None:
            for ids in batches(page_ids):
                with self.engine.connect() as conn:
                    rows = conn.execute(q.where(Link.page_id.in_(ids)).order_by(Link.id)).all()
                yield from (LinkRow(*r) for r in rows)
            return
        with self.engine.connect() as conn:
            result = conn.execution_options(yield_per=STREAM_BATCH).execute(q.order_by(Link.id))
            for r in result:
                yield LinkRow(*r)

    def list_item_rows(self, run_id: str, site_id: str) -> list[ListItemRow]:
        """The current generation's list items, list by list in item order."""
        gen = self._generation(run_id, site_id)
        if gen is None:
            return []
        q = (
            select(*LIST_ITEM_COLUMNS)
            .where(
                ListItem.run_id == run_id, ListItem.site_id == site_id, ListItem.generation == gen
            )
            .order_by(ListItem.page_id, ListItem.position, ListItem.id)
        )
        with self.engine.connect() as conn:
            return [ListItemRow(*r) for r in conn.execute(q)]

    def url_outcomes(self, run_id: str) -> dict[str, str]:
        """Link verification's outcome for every target of the run."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(UrlCheck.url, UrlCheck.outcome).where(UrlCheck.run_id == run_id)
            )
            return {url: outcome for url, outcome in rows}

    def url_check_rows(self, run_id: str, urls: Collection[str]) -> dict[str, UrlCheckRow]:
        """The full verdicts on the given targets (the ones a check reports)."""
        out: dict[str, UrlCheckRow] = {}
        with self.engine.connect() as conn:
            for chunk in batches(urls):
                q = select(*URL_CHECK_COLUMNS).where(
                    UrlCheck.run_id == run_id, UrlCheck.url.in_(chunk)
                )
                for r in conn.execute(q):
                    out[r.url] = UrlCheckRow(*r)
        return out

    def list_items(self, run_id: str, site_id: str) -> list[ListItem]:
        """The current generation's list items, list by list in item order."""
        with self.Session() as s:
            sr = site_run_row(s, run_id, site_id)
            if sr is None:
                return []
            return list(
                s.scalars(
                    select(ListItem)
                    .where(
                        ListItem.run_id == run_id,
                        ListItem.site_id == site_id,
                        ListItem.generation == sr.generation,
                    )
                    .order_by(ListItem.page_id, ListItem.position, ListItem.id)
                )
            )

    # -- check and score writes -----------------------------------------

    def replace_check_result(
        self,
        run_id: str,
        site_id: str,
        check: str,
        version: str,
        status: str,
        metrics: dict[str, Any],
        findings: Sequence[dict[str, Any]],
        error: str | None = None,
    ) -> None:
        with self.session() as s:
            s.execute(
                delete(Finding).where(
                    Finding.run_id == run_id, Finding.site_id == site_id, Finding.check == check
                )
            )
            s.execute(
                delete(CheckResult).where(
                    CheckResult.run_id == run_id,
                    CheckResult.site_id == site_id,
                    CheckResult.check == check,
                )
            )
            s.add(
                CheckResult(
                    run_id=run_id,
                    site_id=site_id,
                    check=check,
                    version=version,
                    status=status,
                    metrics=metrics,
                    error=error,
                )
            )
            for f in findings:
                s.add(Finding(run_id=run_id, site_id=site_id, check=check, **f))

    def check_results(self, run_id: str) -> list[CheckResult]:
        with self.Session() as s:
            return list(
                s.scalars(
                    select(CheckResult).where(CheckResult.run_id == run_id).order_by(CheckResult.id)
                )
            )

    def findings(self, run_id: str, site_id: str | None = None) -> list[Finding]:
        with self.Session() as s:
            q = select(Finding).where(Finding.run_id == run_id)
            if site_id:
                q = q.where(Finding.site_id == site_id)
            return list(s.scalars(q.order_by(Finding.site_id, Finding.check, Finding.id)))

    def replace_score(self, run_id: str, site_id: str, **values: Any) -> None:
        with self.session() as s:
            s.execute(delete(Score).where(Score.run_id == run_id, Score.site_id == site_id))
            s.add(Score(run_id=run_id, site_id=site_id, **values))

    def scores(self, run_id: str) -> list[Score]:
        with self.Session() as s:
            return list(s.scalars(select(Score).where(Score.run_id == run_id).order_by(Score.id)))

    # -- history, for the scorecards' change since last month -------------

    def site_history(self, site_id: str) -> list[tuple[Run, Score]]:
        """Every run that scored ``site_id``, oldest evaluation date first."""
        with self.Session() as s:
            rows = s.execute(
                select(Run, Score)
                .join(Score, Score.run_id == Run.id)
                .where(Score.site_id == site_id)
                .order_by(Run.as_of, Run.id)
            ).all()
        return [(r, sc) for r, sc in rows]
