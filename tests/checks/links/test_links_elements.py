"""The `links` check on references outside href/src (srcset, CSS, track,
formaction, manifest, object) and on in-page anchors: a missing target is a
finding that names where the reference sits; fragments compare decoded."""

from __future__ import annotations

from typing import Any

import pytest

from tests.checks.links.test_links_rules import HOME, run
from tests.conftest import page
from zwgk.crawler.extract import parse_html
from zwgk.crawler.items import UrlCheckItem
from zwgk.store import Store
from zwgk.vocab import LinkOutcome, Severity, defragment

GONE = HOME + "images/gone.jpg"


def parsed(url: str, html: str, **kw: Any) -> dict[str, Any]:
    p = parse_html(html, url)
    return page(
        url,
        links=[lk.as_dict() for lk in p.links],
        fragment_ids=p.fragment_ids,
        **kw,
    )


def gone(url: str = GONE, status: int = 404) -> UrlCheckItem:
    return UrlCheckItem(url, LinkOutcome.HTTP_4XX.value, "fetch", http_status=status)


@pytest.mark.parametrize(
    ("html", "element", "label"),
    [
        (
            "<img src='/ok.jpg' srcset='/images/gone.jpg 2x' alt='市长信箱'>",
            "img-srcset",
            "图片（srcset）",
        ),
        (
            "<picture><source srcset='/images/gone.jpg 640w'><img src='/ok.jpg'></picture>",
            "source-srcset",
            "图片（srcset）",
        ),
        (
            "<style>.banner{background:url(images/gone.jpg) no-repeat}</style>",
            "style",
            "样式表引用",
        ),
        ("<style>@import 'images/gone.jpg';</style>", "style", "样式表引用"),
        (
            "<div class='top' style='background:url(../images/gone.jpg) repeat-x'></div>",
            "style-attr",
            "行内样式引用",
        ),
        (
            "<video src='/ok.mp4'><track src='/images/gone.jpg' label='字幕'></video>",
            "track",
            "字幕文件",
        ),
        (
            "<form><button formaction='/images/gone.jpg'>提交</button></form>",
            "formaction",
            "表单提交地址",
        ),
        ("<html manifest='/images/gone.jpg'><body>x</body></html>", "manifest", "离线清单"),
        ("<object data='/images/gone.jpg'></object>", "object", "嵌入对象"),
    ],
)
def test_each_kind_of_reference_to_a_missing_target_is_a_broken_link(
    store: Store, html: str, element: str, label: str
) -> None:
    home = parsed(HOME, html, is_home=True, depth=0)
    refs = [lk for lk in home["links"] if lk["url"] == GONE]
    assert [lk["element"] for lk in refs] == [element]
    out = run(store, [home], [gone(), UrlCheckItem(HOME + "ok.jpg", "ok", "fetch", 200)])
    [f] = [f for f in out.findings if f.url == GONE]
    assert (f.rule, f.severity) == ("http_4xx", Severity.FAIL)
    assert f.message.startswith(f"首页{label}“")
    assert [o["element"] for o in f.evidence["occurrences"]] == [element]
    assert f.source_url == HOME
    assert out.metrics["broken"] == 1


def test_a_submit_address_that_refuses_get_is_not_broken(store: Store) -> None:
    html = "<form method='post'><button formaction='/images/gone.jpg'>提交</button></form>"
    out = run(store, [parsed(HOME, html, is_home=True, depth=0)], [gone(status=405)])
    assert out.findings == [] and out.metrics["broken"] == 0


def test_405_is_still_broken_for_a_link_to_the_same_address(store: Store) -> None:
    html = "<button formaction='/images/gone.jpg'>提交</button><a href='/images/gone.jpg'>图</a>"
    out = run(store, [parsed(HOME, html, is_home=True, depth=0)], [gone(status=405)])
    assert [f.rule for f in out.findings] == ["http_4xx"]


# -- in-page anchors -------------------------------------------------------------------

TARGET = HOME + "zwgk/art.html"


def _anchors(store: Store, home_html: str, target_html: str) -> list[Any]:
    pages = [
        parsed(HOME, home_html, is_home=True, depth=0),
        parsed(TARGET, target_html),
    ]
    out = run(store, pages, ok_checks(pages))
    return [f for f in out.findings if f.rule == "fragment_missing"]


def ok_checks(pages: list[dict[str, Any]]) -> list[UrlCheckItem]:
    """Every http target verified: the check judges anchors only after link
    verification ran."""
    urls = {defragment(lk["url"]) for p in pages for lk in p["links"] if lk["kind"] == "http"}
    return [UrlCheckItem(u, "ok", "fetch", http_status=200) for u in sorted(urls)]


def test_fragments_compare_decoded_with_decoded(store: Store) -> None:
    home = (
        "<a href='zwgk/art.html#a%7Cb'>一</a><a href='zwgk/art.html#a|c'>二</a>"
        "<a href='zwgk/art.html#%E4%B8%AD'>三</a><a href='zwgk/art.html#附件'>四</a>"
    )
    target = (
        "<div id='a|b'>1</div><a name='a%7Cc'>2</a><h2 id='中'>3</h2>"
        "<p id='%E9%99%84%E4%BB%B6'>4</p>"
    )
    assert _anchors(store, home, target) == []


def test_a_missing_decoded_fragment_is_still_missing(store: Store) -> None:
    found = _anchors(store, "<a href='zwgk/art.html#%E4%B8%8B'>下</a>", "<h2 id='中'>中</h2>")
    [f] = found
    assert f.severity == Severity.WARN
    assert f.evidence["anchor"] == "下" and f.evidence["anchor_page"] == TARGET
    assert f.message == "链接“下”指向的页内位置“#下”不存在"


def test_same_page_fragment_is_checked_once_per_page_and_anchor(store: Store) -> None:
    html = (
        "<a href='#top'>返回顶部</a><a href='#'>空</a><a href='#TOP'>顶</a>"
        "<a href='#!/list'>路由</a><a href='#sec1'>第一节</a>"
        "<a href='#sec9'>第九节</a><a href='#sec9'>第九节（底部）</a>"
        "<div id='sec1'>…</div>"
    )
    target_links = "<a href='../#sec9'>回首页第九节</a>"
    found = _anchors(store, html, target_links)
    [f] = found
    assert f.url == HOME + "#sec9"
    assert f.source_url == HOME
    assert f.evidence["anchor"] == "sec9" and f.evidence["anchor_page"] == HOME
    # The two same-page links and the link from the other page: one place to fix.
    assert f.evidence["occurrence_count"] == 3
    assert sorted((o["source_url"], o["href"]) for o in f.evidence["occurrences"]) == [
        (HOME, "#sec9"),
        (HOME, "#sec9"),
        (TARGET, "../#sec9"),
    ]
    assert f.message == "链接“第九节”指向的页内位置“#sec9”不存在"


def test_same_page_fragment_on_a_failed_page_is_not_judged(store: Store) -> None:
    home = parsed(HOME, "<a href='/zwgk/art.html'>文章</a>", is_home=True, depth=0)
    broken = parsed(TARGET, "<a href='#nowhere'>跳转</a>", status=404)
    out = run(store, [home, broken], ok_checks([home, broken]))
    assert not [f for f in out.findings if f.rule == "fragment_missing"]
    assert out.metrics["fragment_missing"] == 0
