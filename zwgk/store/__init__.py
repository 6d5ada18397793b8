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

__all__ = [
    "CheckResult",
    "Finding",
    "Ipv6Probe",
    "Ipv6Site",
    "Link",
    "LinkCache",
    "ListItem",
    "LockBusy",
    "LockHolder",
    "Page",
    "Run",
    "Score",
    "SiteRun",
    "Store",
    "StoredPage",
    "UrlCheck",
    "default_db_url",
]
