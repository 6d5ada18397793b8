"""The `links` check end to end against tests/trapsite.py: every planted
break is reported with its source page, no trap is, and a second run inside
the cache window fetches no `ok` external URL again."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.trapsite import BROKEN_EXPECTED, EXT, TRAPS, UNVERIFIED_EXPECTED, TrapSite
from zwgk.dnsserver import DNSServer
from zwgk.store import Store

REPO = Path(__file__).resolve().parents[3]


def zwgk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zwgk", *args], capture_output=True, text=True, timeout=300, cwd=REPO
    )


@dataclass
class Checked:
    site: TrapSite
    dns: DNSServer
    cfg: Path
    db: Path
    out: Path
    findings: list[dict]
    result: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Checked]:
    tmp = tmp_path_factory.mktemp("links")
    with TrapSite() as site, DNSServer(site.zone()) as dns:
        cfg = tmp / "sites.yaml"
        cfg.write_text(
            yaml.safe_dump(
                {
                    "evaluation": {"as_of": "2026-11-30"},
                    "crawl": {"delay_s": 0, "max_depth": 3, "contact": "xxgk@trap.gov.test"},
                    "links": {"timeout_s": 2.5, "retries": 1},
                    # The IPv6 probe fetches pages again by design; these tests
                    # count what link verification fetches.
                    "ipv6": {"enabled": False},
                    "dns": {"nameservers": [dns.address]},
                    "network": {"allow_private": False, "allow_hosts": [EXT]},
                    "rubric": str(REPO / "config" / "rubric.yaml"),
                    "sites": [{"id": "trap", "name": "陷阱市人民政府", "home": site.home()}],
                },
                allow_unicode=True,
            ),
            encoding="utf-8",
        )
        db, out = tmp / "z.db", tmp / "out"
        r = zwgk("run", "--config", str(cfg), "--db", str(db), "--out", str(out), "--no-progress")
        findings = json.loads((out / "2026-11" / "findings.json").read_text(encoding="utf-8"))
        yield Checked(site, dns, cfg, db, out, findings, r)


def link_findings(c: Checked) -> dict[str, dict]:
    return {f["url"]: f for f in c.findings if f["check"] == "links"}


def find(c: Checked, key: str) -> dict | None:
    ports = c.site.ports
    special = {
        "refused": f"http://{EXT}:{ports['refused']}/",
        "silent": f"http://{EXT}:{ports['silent']}/",
        "https": f"https://{EXT}:{ports[EXT]}/",
        "intranet": f"http://oa.trap.gov.test:{ports['intranet']}/",
    }
    url = special.get(key, key)
    for u, f in link_findings(c).items():
        if u == url or (url.startswith("/") and u.endswith(url)):
            return f
    return None


def test_run_succeeds(checked: Checked) -> None:
    assert checked.result.returncode == 0, checked.result.stderr


@pytest.mark.parametrize("key,outcome", sorted(BROKEN_EXPECTED.items()))
def test_planted_break_reported_with_source(checked: Checked, key: str, outcome: str) -> None:
    f = find(checked, key)
    assert f is not None, f"{key} not reported"
    assert f["rule"] == outcome and f["severity"] == "fail"
    assert f["source_url"], "the page the link is on"
    assert f["evidence"]["occurrences"][0]["source_url"] == f["source_url"]


def test_break_inside_js_generated_list_points_at_the_list_page(checked: Checked) -> None:
    f = find(checked, "/deleted-in-list.html")
    assert f is not None and f["source_url"].endswith("/list/index_1.html")


@pytest.mark.parametrize("path", sorted(UNVERIFIED_EXPECTED))
def test_anti_bot_answers_are_unverified_not_broken(checked: Checked, path: str) -> None:
    f = find(checked, path)
    assert f is not None and f["rule"] == "blocked" and f["severity"] == "info"


@pytest.mark.parametrize("path", sorted(TRAPS))
def test_trap_not_reported(checked: Checked, path: str) -> None:
    assert find(checked, path) is None


def test_not_http_links_never_broken_nor_fetched(checked: Checked) -> None:
    rules = {f["rule"] for f in link_findings(checked).values()}
    assert "not_http" not in rules
    site_requests = checked.site.traps["www.trap.gov.test"].requests
    assert not [p for _, p in site_requests if "mailto" in p or "javascript" in p or "tel:" in p]


def test_head_refused_then_get(checked: Checked) -> None:
    reqs = [m for m, p in checked.site.traps[EXT].requests if p == "/head405.pdf"]
    assert reqs[:2] == ["HEAD", "GET"]


def test_retry_after_honoured_once(checked: Checked) -> None:
    reqs = [p for _, p in checked.site.traps[EXT].requests if p == "/retry429.html"]
    assert len(reqs) == 2


def test_private_address_never_contacted(checked: Checked) -> None:
    assert checked.site.intranet_connections() == 0


def test_fragment_missing_is_a_warning(checked: Checked) -> None:
    frag = [f for f in checked.findings if f["rule"] == "fragment_missing"]
    assert [f["url"].rsplit("/", 1)[1] for f in frag] == ["page.html#sec2"]
    assert frag[0]["severity"] == "warn"


def test_crawled_pages_not_fetched_again(checked: Checked) -> None:
    hits = checked.site.traps["www.trap.gov.test"].hits
    assert hits["/sub/dir/page.html"] == 1
    assert hits["/"] == 1


def test_metrics(checked: Checked) -> None:
    scores = json.loads((checked.out / "2026-11" / "scores.json").read_text(encoding="utf-8"))
    m = scores[0]["checks"]["links"]["metrics"]
    assert m["broken"] == len(BROKEN_EXPECTED)
    assert m["unverified"] == len(UNVERIFIED_EXPECTED)
    assert m["home_unavailable"] == len(BROKEN_EXPECTED) - 1  # one sits on a list page
    assert m["not_http"] >= 4
    assert m["broken_by_outcome"]["http_4xx"] == 5


def test_second_run_in_cache_window_refetches_no_ok_external(checked: Checked) -> None:
    ext = checked.site.traps[EXT]
    before = list(ext.requests)
    r = zwgk(
        "run",
        "--config",
        str(checked.cfg),
        "--db",
        str(checked.db),
        "--out",
        str(checked.out),
        "--run",
        "2026-12",
        "--no-progress",
    )
    assert r.returncode == 0, r.stderr
    again = ext.requests[len(before) :]
    ok_paths = {"/head405.pdf", "/retry429.html", "/slow.html"}
    assert not [p for _, p in again if p in ok_paths]
    # Failures are never cached: the broken external page is fetched again.
    assert [p for _, p in again if p == "/gone.html"]
    store = Store(str(checked.db))
    try:
        sources = {u.url.rsplit("/", 1)[1]: u.source for u in store.url_checks("2026-12").values()}
    finally:
        store.dispose()
    assert sources["slow.html"] == "cache"


def test_user_agent_names_zwgk_and_contact(checked: Checked) -> None:
    uas = checked.site.traps[EXT].user_agents | checked.site.traps["www.trap.gov.test"].user_agents
    assert uas and all("zwgk/" in ua and "contact: xxgk@trap.gov.test" in ua for ua in uas)
