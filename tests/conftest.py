"""Shared fixtures: a fresh store per test and helpers to fill it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from zwgk.config import Config, parse_config
from zwgk.store import Store

REPO = Path(__file__).resolve().parent.parent


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: takes a minute or more; part of the default run (deselect: -m 'not slow')"
    )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(str(tmp_path / "t.db"))
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
