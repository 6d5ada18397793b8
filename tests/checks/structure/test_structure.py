"""The `structure` check on hand-built stores: one case per rule."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import crawl_into, link, make_config, page
from zwgk.checks import CheckContext
from zwgk.checks.structure import StructureCheck, report_year
from zwgk.scoring import build_check, load_rubric
from zwgk.store import Store

HOME = "http://www.demo.gov.test/"
COL = "http://www.demo.gov.test/zwgk/"


def column(sections: dict[str, str], extra: list[dict] | None = None) -> list[dict]:
    """Home, the disclosure column linking to ``sections`` (text -> url), and their targets."""
    pages = [
        page(HOME, is_home=True, depth=0, links=[link(COL, "政府信息公开")]),
        page(COL, depth=0, links=[link(u, t) for t, u in sections.items()]),
    ]
    for t, u in sections.items():
        pages.append(page(u, title=t))
    return pages + (extra or [])


ALL = {
    "政府信息公开指南": COL + "zn/",
    "政府信息公开制度": COL + "zd/",
    "法定主动公开内容": COL + "fdzdgknr/",
    "政府信息公开年报": COL + "nb/",
}


def report_page(year: int, published: str) -> dict:
    return page(
        COL + f"nb/{year}.html",
        title=f"示例市人民政府{year}年政府信息公开工作年度报告",
        meta={
            "doc_title": f"示例市人民政府{year}年政府信息公开工作年度报告",
            "publish_date": published,
        },
    )


def run(store: Store, pages: list[dict], as_of: str = "2026-11-30", **site: object):
    cfg = make_config(**site)
    crawl_into(store, cfg, pages)
    ctx = CheckContext(
        "2026-11", cfg.sites[0], cfg, store, dt.date.fromisoformat(as_of), dt.date(2026, 1, 1)
    )
    return build_check(load_rubric(), StructureCheck.id).run(ctx)


def rules(outcome) -> list[tuple[str, str]]:
    return sorted((f.rule, f.severity.value) for f in outcome.findings)


def test_complete_column_passes(store: Store) -> None:
    out = run(store, column(ALL, [report_page(2025, "2026-01-20")]))
    assert rules(out) == []
    assert out.status.value == "pass"
    assert out.metrics["sections_present"] == 4 and out.metrics["sections_reachable"] == 4
    assert out.metrics["annual_report_required_year"] == 2025


def test_missing_section_is_named(store: Store) -> None:
    sections = {k: v for k, v in ALL.items() if k != "政府信息公开制度"}
    out = run(store, column(sections, [report_page(2025, "2026-01-20")]))
    assert rules(out) == [("section_missing", "fail")]
    assert out.findings[0].evidence["section"] == "信息公开制度"
    assert "信息公开制度" in out.findings[0].message


def test_section_linked_to_404_is_unreachable(store: Store) -> None:
    pages = column(ALL, [report_page(2025, "2026-01-20")])
    for p in pages:
        if p["url"] == ALL["政府信息公开制度"]:
            p["status"] = 404
    out = run(store, pages)
    assert rules(out) == [("section_unreachable", "fail")]
    f = out.findings[0]
    assert f.url == ALL["政府信息公开制度"] and f.source_url == COL
    assert "HTTP 404" in f.message


def test_section_outside_crawl_is_unverified_not_failed(store: Store) -> None:
    pages = [
        p
        for p in column(ALL, [report_page(2025, "2026-01-20")])
        if p["url"] != ALL["法定主动公开内容"]
    ]
    out = run(store, pages)
    assert rules(out) == [("section_unverified", "warn")]


def test_previous_years_report_missing(store: Store) -> None:
    out = run(store, column(ALL, [report_page(2024, "2025-01-20")]))
    assert rules(out) == [("annual_report_missing", "fail")]
    ev = out.findings[0].evidence
    assert ev["required_year"] == 2025 and ev["newest_found"]["year"] == 2024


def test_report_not_yet_due_before_deadline(store: Store) -> None:
    # On 2026-03-15 the 2025 report (due 31 March) is not yet required; 2024's is.
    out = run(store, column(ALL, [report_page(2024, "2025-01-20")]), as_of="2026-03-15")
    assert rules(out) == []
    assert out.metrics["annual_report_required_year"] == 2024


def test_report_published_after_as_of_does_not_count(store: Store) -> None:
    # Re-evaluating as of 2026-04-30 a report that appeared on 2026-05-10.
    out = run(store, column(ALL, [report_page(2025, "2026-05-10")]), as_of="2026-04-30")
    assert rules(out) == [("annual_report_missing", "fail")]


def test_late_report_is_a_warning(store: Store) -> None:
    out = run(store, column(ALL, [report_page(2025, "2026-04-15")]))
    assert rules(out) == [("annual_report_late", "warn")]


def test_unreachable_home_and_column(store: Store) -> None:
    pages = [
        page(HOME, is_home=True, depth=0, fetch_status="connection_refused", status=None),
        page(COL, depth=0, fetch_status="timeout", status=None),
    ]
    out = run(store, pages)
    assert rules(out) == [("column_unreachable", "fail"), ("home_unreachable", "fail")]


def test_report_year_parsing() -> None:
    assert report_year("示例市人民政府2025年政府信息公开工作年度报告") == 2025
    assert report_year("政府信息公开工作年度报告（2024年）") == 2024
    assert report_year("2023年度政府信息公开年报") == 2023
    assert report_year("关于2025年工作情况的报告") is None
    assert report_year(None) is None


@pytest.mark.parametrize(
    ("site", "published", "expected"),
    [
        # A government's report is due by 31 March; on the day itself is on time.
        ({}, "2026-03-31", []),
        ({}, "2026-04-01", [("annual_report_late", "warn")]),
        # A department's by 31 January: the same dates are late, 1/31 is not.
        ({"name": "示例市教育局"}, "2026-01-31", []),
        ({"name": "示例市教育局"}, "2026-02-01", [("annual_report_late", "warn")]),
        ({"name": "示例市教育局"}, "2026-03-31", [("annual_report_late", "warn")]),
        # An explicit kind wins over the name.
        ({"name": "示例市教育局", "kind": "government"}, "2026-03-31", []),
        (
            {"name": "示例市人民政府", "kind": "department"},
            "2026-03-31",
            [("annual_report_late", "warn")],
        ),
    ],
)
def test_annual_report_deadline_by_site_kind(
    store: Store, site: dict, published: str, expected: list
) -> None:
    out = run(store, column(ALL, [report_page(2025, published)]), **site)
    assert rules(out) == expected
    late = [f for f in out.findings if f.rule == "annual_report_late"]
    for f in late:
        kind = site.get("kind") or ("department" if "局" in str(site.get("name")) else "government")
        assert f.evidence["deadline"] == ("2026-01-31" if kind == "department" else "2026-03-31")


def test_department_before_its_deadline_still_owes_the_year_before(store: Store) -> None:
    # On 2026-01-20 a department's 2025 report is not yet due: 2024's is required.
    out = run(
        store,
        column(ALL, [report_page(2024, "2025-01-10")]),
        as_of="2026-01-20",
        name="示例市教育局",
    )
    assert rules(out) == []
    assert out.metrics["annual_report_required_year"] == 2024
    # After 31 January it is 2025's.
    out = run(
        store,
        column(ALL, [report_page(2024, "2025-01-10")]),
        as_of="2026-02-02",
        name="示例市教育局",
    )
    assert out.metrics["annual_report_required_year"] == 2025


def test_rate_limited_home_is_unverified_not_unreachable(store: Store) -> None:
    blocked = {"reason": "rate_limited", "http_status": 429, "retry_after": 30, "attempts": 3}
    pages = [
        page(HOME, is_home=True, depth=0, status=429, meta={"blocked": blocked}),
        page(COL, depth=0, status=429, meta={"blocked": {**blocked, "host_gave_up": True}}),
    ]
    out = run(store, pages)
    assert rules(out) == [("column_unverified", "warn"), ("home_unverified", "warn")]
    assert "HTTP 429" in next(f.message for f in out.findings if f.rule == "home_unverified")
    # Nothing of the column was seen: neither a pass nor a fail.
    assert out.status.value == "skipped"


def test_challenged_home_with_reachable_column(store: Store) -> None:
    blocked = {"reason": "challenge", "http_status": 412, "attempts": 3}
    pages = column(ALL, [report_page(2025, "2026-03-01")])
    pages[0] = page(HOME, is_home=True, depth=0, status=412, meta={"blocked": blocked})
    out = run(store, pages)
    assert rules(out) == [("home_unverified", "warn")]


def test_plain_403_home_is_still_unreachable(store: Store) -> None:
    # No challenge page: every visitor is refused, so it is a failure.
    pages = [page(HOME, is_home=True, depth=0, status=403), page(COL, depth=0, status=403)]
    out = run(store, pages)
    assert rules(out) == [("column_unreachable", "fail"), ("home_unreachable", "fail")]
