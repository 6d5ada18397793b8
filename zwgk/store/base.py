"""The engine, sessions and migrations every part of the store shares."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, select, text
from sqlalchemy.orm import Session, sessionmaker

from zwgk.store.models import SiteRun

MIGRATIONS = Path(__file__).parent / "migrations"


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


# Any fixed number: the advisory lock's name on PostgreSQL.
_MIGRATION_LOCK_KEY = 2026_1203


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """Serialise migrations of one SQLite file between processes.

    Two ``zwgk run`` on a new store would otherwise both create the tables
    and one die with a multi-line SQL error. SQLite's own locks do not cover
    Alembic's check-then-create, so an exclusive ``flock`` on a file beside
    the database does (``zwgk.db.lock``, left in place: removing a lock file
    races with the next taker).
    """
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(f"{database}.lock", "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def site_run_row(s: Session, run_id: str, site_id: str) -> SiteRun | None:
    """The ``site_runs`` row of a site in a run, in session ``s``."""
    return s.scalar(select(SiteRun).where(SiteRun.run_id == run_id, SiteRun.site_id == site_id))


class StoreBase:
    """One database: its engine, a session factory, and the migrations.

    Each stage's part of the store (``zwgk.store.runs``, ``.crawl``,
    ``.linkcheck``, ``.results``) is a subclass of this; ``Store`` combines them.
    """

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
        with _migration_lock(self.engine), self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # Held to the end of the migration's transaction: a second
                # process waits, then finds the schema at head.
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK_KEY})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def dispose(self) -> None:
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.Session() as s, s.begin():
            yield s
