"""A real Redis server for the tests, started by the tests themselves.

Debian's ``redis-server`` (``scripts/system-deps.sh`` installs it when it is
missing) runs in a temporary directory, listening on 127.0.0.1 only on a free
port, without persistence (no RDB snapshots, no append-only file), and is
stopped at the end of the test session. A server that cannot be started
fails the tests that need it, with the reason and the end of its log:
nothing is skipped.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.pg import free_port


class RedisUnavailable(Exception):
    pass


@dataclass
class RedisServer:
    root: Path
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None

    @property
    def log(self) -> Path:
        return self.root / "redis.log"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        exe = shutil.which("redis-server")
        if exe is None:
            raise RedisUnavailable(
                "redis-server not found: install Debian's redis-server package "
                "(`make system-deps` as root)"
            )
        for attempt in range(3):
            # A free port can be taken between our probe and the server's bind.
            self.port = free_port()
            self.proc = subprocess.Popen(
                [
                    exe,
                    "--bind", "127.0.0.1",
                    "--port", str(self.port),
                    "--dir", str(self.root),
                    "--save", "",
                    "--appendonly", "no",
                    "--protected-mode", "yes",
                    "--daemonize", "no",
                    "--logfile", str(self.log),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                cwd=self.root,
            )  # fmt: skip
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                if self._ping():
                    return
                time.sleep(0.05)
            self.stop()
            if attempt == 2 or "Address already in use" not in self.log_tail():
                raise RedisUnavailable("redis-server did not start")

    def _ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """One Redis server for the test session, removed at its end."""
    root = Path(tempfile.mkdtemp(prefix="zwgk-redis-"))
    server = RedisServer(root)
    problem = ""
    try:
        try:
            import redis  # noqa: F401
        except ImportError:
            raise RedisUnavailable(
                "the redis client is not installed: pip install -e '.[dev,postgres]'"
            ) from None
        server.start()
    except (RedisUnavailable, OSError) as e:
        tail = server.log_tail()
        problem = str(e) + (f"\n--- server log ---\n{tail}" if tail else "")
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
    if problem:
        pytest.fail(f"Redis could not be started for the tests: {problem}", pytrace=False)
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
