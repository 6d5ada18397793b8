"""Engine, migrations and the few write paths the pipeline needs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, KeysView, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Engine, Table, create_engine, delete, event, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from zwgk.store.models import (
    CheckResult,
    Finding,
    Link,
    LinkCache,
    Page,
    Run,
    Score,
    SiteRun,
    UrlCheck,
    utcnow,
)
from zwgk.vocab import RunState, SiteState, defragment

MIGRATIONS = Path(__file__).parent / "migrations"
_LINKS = cast(Table, Link.__table__)
# Keys a crawled page's dict may have: Page's attributes, and its links.
_PAGE_KEYS = frozenset(Page.__mapper__.attrs.keys()) | {"links"}


def default_db_url(path: str | Path = "zwgk.db") -> str:
    return f"sqlite:///{Path(path)}"


def normalise_db_url(url: str) -> str:
    """Accept a bare file path as well as an SQLAlchemy URL."""
    if "://" in url:
        return url
    return default_db_url(url)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets `zwgk report` read while a crawl writes; NORMAL is durable
    # enough with WAL and much faster than FULL for many small commits.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


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


class Store:
    def __init__(self, url: str, migrate: bool = True) -> None:
        self.url = normalise_db_url(url)
        self.engine: Engine = create_engine(self.url, future=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.Session = sessionmaker(self.engine, expire_on_commit=False)
        if migrate:
            self.migrate()

    def migrate(self) -> None:
        from alembic import command
        from alembic.config import Config as AlembicConfig

        cfg = AlembicConfig()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def dispose(self) -> None:
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.Session() as s, s.begin():
            yield s

    # -- runs and sites -------------------------------------------------

    def ensure_run(
        self, run_id: str, as_of: dt.date, period_start: dt.date, config: dict[str, Any]
    ) -> Run:
        with self.session() as s:
            run = s.get(Run, run_id)
            if run is None:
                run = Run(id=run_id, as_of=as_of, period_start=period_start, config=config)
                s.add(run)
            else:
                # Re-evaluating a stored run "as of" another date is allowed.
                run.as_of, run.period_start, run.config = as_of, period_start, config
                run.status = RunState.RUNNING
            return run

    def finish_run(self, run_id: str, status: RunState) -> None:
        with self.session() as s:
            s.execute(
                update(Run).where(Run.id == run_id).values(status=status, finished_at=utcnow())
            )

    def get_run(self, run_id: str) -> Run | None:
        with self.Session() as s:
            return s.get(Run, run_id)

    def latest_run_id(self) -> str | None:
        with self.Session() as s:
            return s.scalar(select(Run.id).order_by(Run.created_at.desc()).limit(1))

    def site_run(self, run_id: str, site_id: str) -> SiteRun | None:
        with self.Session() as s:
            return s.scalar(
                select(SiteRun).where(SiteRun.run_id == run_id, SiteRun.site_id == site_id)
            )

    def site_runs(self, run_id: str) -> list[SiteRun]:
        with self.Session() as s:
            return list(
                s.scalars(select(SiteRun).where(SiteRun.run_id == run_id).order_by(SiteRun.site_id))
            )

    def begin_site_crawl(
        self, run_id: str, site_id: str, name: str, home: str, resume: bool
    ) -> tuple[int, bool]:
        """Start (or continue) a crawl; returns ``(generation, resumed)``.

        A site left in ``crawling`` by a killed run is continued in the same
        generation when ``resume`` is true; otherwise a fresh generation starts
        and the previous results stay current until it finishes.
        """
        with self.session() as s:
            sr = s.scalar(
                select(SiteRun).where(SiteRun.run_id == run_id, SiteRun.site_id == site_id)
            )
            if sr is None:
                sr = SiteRun(
                    run_id=run_id,
                    site_id=site_id,
                    name=name,
                    home=home,
                    generation=0,
                    crawl_generation=0,
                )
                s.add(sr)
                s.flush()
            if resume and sr.status == SiteState.CRAWLING and sr.crawl_generation > sr.generation:
                return sr.crawl_generation, True
            # Drop leftovers of an abandoned generation before starting anew.
            self._delete_generations(s, run_id, site_id, keep=sr.generation)
            sr.crawl_generation = sr.generation + 1
            sr.status = SiteState.CRAWLING
            sr.name, sr.home = name, home
            sr.crawl_started = utcnow()
            sr.error = None
            return sr.crawl_generation, False

    @staticmethod
    def _delete_generations(s: Session, run_id: str, site_id: str, keep: int) -> None:
        s.execute(
            delete(Link).where(
                Link.run_id == run_id, Link.site_id == site_id, Link.generation != keep
            )
        )
        s.execute(
            delete(Page).where(
                Page.run_id == run_id, Page.site_id == site_id, Page.generation != keep
            )
        )

    def finish_site_crawl(
        self, run_id: str, site_id: str, generation: int, stats: dict[str, Any]
    ) -> None:
        """Make ``generation`` current and drop the old one, in one transaction."""
        with self.session() as s:
            sr = s.scalar(
                select(SiteRun).where(SiteRun.run_id == run_id, SiteRun.site_id == site_id)
            )
            assert sr is not None
            self._delete_generations(s, run_id, site_id, keep=generation)
            # Check results belong to the generation they were computed on.
            s.execute(delete(Finding).where(Finding.run_id == run_id, Finding.site_id == site_id))
            s.execute(
                delete(CheckResult).where(
                    CheckResult.run_id == run_id, CheckResult.site_id == site_id
                )
            )
            s.execute(delete(Score).where(Score.run_id == run_id, Score.site_id == site_id))
            sr.generation = generation
            sr.status = SiteState.CRAWLED
            sr.crawl_finished = utcnow()
            sr.pages = (
                s.query(Page)
                .filter_by(run_id=run_id, site_id=site_id, generation=generation)
                .count()
            )
            sr.stats = stats

    def fail_site(self, run_id: str, site_id: str, error: str) -> None:
        with self.session() as s:
            s.execute(
                update(SiteRun)
                .where(SiteRun.run_id == run_id, SiteRun.site_id == site_id)
                .values(status=SiteState.FAILED, error=error)
            )

    def set_site_status(self, run_id: str, site_id: str, status: SiteState) -> None:
        with self.session() as s:
            s.execute(
                update(SiteRun)
                .where(SiteRun.run_id == run_id, SiteRun.site_id == site_id)
                .values(status=status)
            )

    # -- crawl writes ---------------------------------------------------

    def add_pages(
        self, run_id: str, site_id: str, generation: int, items: Sequence[dict[str, Any]]
    ) -> None:
        """Store crawled pages with their links in one transaction.

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
                        **{k: v for k, v in item.items() if k != "links"},
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

    def add_links(
        self,
        run_id: str,
        site_id: str,
        generation: int,
        source_url: str,
        links: Sequence[dict[str, Any]],
    ) -> None:
        """Attach links found later (script-loaded list records) to a stored page."""
        with self.session() as s:
            page = s.scalar(
                select(Page)
                .where(
                    Page.run_id == run_id, Page.site_id == site_id, Page.generation == generation
                )
                .where((Page.final_url == source_url) | (Page.url == source_url))
                .limit(1)
            )
            if page is None:
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
        self, run_id: str, site_id: str, generation: int
    ) -> tuple[set[str], list[tuple[str, int, str]]]:
        """What a resumed crawl needs: URLs already stored, and in-scope link
        targets not yet fetched as ``(url, depth, referer)``."""
        with self.Session() as s:
            rows = s.execute(
                select(Page.url, Page.final_url, Page.depth).where(
                    Page.run_id == run_id, Page.site_id == site_id, Page.generation == generation
                )
            ).all()
            seen: set[str] = set()
            for url, final, _ in rows:
                seen.add(url)
                seen.add(final)
            links = s.execute(
                select(Link.url, Page.depth, Link.source_url, Link.element)
                .join(Page, Page.id == Link.page_id)
                .where(
                    Link.run_id == run_id, Link.site_id == site_id, Link.generation == generation
                )
                .where(Link.kind == "http")
            ).all()
        frontier: list[tuple[str, int, str]] = []
        for target, depth, source, _element in links:
            if target and target not in seen:
                frontier.append((target, depth + 1, source))
        return seen, frontier

    # -- reads for checks -----------------------------------------------

    def pages(self, run_id: str, site_id: str) -> list[Page]:
        with self.Session() as s:
            sr = s.scalar(
                select(SiteRun).where(SiteRun.run_id == run_id, SiteRun.site_id == site_id)
            )
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
            sr = s.scalar(
                select(SiteRun).where(SiteRun.run_id == run_id, SiteRun.site_id == site_id)
            )
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
            return list(s.scalars(select(Score).where(Score.run_id == run_id)))

    # -- link verification ----------------------------------------------

    def _current(self, run_id: str, model: Any) -> Any:
        """Join condition: rows of ``model`` in their site's current generation."""
        return (
            (SiteRun.run_id == model.run_id)
            & (SiteRun.site_id == model.site_id)
            & (SiteRun.generation == model.generation)
            & (SiteRun.run_id == run_id)
        )

    def link_targets(self, run_id: str) -> dict[str, set[str]]:
        """Distinct http link targets of the run (fragment removed) -> elements linking to them."""
        out: dict[str, set[str]] = {}
        with self.Session() as s:
            rows = s.execute(
                select(Link.url, Link.element)
                .join(SiteRun, self._current(run_id, Link))
                .where(Link.kind == "http")
                .distinct()
            ).all()
        for url, element in rows:
            if url:
                out.setdefault(defragment(url), set()).add(element)
        return out

    def crawled_index(self, run_id: str) -> dict[str, Page]:
        """Pages the crawl fetched in this run, by requested and by final URL."""
        out: dict[str, Page] = {}
        with self.Session() as s:
            for page in s.scalars(select(Page).join(SiteRun, self._current(run_id, Page))):
                out.setdefault(page.url, page)
                out.setdefault(page.final_url, page)
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
