"""crawler.extract.lists on small list pages in several CMS markups.

The fixtures imitate the shapes of real column pages (TRS WCM with per-item
相关解读 popups, Hanweb JCMS jpage islands, Hanweb JPaaS units, the Avalon
templates of a county portal, a plain static site) with invented text.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from zwgk.crawler.extract import ListItem, ListPage, ParsedPage, parse_html

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SITE = "https://www.example.gov.cn"


def parse(name: str, url: str, as_of: dt.date | None = None) -> ParsedPage:
    return parse_html((FIXTURES / name).read_text(encoding="utf-8"), url, as_of)


def rows(lp: ListPage) -> list[tuple[int, str, str, str | None, str | None, bool]]:
    return [(it.position, it.title, it.url, it.date_text, it.date, it.pinned) for it in lp.items]


def test_trs_list_skips_menus_popups_side_box_and_footer() -> None:
    base = f"{SITE}/xxgk/zcfb/tz/"
    lp = parse("trs_list.html", base).list_page
    assert lp is not None
    assert (lp.column, lp.column_from, lp.source) == ("通知", "meta", "static")
    assert (lp.dynamic, lp.blank, lp.placeholder, lp.total) == (False, False, None, None)
    assert rows(lp) == [
        (
            0,
            "关于印发《示例物流建设方案》的通知(示发改经〔2021〕41号)",
            f"{base}202106/t20210628_100231.html",
            "2021/06/25",
            "2021-06-25",
            False,
        ),
        (
            1,
            "关于开展2021年节能宣传周活动的通知",
            f"{base}202106/t20210604_100198.html",
            "2021/6/3",
            "2021-06-03",
            False,
        ),
        (
            2,
            "关于第二批示范区名单的通知",
            f"{base}202105/t20210520_100150.html",
            "2021.05.20",
            "2021-05-20",
            False,
        ),
    ]
    assert lp.dated == 3


def test_hanweb_jcms_records_from_the_xml_island() -> None:
    page = parse("hanweb_jcms_list.html", f"{SITE}/col/col284/index.html")
    lp = page.list_page
    assert lp is not None
    assert (lp.column, lp.source, lp.total, lp.dynamic) == ("通知公告", "hanweb", 38, False)
    # The PC unit (3 records) is taken, not the mobile copy (1); a title cut
    # short with "…" is read from the link's title attribute.
    assert rows(lp) == [
        (
            0,
            "示例省成品油价格调整公告（2021年第6号）",
            f"{SITE}/art/2021/6/28/art_284_1182.html",
            "2021-06-28",
            "2021-06-28",
            False,
        ),
        (
            1,
            "关于公布2021年统一公开招聘专业测试成绩的公告",
            f"{SITE}/art/2021/6/6/art_284_1178.html",
            "2021-06-06",
            "2021-06-06",
            False,
        ),
        (
            2,
            "2020年度煤电行业淘汰落后产能完成情况公告",
            f"{SITE}/art/2021/3/30/art_284_1175.html",
            "2021-03-30",
            "2021-03-30",
            False,
        ),
    ]


def test_avalon_static_blocks_split_dates_and_hidden_placeholder() -> None:
    base = f"{SITE}/zwgk/ztzl/xfaq/zcwjjjd/"
    lp = parse("avalon_list.html", base).list_page
    assert lp is not None
    # Two static blocks make one list; the template's 暂无数据 does not make it blank.
    assert (lp.column, lp.source, lp.dynamic, lp.blank) == (
        "政策文件及解读",
        "static",
        False,
        False,
    )
    assert (lp.placeholder, lp.total) == ("暂无数据", 3)
    assert lp.items == [
        ListItem(
            "示例区关于电动自行车停放充电的通告",
            f"{base}202311/t20231106_3101.htm",
            "2023年11月5日",
            "2023-11-05",
            "day",
            0,
            False,
            "text",
        ),
        ListItem(
            "示例区2023年6月消防检查情况",
            f"{base}202306/t20230620_3088.htm",
            "2023年06月",
            "2023-06",
            "month",
            1,
            False,
            "text",
        ),
        ListItem(
            "《示例区消防安全责任制实施办法》解读",
            f"{base}202306/t20230601_3080.htm",
            "2023.06.01",
            "2023-06-01",
            "day",
            2,
            False,
            "text",
        ),
    ]


def test_static_list_pinned_short_dates_and_an_undated_item() -> None:
    base = f"{SITE}/zwgk/tzgg/"
    lp = parse("static_list.html", base).list_page
    assert lp is not None
    assert (lp.column, lp.column_from) == ("通知公告", "breadcrumb")
    assert [(it.position, it.date_text, it.date, it.year_from, it.pinned) for it in lp.items] == [
        (0, "[01-10]", "2022-01-10", "url", True),  # 置顶, in its own top block
        (1, "[01-05]", "2022-01-05", "url", False),
        # No year in the URL: the year of the item above, one back since the
        # list runs newest first and 2022-12-30 would come after 2022-01-05.
        (2, "12-30", "2021-12-30", "context", False),
        (3, "12-20", "2021-12-20", "url", False),  # /202112/
        (4, None, None, None, False),  # undated, among dated siblings
        (5, "2021年11月8日", "2021-11-08", "text", False),
    ]
    assert [it.url for it in lp.items][2:5] == [
        f"{SITE}/zwgk/tzgg/notice_1190.html",
        f"{SITE}/zwgk/tzgg/202112/1188.html",
        f"{SITE}/zwgk/tzgg/notice_1180.html",
    ]
    # Neither the 相关文章 side box nor 友情链接 is part of the list.
    assert all("/zwgk/tzgg/" in it.url for it in lp.items)
    assert lp.dated == 5


def test_year_less_dates_not_after_as_of() -> None:
    html = (
        "<html><body><div class='list'><ul>"
        "<li><a href='/a/1.html'>第一篇通知公告</a><span>11-20</span></li>"
        "<li><a href='/a/2.html'>第二篇通知公告</a><span>11-02</span></li>"
        "</ul></div></body></html>"
    )
    # Nothing on the page gives a year: none is guessed.
    lp = parse_html(html, f"{SITE}/a/").list_page
    assert lp is not None
    assert [(it.date_text, it.date) for it in lp.items] == [("11-20", None), ("11-02", None)]
    dated = (
        "<html><head><meta name='PubDate' content='2024-03-01'></head><body><div class='list'><ul>"
        "<li><a href='/a/1.html'>第一篇通知公告</a><span>02-02</span></li>"
        "<li><a href='/a/2.html'>第二篇通知公告</a><span>11-20</span></li>"
        "</ul></div></body></html>"
    )
    # The page's date gives the year; newest first, 11-20 is of the year before.
    lp = parse_html(dated, f"{SITE}/a/", as_of=dt.date(2024, 3, 1)).list_page
    assert lp is not None
    assert [(it.date, it.year_from) for it in lp.items] == [
        ("2024-02-02", "context"),
        ("2023-11-20", "context"),
    ]


def test_undated_list_in_a_list_container() -> None:
    lp = parse("undated_list.html", f"{SITE}/zwgk/zcjd/").list_page
    assert lp is not None
    assert (lp.column, lp.column_from) == ("政策解读", "heading")
    assert [(it.title, it.date) for it in lp.items] == [
        ("《示例市优化营商环境条例》解读", None),
        ("一图读懂示例市2021年政府工作报告", None),
        ("《示例市养老服务补贴办法》政策问答", None),
    ]
    assert lp.dated == 0


def test_empty_list_is_blank() -> None:
    lp = parse("empty_list.html", f"{SITE}/zwgk/xzxk/").list_page
    assert lp == ListPage(
        column="行政许可",
        column_from="meta",
        items=[],
        source="static",
        dynamic=False,
        blank=True,
        placeholder="暂无信息",
        total=None,
    )


def test_jpaas_list_is_dynamic_not_blank() -> None:
    lp = parse("jpaas_list.html", f"{SITE}/col/col1229565788/index.html").list_page
    assert lp == ListPage(
        column="行政规范性文件",
        column_from="meta",
        items=[],
        source="jpaas",
        dynamic=True,
        blank=False,
    )


def test_avalon_template_without_static_items_is_dynamic() -> None:
    html = (
        "<html><head><meta name='ColumnName' content='政策解读'></head><body>"
        "<div class='list_base' ms-controller='list'><ul>"
        "<li ms-repeat='list'><a ms-attr-href='el.chnldocurl' ms-text='el.doctitle'></a>"
        "<span ms-text='el.docreltime'></span></li></ul>"
        "<div ms-if='error'>暂无数据</div></div></body></html>"
    )
    lp = parse_html(html, f"{SITE}/zwgk/zcjd/").list_page
    assert lp is not None
    assert (lp.source, lp.dynamic, lp.blank, lp.placeholder) == (
        "template",
        True,
        False,
        "暂无数据",
    )


def test_menus_and_detail_pages_are_not_lists() -> None:
    menu_only = (
        "<html><body><ul class='nav'><li><a href='/a/'>新闻动态</a><span>2021-06-01</span></li>"
        "<li><a href='/b/'>政务公开</a><span>2021-06-02</span></li></ul>"
        "<div class='footer'><ul><li><a href='http://www.gov.cn/'>中国政府网</a></li>"
        "<li><a href='http://www.example.gov.cn/'>示例省政府</a></li></ul></div></body></html>"
    )
    assert parse_html(menu_only, f"{SITE}/").list_page is None
    # A document with a dated 相关文章 box is a document.
    assert parse("static_notice.html", f"{SITE}/zwgk/tzgg/2022/0516/881.html").list_page is None
    assert parse("avalon_graphic.html", f"{SITE}/zwgk/x/t1.htm").list_page is None
    assert parse("ndrc_style_detail.html", f"{SITE}/zwgk/x/t2.htm").list_page is None


def test_existing_fields_of_a_list_page_are_unchanged() -> None:
    page = parse("avalon_list.html", f"{SITE}/zwgk/ztzl/xfaq/zcwjjjd/")
    # List pages get no document facts: no publisher, no publish date.
    assert page.meta == {
        "column_name": "政策文件及解读",
        "doc_title": "政策文件及解读_示例区党工委管委会",
    }
