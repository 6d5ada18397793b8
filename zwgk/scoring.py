"""Scores from check results and the rubric (config/rubric.yaml).

The rubric gives each enabled check its weight and parameters, and each of
its rules a severity and points; the checks say only which rule a finding
breaks. Loading the rubric validates it against the check registry, so a
check and its rubric entry cannot drift apart unnoticed. Scoring only weighs
what checks found; it never looks at pages or links.
"""

from __future__ import annotations

import hashlib
import inspect
from collections import Counter
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from zwgk.checks import Check, registry
from zwgk.config import ConfigError, default_file, parse_yaml_model
from zwgk.config.schema import read_config_text, yaml_lines
from zwgk.vocab import Severity, Status


class RuleRubric(BaseModel):
    model_config = ConfigDict(extra="forbid")
    severity: Severity
    # Points per finding of the rule; 0 for a rule that is only reported.
    points: float = Field(default=0, ge=0)
    # Points for a finding about the home page, where the inspection
    # indicators weigh an unavailable link far more than elsewhere.
    home_points: float | None = Field(default=None, ge=0)
    cap: float | None = Field(default=None, ge=0)


class CheckRubric(BaseModel):
    model_config = ConfigDict(extra="forbid")
    weight: float = Field(ge=0)
    enabled: bool = True
    params: dict[str, Any] = Field(default_factory=dict)
    rules: dict[str, RuleRubric] = Field(default_factory=dict)


class GroupRubric(BaseModel):
    """A group of checks as the inspection indicators group their deductions
    (可用性, 信息更新 …): its share of the points is the sum of its checks'
    weights, stated in the file so a reader sees it."""

    model_config = ConfigDict(extra="forbid")
    label: str
    share: float = Field(ge=0)
    checks: list[str]


class Verdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    VETO = "veto"

    @property
    def label(self) -> str:
        return {"pass": "合格", "fail": "不合格", "veto": "单项否决"}[self.value]


class Rubric(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Recorded with every score, with the file's hash, so a score says which
    # rubric gave it.
    version: str = "1"
    # Percent of the maximum a site needs for 合格 (unless vetoed).
    pass_mark: float = Field(default=60, ge=0, le=100)
    groups: dict[str, GroupRubric] = Field(default_factory=dict)
    checks: dict[str, CheckRubric] = Field(default_factory=dict)
    veto: list[str] = Field(default_factory=list)
    _source: str = PrivateAttr(default="<rubric>")
    _lines: dict[tuple[Any, ...], int] = PrivateAttr(default_factory=dict)
    _hash: str = PrivateAttr(default="")

    @property
    def sha256(self) -> str:
        return self._hash

    def group_of(self, check_id: str) -> str | None:
        return next((g for g, grp in self.groups.items() if check_id in grp.checks), None)

    def params(self, check_id: str) -> dict[str, Any]:
        c = self.checks.get(check_id)
        return dict(c.params) if c else {}

    def enabled(self, check_id: str) -> bool:
        c = self.checks.get(check_id)
        return c.enabled if c is not None else False

    def severities(self, check_id: str) -> dict[str, Severity]:
        c = self.checks.get(check_id)
        return {rule: r.severity for rule, r in c.rules.items()} if c else {}

    def where(self, *path: Any) -> str:
        """``file:line`` of the nearest key of ``path`` (for error messages)."""
        loc = tuple(path)
        while loc and loc not in self._lines:
            loc = loc[:-1]
        return f"{self._source}:{self._lines.get(loc, 1)}"


def _code_location(cls: type[Check]) -> str:
    try:
        _, line = inspect.getsourcelines(cls)
        return f"{Path(inspect.getfile(cls)).name}:{line}"
    except (OSError, TypeError):
        return cls.__module__


def contract_problems(rubric: Rubric, checks: Mapping[str, type[Check]]) -> list[str]:
    """Every way ``rubric`` and the registered ``checks`` disagree, one line each."""
    problems: list[str] = []
    for cid, cls in checks.items():
        entry = rubric.checks.get(cid)
        if entry is None:
            problems.append(
                f"{rubric.where('checks')}: checks.{cid}: the check {cid!r} "
                f"({_code_location(cls)}) has no entry in the rubric: give it a weight and "
                "its rules, or `enabled: false`"
            )
            continue
        for rule in cls.rules:
            if rule not in entry.rules:
                problems.append(
                    f"{rubric.where('checks', cid, 'rules')}: checks.{cid}.rules: rule "
                    f"{rule!r} of {_code_location(cls)} has no severity and points here"
                )
        for rule in entry.rules:
            if rule not in cls.rules:
                known = ", ".join(sorted(cls.rules))
                problems.append(
                    f"{rubric.where('checks', cid, 'rules', rule)}: checks.{cid}.rules.{rule}: "
                    f"the check {cid!r} has no rule {rule!r} (its rules: {known})"
                )
    for cid in rubric.checks:
        if cid not in checks:
            known = ", ".join(sorted(checks))
            problems.append(
                f"{rubric.where('checks', cid)}: checks.{cid}: no such check (known: {known})"
            )
    grouped: dict[str, str] = {}
    for gid, grp in rubric.groups.items():
        for cid in grp.checks:
            if cid not in rubric.checks:
                problems.append(
                    f"{rubric.where('groups', gid, 'checks')}: groups.{gid}: {cid!r} is not a "
                    "check of this rubric"
                )
            elif cid in grouped:
                problems.append(
                    f"{rubric.where('groups', gid, 'checks')}: groups.{gid}: {cid!r} is already "
                    f"in group {grouped[cid]!r}"
                )
            else:
                grouped[cid] = gid
        weights = sum(rubric.checks[c].weight for c in grp.checks if c in rubric.checks)
        if abs(weights - grp.share) > 1e-9:
            problems.append(
                f"{rubric.where('groups', gid, 'share')}: groups.{gid}.share: {grp.share:g} but "
                f"its checks' weights add up to {weights:g}"
            )
    if rubric.groups:
        for cid, entry in rubric.checks.items():
            if entry.enabled and cid not in grouped:
                problems.append(
                    f"{rubric.where('checks', cid)}: checks.{cid}: enabled but in no group"
                )
    for i, item in enumerate(rubric.veto):
        cid, _, rule = item.partition(".")
        if cid not in checks or rule not in checks[cid].rules:
            problems.append(
                f"{rubric.where('veto', i)}: veto: {item!r} names no rule of a registered check "
                "(write check.rule, e.g. structure.home_unreachable)"
            )
    problems.sort(key=lambda p: int(p.split(":", 2)[1]) if p.split(":", 2)[1].isdigit() else 0)
    return problems


def _resolve_files(rubric: Rubric, base: Path) -> None:
    # A relative `*_file` parameter names a file beside the rubric, as an
    # office keeps its own rules next to its own rubric.
    for entry in rubric.checks.values():
        for key, value in list(entry.params.items()):
            if key.endswith("_file") and isinstance(value, str):
                p = Path(value)
                entry.params[key] = str(p if p.is_absolute() else base / p)


def parse_rubric(
    text: str, name: str, checks: Mapping[str, type[Check]] | None = None, base: Path | None = None
) -> Rubric:
    rubric = parse_yaml_model(text, name, Rubric)
    rubric._source = name
    rubric._lines = yaml_lines(text)
    rubric._hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
    problems = contract_problems(rubric, registry() if checks is None else checks)
    if problems:
        raise ConfigError(problems)
    if base is not None:
        _resolve_files(rubric, base)
    return rubric


def load_rubric(
    path: str | Path | None = None, checks: Mapping[str, type[Check]] | None = None
) -> Rubric:
    """Read and validate a rubric (the shipped default when ``path`` is None)."""
    p = Path(path) if path is not None else default_file("rubric.yaml")
    # One line for a missing file, a folder, a FIFO, bad bytes: as for the site list.
    text = read_config_text(p)
    return parse_rubric(text, str(p), checks, base=p.parent)


def build_check(rubric: Rubric, check_id: str) -> Check:
    """An instance of a registered check, configured as the rubric says."""
    cls = registry()[check_id]
    return cls(rubric.params(check_id), severities=rubric.severities(check_id))


def enabled_checks(rubric: Rubric) -> dict[str, Check]:
    return {cid: build_check(rubric, cid) for cid in registry() if rubric.enabled(cid)}


def score_site(
    rubric: Rubric,
    results: dict[str, dict[str, Any]],
    findings: list[dict[str, Any]],
) -> dict[str, Any]:
    """``results``: check id -> {status, metrics}; ``findings``: rows with check,
    rule, severity and optionally on_home.

    Returns the fields of a Score row: score, max_score, vetoed, checks.
    """
    counts: Counter[tuple[str, str]] = Counter((f["check"], f["rule"]) for f in findings)
    home: Counter[tuple[str, str]] = Counter(
        (f["check"], f["rule"]) for f in findings if f.get("on_home")
    )
    checks: dict[str, Any] = {}
    total = max_total = 0.0
    for check_id, result in results.items():
        cr = rubric.checks.get(check_id)
        weight = cr.weight if cr else 0.0
        scored = Status(result["status"]).scored
        deducted = 0.0
        if cr and scored:
            for (cid, rule), n in counts.items():
                if cid != check_id or rule not in cr.rules:
                    continue
                d = cr.rules[rule]
                n_home = home[(cid, rule)] if d.home_points is not None else 0
                points = d.points * (n - n_home) + (d.home_points or 0) * n_home
                deducted += min(points, d.cap if d.cap is not None else weight)
        got = max(0.0, weight - deducted) if scored else 0.0
        checks[check_id] = {
            "status": result["status"],
            "metrics": result.get("metrics", {}),
            "score": round(got, 2),
            "weight": weight,
        }
        total += got
        max_total += weight
    vetoed = sorted({f"{c}.{r}" for (c, r) in counts if f"{c}.{r}" in rubric.veto})
    score = 0.0 if vetoed else round(total, 2)
    if vetoed:
        verdict = Verdict.VETO
    elif max_total and score / max_total * 100 >= rubric.pass_mark - 1e-9:
        verdict = Verdict.PASS
    else:
        verdict = Verdict.FAIL
    groups = {
        gid: {
            "label": grp.label,
            "share": grp.share,
            "score": round(sum(checks[c]["score"] for c in grp.checks if c in checks), 2),
        }
        for gid, grp in rubric.groups.items()
    }
    return {
        "score": score,
        "max_score": round(max_total, 2),
        "vetoed": vetoed,
        "checks": checks,
        "verdict": verdict.value,
        "groups": groups,
        "rubric_version": rubric.version,
        "rubric_hash": rubric.sha256,
    }
