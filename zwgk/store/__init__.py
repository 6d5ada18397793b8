"""Storage: SQLAlchemy 2 models and Alembic migrations (SQLite by default, any URL)."""

from zwgk.store.db import Store, default_db_url
from zwgk.store.models import (
    CheckResult,
    Finding,
    Link,
    Page,
    Run,
    Score,
    SiteRun,
)

__all__ = [
    "CheckResult",
    "Finding",
    "Link",
    "Page",
    "Run",
    "Score",
    "SiteRun",
    "Store",
    "default_db_url",
]
