"""findings.xlsx and findings.csv from a hand-built store: one row per failing
finding, ranking, readable evidence, and crawled text that never becomes a formula."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.conftest import crawl_into, make_config, page
from zwgk.reports.exports import (
    CSV_HEADERS,
    FINDING_HEADERS,
    SUMMARY_HEADERS,
    csv_safe,
    sheet_names,
    write_exports,
)
from zwgk.reports.render import build_view, write_reports
from zwgk.store import Store

RUN = "2026-11"
EVIL = '=HYPERLINK("http://evil.test/","点此领奖")'
PLUS = "+1 个栏目未更新"
MINUS = "-2 条链接失效"
AT = "@SUM(A1:A9)"
NOT_A_URL = "=cmd|' /C calc'!A0"
LONG_NAME = "@SUM(1)[县]人民政府:政务/公开*网站?监测一二三四五六七八九十"
LONG_SHEET = "@SUM(1)_县_人民政府_政务_公开_网站_监测一二三四五"


def finding(rule: str, severity: str, message: str, url: Any, **kw: Any) -> dict[str, Any]:
    return {
        "rule": rule,
        "severity": severity,
        "message": message,
        "url": url,
        "source_url": kw.pop("source_url", None),
        "evidence": kw.pop("evidence", {}),
    }


def add_site(
    store: Store,
    sid: str,
    name: str,
    check: str | None = None,
    findings: list[dict[str, Any]] | None = None,
    score: float | None = None,
    vetoed: list[str] | None = None,
) -> None:
    home = f"http://www.{sid}.gov.test/"
    cfg = make_config(id=sid, name=name, home=home, disclosure=[home + "zwgk/"])
    crawl_into(store, cfg, [page(home, is_home=True, depth=0, title=EVIL)], run_id=RUN)
    if check is None:
        return  # crawled, never checked: no score, no findings
    store.replace_check_result(RUN, sid, check, "1.0", "fail", {}, findings or [])
    store.replace_score(
        RUN,
        sid,
        score=score,
        max_score=20.0,
        vetoed=vetoed or [],
        checks={check: {"status": "fail", "metrics": {}, "score": score, "weight": 20.0}},
    )


def fill(store: Store) -> None:
    add_site(
        store,
        "demo",
        "示例市人民政府",
        "links",
        [
            finding(
                "http_4xx",
                "fail",
                EVIL,
                "http://www.demo.gov.test/a.html",
                source_url="http://www.demo.gov.test/",
                evidence={
                    "outcome": "http_4xx",
                    "http_status": 404,
                    "on_home": True,
                    "occurrence_count": 2,
                    "occurrences": [
                        {
                            "source_url": "http://www.demo.gov.test/",
                            "text": EVIL,
                            "element": "a",
                            "on_home": True,
                        },
                        {
                            "source_url": "http://www.demo.gov.test/zwgk/",
                            "text": "领奖",
                            "element": "img",
                            "on_home": False,
                        },
                    ],
                    "detail": {
                        "content_type": "text/html",
                        "redirects": ["http://www.demo.gov.test/a", "http://www.demo.gov.test/b"],
                    },
                },
            ),
            finding(
                "fragment_missing",
                "warn",
                PLUS,
                NOT_A_URL,
                source_url="javascript:alert(1)",
            ),
            finding("blocked", "info", "仅供提示（不计入整改清单）", "http://www.demo.gov.test/x"),
        ],
        score=18.0,
    )
    add_site(
        store,
        "evil",
        LONG_NAME,
        "links",
        [
            finding("http_5xx", "fail", AT, "https://www.evil.gov.test/x"),
            finding("timeout", "fail", MINUS, "http://www.evil.gov.test/y"),
            finding("blocked", "info", "仅供提示（不计入整改清单）", None),
        ],
        score=10.0,
    )
    # Same name as the first site: its sheet name must still be unique.
    add_site(
        store,
        "twin",
        "示例市人民政府",
        "structure",
        [finding("home_unreachable", "fail", "网站首页无法访问", "http://www.twin.gov.test/")],
        score=0.0,
        vetoed=["structure.home_unreachable"],
    )
    add_site(store, "nocheck", "未检查县人民政府")


def failing_in_store(store: Store, site: str) -> int:
    return sum(1 for f in store.findings(RUN, site) if f.severity in ("fail", "warn"))


@pytest.fixture
def out(store: Store, tmp_path: Path) -> Path:
    fill(store)
    paths = write_reports(store, RUN, tmp_path)
    root = tmp_path / RUN
    assert root / "findings.xlsx" in paths and root / "findings.csv" in paths
    return root


def rows(ws: Any) -> list[tuple[Any, ...]]:
    return list(ws.iter_rows(min_row=2, values_only=True))


def test_summary_sheet_ranks_every_site(out: Path) -> None:
    wb = openpyxl.load_workbook(out / "findings.xlsx")
    assert wb.sheetnames == [
        "汇总",
        "示例市人民政府",
        LONG_SHEET,
        "示例市人民政府(2)",
        "未检查县人民政府",
    ]
    ws = wb["汇总"]
    assert [c.value for c in ws[1]] == list(SUMMARY_HEADERS)
    h = {name: i for i, name in enumerate(SUMMARY_HEADERS)}
    got = rows(ws)
    assert [(r[h["排名"]], r[h["网站编号"]]) for r in got] == [
        (1, "demo"),
        (2, "evil"),
        (3, "twin"),
        (None, "nocheck"),
    ]
    demo = got[0]
    assert demo[h["网站名称"]] == "示例市人民政府"
    assert (demo[h["得分"]], demo[h["满分"]]) == (18, 20)
    assert (demo[h["不合格问题数"]], demo[h["需关注问题数"]], demo[h["提示数"]]) == (1, 1, 1)
    assert demo[h["首页网址"]] == "http://www.demo.gov.test/"
    # The veto is named in Chinese, not as a check.rule id.
    assert got[2][h["单项否决"]] == "专栏结构与年度报告：网站首页无法访问"
    # Without the optional keys the columns stay empty.
    assert all(r[h["结论"]] is None and r[h["较上月"]] is None for r in got)


def test_one_row_per_failing_finding(store: Store, out: Path) -> None:
    wb = openpyxl.load_workbook(out / "findings.xlsx")
    sheets = dict(zip(["demo", "evil", "twin", "nocheck"], wb.sheetnames[1:], strict=True))
    total = 0
    for site, sheet in sheets.items():
        ws = wb[sheet]
        assert [c.value for c in ws[1]] == list(FINDING_HEADERS)
        data = rows(ws)
        expected = failing_in_store(store, site)
        total += expected
        assert len(data) == expected, site
        assert [r[0] for r in data] == list(range(1, expected + 1))
        assert {r[1] for r in data} <= {"不合格", "需关注"}
    assert total == 5  # 2 + 2 + 1 + 0: the info findings are not listed
    demo = rows(wb["示例市人民政府"])
    assert [(r[1], r[2], r[3]) for r in demo] == [
        ("不合格", "错链断链", "链接目标不存在（4xx）"),
        ("需关注", "错链断链", "页内锚点不存在"),
    ]
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            assert "仅供提示（不计入整改清单）" not in row


def test_crawled_text_is_never_a_formula(out: Path) -> None:
    path = out / "findings.xlsx"
    wb = openpyxl.load_workbook(path)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert cells and all(c.data_type != "f" for c in cells)
    by_value = {c.value: c for c in cells if isinstance(c.value, str)}
    for text in (EVIL, PLUS, MINUS, AT, NOT_A_URL, LONG_NAME):
        cell = by_value[text]  # the text is intact …
        assert cell.data_type == "s", text  # … and a string cell
    assert by_value[EVIL].quotePrefix  # stays text when edited in Excel
    # No formula element anywhere in the file itself.
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name)


def test_hyperlinks_only_on_http_urls(out: Path) -> None:
    wb = openpyxl.load_workbook(out / "findings.xlsx")
    ws = wb["示例市人民政府"]
    url, src = FINDING_HEADERS.index("问题网址") + 1, FINDING_HEADERS.index("所在页面") + 1
    first, second = ws.cell(2, url), ws.cell(2, src)
    assert first.hyperlink is not None and first.hyperlink.target == first.value
    assert second.hyperlink is not None and second.hyperlink.target == "http://www.demo.gov.test/"
    # "=cmd|…" and javascript: are shown, never linked.
    assert ws.cell(3, url).value == NOT_A_URL and ws.cell(3, url).hyperlink is None
    assert ws.cell(3, src).value == "javascript:alert(1)" and ws.cell(3, src).hyperlink is None
    evil = wb[LONG_SHEET].cell(2, url)
    assert evil.hyperlink is not None and evil.hyperlink.target == "https://www.evil.gov.test/x"
    home = wb["汇总"].cell(2, SUMMARY_HEADERS.index("首页网址") + 1)
    assert home.hyperlink is not None and home.hyperlink.target == "http://www.demo.gov.test/"
    targets = [
        c.hyperlink.target
        for w in wb.worksheets
        for row in w.iter_rows()
        for c in row
        if c.hyperlink is not None
    ]
    assert targets and all(t.startswith(("http://", "https://")) for t in targets)


def test_evidence_is_readable_chinese(out: Path) -> None:
    wb = openpyxl.load_workbook(out / "findings.xlsx")
    ws = wb["示例市人民政府"]
    text = ws.cell(2, FINDING_HEADERS.index("证据") + 1).value
    lines = text.split("\n")
    assert lines[:4] == [
        "检查结果：链接目标不存在（4xx）",
        "HTTP状态码：404",
        "是否在首页：是",
        "出现次数：2",
    ]
    assert "出现位置：" in lines
    assert (
        f"　1. 所在页面：http://www.demo.gov.test/；链接文字：{EVIL}；元素：链接；是否在首页：是"
        in lines
    )
    assert "　跳转经过：http://www.demo.gov.test/a、http://www.demo.gov.test/b" in lines
    for word in ("outcome", "on_home", "occurrences", "img", "True", "{", "}", '": '):
        assert word not in text.replace(EVIL, ""), word
    # Multi-line evidence wraps; an empty evidence leaves the cell empty.
    assert ws.cell(2, FINDING_HEADERS.index("证据") + 1).alignment.wrap_text
    assert ws.cell(3, FINDING_HEADERS.index("证据") + 1).value is None


def test_header_frozen_filtered_and_widths_fit(out: Path) -> None:
    wb = openpyxl.load_workbook(out / "findings.xlsx")
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert all(c.font.bold for c in ws[1])
        last = openpyxl.utils.get_column_letter(ws.max_column)
        assert ws.auto_filter.ref == f"A1:{last}{ws.max_row}", ws.title
        widths = [ws.column_dimensions[c.column_letter].width for c in ws[1]]
        assert all(8 <= w <= 80 for w in widths), (ws.title, widths)
    ws = wb["示例市人民政府"]
    width = {
        h: ws.column_dimensions[c.column_letter].width
        for h, c in zip(FINDING_HEADERS, ws[1], strict=True)
    }
    assert width["序号"] == 8 and width["证据"] == 80
    # 问题描述 fits its widest text, EVIL: 4 CJK characters count double, 2 of padding.
    assert width["问题描述"] == len(EVIL) + 4 + 2


def test_csv_has_bom_quotes_and_defused_formulas(store: Store, out: Path) -> None:
    raw = (out / "findings.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw  # RFC 4180 line ends
    with (out / "findings.csv").open(encoding="utf-8-sig", newline="") as fh:
        parsed = list(csv.reader(fh))
    assert parsed[0] == list(CSV_HEADERS)
    data = parsed[1:]
    assert len(data) == sum(failing_in_store(store, s) for s in ("demo", "evil", "twin", "nocheck"))
    assert [(r[1], r[2]) for r in data] == [
        ("demo", "1"),
        ("demo", "2"),
        ("evil", "1"),
        ("evil", "2"),
        ("twin", "1"),
    ]
    msg, url = CSV_HEADERS.index("问题描述"), CSV_HEADERS.index("问题网址")
    assert data[0][msg] == "'" + EVIL
    assert data[1][msg] == "'" + PLUS and data[1][url] == "'" + NOT_A_URL
    assert data[2][0] == "'" + LONG_NAME and data[2][msg] == "'" + AT
    assert data[3][msg] == "'" + MINUS
    assert data[0][url] == "http://www.demo.gov.test/a.html"  # harmless text untouched
    # A multi-line evidence survives the quoting.
    assert data[0][CSV_HEADERS.index("证据")].split("\n")[0] == "检查结果：链接目标不存在（4xx）"


def test_optional_keys_are_exported_when_present(store: Store, tmp_path: Path) -> None:
    fill(store)
    view = build_view(store, RUN)
    for site in view["sites"]:
        site.update(verdict="不合格", region="示例市", kind_label="人民政府门户", delta=-1.5)
        for f in site["findings"]:
            f["remedy"] = "请修复或删除该链接"
    view["sites"][0]["delta"] = None
    written = write_exports(view, tmp_path)
    assert written == [tmp_path / "findings.xlsx", tmp_path / "findings.csv"]
    wb = openpyxl.load_workbook(written[0])
    h = {name: i + 1 for i, name in enumerate(SUMMARY_HEADERS)}
    ws = wb["汇总"]
    assert ws.cell(3, h["结论"]).value == "不合格"
    assert ws.cell(3, h["所属地区"]).value == "示例市"
    assert ws.cell(3, h["网站类型"]).value == "人民政府门户"
    assert ws.cell(3, h["较上月"]).value == -1.5 and ws.cell(3, h["较上月"]).data_type == "n"
    assert ws.cell(3, h["较上月"]).number_format.startswith("+")
    assert ws.cell(2, h["较上月"]).value is None
    remedy = FINDING_HEADERS.index("整改建议") + 1
    assert wb["示例市人民政府"].cell(2, remedy).value == "请修复或删除该链接"
    with written[1].open(encoding="utf-8-sig", newline="") as fh:
        assert {r["整改建议"] for r in csv.DictReader(fh)} == {"请修复或删除该链接"}


def test_sheet_names_valid_unique_deterministic() -> None:
    sites = [
        {"site": "a", "name": "汇总"},
        {"site": "b", "name": "History"},
        {"site": "c", "name": "Abc"},
        {"site": "d", "name": "aBC"},
        {"site": "e", "name": "[]:*?/\\"},
        {"site": "f", "name": "'  '"},
        {"site": "g", "name": "长" * 40},
        {"site": "h", "name": "长" * 40},
    ]
    names = sheet_names(sites)
    assert names == [
        "汇总(2)",
        "History(2)",
        "Abc",
        "aBC(2)",
        "_______",
        "f",
        "长" * 31,
        "长" * 28 + "(2)",
    ]
    assert names == sheet_names(sites)
    assert len({n.casefold() for n in names} | {"汇总"}) == len(names) + 1


def test_csv_safe() -> None:
    for bad in ("=1+1", "+1", "-2", "@SUM(1)", "\tx", "\rx"):
        assert csv_safe(bad) == "'" + bad
    assert csv_safe("http://a/") == "http://a/"
    assert csv_safe("a\x00b") == "ab"
    assert csv_safe(5) == 5 and csv_safe(None) is None
