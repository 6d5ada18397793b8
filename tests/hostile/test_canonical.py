"""Session ids and URL patterns: the keys the portal crawl bounds itself by."""

from __future__ import annotations

import pytest
from scrapy.exceptions import IgnoreRequest
from scrapy.utils._compression import _DecompressionMaxSizeExceeded

from zwgk.crawler.fetch import classify_failure
from zwgk.crawler.spiders.portal import url_pattern
from zwgk.vocab import FetchStatus, canonical_url


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("http://a.gov.test/page;jsessionid=0A1B2C", "http://a.gov.test/page"),
        ("http://a.gov.test/page;JSESSIONID=x?id=3&b=2#f", "http://a.gov.test/page?id=3&b=2"),
        ("http://a.gov.test/d;jsessionid=x/p.html", "http://a.gov.test/d/p.html"),
        ("http://a.gov.test/l?page=2&sid=zz&x=1", "http://a.gov.test/l?page=2&x=1"),
        ("http://a.gov.test/l?SID=1", "http://a.gov.test/l"),
        ("http://a.gov.test/l?PHPSESSID=9&b=1", "http://a.gov.test/l?b=1"),
        ("http://a.gov.test/l?sessionid=9", "http://a.gov.test/l"),
        ("http://a.gov.test/l?jsessionid=9&z=1", "http://a.gov.test/l?z=1"),
        ("http://a.gov.test/x?ASPSESSIONIDQADRRBTA=KJ&a=1", "http://a.gov.test/x?a=1"),
    ],
)
def test_session_ids_are_stripped(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


@pytest.mark.parametrize(
    "url",
    [
        # Other parameters stay exactly as written: order, case, empty parts.
        "http://a.gov.test/col?b=2&a=1&B=3",
        "http://a.gov.test/x?a=1&&b=2",
        "http://a.gov.test/x?sidebar=1&side=2",
        "http://a.gov.test/x?a=sid=1",
        "http://a.gov.test/x;type=a",
        "http://a.gov.test/art/2024/3/15/art_123_456.html",
    ],
)
def test_other_urls_are_unchanged(url: str) -> None:
    assert canonical_url(url) == url


def test_canonical_url_drops_the_fragment() -> None:
    assert canonical_url("http://a.gov.test/p.html#sec") == "http://a.gov.test/p.html"


def test_calendar_months_share_a_pattern() -> None:
    a = url_pattern("http://a.gov.test/cal/?y=2026&m=12")
    assert a is not None
    assert a == url_pattern("http://a.gov.test/cal/?y=2031&m=4")
    assert a != url_pattern("http://a.gov.test/cal/?y=2026&d=12")


@pytest.mark.parametrize(
    "url",
    ["http://a.gov.test/art/2024/3/15/art_123_456.html", "http://a.gov.test/t20240315_123.html"],
)
def test_path_addressed_articles_are_never_counted(url: str) -> None:
    assert url_pattern(url) is None


def test_a_decompression_over_the_cap_is_too_large() -> None:
    # What HttpCompressionMiddleware raises for a gzip bomb (Scrapy >= 2.11),
    # with a message that does not name the cap: the cause decides.
    try:
        try:
            raise _DecompressionMaxSizeExceeded(2048, 1024)
        except _DecompressionMaxSizeExceeded as e:
            raise IgnoreRequest("Ignored response <200 http://a.gov.test/bomb>") from e
    except IgnoreRequest as exc:
        assert classify_failure(exc) is FetchStatus.TOO_LARGE


def test_checks_find_a_page_by_a_link_with_a_session_id() -> None:
    from zwgk.checks.base import PageIndex
    from zwgk.store import Page

    page = Page(
        url="http://www.a.gov.test/zwgk/zn.html", final_url="http://www.a.gov.test/zwgk/zn.html"
    )
    index = PageIndex()
    index[page.url] = page
    for href in (
        "http://www.a.gov.test/zwgk/zn.html;jsessionid=0A1B2C",
        "http://www.a.gov.test/zwgk/zn.html?sid=77#top",
        "http://www.a.gov.test/zwgk/zn.html",
    ):
        assert index.get(href) is page and href in index and index[href] is page
    assert index.get("http://www.a.gov.test/zwgk/zn.html?id=2") is None
    assert index.get("") is None
