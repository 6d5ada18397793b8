"""Page facts beyond the metadata table, on detail pages modelled on real templates."""

from __future__ import annotations

from pathlib import Path

from zwgk.crawler.extract import ParsedPage, parse_html, signature_date

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SITE = "https://www.example.gov.cn"


def parse(name: str, url: str) -> ParsedPage:
    return parse_html((FIXTURES / name).read_text(encoding="utf-8"), url)


def test_graphic_interpretation_title_source_time_and_image_only_body() -> None:
    # ArticleTitle is only the column name; <title> is column + site.
    page = parse("avalon_graphic.html", f"{SITE}/zwgk/zcjd/202411/t20241120_3001.htm")
    assert page.meta == {
        "column_name": "政策文件及解读",
        "article_title": "政策文件及解读",
        "content_source": "示例支队",
        "doc_title": "一图读懂 | 《示例区电动自行车停放管理指南》",
        "doc_title_from": "visible",
        "publisher": "示例区消防救援支队",  # the visible 来源 before the ContentSource tag
        "publisher_from": "来源",
        "publish_date": "2024-11-20",  # 时间：<span>2024-11-20</span> <span>15:33</span>
        "related_dynamic": "政策文件",
        "body_images_only": True,
    }
    # The body is one image: its text is empty, not the page's furniture.
    assert page.text == ""


def test_plan_notice_title_and_attachment_only_body() -> None:
    page = parse("avalon_plan_pdf.html", f"{SITE}/zwgk/ghxx/ztgh/202211/t20221122_4001.htm")
    assert page.title == "中长期发展规划_ 示例区党工委管委会"
    assert page.meta == {
        "column_name": "中长期发展规划",
        "pub_date_meta": "2022-05-13 10:52",
        "publish_date": "2022-05-13",
        "doc_title": "示例区管委会关于印发《示例区“十四五”综合交通运输规划》的通知",
        "doc_title_from": "visible",
        "publisher": "示例区管委会",
        "publisher_from": "来源",
        "body_attachment": f"{SITE}/ptwzq/ewebeditor/uploadfile/2022/11/09/20221109105450627.pdf",
    }
    assert page.text == "示例区管委会关于印发《示例区“十四五”综合交通运输规划》的通知.pdf"


def test_static_notice_without_meta_tags() -> None:
    page = parse("static_notice.html", f"{SITE}/zwgk/tzgg/2022/0516/881.html")
    assert page.meta == {
        "publish_date": "2022-05-16",  # 发布时间：… in the header line
        "doc_title": "示例县人民政府办公室关于做好2022年防汛工作的通知",  # not the logo's <h1>
        "doc_title_from": "visible",
        "publisher": "示例县应急管理局",  # 来源：… cut before 浏览次数
        "publisher_from": "来源",
        "written_date": "2022-05-13",  # the signature, not the 5月20日 in the text
        "written_date_from": "signature",
    }


def test_signature_with_spaced_issuer_and_br_lines() -> None:
    page = parse("ndrc_style_detail.html", f"{SITE}/xxgk/zcfb/tz/202106/t20210628_100231.html")
    assert page.meta == {
        "column_name": "通知",
        "article_title": "关于印发《示例物流建设方案》的通知(示发改经〔2021〕41号)",
        "pub_date_meta": "2021-06-25 14:28:41",
        "publish_date": "2021-06-25",
        "doc_number": "示发改经〔2021〕41号",
        "doc_number_unlabelled": True,
        "doc_title": "关于印发《示例物流建设方案》的通知(示发改经〔2021〕41号)",
        "publisher": "经贸处",
        "publisher_from": "来源",
        "written_date": "2021-06-18",
        "written_date_from": "signature",
    }


def test_labelled_fields_win_over_source_and_signature() -> None:
    page = parse("xxgk_table_detail.html", f"{SITE}/col/col1229123351/art/2026/art_937a.html")
    meta = page.meta
    assert (meta["publisher"], meta["written_date"], meta["publish_date"]) == (
        "示例省发改委",
        "2026-06-02",
        "2026-06-05",
    )
    assert "publisher_from" not in meta and "written_date_from" not in meta
    # A body with text and a .wps attachment is not an attachment-only body.
    assert "body_attachment" not in meta and "body_images_only" not in meta


def test_content_source_meta_as_publisher_when_nothing_is_shown() -> None:
    html = (
        "<html><head><meta name='ContentSource' content='示例县统计局'>"
        "<meta name='ArticleTitle' content='示例县2023年统计公报'></head>"
        "<body><div class='zw'><p>2023年，全县经济运行总体平稳，主要指标稳中有升。</p>"
        "</div></body></html>"
    )
    meta = parse_html(html, f"{SITE}/tjgb/t1.html").meta
    assert (meta["publisher"], meta["publisher_from"]) == ("示例县统计局", "ContentSource")


def test_signature_date_lines() -> None:
    assert signature_date(["正文。", "示例县人民政府", "2022年5月13日"]) == "2022-05-13"
    assert signature_date(["示例县人民政府 2022年5月13日"]) == "2022-05-13"
    assert signature_date(["正文。", "交 通 运 输 部", "（2021年6月18日）"]) == "2021-06-18"
    # A date line after body text, not an issuer, is no signature.
    assert signature_date(["会议定于下列日期召开：", "2022年5月13日"]) is None
    assert signature_date(["示例县人民政府", "2022年13月40日"]) is None
