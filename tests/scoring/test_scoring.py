"""Scoring from the rubric: deductions, caps, veto, error handling, rubric errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO
from zwgk.config import ConfigError
from zwgk.scoring import Rubric, load_rubric, score_site

RUBRIC = Rubric.model_validate(
    {
        "checks": {
            "structure": {
                "weight": 20,
                "rules": {
                    "section_missing": {"severity": "fail", "points": 5},
                    "x": {"severity": "fail", "points": 3, "cap": 4},
                },
            },
            "other": {"weight": 10},
        },
        "veto": ["structure.home_unreachable"],
    }
)


def f(rule: str, check: str = "structure") -> dict:
    return {"check": check, "rule": rule, "severity": "fail"}


def test_deductions_and_caps() -> None:
    results = {
        "structure": {"status": "fail", "metrics": {}},
        "other": {"status": "pass", "metrics": {}},
    }
    s = score_site(RUBRIC, results, [f("section_missing"), f("x"), f("x"), f("x")])
    # 20 - 5 - min(9, 4) = 11; plus 10
    assert s["checks"]["structure"]["score"] == 11
    assert s["score"] == 21 and s["max_score"] == 30 and s["vetoed"] == []


def test_score_never_negative() -> None:
    s = score_site(RUBRIC, {"structure": {"status": "fail"}}, [f("section_missing")] * 9)
    assert s["score"] == 0 and s["max_score"] == 20


def test_veto_zeroes_the_site() -> None:
    results = {"structure": {"status": "fail"}, "other": {"status": "pass"}}
    s = score_site(RUBRIC, results, [f("home_unreachable")])
    assert s["vetoed"] == ["structure.home_unreachable"] and s["score"] == 0


def test_errored_check_scores_nothing_but_counts_in_max() -> None:
    s = score_site(RUBRIC, {"structure": {"status": "error"}, "other": {"status": "pass"}}, [])
    assert s["score"] == 10 and s["max_score"] == 30


def test_shipped_rubric_loads_and_covers_structure_rules() -> None:
    from zwgk.checks.structure import StructureCheck

    r = load_rubric(REPO / "config" / "rubric.yaml")
    assert set(r.checks["structure"].rules) == set(StructureCheck.rules)


def test_bad_rubric_names_file_and_line(tmp_path: Path) -> None:
    p = tmp_path / "rubric.yaml"
    p.write_text("checks:\n  structure:\n    weight: -3\n", encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_rubric(p)
    assert str(e.value).startswith(f"{p}:3: checks.structure.weight:")


def test_home_page_findings_weigh_more() -> None:
    rubric = Rubric.model_validate(
        {
            "checks": {
                "links": {
                    "weight": 30,
                    "rules": {"http_4xx": {"severity": "fail", "points": 0.1, "home_points": 1}},
                }
            }
        }
    )
    rows = [{"check": "links", "rule": "http_4xx", "severity": "fail", "on_home": True}] * 2 + [
        {"check": "links", "rule": "http_4xx", "severity": "fail", "on_home": False}
    ] * 10
    s = score_site(rubric, {"links": {"status": "fail"}}, rows)
    assert s["checks"]["links"]["score"] == 27.0  # 30 - 2*1 - 10*0.1


def test_shipped_rubric_covers_links_rules() -> None:
    from zwgk.checks.links import LinksCheck

    r = load_rubric(REPO / "config" / "rubric.yaml")
    assert set(r.checks["links"].rules) == set(LinksCheck.rules)


def test_shipped_weights_add_up_to_100() -> None:
    # A scorecard reads "x / 100 分"; a new check takes its weight from others.
    rubric = load_rubric()
    assert sum(c.weight for c in rubric.checks.values() if c.enabled) == 100
