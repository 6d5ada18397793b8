"""Two `zwgk run` on the same store and run: one runs, the other refuses in
one line (exit code 3) and writes nothing; the store is as after one run."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from zwgk.dnsserver import DNSServer

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def slow_site() -> Iterator[int]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            if self.path == "/":
                time.sleep(3)  # long enough for the second run to meet the first
            body = (
                "<html><head><meta charset='utf-8'><title>甲县人民政府</title></head><body>"
                "<a href='/zwgk/'>政府信息公开</a><a href='/a.html'>通知</a></body></html>"
            ).encode()
            self.send_response(200 if self.path in ("/", "/zwgk/", "/a.html") else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_two_runs_at_once(tmp_path: Path, slow_site: int) -> None:
    with DNSServer({"www.a.gov.test": ["127.0.0.1"]}) as dns:
        cfg = tmp_path / "sites.yaml"
        cfg.write_text(
            yaml.safe_dump(
                {
                    "evaluation": {"as_of": "2026-11-30"},
                    "crawl": {"delay_s": 0, "obey_robots": False},
                    "links": {"check_external": False},
                    "ipv6": {"enabled": False},
                    "dns": {"nameservers": [dns.address]},
                    "sites": [
                        {
                            "id": "a",
                            "name": "甲县人民政府",
                            "home": f"http://www.a.gov.test:{slow_site}/",
                        }
                    ],
                },
                allow_unicode=True,
            ),
            encoding="utf-8",
        )
        db = tmp_path / "z.db"

        def start(out: str) -> subprocess.Popen[str]:
            return subprocess.Popen(
                [sys.executable, "-m", "zwgk", "run", "--config", str(cfg), "--db", str(db),
                 "--out", str(tmp_path / out), "--no-progress"],
                cwd=REPO,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )  # fmt: skip

        first, second = start("out1"), start("out2")
        results = [(p, *p.communicate(timeout=300)) for p in (first, second)]
    codes = sorted(p.returncode for p, _, _ in results)
    assert codes == [0, 3], [(p.returncode, e) for p, _, e in results]
    (loser,) = [r for r in results if r[0].returncode == 3]
    lines = loser[2].strip().splitlines()
    assert len(lines) == 1, loser[2]
    assert lines[0].startswith("error: run 2026-11 is already in progress on ")
    assert "not starting a second one" in lines[0]
    # The refused run wrote no output folder; the other wrote its reports.
    outs = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("out"))
    assert len(outs) == 1 and (tmp_path / outs[0] / "2026-11" / "index.html").exists()
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = con.execute(
            "SELECT p.url, count(*) FROM pages p JOIN site_runs r "
            "ON r.run_id = p.run_id AND r.site_id = p.site_id AND r.generation = p.generation "
            "GROUP BY p.url"
        ).fetchall()
        assert rows and all(n == 1 for _, n in rows)
        assert con.execute("SELECT count(*) FROM run_locks").fetchone()[0] == 0
    finally:
        con.close()
