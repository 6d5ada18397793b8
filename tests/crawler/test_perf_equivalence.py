"""The crawl's speed-ups change nothing but speed.

``crawler.extract`` now runs compiled XPath on the lxml tree instead of
parsel selectors and caches root-relative link resolution; the store writes
a batch of pages with two bulk INSERTs; the pipeline stops deep-copying
items; the portal spider runs fewer item workers and claims its URLs before
yielding. The reference functions below are the code as it was before
(parsel-based), kept here to compare against on every page we have.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from parsel import Selector
from w3lib.url import safe_url_string

from tests.conftest import link, make_config, page
from zwgk.crawler import extract
from zwgk.crawler.extract import (
    CONTENT_SELECTORS,
    LINK_ATTRS,
    META_TAGS,
    LinkRecord,
    classify_href,
    clean_text,
    decode_html,
    extract_links,
    extract_main_text,
    extract_meta,
    fragment_ids,
    parse_html,
    trs_pages,
)
from zwgk.crawler.items import PageItem, UrlCheckItem
from zwgk.crawler.pipelines import as_row
from zwgk.store import Store

REPO = Path(__file__).resolve().parents[2]
PAGES = sorted(
    [
        *(p for p in (REPO / "tests").rglob("*.htm*") if "fixtures" in p.parts),
        *(REPO / "zwgk" / "sample" / "sites").rglob("*.htm*"),
    ]
)

# -- the reference: crawler/extract.py before the speed-ups ------------------


def ref_classify_href(href: str, base: str) -> tuple[str, str | None]:
    raw = href.strip()
    low = raw.lower()
    if low.startswith("javascript:"):
        return "javascript", None
    if low.startswith("mailto:"):
        return "mailto", None
    if low.startswith("tel:"):
        return "tel", None
    if raw == "" or raw.startswith("#"):
        return "fragment", None
    if low.startswith(("data:", "about:", "blob:")):
        return "other", None
    # Broken as written (added after the speed-ups, the same in both).
    if low.startswith("file:") or re.match(r"[a-z]:[\\/]", raw, re.I):
        return "local_file", None
    bare = re.sub(r"[\t\n\r]", "", raw)
    names_host = bool(re.match(r"(?:https?:)?//", bare, re.I))
    if names_host and extract.links._names_no_host(bare):
        return "malformed", None
    try:
        absolute = safe_url_string(urljoin(base, raw))
    except ValueError:
        return ("malformed" if names_host else "other"), None
    scheme = urlsplit(absolute).scheme.lower()
    if scheme not in ("http", "https"):
        return "other", None
    if not urlsplit(absolute).hostname:
        return ("malformed" if names_host else "other"), None
    return "http", absolute


def ref_anchor_text(node: Selector) -> str | None:
    text = clean_text(" ".join(node.xpath(".//text()").getall()))
    if not text:
        text = clean_text(node.attrib.get("title") or "")
    if not text:
        text = clean_text(" ".join(node.xpath(".//img/@alt").getall()))
    if not text and node.root.tag in ("img", "area"):
        text = clean_text(node.attrib.get("alt") or "")
    return text[:500] or None


def ref_extract_links(sel: Selector, base: str) -> list[LinkRecord]:
    out: list[LinkRecord] = []
    xpath = "|".join(f"//{el}[@{attr}]" for el, attr in LINK_ATTRS)
    for node in sel.xpath(xpath):
        tag = node.root.tag if isinstance(node.root.tag, str) else ""
        tag = tag.lower()
        attr = dict(LINK_ATTRS).get(tag)
        if attr is None:
            continue
        href = node.attrib.get(attr)
        if href is None:
            continue
        if tag == "link" and (node.attrib.get("rel") or "").lower() in (
            "dns-prefetch",
            "preconnect",
        ):
            continue
        kind, url = ref_classify_href(href, base)
        out.append(LinkRecord(href, url, kind, tag, attr, ref_anchor_text(node), None))
    return out


def ref_texts(sel: Selector) -> list[str]:
    out = []
    for t in sel.xpath(
        "//body//text()[not(ancestor::script) and not(ancestor::style) and not(ancestor::noscript)]"
    ).getall():
        t = clean_text(t)
        if t:
            out.append(t)
    return out


def ref_main_text(sel: Selector) -> str:
    visible = ".//text()[not(ancestor::script) and not(ancestor::style)]"
    for css in CONTENT_SELECTORS:
        nodes = sel.css(css)
        if nodes:
            text = clean_text(" ".join(nodes[0].xpath(visible).getall()))
            if len(text) >= 20:
                return text
    best = extract._largest_leaf_block(sel.root)
    if best is None:
        return clean_text(" ".join(sel.xpath("//body").xpath(visible).getall()))
    return clean_text(" ".join(best.xpath(visible)))


def ref_meta_tags(sel: Selector) -> dict[str, str]:
    meta: dict[str, str] = {}
    for tag in sel.xpath("//meta[@name and @content]"):
        key = META_TAGS.get((tag.attrib.get("name") or "").strip().lower())
        if key and key not in meta:
            value = clean_text(tag.attrib.get("content") or "")
            if value:
                meta[key] = value
    return meta


def ref_th_pairs(sel: Selector) -> list[tuple[str, str]]:
    return [
        (
            clean_text(" ".join(th.xpath(".//text()").getall())),
            clean_text(" ".join(th.xpath("following-sibling::td[1]//text()").getall())),
        )
        for th in sel.xpath("//th[following-sibling::*[1][self::td]]")
    ]


def selector(path: Path) -> tuple[Selector, str]:
    text, _ = decode_html(path.read_bytes(), None)
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    return Selector(text=text), f"http://{path.parent.name}.test/{path.name}"


# -- parsing ------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_parsing_matches_the_parsel_reference(path: Path) -> None:
    sel, url = selector(path)
    base = extract.base_url(sel, url)
    assert extract_links(sel, base) == ref_extract_links(sel, base)
    assert extract._texts(sel) == ref_texts(sel)
    assert extract_main_text(sel) == ref_main_text(sel)
    meta = extract_meta(sel)
    for key, value in ref_meta_tags(sel).items():
        if key in ("article_title", "content_source", "column_name"):
            assert meta[key] == value
    pairs = [
        (
            clean_text(" ".join(extract._ALL_TEXT(th))),
            clean_text(" ".join(extract._NEXT_TD_TEXT(th))),
        )
        for th in extract._xpath(extract._TH_BESIDE_TD, sel.root)
    ]
    assert pairs == ref_th_pairs(sel)
    assert (
        fragment_ids(sel)
        == sorted(set(sel.xpath("//@id").getall() + sel.xpath("//a/@name").getall()))[:5000]
    )
    ref_base = sel.xpath("//head/base/@href").get() or sel.xpath("//base/@href").get()
    assert base == (urljoin(url, ref_base.strip()) if ref_base and ref_base.strip() else url)
    scripts = sel.xpath("//script[not(@src)]/text()").getall()
    assert extract._xpath(extract._INLINE_SCRIPTS, sel.root) == scripts
    assert isinstance(trs_pages(sel, base), list)


AWKWARD = [
    "//////",
    "http://localhost]",
    "file:///C:/a.doc",
    "C:\\a.doc",
    "/a/../b/c.html",
    "/a/./b/",
    "//other.test/x",
    "//",
    "//?q",
    "/\n/x",
    "/\t/x",
    "/x\r",
    " /spaced.html ",
    "/q?x=1&y=2#frag",
    "/中文/路径.html",
    "/x y.html",
    "/%E4%B8%AD.html",
    "/path;params?q",
    "/\\backslash",
    "/",
    "http:relative",
    "../up.html",
    "?only=query",
    "",
    "#top",
    "javascript:void(0)",
]
BASES = [
    "http://h.test/a/b.html?q=1#f",
    "http://h.test/other/dir/",
    "https://h.test:8443/a/",
    "http://user@h.test/",
    "http://h.test",
    "http://[::1]:8080/x/",
    "http://[bad/",
    "relative/base.html",
    "",
    "mailto:someone@h.test",
    "file:///tmp/x.html",
]


@pytest.mark.parametrize("base", BASES)
def test_cached_link_resolution_equals_urljoin(base: str) -> None:
    extract._ROOT_RELATIVE.clear()
    for _ in range(2):  # the second round answers root-relative hrefs from the cache
        for href in AWKWARD:
            try:
                expected: Any = ref_classify_href(href, base)
            except ValueError as exc:
                expected = type(exc)
            try:
                got: Any = classify_href(href, base)
            except ValueError as exc:
                got = type(exc)
            assert got == expected, (href, base)


def test_link_resolution_cache_is_keyed_by_origin() -> None:
    extract._ROOT_RELATIVE.clear()
    assert classify_href("/x.html", "http://a.test/p/") == ("http", "http://a.test/x.html")
    assert classify_href("/x.html", "https://a.test/q/") == ("http", "https://a.test/x.html")
    assert classify_href("/x.html", "http://a.test:81/") == ("http", "http://a.test:81/x.html")
    assert classify_href("/x.html", "http://b.test/") == ("http", "http://b.test/x.html")


def test_link_resolution_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    extract._ROOT_RELATIVE.clear()
    monkeypatch.setattr(extract.links, "_ROOT_RELATIVE_MAX", 10)
    for i in range(25):
        assert classify_href(f"/p{i}.html", "http://h.test/") == (
            "http",
            f"http://h.test/p{i}.html",
        )
    assert len(extract._ROOT_RELATIVE) <= 10


def test_parse_html_unchanged_on_a_nested_page() -> None:
    html = (
        "<html><head><title> T </title><base href='/b/'></head><body>"
        "<div><div id='x'><p>正文"
        + "很长的内容"
        * 10
        + "</p><a name='n' href='/y'>Y</a></div></div>"
        "<script>var a='<a href=/z>';</script><noscript>n</noscript></body></html>"
    )
    parsed = parse_html(html, "http://h.test/a/b.html")
    sel = Selector(text=html)
    assert [dataclasses.astuple(x) for x in parsed.links] == [
        dataclasses.astuple(x) for x in ref_extract_links(sel, "http://h.test/b/")
    ]
    assert parsed.fragment_ids == ["n", "x"]
    assert parsed.text == ref_main_text(sel)


# -- the pipeline -----------------------------------------------------------------


def test_rows_equal_asdict() -> None:
    item = PageItem(
        url="u",
        final_url="f",
        fetch_status="ok",
        depth=2,
        meta={"a": [1, {"b": 2}]},
        links=[{"href": "h", "url": "u"}],
        redirects=[{"url": "r", "status": 301}],
    )
    assert as_row(item) == dataclasses.asdict(item)
    check = UrlCheckItem("u", "ok", "fetch", detail={"redirects": ["x"]})
    assert as_row(check) == dataclasses.asdict(check)


# -- the store ----------------------------------------------------------------------


def _begin(store: Store) -> int:
    cfg = make_config()
    store.ensure_run("2026-11", cfg.evaluation.as_of, cfg.evaluation.start, {})
    gen, _ = store.begin_site_crawl("2026-11", "demo", "x", "http://www.demo.gov.test/", False)
    return gen


def test_add_pages_keeps_order_ids_and_defaults(store: Store) -> None:
    gen = _begin(store)
    a = page("http://www.demo.gov.test/a", links=[link("http://x.test/1", "一")])
    b = {"url": "http://www.demo.gov.test/b", "final_url": "http://www.demo.gov.test/b",
         "fetch_status": "timeout", "depth": 1, "error": "TimeoutError"}  # fmt: skip
    c = page(
        "http://www.demo.gov.test/c",
        is_home=True,
        links=[link("http://x.test/2", "二"), {**link("http://x.test/3", "三"), "text": None}],
    )
    store.add_pages("2026-11", "demo", gen, [a, b, c])
    store.add_pages("2026-11", "demo", gen, [])
    store.finish_site_crawl("2026-11", "demo", gen, {})
    pages = store.pages("2026-11", "demo")
    assert [p.url.rsplit("/", 1)[1] for p in pages] == ["a", "b", "c"]
    assert [p.id for p in pages] == sorted(p.id for p in pages)
    pb = pages[1]
    # Columns the dict left out get their defaults, as with Page(**item).
    assert (pb.meta, pb.redirects, pb.fragment_ids, pb.size, pb.is_home) == ({}, [], [], 0, False)
    assert pb.fetched_at is not None
    links = store.links("2026-11", "demo")
    assert [(x.url, x.page_id, x.on_home, x.source_url, x.text) for x in links] == [
        ("http://x.test/1", pages[0].id, False, "http://www.demo.gov.test/a", "一"),
        ("http://x.test/2", pages[2].id, True, "http://www.demo.gov.test/c", "二"),
        ("http://x.test/3", pages[2].id, True, "http://www.demo.gov.test/c", None),
    ]


def test_add_pages_rejects_what_page_rejected(store: Store) -> None:
    gen = _begin(store)
    with pytest.raises(TypeError, match="'bogus' is an invalid keyword argument for Page"):
        store.add_pages("2026-11", "demo", gen, [page("http://www.demo.gov.test/", bogus=1)])
    with pytest.raises(TypeError, match="multiple values for keyword argument 'run_id'"):
        store.add_pages("2026-11", "demo", gen, [page("http://www.demo.gov.test/", run_id="x")])
    assert store.crawl_state("2026-11", "demo", gen) == (set(), [])


# -- the spider ----------------------------------------------------------------------


def test_portal_spider_runs_few_item_workers() -> None:
    from scrapy.settings import Settings

    from zwgk.crawler.spiders.portal import PortalSpider

    settings = Settings()
    settings.setmodule("zwgk.crawler.settings", priority="project")
    PortalSpider.update_settings(settings)
    assert settings.getint("CONCURRENT_ITEMS") == 16


def test_portal_spider_claims_urls_before_yielding(tmp_path: Path) -> None:
    """Every request a page leads to is claimed (in ``seen``) when its first
    output is taken, however slowly Scrapy reads the rest."""
    from scrapy.http import HtmlResponse, Request

    from zwgk.crawler.spiders.portal import PortalSpider

    cfg = make_config()
    spider = PortalSpider(site="demo", config=cfg, db=str(tmp_path / "s.db"))
    body = "".join(f'<a href="/p{i}.html">p{i}</a>' for i in range(50)).encode()
    url = "http://www.demo.gov.test/"
    response = HtmlResponse(
        url,
        body=b"<html><body>" + body + b"</body></html>",
        headers={"Content-Type": "text/html; charset=utf-8"},
        request=Request(url, meta={"zdepth": 0, "zurl": url}),
    )
    outputs = spider.parse(response)
    first = next(outputs)
    assert isinstance(first, PageItem)
    assert {f"http://www.demo.gov.test/p{i}.html" for i in range(50)} <= spider.seen
    rest = list(outputs)
    assert [r.url for r in rest] == [f"http://www.demo.gov.test/p{i}.html" for i in range(50)]
    assert all(r.meta["zdepth"] == 1 for r in rest)
    spider.store.dispose()


def test_clean_text_equals_the_regex_it_replaced() -> None:
    old = re.compile(r"[\s\u3000\xa0]+")
    spaces = [chr(i) for i in range(0x3001) if old.fullmatch(chr(i)) or chr(i).isspace()]
    assert spaces == [chr(i) for i in range(0x3001) if chr(i).isspace()]
    samples = ["", " ", "a", " 索 引 号： ", "\u3000文\u3000\u3000号：x", "a\xa0\n\tb\x1c", *spaces]
    samples += [f"{a}x{b}y{a}{b}" for a in spaces for b in (" ", "\u3000", "")]
    for s in samples:
        assert clean_text(s) == old.sub(" ", s).strip(), repr(s)
