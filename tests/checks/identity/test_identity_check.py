"""The identity (网站标识) check on home pages parsed from TRS (GBK), Hanweb,
avalon and plain markup, stored as a crawl would store them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import as_date, crawl_into, make_config, page
from zwgk.checks import CheckContext, CheckOutcome
from zwgk.checks.identity import IdentityCheck, host_matches
from zwgk.crawler.extract import decode_html, parse_html
from zwgk.scoring import build_check, load_rubric
from zwgk.store import Store
from zwgk.vocab import Severity, Status

FIXTURES = Path(__file__).resolve().parent / "fixtures"
HOME = "http://www.demo.gov.cn/"


def home_page(fixture: str, url: str = HOME, **kw: Any) -> dict[str, Any]:
    text, _ = decode_html((FIXTURES / fixture).read_bytes(), None)
    parsed = parse_html(text, url)
    return page(url, is_home=True, depth=0, title=parsed.title, meta=parsed.meta, **kw)


def run(
    store: Store,
    pages: list[dict[str, Any]],
    home: str = HOME,
    params: dict[str, Any] | None = None,
) -> CheckOutcome:
    cfg = make_config(home=home, disclosure=[home + "zwgk/"])
    crawl_into(store, cfg, pages)
    ctx = CheckContext(
        "2026-11", cfg.sites[0], cfg, store, as_date("2026-11-30"), as_date("2026-01-01")
    )
    rubric = load_rubric()
    if params:
        rubric.checks["identity"].params.update(params)
    return build_check(rubric, "identity").run(ctx)


def rules(out: CheckOutcome) -> list[str]:
    return sorted(f.rule for f in out.findings)


def test_complete_footer_on_gov_cn_over_https_passes(store: Store) -> None:
    home = "https://www.demo.gov.cn/"
    out = run(store, [home_page("avalon_home.html", home)], home=home)
    assert out.findings == []
    assert out.status == Status.PASS
    assert out.metrics == {
        "marks_required": 4,
        "marks_found": 4,
        "marks_unverified": 0,
        "site_code": "3590000001",
        "https_pages": 1,
    }


def test_gbk_trs_home_over_http_only_warns_for_https(store: Store) -> None:
    out = run(store, [home_page("trs_home_gbk.html")])
    assert rules(out) == ["no_https"]
    [f] = out.findings
    assert f.severity == Severity.WARN and f.url == HOME
    assert f.evidence == {"host": "www.demo.gov.cn", "pages_checked": 1}


def test_https_on_any_crawled_page_of_the_site_counts(store: Store) -> None:
    other = page("https://www.demo.gov.cn/zwgk/t1.html")
    out = run(store, [home_page("trs_home_gbk.html"), other])
    assert rules(out) == []
    # A page of another host over https says nothing about this site.
    out = run(store, [home_page("trs_home_gbk.html"), page("https://www.gov.cn/x.html")])
    assert rules(out) == ["no_https"]


def test_wrong_length_code_is_its_own_rule(store: Store) -> None:
    out = run(store, [home_page("plain_home_wrong_code.html")])
    assert rules(out) == ["no_https", "site_code_invalid"]
    f = next(f for f in out.findings if f.rule == "site_code_invalid")
    assert f.severity == Severity.FAIL
    assert f.evidence == {
        "matched": "网站标识码：33062400011",
        "site_code": "33062400011",
        "length": 11,
        "required_length": 10,
    }
    assert "11位" in f.message and "10位" in f.message


def test_scripted_footer_gives_unverified_not_missing(store: Store) -> None:
    out = run(store, [home_page("hanweb_home_scripted.html")])
    assert rules(out) == [
        "badge_unverified",
        "icp_unverified",
        "no_https",
        "police_unverified",
        "site_code_unverified",
    ]
    unverified = [f for f in out.findings if f.rule.endswith("_unverified")]
    assert {f.severity for f in unverified} == {Severity.INFO}
    code = next(f for f in unverified if f.rule == "site_code_unverified")
    assert code.evidence["site_code_meta"] == "3200000031"
    assert code.evidence["footer_scripted"] is True
    assert out.metrics["marks_unverified"] == 4
    assert out.status == Status.WARN  # only the https warning


def test_static_footer_without_marks_is_missing(store: Store) -> None:
    html = (
        "<html><head><meta name='SiteIDCode' content='3501280001'></head><body>"
        "<div class='main'>首页内容</div><div class='footer'>主办单位：示例市人民政府办公室"
        " 联系电话：0591-24318888 邮编：350400</div></body></html>"
    )
    meta = parse_html(html, HOME).meta
    out = run(store, [page(HOME, is_home=True, meta=meta)])
    assert rules(out) == [
        "badge_missing",
        "icp_missing",
        "no_https",
        "police_missing",
        "site_code_missing",
    ]
    code = next(f for f in out.findings if f.rule == "site_code_missing")
    # The code in the page source is named, but a visitor cannot see it.
    assert "3501280001" in code.message and code.evidence["site_code_meta"] == "3501280001"
    assert out.metrics["marks_found"] == 0


def test_marks_on_an_inner_page_do_not_stand_in_for_the_home_page(store: Store) -> None:
    inner = home_page("avalon_home.html", HOME + "zwgk/t1.html")
    inner["is_home"] = False
    bare = page(HOME, is_home=True, meta={"identity": {}})
    out = run(store, [bare, inner])
    assert "site_code_missing" in rules(out)


def test_domain_suffix_list_comes_from_the_rubric(store: Store, tmp_path: Path) -> None:
    home = "https://www.demo.gov.test/"
    out = run(store, [home_page("avalon_home.html", home)], home=home)
    assert rules(out) == ["domain_not_gov"]
    [f] = out.findings
    assert f.severity == Severity.WARN
    assert f.evidence == {"host": "www.demo.gov.test", "accepted_suffixes": ["gov.cn"]}
    # An office (or a test installation) adds its own suffixes.
    store2 = Store(str(tmp_path / "t2.db"))
    try:
        out = run(
            store2,
            [home_page("avalon_home.html", home)],
            home=home,
            params={"domain_suffixes": ["gov.cn", "gov.test"]},
        )
        assert rules(out) == []
    finally:
        store2.dispose()


def test_look_alike_domains_are_not_gov_cn() -> None:
    check = build_check(load_rubric(), "identity")
    assert isinstance(check, IdentityCheck)

    assert host_matches("www.fujian.gov.cn", check.suffixes)
    assert host_matches("gov.cn", check.suffixes)
    for host in ("www.gov.cn.example.com", "www.fujiangov.cn", "www.demo.gov.com"):
        assert not host_matches(host, check.suffixes), host


def test_unreachable_home_is_skipped_not_missing(store: Store) -> None:
    dead = page(HOME, is_home=True, status=503, text=None)
    out = run(store, [dead])
    assert out.status == Status.SKIPPED
    assert not [f for f in out.findings if f.rule.endswith(("_missing", "_unverified"))]
