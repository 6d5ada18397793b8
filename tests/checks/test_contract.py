"""The check contract, over every registered check.

Each check declares its rules (id → Chinese label), its metric and evidence
labels and its explanation; the rubric gives every rule a severity and
points. These tests hold every registered check to that contract — a new
check is covered by them without a line here — and show that the rubric
loader refuses a check and a rubric that disagree.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from zwgk.checks import Check, CheckContext, registry
from zwgk.config import ConfigError, default_file, load_config
from zwgk.sample.server import SamplePortal
from zwgk.scoring import build_check, contract_problems, load_rubric, parse_rubric
from zwgk.store import Store
from zwgk.vocab import Severity

CJK = re.compile(r"[\u4e00-\u9fff]")
RULE_ID = re.compile(r"^[a-z][a-z0-9_]*$")
CHECKS = sorted(registry())
ZWGK_RUN = (sys.executable, "-m", "zwgk", "run", "--no-progress")


def test_every_check_is_registered_under_its_own_id() -> None:
    assert CHECKS, "no check registered"
    for cid, cls in registry().items():
        assert cls.id == cid
        assert issubclass(cls, Check)


@pytest.mark.parametrize("cid", CHECKS)
def test_declarations_are_complete_and_in_chinese(cid: str) -> None:
    cls = registry()[cid]
    assert CJK.search(cls.label) and CJK.search(cls.explanation), cid
    assert cls.version
    assert cls.rules, f"{cid} declares no rule"
    for rule, label in cls.rules.items():
        assert RULE_ID.match(rule), f"{cid}: rule id {rule!r} is not snake_case"
        assert CJK.search(label), f"{cid}.{rule}: label {label!r} is not Chinese"
    for key, label in {**cls.metric_labels, **cls.all_evidence_labels()}.items():
        assert CJK.search(label), f"{cid}: label of {key!r} is not Chinese"


@pytest.mark.parametrize("cid", CHECKS)
def test_shipped_rubric_gives_every_rule_a_severity(cid: str) -> None:
    rubric = load_rubric()
    entry = rubric.checks[cid]
    assert entry.weight > 0
    assert set(entry.rules) == set(registry()[cid].rules)
    assert all(isinstance(r.severity, Severity) for r in entry.rules.values())


@pytest.mark.parametrize("cid", CHECKS)
def test_explanation_states_the_parameters_it_applies(cid: str) -> None:
    text = build_check(load_rubric(), cid).describe()
    assert "{" not in text and "}" not in text, text
    assert CJK.search(text)


# -- on a real crawl of the sample province --------------------------------------------


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Path]]:
    tmp = tmp_path_factory.mktemp("contract")
    with SamplePortal() as portal:
        cfg = tmp / "sites.yaml"
        cfg.write_text(yaml.safe_dump(portal.config_dict(), allow_unicode=True), encoding="utf-8")
        result = subprocess.run(
            [*ZWGK_RUN, "--config", str(cfg), "--db", str(tmp / "z.db"), "--out", str(tmp / "out")],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
    store = Store(f"sqlite:///{tmp / 'z.db'}")
    yield store, cfg
    store.dispose()


def _keys(value: Any) -> set[str]:
    """Every mapping key in ``value``, at any depth."""
    if isinstance(value, dict):
        return set(value).union(*(_keys(v) for v in value.values()))
    if isinstance(value, list | tuple):
        return set().union(*(_keys(v) for v in value))
    return set()


CODE = re.compile(r"^[a-z][a-z0-9_]*$")


def _codes(value: Any) -> set[str]:
    """Every string value that reads as a program word (``no_limit``, ``pdf``)."""
    if isinstance(value, dict):
        return set().union(*(_codes(v) for v in value.values()))
    if isinstance(value, list | tuple):
        return set().union(*(_codes(v) for v in value))
    return {value} if isinstance(value, str) and CODE.match(value) else set()


@pytest.mark.parametrize("cid", CHECKS)
def test_check_reports_only_declared_rules_metrics_and_evidence(
    sample_run: tuple[Store, Path], cid: str
) -> None:
    store, cfg_path = sample_run
    cfg = load_config(cfg_path)
    rubric = load_rubric(cfg.rubric_path())
    check = build_check(rubric, cid)
    cls = registry()[cid]
    run = store.get_run("2026-11")
    assert run is not None
    seen_findings = 0
    for site in cfg.sites:
        ctx = CheckContext("2026-11", site, cfg, store, run.as_of, run.period_start)
        outcome = check.run(ctx)
        assert set(outcome.metrics) <= set(cls.metric_labels), (
            f"{cid}: undeclared metrics {set(outcome.metrics) - set(cls.metric_labels)}"
        )
        # The scorecard shows nested metrics too: each key and coded value
        # needs its Chinese label.
        # A key that is itself Chinese (a column's name) needs no label.
        labels = {**cls.metric_labels, **cls.all_evidence_labels(), **cls.all_value_labels()}
        keys = {k for k in _keys(outcome.metrics) if not CJK.search(k)}
        assert not keys - set(labels), f"{cid}: unlabelled metric keys {keys - set(labels)}"
        codes = _codes(outcome.metrics) - set(cls.all_value_labels())
        assert not codes, f"{cid}: unlabelled metric values {codes}"
        for f in outcome.findings:
            seen_findings += 1
            assert f.rule in cls.rules
            assert f.severity == rubric.checks[cid].rules[f.rule].severity
            assert CJK.search(f.message), f.message
            undeclared = {k for k in _keys(f.evidence) if not CJK.search(k)} - set(
                cls.all_evidence_labels()
            )
            assert not undeclared, f"{cid}.{f.rule}: undeclared evidence keys {undeclared}"
            codes = _codes(f.evidence) - set(cls.all_value_labels())
            assert not codes, f"{cid}.{f.rule}: unlabelled evidence values {codes}"
    # The sample province plants a defect for every shipped check.
    assert seen_findings > 0, f"{cid} found nothing on the sample province"


# -- the rubric and the checks must agree ----------------------------------------------


def _shipped_text() -> str:
    return default_file("rubric.yaml").read_text(encoding="utf-8")


def test_rubric_missing_a_rule_of_a_check_is_refused_in_one_line() -> None:
    text = _shipped_text().replace("      annual_report_late: {severity: warn, points: 2}\n", "")
    assert "annual_report_late" not in text
    with pytest.raises(ConfigError) as err:
        parse_rubric(text, "my-rubric.yaml")
    [problem] = err.value.problems
    assert "\n" not in problem
    assert problem.startswith("my-rubric.yaml:")
    assert "annual_report_late" in problem and "structure.py:" in problem
    line = int(problem.split(":")[1])
    assert text.splitlines()[line - 1].strip() == "rules:"


def test_rubric_rule_the_check_does_not_know_is_refused() -> None:
    text = _shipped_text().replace(
        "      section_missing: {severity: fail, points: 5}\n",
        "      section_missing: {severity: fail, points: 5}\n"
        "      section_misspelt: {severity: fail, points: 5}\n",
    )
    with pytest.raises(ConfigError) as err:
        parse_rubric(text, "r.yaml")
    [problem] = err.value.problems
    line = int(problem.split(":")[1])
    assert "section_misspelt" in text.splitlines()[line - 1]
    assert "has no rule 'section_misspelt'" in problem


def test_check_without_rubric_entry_is_refused() -> None:
    data = yaml.safe_load(_shipped_text())
    del data["checks"]["links"]
    with pytest.raises(ConfigError) as err:
        parse_rubric(yaml.safe_dump(data), "r.yaml")
    assert any("'links'" in p and "no entry in the rubric" in p for p in err.value.problems)


def test_unknown_check_and_bad_veto_are_refused() -> None:
    data = yaml.safe_load(_shipped_text())
    data["checks"]["nonesuch"] = {"weight": 1}
    data["veto"].append("structure.nonesuch")
    with pytest.raises(ConfigError) as err:
        parse_rubric(yaml.safe_dump(data), "r.yaml")
    text = " | ".join(err.value.problems)
    assert "checks.nonesuch: no such check" in text
    assert "'structure.nonesuch' names no rule" in text


def test_a_rule_without_severity_is_refused() -> None:
    text = _shipped_text().replace(
        "section_missing: {severity: fail, points: 5}", "section_missing: {points: 5}"
    )
    with pytest.raises(ConfigError) as err:
        parse_rubric(text, "r.yaml")
    assert any("section_missing.severity" in p for p in err.value.problems)


def test_a_check_reporting_an_undeclared_rule_fails_loudly() -> None:
    check = build_check(load_rubric(), "structure")
    with pytest.raises(KeyError, match="undeclared rule"):
        check.finding("no_such_rule", "说明")


def test_the_shipped_rubric_agrees_with_the_registry() -> None:
    rubric = load_rubric()
    assert contract_problems(rubric, registry()) == []


def test_cli_refuses_a_bad_rubric_before_crawling(tmp_path: Path) -> None:
    bad = tmp_path / "rubric.yaml"
    bad.write_text(
        _shipped_text().replace("      section_unverified: {severity: warn, points: 0}\n", ""),
        encoding="utf-8",
    )
    cfg = tmp_path / "sites.yaml"
    cfg.write_text(
        "evaluation: {as_of: 2026-11-30}\n"
        "sites:\n  - {id: a, name: 某县人民政府, home: 'http://127.0.0.1:9/'}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = subprocess.run(
        [*ZWGK_RUN, "--config", str(cfg), "--db", str(tmp_path / "z.db"), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "section_unverified" in lines[0], result.stderr
    assert not out.exists()
