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


def _all_pass(rubric: Rubric) -> dict:
    return {cid: {"status": "pass", "metrics": {}} for cid, c in rubric.checks.items() if c.enabled}


# The single-veto items of 国办秘函〔2019〕19号 the shipped rubric applies, each
# through the check rule that detects it.
INDICATOR_VETOES = [
    ("structure", "home_unreachable"),  # 站点无法访问
    ("freshness", "home_stale"),  # 首页2周内无更新
    ("freshness", "stale_columns_5"),  # 不更新栏目累计5个（含）以上
    ("freshness", "blank_columns_5"),  # 空白栏目累计5个（含）以上
]


@pytest.mark.parametrize(("check", "rule"), INDICATOR_VETOES)
def test_shipped_rubric_vetoes_each_indicator_item(check: str, rule: str) -> None:
    rubric = load_rubric()
    s = score_site(rubric, _all_pass(rubric), [f(rule, check)])
    assert s["vetoed"] == [f"{check}.{rule}"]
    assert s["score"] == 0 and s["verdict"] == "veto"
    # The same site without the finding passes with full marks.
    clean = score_site(rubric, _all_pass(rubric), [])
    assert clean["verdict"] == "pass" and clean["score"] == clean["max_score"] == 100
    assert set(rubric.veto) == {f"{c}.{r}" for c, r in INDICATOR_VETOES}


def test_verdict_at_the_pass_mark_and_below() -> None:
    rubric = load_rubric()
    results = _all_pass(rubric)
    # 35 points of deductions: 65 is 合格; 6 more and 59 is 不合格 (pass mark 60).
    at_mark = (
        [f("aaaa_missing", "ipv6")]
        + [f("section_missing")] * 3
        + [f("plan_missing", "planning")] * 5
        + [f("level2_low", "ipv6")]
    )
    s = score_site(rubric, results, at_mark)
    assert (
        s["score"] == 100 - 10 - 15 - 10
    )  # ipv6 capped at its weight 10, structure 15, planning 10
    assert s["verdict"] == "pass" and s["score"] == 65
    worse = at_mark + [f("index_no_missing", "metadata")] * 3
    s = score_site(rubric, results, worse)
    assert s["score"] == 59 and s["verdict"] == "fail"


def test_scores_record_groups_and_the_rubric_identity() -> None:
    rubric = load_rubric()
    s = score_site(rubric, _all_pass(rubric), [f("section_missing")])
    assert s["groups"]["disclosure"] == {"label": "公开内容", "share": 50, "score": 45}
    assert sum(g["share"] for g in s["groups"].values()) == 100
    assert s["rubric_version"] == rubric.version and len(s["rubric_hash"]) == 64


def test_group_share_must_match_its_weights(tmp_path: Path) -> None:
    text = (REPO / "config" / "rubric.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "rubric.yaml"
    bad.write_text(text.replace("    share: 50\n", "    share: 55\n"), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_rubric(bad)
    [problem] = err.value.problems
    assert "groups.disclosure.share: 55" in problem and "add up to 50" in problem
    assert problem.startswith(f"{bad}:")
    orphan = tmp_path / "orphan.yaml"
    orphan.write_text(
        text.replace("checks: [ipv6]", "checks: []").replace(
            "    share: 10\n    checks: []", "    share: 0\n    checks: []"
        ),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as err:
        load_rubric(orphan)
    assert any("checks.ipv6: enabled but in no group" in p for p in err.value.problems)
