"""<meta http-equiv=refresh> end to end: the page that answered is stored
and judged as itself; its refresh target is a link, verified like any other;
an immediate refresh is followed (by the crawl, and by link verification
when it judges a link to such a page)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from zwgk.dnsserver import DNSServer
from zwgk.store import Store

REPO = Path(__file__).resolve().parents[2]
SITE, EXT = "www.r.gov.test", "ext.r.gov.test"


def page(title: str, head: str = "", body: str = "") -> bytes:
    return (
        f"<html><head><meta charset='utf-8'><title>{title}</title>{head}</head><body>"
        f"<h1>{title}</h1>{body}<p>本页面为测试页面，正文文字足够长，说明这是一个正常的政府网站页面。</p>"
        "</body></html>"
    ).encode()


def refresh(delay: int, url: str) -> str:
    return f"<meta http-equiv='refresh' content='{delay};url={url}'>"


@dataclass
class Run:
    port: int
    findings: list[dict]
    db: Path
    result: subprocess.CompletedProcess[str]
    requests: list[tuple[str, str]]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    requests: list[tuple[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_HEAD(self) -> None:
            self.do_GET()

        def do_GET(self) -> None:
            host = (self.headers.get("Host") or "").split(":")[0]
            port = self.server.server_address[1]
            requests.append((host, self.path))
            ext = f"http://{EXT}:{port}"
            routes = {
                (SITE, "/"): page(
                    "甲县人民政府",
                    refresh(0, "http://gone.r.gov.test/"),
                    f"<a href='/zwgk/'>政府信息公开</a><a href='{ext}/waypoint.html'>中转页面</a>"
                    f"<a href='{ext}/slow.html'>稍后跳转的页面</a>",
                ),
                (SITE, "/zwgk/"): page("政府信息公开", refresh(0, "/zwgk/index.html")),
                (SITE, "/zwgk/index.html"): page("政府信息公开专栏"),
                (EXT, "/waypoint.html"): page("正在跳转", refresh(0, f"{ext}/deleted.html")),
                (EXT, "/slow.html"): page("通知", refresh(30, f"{ext}/deleted.html")),
            }
            body = routes.get((host, self.path.split("?")[0]))
            status = 200 if body is not None else 404
            body = body if body is not None else page("404 Not Found")
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    tmp = tmp_path_factory.mktemp("refresh")
    with DNSServer({SITE: ["127.0.0.1"], EXT: ["127.0.0.1"]}) as dns:
        cfg = tmp / "sites.yaml"
        cfg.write_text(
            yaml.safe_dump(
                {
                    "evaluation": {"as_of": "2026-11-30"},
                    "crawl": {"delay_s": 0, "obey_robots": False},
                    "links": {"timeout_s": 3, "retries": 0},
                    "ipv6": {"enabled": False},
                    "dns": {"nameservers": [dns.address]},
                    "network": {"allow_hosts": [EXT]},
                    "sites": [
                        {
                            "id": "r",
                            "name": "甲县人民政府",
                            "home": f"http://{SITE}:{port}/",
                            "disclosure": [f"http://{SITE}:{port}/zwgk/"],
                        }
                    ],
                },
                allow_unicode=True,
            ),
            encoding="utf-8",
        )
        db, out = tmp / "z.db", tmp / "out"
        result = subprocess.run(
            [sys.executable, "-m", "zwgk", "run", "--config", str(cfg), "--db", str(db),
             "--out", str(out), "--no-progress"],
            capture_output=True, text=True, timeout=300, cwd=REPO,
        )  # fmt: skip
        findings = json.loads((out / "2026-11" / "findings.json").read_text(encoding="utf-8"))
    server.shutdown()
    server.server_close()
    yield Run(port, findings, db, result, requests)


def test_run_succeeds(run: Run) -> None:
    assert run.result.returncode == 0, run.result.stderr


def test_home_that_refreshes_to_a_dead_target_is_the_home_that_answered(run: Run) -> None:
    store = Store(str(run.db))
    try:
        (home,) = [p for p in store.pages("2026-11", "r") if p.is_home]
        assert (home.fetch_status, home.status, home.title) == ("ok", 200, "甲县人民政府")
        assert {lk.url for lk in store.links("2026-11", "r") if lk.page_id == home.id} >= {
            "http://gone.r.gov.test/",
            f"http://{SITE}:{run.port}/zwgk/",
        }
    finally:
        store.dispose()
    rules = {(f["check"], f["rule"]) for f in run.findings}
    assert ("structure", "home_unreachable") not in rules
    (dead,) = [f for f in run.findings if f["url"] == "http://gone.r.gov.test/"]
    assert (dead["rule"], dead["source_url"]) == ("dns_error", f"http://{SITE}:{run.port}/")


def test_immediate_refresh_inside_the_site_is_followed_and_its_page_kept(run: Run) -> None:
    store = Store(str(run.db))
    try:
        urls = {p.url: p for p in store.pages("2026-11", "r")}
    finally:
        store.dispose()
    carrier = urls[f"http://{SITE}:{run.port}/zwgk/"]
    assert (carrier.status, carrier.title) == (200, "政府信息公开")
    assert urls[f"http://{SITE}:{run.port}/zwgk/index.html"].status == 200


def test_link_to_a_page_that_sends_the_visitor_to_a_dead_page_is_broken(run: Run) -> None:
    ext = f"http://{EXT}:{run.port}"
    (f,) = [f for f in run.findings if f["url"] == f"{ext}/waypoint.html"]
    assert f["rule"] == "http_4xx"
    store = Store(str(run.db))
    try:
        check = store.url_checks("2026-11")[f"{ext}/waypoint.html"]
    finally:
        store.dispose()
    assert check.final_url == f"{ext}/deleted.html"
    assert check.detail["refreshed"] == [f"{ext}/waypoint.html"]


def test_a_slow_refresh_is_only_a_link_of_its_page(run: Run) -> None:
    ext = f"http://{EXT}:{run.port}"
    assert not [f for f in run.findings if f["url"] == f"{ext}/slow.html"]
