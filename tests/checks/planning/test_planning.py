"""规划信息 (checks/planning.py): the five categories, where a plan may be
published (page, list attachment, file link), its look-alikes, blank and
script-filled 规划 columns, and the evaluation date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import crawl_into, link, list_item, list_page, make_config, page, parsed_page
from zwgk.checks import CheckContext, CheckOutcome
from zwgk.checks.planning import PlanningCheck, file_format, plan_name
from zwgk.scoring import build_check, load_rubric
from zwgk.store import Store

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SITE = "http://www.demo.gov.test"
ZWGK = f"{SITE}/zwgk/"
AS_OF = dt.date(2026, 11, 30)

OUTLINE = "国民经济和社会发展第十四个五年规划纲要（“十四五”规划纲要）"
SPATIAL = "国土空间（总体）规划"
SPECIAL = "专项规划"
REGIONAL = "区域规划"
HISTORICAL = "历史规划（“十三五”“十二五”等往期规划）"
ALL = {OUTLINE, SPATIAL, SPECIAL, REGIONAL, HISTORICAL}


def fixture(name: str, url: str, **kw: Any) -> dict[str, Any]:
    html = (FIXTURES / name).read_text(encoding="utf-8")
    return parsed_page(url, html, as_of=AS_OF, **kw)


def check() -> PlanningCheck:
    return build_check(load_rubric(), "planning")  # type: ignore[return-value]


def run(store: Store, pages: list[dict[str, Any]], as_of: dt.date = AS_OF) -> CheckOutcome:
    cfg = make_config()
    crawl_into(store, cfg, pages)
    ctx = CheckContext("2026-11", cfg.sites[0], cfg, store, as_of, dt.date(as_of.year, 1, 1))
    return check().run(ctx)


def missing(out: CheckOutcome) -> set[str]:
    return {f.evidence["category"] for f in out.findings if f.rule == "plan_missing"}


def found(out: CheckOutcome, key: str) -> list[tuple[str, str, str | None]]:
    return [(d["title"], d["format"], d["column"]) for d in out.metrics["documents"][key]]


HOME = page(f"{SITE}/", is_home=True, depth=0)


def plans_column(*items: dict[str, Any], url: str = f"{ZWGK}ghjh/", name: str = "规划计划") -> Any:
    return list_page(url, name, list(items))


# -- real markup -------------------------------------------------------------------------------


def test_plans_in_trs_hanweb_and_avalon_markup(store: Store) -> None:
    pages = [
        HOME,
        fixture("trs_ghjh.html", f"{ZWGK}ghjh/"),
        fixture("trs_detail.html", f"{ZWGK}ghjh/202203/t20220318_604.html"),
        fixture("hanweb_fzgh.html", f"{ZWGK}col/col1236/index.html"),
        fixture("avalon_plan_pdf.html", f"{ZWGK}zcwj/202205/t20220513_77.html"),
        fixture("trs_news.html", f"{ZWGK}gzdt/"),
    ]
    out = run(store, pages)
    # 国土空间: only a 公示 of its draft (TRS) and a 征求意见 notice (Hanweb), and
    # a news item titled like the plan — none is the published plan.
    assert [f.rule for f in out.findings] == ["plan_missing"]
    assert missing(out) == {SPATIAL}
    assert found(out, "outline") == [
        ("示例市国民经济和社会发展第十四个五年规划和2035年远景目标纲要", "网页", "规划计划")
    ]
    # The field's "十四五" plan is a 专项规划, not the outline; the avalon page
    # that is only its PDF counts as a PDF, once, by the 《…》 name it publishes.
    assert sorted(found(out, "special")) == [
        ("示例区管委会关于印发《示例区“十四五”综合交通运输规划》的通知", "PDF", "中长期发展规划"),
        ("示例市“十四五”交通运输发展规划", "网页", "规划计划"),
    ]
    # A plan published only as a PDF linked straight from the Hanweb list.
    assert found(out, "regional") == [("示例县东部片区发展规划（2021—2035年）", "PDF", "发展规划")]
    assert found(out, "historical") == [
        ("示例市国民经济和社会发展第十三个五年规划纲要", "网页", "规划计划")
    ]
    m = out.metrics
    assert (m["outline_found"], m["spatial_found"], m["special_found"]) == (True, False, True)
    assert (m["regional_found"], m["historical_found"]) == (True, True)
    # 规划 column lists crawled: 规划计划 and 发展规划 (中长期发展规划 only names the
    # avalon page's column).
    assert (m["special_count"], m["categories_found"], m["plan_columns"]) == (2, 4, 2)
    [f] = out.findings
    assert f.message == f"政府信息公开专栏未公开{SPATIAL}"
    assert f.url == ZWGK and f.severity.value == "fail"
    assert {c["column"] for c in f.evidence["plan_columns"]} == {"规划计划", "发展规划"}


def test_every_category_found_passes(store: Store) -> None:
    out = run(
        store,
        [
            HOME,
            plans_column(
                list_item("示例市“十四五”规划纲要", f"{ZWGK}ghjh/1.html", "2021-03-01"),
                list_item("示例市国土空间总体规划（2021—2035年）", f"{ZWGK}ghjh/2.pdf", "2024-01"),
                list_item("示例市“十四五”教育发展规划", f"{ZWGK}ghjh/3.docx", "2022-05-01"),
                list_item("示例市城乡融合发展示范区建设规划", f"{ZWGK}ghjh/4.html", "2023-01-01"),
                list_item(
                    "示例市土地利用总体规划（2006—2020年）", f"{ZWGK}ghjh/5.html", "2010-01-01"
                ),
            ),
        ],
    )
    assert out.findings == [] and out.metrics["categories_found"] == 5
    assert found(out, "spatial") == [("示例市国土空间总体规划（2021—2035年）", "PDF", "规划计划")]
    assert found(out, "special") == [("示例市“十四五”教育发展规划", "DOCX", "规划计划")]
    assert found(out, "historical") == [
        ("示例市土地利用总体规划（2006—2020年）", "网页", "规划计划")
    ]


# -- what is a plan, and of which category -------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "category"),
    [
        ("示例市国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要", "outline"),
        ("示例市“十四五”规划纲要", "outline"),
        ("关于印发《示例市国民经济和社会发展第十四个五年规划纲要》的通知", "outline"),
        ("示例市“十四五”交通运输发展规划", "special"),
        ("示例市“十四五”教育事业发展规划", "special"),
        ("示例市生态环境保护规划（2021—2025年）", "special"),
        ("示例市国土空间总体规划（2021—2035年）", "spatial"),
        ("示例市国土空间规划", "spatial"),
        ("长江中游城市群示例片区发展规划", "regional"),
        ("示例市国民经济和社会发展第十三个五年规划纲要", "historical"),
        ("示例市“十二五”旅游发展规划", "historical"),
        ("示例市城市总体规划（2011—2020年）", "historical"),
        # The next period's outline is a plan of no category here.
        ("示例市国民经济和社会发展第十五个五年规划纲要", ""),
        # Look-alikes: no plan.
        ("我市召开“十四五”规划纲要中期评估座谈会", None),
        ("示例市国土空间总体规划编制工作推进会召开", None),
        ("《示例市“十四五”规划纲要》解读", None),
        ("一图读懂示例市“十四五”交通运输发展规划", None),
        ("示例市国土空间总体规划（2021—2035年）（草案）", None),
        ("关于《示例市国土空间总体规划》征求意见的公告", None),
        ("示例市“十四五”规划纲要实施情况中期评估报告", None),
        ("关于同意示例经济开发区调整规划范围的批复", None),
        (
            "中共示例市委关于制定示例市国民经济和社会发展第十四个五年规划和二〇三五年远景目标的建议",
            None,
        ),
        ("示例市2026年国民经济和社会发展计划", None),
        ("示例市中心城区控制性详细规划（局部调整）的批前公示", None),
        ("示例村村庄规划", ""),
    ],
)
def test_categories(title: str, category: str | None) -> None:
    assert check().category(title) == category


def test_plan_name_and_file_format() -> None:
    assert plan_name("关于印发《示例市“十四五”交通运输发展规划》的通知") == (
        "示例市“十四五”交通运输发展规划"
    )
    assert plan_name("关于《示例市规划》征求意见的公告") == "关于《示例市规划》征求意见的公告"
    assert file_format("http://x.gov.test/a/b.PDF") == "PDF"
    assert file_format("http://x.gov.test/down.jsp?filename=规划.docx") == "DOCX"
    assert file_format("http://x.gov.test/a/b.html") is None


# -- where plans are published -------------------------------------------------------------------


def test_a_plan_only_in_news_does_not_count(store: Store) -> None:
    news = list_page(
        f"{ZWGK}gzdt/",
        "工作动态",
        [list_item("示例市国土空间总体规划", f"{ZWGK}gzdt/1.html", "2026-10-08")],
    )
    detail = page(
        f"{ZWGK}gzdt/1.html",
        meta={"doc_title": "示例市国土空间总体规划", "publish_date": "2026-10-08"},
    )
    out = run(store, [HOME, news, detail])
    assert missing(out) == ALL
    assert out.metrics["plan_documents"] == 0


def test_a_plan_in_another_disclosure_column_counts(store: Store) -> None:
    zcwj = list_page(
        f"{ZWGK}zcwj/",
        "政策文件",
        [list_item("示例市国土空间总体规划（2021—2035年）", f"{ZWGK}zcwj/1.html", "2025-08-12")],
    )
    out = run(store, [HOME, zcwj])
    assert SPATIAL not in missing(out)
    assert found(out, "spatial") == [("示例市国土空间总体规划（2021—2035年）", "网页", "政策文件")]


def test_plans_outside_the_disclosure_column_do_not_count(store: Store) -> None:
    other = list_page(
        f"{SITE}/ztzl/",
        "专题专栏",
        [list_item("示例市国土空间总体规划（2021—2035年）", f"{SITE}/ztzl/1.html", "2025-08-12")],
    )
    assert SPATIAL in missing(run(store, [HOME, other]))


def test_an_attachment_on_a_page_of_the_column(store: Store) -> None:
    # 附件: a PDF linked from a notice page, no list item of its own.
    notice = page(
        f"{ZWGK}tzgg/1.html",
        meta={"doc_title": "关于公布有关规划文件的通知", "publish_date": "2023-01-05"},
        links=[link(f"{ZWGK}tzgg/W020230105.pdf", "附件1：示例市西部经济带发展规划.pdf")],
    )
    out = run(store, [HOME, notice])
    assert found(out, "regional") == [("示例市西部经济带发展规划", "PDF", None)]


def test_plan_columns_come_first_in_the_evidence(store: Store) -> None:
    zcwj = list_page(
        f"{ZWGK}zcwj/",
        "政策文件",
        [list_item("示例市“十四五”水利发展规划", f"{ZWGK}zcwj/1.html", "2026-01-01")],
    )
    ghjh = plans_column(
        list_item("示例市“十四五”交通运输发展规划", f"{ZWGK}ghjh/1.html", "2022-01-01")
    )
    out = run(store, [HOME, zcwj, ghjh])
    assert [t for t, _, _ in found(out, "special")] == [
        "示例市“十四五”交通运输发展规划",
        "示例市“十四五”水利发展规划",
    ]


# -- 规划 columns ---------------------------------------------------------------------------


def test_a_blank_plan_column_is_its_own_finding(store: Store) -> None:
    ghjh = plans_column(
        list_item("示例市“十四五”规划纲要", f"{ZWGK}ghjh/1.html", "2021-03-01"),
        list_item("示例市国土空间总体规划", f"{ZWGK}ghjh/2.html", "2024-03-01"),
        list_item("示例市东部片区发展规划", f"{ZWGK}ghjh/3.html", "2024-03-01"),
        list_item("示例市“十三五”规划纲要", f"{ZWGK}ghjh/4.html", "2016-03-01"),
    )
    out = run(store, [HOME, ghjh, fixture("plain_blank.html", f"{ZWGK}zxgh/")])
    # The blank 专项规划 column, and the 专项规划 category reported on it.
    assert sorted((f.rule, f.url) for f in out.findings) == [
        ("column_blank", f"{ZWGK}zxgh/"),
        ("plan_missing", f"{ZWGK}zxgh/"),
    ]
    assert missing(out) == {SPECIAL}


def test_placeholder_template_with_items_is_not_blank(store: Store) -> None:
    ghjh = list_page(
        f"{ZWGK}ghjh/",
        "发展规划",
        [list_item("示例区“十四五”规划纲要", f"{ZWGK}ghjh/1.html", "2021-03-01")],
        placeholder="暂无数据",
    )
    out = run(store, [HOME, ghjh])
    assert "column_blank" not in {f.rule for f in out.findings}
    assert OUTLINE not in missing(out)


def test_a_script_filled_plan_column_is_unverified_not_missing(store: Store) -> None:
    ghjh = list_page(f"{ZWGK}ghjh/", "规划信息", [], dynamic=True, source="jpaas")
    out = run(store, [HOME, ghjh])
    assert {(f.rule, f.severity.value) for f in out.findings} == {
        ("column_unverified", "info"),
        ("plan_unverified", "info"),
    }
    assert len([f for f in out.findings if f.rule == "plan_unverified"]) == 5
    assert out.status.value == "pass"


def test_no_plan_column_at_all(store: Store) -> None:
    out = run(
        store,
        [
            HOME,
            list_page(
                f"{ZWGK}tzgg/", "通知公告", [list_item("通知", f"{ZWGK}1.html", "2026-11-01")]
            ),
        ],
    )
    assert [f.rule for f in out.findings] == ["plan_missing"] * 5
    assert {f.url for f in out.findings} == {ZWGK}
    assert all(f.evidence["plan_columns"] == [] for f in out.findings)


# -- the evaluation date ---------------------------------------------------------------------------


def test_plans_published_after_the_evaluation_date_do_not_count(store: Store) -> None:
    ghjh = plans_column(
        list_item("示例市国土空间总体规划（2021—2035年）", f"{ZWGK}ghjh/1.html", "2025-08-12"),
        list_item("示例市“十四五”规划纲要", f"{ZWGK}ghjh/2.html", "2024-06"),
    )
    out = run(store, [HOME, ghjh], as_of=dt.date(2024, 6, 30))
    # As of 2024-06-30 the 国土空间规划 (2025) was not published yet; the
    # outline dated only "2024-06" is given the benefit of the doubt.
    assert SPATIAL in missing(out) and OUTLINE not in missing(out)
    assert out.metrics["published_later"] == 1


# -- configuration -------------------------------------------------------------------------------


def test_rules_overridable_from_the_rubric_params() -> None:
    rubric = load_rubric()
    c = PlanningCheck({"plan_columns": ["规划", "计划"]}, severities=rubric.severities("planning"))
    assert c.is_plan_column("年度计划") and not check().is_plan_column("年度计划")
    assert "国土空间（总体）规划" in check().describe()
