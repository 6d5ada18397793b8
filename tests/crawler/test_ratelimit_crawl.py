"""Blocked is not broken: a rate-limiting server in a real crawl.

The crawl runs in a subprocess (as ``zwgk crawl`` and ``zwgk check`` do)
against :mod:`tests.crawler.ratelimit_site`, whose own log says when each
request arrived and what it was answered.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.crawler.ratelimit_site import RateLimitSite, Rule
from zwgk.dnsserver import DNSServer
from zwgk.store import Store

REPO = Path(__file__).resolve().parents[2]
HOME = "www.a.gov.test"
EXT = "ext.b.gov.test"


def home_html(port: int, ext_links: int = 0) -> str:
    ext = "".join(
        f'<a href="http://{EXT}:{port}/doc{i}.html">外部文件{i}</a>' for i in range(ext_links)
    )
    return (
        "<html><head><title>首页</title></head><body>"
        '<a href="/a.html">政府信息公开指南</a>'
        f"{ext}</body></html>"
    )


def run_zwgk(tmp_path: Path, port: int, dns: DNSServer, **crawl: Any) -> Store:
    cfg = tmp_path / "sites.yaml"
    links = crawl.pop("links", {})
    cfg.write_text(
        yaml.safe_dump(
            {
                "crawl": {"delay_s": 0, "obey_robots": False, **crawl},
                "links": {"cache_days": 0, **links},
                "ipv6": {"enabled": False},
                "dns": {"nameservers": [dns.address]},
                # The other host stands in for a public one.
                "network": {"allow_hosts": [EXT]},
                "rubric": str(REPO / "config" / "rubric.yaml"),
                "sites": [{"id": "a", "name": "甲", "home": f"http://{HOME}:{port}/"}],
            }
        ),
        encoding="utf-8",
    )
    common = ["--config", str(cfg), "--db", str(tmp_path / "z.db")]
    for args in (
        ["crawl", *common, "--out", str(tmp_path / "out"), "--no-progress"],
        ["check", *common],
    ):
        r = subprocess.run(
            [sys.executable, "-m", "zwgk", *args],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=REPO,
        )
        assert r.returncode in (0, 1), r.stderr
    return Store(str(tmp_path / "z.db"))


def names() -> dict[str, list[str]]:
    return {HOME: ["127.0.0.1"], EXT: ["127.0.0.1"]}


def test_home_429_then_200_is_crawled_normally(tmp_path: Path) -> None:
    site = RateLimitSite({}, [Rule(HOME, retry_after=1, first=2, path="/")])
    with site, DNSServer(names()) as dns:
        site.pages[f"{HOME} /"] = home_html(site.port)
        site.pages[f"{HOME} /a.html"] = "<html><title>指南</title><body>指南</body></html>"
        store = run_zwgk(tmp_path, site.port, dns, retry_after_max_s=5, blocked_attempts=3)
    try:
        run_id = store.latest_run_id() or ""
        pages = {p.url.rsplit(":", 1)[1]: p for p in store.pages(run_id, "a")}
        rules = {f.rule for f in store.findings(run_id, "a") if f.check == "structure"}
    finally:
        store.dispose()
    home = site.hits(HOME, "/")
    assert [h.status for h in home] == [429, 429, 200]
    # Each new attempt came after the announced pause, counted from the answer.
    assert all(b.at - a.at >= 1.0 for a, b in itertools.pairwise(home))
    assert pages[f"{site.port}/"].status == 200
    assert "blocked" not in (pages[f"{site.port}/"].meta or {})
    assert pages[f"{site.port}/a.html"].status == 200
    assert not rules & {"home_unreachable", "home_unverified", "column_unreachable"}


def test_home_429_storm_is_unverified_not_vetoed(tmp_path: Path) -> None:
    site = RateLimitSite({}, [Rule(HOME, retry_after=3600)])
    with site, DNSServer(names()) as dns:
        store = run_zwgk(tmp_path, site.port, dns, retry_after_max_s=1, blocked_attempts=3)
    try:
        run_id = store.latest_run_id() or ""
        (home,) = [p for p in store.pages(run_id, "a") if p.is_home]
        findings = [(f.check, f.rule) for f in store.findings(run_id, "a")]
        (score,) = [s for s in store.scores(run_id) if s.site_id == "a"]
    finally:
        store.dispose()
    # Bounded: the configured attempts, never an hour's sleep per answer.
    assert len(site.hits(HOME)) == 3
    assert home.status == 429
    assert home.meta["blocked"]["reason"] == "rate_limited"
    assert home.meta["blocked"]["retry_after"] == 3600
    assert ("structure", "home_unverified") in findings
    assert ("structure", "home_unreachable") not in findings
    assert not [f for f in findings if f[0] == "freshness" and f[1] == "home_stale"]
    assert score.verdict != "veto"
    assert not score.vetoed


def test_link_storm_is_blocked_and_bounded(tmp_path: Path) -> None:
    site = RateLimitSite({}, [Rule(EXT, retry_after=3600)])
    with site, DNSServer(names()) as dns:
        site.pages[f"{HOME} /"] = home_html(site.port, ext_links=12)
        store = run_zwgk(
            tmp_path,
            site.port,
            dns,
            retry_after_max_s=1,
            blocked_attempts=3,
            links={"retries": 2, "concurrency_per_host": 2},
        )
    try:
        checks = {
            u: c for u, c in store.url_checks(store.latest_run_id() or "").items() if EXT in u
        }
    finally:
        store.dispose()
    assert len(checks) == 12
    assert {c.outcome for c in checks.values()} == {"blocked"}
    # Three refusals, each after the pause, give the host up. Each round may
    # meet the requests already under way: one per connection (2), plus the
    # one a freed connection was sending as the 429 arrived. Without the
    # give-up it would be 12 links x 3 attempts = 36.
    attempts, connections = 3, 2
    assert len(site.hits(EXT)) <= attempts * (connections + 1)


def test_link_verification_slows_down_per_host(tmp_path: Path) -> None:
    site = RateLimitSite({}, [Rule(EXT, retry_after=1, first=2)])
    with site, DNSServer(names()) as dns:
        site.pages[f"{HOME} /"] = home_html(site.port, ext_links=4)
        for i in range(4):
            site.pages[f"{EXT} /doc{i}.html"] = (
                f"<html><title>文件{i}</title><body>文件{i}正文</body></html>"
            )
        store = run_zwgk(
            tmp_path,
            site.port,
            dns,
            retry_after_max_s=5,
            blocked_attempts=3,
            links={"retries": 2, "concurrency_per_host": 1},
        )
    try:
        checks = {
            u: c for u, c in store.url_checks(store.latest_run_id() or "").items() if EXT in u
        }
    finally:
        store.dispose()
    hits = sorted(site.hits(EXT), key=lambda h: h.at)
    assert [h.status for h in hits[:2]] == [429, 429]
    # After a 429, a request to that host, whichever link it was for, is
    # either one already under way when the answer came (it arrives within
    # moments) or one that waited the announced second: none in between.
    # The host is paced as the answer arrives (response_downloaded), so a
    # busy machine does not let queued requests slip out meanwhile.
    for a in (h for h in hits if h.status == 429):
        between = [b for b in hits if a.at + 0.3 < b.at < a.at + 0.95]
        assert not between, (a, between)
    assert any(b.at - a.at >= 1.0 for a, b in itertools.pairwise(hits))
    assert {c.outcome for c in checks.values()} == {"ok"}
