"""栏目更新 (checks/freshness.py): home page, column types, blank, undated and
unverified columns, the single-veto counts and the evaluation date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import (
    crawl_into,
    link,
    list_item,
    list_page,
    make_config,
    page,
    parsed_page,
)
from zwgk.checks import CheckContext, CheckOutcome
from zwgk.checks.freshness import FreshnessCheck, effective_date, months_before
from zwgk.config import Config
from zwgk.scoring import build_check, load_rubric
from zwgk.store import Store

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SITE = "http://www.demo.gov.test"
ZWGK = f"{SITE}/zwgk/"
AS_OF = dt.date(2026, 11, 30)


def fixture(name: str, url: str, as_of: dt.date = AS_OF, **kw: Any) -> dict[str, Any]:
    html = (FIXTURES / name).read_text(encoding="utf-8")
    return parsed_page(url, html, as_of=as_of, **kw)


def home(*items: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return list_page(f"{SITE}/", "首页", list(items), is_home=True, depth=0, **kw)


FRESH_HOME = home(list_item("今日要闻", f"{SITE}/xwzx/1.html", "2026-11-28"))


def run(
    store: Store,
    pages: list[dict[str, Any]],
    as_of: dt.date = AS_OF,
    check: FreshnessCheck | None = None,
    cfg: Config | None = None,
) -> CheckOutcome:
    cfg = cfg or make_config()
    crawl_into(store, cfg, pages)
    ctx = CheckContext("2026-11", cfg.sites[0], cfg, store, as_of, dt.date(as_of.year, 1, 1))
    return (check or build_check(load_rubric(), "freshness")).run(ctx)  # type: ignore[return-value]


def rules(out: CheckOutcome) -> list[tuple[str, str | None]]:
    return sorted((f.rule, f.url) for f in out.findings)


def with_params(**params: Any) -> FreshnessCheck:
    rubric = load_rubric()
    return FreshnessCheck(params, severities=rubric.severities("freshness"))


# -- real markup ---------------------------------------------------------------------------


def test_columns_in_trs_hanweb_avalon_and_plain_markup(store: Store) -> None:
    out = run(
        store,
        [
            fixture("plain_home.html", f"{SITE}/", is_home=True, depth=0),
            fixture("trs_gzdt.html", f"{ZWGK}gzdt/"),
            fixture("trs_gzdt_1.html", f"{ZWGK}gzdt/index_1.html"),
            fixture("hanweb_tzgg.html", f"{ZWGK}col/col1240/index.html"),
            fixture("avalon_zcwj.html", f"{ZWGK}zcwj/"),
            fixture("plain_undated.html", f"{ZWGK}gfxwj/"),
            fixture("plain_blank.html", f"{ZWGK}bmdt/"),
            fixture("jpaas_zfwj.html", f"{ZWGK}zfwj/"),
        ],
    )
    # 工作动态 (TRS, two pages): newest 2026-11-16 is within two weeks of 11-30.
    # 通知公告 (Hanweb): newest 2026-05-20, before 2026-05-30 — six months stale.
    # 政策文件 (avalon, 暂无数据 template beside its items): fresh, not blank.
    # 规范性文件 (plain): no item has a date. 部门动态: blank. 政府文件 (JPaaS): unverified.
    assert rules(out) == [
        ("column_blank", f"{ZWGK}bmdt/"),
        ("column_stale", f"{ZWGK}col/col1240/index.html"),
        ("column_undated", f"{ZWGK}gfxwj/"),
        ("column_unverified", f"{ZWGK}zfwj/"),
        ("home_stale", f"{SITE}/"),
    ]
    stale = next(f for f in out.findings if f.rule == "column_stale")
    assert stale.evidence["newest_date"] == "2026-05-20"
    assert stale.evidence["cutoff"] == "2026-05-30"
    assert stale.evidence["column_type"] == "通知公告、政策文件类"
    assert (
        stale.message
        == "“通知公告”栏目（通知公告、政策文件类）最新信息发布于2026-05-20，6个月内未更新"
    )
    home_f = next(f for f in out.findings if f.rule == "home_stale")
    # The home page's newest item is 11-10 (a year-less date, its year from the URL).
    assert home_f.evidence["newest_date"] == "2026-11-10" and home_f.evidence["age_days"] == 20
    m = out.metrics
    assert (m["columns_typed"], m["columns_stale"], m["columns_undated"]) == (4, 1, 1)
    assert (m["columns_blank"], m["columns_unverified"], m["home_newest"]) == (1, 1, "2026-11-10")
    statuses = {c["column"]: c["status"] for c in m["columns"]}
    assert statuses == {
        "工作动态": "ok",
        "通知公告": "stale",
        "政策文件": "ok",
        "规范性文件": "undated",
        "部门动态": "blank",
        "政府文件": "unverified",
    }
    assert out.status.value == "fail"


def test_undated_items_dated_by_their_pages(store: Store) -> None:
    # The list shows no dates, but the item pages carry their publish date.
    pages = [
        FRESH_HOME,
        fixture("plain_undated.html", f"{ZWGK}gfxwj/"),
        page(f"{ZWGK}gfxwj/a3.html", meta={"publish_date": "2026-10-09"}),
        page(f"{ZWGK}gfxwj/a2.html", meta={"publish_date": "2025-03-01"}),
    ]
    out = run(store, pages)
    assert rules(out) == []
    assert out.metrics["columns"] == [
        {
            "column": "规范性文件",
            "url": f"{ZWGK}gfxwj/",
            "status": "ok",
            "newest_date": "2026-10-09",
        }
    ]


# -- thresholds ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "date", "stale"),
    [
        ("要闻", "2026-11-16", False),  # exactly two weeks: still updated
        ("要闻", "2026-11-15", True),
        ("部门动态", "2026-11-15", True),
        ("通知公告", "2026-05-30", False),  # exactly six months
        ("通知公告", "2026-05-29", True),
        ("公示公告", "2026-05-29", True),
        ("行政规范性文件库", "2026-05-29", True),
        # A month-precision date counts as the month's last day (benefit of the doubt).
        ("政策文件", "2026-05", False),
        ("政策文件", "2026-04", True),
        ("人事信息", "2025-11-30", False),
        ("人事信息", "2025-11-29", True),
        # No update requirement: an old 年报 column or 政策解读 is not stale.
        ("政府信息公开年报", "2020-01-20", False),
        ("政策解读", "2020-01-20", False),
        ("新闻发布会", "2020-01-20", False),
    ],
)
def test_column_type_limits(store: Store, column: str, date: str, stale: bool) -> None:
    col = list_page(f"{ZWGK}c/", column, [list_item("某条信息", f"{ZWGK}c/1.html", date)])
    out = run(store, [FRESH_HOME, col])
    assert rules(out) == ([("column_stale", f"{ZWGK}c/")] if stale else [])


def test_newest_item_not_the_first(store: Store) -> None:
    # A pinned old item heads the list; the column is dated by its newest item.
    col = list_page(
        f"{ZWGK}tzgg/",
        "通知公告",
        [
            list_item("置顶：办事指南", f"{ZWGK}tzgg/0.html", "2019-01-02", pinned=True),
            list_item("停水通知", f"{ZWGK}tzgg/2.html", "2026-10-08"),
            list_item("无日期的旧通知", f"{ZWGK}tzgg/1.html"),
        ],
    )
    out = run(store, [FRESH_HOME, col])
    assert rules(out) == []
    assert out.metrics["columns"][0]["newest_date"] == "2026-10-08"


def test_a_hub_of_columns_is_not_undated(store: Store) -> None:
    hub = list_page(
        f"{ZWGK}fdzdgknr/",
        "政策文件",
        [list_item("规范性文件", f"{ZWGK}gfxwj/"), list_item("通知公告", f"{ZWGK}tzgg/")],
    )
    tzgg = list_page(
        f"{ZWGK}tzgg/", "通知公告", [list_item("通知", f"{ZWGK}tzgg/1.html", "2026-11-01")]
    )
    gfxwj = list_page(f"{ZWGK}gfxwj/", "规范性文件", [list_item("办法", f"{ZWGK}gfxwj/1.html")])
    out = run(store, [FRESH_HOME, hub, tzgg, gfxwj])
    assert rules(out) == [("column_undated", f"{ZWGK}gfxwj/")]


def test_a_side_menu_in_an_empty_column_is_no_content(store: Store) -> None:
    # An empty column whose only links are the side menu's other columns.
    menu = [list_item("通知公告", f"{ZWGK}tzgg/"), list_item("政策文件", f"{ZWGK}zcwj/")]
    empty = list_page(f"{ZWGK}ghjh/", "规划计划", menu, placeholder="暂无信息")
    others = [
        list_page(f"{ZWGK}tzgg/", "通知公告", [list_item("通知", f"{ZWGK}t/1.html", "2026-11-01")]),
        list_page(f"{ZWGK}zcwj/", "政策文件", [list_item("文件", f"{ZWGK}z/1.html", "2026-11-01")]),
    ]
    out = run(store, [FRESH_HOME, empty, *others])
    assert rules(out) == [("column_blank", f"{ZWGK}ghjh/")]


def test_placeholder_template_beside_items_is_not_blank(store: Store) -> None:
    col = list_page(
        f"{ZWGK}yw/",
        "要闻",
        [list_item("要闻一", f"{ZWGK}yw/1.html", "2026-11-27")],
        placeholder="暂无数据",
    )
    assert rules(run(store, [FRESH_HOME, col])) == []


def test_columns_outside_the_disclosure_column_are_not_judged(store: Store) -> None:
    news = list_page(
        f"{SITE}/xwzx/bmdt/", "部门动态", [list_item("旧闻", f"{SITE}/x/1.html", "2025-01-01")]
    )
    blank = list_page(f"{SITE}/hdjl/", "在线访谈", [], placeholder="暂无数据")
    assert rules(run(store, [FRESH_HOME, news, blank])) == []


# -- single veto ------------------------------------------------------------------------------


def stale_columns(n: int, undated: int = 0) -> list[dict[str, Any]]:
    cols = [
        list_page(
            f"{ZWGK}s{i}/", f"部门动态{i}", [list_item("旧", f"{ZWGK}s{i}/1.html", "2026-01-05")]
        )
        for i in range(n)
    ]
    cols += [
        list_page(f"{ZWGK}u{i}/", f"通知公告{i}", [list_item("无日期", f"{ZWGK}u{i}/1.html")])
        for i in range(undated)
    ]
    return cols


@pytest.mark.parametrize(("stale", "undated", "veto"), [(4, 0, False), (5, 0, True), (3, 2, True)])
def test_five_stale_columns_is_a_veto(store: Store, stale: int, undated: int, veto: bool) -> None:
    out = run(store, [FRESH_HOME, *stale_columns(stale, undated)])
    vetoes = [f for f in out.findings if f.rule == "stale_columns_5"]
    assert len(vetoes) == int(veto)
    assert (
        sum(f.rule in ("column_stale", "column_undated") for f in out.findings) == stale + undated
    )
    if veto:
        assert vetoes[0].url == ZWGK and vetoes[0].evidence["count"] == 5
        assert vetoes[0].severity.value == "fail"


@pytest.mark.parametrize(("blank", "veto"), [(4, False), (5, True)])
def test_five_blank_columns_is_a_veto(store: Store, blank: int, veto: bool) -> None:
    cols = [list_page(f"{ZWGK}b{i}/", f"栏目{i}", [], placeholder="暂无数据") for i in range(blank)]
    # A script-filled list is unverified, never blank.
    cols.append(list_page(f"{ZWGK}d/", "栏目D", [], dynamic=True, source="template"))
    out = run(store, [FRESH_HOME, *cols])
    assert [f.rule for f in out.findings].count("column_blank") == blank
    assert [f.rule for f in out.findings].count("column_unverified") == 1
    assert [f.rule for f in out.findings].count("blank_columns_5") == int(veto)


def test_veto_rules_are_single_vetoes_in_the_rubric() -> None:
    assert {
        "freshness.home_stale",
        "freshness.stale_columns_5",
        "freshness.blank_columns_5",
    } <= set(load_rubric().veto)


# -- the home page ----------------------------------------------------------------------------


def test_home_dated_by_linked_pages_when_its_list_is_not_dated(store: Store) -> None:
    h = page(
        f"{SITE}/",
        is_home=True,
        depth=0,
        links=[link(f"{SITE}/xwzx/1.html", "今日要闻"), link(f"{SITE}/xwzx/2.html", "旧闻")],
    )
    pages = [
        h,
        page(f"{SITE}/xwzx/1.html", meta={"publish_date": "2026-11-20"}),
        page(f"{SITE}/xwzx/2.html", meta={"publish_date": "2026-01-20"}),
    ]
    out = run(store, pages)
    assert rules(out) == [] and out.metrics["home_newest"] == "2026-11-20"


def test_home_without_any_date_is_unverified_not_stale(store: Store) -> None:
    out = run(store, [page(f"{SITE}/", is_home=True, depth=0, links=[link(f"{ZWGK}", "政务公开")])])
    assert [(f.rule, f.severity.value) for f in out.findings] == [("home_unverified", "info")]


def test_unreachable_home_is_left_to_the_structure_check(store: Store) -> None:
    out = run(store, [page(f"{SITE}/", is_home=True, depth=0, status=503)])
    assert out.findings == [] and out.metrics["home_newest"] is None


# -- the evaluation date -----------------------------------------------------------------------


def test_evaluation_date_in_the_past(store: Store) -> None:
    """Evaluated as of 2024-06-30: items published later did not exist yet.

    工作动态's newest item then is 2024-06-20 (fresh); 通知公告's only items are
    from 2026, so what it held on 2024-06-30 cannot be told: it is not judged.
    The home page's 2026 items are left out, its newest is 2024-06-25.
    """
    as_of = dt.date(2024, 6, 30)
    pages = [
        home(
            list_item("新", f"{SITE}/x/3.html", "2026-11-28"),
            list_item("旧", f"{SITE}/x/2.html", "2024-06-25"),
        ),
        list_page(
            f"{ZWGK}gzdt/",
            "工作动态",
            [
                list_item("后来的", f"{ZWGK}gzdt/2.html", "2026-11-20"),
                list_item("当时的", f"{ZWGK}gzdt/1.html", "2024-06-20"),
            ],
        ),
        list_page(
            f"{ZWGK}tzgg/", "通知公告", [list_item("后来的", f"{ZWGK}tzgg/1.html", "2026-03-01")]
        ),
    ]
    out = run(store, pages, as_of=as_of)
    assert rules(out) == []
    assert out.metrics["home_newest"] == "2024-06-25"
    assert out.metrics["columns_not_yet"] == 1
    assert effective_date("2026-11-20", as_of) is None
    assert effective_date("2024-06", as_of) == dt.date(2024, 6, 30)  # capped at as_of
    assert effective_date("2024-07", as_of) is None
    # The same pages as of 2026-11-30: 通知公告 (2026-03-01) is now six months stale.
    assert rules(run(store, pages)) == [("column_stale", f"{ZWGK}tzgg/")]


def test_year_less_list_dates_never_after_the_evaluation_date(store: Store) -> None:
    # parse_html gets as_of: "12-28" on a list evaluated on 2026-11-30 is 2025-12-28.
    html = (FIXTURES / "trs_gzdt.html").read_text(encoding="utf-8")
    html = html.replace("<span>2026-11-16</span>", "<span>12-28</span>")
    html = html.replace("./202611/t20261116_2001.html", "./show_2001.html")
    col = parsed_page(f"{ZWGK}gzdt/", html, as_of=AS_OF)
    assert col["list_items"][0]["date"] == "2025-12-28"
    assert run(store, [FRESH_HOME, col]).metrics["columns"][0]["newest_date"] == "2026-11-03"


# -- configuration ----------------------------------------------------------------------------


def test_thresholds_are_configurable() -> None:
    check = with_params(home_max_days=30, stale_columns_veto=10)
    assert check.rules_config.home_max_days == 30
    assert "首页监测时间点前30天内无更新" in check.describe()
    assert "不更新栏目累计10个" in check.describe()
    default = build_check(load_rubric(), "freshness")
    assert "动态、要闻类栏目2周内未更新" in default.describe()
    assert "通知公告、政策文件类栏目6个月内未更新" in default.describe()


def test_home_threshold_override_changes_the_result(store: Store) -> None:
    pages = [home(list_item("要闻", f"{SITE}/x/1.html", "2026-11-05"))]
    assert rules(run(store, pages, check=with_params(home_max_days=30))) == []


def test_months_before_clamps_the_day() -> None:
    assert months_before(dt.date(2026, 8, 31), 6) == dt.date(2026, 2, 28)
    assert months_before(dt.date(2026, 1, 15), 12) == dt.date(2025, 1, 15)
