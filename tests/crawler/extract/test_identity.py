"""crawler.extract.identity: the footer's identity marks in TRS, Hanweb, avalon
and plain markup (modelled on the pingtan, ndrc and Hanweb corpus pages), and
the look-alikes that are not marks."""

from __future__ import annotations

from pathlib import Path

import pytest

from zwgk.crawler.extract import decode_html, home_candidate, parse_html

REPO = Path(__file__).resolve().parents[3]
HOMES = REPO / "tests" / "checks" / "identity" / "fixtures"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SITE = "https://www.example.gov.cn"


def identity_of(path: Path, url: str = f"{SITE}/") -> dict[str, object] | None:
    text, _ = decode_html(path.read_bytes(), None)
    return parse_html(text, url).meta.get("identity")


def test_trs_gbk_footer_every_mark_and_the_scripted_badge() -> None:
    text, encoding = decode_html((HOMES / "trs_home_gbk.html").read_bytes(), None)
    assert encoding == "gb18030"
    assert parse_html(text, f"{SITE}/").meta["identity"] == {
        "site_code": "3501280001",
        "site_code_meta": "3501280001",
        "icp": "闽ICP备05002344号-1",
        "police": "闽公网安备 35012802000101号",
        # Written by document.write(unescape(…)): the conac script URL.
        "dzjg_badge": "https://dcs.conac.cn/js/35/000/0000/60000001/CA350000006000000100001.js",
    }


def test_avalon_footer_old_police_format_and_proxied_badge() -> None:
    assert identity_of(HOMES / "avalon_home.html") == {
        "site_code": "3590000001",
        "site_code_meta": "3590000001",
        "icp": "闽ICP备09032658号",
        "police": "公安备案号：35012899001-19002",
        # The link to www.conac.cn (中国机构编制网) comes first, but is not the badge.
        "dzjg_badge": "https://bszs-conac-cnxe103966fb3868xx.ipv6best.cn/sitename"
        "?method=show&id=21E2BB13660E0D66E053012819ACFD9D",
    }


def test_hanweb_common_unit_footer_is_scripted_not_missing() -> None:
    assert identity_of(HOMES / "hanweb_home_scripted.html") == {
        "site_code_meta": "3200000031",
        "footer_scripted": True,
    }


def test_plain_bottom_div_keeps_a_wrong_length_code_as_printed() -> None:
    assert identity_of(HOMES / "plain_home_wrong_code.html") == {
        "site_code": "33062400011",  # 11 characters: the check reports it
        "icp": "浙ICP备10203040号",
        "police": "浙公网安备 33062402000101号",
        "dzjg_badge": "https://bszs.conac.cn/sitename?method=show&id=0A1B2C3D4E5F60718293A4B5C6D7E8F9",
    }


def test_body_text_phone_postcode_and_company_licences_are_not_marks() -> None:
    # The article quotes a company's ICP证 / ICP备 and site code; the footer has
    # only a phone number, a 邮编, a credit code, an empty 网站标识码 label and a
    # link to www.conac.cn; createPageHTML's document.write is not a footer.
    page = parse_html(
        (FIXTURES / "identity_lookalikes.html").read_text(encoding="utf-8"),
        f"{SITE}/tzgg/202611/t20261120_1001.html",
    )
    assert "identity" not in page.meta
    assert "ICP" in page.text  # the look-alikes are there, in the body


def test_marks_at_the_end_of_a_page_without_footer_container() -> None:
    html = (
        "<html><head><title>示例镇人民政府</title></head><body>"
        "<div class='nav'><a href='/'>首页</a></div>"
        "<div class='main'><p>示例镇人民政府欢迎您。</p></div>"
        "<table><tr><td>版权所有：示例镇人民政府 网站标识码 3306240012"
        " 浙ICP备12345678号-2</td></tr>"
        "<tr><td>浙公网安备33062402000222号</td></tr></table>"
        "</body></html>"
    )
    assert parse_html(html, "http://www.zhen.example.gov.cn/index.html").meta["identity"] == {
        "site_code": "3306240012",
        "icp": "浙ICP备12345678号-2",
        "police": "浙公网安备33062402000222号",
    }


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("350128000", "350128000"),  # 9 characters: kept for the check to report
        ("35012800011", "35012800011"),
        ("bm04000007", "bm04000007"),  # a ministry's code
        ("3501280001ICP备05002344号", "3501280001"),  # printed without a space
    ],
)
def test_site_code_value_as_printed(code: str, expected: str) -> None:
    html = f"<html><body><p>正文</p><div class='foot'>网站标识码：{code}</div></body></html>"
    assert parse_html(html, f"{SITE}/a/t1.html").meta["identity"]["site_code"] == expected


def test_empty_footer_container_filled_by_script() -> None:
    html = (
        "<html><body><div class='content'><p>示例市人民政府门户网站首页内容。</p></div>"
        "<div id='footer'></div>"
        "<script>$('#footer').load('/include/footer.html');</script></body></html>"
    )
    assert parse_html(html, f"{SITE}/").meta["identity"] == {"footer_scripted": True}


def test_footer_document_write_is_scripted_but_static_marks_stay() -> None:
    html = (
        "<html><body><p>首页内容</p><div class='footer'><p>主办单位：示例市人民政府办公室</p>"
        "<script>document.write('<p>网站标识码：3501280001 闽ICP备05002344号</p>');</script>"
        "</div></body></html>"
    )
    assert parse_html(html, f"{SITE}/").meta["identity"] == {"footer_scripted": True}
    # With every mark printed, the script is not worth a word.
    html2 = html.replace(
        "<p>主办单位：示例市人民政府办公室</p>",
        "<p>网站标识码：3501280001 闽ICP备05002344号 闽公网安备 35012802000101号</p>",
    )
    assert "footer_scripted" not in parse_html(html2, f"{SITE}/").meta["identity"]


def test_home_page_records_that_nothing_was_found_other_pages_stay_small() -> None:
    html = "<html><body><div class='footer'>主办单位：示例市人民政府办公室</div></body></html>"
    assert parse_html(html, f"{SITE}/").meta["identity"] == {}
    assert parse_html(html, f"{SITE}/index.shtml").meta["identity"] == {}
    assert "identity" not in parse_html(html, f"{SITE}/zwgk/index.html").meta


@pytest.mark.parametrize(
    ("url", "home"),
    [
        (f"{SITE}/", True),
        (SITE, True),
        (f"{SITE}/index.html", True),
        (f"{SITE}/default.aspx", True),
        (f"{SITE}/col/col1/index.html", False),
        (f"{SITE}/zwgk/", False),
    ],
)
def test_home_candidate(url: str, home: bool) -> None:
    assert home_candidate(url) is home
