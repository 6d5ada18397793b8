"""The private-address guard in a real crawl.

A configured site redirects to a name that the test DNS maps to 127.0.0.2
(standing in for an intranet address). With allow_private off no connection
may reach 127.0.0.2; with it on, one does, which shows the listener would
have seen a leak.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from zwgk.dnsserver import DNSServer
from zwgk.store import Store

REPO = Path(__file__).resolve().parents[2]


class Listener:
    """Counts TCP connections on 127.0.0.2."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.2", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            conn.sendall(
                b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<title>intranet</title>"
            )
            conn.close()

    def stop(self) -> None:
        self._stop.set()
        self._t.join(timeout=2)
        self.sock.close()


@pytest.fixture
def site() -> Iterator[tuple[int, Listener]]:
    listener = Listener()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            if self.path == "/go/oa":
                self.send_response(302)
                self.send_header("Location", f"http://intranet.a.gov.test:{listener.port}/")
                self.end_headers()
                return
            body = (
                "<html><head><title>首页</title></head>"
                '<body><a href="/go/oa">办公系统</a></body></html>'
            )
            data = body.encode("utf-8")
            self.send_response(200 if self.path == "/" else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield server.server_address[1], listener
    server.shutdown()
    server.server_close()
    listener.stop()


@pytest.mark.parametrize("allow_private", [False, True])
def test_redirect_to_private_address(
    tmp_path: Path, site: tuple[int, Listener], allow_private: bool
) -> None:
    port, listener = site
    with DNSServer({"www.a.gov.test": ["127.0.0.1"], "intranet.a.gov.test": ["127.0.0.2"]}) as dns:
        cfg = tmp_path / "sites.yaml"
        cfg.write_text(
            yaml.safe_dump(
                {
                    "crawl": {"delay_s": 0, "obey_robots": False},
                    "dns": {"nameservers": [dns.address]},
                    "network": {"allow_private": allow_private},
                    "rubric": str(REPO / "config" / "rubric.yaml"),
                    "sites": [{"id": "a", "name": "甲", "home": f"http://www.a.gov.test:{port}/"}],
                }
            ),
            encoding="utf-8",
        )
        r = subprocess.run(
            [
                sys.executable,
                "-m",
                "zwgk",
                "crawl",
                "--config",
                str(cfg),
                "--db",
                str(tmp_path / "z.db"),
                "--out",
                str(tmp_path / "out"),
                "--no-progress",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=REPO,
        )
        assert r.returncode == 0, r.stderr
    store = Store(str(tmp_path / "z.db"))
    try:
        (run_id,) = {sr.run_id for sr in store.site_runs(store.latest_run_id() or "")}
        go = next(p for p in store.pages(run_id, "a") if p.url.endswith("/go/oa"))
    finally:
        store.dispose()
    if allow_private:
        assert listener.connections >= 1
        assert go.fetch_status == "ok"
    else:
        assert listener.connections == 0
        assert go.fetch_status == "private_address"
        assert "127.0.0.2" in (go.error or "")
