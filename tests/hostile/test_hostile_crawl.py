"""The hostile portal crawled end to end (`zwgk run` in a subprocess).

Tight bounds (2 s timeouts, 10 MB pages, 5 pages per URL pattern, depth 8)
and every case's stored outcome: the crawl ends, and each trap is reported
with the outcome the docs promise (docs/reliability.md, "Hostile portals").
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.crawler.test_guard_crawl import Listener
from tests.hostile.portal import MAX_HOPS, NON_HTTP, HostilePortal, SilentDNS
from zwgk.store import Page, Store, UrlCheck

REPO = Path(__file__).resolve().parents[2]
HOST = "www.a.gov.test"
SILENT = "silent.a.gov.test"
PER_PATTERN = 5


@dataclass
class Crawled:
    base: str
    returncode: int
    stderr: str
    pages: dict[str, Page]
    checks: dict[str, UrlCheck]
    intranet_connections: int
    dns_queries: list[tuple[str, str]]
    findings: list[dict]
    hits: dict[str, int]
    scorecard: str


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    tmp = tmp_path_factory.mktemp("hostile")
    listener = Listener()
    dns = SilentDNS({HOST: ["127.0.0.1"], "intranet.a.gov.test": ["127.0.0.2"]}, {SILENT})
    try:
        with dns, HostilePortal(listener.port, SILENT) as portal:
            base = f"http://{HOST}:{portal.port}"
            cfg = tmp / "sites.yaml"
            cfg.write_text(
                yaml.safe_dump(
                    {
                        "evaluation": {"as_of": "2026-11-30"},
                        "crawl": {
                            "delay_s": 0,
                            "obey_robots": False,
                            "timeout_s": 2,
                            "max_depth": 8,
                            "max_pages": 200,
                            "max_page_mb": 10,
                            "max_pages_per_pattern": PER_PATTERN,
                        },
                        "links": {"timeout_s": 2, "retries": 0, "cache_days": 0},
                        "ipv6": {"enabled": False},
                        "dns": {"nameservers": [dns.address]},
                        "rubric": str(REPO / "config" / "rubric.yaml"),
                        "sites": [{"id": "a", "name": "甲市", "home": f"{base}/"}],
                    },
                    allow_unicode=True,
                ),
                encoding="utf-8",
            )
            db = tmp / "z.db"
            args = ["run", "--config", str(cfg), "--db", str(db), "--out", str(tmp / "out")]
            r = subprocess.run(
                [sys.executable, "-m", "zwgk", *args, "--no-progress"],
                capture_output=True,
                text=True,
                timeout=300,
                cwd=REPO,
            )
        store = Store(str(db))
        try:
            run_id = store.latest_run_id() or ""
            pages = {p.url: p for p in store.pages(run_id, "a")}
            checks = store.url_checks(run_id)
        finally:
            store.dispose()
        found = tmp / "out" / "2026-11" / "findings.json"
        findings = json.loads(found.read_text(encoding="utf-8")) if found.exists() else []
        yield Crawled(
            base,
            r.returncode,
            r.stderr,
            pages,
            checks,
            listener.connections,
            list(dns.queries),
            findings,
            dict(portal.hits),
            "".join(
                p.read_text(encoding="utf-8")
                for p in (tmp / "out" / "2026-11" / "sites").glob("*.html")
            ),
        )
    finally:
        listener.stop()


def test_the_run_ends(crawled: Crawled) -> None:
    assert crawled.returncode == 0, crawled.stderr[-3000:]
    assert crawled.pages[f"{crawled.base}/"].fetch_status == "ok"


@pytest.mark.parametrize(
    ("path", "fetch_status"),
    [
        ("/drip", "timeout"),
        ("/reset", "connection_error"),
        ("/big", "too_large"),
        ("/bomb", "too_large"),
        ("/loop", "redirect_loop"),
        ("/go/oa", "private_address"),
    ],
)
def test_each_trap_is_stored_with_its_outcome(
    crawled: Crawled, path: str, fetch_status: str
) -> None:
    page = crawled.pages[crawled.base + path]
    assert page.fetch_status == fetch_status, page.error
    check = crawled.checks[crawled.base + path]
    assert check.outcome == fetch_status


def test_too_large_links_are_not_judged_ok(crawled: Crawled) -> None:
    for path in ("/big", "/bomb"):
        assert crawled.checks[crawled.base + path].outcome == "too_large"


def test_no_connection_reaches_the_intranet_address(crawled: Crawled) -> None:
    assert crawled.intranet_connections == 0


def test_the_calendar_stops_at_the_per_pattern_limit(crawled: Crawled) -> None:
    months = [u for u in crawled.pages if "/cal/" in u]
    # Depth 8 alone would allow 2 months per level, 15 or more in all.
    assert len(months) == PER_PATTERN


def test_session_variants_are_one_page(crawled: Crawled) -> None:
    variants = [u for u in crawled.pages if "/page" in u]
    assert variants == [f"{crawled.base}/page"]
    assert crawled.checks[f"{crawled.base}/page"].outcome == "ok"
    assert not [u for u in crawled.checks if "jsessionid" in u.lower() or "sid=" in u]


@pytest.mark.parametrize("path", ["/malformed", "/truncated", "/badutf8", "/gbk"])
def test_broken_markup_and_bytes_are_stored_pages(crawled: Crawled, path: str) -> None:
    page = crawled.pages[crawled.base + path]
    assert (page.fetch_status, page.status) == ("ok", 200)
    assert page.title


def test_a_silent_name_server_is_a_dns_failure(crawled: Crawled) -> None:
    assert (SILENT, "silent") in crawled.dns_queries
    check = crawled.checks[f"http://{SILENT}:{crawled.base.rsplit(':', 1)[1]}/"]
    assert check.outcome == "dns_error"


def test_broken_gbk_keeps_its_readable_text(crawled: Crawled) -> None:
    page = crawled.pages[crawled.base + "/gbk"]
    assert page.encoding == "gb18030"
    assert "政府信息公开指南" in (page.text or "")


def test_invalid_utf8_keeps_its_readable_text(crawled: Crawled) -> None:
    page = crawled.pages[crawled.base + "/badutf8"]
    assert "正文" in (page.text or "")


def test_the_scorecard_warns_of_too_large_pages(crawled: Crawled) -> None:
    by_url = {f["url"]: f for f in crawled.findings if f["check"] == "links"}
    for path in ("/big", "/bomb"):
        f = by_url[crawled.base + path]
        assert (f["rule"], f["severity"]) == ("too_large", "warn")
        assert "页面过大，超过10 MB，未完整下载" in f["message"]


@pytest.mark.parametrize("path", ["/to/file", "/to/ftp", "/to/js"])
def test_a_redirect_to_a_non_web_address_is_its_own_outcome(crawled: Crawled, path: str) -> None:
    page = crawled.pages[crawled.base + path]
    assert page.fetch_status == "redirect_not_http", page.error
    assert crawled.checks[crawled.base + path].outcome == "redirect_not_http"
    f = {f["url"]: f for f in crawled.findings if f["check"] == "links"}[crawled.base + path]
    assert f["rule"] == "redirect_not_http"
    assert "跳转到非网页地址" in f["message"]
    # Where the visitor would have been sent is evidence a webmaster can act on.
    assert f["evidence"]["detail"]["redirect_to"] == NON_HTTP[path]
    assert "跳转目标" in crawled.scorecard


def test_no_exception_text_reaches_the_scorecard(crawled: Crawled) -> None:
    # findings.json keeps the crawler's error text for a technician ...
    assert any("RedirectNotHttp" in json.dumps(f, ensure_ascii=False) for f in crawled.findings)
    # ... the scorecard, read by disclosure staff, never shows it.
    for word in ("RedirectNotHttp", "TimeoutError", "IgnoreRequest", "Traceback", "Error:"):
        assert word not in crawled.scorecard


def test_a_resource_redirecting_to_a_local_file_is_verified_not_fetched(
    crawled: Crawled,
) -> None:
    # An <img> is never crawled: link verification asks for it itself.
    url = crawled.base + "/to/file.png"
    assert url not in crawled.pages
    assert crawled.checks[url].outcome == "redirect_not_http"


def test_twenty_redirects_arrive_and_the_twenty_first_is_a_loop(crawled: Crawled) -> None:
    ok, too_many = f"{crawled.base}/hop/0/{MAX_HOPS}", f"{crawled.base}/hop/0/{MAX_HOPS + 1}"
    assert crawled.pages[ok].fetch_status == "ok"
    assert crawled.pages[ok].final_url == f"{crawled.base}/hop/{MAX_HOPS}/{MAX_HOPS}"
    assert crawled.pages[too_many].fetch_status == "redirect_loop"
    # Link verification, fetching the images itself, draws the same line.
    assert (crawled.checks[ok].outcome, crawled.checks[too_many].outcome) == ("ok", "redirect_loop")
    assert crawled.checks[ok + ".png"].outcome == "ok"
    assert crawled.checks[too_many + ".png"].outcome == "redirect_loop"
    # Each hop was asked once by the crawl and at most twice by verification
    # (HEAD, then GET when HEAD fails): the limit is the browser's, not more.
    assert crawled.hits[f"/hop/{MAX_HOPS}/{MAX_HOPS + 1}"] >= 1
    assert f"/hop/{MAX_HOPS + 1}/{MAX_HOPS + 1}" not in crawled.hits
    assert f"/hop/{MAX_HOPS + 1}/{MAX_HOPS + 1}.png" not in crawled.hits
