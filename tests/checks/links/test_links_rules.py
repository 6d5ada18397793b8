"""The `links` check on stored links and url_checks, without a crawl: hrefs
judged broken as written (malformed, local files) and the 304 / 401 / 407
outcomes of link verification, as findings."""

from __future__ import annotations

from typing import Any

from tests.conftest import as_date, crawl_into, link, make_config, page
from zwgk.checks import CheckContext, CheckOutcome
from zwgk.crawler.extract import parse_html
from zwgk.crawler.items import UrlCheckItem
from zwgk.crawler.pipelines import as_row
from zwgk.scoring import build_check, load_rubric
from zwgk.store import Store
from zwgk.vocab import LinkOutcome, Severity

HOME = "http://www.demo.gov.test/"
OK_TARGET = HOME + "ok.html"


def home_with(html: str) -> dict[str, Any]:
    parsed = parse_html(html, HOME)
    return page(HOME, is_home=True, depth=0, links=[lk.as_dict() for lk in parsed.links])


def run(store: Store, pages: list[dict[str, Any]], checks: list[UrlCheckItem]) -> CheckOutcome:
    cfg = make_config(home=HOME)
    crawl_into(store, cfg, pages)
    store.add_url_checks("2026-11", [as_row(c) for c in checks])
    ctx = CheckContext(
        "2026-11", cfg.sites[0], cfg, store, as_date("2026-11-30"), as_date("2026-01-01")
    )
    return build_check(load_rubric(), "links").run(ctx)


def ok_check(url: str = OK_TARGET) -> UrlCheckItem:
    return UrlCheckItem(url, LinkOutcome.OK.value, "fetch", http_status=200)


def test_an_href_with_no_host_is_a_broken_link_not_the_current_host(store: Store) -> None:
    html = (
        "<a href='/ok.html'>正常</a><a href='//////'>办事指南</a>"
        "<a href='http://localhost]'>本地</a>"
    )
    out = run(store, [home_with(html)], [ok_check()])
    found = sorted((f.rule, f.url, f.severity) for f in out.findings)
    assert found == [
        ("malformed", "//////", Severity.FAIL),
        ("malformed", "http://localhost]", Severity.FAIL),
    ]
    f = next(f for f in out.findings if f.url == "//////")
    assert f.message == "首页链接“办事指南”链接地址格式错误，无法打开"
    assert f.source_url == HOME
    assert f.evidence["source"] == "policy" and f.evidence["on_home"] is True
    assert out.metrics["broken"] == 2 and out.metrics["home_unavailable"] == 2
    assert out.metrics["broken_by_outcome"] == {"malformed": 2}
    assert out.metrics["not_http"] == 0


def test_a_file_link_points_at_the_editors_disk(store: Store) -> None:
    html = (
        "<a href='/ok.html'>正常</a>"
        "<a href='file:///C:/Users/admin/Desktop/通知.doc'>通知附件</a>"
        "<img src='D:\\图片\\banner.jpg' alt='横幅'>"
    )
    out = run(store, [home_with(html)], [ok_check()])
    assert sorted((f.rule, f.severity) for f in out.findings) == [
        ("local_file", Severity.FAIL),
        ("local_file", Severity.FAIL),
    ]
    msgs = sorted(f.message for f in out.findings)
    assert msgs == [
        "首页图片“横幅”链接指向编辑人员本机文件（file:），公众无法访问",
        "首页链接“通知附件”链接指向编辑人员本机文件（file:），公众无法访问",
    ]


def test_the_same_bad_href_on_many_pages_is_one_finding(store: Store) -> None:
    bad = {**link("//////", "返回"), "kind": "malformed", "url": None}
    pages = [
        page(HOME, is_home=True, depth=0, links=[link(OK_TARGET, "正常")]),
        page(HOME + "a.html", links=[bad]),
        page(HOME + "b.html", links=[bad]),
    ]
    out = run(store, pages, [ok_check()])
    [f] = out.findings
    assert f.rule == "malformed" and f.evidence["occurrence_count"] == 2
    assert f.evidence["on_home"] is False and f.message.startswith("页面链接")
    assert out.metrics["home_unavailable"] == 0


def _one(store: Store, check: UrlCheckItem) -> CheckOutcome:
    home = page(HOME, is_home=True, depth=0, links=[link(check.url, "目标")])
    return run(store, [home], [check])


def test_304_is_a_broken_link(store: Store) -> None:
    out = _one(store, UrlCheckItem(OK_TARGET, "not_modified", "fetch", http_status=304))
    [f] = out.findings
    assert (f.rule, f.severity) == ("not_modified", Severity.FAIL)
    assert f.message == "首页链接“目标”服务器返回304状态码但未返回页面内容"
    assert out.metrics["broken"] == 1


def test_401_is_a_warning_not_broken_nor_unverified(store: Store) -> None:
    out = _one(store, UrlCheckItem(OK_TARGET, "login_required", "fetch", http_status=401))
    [f] = out.findings
    assert (f.rule, f.severity) == ("login_required", Severity.WARN)
    assert f.message == "首页链接“目标”需要登录才能访问（HTTP 401）"
    assert out.metrics["broken"] == 0 and out.metrics["unverified"] == 0
    assert out.metrics["login_required"] == 1


def test_407_is_the_checkers_proxy_unverified(store: Store) -> None:
    out = _one(store, UrlCheckItem(OK_TARGET, "blocked", "fetch", http_status=407))
    [f] = out.findings
    assert (f.rule, f.severity) == ("blocked", Severity.INFO)
    assert f.message == "首页链接“目标”检测所用代理服务器要求认证，未能验证"
    assert out.metrics["broken"] == 0 and out.metrics["unverified"] == 1


def test_a_target_linked_from_hundreds_of_pages_keeps_count_and_first_places(
    store: Store,
) -> None:
    """The check keeps the first MAX_OCCURRENCES places of a target, not
    every link (a missing template image is linked from every page of a
    large portal): the count is every link, the places are the first in
    page order — home page first — whatever order the pages were stored in."""
    from zwgk.checks.links import MAX_OCCURRENCES

    gone = HOME + "images/badge.png"
    n = 5 * MAX_OCCURRENCES
    # Stored in reverse page order, so that store order is not page order.
    pages = [
        page(f"{HOME}p{i:04d}.html", depth=1, links=[link(gone, "党政机关", element="img")])
        for i in reversed(range(n))
    ]
    pages.append(page(HOME, is_home=True, depth=0, links=[link(gone, "标识", element="img")]))
    dead = UrlCheckItem(gone, LinkOutcome.HTTP_4XX.value, "fetch", http_status=404)
    out = run(store, pages, [dead])
    (f,) = out.findings
    assert f.evidence["occurrence_count"] == n + 1
    places = [o["source_url"] for o in f.evidence["occurrences"]]
    assert places[0] == HOME and f.source_url == HOME and f.evidence["on_home"] is True
    assert places[1:] == [f"{HOME}p{i:04d}.html" for i in range(MAX_OCCURRENCES - 1)]
    assert out.metrics["occurrences"] == n + 1 and out.metrics["home_unavailable"] == 1


def test_the_checks_read_links_from_the_store_not_a_list(store: Store) -> None:
    """ctx.links is read from the store on each pass (nothing holds a site's
    links), and page rows carry no body text: ctx.text reads it."""
    cfg = make_config(home=HOME)
    crawl_into(store, cfg, [home_with("<a href='/ok.html'>正常</a><img src='/a.png'>")])
    ctx = CheckContext(
        "2026-11", cfg.sites[0], cfg, store, as_date("2026-11-30"), as_date("2026-01-01")
    )
    assert not isinstance(ctx.links, list)
    first = [(lk.url, lk.element) for lk in ctx.links]
    assert first == [(OK_TARGET, "a"), (HOME + "a.png", "img")]
    assert [(lk.url, lk.element) for lk in ctx.links] == first  # a second pass reads again
    (home,) = ctx.pages
    assert not hasattr(home, "text") and home.has_text
    assert ctx.text(home) == store.pages("2026-11", "demo")[0].text
    assert list(ctx.links.of_pages({home.id})) == [home.id]
