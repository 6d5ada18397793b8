"""End to end on the bundled sample province: `zwgk run` against loopback servers.

The sample portal knows every page it serves, so "found every page" is a set
comparison, not a count; its DNS server records every name asked.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from zwgk.sample import PLANTED_FILE, SamplePortal
from zwgk.sample import catalog as C
from zwgk.store import Store

REPO = Path(__file__).resolve().parents[2]


def zwgk(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zwgk", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
    )


def write_config(portal: SamplePortal, path: Path, **crawl: Any) -> Path:
    data = portal.config_dict()
    data["crawl"].update(crawl)
    data["rubric"] = str(REPO / "config" / "rubric.yaml")
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@dataclass
class Crawled:
    portal: SamplePortal
    store: Store
    out: Path
    result: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    tmp = tmp_path_factory.mktemp("crawl")
    with SamplePortal() as portal:
        cfg = write_config(portal, tmp / "sites.yaml")
        result = zwgk(
            "run",
            "--config",
            str(cfg),
            "--db",
            str(tmp / "z.db"),
            "--out",
            str(tmp / "out"),
            "--no-progress",
        )
        store = Store(str(tmp / "z.db"))
        yield Crawled(portal, store, tmp / "out", result)
        store.dispose()


def ok_urls(store: Store, site: str) -> set[str]:
    return ok_urls_run(store, "2026-11", site)


def test_run_succeeds(crawled: Crawled) -> None:
    assert crawled.result.returncode == 0, crawled.result.stderr
    assert "scorecards:" in crawled.result.stdout


@pytest.mark.parametrize("site", ["hanshan", "qinghe", "lanhai"])
def test_every_page_found(crawled: Crawled, site: str) -> None:
    expected = crawled.portal.expected_pages(site)
    assert expected, "the sample portal lists its pages"
    missing = expected - ok_urls(crawled.store, site)
    assert not missing, f"{site}: not crawled: {sorted(missing)[:10]}"


def test_trs_pagination_pages_come_only_from_createpagehtml(crawled: Crawled) -> None:
    pages = {p.url: p for p in crawled.store.pages("2026-11", "hanshan")}
    base = crawled.portal.base_url("hanshan")
    for n in (1, 2):
        url = f"{base}xwzx/hsyw/index_{n}.html"
        assert url in pages
    links = [
        lk
        for lk in crawled.store.links("2026-11", "hanshan")
        if lk.url == f"{base}xwzx/hsyw/index_2.html"
    ]
    assert links and all(lk.generated_by == "trs" and lk.element == "script" for lk in links)


def test_hanweb_dataproxy_records_are_crawled_and_attributed_to_the_list(crawled: Crawled) -> None:
    # In-page recordset anchors are "hanweb", the proxy's records "hanweb_proxy".
    links = [
        lk
        for lk in crawled.store.links("2026-11", "qinghe")
        if lk.generated_by in ("hanweb", "hanweb_proxy")
    ]
    assert {lk.generated_by for lk in links} == {"hanweb", "hanweb_proxy"}
    list_page = crawled.portal.url("xxgk.qinghe.gov.test", "/col/col1234/index.html")
    from_list = {lk.url for lk in links if lk.source_url == list_page}
    # 18 records in the column; the static island holds 8 of them.
    assert len(from_list) == 18
    ok = ok_urls(crawled.store, "qinghe")
    assert from_list <= ok
    posts = [r for r in crawled.portal.requests if r[0] == "POST" and "dataproxy.jsp" in r[2]]
    assert posts, "records beyond the static island come from the data proxy"


def test_gbk_site_titles_and_metadata(crawled: Crawled) -> None:
    pages = crawled.store.pages("2026-11", "hanshan")
    policy = next(p for p in pages if p.url.endswith("/zwgk/zcwj/202603/t20260310_140203.html"))
    assert policy.encoding == "gb18030"
    assert policy.meta["doc_number"].startswith("寒政")
    assert "〔2026〕" in policy.meta["doc_number"]
    assert policy.meta["publish_date"] == "2026-03-10"
    assert policy.meta["index_no"] and policy.meta["publisher"]
    assert policy.title and "寒山" in policy.title
    assert "\ufffd" not in (policy.text or "")
    assert policy.text_len > 100 and policy.text_hash


def test_wrongly_declared_charset_still_decodes(crawled: Crawled) -> None:
    planted = yaml.safe_load(PLANTED_FILE.read_text(encoding="utf-8"))
    entry = planted["wrong_charset"][0]
    url = entry["url"].format(port=crawled.portal.port)
    page = next(p for p in crawled.store.pages("2026-11", "hanshan") if p.url == url)
    assert page.encoding == "gb18030"
    assert page.title and "\ufffd" not in page.title
    assert any("\u4e00" <= ch <= "\u9fff" for ch in page.title)


def test_robots_disallowed_pages_never_requested(crawled: Crawled) -> None:
    assert not [r for r in crawled.portal.requests if r[2].startswith("/admin/")]


def test_special_links_recorded_but_never_fetched(crawled: Crawled) -> None:
    links = crawled.store.links("2026-11", "lanhai")
    kinds = Counter(lk.kind for lk in links)
    assert kinds["javascript"] > 0
    assert all(lk.url is None for lk in links if lk.kind != "http")
    assert not [r for r in crawled.portal.requests if "javascript" in r[2].lower()]


def test_home_page_links_flagged(crawled: Crawled) -> None:
    links = crawled.store.links("2026-11", "hanshan")
    home = crawled.portal.base_url("hanshan")
    assert {lk.on_home for lk in links if lk.source_url == home} == {True}
    assert {lk.on_home for lk in links if lk.source_url != home} == {False}


def test_redirect_chain_recorded(crawled: Crawled) -> None:
    pages = crawled.store.pages("2026-11", "qinghe")
    chained = [p for p in pages if len(p.redirects) >= 2]
    assert chained, "the 301 -> 302 -> 200 chain is stored"
    p = chained[0]
    assert [r["status"] for r in p.redirects] == [301, 302]
    assert p.final_url.endswith("/col/col1105/index.html") and p.status == 200


def test_structure_findings_match_planted(crawled: Crawled) -> None:
    planted = yaml.safe_load(PLANTED_FILE.read_text(encoding="utf-8"))
    expected = {
        (d["site"], d["rule"], d["url"].format(port=crawled.portal.port))
        for d in planted["defects"]
        if d["check"] == "structure"
    }
    got = {
        (f.site_id, f.rule, f.url)
        for f in crawled.store.findings("2026-11")
        if f.check == "structure"
    }
    assert got == expected


@pytest.mark.parametrize("check", ["planning", "freshness", "identity", "metadata", "ipv6"])
def test_issue8_findings_match_planted(crawled: Crawled, check: str) -> None:
    # planted.yaml lists, beside the planted defects, what the loopback sample
    # cannot help: every site's .test domain and plain HTTP (identity warnings
    # under the shipped rubric, whose only suffix is gov.cn).
    planted = yaml.safe_load(PLANTED_FILE.read_text(encoding="utf-8"))
    expected = {
        (d["site"], d["rule"], d["url"].format(port=crawled.portal.port))
        for d in planted["defects"]
        if d["check"] == check
    }
    assert expected
    found = [f for f in crawled.store.findings("2026-11") if f.check == check]
    assert {(f.site_id, f.rule, f.url) for f in found} == expected
    # lanhai misses every category of plan, each its own finding; no finding twice.
    got = Counter((f.site_id, f.rule, f.url, f.message) for f in found)
    assert max(got.values()) == 1
    if check == "planning":
        assert sum(1 for f in found if f.site_id == "lanhai") == 5


def test_list_items_stored_by_the_crawl(crawled: Crawled) -> None:
    port = crawled.portal.port
    items = crawled.store.list_items("2026-11", "qinghe")
    # 政府文件: 8 records in the page, 10 more through the jpage data proxy,
    # one list in order.
    zfwj = [i for i in items if i.page_url.endswith("/col/col1234/index.html")]
    assert [i.position for i in zfwj] == list(range(18))
    assert {i.column for i in zfwj} == {"政府文件"} and all(i.date for i in zfwj)
    pages = {p.final_url: p for p in crawled.store.pages("2026-11", "qinghe")}
    blank = pages[f"http://xxgk.qinghe.gov.test:{port}/col/col1238/index.html"]
    assert blank.meta["list"]["placeholder"] == "暂无信息"
    pdf = [i for i in items if i.url.endswith(".pdf")]
    assert [(i.title, i.date, i.column) for i in pdf] == [
        ("清河县“十四五”交通运输发展规划", "2022-01-20", "发展规划")
    ]


def test_issue8_checks_in_the_json_exports(crawled: Crawled) -> None:
    root = crawled.out / "2026-11"
    findings = json.loads((root / "findings.json").read_text(encoding="utf-8"))
    scores = {s["site"]: s for s in json.loads((root / "scores.json").read_text(encoding="utf-8"))}
    assert {f["check"] for f in findings} >= {"planning", "freshness", "identity", "metadata"}
    assert {(f["site"], f["rule"]) for f in findings if f["check"] == "metadata"} == {
        ("qinghe", "index_no_missing")
    }
    assert ("lanhai", "police_missing") in {
        (f["site"], f["rule"]) for f in findings if f["check"] == "identity"
    }
    for site in ("hanshan", "qinghe", "lanhai"):
        checks = scores[site]["checks"]
        assert {"planning", "freshness", "identity", "metadata"} <= set(checks)
        identity = checks["identity"]["metrics"]
        assert identity["marks_required"] == 4
        assert identity["marks_found"] == (3 if site == "lanhai" else 4)
        assert checks["metadata"]["metrics"]["items"] > 0
    assert scores["qinghe"]["checks"]["metadata"]["metrics"]["index_no_missing"] == 3
    assert scores["lanhai"]["checks"]["identity"]["status"] == "fail"


def test_json_exports(crawled: Crawled) -> None:
    import json

    root = crawled.out / "2026-11"
    findings = json.loads((root / "findings.json").read_text(encoding="utf-8"))
    scores = json.loads((root / "scores.json").read_text(encoding="utf-8"))
    assert findings and all(
        {"site", "check", "rule", "severity", "url", "source_url", "message", "evidence"} <= set(f)
        for f in findings
    )
    assert {s["site"] for s in scores} == {"hanshan", "qinghe", "lanhai"}
    for s in scores:
        assert {"site", "score", "max_score", "vetoed", "checks"} <= set(s)
        assert s["checks"]["structure"]["status"] == "fail"
        assert "home_newest" in s["checks"]["freshness"]["metrics"]
        assert 0 <= s["score"] <= s["max_score"]
    by_site = {s["site"]: s["checks"] for s in scores}
    assert by_site["hanshan"]["planning"]["metrics"]["categories_found"] == 5
    assert by_site["qinghe"]["planning"]["metrics"]["spatial_found"] is False
    assert by_site["qinghe"]["freshness"]["metrics"]["columns_blank"] == 1
    assert {f["check"] for f in findings} >= {"planning", "freshness"}
    for site in ("hanshan", "qinghe", "lanhai"):
        html = (root / "sites" / f"{site}.html").read_text(encoding="utf-8")
        # One script: the page's own sort/filter code, allowed by its CSP hash.
        assert "整改清单" in html and html.count("<script") == 1
    assert "hanshan.html" in (root / "index.html").read_text(encoding="utf-8")


def test_only_sample_names_resolved(crawled: Crawled) -> None:
    zone = set(crawled.portal.zone())
    planted = yaml.safe_load(PLANTED_FILE.read_text(encoding="utf-8"))
    dead = {
        urlsplit(d["url"]).hostname for d in planted["defects"] if d.get("expect") == "nxdomain"
    }
    asked = {name for name, _ in crawled.portal.dns.queries}
    # The IPv6 probe asks each home host's zone for its name servers.
    apexes = set(C.NAME_SERVERS)
    assert apexes <= asked
    assert asked <= zone | dead | apexes
    # Link verification asked for the dead names (and got NXDOMAIN from our server).
    assert dead <= asked


def test_rerun_skips_crawled_sites_and_reevaluates(crawled: Crawled, tmp_path: Path) -> None:
    before = len(crawled.portal.requests)
    cfg = write_config(crawled.portal, tmp_path / "sites.yaml")
    # As of 2026-03-15 the 2025 report is not yet due, so qinghe's finding goes.
    data = yaml.safe_load(cfg.read_text(encoding="utf-8"))
    data["evaluation"] = {"as_of": "2026-03-15", "period_start": "2026-01-01"}
    cfg.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    db = str(crawled.store.url)
    r = zwgk(
        "run",
        "--config",
        str(cfg),
        "--db",
        db,
        "--out",
        str(tmp_path / "out"),
        "--run",
        "2026-11",
        "--no-progress",
    )
    assert r.returncode == 0, r.stderr
    assert len(crawled.portal.requests) == before, "nothing fetched again"
    rules = {(f.site_id, f.rule) for f in crawled.store.findings("2026-11")}
    assert ("qinghe", "annual_report_missing") not in rules
    assert ("lanhai", "section_missing") in rules


def _wait_for_pages(db: Path, n: int, timeout: float = 60) -> None:
    import sqlite3

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if db.exists():
            try:
                with sqlite3.connect(db) as c:
                    if c.execute("select count(*) from pages").fetchone()[0] >= n:
                        return
            except sqlite3.OperationalError:
                pass
        time.sleep(0.05)
    raise AssertionError(f"fewer than {n} pages stored in {timeout}s")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_killed_crawl_resumes_without_refetching(tmp_path: Path, sig: signal.Signals) -> None:
    with SamplePortal() as portal:
        cfg = write_config(portal, tmp_path / "sites.yaml", delay_s=0.25, concurrency_per_host=1)
        db = tmp_path / "z.db"
        args = [
            "--config",
            str(cfg),
            "--db",
            str(db),
            "--out",
            str(tmp_path / "out"),
            "--site",
            "lanhai",
        ]
        proc = subprocess.Popen(
            [sys.executable, "-m", "zwgk", "run", *args, "--no-progress"],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        _wait_for_pages(db, 5)
        os.kill(proc.pid, sig)
        _, stderr = proc.communicate(timeout=60)
        assert proc.returncode != 0
        if sig == signal.SIGINT:
            assert "interrupted" in stderr
        first = Counter(r[2] for r in portal.requests if r[0] == "GET" and r[2] != "/robots.txt")
        # The kill really interrupted the crawl.
        assert sum(first.values()) < len(portal.expected_pages("lanhai"))

        r = zwgk("run", *args, "--no-progress")
        assert r.returncode == 0, r.stderr
        store = Store(str(db))
        try:
            assert portal.expected_pages("lanhai") <= ok_urls(store, "lanhai")
            urls = [p.url for p in store.pages("2026-11", "lanhai")]
            assert len(urls) == len(set(urls)), "no page stored twice"
        finally:
            store.dispose()
        total = Counter(r[2] for r in portal.requests if r[0] == "GET" and r[2] != "/robots.txt")
        refetched = [path for path, n in total.items() if n > 1 and first[path] >= 1]
        # At most the pages of the unflushed batch are fetched a second time.
        assert len(refetched) <= 50
        assert sum(first.values()) >= 5


def test_plain_scrapy_crawl_command(tmp_path: Path) -> None:
    """`scrapy crawl portal -a site=ID` works as in any Scrapy project."""
    with SamplePortal() as portal:
        cfg = write_config(portal, tmp_path / "sites.yaml")
        db = tmp_path / "s.db"
        r = subprocess.run(
            [
                str(Path(sys.executable).parent / "scrapy"),
                "crawl",
                "portal",
                "-a",
                "site=lanhai",
                "-a",
                f"config={cfg}",
                "-a",
                f"db={db}",
                "-a",
                "run=manual",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=REPO,
        )
        assert r.returncode == 0, r.stderr[-2000:]
        assert "Spider closed (finished)" in r.stderr
        store = Store(str(db))
        try:
            sr = store.site_run("manual", "lanhai")
            assert sr is not None and sr.status == "crawled"
            assert portal.expected_pages("lanhai") <= ok_urls_run(store, "manual", "lanhai")
        finally:
            store.dispose()


def ok_urls_run(store: Store, run_id: str, site: str) -> set[str]:
    pages = [p for p in store.pages(run_id, site) if p.fetch_status == "ok" and p.status == 200]
    return {p.url for p in pages} | {p.final_url for p in pages}


def test_dead_site_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    """A site whose server refuses connections scores 0 by the veto rule."""
    import socket

    from zwgk.dnsserver import DNSServer

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens on the port now
    with DNSServer({"www.dead.gov.test": ["127.0.0.1"]}) as dns:
        cfg = tmp_path / "sites.yaml"
        cfg.write_text(
            yaml.safe_dump(
                {
                    "crawl": {"delay_s": 0, "timeout_s": 3},
                    "dns": {"nameservers": [dns.address]},
                    "rubric": str(REPO / "config" / "rubric.yaml"),
                    "sites": [
                        {
                            "id": "dead",
                            "name": "停运县",
                            "home": f"http://www.dead.gov.test:{port}/",
                        }
                    ],
                },
                allow_unicode=True,
            ),
            encoding="utf-8",
        )
        r = zwgk(
            "run",
            "--config",
            str(cfg),
            "--db",
            str(tmp_path / "z.db"),
            "--out",
            str(tmp_path / "o"),
            "--no-progress",
        )
    assert r.returncode == 0, r.stderr
    import json

    scores = json.loads(next((tmp_path / "o").glob("*/scores.json")).read_text(encoding="utf-8"))
    assert scores[0]["vetoed"] == ["structure.home_unreachable"] and scores[0]["score"] == 0
    store = Store(str(tmp_path / "z.db"))
    try:
        (page,) = store.pages(store.latest_run_id() or "", "dead")
        assert page.fetch_status == "connection_refused"
    finally:
        store.dispose()


def test_scorecards_show_no_program_words(crawled: Crawled) -> None:
    # Every key and coded value of the metrics and evidence tables reaches
    # the page through a Chinese label (the check contract asks for them).
    from parsel import Selector

    code = re.compile(r"^[a-z][a-z0-9_]*$")
    for page in sorted((crawled.out / "2026-11" / "sites").glob("*.html")):
        sel = Selector(page.read_text(encoding="utf-8"))
        cells = [t.strip() for t in sel.css("dl.ev > dt::text, dl.ev > dd::text").getall()]
        assert cells, page
        # Nor the HTTP method of a fetch (technical evidence, in findings.json only).
        words = sorted({c for c in cells if code.match(c) or c in ("GET", "HEAD")})
        assert not words, f"{page.name}: {words}"


def test_ipv6_metrics_and_failing_links_on_the_sample(crawled: Crawled) -> None:
    port = crawled.portal.port
    root = crawled.out / "2026-11"
    scores = {s["site"]: s for s in json.loads((root / "scores.json").read_text(encoding="utf-8"))}
    keys = {"aaaa", "home_v6", "same_content", "ns_v6", "level2_rate", "level3_rate"}
    for site, s in scores.items():
        m = s["checks"]["ipv6"]["metrics"]
        assert keys <= set(m), site
        assert all(0 <= m[k] <= 1 for k in ("home_v6", "level2_rate", "level3_rate")), site
        assert m["level2_total"] > 0 and m["level3_total"] > 0, site
    hanshan, qinghe, lanhai = (scores[s]["checks"]["ipv6"]["metrics"] for s in C.SITES)
    assert hanshan["aaaa"] is False and hanshan["ns_v6"] is False
    assert hanshan["level2_rate"] == hanshan["level3_rate"] == 0.0
    assert qinghe["aaaa"] and qinghe["home_v6"] == 1.0 and qinghe["same_content"] == 1.0
    assert qinghe["level2_rate"] == 1.0 and qinghe["ns_v6"] is True
    assert lanhai["home_v6"] == 1.0 and lanhai["level2_rate"] < 0.85
    # lanhai's 2nd level fails over IPv6 exactly where the sample put IPv4 only.
    findings = json.loads((root / "findings.json").read_text(encoding="utf-8"))
    [low] = [f for f in findings if f["site"] == "lanhai" and f["rule"] == "level2_low"]
    failing = {x["url"]: x["reason"] for x in low["evidence"]["failing"]}
    zwfw = f"http://{C.ZWFW_LANHAI}:{port}"
    assert set(failing) == {
        "http://oa.lanhai.gov.test/",
        f"http://{C.LANHAI}:{port}/bsfw/",
        f"{zwfw}/bszn/",
        f"{zwfw}/hdjl/",
        *(f"{zwfw}/bszn/{i:03d}.html" for i in range(1, 5)),
    }
    assert failing[f"http://{C.LANHAI}:{port}/bsfw/"].startswith("跳转到不支持IPv6的主机")
    assert lanhai["level2_total"] - lanhai["level2_ok"] == len(failing)
    # Every IPv6 probe of the sample connected to ::1, every IPv4 one to 127.0.0.1.
    for site in C.SITES:
        for p in crawled.store.ipv6_probes("2026-11", site):
            for hop in p.hops:
                if hop.get("address"):
                    assert hop["address"] == ("::1" if p.family == 6 else "127.0.0.1")
