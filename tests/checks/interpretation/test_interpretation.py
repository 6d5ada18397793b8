"""The `interpretation` check (政策解读).

Three layers:

- the labelled fixture set (tests/checks/interpretation/fixtures): four portals in
  four CMS markups, every document parsed with ``crawler.extract`` exactly as
  the spider does, stored, checked, and compared with its label, one test per
  document, named after the case it covers;
- hand-built stores for what the fixtures do not show (a calendar year
  chinese_calendar lacks, navigation side boxes, rubric overrides, …);
- the real pipeline on the bundled sample province: every planted
  interpretation defect is found and nothing else fails.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import chinese_calendar
import pytest
import yaml

from tests.conftest import REPO, crawl_into, link, make_config, page
from zwgk.checks import CheckContext, CheckOutcome, Severity
from zwgk.checks.interpretation import (
    Analysis,
    InterpretationCheck,
    interpretation_cores,
    load_rules,
    policy_cores,
    title_score,
    working_days_after,
)
from zwgk.config import ConfigError
from zwgk.crawler.extract import decode_html, parse_html, text_hash
from zwgk.scoring import build_check, load_rubric
from zwgk.store import Store

FIXTURES = Path(__file__).resolve().parent / "fixtures"
LABELS: dict[str, Any] = yaml.safe_load((FIXTURES / "labels.yaml").read_text(encoding="utf-8"))[
    "sites"
]

# What each verdict must produce as findings on the policy's URL.
STATUS_RULE = {
    "missing": ("missing", Severity.FAIL),
    "unlinked": ("unlinked", Severity.FAIL),
    "link_unverified": ("link_unverified", Severity.WARN),
    "pending": ("pending", Severity.INFO),
}
FLAG_RULE = {
    "late": Severity.FAIL,
    "formal": Severity.WARN,
    "no_contact": Severity.WARN,
    "one_way": Severity.INFO,
}


# -- the fixture set -------------------------------------------------------------------


def page_item(site_id: str, file: str) -> dict[str, Any]:
    """A stored page as crawler/spiders/portal.py's PageItem makes it."""
    url = LABELS[site_id]["base"] + file
    body = (FIXTURES / site_id / file).read_bytes()
    text, encoding = decode_html(body, None)
    parsed = parse_html(text, url)
    return {
        "url": url,
        "final_url": url,
        "fetch_status": "ok",
        "status": 200,
        "depth": file.count("/"),
        "is_home": False,
        "content_type": "text/html",
        "size": len(body),
        "encoding": encoding,
        "title": parsed.title,
        "meta": parsed.meta,
        "text": parsed.text,
        "text_len": len(parsed.text),
        "text_hash": text_hash(parsed.text) if parsed.text else None,
        "fragment_ids": parsed.fragment_ids,
        "links": [lk.as_dict() for lk in parsed.links],
    }


@dataclass
class Checked:
    site: dict[str, Any]
    analysis: Analysis
    outcome: CheckOutcome
    pages: dict[str, dict[str, Any]]

    def url(self, file: str) -> str:
        return str(self.site["base"]) + file

    def findings(self, file: str) -> list[tuple[str, Severity]]:
        url = self.url(file)
        return sorted((f.rule, f.severity) for f in self.outcome.findings if f.url == url)


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Checked]]:
    tmp = tmp_path_factory.mktemp("interp")
    out, stores = {}, []
    for site_id, site in LABELS.items():
        files = [d["file"] for d in site["documents"]] + [x["file"] for x in site["lists"]]
        pages = [page_item(site_id, f) for f in files]
        cfg = make_config(
            id=site_id, name=site["name"], home=site["base"], disclosure=[site["base"] + "zwgk/"]
        )
        store = Store(str(tmp / f"{site_id}.db"))
        stores.append(store)
        crawl_into(store, cfg, pages)
        ctx = CheckContext(
            "2026-11",
            cfg.sites[0],
            cfg,
            store,
            dt.date.fromisoformat(site["as_of"]),
            dt.date.fromisoformat(site["period_start"]),
        )
        check = build_check(load_rubric(), InterpretationCheck.id)
        out[site_id] = Checked(
            site, check.analyse(ctx), check.run(ctx), {p["url"]: p for p in pages}
        )
    yield out
    for s in stores:
        s.dispose()


def _documents() -> list[Any]:
    params = []
    for site_id, site in LABELS.items():
        for doc in site["documents"]:
            params.append(pytest.param(site_id, doc, id=f"{site_id}/{doc['id']}-{doc['kind']}"))
    return params


@pytest.mark.parametrize(("site_id", "doc"), _documents())
def test_fixture_document(checked: dict[str, Checked], site_id: str, doc: dict[str, Any]) -> None:
    c = checked[site_id]
    a = c.analysis
    url = c.url(doc["file"])
    case = f"[{doc['id']}] {doc['case']}"
    judged = {j.policy.url: j for j in a.judgments}
    policy_urls = {p.url for p in a.policies}
    copies = {u for p in a.policies for u in p.other_urls}
    interps = {i.url: i for i in a.interpretations}
    if doc["kind"] == "policy":
        status = doc["status"]
        if status == "out_of_period":
            assert url in {p.url for p in a.out_of_period}, case
            assert url not in judged and not c.findings(doc["file"]), case
            return
        if status == "merged":
            assert url in copies and url not in judged, case
            assert c.url(doc["copy_of"]) in judged, case
            assert not c.findings(doc["file"]), case
            return
        assert url in judged, f"{case}: not taken for a policy document"
        j = judged[url]
        assert (j.status, sorted(j.flags)) == (status, doc["flags"]), case
        expected = [STATUS_RULE[status]] if status in STATUS_RULE else []
        expected += [(flag, FLAG_RULE[flag]) for flag in doc["flags"]]
        assert c.findings(doc["file"]) == sorted(expected), case
    elif doc["kind"] == "interpretation":
        if not doc["exists"]:
            assert url not in interps, f"{case}: published after as_of, must not count"
            return
        assert url in interps, f"{case}: not taken for an interpretation"
        assert interps[url].form == doc["form"], case
        if doc["policy"] is None:
            assert url in {i.url for i in a.unmatched}, case
            return
        j = judged[c.url(doc["policy"])]
        found = {m.interp.url: m for m in j.matches}
        assert url in found, f"{case}: not matched to its policy"
        assert found[url].method == doc["method"], case
    else:
        assert url not in policy_urls | copies, f"{case}: taken for a policy document"
        assert url not in interps, f"{case}: taken for an interpretation"
        assert not c.findings(doc["file"]), case
        if doc["reason"] not in ("not a candidate", "news"):
            assert url in a.excluded.get(doc["reason"], []), (case, a.excluded)


def test_fixture_set_covers_the_required_cases() -> None:
    docs = [(s, d) for s, site in LABELS.items() for d in site["documents"]]
    assert len(docs) >= 40
    assert set(LABELS) == {"trs", "hanweb", "avalon", "word"}  # four CMS markups
    kinds = Counter(d["kind"] for _, d in docs)
    assert kinds["policy"] >= 20 and kinds["interpretation"] >= 15 and kinds["other"] >= 10
    statuses = Counter(d["status"] for _, d in docs if d["kind"] == "policy")
    assert {"linked", "unlinked", "missing", "pending", "out_of_period", "merged"} <= set(statuses)
    flags = Counter(f for _, d in docs for f in d.get("flags", []))
    assert {"late", "formal", "no_contact", "one_way"} <= set(flags)
    reasons = {d["reason"] for _, d in docs if d["kind"] == "other"}
    assert {
        "人事任免",
        "转发文件",
        "批复函件",
        "表彰通报",
        "机构调整",
        "公示公告",
        "上级或外单位文件",
    } <= reasons
    forms = {d["form"] for _, d in docs if d["kind"] == "interpretation"}
    assert forms == {"text", "image", "video", "qa"}
    methods = {d.get("method") for _, d in docs if d["kind"] == "interpretation"}
    assert {"link", "title", "doc_number", "body"} <= methods


def test_fixtures_are_what_the_generator_writes() -> None:
    sys.path.insert(0, str(FIXTURES))
    try:
        import make_fixtures
    finally:
        sys.path.remove(str(FIXTURES))
    files, labels = make_fixtures.render()
    on_disk = {
        p.relative_to(FIXTURES).as_posix()
        for p in FIXTURES.rglob("*")
        if p.is_file() and p.suffix in (".html", ".htm")
    }
    assert on_disk == set(files), "run tests/checks/interpretation/fixtures/make_fixtures.py"
    for key, data in files.items():
        assert (FIXTURES / key).read_bytes() == data, key
    assert (FIXTURES / "labels.yaml").read_text(encoding="utf-8") == labels


def _mon_fri_days(start: dt.date, end: dt.date) -> int:
    return sum(
        (start + dt.timedelta(days=i)).weekday() < 5 for i in range(1, (end - start).days + 1)
    )


def _official_days(start: dt.date, end: dt.date) -> int:
    return sum(
        chinese_calendar.is_workday(start + dt.timedelta(days=i))
        for i in range(1, (end - start).days + 1)
    )


def test_national_day_cases_are_ones_where_mon_fri_counting_is_wrong() -> None:
    """The calendar fixtures: by the official 2025 calendar (holidays 10-01..08,
    make-up working days Sun 09-28 and Sat 10-11) their lateness differs from a
    Mon–Fri count, in both directions."""
    assert chinese_calendar.is_workday(dt.date(2025, 9, 28))  # Sunday, make-up day
    assert chinese_calendar.is_workday(dt.date(2025, 10, 11))  # Saturday, make-up day
    assert not chinese_calendar.is_workday(dt.date(2025, 10, 8))  # Wednesday, holiday
    directions = set()
    for site in LABELS.values():
        by_file = {d["file"]: d for d in site["documents"]}
        for pol in site["documents"]:
            if not pol.get("calendar_case"):
                continue
            interp = next(
                d
                for d in site["documents"]
                if d["kind"] == "interpretation" and d.get("policy") == pol["file"]
            )
            start = dt.date.fromisoformat(by_file[pol["file"]]["date"])
            end = dt.date.fromisoformat(interp["date"])
            official, mon_fri = _official_days(start, end), _mon_fri_days(start, end)
            late = official > 3
            assert late != (mon_fri > 3), (pol["id"], official, mon_fri)
            assert late == ("late" in pol["flags"]), pol["id"]
            assert working_days_after(start, end) == (official, set())
            directions.add(late)
    assert directions == {True, False}


def test_late_finding_evidence_can_be_verified(checked: dict[str, Checked]) -> None:
    c = checked["trs"]
    file = "zwgk/zcwj/202509/t20250925_1003.html"
    f = next(f for f in c.outcome.findings if f.url == c.url(file) and f.rule == "late")
    ev = f.evidence
    assert ev["policy"] == {
        "title": "天城市人民政府关于印发《天城市城市更新行动实施方案》的通知",
        "doc_number": "天政发〔2025〕15号",
        "url": c.url(file),
        "publish_date": "2025-09-25",
        "columns": ["政策文件"],
        "why_policy": "标题",
        "other_urls": [],
    }
    (interp,) = ev["interpretations"]
    assert interp["url"] == f.source_url == c.url("zwgk/zcjd/202509/t20250930_2003.html")
    assert interp["publish_date"] == "2025-09-30" and interp["working_days"] == 4
    assert interp["match"]["method"] == "link" and interp["match"]["score"] == 1.0
    assert interp["policy_links_interpretation"] and interp["interpretation_links_policy"]
    assert ev["working_days"] == 4 and ev["deadline"] == "2025-09-29"
    assert "调休" in ev["calendar"]
    assert "4个工作日" in f.message and "同步发布" in f.message


def test_formal_evidence_shows_the_overlap(checked: dict[str, Checked]) -> None:
    c = checked["hanweb"]
    (f,) = [f for f in c.outcome.findings if f.rule == "formal"]
    (o,) = f.evidence["overlap"]
    assert o["copy_ratio"] >= 0.7 and o["formal"] and o["longest_copied"]
    c = checked["word"]
    (f,) = [f for f in c.outcome.findings if f.rule == "formal"]
    (o,) = f.evidence["overlap"]
    # Headings only: little is copied verbatim, but every chapter heading is.
    assert o["copy_ratio"] < 0.7 and o["headings_repeated"] == o["headings"] == 6
    assert o["own_chars"] < 120
    # A genuine interpretation quoting two provisions is far below the threshold.
    w09 = next(j for j in c.analysis.judgments if j.policy.url.endswith("/509.html"))
    assert w09.overlap and w09.overlap[0]["copy_ratio"] < 0.5


def test_fixture_metrics(checked: dict[str, Checked]) -> None:
    for site_id, c in checked.items():
        pols = [
            d
            for d in c.site["documents"]
            if d["kind"] == "policy" and d["status"] not in ("out_of_period", "merged")
        ]
        due = [d for d in pols if d["status"] != "pending"]
        interpreted = [d for d in due if d["status"] != "missing"]
        late = sum("late" in d["flags"] for d in pols)
        m = c.outcome.metrics
        assert m["policies_found"] == len(pols), site_id
        assert m["policies_due"] == len(due), site_id
        assert m["with_interpretation"] == len(interpreted), site_id
        assert m["linked"] == sum(d["status"] == "linked" for d in pols), site_id
        assert m["late"] == late and m["on_time"] == len(interpreted) - late, site_id
        assert m["formal"] == sum("formal" in d["flags"] for d in pols), site_id
        assert m["with_interpretation_pct"] == round(100 * len(interpreted) / len(due), 1)
        assert m["calendar_fallback_years"] == []
        json.dumps(m)  # scores.json carries them as they are
    assert checked["trs"].outcome.metrics["excluded_by_reason"] == {
        "人事任免": 1,
        "公示公告": 1,
        "批复函件": 1,
        "转发文件": 1,
    }


# -- hand-built stores ------------------------------------------------------------------------

HOME = "http://www.demo.gov.test/"
ZCWJ = HOME + "zwgk/zcwj/"
ZCJD = HOME + "zwgk/zcjd/"


def doc_page(
    url: str,
    title: str,
    date: str,
    text: str = "",
    links: list[dict[str, Any]] | None = None,
    **meta: Any,
) -> dict[str, Any]:
    body = text or f"各有关单位：现将《{title}》印发给你们。一、总体要求 认真贯彻执行。"
    return page(
        url,
        title=title,
        meta={"doc_title": title, "article_title": title, "publish_date": date, **meta},
        text=body,
        text_len=len(body),
        links=links or [],
    )


def run_check(
    store: Store,
    pages: list[dict[str, Any]],
    as_of: str = "2026-11-30",
    start: str = "2026-01-01",
    params: dict[str, Any] | None = None,
) -> tuple[CheckOutcome, Analysis]:
    cfg = make_config()
    crawl_into(store, cfg, pages)
    ctx = CheckContext(
        "2026-11",
        cfg.sites[0],
        cfg,
        store,
        dt.date.fromisoformat(as_of),
        dt.date.fromisoformat(start),
    )
    check = InterpretationCheck(params, severities=load_rubric().severities(InterpretationCheck.id))
    return check.run(ctx), check.analyse(ctx)


def rules_of(outcome: CheckOutcome) -> list[tuple[str, str]]:
    return sorted((f.rule, f.severity.value) for f in outcome.findings)


def column_list(url: str, name: str, items: list[tuple[str, str]]) -> dict[str, Any]:
    return page(
        url,
        title=f"{name}_示例市人民政府",
        meta={"column_name": name},
        links=[link(u, t) for u, t in items],
    )


def test_year_without_calendar_data_falls_back_to_mon_fri(store: Store) -> None:
    year = next(y for y in range(2026, 2200) if _no_calendar(y))
    monday = next(dt.date(year, 3, d) for d in range(1, 8) if dt.date(year, 3, d).weekday() == 0)
    pol_url, jd_url = ZCWJ + "p1.html", ZCJD + "j1.html"
    title = "示例市人民政府关于印发《示例市河长制工作办法》的通知"
    pages = [
        column_list(ZCWJ, "政策文件", [(pol_url, title)]),
        doc_page(
            pol_url,
            title,
            monday.isoformat(),
            doc_number=f"示政规〔{year}〕1号",
            links=[link(jd_url, "相关解读")],
        ),
        doc_page(
            jd_url,
            "《示例市河长制工作办法》解读",
            (monday + dt.timedelta(7)).isoformat(),
            text="一、背景 …… 咨询电话：0710-1234567",
            links=[link(pol_url, "原文")],
        ),
    ]
    out, _ = run_check(store, pages, as_of=f"{year}-12-31", start=f"{year}-01-01")
    assert rules_of(out) == [("late", "fail")]
    ev = out.findings[0].evidence
    assert ev["working_days"] == 5  # Tue–Fri and the next Monday
    assert f"无{year}年" in ev["calendar"] and "周一至周五" in ev["calendar"]
    assert out.metrics["calendar_fallback_years"] == [year]


def _no_calendar(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return True
    return False


def test_script_loaded_related_box_is_a_warning_not_a_failure(store: Store) -> None:
    """A page whose 相关解读 is filled by AJAX (meta.related_dynamic, to be set
    by crawler/extract.py) cannot show its link in the static HTML."""
    pol_url, jd_url = ZCWJ + "p1.html", ZCJD + "j1.html"
    title = "示例市人民政府关于印发《示例市海岛民宿管理办法》的通知"
    pages = [
        column_list(ZCWJ, "政策文件", [(pol_url, title)]),
        doc_page(pol_url, title, "2026-07-22", related_dynamic="相关解读"),
        doc_page(
            jd_url,
            "《示例市海岛民宿管理办法》解读",
            "2026-07-22",
            text="一、背景 …… 咨询电话：0710-1234567",
        ),
    ]
    out, _ = run_check(store, pages)
    assert rules_of(out) == [("link_unverified", "warn")]


def test_side_box_linking_every_policy_is_not_a_match(store: Store) -> None:
    """An interpretation page whose 最新文件 box links six policies is matched
    only to the one its title names; the other five stay missing."""
    titles = [f"示例市人民政府关于印发《示例市第{n}类事项管理办法》的通知" for n in "一二三四五六"]
    urls = [ZCWJ + f"p{i}.html" for i in range(6)]
    jd_url = ZCJD + "j1.html"
    pages = [column_list(ZCWJ, "政策文件", list(zip(urls, titles, strict=True)))]
    pages += [doc_page(u, t, "2026-05-06") for u, t in zip(urls, titles, strict=True)]
    pages.append(
        doc_page(
            jd_url,
            "《示例市第三类事项管理办法》解读",
            "2026-05-06",
            text="一、背景 …… 咨询电话：0710-1234567",
            links=[link(u, t) for u, t in zip(urls, titles, strict=True)],
        )
    )
    _, a = run_check(store, pages)
    by_url = {j.policy.url: j for j in a.judgments}
    assert by_url[urls[2]].status == "linked" and by_url[urls[2]].flags == ["one_way"]
    assert sorted(j.status for j in a.judgments) == ["linked"] + ["missing"] * 5


# (title, verdict): "policy", or the reason it needs no interpretation. Each
# policy holds a word an exclusion used to swallow it by.
EXCLUSION_TITLES = [
    ("示例市企业上市挂牌培育若干措施", "policy"),
    ("示例市人民政府关于印发示例市企业上市挂牌培育若干措施的通知", "policy"),
    ("示例市人民政府关于印发示例市困难群众慰问金发放管理办法的通知", "policy"),
    ("示例市政府采购管理办法", "policy"),
    ("示例市突发事件信息报告办法", "policy"),
    ("示例市公务员职务与职级并行规定实施办法", "policy"),
    ("示例市见义勇为人员表彰奖励办法", "policy"),
    ("示例市行政执法公示办法", "policy"),
    ("示例市重点保护野生植物名录管理办法", "policy"),
    ("示例市网民留言答复办理规定", "policy"),
    ("示例市国有建设用地使用权招标拍卖挂牌出让管理办法", "policy"),
    ("示例市招标投标管理办公室关于印发《示例市评标专家管理办法》的通知", "policy"),
    ("示例市2026-03号地块国有建设用地使用权挂牌出让方案", "公示公告"),
    ("示例市人民政府关于城北2026-05号地块拍卖挂牌出让有关事项的通知", "公示公告"),
    ("示例市2026年政府采购意向公告", "公示公告"),
    ("示例市2026年度市级预算单位政府集中采购目录公示", "公示公告"),
    ("示例市人民政府关于张三同志任职的通知", "人事任免"),
    ("示例市人民政府关于召开全市安全生产工作会议的通知", "会议新闻"),
    ("示例市人民政府关于转发《东海省城市供水管理办法》的通知", "转发文件"),
    ("示例市城市供水管理办法（征求意见稿）", "征求意见"),
    ("示例市人民政府关于表彰2026年度安全生产先进集体的决定", "表彰通报"),
    ("示例市2025年法治政府建设工作报告", "报告总结"),
    ("示例市人民政府关于公布第三批市级非物质文化遗产代表性项目名录的通知", "名单名录"),
]


def test_exclusions_match_the_kind_not_a_word_of_a_policy_title(store: Store) -> None:
    urls = [ZCWJ + f"p{i}.html" for i in range(len(EXCLUSION_TITLES))]
    titles = [t for t, _ in EXCLUSION_TITLES]
    pages = [column_list(ZCWJ, "政策文件", list(zip(urls, titles, strict=True)))]
    pages += [
        doc_page(u, t, "2026-05-06", doc_number=f"示政〔2026〕{i}号")
        for i, (u, t) in enumerate(zip(urls, titles, strict=True))
    ]
    _, a = run_check(store, pages)
    policies = {p.url for p in a.policies}
    reasons = {u: r for r, us in a.excluded.items() for u in us}
    got = [
        (t, "policy" if u in policies else reasons.get(u))
        for u, t in zip(urls, titles, strict=True)
    ]
    assert got == EXCLUSION_TITLES


def test_exclude_always_must_name_an_exclusion(tmp_path: Path) -> None:
    text = (REPO / "config" / "interpretation.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "rules.yaml"
    bad.write_text(text.replace("    - 转发文件\n", "    - 转载文件\n"), encoding="utf-8")
    with pytest.raises(ConfigError, match="转载文件"):
        load_rules(bad)


YWDT = HOME + "xwzx/ywdt/"


def test_news_items_are_interpretations_when_linked_or_titled_as_one(store: Store) -> None:
    """Items of a 要闻动态 column: one the policy's 相关解读 box links is an
    interpretation whatever its title; one titled 漫画｜《policy》 is one too;
    a meeting about the policy, an item naming no policy of the site, and items
    a 最新动态 box links from every page are not."""
    p1, p2, p3 = ZCWJ + "p1.html", ZCWJ + "p2.html", ZCWJ + "p3.html"
    t1 = "示例市人民政府关于印发《示例市企业上市挂牌培育若干措施》的通知"
    t2 = "示例市人民政府关于印发《示例市城市供水管理办法》的通知"
    t3 = "示例市人民政府关于印发《示例市河道采砂管理办法》的通知"
    n = {k: YWDT + f"{k}.html" for k in ("linked", "comic", "meeting", "other", "box1", "box2")}
    news = {
        "linked": "我市出台企业上市挂牌培育政策 最高奖励300万元",
        "comic": "漫画｜《示例市城市供水管理办法》",
        "meeting": "市水利局召开《示例市河道采砂管理办法》宣贯视频会议",
        "other": "漫画｜《东海省河道管理条例》",
        "box1": "市长调研城市更新工作",
        "box2": "示例市河道采砂整治取得阶段性成效",
    }
    box = [link(n["box1"], news["box1"]), link(n["box2"], news["box2"])]
    pages = [
        column_list(ZCWJ, "政策文件", [(p1, t1), (p2, t2), (p3, t3)]),
        column_list(YWDT, "要闻动态", [(n[k], t) for k, t in news.items()]),
        doc_page(p1, t1, "2026-05-06", links=[link(n["linked"], news["linked"]), *box]),
        doc_page(p2, t2, "2026-05-06", links=box),
        doc_page(p3, t3, "2026-05-06", links=box),
    ]
    text = "近日，我市出台新政。一、主要内容 …… 咨询电话：0710-1234567"
    pages += [
        doc_page(n[k], t, "2026-05-07", text=text, links=box if k != "box1" else [])
        for k, t in news.items()
    ]
    pages[-1]["links"] = [link(n["box1"], news["box1"])]
    _, a = run_check(store, pages)
    interps = {i.url: i for i in a.interpretations}
    assert set(interps) == {n["linked"], n["comic"]}
    assert interps[n["comic"]].form == "image"
    by_url = {j.policy.url: j for j in a.judgments}
    assert (by_url[p1].status, by_url[p1].flags) == ("linked", ["one_way"])
    assert by_url[p1].matches[0].method == "link"
    assert by_url[p2].status == "unlinked" and by_url[p2].matches[0].method == "title"
    assert by_url[p3].status == "missing"


def test_linked_news_items_count_only_under_linked_from_policy(store: Store) -> None:
    pol, item = ZCWJ + "p1.html", YWDT + "n1.html"
    t = "示例市人民政府关于印发《示例市城市供水管理办法》的通知"
    pages = [
        column_list(ZCWJ, "政策文件", [(pol, t)]),
        column_list(YWDT, "要闻动态", [(item, "我市出台城市供水新规")]),
        doc_page(pol, t, "2026-05-06", links=[link(item, "我市出台城市供水新规")]),
        doc_page(item, "我市出台城市供水新规", "2026-05-06", text="咨询电话：0710-1234567"),
    ]
    interpretation = load_rules().model_dump()["interpretation"]
    interpretation["news"]["linked_from_policy"] = False
    on, off = (
        run_check(store, pages)[1],
        run_check(store, pages, params={"interpretation": interpretation})[1],
    )
    assert [i.url for i in on.interpretations] == [item] and on.judgments[0].status == "linked"
    assert off.interpretations == [] and off.judgments[0].status == "missing"


def test_visible_title_wins_over_an_article_title_naming_the_column(store: Store) -> None:
    """ArticleTitle = 政策文件 (the column): the parser puts the visible title in
    doc_title with doc_title_from = visible, and that is the document's title."""
    pol, jd = ZCWJ + "p1.html", ZCJD + "j1.html"
    t = "示例市人民政府关于印发《示例市城市供水管理办法》的通知"
    pages = [
        column_list(ZCWJ, "政策文件", [(pol, t)]),
        doc_page(pol, t, "2026-05-06", article_title="政策文件", doc_title_from="visible"),
        doc_page(jd, "《示例市城市供水管理办法》解读", "2026-05-06", text="咨询电话：0710-1234567"),
    ]
    _, a = run_check(store, pages)
    (j,) = a.judgments
    assert j.policy.title == t and j.status == "unlinked" and j.matches[0].method == "title"


def test_body_citing_a_doc_number_in_running_text(store: Store) -> None:
    """ "根据云政发〔2026〕6号文件" cites 云政发〔2026〕6号, not 〔2026〕16号, and
    the words before the number are not part of it."""
    p6, p16, jd = ZCWJ + "p6.html", ZCWJ + "p16.html", ZCJD + "j.html"
    t6 = "示例市人民政府关于加快县域商业体系建设的实施意见"
    t16 = "示例市人民政府关于推进农村电商发展的实施意见"
    pages = [
        column_list(ZCWJ, "政策文件", [(p6, t6), (p16, t16)]),
        doc_page(p6, t6, "2026-06-09", doc_number="云政发〔2026〕6号"),
        doc_page(p16, t16, "2026-06-09", doc_number="云政发〔2026〕16号"),
        doc_page(
            jd,
            "政策解读：家门口的商业怎么建？",
            "2026-06-10",
            text="根据云政发〔2026〕6号文件精神，…… 咨询电话：0710-1234567",
        ),
    ]
    out, a = run_check(store, pages)
    by_url = {j.policy.url: j for j in a.judgments}
    assert by_url[p6].status == "unlinked" and by_url[p6].matches[0].method == "body"
    assert "文号云政发〔2026〕6号" in by_url[p6].matches[0].detail
    assert by_url[p16].status == "missing"
    assert {(f.rule, f.url) for f in out.findings} == {("unlinked", p6), ("missing", p16)}


def test_list_page_stamped_with_a_date_is_still_a_list(store: Store) -> None:
    """Some CMSs give list pages a PubDate; a page titled as its own column is
    a list all the same: its items are in the column, it is no document."""
    pol = ZCWJ + "p1.html"
    title = "示例市人民政府关于加快推进养老服务发展的通知"  # a 通知 without 印发
    pages = [
        page(
            ZCWJ,
            title="规范性文件",
            links=[link(pol, title)],
            meta={
                "column_name": "规范性文件",
                "doc_title": "规范性文件",
                "publish_date": "2026-11-20",
            },
        ),
        doc_page(pol, title, "2026-06-09"),
    ]
    _, a = run_check(store, pages)
    (j,) = a.judgments
    assert j.policy.url == pol and j.policy.reason == "规范性文件栏目"


def test_rubric_params_override_the_rules_file(store: Store) -> None:
    pol_url, jd_url = ZCWJ + "p1.html", ZCJD + "j1.html"
    title = "示例市人民政府关于印发《示例市城市照明管理办法》的通知"
    pages = [
        column_list(ZCWJ, "政策文件", [(pol_url, title)]),
        doc_page(pol_url, title, "2026-06-09", links=[link(jd_url, "解读")]),
        doc_page(
            jd_url,
            "《示例市城市照明管理办法》解读",
            "2026-06-16",
            text="一、背景 …… 咨询电话：0710-1234567",
            links=[link(pol_url, "原文")],
        ),
    ]
    out, _ = run_check(store, pages, params={"deadline_working_days": 5})
    assert rules_of(out) == []  # 5 working days: on time under a 5-day rule
    assert load_rules().deadline_working_days == 3


def test_period_and_as_of(store: Store) -> None:
    """Only documents published from period_start to as_of are judged; a
    policy whose deadline is after as_of is pending, not missing."""
    old, new, due = ZCWJ + "old.html", ZCWJ + "new.html", ZCWJ + "due.html"
    mk = "示例市人民政府关于印发《示例市{}管理办法》的通知".format
    pages = [
        column_list(ZCWJ, "政策文件", [(old, mk("甲")), (new, mk("乙")), (due, mk("丙"))]),
        doc_page(old, mk("甲"), "2025-12-30"),
        doc_page(new, mk("乙"), "2026-11-27"),  # Friday; 3rd working day is 12-02
        doc_page(due, mk("丙"), "2026-11-24"),
    ]
    out, a = run_check(store, pages, as_of="2026-11-30")
    assert {(f.rule, f.url) for f in out.findings} == {("pending", new), ("missing", due)}
    assert [p.url for p in a.out_of_period] == [old]
    assert out.metrics["policies_found"] == 2 and out.metrics["policies_due"] == 1


def test_site_without_policy_documents_gets_an_info(store: Store) -> None:
    out, _ = run_check(store, [page(HOME, is_home=True, title="示例市人民政府")])
    assert rules_of(out) == [("no_policies", "info")]
    assert out.metrics["policies_found"] == 0 and out.metrics["with_interpretation_pct"] is None


def test_title_normalisation() -> None:
    assert policy_cores("天城市人民政府关于进一步加强安全生产工作的意见") == [
        "进一步加强安全生产工作的意见"
    ]
    assert policy_cores("X市人民政府关于印发《X市垃圾分类管理办法（试行）》的通知") == [
        "X市垃圾分类管理办法试行"
    ]
    assert interpretation_cores("关于《天城市人民政府关于进一步加强安全生产工作的意见》的解读") == [
        "进一步加强安全生产工作的意见"
    ]
    assert interpretation_cores("一图读懂 | 《居民小区电动自行车停放充电管理指南》") == [
        "居民小区电动自行车停放充电管理指南"
    ]
    assert interpretation_cores("政策解读：农村宅基地怎么管？") == ["农村宅基地怎么管"]
    # A year apart is another document, however similar the words.
    assert title_score("寒山市2026年优化营商环境工作要点", "寒山市2025年优化营商环境工作要点") == 0
    assert title_score("示例市城市照明管理办法", "示例市城市照明管理暂行办法") > 0.85


def test_rules_file_errors_name_file_and_line(tmp_path: Path) -> None:
    text = (REPO / "config" / "interpretation.yaml").read_text(encoding="utf-8")
    bad = text.replace("issued_title: '印发", "issued_title: '(印发", 1)
    p = tmp_path / "interpretation.yaml"
    p.write_text(bad, encoding="utf-8")
    line = next(i for i, s in enumerate(bad.splitlines(), 1) if "issued_title:" in s)
    with pytest.raises(ConfigError) as e:
        InterpretationCheck({"rules_file": str(p)}, severities={})
    assert str(e.value).startswith(f"{p}:{line}: policy.issued_title:")


def test_shipped_rubric_covers_every_interpretation_rule() -> None:
    r = load_rubric(REPO / "config" / "rubric.yaml")
    rubric = r.checks["interpretation"]
    assert rubric.weight > 0
    assert set(rubric.rules) == set(InterpretationCheck.rules)
    # Failures cost points; what only needs a person's look costs little or nothing.
    assert all(rubric.rules[r].points > 0 for r in ("missing", "unlinked", "late"))
    for rule in ("one_way", "pending", "no_policies", "link_unverified"):
        assert rubric.rules[rule].points == 0
    assert set(InterpretationCheck.metric_labels) >= {
        "policies_found",
        "with_interpretation_pct",
        "linked_pct",
        "on_time_pct",
        "formal",
    }


# -- the sample province, end to end --------------------------------------------------------


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Path]]:
    from zwgk.sample import SamplePortal

    tmp = tmp_path_factory.mktemp("sample")
    with SamplePortal() as portal:
        data = portal.config_dict()
        data["rubric"] = str(REPO / "config" / "rubric.yaml")
        cfg = tmp / "sites.yaml"
        cfg.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "zwgk",
                "run",
                "--config",
                str(cfg),
                "--db",
                str(tmp / "z.db"),
                "--out",
                str(tmp / "out"),
                "--no-progress",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=REPO,
        )
        assert result.returncode == 0, result.stderr
        yield portal, tmp / "out" / "2026-11"


def test_sample_portal_planted_interpretation_defects(sample_run: tuple[Any, Path]) -> None:
    from zwgk.sample import PLANTED_FILE

    portal, out = sample_run
    findings = [
        f
        for f in json.loads((out / "findings.json").read_text(encoding="utf-8"))
        if f["check"] == "interpretation"
    ]
    planted = yaml.safe_load(PLANTED_FILE.read_text(encoding="utf-8"))["defects"]
    expected = set()
    for e in planted:
        if e["check"] != "interpretation":
            continue
        # The finding is about the policy document; planted.yaml names it as
        # `policy` when `url` is the interpretation.
        url = (e.get("policy") or e["url"]).replace("{port}", str(portal.port))
        expected.add((e["site"], e["rule"], url))
    assert len(expected) == 4
    fails = {(f["site"], f["rule"], f["url"]) for f in findings if f["severity"] == "fail"}
    # Every planted defect is found, and nothing in good order fails.
    assert fails == expected
    late = {f["url"]: f for f in findings if f["rule"] == "late"}
    for f in late.values():
        assert f["evidence"]["working_days"] == 4 and f["rule_label"] == "政策解读发布逾期"
    scores = json.loads((out / "scores.json").read_text(encoding="utf-8"))
    metrics = {s["site"]: s["checks"]["interpretation"]["metrics"] for s in scores}
    assert {k: m["policies_found"] for k, m in metrics.items()} == {
        "hanshan": 5,
        "qinghe": 4,
        "lanhai": 4,
    }
    assert metrics["qinghe"]["with_interpretation_pct"] == 75.0
    assert metrics["lanhai"]["on_time_pct"] == 75.0
