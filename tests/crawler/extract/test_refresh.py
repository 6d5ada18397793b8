"""<meta http-equiv=refresh> read as browsers read it."""

from __future__ import annotations

import pytest
from parsel import Selector

from zwgk.crawler.extract import parse_html
from zwgk.crawler.extract.refresh import meta_refresh

BASE = "http://www.a.gov.test/zwgk/index.html"


@pytest.mark.parametrize(
    "content,delay,url",
    [
        ("0; url=/a.html", 0.0, "http://www.a.gov.test/a.html"),
        ("0;URL='b.html'", 0.0, "http://www.a.gov.test/zwgk/b.html"),
        ("3, url='http://www.b.gov.test/'", 3.0, "http://www.b.gov.test/"),
        ("1.5;url=/d.html", 1.5, "http://www.a.gov.test/d.html"),
    ],
)
def test_refresh_targets(content: str, delay: float, url: str) -> None:
    sel = Selector(
        text=f'<html><head><meta http-equiv="REFRESH" content="{content}"></head></html>'
    )
    r = meta_refresh(sel, BASE)
    assert r is not None and (r.delay, r.link.url, r.link.element) == (delay, url, "meta-refresh")


@pytest.mark.parametrize("content", ["30", "", "0;url=", "abc", "url=/c.html"])
def test_reload_only_or_nothing_is_no_link(content: str) -> None:
    sel = Selector(
        text=f'<html><head><meta http-equiv="refresh" content="{content}"></head></html>'
    )
    r = meta_refresh(sel, BASE)
    assert r is None or r.link.url is None


def test_the_page_keeps_its_own_content_and_links() -> None:
    html = (
        "<html><head><meta charset='utf-8'><title>甲县人民政府</title>"
        "<meta http-equiv='refresh' content='0;url=http://gone.a.gov.test/'></head>"
        "<body><a href='/zwgk/'>政府信息公开</a><p>欢迎访问甲县人民政府门户网站。</p></body></html>"
    )
    page = parse_html(html, "http://www.a.gov.test/")
    assert page.title == "甲县人民政府"
    assert "欢迎访问" in page.text
    assert [(lk.element, lk.url) for lk in page.links] == [
        ("a", "http://www.a.gov.test/zwgk/"),
        ("meta-refresh", "http://gone.a.gov.test/"),
    ]
    assert page.meta["refresh"] == {"delay": 0.0, "url": "http://gone.a.gov.test/"}


def test_a_malformed_refresh_target_is_a_malformed_link() -> None:
    sel = Selector(
        text='<html><head><meta http-equiv="refresh" content="0;url=//////"></head></html>'
    )
    r = meta_refresh(sel, BASE)
    assert r is not None and (r.link.kind, r.link.url) == ("malformed", None)
