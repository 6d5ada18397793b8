"""crawler.extract on small pages modelled on real portal markup.

The fixtures under tests/crawler/fixtures/html/ imitate the templates of a county
disclosure section (Avalon ``ms-*`` bindings, Word-export bodies, TRS and
Hanweb list pages) with invented text; every assertion pins a concrete value.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
from parsel import Selector

from zwgk.crawler.extract import (
    LinkRecord,
    ParsedPage,
    base_url,
    classify_href,
    decode_html,
    extract_links,
    extract_main_text,
    extract_meta,
    hanweb_lists,
    normalise_date,
    parse_hanweb_xml,
    parse_html,
    trs_pages,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "html"
SITE = "https://www.example.gov.cn"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def parse_fixture(name: str, url: str) -> ParsedPage:
    text, _ = decode_html(fixture_bytes(name), "text/html")
    return parse_html(text, url)


def sel_of(html: str) -> Selector:
    return Selector(text=html)


def link_rows(links: list[LinkRecord]) -> list[tuple[str, str, str | None, str | None]]:
    return [(lk.element, lk.kind, lk.url, lk.text) for lk in links]


# -- decoding -------------------------------------------------------------


def test_decode_gbk_page_declared_gb2312_in_meta() -> None:
    # 堃 and 喆 are GBK-only: a strict GB2312 decoder would lose them.
    for content_type in (None, "text/html"):
        text, encoding = decode_html(fixture_bytes("gbk_meta_gb2312.html"), content_type)
        assert encoding == "gb18030"
        assert "<title>示例县人民政府门户网站</title>" in text
        assert "王堃、李喆" in text
        assert "\ufffd" not in text


def test_decode_gbk_page_with_wrong_utf8_header_and_gb2312_meta() -> None:
    text, encoding = decode_html(fixture_bytes("gbk_meta_gb2312.html"), "text/html; charset=utf-8")
    assert encoding == "gb18030"
    assert "示例县住房和城乡建设局" in text
    assert "\ufffd" not in text


def test_decode_gbk_page_with_wrong_utf8_header_and_no_meta() -> None:
    body = "<html><head><title>示例县财政局</title></head><body><p>预算公开</p></body></html>"
    text, encoding = decode_html(body.encode("gbk"), "text/html; charset=utf-8")
    assert (text, encoding) == (body, "gb18030")


def test_decode_utf8_page_with_wrong_gbk_header() -> None:
    body = (
        "<html><head><title>示例县政府信息公开指南</title></head>"
        "<body><p>各单位：请认真组织实施。</p></body></html>"
    )
    text, encoding = decode_html(body.encode("utf-8"), "text/html; charset=gbk")
    assert (text, encoding) == (body, "utf-8")


def test_decode_utf8_bom_beats_gbk_meta_and_header() -> None:
    raw = fixture_bytes("utf8_bom.html")
    for content_type in ("text/html", "text/html; charset=gbk"):
        text, encoding = decode_html(raw, content_type)
        assert encoding == "utf-8"
        assert text.startswith("<html>")  # BOM removed
        assert "<title>示例县政府信息公开指南</title>" in text


def test_decode_plain_utf8_page_without_declaration() -> None:
    body = "<html><body><p>政务公开</p></body></html>"
    assert decode_html(body.encode("utf-8"), None) == (body, "utf-8")


def test_gbk_page_metadata_after_decoding() -> None:
    text, _ = decode_html(fixture_bytes("gbk_meta_gb2312.html"), "text/html; charset=utf-8")
    page = parse_html(text, f"{SITE}/zwgk/tzgg/t1.html")
    assert page.title == "示例县人民政府门户网站"
    assert page.meta == {
        "index_no": "000014349/2023-00777",
        "publisher": "示例县住房和城乡建设局",
        "doc_number": "示建〔2023〕21号",
        "publish_date": "2023-09-12",
        "doc_title": "关于表彰王堃等同志的决定",
    }
    assert page.text == "经研究，决定对王堃、李喆等同志予以表彰。"


# -- metadata -------------------------------------------------------------


def test_meta_table_in_td_pairs_with_padded_label() -> None:
    # "文　　号：" is padded with U+3000 to line up with the four-character labels.
    meta = extract_meta(sel_of(fixture_text("meta_table_td.html")))
    assert meta == {
        "index_no": "000014349/2024-00123",
        "publisher": "示例县人民政府办公室",
        "doc_number": "示政办〔2024〕12号",
        "written_date": "2024-03-05",
        "publish_date": "2024-03-07",
        "topic": "综合政务/通知",
        "doc_title": "关于做好汛期安全工作的通知",  # <h1>, not the <title> with column and site
    }


def test_meta_table_th_labels_without_colon_and_alias_labels() -> None:
    meta = extract_meta(sel_of(fixture_text("meta_table_th.html")))
    assert meta == {
        "index_no": "000014349/2024-00088",
        "publisher": "示例县人民政府",
        # 发文字号 "无" means none, so no doc_number at all.
        "written_date": "2024-01-20",
        "publish_date": "2024-01-25",
        "topic": "政府信息公开年报",
        "doc_title": "示例县2023年政府信息公开工作年度报告",
    }


def test_meta_bare_labels_as_list_column_heads_are_not_fields() -> None:
    # A 公开目录 list table: bare labels head columns; the next cell is another head.
    html = (
        "<html><body><table><tr><th>索引号</th><th>信息名称</th><th>发布机构</th>"
        "<th>生成日期</th></tr><tr><td>000014349/2024-00001</td><td>关于防汛的通知</td>"
        "<td>示例县人民政府</td><td>2024-01-02</td></tr>"
        "<tr><td>索引号</td><td>信息名称</td></tr></table></body></html>"
    )
    assert extract_meta(sel_of(html)) == {}


def test_meta_list_items_with_span_labels() -> None:
    meta = extract_meta(sel_of(fixture_text("meta_list_li.html")))
    assert meta == {
        "index_no": "11350128MB0000000X/2023-00045",
        "publisher": "示例县发展和改革局",
        "doc_number": "示发改〔2023〕45号",
        "written_date": "2023-08-01",
        "publish_date": "2023-08-03",
        "topic": "价格/收费",
        "doc_title": "示例县人民政府关于调整部分行政事业性收费标准的通知",
    }


def test_meta_flattened_into_one_text_run() -> None:
    meta = extract_meta(sel_of(fixture_text("meta_flat.html")))
    assert meta == {
        "index_no": "000014349/2024-00201",
        "publisher": "示例县应急管理局",
        "doc_number": "示应急〔2024〕3号",
        "written_date": "2024-04-02",
        "publish_date": "2024-04-03",
        "topic": "安全生产",
        "doc_title": "示例县关于开展安全生产大检查的通知",
    }


def test_meta_flattened_without_spaces_between_pairs() -> None:
    html = "<html><body><p>发布机构：示例县教育局文号：示教〔2024〕7号</p></body></html>"
    meta = extract_meta(sel_of(html))
    assert meta["publisher"] == "示例县教育局"
    assert meta["doc_number"] == "示教〔2024〕7号"


def test_meta_value_in_next_cell_stops_at_the_next_label() -> None:
    html = (
        "<html><body><table><tr><td>索引号：</td>"
        "<td>000014349/2024-00001 发布机构：示例县人民政府</td></tr></table></body></html>"
    )
    assert extract_meta(sel_of(html)) == {"index_no": "000014349/2024-00001"}


def test_meta_unlabelled_doc_number_in_rules_library_template() -> None:
    meta = extract_meta(sel_of(fixture_text("rules_library.html")))
    assert meta == {
        "column_name": "行政规范性文件库",
        "article_title": "示例区管委会关于印发《示例区共享单车停放管理暂行规定》的通知",
        "pub_date_meta": "2022-10-21 20:37",
        "content_source": "示例区交通运输局",
        "doc_number": "示综管规〔2022〕9号",
        "doc_number_unlabelled": True,
        "publish_date": "2022-10-21",
        "doc_title": "示例区管委会关于印发《示例区共享单车停放管理暂行规定》的通知",
    }


def test_meta_tags_give_title_date_and_source_in_article_template() -> None:
    # The <title> there is only column + site; ArticleTitle is the document's.
    meta = extract_meta(sel_of(fixture_text("avalon_article.html")))
    assert meta == {
        "column_name": "公示公告",
        "article_title": "示例片区管理局关于办公用品采购的公告",
        "pub_date_meta": "2023-11-20 15:02",
        "content_source": "示例片区管理局",
        "publish_date": "2023-11-20",
        "doc_title": "示例片区管理局关于办公用品采购的公告",
    }


def test_meta_labelled_date_wins_over_pubdate_meta_tag() -> None:
    html = (
        '<html><head><meta name="PubDate" content="2024-06-30 09:00"></head>'
        "<body><p>发布日期：2024-06-01</p></body></html>"
    )
    assert extract_meta(sel_of(html))["publish_date"] == "2024-06-01"


def test_meta_doc_number_is_cut_out_of_surrounding_text() -> None:
    html = "<html><body><p>文号：示政发〔2021〕 第 8 号（已废止）</p></body></html>"
    assert extract_meta(sel_of(html))["doc_number"] == "示政发〔2021〕第8号"


def test_meta_empty_field_does_not_take_the_next_label_as_value() -> None:
    html = (
        "<html><body><table><tr><td>文号：</td><td></td>"
        "<td>发布机构：</td><td>示例县统计局</td></tr></table></body></html>"
    )
    assert extract_meta(sel_of(html)) == {"publisher": "示例县统计局"}


def test_meta_impossible_dates_are_dropped() -> None:
    html = "<html><body><p>成文日期：2024-13-40</p><p>发布日期：待定</p></body></html>"
    assert extract_meta(sel_of(html)) == {}


def test_meta_label_inside_body_sentence_is_not_a_field() -> None:
    html = "<html><body><p>拟公开信息应包括名称和文号：以及发布机构等。</p></body></html>"
    assert extract_meta(sel_of(html)) == {}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-03-07", "2024-03-07"),
        ("2024年3月7日", "2024-03-07"),
        ("2024/03/07 10:00", "2024-03-07"),
        ("2024.3.7", "2024-03-07"),
        ("时间：2023-11-20 15:02", "2023-11-20"),
        ("2024-00-07", None),
        ("1899-01-01", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_date_formats(raw: str | None, expected: str | None) -> None:
    assert normalise_date(raw) == expected


# -- main text -------------------------------------------------------------


def test_main_text_of_word_export_body() -> None:
    # <o:p>, &nbsp; runs and U+3000 indentation collapse to single spaces.
    page = parse_fixture("avalon_article.html", f"{SITE}/zwgk/gsgg/202311/t20231120_1001.htm")
    assert page.text == (
        "为保障日常办公需要，我局拟采购一批办公用品，现公开询价。"
        " 一、采购内容：打印纸、文件夹等。 附件： 报价单.zip"
    )


def test_main_text_from_trs_editor_container() -> None:
    text = extract_main_text(sel_of(fixture_text("rules_library.html")))
    assert text == (
        "各片区管理局，区直各单位： 《示例区共享单车停放管理暂行规定》已经审议通过，"
        "现印发给你们，请认真组织实施。"
    )


def test_main_text_fallback_takes_largest_block_without_big_inner_div() -> None:
    body = "示例正文" * 60  # 240 characters: a div this long disqualifies its ancestors
    html = (
        "<html><body><div id='outer'><div class='nav'>首页 政务公开</div>"
        f"<div class='body'><span>{body}</span><script>var x = '不计入';</script></div>"
        "</div><table><tr><td>短表格</td></tr></table></body></html>"
    )
    assert extract_main_text(sel_of(html)) == body


def test_main_text_fallback_for_bare_body_paragraphs() -> None:
    html = "<html><body><p>只有段落</p><p>没有容器</p></body></html>"
    assert extract_main_text(sel_of(html)) == "只有段落 没有容器"


def test_main_text_of_list_page_is_its_items() -> None:
    page = parse_fixture("column_list.html", f"{SITE}/zwgk/ztzl/xfaq/zcwjjjd/")
    assert page.text == (
        "《电动自行车停放管理指南》解读 2024-12-01 一图读懂 | 停放管理指南 2024-11-20"
        " 夏季消防安全提示 2023-06-26"
    )


# -- links ----------------------------------------------------------------


ARTICLE_URL = f"{SITE}/zwgk/gsgg/202311/t20231120_1001.htm"


def test_article_links_exact() -> None:
    page = parse_fixture("avalon_article.html", ARTICLE_URL)
    assert link_rows(page.links) == [
        ("link", "http", f"{SITE}/images/style_v2.css", None),
        ("a", "http", f"{SITE}/", None),
        ("img", "http", f"{SITE}/images/site_logo.png", None),
        ("a", "javascript", None, "移动版"),
        ("a", "javascript", None, "登录"),
        ("a", "http", f"{SITE}/", "首页"),
        ("a", "http", f"{SITE}/zwgk/", "政务公开"),
        ("a", "http", f"{SITE}/zwgk/gsgg/", "公示公告"),
        ("a", "javascript", None, "微博"),
        (
            "a",
            "http",
            f"{SITE}/ptwzq/ewebeditor/uploadfile/2023/11/20/20231120150200001.zip",
            "报价单.zip",
        ),
        ("a", "http", "https://www.gov.cn/", "国务院"),
        ("img", "http", f"{SITE}/images/qr_fb.jpg", "示例发布"),
        ("a", "http", "https://beian.miit.gov.cn", "示ICP备00000000号"),
    ]
    assert all(lk.generated_by is None for lk in page.links)
    assert page.pagination == []
    assert page.hanweb == []
    assert page.fragment_ids == ["logined"]


def test_links_in_html_comments_are_not_extracted() -> None:
    page = parse_fixture("avalon_article.html", ARTICLE_URL)
    hrefs = [lk.href for lk in page.links]
    assert "/images/qr_commented.png" not in hrefs
    assert all(lk.text != "繁体版" for lk in page.links)
    assert all(lk.text != "示例通" for lk in page.links)


def test_avalon_template_attributes_and_hhref_typo_are_ignored() -> None:
    page = parse_fixture("avalon_article.html", ARTICLE_URL)
    urls = [lk.url or "" for lk in page.links]
    for expression in ("logoutUrl", "share.sina", "el.url"):
        assert not any(expression in u for u in urls)
    # <a hhref="javascript:;">示例发布</a> has no href at all: no record.
    assert [lk.text for lk in page.links if lk.element == "a"].count("示例发布") == 0
    # The only link named 微博 is its real href, javascript:void(0).
    weibo = [lk for lk in page.links if lk.text == "微博"]
    assert [(lk.href, lk.kind, lk.url) for lk in weibo] == [
        ("javascript:void(0);", "javascript", None)
    ]


def test_rules_library_has_no_links_from_ms_attr_bindings() -> None:
    url = f"{SITE}/zwgk/zfxxgk/zc/xzgfxwjk/202210/t20221021_1002.htm"
    page = parse_fixture("rules_library.html", url)
    assert [(lk.element, lk.href, lk.kind, lk.text) for lk in page.links] == [
        ("a", "javascript:;", "javascript", "全真版")
    ]


def test_links_resolve_against_base_href() -> None:
    page = parse_fixture("links_base.html", f"{SITE}/zwgk/xxgk/page.html")
    static = "https://static.example.gov.cn"
    assert [(lk.element, lk.attribute, lk.kind, lk.url, lk.text) for lk in page.links] == [
        ("a", "href", "http", f"{static}/xxgk/tzgg/index.html", "通知公告"),
        ("a", "href", "http", f"{static}/xxgk/zcwj/t20240101_4001.html", "同目录文章"),
        ("a", "href", "http", f"{static}/search/index.jsp?q=1&channel=2&page=3", "站内搜索"),
        (
            "a",
            "href",
            "http",
            f"{static}/%E9%99%84%E4%BB%B6/2024%E5%B9%B4%20%E5%B7%A5%E4%BD%9C%E8%A6%81%E7%82%B9.pdf",
            "工作要点",
        ),
        ("a", "href", "http", f"{SITE}/zwgk/%E6%94%BF%E7%AD%96/", "已编码"),
        ("a", "href", "http", "https://cdn.example.gov.cn/js/app.js", "协议相对"),
        ("a", "href", "mailto", None, "政务公开信箱"),
        ("a", "href", "tel", None, "咨询电话"),
        ("a", "href", "javascript", None, "打印"),
        ("a", "href", "javascript", None, "关闭"),
        ("a", "href", "fragment", None, "返回顶部"),
        ("a", "href", "fragment", None, "空锚点"),
        ("a", "href", "http", f"{static}/xxgk/zcwj/qa/", "只有标题"),
        ("img", "src", "http", f"{static}/images/icon.png", None),
        ("area", "href", "http", f"{static}/xxgk/map/", "地图"),
        ("iframe", "src", "http", "https://video.example.gov.cn/player?id=7", None),
    ]


def test_amp_entity_in_href_is_decoded_once() -> None:
    page = parse_fixture("links_base.html", f"{SITE}/zwgk/xxgk/page.html")
    search = next(lk for lk in page.links if lk.text == "站内搜索")
    assert search.href == "/search/index.jsp?q=1&channel=2&page=3"
    assert "&amp;" not in (search.url or "")


def test_base_url_relative_base_and_missing_base() -> None:
    page_url = f"{SITE}/zwgk/xxgk/page.html"
    rel = sel_of('<html><head><base href="/static/"></head><body></body></html>')
    assert base_url(rel, page_url) == f"{SITE}/static/"
    empty = sel_of('<html><head><base href="  "></head><body></body></html>')
    assert base_url(empty, page_url) == page_url
    assert base_url(sel_of("<html><body></body></html>"), page_url) == page_url


def test_column_list_relative_links_and_placeholders() -> None:
    base = f"{SITE}/zwgk/ztzl/xfaq/zcwjjjd/"
    page = parse_fixture("column_list.html", base)
    assert link_rows(page.links) == [
        ("a", "http", f"{SITE}/", "首页"),
        ("a", "http", f"{SITE}/zwgk/", "政务公开"),
        ("a", "http", f"{SITE}/zwgk/ztzl/", "专题专栏"),
        ("a", "http", base, "政策文件及解读"),
        ("a", "http", f"{SITE}/zwgk/ztzl/xfaq/xfdt/", "消防动态"),
        ("a", "http", f"{base}202412/t20241201_2001.htm", "《电动自行车停放管理指南》解读"),
        ("a", "http", f"{base}202411/t20241120_2002.htm", "一图读懂 | 停放管理指南"),
        ("a", "http", f"{base}202306/t20230626_2003.htm", "夏季消防安全提示"),
    ]
    assert page.fragment_ids == ["rel_2001", "rel_2002", "rel_2003"]
    assert page.meta == {
        "column_name": "政策文件及解读",
        "doc_title": "政策文件及解读_示例区管委会",
    }


@pytest.mark.parametrize(
    ("href", "kind", "url"),
    [
        ("mailto:gk@example.gov.cn", "mailto", None),
        ("MAILTO:gk@example.gov.cn", "mailto", None),
        ("tel:0591-12345", "tel", None),
        ("javascript:;", "javascript", None),
        ("  javascript:void(0);", "javascript", None),
        ("#", "fragment", None),
        ("#content", "fragment", None),
        ("", "fragment", None),
        ("data:image/png;base64,iVBORw0KGgo=", "other", None),
        ("about:blank", "other", None),
        ("ftp://ftp.example.gov.cn/pub/", "other", None),
        ("ftp:///pub/", "other", None),
        ("weixin://dl/chat", "other", None),
        # An http(s) or "//" href with no host a browser can open is broken as
        # written, never resolved against the page's host.
        ("http://", "malformed", None),
        ("https://www.example.gov.cn:99999/", "malformed", None),
        ("//////", "malformed", None),
        ("//", "malformed", None),
        ("\t//\n//", "malformed", None),
        ("http:///zwgk/", "malformed", None),
        ("http://localhost]", "malformed", None),
        ("http://[www.example.gov.cn/", "malformed", None),
        ("http://www.example .gov.cn/", "malformed", None),
        ("http://:80/", "malformed", None),
        ("//cdn.example.gov.cn/a.js", "http", "https://cdn.example.gov.cn/a.js"),
        ("http://[::1]:8080/", "http", "http://[::1]:8080/"),
        ("http://政府.cn/", "http", "http://xn--mxtq1m.cn/"),
        # A file on the editor's own disk.
        ("file:///C:/Users/admin/Desktop/a.doc", "local_file", None),
        ("FILE://server/share/a.doc", "local_file", None),
        ("C:\\Users\\admin\\a.doc", "local_file", None),
        ("d:/公文/a.pdf", "local_file", None),
        ("../zcwj/", "http", f"{SITE}/zwgk/zcwj/"),
        ("../../../../x.html", "http", f"{SITE}/x.html"),
        ("?page=2&amp=1", "http", f"{SITE}/zwgk/xxgk/index.html?page=2&amp=1"),
        ("/政策 文件/", "http", f"{SITE}/%E6%94%BF%E7%AD%96%20%E6%96%87%E4%BB%B6/"),
        ("HTTPS://WWW.EXAMPLE.GOV.CN/A.html", "http", "https://www.example.gov.cn/A.html"),
    ],
)
def test_classify_href(href: str, kind: str, url: str | None) -> None:
    assert classify_href(href, f"{SITE}/zwgk/xxgk/index.html") == (kind, url)


def test_extract_links_skips_resource_hints_and_marks_generator() -> None:
    html = (
        "<html><head><link rel='dns-prefetch' href='//cdn.example.gov.cn'>"
        "<link rel='preconnect' href='https://cdn.example.gov.cn'>"
        "<link rel='stylesheet' href='/css/a.css'></head>"
        "<body><a href='/a.html' title='标题属性'></a>"
        "<a href='/b.html'><img src='/i.png' alt='图片说明'></a>"
        "</body></html>"
    )
    links = extract_links(sel_of(html), f"{SITE}/", generated_by="test")
    assert [(lk.element, lk.url, lk.text, lk.generated_by) for lk in links] == [
        ("link", f"{SITE}/css/a.css", None, "test"),
        ("a", f"{SITE}/a.html", "标题属性", "test"),
        ("a", f"{SITE}/b.html", "图片说明", "test"),
        ("img", f"{SITE}/i.png", "图片说明", "test"),
    ]


# -- TRS WCM pagination -------------------------------------------------------


def test_trs_classic_create_page_html() -> None:
    url = f"{SITE}/zwgk/tzgg/index.html"
    page = parse_fixture("trs_list_classic.html", url)
    expected = [
        f"{SITE}/zwgk/tzgg/index.html",
        f"{SITE}/zwgk/tzgg/index_1.html",
        f"{SITE}/zwgk/tzgg/index_2.html",
        f"{SITE}/zwgk/tzgg/index_3.html",
        f"{SITE}/zwgk/tzgg/index_4.html",
    ]
    assert page.pagination == expected
    generated = [lk for lk in page.links if lk.generated_by == "trs"]
    assert [(lk.href, lk.url, lk.kind, lk.element, lk.attribute) for lk in generated] == [
        ("createPageHTML", u, "http", "script", "createPageHTML") for u in expected
    ]
    assert [lk.url for lk in page.links if lk.generated_by is None] == [
        f"{SITE}/zwgk/tzgg/202403/t20240305_3001.html",
        f"{SITE}/zwgk/tzgg/202402/t20240220_3002.html",
    ]


def test_trs_newer_variant_with_element_id_first() -> None:
    page = parse_fixture("trs_list_newer.html", f"{SITE}/zwgk/zcwj/index_1.html")
    assert page.pagination == [
        f"{SITE}/zwgk/zcwj/index.html",
        f"{SITE}/zwgk/zcwj/index_1.html",
        f"{SITE}/zwgk/zcwj/index_2.html",
        f"{SITE}/zwgk/zcwj/index_3.html",
        f"{SITE}/zwgk/zcwj/index_4.html",
    ]


def test_trs_counts_in_variables_and_shtml() -> None:
    page = parse_fixture("trs_list_vars.html", f"{SITE}/zwgk/gzdt/")
    assert page.pagination == [
        f"{SITE}/zwgk/gzdt/index.shtml",
        f"{SITE}/zwgk/gzdt/index_1.shtml",
        f"{SITE}/zwgk/gzdt/index_2.shtml",
        f"{SITE}/zwgk/gzdt/index_3.shtml",
    ]


def test_trs_commented_out_calls_are_ignored() -> None:
    html = (
        "<html><body><script>\n"
        "var home = 'http://www.example.gov.cn/'; // not a comment start inside the string\n"
        '/* createPageHTML(9, 0, "old", "htm"); */\n'
        '// createPageHTML(8, 0, "older", "htm");\n'
        'createPageHTML(2, 0, "index", "html");\n'
        "</script>"
        '<!-- <script>createPageHTML(7, 0, "hidden", "html");</script> -->'
        "</body></html>"
    )
    assert trs_pages(sel_of(html), f"{SITE}/zwgk/tzgg/") == [
        f"{SITE}/zwgk/tzgg/index.html",
        f"{SITE}/zwgk/tzgg/index_1.html",
    ]


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ('createPageHTML(1, 0, "index", "html");', ["index.html"]),
        ('createPageHTML(0, 0, "index", "html");', []),
        ("function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt) {}", []),
        ("createPageHTML(undeclared, 0, 'index', 'html');", []),
        (
            "var n = '3'; createPageHTML(n, 0, 'list', 'htm');",
            ["list.htm", "list_1.htm", "list_2.htm"],
        ),
    ],
)
def test_trs_edge_cases(script: str, expected: list[str]) -> None:
    html = f"<html><body><script>{script}</script></body></html>"
    base = f"{SITE}/zwgk/tzgg/"
    assert trs_pages(sel_of(html), base) == [base + name for name in expected]


def test_trs_page_count_is_capped() -> None:
    html = '<html><body><script>createPageHTML(100000, 0, "index", "html");</script></body></html>'
    assert len(trs_pages(sel_of(html), f"{SITE}/")) == 5000
    assert len(trs_pages(sel_of(html), f"{SITE}/", max_pages=3)) == 3


# -- Hanweb jpage lists -------------------------------------------------------


HANWEB_URL = "http://www.example.gov.cn/col/col1234/index.html"


def test_hanweb_island_records_proxy_and_params() -> None:
    lists = hanweb_lists(fixture_text("hanweb_list.html"), HANWEB_URL)
    assert len(lists) == 1
    hl = lists[0]
    assert hl.records_html == [
        '<li><a href="/art/2024/3/5/art_1234_5001.html" title="示例县关于印发防汛应急预案的通知"'
        ' target="_blank">示例县关于印发防汛应急预案的通知</a><span>2024-03-05</span></li>',
        '<li><a href="/art/2024/2/28/art_1234_5002.html"'
        ' title="示例县2023年政府信息公开工作年度报告" target="_blank">'
        "示例县2023年政府信息公开工作年度报告</a><span>2024-02-28</span></li>",
        '<li><a href="art_1234_5003.html?id=5003&amp;type=doc">关于公开征求意见的公告</a>'
        "<span>2024-01-09</span></li>",
    ]
    assert hl.proxy_url == "http://www.example.gov.cn/module/web/jpage/dataproxy.jsp"
    assert hl.params == {
        "appid": "1",
        "webid": "1",
        "path": "/",
        "columnid": "1234",
        "unitid": "3456",
        "webname": "示例县人民政府",
        "permissiontype": "0",
    }
    assert (hl.total, hl.per_page) == (57, 20)


def test_hanweb_record_links_are_generated_links() -> None:
    page = parse_fixture("hanweb_list.html", HANWEB_URL)
    assert [(lk.url, lk.text, lk.generated_by) for lk in page.links] == [
        (
            "http://www.example.gov.cn/art/2024/3/5/art_1234_5001.html",
            "示例县关于印发防汛应急预案的通知",
            "hanweb",
        ),
        (
            "http://www.example.gov.cn/art/2024/2/28/art_1234_5002.html",
            "示例县2023年政府信息公开工作年度报告",
            "hanweb",
        ),
        (
            "http://www.example.gov.cn/col/col1234/art_1234_5003.html?id=5003&type=doc",
            "关于公开征求意见的公告",
            "hanweb",
        ),
    ]
    # The dataproxy link inside <nextgroup> is a parameter source, not a page link.
    assert not any("dataproxy" in (lk.url or "") for lk in page.links)


def test_hanweb_dataproxy_response() -> None:
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>57</totalrecord>'
        "<recordset><record><![CDATA[<li><a href='/art/2023/12/1/art_1234_4001.html'>旧文</a>"
        "</li>]]></record>\n<record><![CDATA[<li>无链接</li>]]></record></recordset></datastore>"
    )
    assert parse_hanweb_xml(xml) == (
        ["<li><a href='/art/2023/12/1/art_1234_4001.html'>旧文</a></li>", "<li>无链接</li>"],
        57,
    )


def test_hanweb_absent_on_ordinary_page() -> None:
    assert hanweb_lists(fixture_text("avalon_article.html"), ARTICLE_URL) == []
    assert parse_hanweb_xml("<datastore></datastore>") == ([], None)


# -- hostile and broken input ---------------------------------------------------


def test_unclosed_tags_still_yield_links_and_meta() -> None:
    page = parse_fixture("broken_unclosed.html", f"{SITE}/zwgk/x/t1.html")
    assert page.title == "未闭合的页面"
    assert page.meta == {
        "index_no": "000014349/2024-00999",
        "publish_date": "2024-05-06",
        "doc_title": "未闭合的页面",
    }
    assert link_rows(page.links) == [
        ("a", "http", f"{SITE}/zwgk/a.html", "第一篇"),
        ("a", "http", f"{SITE}/zwgk/b.html", "第二篇"),
    ]


def test_two_megabytes_of_nested_divs() -> None:
    # Before the one-pass fallback this took minutes in extract_main_text.
    level = "<div>" + "第十层正文" * 48
    html = "<html><body>" + level * 3000 + "</div>" * 3000 + "</body></html>"
    assert len(html.encode("utf-8")) > 2_000_000
    started = time.monotonic()
    page = parse_html(html, f"{SITE}/")
    assert time.monotonic() - started < 30
    assert page.links == []
    # The parser caps nesting depth; the deepest surviving div is a leaf block.
    assert page.text == "第十层正文" * 48


def test_nul_bytes_are_dropped() -> None:
    raw = "<html><body>\x00<p>正文\x00内容</p><a href='/a\x00b.html'>链接</a></body></html>"
    text, encoding = decode_html(raw.encode("utf-8"), "text/html")
    assert encoding == "utf-8"
    page = parse_html(text, f"{SITE}/")
    assert page.text == "正文内容 链接"
    assert link_rows(page.links) == [("a", "http", f"{SITE}/ab.html", "链接")]


@pytest.mark.parametrize("html", ["", "   \n", "<html><body></body></html>", "<!-- 仅注释 -->"])
def test_empty_pages(html: str) -> None:
    page = parse_html(html, f"{SITE}/")
    assert page == ParsedPage(
        title=None, meta={}, text="", links=[], fragment_ids=[], pagination=[], hanweb=[]
    )


def test_empty_body_bytes_decode() -> None:
    assert decode_html(b"", None) == ("", "utf-8")
    assert decode_html(b"", "text/html; charset=gbk") == ("", "gb18030")


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/html",
        "text/html; charset=utf-8",
        "text/html; charset=gbk",
        "text/html; charset=x",
    ],
)
def test_binary_garbage_does_not_raise(content_type: str | None) -> None:
    raw = random.Random(20240501).randbytes(200_000)
    text, encoding = decode_html(raw, content_type)
    assert encoding in ("utf-8", "gb18030")
    page = parse_html(text, f"{SITE}/")
    assert page.title is None
    assert page.links == []


def test_xml_declaration_on_decoded_text() -> None:
    html = (
        '<?xml version="1.0" encoding="gb2312"?>'
        "<html><head><title>XHTML 页面</title></head><body><a href='a.html'>甲</a></body></html>"
    )
    page = parse_html(html, f"{SITE}/zwgk/")
    assert page.title == "XHTML 页面"
    assert link_rows(page.links) == [("a", "http", f"{SITE}/zwgk/a.html", "甲")]


def test_related_interpretation_box_loaded_by_ajax_is_recorded() -> None:
    # pingtan's 相关解读 box: a heading and an avalon template <a> with no href.
    html = (
        "<html><body><div class='article_content'>正文</div>"
        "<div class='rules_tit3 xgjd' ms-controller='list'>"
        "<div class='title_extend'>相关解读</div><ul><li ms-repeat='list'>"
        "<a ms-attr-href='el.srcdocpuburl' ms-text='el.srcdoctitle_cp'></a></li></ul></div>"
        "<div class='header'><a ms-attr-href='logoutUrl'>注销</a></div></body></html>"
    )
    assert parse_html(html, "http://www.x.gov.test/a.htm").meta["related_dynamic"] == "相关解读"


def test_template_link_outside_a_related_box_is_not_dynamic_related() -> None:
    # A list template inside a column titled 政策文件及解读 is not a related box,
    # and a static 相关解读 box with real hrefs needs no flag.
    html = (
        "<html><body><h2>政策文件及解读</h2><ul><li ms-repeat='list'>"
        "<a ms-attr-href='el.chnldocurl'></a></li></ul>"
        "<div><div>相关解读</div><a href='/jd/1.htm'>《办法》解读</a></div></body></html>"
    )
    assert "related_dynamic" not in parse_html(html, "http://www.x.gov.test/l/").meta
