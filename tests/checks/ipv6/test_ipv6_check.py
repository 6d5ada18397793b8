"""The ipv6 (IPv6支持度) check on stored probes: every step, from rows the
collector would write, so each metric and rule is exact.

(The collector itself, on loopback with the project's DNS server, is in
tests/crawler/test_ipv6_probe.py.)
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import as_date, crawl_into, make_config
from zwgk.checks import CheckContext, CheckOutcome
from zwgk.checks.ipv6 import similarity
from zwgk.scoring import build_check, load_rubric
from zwgk.store import Store
from zwgk.vocab import Severity, Status

HOME = "http://www.demo.gov.cn/"
TEXT = "岚海区人民政府门户网站首页。要闻动态、政务公开、办事服务、互动交流。" * 5


def probe(url: str, level: int, family: int, status: int | None = 200, **kw: Any) -> dict[str, Any]:
    fetch = kw.pop("fetch_status", "ok" if status is not None else "connection_refused")
    return {
        "level": level,
        "url": url,
        "family": family,
        "attempt": kw.pop("attempt", 0),
        "fetch_status": fetch,
        "status": status,
        "latency_ms": kw.pop("latency_ms", 20),
        "final_url": kw.pop("final_url", url),
        "hops": kw.pop("hops", [{"url": url, "status": status, "family": family}]),
        "text": kw.pop("text", None),
        "link_hosts": kw.pop("link_hosts", []),
        **kw,
    }


def both(
    url: str, level: int, v6: int | None = 200, v4: int | None = 200, **kw6: Any
) -> list[dict[str, Any]]:
    return [probe(url, level, 4, v4), probe(url, level, 6, v6, **kw6)]


def home_probes(n: int = 3, v6_ok: int = 3, text6: str = TEXT) -> list[dict[str, Any]]:
    rows = []
    for i in range(n):
        rows.append(probe(HOME, 1, 4, 200, attempt=i, latency_ms=30, text=TEXT if i == 0 else None))
        ok = i < v6_ok
        rows.append(
            probe(
                HOME,
                1,
                6,
                200 if ok else None,
                attempt=i,
                latency_ms=40,
                text=text6 if i == 0 and ok else None,
            )
        )
    return rows


def store_site(
    store: Store,
    probes: list[dict[str, Any]],
    *,
    aaaa: list[str] | None = None,
    ns: list[dict[str, Any]] | None = None,
    ns_known: bool = True,
    cnames: list[str] | None = None,
    hosts: dict[str, Any] | None = None,
    finished: bool = True,
) -> Any:
    cfg = make_config(home=HOME, disclosure=[HOME + "zwgk/"])
    crawl_into(store, cfg, [])
    store.begin_ipv6(
        "2026-11",
        cfg.sites[0].id,
        home_url=HOME,
        home_host="www.demo.gov.cn",
        a=["127.0.0.1"],
        aaaa=["::1"] if aaaa is None else aaaa,
        cnames=cnames or [],
        ns_zone="demo.gov.cn" if ns_known else None,
        ns=[{"name": "ns1.demo.gov.cn", "a": ["127.0.0.1"], "aaaa": ["::1"]}] if ns is None else ns,
        ns_known=ns_known,
        ns_error=None if ns_known else "host is a static dns.hosts entry",
        home_probes=3,
    )
    store.add_ipv6_probes("2026-11", cfg.sites[0].id, probes)
    if finished:
        store.finish_ipv6("2026-11", cfg.sites[0].id, hosts or {})
    return cfg


def run(store: Store, cfg: Any, **params: Any) -> CheckOutcome:
    rubric = load_rubric()
    rubric.checks["ipv6"].params.update(params)
    ctx = CheckContext(
        "2026-11", cfg.sites[0], cfg, store, as_date("2026-11-30"), as_date("2026-01-01")
    )
    return build_check(rubric, "ipv6").run(ctx)


def rules(out: CheckOutcome) -> list[str]:
    return sorted(f.rule for f in out.findings)


def level(n: int, ok6: int, total: int, base: str = HOME) -> list[dict[str, Any]]:
    rows = []
    for i in range(total):
        rows += both(f"{base}l{n}/{i}.html", n, v6=200 if i < ok6 else None)
    return rows


def test_dual_stack_site_passes_with_every_metric_full(store: Store) -> None:
    cfg = store_site(store, home_probes() + level(2, 10, 10) + level(3, 30, 30))
    out = run(store, cfg)
    assert out.findings == []
    assert out.status == Status.PASS
    m = out.metrics
    assert (m["aaaa"], m["home_v6"], m["same_content"], m["ns_v6"]) == (True, 1.0, 1.0, True)
    assert (m["level2_rate"], m["level2_ok"], m["level2_total"]) == (1.0, 10, 10)
    assert (m["level3_rate"], m["level3_ok"], m["level3_total"]) == (1.0, 30, 30)
    assert (m["home_v4_latency_ms"], m["home_v6_latency_ms"]) == (30, 40)


def test_no_aaaa_fails_at_once_and_rates_are_zero(store: Store) -> None:
    rows = [probe(HOME, 1, 4, 200, attempt=i, text=TEXT) for i in range(3)]
    rows += [probe(HOME, 1, 6, None, attempt=i, fetch_status="no_address") for i in range(3)]
    rows += [
        r
        for i in range(4)
        for r in (
            probe(f"{HOME}a/{i}", 2, 4, 200),
            probe(f"{HOME}a/{i}", 2, 6, None, fetch_status="no_address"),
        )
    ]
    cfg = store_site(store, rows, aaaa=[])
    out = run(store, cfg)
    assert rules(out) == ["aaaa_missing"]
    [f] = out.findings
    assert f.severity == Severity.FAIL and "www.demo.gov.cn" in f.message
    assert f.evidence["aaaa"] == [] and f.evidence["a"] == ["127.0.0.1"]
    m = out.metrics
    assert m["aaaa"] is False and m["home_v6"] == 0.0
    # Rates are 0 by the monitoring's definition, with the denominators shown.
    assert (m["level2_rate"], m["level2_ok"], m["level2_total"], m["level2_v4_rate"]) == (
        0.0,
        0,
        4,
        1.0,
    )
    assert m["level3_rate"] == 0.0 and m["same_content"] is None


def test_home_refused_over_ipv6_is_a_failure_with_the_ipv4_figure(store: Store) -> None:
    rows = home_probes(v6_ok=0) + level(2, 0, 2)
    cfg = store_site(store, rows)
    out = run(store, cfg)
    assert "home_v6_failed" in rules(out)
    f = next(f for f in out.findings if f.rule == "home_v6_failed")
    assert (
        "成功0次" in f.message and "连接被拒绝" in f.message and "IPv4访问成功率为100%" in f.message
    )
    assert out.metrics["home_v6"] == 0.0 and out.metrics["home_v4"] == 1.0
    # Nothing to compare when IPv6 never answered.
    assert "content_differs" not in rules(out)


def test_one_failed_probe_of_three_gives_the_success_rate(store: Store) -> None:
    cfg = store_site(store, home_probes(v6_ok=2))
    out = run(store, cfg)
    assert out.metrics["home_v6"] == round(2 / 3, 4)
    assert "home_v6_failed" in rules(out)
    # A rubric that accepts two of three does not report it.
    assert "home_v6_failed" not in rules(run(store, cfg, home_min_success_rate=0.6))


def test_different_ipv6_home_page_is_reported_with_its_similarity(store: Store) -> None:
    other = "本站正在升级维护中，请稍后访问。" * 3
    cfg = store_site(store, home_probes(text6=other))
    out = run(store, cfg)
    [f] = [f for f in out.findings if f.rule == "content_differs"]
    assert f.evidence["similarity"] == out.metrics["same_content"] < 0.1
    assert f.evidence["threshold"] == 0.9


def test_similarity_is_one_for_the_same_text_whatever_the_spacing() -> None:
    assert similarity("政务 公开\n专栏", "政务公开专栏") == 1.0
    assert similarity("", "x") is None
    # A real home page's text is long; one new item barely moves it.
    page = "".join(f"第{i}条：关于做好{i}月份政务公开工作的通知。" for i in range(1, 60))
    s = similarity(page, page + "新增一条通知公告。")
    assert s is not None and 0.9 < s < 1.0


def test_level_rates_are_exact_fractions_with_failing_urls_and_reasons(store: Store) -> None:
    sub = "http://zwfw.demo.gov.cn/"
    rows = home_probes() + level(2, 7, 7)
    # Three 2nd-level URLs on an IPv4-only sub-host, one through a redirect.
    rows += both(sub + "a.html", 2, v6=None, fetch_status="no_address")
    rows += both(sub + "b.html", 2, v6=None, fetch_status="no_address")
    rows += both(
        HOME + "bsfw/",
        2,
        v6=None,
        fetch_status="no_address",
        hops=[
            {"url": HOME + "bsfw/", "status": 302, "family": 6},
            {"url": sub, "status": None, "family": 6},
        ],
    )
    # A link broken for everyone: 404 over both.
    rows += both(HOME + "gone.html", 2, v6=404, v4=404)
    rows += level(3, 17, 20)
    cfg = store_site(store, rows)
    out = run(store, cfg)
    m = out.metrics
    assert (m["level2_ok"], m["level2_total"], m["level2_rate"]) == (7, 11, round(7 / 11, 4))
    assert m["level2_v4_rate"] == round(10 / 11, 4)
    assert (m["level3_ok"], m["level3_total"], m["level3_rate"]) == (17, 20, 0.85)
    # 17/20 is exactly the threshold: met. 7/11 is not.
    assert rules(out) == ["level2_low"]
    [f] = out.findings
    assert "7/11" in f.message and "其中1个IPv4也无法访问" in f.message
    reasons = {x["url"]: x["reason"] for x in f.evidence["failing"]}
    assert reasons[sub + "a.html"] == "主机zwfw.demo.gov.cn没有AAAA记录"
    assert reasons[HOME + "bsfw/"] == "跳转到不支持IPv6的主机zwfw.demo.gov.cn（该主机无AAAA记录）"
    assert reasons[HOME + "gone.html"] == "IPv6访问返回HTTP 404"
    v4 = {x["url"]: x["v4"] for x in f.evidence["failing"]}
    assert v4[HOME + "gone.html"].startswith("也无法访问") and v4[sub + "a.html"] == "可访问"


def test_name_servers_without_aaaa_and_unknown_name_servers(store: Store) -> None:
    cfg = store_site(
        store, home_probes(), ns=[{"name": "ns1.demo.gov.cn", "a": ["127.0.0.1"], "aaaa": []}]
    )
    out = run(store, cfg)
    assert rules(out) == ["ns_v6_missing"] and out.metrics["ns_v6"] is False
    assert "ns1.demo.gov.cn" in out.findings[0].message


def test_unknown_name_servers_are_unverified_not_failed(store: Store) -> None:
    cfg = store_site(store, home_probes(), ns=[], ns_known=False)
    out = run(store, cfg)
    assert rules(out) == ["ns_unverified"]
    assert out.findings[0].severity == Severity.INFO and out.metrics["ns_v6"] is None
    assert out.status == Status.PASS


@pytest.mark.parametrize("via", ["cname", "links"])
def test_translation_proxy_is_named_and_counts_as_reachable(store: Store, via: str) -> None:
    rows = home_probes()
    cnames: list[str] = []
    if via == "cname":
        cnames = ["www.demo.gov.cn.v6.proxy.example"]
    else:
        for r in rows:
            if r["family"] == 6:
                r["link_hosts"] = ["www.demo.gov.cn", "v6-www-demo.proxy.example"]
    cfg = store_site(store, rows, cnames=cnames)
    out = run(store, cfg, proxy_suffixes=["proxy.example"])
    assert rules(out) == ["proxy"]
    [f] = out.findings
    assert f.severity == Severity.INFO
    host = "www.demo.gov.cn" if via == "cname" else "v6-www-demo.proxy.example"
    assert f.evidence["proxy_hosts"] == [{"host": host, "via": via}]
    assert out.metrics["home_v6"] == 1.0 and out.status == Status.PASS
    # Without a configured provider there is nothing to name.
    assert rules(run(store, cfg)) == []


def test_unfinished_collection_is_skipped_not_judged(store: Store) -> None:
    cfg = store_site(store, home_probes(v6_ok=0), finished=False)
    out = run(store, cfg)
    assert out.status == Status.SKIPPED and out.findings == []


def test_robots_denied_urls_are_not_counted(store: Store) -> None:
    rows = home_probes() + level(2, 4, 4)
    rows += [
        probe(HOME + "admin/", 2, 4, None, fetch_status="robots_denied"),
        probe(HOME + "admin/", 2, 6, None, fetch_status="robots_denied"),
    ]
    cfg = store_site(store, rows)
    m = run(store, cfg).metrics
    assert (m["level2_ok"], m["level2_total"]) == (4, 4)
