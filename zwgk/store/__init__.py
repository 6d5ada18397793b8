"""Storage: SQLAlchemy 2 models and Alembic migrations (SQLite by default, any URL)."""

from zwgk.store.crawl import StoredPage
from zwgk.store.db import LockBusy, LockHolder, Store, default_db_url
from zwgk.store.models import (
    CheckResult,
    Finding,
    Ipv6Probe,
    Ipv6Site,
    Link,
    LinkCache,
    ListItem,
    Page,
    Run,
    Score,
    SiteRun,
    UrlCheck,
)
from zwgk.store.rows import CrawledRow, LinkRow, ListItemRow, PageRow, UrlCheckRow

__all__ = [
    "CheckResult",
    "CrawledRow",
    "Finding",
    "Ipv6Probe",
    "Ipv6Site",
    "Link",
    "LinkCache",
    "LinkRow",
    "ListItem",
    "ListItemRow",
    "LockBusy",
    "LockHolder",
    "Page",
    "PageRow",
    "Run",
    "Score",
    "SiteRun",
    "Store",
    "StoredPage",
    "UrlCheck",
    "UrlCheckRow",
    "default_db_url",
]
