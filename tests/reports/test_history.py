"""The change since the previous run: new and fixed items, score delta, the
trend, and the stable latest/ copy; site kinds and regions in the index."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from tests.conftest import make_config, page
from zwgk.reports.render import build_view, trend_svg_points, write_reports
from zwgk.store import Store

HOME = "http://www.demo.gov.test/"


def finding(rule: str, url: str, severity: str = "fail") -> dict[str, Any]:
    return {
        "rule": rule,
        "severity": severity,
        "message": f"{rule} {url}",
        "url": url,
        "source_url": None,
        "evidence": {},
    }


def month(store: Store, run_id: str, as_of: str, score: float, found: list[dict[str, Any]]) -> None:
    cfg = make_config(region="示例市")
    store.ensure_run(
        run_id, dt.date.fromisoformat(as_of), dt.date(2026, 1, 1), cfg.model_dump(mode="json")
    )
    gen, _ = store.begin_site_crawl(run_id, "demo", "示例市人民政府", HOME, resume=False)
    store.add_pages(run_id, "demo", gen, [page(HOME, is_home=True, depth=0)])
    store.finish_site_crawl(run_id, "demo", gen, {})
    store.replace_check_result(run_id, "demo", "structure", "1.0", "fail", {}, found)
    store.replace_score(
        run_id,
        "demo",
        score=score,
        max_score=100.0,
        vetoed=[],
        checks={"structure": {"status": "fail", "metrics": {}, "score": score, "weight": 15}},
        verdict="pass" if score >= 60 else "fail",
        groups={},
        rubric_version="2026.12",
        rubric_hash="0" * 64,
    )


def two_months(store: Store) -> None:
    month(
        store,
        "2026-10",
        "2026-10-31",
        55.0,
        [finding("section_missing", HOME + "a/"), finding("section_unreachable", HOME + "b/")],
    )
    month(
        store,
        "2026-11",
        "2026-11-30",
        70.5,
        [
            finding("section_unreachable", HOME + "b/"),  # still there
            finding("annual_report_missing", HOME + "nb/"),  # new
            finding("section_unverified", HOME + "c/", "info"),  # a note, not an item
        ],
    )


def test_new_and_fixed_items_and_score_delta(store: Store) -> None:
    two_months(store)
    [site] = build_view(store, "2026-11")["sites"]
    assert site["previous_run"] == "2026-10"
    assert site["delta"] == 15.5
    assert [f["rule"] for f in site["new"]] == ["annual_report_missing"]
    assert [f["message"] for f in site["fixed"]] == [f"section_missing {HOME}a/"]
    assert site["verdict"] == "合格" and site["verdict_code"] == "pass"
    assert [t["score"] for t in site["trend"]] == [55.0, 70.5]


def test_the_earlier_run_has_no_previous_and_sees_no_later_one(store: Store) -> None:
    two_months(store)
    [site] = build_view(store, "2026-10")["sites"]
    assert site["previous_run"] is None and site["delta"] is None
    assert site["new"] == [] and site["fixed"] == []
    assert [t["run"] for t in site["trend"]] == ["2026-10"]


def test_scorecard_shows_changes_trend_and_verdict(store: Store, tmp_path: Path) -> None:
    two_months(store)
    write_reports(store, "2026-11", tmp_path)
    html = (tmp_path / "2026-11" / "sites" / "demo.html").read_text(encoding="utf-8")
    assert "与上次检查（2026-10）相比" in html
    assert "新发现问题 1 项，已整改 1 项" in html
    assert "+15.5" in html and "合格" in html
    assert "<polyline" in html and trend_svg_points([55.0, 70.5]) in html
    index = (tmp_path / "2026-11" / "index.html").read_text(encoding="utf-8")
    assert "示例市 · 人民政府门户网站排名" in index
    scores = json.loads((tmp_path / "2026-11" / "scores.json").read_text(encoding="utf-8"))
    assert scores[0]["delta"] == 15.5 and scores[0]["verdict"] == "pass"
    assert (scores[0]["new_findings"], scores[0]["fixed_findings"]) == (1, 1)


def test_latest_holds_the_newest_run_only(store: Store, tmp_path: Path) -> None:
    two_months(store)
    write_reports(store, "2026-11", tmp_path)
    latest = tmp_path / "latest"
    assert (latest / "index.html").read_bytes() == (
        tmp_path / "2026-11" / "index.html"
    ).read_bytes()
    # Re-reporting an older run leaves latest/ on the newest.
    write_reports(store, "2026-10", tmp_path)
    assert "2026-11" in (latest / "index.html").read_text(encoding="utf-8")


def test_trend_points_scale_to_the_box() -> None:
    assert trend_svg_points([50.0]) == ""
    assert trend_svg_points([0.0, 100.0], width=100, height=40) == "0.0,40.0 100.0,0.0"
