"""Link verification beside the crawl: the files a site links (attachments,
images) are verified by a second process while the portal crawl still
runs, each fetched once, pages never fetched twice, and the verdicts and
findings are those of verification after the crawl (``beside_crawl: false``)."""

from __future__ import annotations

import re
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

from tests.crawler.test_crawl import REPO

PAGES = 40
FILES_PER_PAGE = 1
# The crawl asks for a page every CRAWL_DELAY_S, each answered this late:
# it lasts seconds, long enough for the second process to start beside it.
PAGE_DELAY_S = 0.1
CRAWL_DELAY_S = 0.2


class Logged(ThreadingHTTPServer):
    log: list[tuple[float, str, str]]
    lock: threading.Lock


class Handler(BaseHTTPRequestHandler):
    server: Logged

    def _answer(self, body: bool) -> None:
        with self.server.lock:
            self.server.log.append((time.monotonic(), self.command, self.path))
        path = self.path
        if path.endswith(".pdf"):
            # Every third attachment is gone.
            n = int(path.rsplit("/", 1)[1].split(".")[0])
            status, ctype, raw = (
                (404, "text/html; charset=utf-8", b"<html><title>404</title></html>")
                if n % 3 == 0
                else (200, "application/pdf", b"%PDF-1.4 zwgk test attachment")
            )
        elif path != "/" and not re.fullmatch(r"/\d+\.html", path):
            # robots.txt, the soft-404 probe: nothing there
            status, ctype, raw = 404, "text/html; charset=utf-8", b"<html><title>404</title></html>"
        else:
            time.sleep(PAGE_DELAY_S)
            i = 0 if path == "/" else int(path[1:].split(".")[0])
            links = "".join(f"<li><a href='/{j}.html'>栏目文章{j}</a></li>" for j in range(PAGES))
            files = "".join(
                f"<a href='/files/{i * FILES_PER_PAGE + k}.pdf'>附件{k}</a>"
                for k in range(FILES_PER_PAGE)
            )
            html = (
                f"<html><head><title>文章{i}</title></head><body><h1>文章{i}</h1>"
                f"<ul>{links}</ul><p>正文内容，附件如下：</p>{files}</body></html>"
            )
            status, ctype, raw = 200, "text/html; charset=utf-8", html.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        if body:
            self.wfile.write(raw)

    def do_GET(self) -> None:
        self._answer(True)

    def do_HEAD(self) -> None:
        self._answer(False)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[Logged]:
    srv = Logged(("127.0.0.1", 0), Handler)
    srv.log, srv.lock = [], threading.Lock()
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def run(tmp_path: Path, server: Logged, beside: bool) -> tuple[Path, list[tuple[float, str, str]]]:
    port = server.server_address[1]
    work = tmp_path / ("beside" if beside else "after")
    work.mkdir()
    cfg = work / "sites.yaml"
    cfg.write_text(
        yaml.safe_dump(
            {
                "evaluation": {"as_of": "2026-11-30"},
                "network": {"allow_hosts": ["127.0.0.1"]},
                "crawl": {"delay_s": CRAWL_DELAY_S, "obey_robots": False},
                "links": {"cache_days": 0, "retries": 0, "beside_crawl": beside},
                "ipv6": {"enabled": False},
                "sites": [
                    {"id": "t", "name": "测试市人民政府", "home": f"http://127.0.0.1:{port}/"}
                ],
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    server.log.clear()
    r = subprocess.run(
        [sys.executable, "-m", "zwgk", "run", "--config", str(cfg), "--db", str(work / "z.db"),
         "--out", str(work / "out"), "--no-progress"],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr[-3000:]
    return work / "z.db", list(server.log)


def is_page(path: str) -> bool:
    """An article page of the site (not the home page, nor the soft-404 probe)."""
    return re.fullmatch(r"/\d+\.html", path) is not None


def verdicts(db: Path) -> tuple[dict[str, str], set[tuple[str, str, str]]]:
    con = sqlite3.connect(db)
    checks = dict(con.execute("select url, outcome from url_checks").fetchall())
    findings = set(con.execute('select "check", rule, coalesce(url, "") from findings').fetchall())
    con.close()
    return checks, findings


def test_files_are_verified_beside_the_crawl_once_with_the_same_findings(
    tmp_path: Path, server: Logged
) -> None:
    port = server.server_address[1]
    files = {f"/files/{n}.pdf" for n in range(PAGES * FILES_PER_PAGE)}
    db, log = run(tmp_path, server, beside=True)
    page_gets = [t for t, method, path in log if method == "GET" and is_page(path)]
    file_heads = [(t, path) for t, method, path in log if method == "HEAD" and path in files]
    assert len(page_gets) == PAGES  # and the home page "/"
    assert {p for _, p in file_heads} == files
    assert len(file_heads) == len(files)  # each file asked once (HEAD; GET only after a 404)
    pages = [path for _, method, path in log if method == "GET" and not path.startswith("/files")]
    assert len(pages) == len(set(pages))  # no page fetched twice
    # Beside, not after: files were being verified before the crawl's last page.
    assert min(t for t, _ in file_heads) < max(page_gets)

    checks, findings = verdicts(db)
    base = f"http://127.0.0.1:{port}"
    gone = {f"{base}/files/{n}.pdf" for n in range(0, PAGES * FILES_PER_PAGE, 3)}
    assert {u for u, o in checks.items() if o != "ok"} == gone
    assert {(c, u) for c, _, u in findings if c == "links"} == {("links", u) for u in gone}

    after_db, after_log = run(tmp_path, server, beside=False)
    last_page = max(t for t, m, p in after_log if m == "GET" and is_page(p))
    assert all(t > last_page for t, m, p in after_log if m == "HEAD" and p in files)
    assert verdicts(after_db) == (checks, findings)
