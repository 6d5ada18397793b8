"""Monthly revisit: conditional requests, 304 copies and the bytes per site.

`zwgk run` on the sample province (which answers If-None-Match and
If-Modified-Since as nginx does) as run 2026-11, then as 2026-12 on the same
store with nothing changed; then a ``--recrawl`` of 2026-12 for one site
with one page changed and another failing; then 2027-01 with a server that
ignores validators. Every assertion about requests comes from the server's
own log (``SamplePortal.served``). The runs share ``evaluation.as_of``, so
the checks must judge the same stored content the same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.crawler.test_crawl import write_config, zwgk
from zwgk.cli import summary_line
from zwgk.runner import CrawlOutcome, RunResult
from zwgk.sample import SamplePortal
from zwgk.sample.server import SITES_DIR, Served
from zwgk.store import Store
from zwgk.vocab import StageOutcome, format_bytes

SITE = "hanshan"
CHANGED = "/zwgk/zcwj/202603/t20260310_140203.html"


@dataclass
class Revisit:
    portal: SamplePortal
    store: Store
    out: Path
    served: dict[str, list[Served]] = field(default_factory=dict)
    stdout: dict[str, str] = field(default_factory=dict)
    failing: str = ""
    snapshots: dict[str, Any] = field(default_factory=dict)


def snapshot(store: Store, run_id: str, sites: list[str]) -> dict[str, Any]:
    """What checks and link verification read, per site, comparable across runs."""
    out: dict[str, Any] = {}
    for site in sites:
        sr = store.site_run(run_id, site)
        assert sr is not None
        pages = store.pages(run_id, site)
        out[site] = {
            "transfer": (sr.bytes_received, sr.responses, sr.not_modified),
            "not_modified": {p.url for p in pages if p.not_modified},
            "body_bytes": sum(p.size for p in pages if not p.not_modified),
            "pages": sorted(
                (
                    p.url,
                    p.final_url,
                    p.fetch_status,
                    p.status,
                    p.title,
                    p.text,
                    p.depth,
                    p.is_home,
                    p.content_type,
                    p.size,
                    repr(sorted(p.meta.items())),
                    tuple(p.fragment_ids),
                )
                for p in store.pages(run_id, site)
            ),
            "links": sorted(
                (
                    lk.source_url,
                    lk.href,
                    lk.url or "",
                    lk.kind,
                    lk.element,
                    lk.text or "",
                    lk.on_home,
                    lk.generated_by or "",
                )
                for lk in store.links(run_id, site)
            ),
            "items": sorted(
                (i.page_url, i.column or "", i.position, i.title, i.url, i.date or "")
                for i in store.list_items(run_id, site)
            ),
        }
    out["findings"] = sorted(
        (f.site_id, f.check, f.rule, f.url or "") for f in store.findings(run_id)
    )
    out["scores"] = sorted(
        (s.site_id, s.score, s.max_score, s.verdict) for s in store.scores(run_id)
    )
    return out


@pytest.fixture(scope="module")
def revisit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Revisit]:
    tmp = tmp_path_factory.mktemp("revisit")
    with SamplePortal() as portal:
        cfg = write_config(portal, tmp / "sites.yaml")
        db = tmp / "z.db"
        store = Store(str(db))
        rv = Revisit(portal, store, tmp / "out")
        sites = ["hanshan", "qinghe", "lanhai"]
        host = urlsplit(portal.base_url(SITE)).hostname
        assert host
        # A plain article of the site, not the one changed below.
        rv.failing = sorted(
            urlsplit(u).path
            for u in portal.expected_pages(SITE)
            if "/t2026" in u and not u.endswith(CHANGED)
        )[0]

        def run(run_id: str, *extra: str) -> None:
            start = len(portal.served)
            r = zwgk(
                "run", "--config", str(cfg), "--db", str(db), "--out", str(tmp / "out"),
                "--run", run_id, "--no-progress", *extra,
            )  # fmt: skip
            assert r.returncode == 0, r.stdout + r.stderr
            key = run_id + ("+" if "--recrawl" in extra else "")
            rv.served[key] = portal.served[start:]
            rv.stdout[key] = r.stdout
            rv.snapshots[key] = snapshot(store, run_id, [SITE] if "--site" in extra else sites)

        run("2026-11")
        run("2026-12")
        # The page changed (its title), another one failing for this crawl.
        original = (SITES_DIR / host / CHANGED.lstrip("/")).read_bytes()
        changed = original.decode("gb18030").replace("<title>", "<title>（修订）", 1)
        portal.edit(host, CHANGED, changed.encode("gb18030"))
        portal.status_override[(host, rv.failing)] = 503
        run("2026-12", "--recrawl", "--site", SITE)
        # The failure is over; the server now ignores validators.
        portal.status_override.clear()
        portal.conditional = False
        run("2027-01", "--site", SITE)
        yield rv
        store.dispose()


def page_gets(served: list[Served]) -> list[Served]:
    return [s for s in served if s.method == "GET" and not s.target.endswith("robots.txt")]


def test_unchanged_revisit_asks_conditionally_and_gets_304s(revisit: Revisit) -> None:
    first, second = revisit.served["2026-11"], revisit.served["2026-12"]
    assert not any(s.conditional for s in first)
    conditional = [s for s in page_gets(second) if s.conditional]
    # Every HTML page answered 200 in the first visit is asked for with its validators.
    html_ok = {
        p.url
        for site in ("hanshan", "qinghe", "lanhai")
        for p in revisit.store.pages("2026-11", site)
        if p.status == 200 and (p.content_type or "").startswith("text/html") and p.etag
    }
    assert len(conditional) >= len(html_ok) > 100
    # 304, or a redirect on the way to the page (whose target answers 304).
    others = [(s.target, s.status) for s in conditional if s.status != 304]
    assert all(300 < status < 400 for _, status in others), others
    assert sum(s.status == 304 for s in conditional) == len(html_ok)
    snap = revisit.snapshots["2026-12"]
    copies = set().union(*(snap[site]["not_modified"] for site in ("hanshan", "qinghe", "lanhai")))
    assert copies == html_ok
    # The Hanweb list data (POST, never conditional) is asked for again.
    posts = [s for s in second if s.method == "POST" and "dataproxy" in s.target]
    assert posts and all(s.status == 200 for s in posts)


def test_unchanged_revisit_stores_the_same_content_findings_and_scores(revisit: Revisit) -> None:
    a, b = revisit.snapshots["2026-11"], revisit.snapshots["2026-12"]
    for site in ("hanshan", "qinghe", "lanhai"):
        # A page's depth is the crawl's own (breadth-first, so the order in
        # which concurrent answers arrive can move a page linked from two
        # levels by one, in any two crawls); everything else is the page's.
        pa = {row[0]: row[:6] + row[7:] for row in a[site]["pages"]}
        pb = {row[0]: row[:6] + row[7:] for row in b[site]["pages"]}
        assert pa.keys() == pb.keys(), (site, pa.keys() ^ pb.keys())
        differ = {
            u: [i for i, (x, y) in enumerate(zip(pa[u], pb[u], strict=True)) if x != y] for u in pa
        }
        assert not any(differ.values()), (site, {u: f for u, f in differ.items() if f})
        for key in ("links", "items"):
            only_a = [row[:4] for row in set(a[site][key]) - set(b[site][key])]
            only_b = [row[:4] for row in set(b[site][key]) - set(a[site][key])]
            assert a[site][key] == b[site][key], (site, key, only_a, only_b)
    assert a["findings"] and a["findings"] == b["findings"]
    assert a["scores"] == b["scores"]


def test_bytes_per_site_recorded_and_far_smaller_on_revisit(revisit: Revisit) -> None:
    for site in ("hanshan", "qinghe", "lanhai"):
        first, second = revisit.snapshots["2026-11"][site], revisit.snapshots["2026-12"][site]
        bytes1, responses1, unchanged1 = first["transfer"]
        bytes2, responses2, unchanged2 = second["transfer"]
        assert responses1 and unchanged1 == 0
        # At least the bodies of the pages stored (their sizes), plus headers.
        assert bytes1 > first["body_bytes"] + 100 * responses1
        assert unchanged2 == len(second["not_modified"]) > 0
        assert responses2 and bytes2 < bytes1 * 0.10, site
    out = revisit.stdout["2026-12"]
    assert "downloaded in" in out and "pages not modified (304)" in out


def test_changed_page_is_downloaded_again_and_its_new_content_used(revisit: Revisit) -> None:
    # (The IPv6 probe and link verification never ask conditionally.)
    served = [
        s for s in page_gets(revisit.served["2026-12+"]) if s.target == CHANGED and s.conditional
    ]
    assert [s.status for s in served] == [200]
    page = next(p for p in revisit.store.pages("2026-12", SITE) if p.url.endswith(CHANGED))
    assert page.title and page.title.startswith("（修订）")
    assert not page.not_modified
    assert revisit.snapshots["2026-12+"][SITE]["not_modified"]


def test_failed_page_is_fetched_unconditionally_next_time(revisit: Revisit) -> None:
    failing = revisit.failing
    in_recrawl = [s for s in page_gets(revisit.served["2026-12+"]) if s.target == failing]
    # Stored with validators before, so asked conditionally (and retried);
    # the server failed it.
    assert in_recrawl and all(s.conditional and s.status == 503 for s in in_recrawl)
    after = [s for s in page_gets(revisit.served["2027-01"]) if s.target == failing]
    assert after and all(not s.conditional and s.status == 200 for s in after)
    stored = next(p for p in revisit.store.pages("2027-01", SITE) if p.url.endswith(failing))
    assert stored.status == 200 and stored.text and not stored.not_modified


def test_server_ignoring_validators_just_works(revisit: Revisit) -> None:
    served = page_gets(revisit.served["2027-01"])
    assert any(s.conditional for s in served)
    assert not any(s.status == 304 for s in served)
    assert not revisit.snapshots["2027-01"][SITE]["not_modified"]
    assert revisit.snapshots["2027-01"][SITE]["transfer"][2] == 0
    # The same content as the first visit, but for the changed page.
    # (Depth left out: see above; these are two downloads.)
    a = [p[:6] + p[7:] for p in revisit.snapshots["2026-11"][SITE]["pages"]]
    b = [p[:6] + p[7:] for p in revisit.snapshots["2027-01"][SITE]["pages"]]
    assert [p for p in a if not p[0].endswith(CHANGED)] == [
        p for p in b if not p[0].endswith(CHANGED)
    ]


def test_reports_show_what_was_downloaded(revisit: Revisit) -> None:
    site = "qinghe"  # not re-crawled after 2026-12
    for run_id in ("2026-11", "2026-12"):
        received, _responses, unchanged = revisit.snapshots[run_id][site]["transfer"]
        html = (revisit.out / run_id / "sites" / f"{site}.html").read_text(encoding="utf-8")
        assert f"下载 {format_bytes(received)}" in html
        said = f"其中 {unchanged} 个页面未变化、未重新下载"
        assert (said in html) == (unchanged > 0)
        scores = json.loads((revisit.out / run_id / "scores.json").read_text(encoding="utf-8"))
        (row,) = [r for r in scores if r["site"] == site]
        assert row["transfer"] == {
            "bytes_received": received,
            "responses": _responses,
            "not_modified": unchanged,
        }


def test_summary_line_and_byte_counts() -> None:
    result = RunResult(
        "2026-12",
        [
            CrawlOutcome("a", StageOutcome.CRAWLED, 10, None, 3 * 1024 * 1024 + 200_000, 12, 9),
            CrawlOutcome("b", StageOutcome.SKIPPED, 5),
        ],
    )
    assert summary_line(result) == (
        "run 2026-12: 15 pages crawled, 3.2 MB downloaded in 12 responses, "
        "9 pages not modified (304)"
    )
    assert summary_line(RunResult("2026-12", [CrawlOutcome("b", StageOutcome.SKIPPED, 5)])) == (
        "run 2026-12: 5 pages crawled"
    )
    assert [format_bytes(n) for n in (0, 980, 37_376, 5 * 1024**3)] == [
        "0 B", "980 B", "36.5 KB", "5.0 GB",
    ]  # fmt: skip


def test_portal_spider_conditional_requests_and_304s(tmp_path: Path) -> None:
    """The spider's side, without a server: which requests carry validators,
    and what a 304 becomes."""
    from scrapy.http import FormRequest, Request, Response

    from tests.conftest import make_config
    from zwgk.crawler.items import PageItem
    from zwgk.crawler.spiders.portal import CONDITIONAL_META, PortalSpider
    from zwgk.store import StoredPage

    spider = PortalSpider(site="demo", config=make_config(), db=str(tmp_path / "s.db"))
    home, moved = "http://www.demo.gov.test/", "http://www.demo.gov.test/moved.html"
    job = {"proxy": "http://www.demo.gov.test/dataproxy.jsp", "params": {"columnid": "1"},
           "per_page": 2, "have": 2, "total": 6}  # fmt: skip
    spider.basis = {
        home: StoredPage(
            7, home, '"h"', "Sun, 01 Nov 2026 00:00:00 GMT", [job],
            [{"url": "http://www.demo.gov.test/a.html", "kind": "http", "element": "a",
              "generated_by": None}],
        ),
        moved: StoredPage(8, "http://www.demo.gov.test/old-target.html", '"m"', None),
    }  # fmt: skip
    req = spider._request(home, 0)
    assert req is not None and req.meta[CONDITIONAL_META]
    assert req.headers[b"If-None-Match"] == b'"h"'
    assert req.headers[b"If-Modified-Since"] == b"Sun, 01 Nov 2026 00:00:00 GMT"
    plain = spider._request("http://www.demo.gov.test/new.html", 1)
    assert plain is not None and CONDITIONAL_META not in plain.meta
    assert b"If-None-Match" not in plain.headers

    out = list(spider.parse(Response(home, status=304, request=req)))
    item, follow, listdata = out
    assert isinstance(item, PageItem) and item.copy_of == 7 and item.not_modified
    assert (item.etag, item.final_url, item.depth, item.is_home) == ('"h"', home, 0, True)
    assert isinstance(follow, Request) and follow.url == "http://www.demo.gov.test/a.html"
    assert follow.meta["zdepth"] == 1
    assert isinstance(listdata, FormRequest) and "startrecord=3&endrecord=6" in listdata.url

    # A 304 from elsewhere than the stored page's final URL confirms nothing.
    req2 = spider._request(moved, 1)
    assert req2 is not None
    redirected = req2.replace(url="http://www.demo.gov.test/new-target.html")
    (again,) = spider.parse(Response(redirected.url, status=304, request=redirected))
    assert isinstance(again, Request) and again.url == moved
    assert CONDITIONAL_META not in again.meta and b"If-None-Match" not in again.headers

    # A 304 to a request without validators delivers nothing: stored as a 304.
    (nothing,) = spider.parse(Response(plain.url, status=304, request=plain))
    assert isinstance(nothing, PageItem) and nothing.status == 304 and not nothing.not_modified
    assert nothing.copy_of is None
    spider.store.dispose()
