"""Shared fixtures: a fresh store per test and helpers to fill it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.pg import pg_server, pg_url  # noqa: F401  (fixtures for every test module)
from tests.redis import redis_server  # noqa: F401
from zwgk.config import Config, parse_config
from zwgk.store import Store, default_db_url

REPO = Path(__file__).resolve().parent.parent


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: takes a minute or more; part of the default run (deselect: -m 'not slow')"
    )


@pytest.fixture
def backend() -> str:
    """The database ``db_url`` and ``store`` use: SQLite here; tests/store
    overrides it to run each of its tests on SQLite and on PostgreSQL."""
    return "sqlite"


@pytest.fixture
def db_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A fresh, empty database: a file in ``tmp_path``, or a PostgreSQL
    database of its own on the session's server (tests/pg.py)."""
    if backend == "postgresql":
        return str(request.getfixturevalue("pg_url"))
    assert backend == "sqlite", backend
    return default_db_url(tmp_path / "t.db")


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = Store(db_url)
    yield s
    s.dispose()


def make_config(**site: Any) -> Config:
    s = {
        "id": "demo",
        "name": "示例市人民政府",
        "home": "http://www.demo.gov.test/",
        "disclosure": ["http://www.demo.gov.test/zwgk/"],
    }
    s.update(site)
    import yaml

    return parse_config(
        yaml.safe_dump(
            {"evaluation": {"as_of": "2026-11-30", "period_start": "2026-01-01"}, "sites": [s]},
            allow_unicode=True,
        )
    )


def page(url: str, **kw: Any) -> dict[str, Any]:
    """A stored page row as the spider's PageItem would produce it."""
    base: dict[str, Any] = {
        "url": url,
        "final_url": url,
        "fetch_status": "ok",
        "status": 200,
        "depth": 1,
        "is_home": False,
        "content_type": "text/html; charset=utf-8",
        "size": 1000,
        "encoding": "utf-8",
        "title": None,
        "meta": {},
        "text": "正文",
        "text_len": 2,
        "links": [],
    }
    base.update(kw)
    return base


def link(url: str, text: str, element: str = "a") -> dict[str, Any]:
    return {
        "href": url,
        "url": url,
        "kind": "http",
        "element": element,
        "attribute": "href" if element in ("a", "area", "link") else "src",
        "text": text,
        "generated_by": None,
    }


def list_item(
    title: str,
    url: str,
    date: str | None = None,
    date_text: str | None = None,
    *,
    pinned: bool = False,
) -> dict[str, Any]:
    """An item of a column list; ``date`` 'YYYY-MM-DD' or 'YYYY-MM' (month precision)."""
    precision = None if date is None else ("day" if len(date) == 10 else "month")
    return {
        "title": title,
        "url": url,
        "date": date,
        "date_text": date_text if date_text is not None else date,
        "date_precision": precision,
        "pinned": pinned,
    }


def list_page(
    url: str,
    column: str | None,
    items: list[dict[str, Any]],
    *,
    source: str = "static",
    dynamic: bool = False,
    blank: bool | None = None,
    placeholder: str | None = None,
    total: int | None = None,
    meta: dict[str, Any] | None = None,
    **kw: Any,
) -> dict[str, Any]:
    """A stored column list page with its items, as the spider stores one."""
    facts = {
        "column": column,
        "column_from": "meta" if column else None,
        "source": source,
        "dynamic": dynamic,
        "blank": (not items and not dynamic) if blank is None else blank,
        "placeholder": placeholder,
        "total": total,
    }
    rows = [{"column": column, "position": i, **it} for i, it in enumerate(items)]
    kw.setdefault("title", f"{column}_示例市人民政府" if column else None)
    return page(url, meta={**(meta or {}), "list": facts}, list_items=rows, **kw)


def parsed_page(url: str, html: str, as_of: dt.date | None = None, **kw: Any) -> dict[str, Any]:
    """A page row from HTML, parsed as the portal spider parses a fetched page."""
    from zwgk.crawler.extract import list_facts, list_rows, parse_html

    p = parse_html(html, url, as_of=as_of)
    meta = dict(p.meta)
    rows: list[dict[str, Any]] = []
    if p.list_page is not None:
        meta["list"] = list_facts(p.list_page)
        rows = list_rows(p.list_page.items, p.list_page.column)
    base = {
        "title": p.title,
        "meta": meta,
        "text": p.text,
        "text_len": len(p.text),
        "links": [lk.as_dict() for lk in p.links],
        "list_items": rows,
    }
    base.update(kw)
    return page(url, **base)


def crawl_into(
    store: Store, cfg: Config, pages: list[dict[str, Any]], run_id: str = "2026-11"
) -> None:
    """Store ``pages`` as one finished crawl of the config's first site."""
    site = cfg.sites[0]
    store.ensure_run(run_id, cfg.evaluation.as_of, cfg.evaluation.start, {})
    gen, _ = store.begin_site_crawl(run_id, site.id, site.name, site.home, resume=False)
    store.add_pages(run_id, site.id, gen, pages)
    store.finish_site_crawl(run_id, site.id, gen, {})


def as_date(s: str) -> dt.date:
    return dt.date.fromisoformat(s)
