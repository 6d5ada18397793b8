"""Scorecards and exports from a hand-built store: escaping, ranking, labels."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import crawl_into, make_config, page
from zwgk.reports.render import write_reports
from zwgk.store import Store


def fill(store: Store) -> None:
    cfg = make_config()
    crawl_into(store, cfg, [page("http://www.demo.gov.test/", is_home=True, depth=0)])
    store.replace_check_result(
        "2026-11",
        "demo",
        "structure",
        "1.0",
        "fail",
        {"sections_present": 3},
        [
            {
                "rule": "section_missing",
                "severity": "fail",
                "message": "缺少栏目<script>alert(1)</script>",
                "url": "http://www.demo.gov.test/zwgk/",
                "source_url": None,
                "evidence": {
                    "section": "信息公开制度",
                    "on_home": True,
                    "target": "javascript:alert(1)",
                },
            },
            {
                "rule": "section_unverified",
                "severity": "info",
                "message": "提示一则",
                "url": "http://www.demo.gov.test/x/",
                "source_url": None,
                "evidence": {},
            },
        ],
    )
    store.replace_score(
        "2026-11",
        "demo",
        score=15.0,
        max_score=20.0,
        vetoed=[],
        checks={
            "structure": {
                "status": "fail",
                "metrics": {"sections_present": 3},
                "score": 15.0,
                "weight": 20.0,
            }
        },
    )


def test_site_page_escapes_and_labels(store: Store, tmp_path: Path) -> None:
    fill(store)
    paths = write_reports(store, "2026-11", tmp_path)
    html = (tmp_path / "2026-11" / "sites" / "demo.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    # A javascript: value is text, never a link.
    assert 'href="javascript:' not in html
    assert '<a href="http://www.demo.gov.test/zwgk/"' in html
    assert "已设置栏目数" in html  # metric labelled in Chinese
    assert "<dd>是</dd>" in html  # booleans in Chinese
    assert "整改清单（共 1 项）" in html and "提示信息（不计分，共 1 项）" in html
    assert len(paths) == 6  # 1 scorecard, index, 2 JSON, xlsx, csv


def test_json_exports_shape(store: Store, tmp_path: Path) -> None:
    fill(store)
    write_reports(store, "2026-11", tmp_path)
    findings = json.loads((tmp_path / "2026-11" / "findings.json").read_text(encoding="utf-8"))
    scores = json.loads((tmp_path / "2026-11" / "scores.json").read_text(encoding="utf-8"))
    assert [f["rule"] for f in findings] == ["section_missing", "section_unverified"]
    assert findings[0]["site"] == "demo" and findings[0]["check"] == "structure"
    assert scores == [
        {
            "site": "demo",
            "name": "示例市人民政府",
            "rank": 1,
            "score": 15.0,
            "max_score": 20.0,
            "vetoed": [],
            "verdict": None,
            "kind": "government",
            "region": None,
            "previous_run": None,
            "delta": None,
            "new_findings": 0,
            "fixed_findings": 0,
            "groups": {},
            "rubric_version": None,
            "pages": 1,
            "transfer": None,
            "checks": {
                "structure": {
                    "status": "fail",
                    "metrics": {"sections_present": 3},
                    "score": 15.0,
                    "weight": 20.0,
                }
            },
        }
    ]
