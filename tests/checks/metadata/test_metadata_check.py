"""The metadata (公开要素) check: which pages are disclosure items, which are
documents, and the share of them missing each element."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import as_date, crawl_into, make_config, page
from zwgk.checks import CheckContext, CheckOutcome
from zwgk.crawler.extract import parse_html
from zwgk.scoring import build_check, load_rubric
from zwgk.store import Store
from zwgk.vocab import Severity, Status

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SITE = "http://www.demo.gov.test"
ZWGK = f"{SITE}/zwgk/"
FULL = {
    "index_no": "11350100MB1520637K/2026-00001",
    "publisher": "示例市人民政府办公室",
    "publish_date": "2026-05-01",
    "doc_title": "示例信息",
}


def item(path: str, **meta: Any) -> dict[str, Any]:
    m = {**FULL, **meta}
    return page(f"{ZWGK}{path}", meta={k: v for k, v in m.items() if v is not None})


def parsed(fixture: str, url: str) -> dict[str, Any]:
    p = parse_html((FIXTURES / fixture).read_text(encoding="utf-8"), url)
    return page(url, title=p.title, meta=p.meta)


def run(store: Store, pages: list[dict[str, Any]], **params: Any) -> CheckOutcome:
    cfg = make_config()
    crawl_into(store, cfg, pages)
    ctx = CheckContext(
        "2026-11", cfg.sites[0], cfg, store, as_date("2026-11-30"), as_date("2026-01-01")
    )
    rubric = load_rubric()
    rubric.checks["metadata"].params.update(params)
    return build_check(rubric, "metadata").run(ctx)


def news(n: int, **meta: Any) -> list[dict[str, Any]]:
    return [item(f"tzgg/202605/t20260501_{i:03d}.html", **meta) for i in range(n)]


def test_complete_items_pass(store: Store) -> None:
    out = run(store, news(10))
    assert out.findings == [] and out.status == Status.PASS
    assert out.metrics["items"] == 10 and out.metrics["documents"] == 0
    assert out.metrics["index_no_missing"] == 0 and out.metrics["index_no_missing_pct"] == 0.0


def test_one_finding_per_element_above_the_threshold(store: Store) -> None:
    pages = news(17) + [item(f"tzgg/202605/t20260502_{i}.html", index_no=None) for i in range(3)]
    out = run(store, pages)
    [f] = out.findings
    assert (f.rule, f.severity) == ("index_no_missing", Severity.WARN)
    assert f.message == "20条信息中有3条未标注索引号（15%）"
    assert f.url == f"{ZWGK}tzgg/202605/t20260502_0.html"
    assert f.evidence == {
        "element": "索引号",
        "missing": 3,
        "checked": 20,
        "missing_pct": 15.0,
        "threshold_pct": 5.0,
        "examples": [f"{ZWGK}tzgg/202605/t20260502_{i}.html" for i in range(3)],
    }
    assert out.metrics["index_no_missing"] == 3 and out.metrics["index_no_missing_pct"] == 15.0


def test_a_share_at_the_threshold_is_tolerated(store: Store) -> None:
    pages = [*news(19), item("tzgg/202605/t20260502_1.html", publisher=None)]
    out = run(store, pages)  # 1 of 20 = 5%, not above 5%
    assert out.findings == []
    assert out.metrics["publisher_missing"] == 1 and out.metrics["publisher_missing_pct"] == 5.0


def eight_of_eighteen() -> list[dict[str, Any]]:
    return news(10) + [item(f"tzgg/202605/t20260502_{i}.html", index_no=None) for i in range(8)]


def test_threshold_comes_from_the_rubric(store: Store) -> None:
    out = run(store, eight_of_eighteen(), max_missing_share=0.5)
    assert out.findings == []  # 8 of 18 = 44%
    assert "超过5%" in build_check(load_rubric(), "metadata").describe()
    rubric = load_rubric()
    rubric.checks["metadata"].params["max_missing_share"] = 0.5
    assert "超过50%" in build_check(rubric, "metadata").describe()


def test_example_count_comes_from_the_rubric(store: Store) -> None:
    out = run(store, eight_of_eighteen(), max_missing_share=0.2, examples=2)
    [f] = out.findings
    assert len(f.evidence["examples"]) == 2 and f.evidence["missing"] == 8


def test_documents_need_doc_number_and_written_date(store: Store) -> None:
    pages = [
        # In a policy column without a 文号: a document missing its 文号.
        item(f"zcwj/202605/t20260501_{i}.html", column_name="政策文件", written_date="2026-04-28")
        for i in range(3)
    ] + [
        # A 文号 makes a document wherever it is; this one has no 成文日期.
        item("tzgg/202605/t20260503_1.html", doc_number="示政办〔2026〕3号"),
        # 解读 columns hold interpretations, not documents.
        item("zcjd/202605/t20260504_1.html", column_name="政策文件解读"),
        item("tzgg/202605/t20260505_1.html", column_name="通知公告"),
    ]
    out = run(store, pages)
    assert out.metrics["items"] == 6 and out.metrics["documents"] == 4
    got = {f.rule: f.evidence["missing"] for f in out.findings}
    assert got == {"doc_number_missing": 3, "written_date_missing": 1}
    assert all(f.severity == Severity.WARN for f in out.findings)
    f = next(f for f in out.findings if f.rule == "doc_number_missing")
    assert f.message == "4条政策文件中有3条未标注文号（75%）"


def test_home_entry_index_list_and_outside_pages_are_not_items(store: Store) -> None:
    bare: dict[str, Any] = {"doc_title": "政务公开"}
    pages = [
        page(f"{SITE}/", is_home=True, meta=bare),
        page(ZWGK, meta=bare),  # the disclosure entry
        page(f"{ZWGK}tzgg/", meta=bare),
        page(f"{ZWGK}tzgg/index_1.html", meta=bare),
        page(f"{ZWGK}col/col1237/index.html", meta=bare),
        page(f"{ZWGK}tzgg/list.shtml", meta=bare),
        # A list at an unusual address: no element and no article URL.
        page(f"{ZWGK}search.jsp?columnid=12", meta=bare),
        page(f"{ZWGK}tzgg/more.html", meta={"list": {"items": 20}, **bare}),
        # Outside the disclosure column.
        page(f"{SITE}/xwzx/202605/t20260501_9.html", meta=bare),
        # Not a page a visitor sees.
        page(f"{ZWGK}tzgg/202605/t20260501_8.html", status=404, meta=bare),
        # An item with an article URL but no element at all: counted, and missing.
        page(f"{ZWGK}tzgg/202605/t20260501_7.html", meta=bare),
    ]
    out = run(store, pages)
    assert out.metrics["items"] == 1
    assert {f.rule for f in out.findings} == {
        "index_no_missing",
        "publisher_missing",
        "publish_date_missing",
    }
    assert {f.url for f in out.findings} == {f"{ZWGK}tzgg/202605/t20260501_7.html"}


def test_parsed_items_in_trs_hanweb_avalon_and_plain_markup(store: Store) -> None:
    pages = [
        parsed("trs_policy.html", f"{ZWGK}zcwj/202603/t20260310_40203.html"),
        parsed("hanweb_item_no_index.html", f"{ZWGK}art/2025/3/18/art_1237_56501.html"),
        # 发布机构 from 来源, 成文日期 from the signature, 文号 printed alone.
        parsed("avalon_policy.html", f"{ZWGK}zc/xzgfxwjk/202606/t20260609_30202.htm"),
        parsed("plain_notice.html", f"{ZWGK}tzgg/2026/0915/881.html"),
    ]
    out = run(store, pages)
    assert out.metrics["items"] == 4
    assert out.metrics["documents"] == 2  # the TRS 政策文件 and the avalon 文件库 page
    assert out.metrics["publisher_missing"] == 0
    assert out.metrics["written_date_missing"] == 0
    assert out.metrics["doc_number_missing"] == 0
    [f] = out.findings
    assert f.rule == "index_no_missing"
    assert f.evidence["examples"] == [
        f"{ZWGK}art/2025/3/18/art_1237_56501.html",  # the empty 索引号 cell
        f"{ZWGK}tzgg/2026/0915/881.html",
        f"{ZWGK}zc/xzgfxwjk/202606/t20260609_30202.htm",
    ]


def test_no_items_is_skipped(store: Store) -> None:
    out = run(store, [page(f"{SITE}/", is_home=True), page(ZWGK)])
    assert out.status == Status.SKIPPED and out.findings == []
    assert out.metrics == {"items": 0, "documents": 0}
