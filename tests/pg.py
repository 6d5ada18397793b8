"""A real PostgreSQL server for the tests, started by the tests themselves.

Debian's binaries (``scripts/system-deps.sh`` installs the ``postgresql``
package when they are missing) run a throwaway cluster in a temporary
directory: initdb, then ``pg_ctl start`` listening on 127.0.0.1 on a free
port and on a unix socket in that directory, trust authentication (nothing
else can reach it), fsync off. PostgreSQL refuses to run as root, so a test
run as root (CI) runs the server as an unprivileged system user that owns
the directory; a normal user runs it as themselves. Each test gets a
database of its own (``pg_url``), dropped after it.

A server that cannot be started fails the tests that need it, with the
reason and the end of the server's log: nothing is skipped.
"""

from __future__ import annotations

import itertools
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# Tried in this order when the tests run as root: Debian's package creates
# ``postgres``; ``nobody`` exists everywhere else.
SERVER_USERS = ("postgres", "nobody")
SUPERUSER = "zwgk"


class PgUnavailable(Exception):
    pass


def _version_key(path: Path) -> tuple[int, ...]:
    # /usr/lib/postgresql/<ver>/bin: the newest installed version wins.
    return tuple(int(n) for n in re.findall(r"\d+", path.parent.name))


def find_bindir() -> Path:
    """The directory with ``initdb``, ``pg_ctl`` and ``postgres``."""
    debian = sorted(
        (d for d in Path("/usr/lib/postgresql").glob("*/bin") if (d / "pg_ctl").exists()),
        key=_version_key,
    )
    candidates = [*reversed(debian)]
    on_path = shutil.which("pg_ctl")
    if on_path:
        # Resolved: pg_ctl looks for postgres beside its real file.
        candidates.append(Path(os.path.realpath(on_path)).parent)
    for d in candidates:
        if all(os.access(d / exe, os.X_OK) for exe in ("initdb", "pg_ctl", "postgres")):
            return d
    raise PgUnavailable(
        "initdb/pg_ctl not found (in /usr/lib/postgresql/*/bin or on PATH): "
        "install Debian's postgresql package (`make system-deps` as root)"
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PgServer:
    bindir: Path
    root: Path
    user: str | None  # the system user the server runs as; None: ourselves
    port: int = 0
    _names: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    def _run(self, *cmd: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        return subprocess.run(
            [*prefix, *cmd],
            capture_output=True,
            text=True,
            timeout=timeout,
            # The server's user may not be allowed into the caller's directory.
            cwd=self.root,
            env={**os.environ, "LC_ALL": "C", "LANG": "C"},
        )

    def _check(self, what: str, res: subprocess.CompletedProcess[str]) -> None:
        if res.returncode != 0:
            raise PgUnavailable(f"{what} failed ({res.returncode}): {res.stderr.strip()}")

    def start(self) -> None:
        if self.user:
            ent = pwd.getpwnam(self.user)
            os.chown(self.root, ent.pw_uid, ent.pw_gid)
            self._check(
                f"{self.user} cannot write to {self.root} (a parent directory closed to it? "
                "set TMPDIR to a world-searchable directory)",
                self._run("test", "-w", str(self.root)),
            )
        self._check(
            "initdb",
            self._run(
                str(self.bindir / "initdb"),
                "-D", str(self.data),
                "-U", SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
            ),
        )  # fmt: skip
        for attempt in range(3):
            # A free port can be taken between our probe and the server's bind.
            self.port = free_port()
            with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
                conf.write(
                    "\n# zwgk tests: loopback only, throwaway data\n"
                    "listen_addresses = '127.0.0.1'\n"
                    f"port = {self.port}\n"
                    f"unix_socket_directories = '{self.root}'\n"
                    "fsync = off\n"
                    "synchronous_commit = off\n"
                    "full_page_writes = off\n"
                )
            res = self._run(
                str(self.bindir / "pg_ctl"), "start", "-w", "-t", "60",
                "-D", str(self.data), "-l", str(self.log),
            )  # fmt: skip
            if res.returncode == 0:
                return
            if attempt == 2 or "could not bind" not in self.log_tail():
                raise PgUnavailable(f"pg_ctl start failed: {res.stderr.strip()}")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(str(self.bindir / "pg_ctl"), "stop", "-m", "fast", "-w", "-D", str(self.data))

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(sql)

    def create_database(self) -> str:
        """A new empty database; returns its name."""
        name = f"zwgk_t{next(self._names)}"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE template0')
        return name

    def drop_database(self, name: str) -> None:
        # FORCE: a test that forgot to dispose of its engine does not block the drop.
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _server_user() -> str | None:
    if os.geteuid() != 0:
        return None
    if not shutil.which("runuser"):
        raise PgUnavailable("running as root, and runuser (util-linux) is missing")
    for name in SERVER_USERS:
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise PgUnavailable(f"running as root, and none of the users {SERVER_USERS} exists")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One PostgreSQL cluster for the test session, removed at its end."""
    server: PgServer | None = None
    root = Path(tempfile.mkdtemp(prefix="zwgk-pg-"))
    problem = ""
    try:
        try:
            import psycopg  # noqa: F401
        except ImportError:
            msg = "psycopg is not installed: pip install -e '.[dev,postgres]'"
            raise PgUnavailable(msg) from None
        server = PgServer(find_bindir(), root, _server_user())
        server.start()
    except (PgUnavailable, OSError, subprocess.SubprocessError) as e:
        tail = server.log_tail() if server else ""
        problem = str(e) + (f"\n--- server log ---\n{tail}" if tail else "")
        if server:
            server.stop()
        shutil.rmtree(root, ignore_errors=True)
    if problem or server is None:
        pytest.fail(f"PostgreSQL could not be started for the tests: {problem}", pytrace=False)
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: PgServer) -> Iterator[str]:
    """The SQLAlchemy URL of a fresh, empty database, dropped after the test."""
    name = pg_server.create_database()
    yield pg_server.url(name)
    pg_server.drop_database(name)
