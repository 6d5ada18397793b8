"""References outside href/src: srcset candidates, CSS url()/@import in
<style> blocks and style attributes, <track>, formaction, <html manifest>,
<object data>. Markup modelled on TRS/Hanweb templates."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.crawler.extract.test_fuzz import FUZZ
from zwgk.crawler.extract import NAVIGABLE, NEVER_FOLLOWED, parse_html
from zwgk.crawler.extract.css import (
    MAX_CSS_URLS,
    MAX_SRCSET_CANDIDATES,
    css_references,
    srcset_urls,
)
from zwgk.crawler.extract.links import MAX_STYLE_LINKS
from zwgk.crawler.spiders.linkcheck import RESOURCE_ELEMENTS

PAGE = "http://www.demo.gov.test/zwgk/index.html"

TRS_PAGE = """<html manifest="/cache/site.appcache"><head>
<link rel="stylesheet" href="../css/style.css">
<style type="text/css">
/* 顶部横幅 url(commented.jpg) */
.banner { background: url(../images/banner.jpg) no-repeat center top; }
.nav li { background-image: url("../images/nav_bg.png"); }
@import "../css/print.css";
@import url('../css/font.css');
.icon { background: url(data:image/png;base64,iVBORw0KGgo=); }
</style></head><body>
<div class="top" style="background:url(../images/bg.jpg) repeat-x;">
  <img src="../images/logo.png" srcset="../images/logo@2x.png 2x, ../images/logo@3x.png 3x"
       alt="某某市人民政府">
</div>
<picture><source srcset="../images/map.webp 640w" type="image/webp">
<img src="../images/map.jpg" alt="地图"></picture>
<video src="/video/zc.mp4"><track src="/video/zc.vtt" kind="subtitles" label="中文字幕"></video>
<form action="/search.do"><input name="q">
  <button formaction="/search/adv.do">高级检索</button>
  <input type="submit" formaction="/search/all.do" value="全站检索">
</form>
<object data="/flash/map.swf" type="application/x-shockwave-flash"></object>
</body></html>"""


def links_of(html: str) -> list[tuple[str, str, str, str | None]]:
    return [
        (lk.element, lk.attribute, lk.url or lk.href, lk.text)
        for lk in parse_html(html, PAGE).links
        if lk.element not in ("img", "link", "video")
    ]


def test_every_kind_of_reference_on_a_template_page() -> None:
    root = "http://www.demo.gov.test"
    assert links_of(TRS_PAGE) == [
        ("object", "data", f"{root}/flash/map.swf", None),
        ("manifest", "manifest", f"{root}/cache/site.appcache", None),
        ("style", "url", f"{root}/images/banner.jpg", None),
        ("style", "url", f"{root}/images/nav_bg.png", None),
        ("style", "@import", f"{root}/css/print.css", None),
        ("style", "url", f"{root}/css/font.css", None),
        ("style-attr", "style", f"{root}/images/bg.jpg", None),
        ("img-srcset", "srcset", f"{root}/images/logo@2x.png", "某某市人民政府"),
        ("img-srcset", "srcset", f"{root}/images/logo@3x.png", "某某市人民政府"),
        ("source-srcset", "srcset", f"{root}/images/map.webp", None),
        ("track", "src", f"{root}/video/zc.vtt", "中文字幕"),
        ("formaction", "formaction", f"{root}/search/adv.do", "高级检索"),
        ("formaction", "formaction", f"{root}/search/all.do", "全站检索"),
    ]


def test_new_references_are_never_crawled_as_pages_but_resources_are_headed() -> None:
    elements = {lk.element for lk in parse_html(TRS_PAGE, PAGE).links}
    new = elements - {"img", "link", "video", "object"}
    assert new == NEVER_FOLLOWED
    assert not NEVER_FOLLOWED & NAVIGABLE
    # A submit address is asked with GET, like a page; the rest are files.
    assert {"formaction"} == NEVER_FOLLOWED - RESOURCE_ELEMENTS


def test_data_urls_are_never_links() -> None:
    html = (
        "<img src='a.png' srcset='data:image/png;base64,AAAA 1x, b.png 2x'>"
        "<div style='background:url(data:image/gif;base64,R0lG)'></div>"
        "<track src='data:text/vtt,WEBVTT'>"
    )
    got = [(lk.element, lk.href) for lk in parse_html(html, PAGE).links if lk.element != "img"]
    assert got == [("img-srcset", "b.png")]


@pytest.mark.parametrize(
    ("srcset", "urls"),
    [
        ("a.jpg 1x, b.jpg 2x", ["a.jpg", "b.jpg"]),
        ("small.jpg 300w,large.jpg 1000w", ["small.jpg", "large.jpg"]),
        # A URL is a run of non-whitespace: its commas are its own.
        ("/img/a,b.jpg 1x, /img/c.jpg 2x", ["/img/a,b.jpg", "/img/c.jpg"]),
        ("a.jpg,b.jpg", ["a.jpg,b.jpg"]),
        # Trailing commas end a candidate that has no descriptors.
        ("a.jpg,, b.jpg", ["a.jpg", "b.jpg"]),
        # A comma inside parentheses is the descriptor's, not a separator.
        ("a.jpg (x, y) 1x, b.jpg", ["a.jpg", "b.jpg"]),
        ("  ,, ,", []),
        ("只有图片.jpg", ["只有图片.jpg"]),
    ],
)
def test_srcset_split_as_the_html_standard_does(srcset: str, urls: list[str]) -> None:
    assert srcset_urls(srcset) == urls


@pytest.mark.parametrize(
    ("css", "refs"),
    [
        (".a{background:url( 'x.png' )}", [("url", "x.png")]),
        ('.a{background:URL("y.png")}', [("url", "y.png")]),
        ("@import 'a.css'; @import url(b.css);", [("@import", "a.css"), ("url", "b.css")]),
        # An unterminated comment hides everything after it, as in a browser.
        (".a{background:url(x.png)} /* url(y.png)", [("url", "x.png")]),
        # SVG references and empty urls name no file.
        (".a{filter:url(#blur);background:url()}", []),
        # Unbalanced: a bad url, not a reference.
        (".a{background:url(x(y.png)}", []),
        (".a{background:url(x.png}", []),
    ],
)
def test_css_references(css: str, refs: list[tuple[str, str]]) -> None:
    assert css_references(css) == refs


def test_hostile_css_and_srcset_are_capped() -> None:
    many = ",".join(f"i{n}.jpg 1x" for n in range(10_000))
    assert len(srcset_urls(many)) == MAX_SRCSET_CANDIDATES
    css = "".join(f".c{n}{{background:url(i{n}.png)}}" for n in range(10_000))
    assert len(css_references(css)) == MAX_CSS_URLS
    # One page's CSS references are capped however many blocks carry them.
    blocks = "".join(f"<style>.c{{background:url(b{n}.png)}}</style>" for n in range(2000))
    got = [lk for lk in parse_html(blocks, PAGE).links if lk.element == "style"]
    assert len(got) == MAX_STYLE_LINKS


@pytest.mark.parametrize(
    "css",
    ["url(" * 50_000, 'url("' * 50_000, "/*" + "url(a)" * 30_000, "@import '" + "x" * 300_000],
)
def test_pathological_css_yields_no_reference_and_does_not_raise(css: str) -> None:
    assert css_references(css) == []
    assert parse_html(f"<div style='{css}'><style>{css}</style></div>", PAGE) is not None


@FUZZ
@given(st.text(alphabet=st.sampled_from(list("url(\"')@import ,/*x.png \n#:data")), max_size=400))
def test_css_parsing_total(css: str) -> None:
    for how, ref in css_references(css):
        assert how in ("url", "@import") and ref and not ref.startswith("#")


@FUZZ
@given(st.text(alphabet=st.sampled_from(list(" ,\t\n()a.jpg1x2w")), max_size=400))
def test_srcset_parsing_total(srcset: str) -> None:
    urls = srcset_urls(srcset)
    assert len(urls) <= MAX_SRCSET_CANDIDATES
    assert all(u and not any(c in u for c in " \t\n") and not u.endswith(",") for u in urls)
