"""Scores from check results and the rubric (config/rubric.yaml).

Scoring only weighs what checks found; it never looks at pages or links.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from zwgk.config import ConfigError, parse_yaml_model
from zwgk.vocab import Status


class Deduction(BaseModel):
    model_config = ConfigDict(extra="forbid")
    points: float = Field(ge=0)
    # Points for a finding about the home page, where the inspection
    # indicators weigh an unavailable link far more than elsewhere.
    home_points: float | None = Field(default=None, ge=0)
    cap: float | None = Field(default=None, ge=0)


class CheckRubric(BaseModel):
    model_config = ConfigDict(extra="forbid")
    weight: float = Field(ge=0)
    enabled: bool = True
    params: dict[str, Any] = Field(default_factory=dict)
    deductions: dict[str, Deduction] = Field(default_factory=dict)


class Rubric(BaseModel):
    model_config = ConfigDict(extra="forbid")
    checks: dict[str, CheckRubric] = Field(default_factory=dict)
    veto: list[str] = Field(default_factory=list)

    def params(self, check_id: str) -> dict[str, Any]:
        c = self.checks.get(check_id)
        return dict(c.params) if c else {}

    def enabled(self, check_id: str) -> bool:
        c = self.checks.get(check_id)
        return c.enabled if c else True


def load_rubric(path: str | Path) -> Rubric:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{p}: rubric file not found"]) from None
    return parse_yaml_model(text, str(p), Rubric)


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
        deducted = 0.0
        if cr and Status(result["status"]).scored:
            for (cid, rule), n in counts.items():
                if cid != check_id or rule not in cr.deductions:
                    continue
                d = cr.deductions[rule]
                n_home = home[(cid, rule)] if d.home_points is not None else 0
                points = d.points * (n - n_home) + (d.home_points or 0) * n_home
                deducted += min(points, d.cap if d.cap is not None else weight)
        got = max(0.0, weight - deducted) if Status(result["status"]).scored else 0.0
        checks[check_id] = {
            "status": result["status"],
            "metrics": result.get("metrics", {}),
            "score": round(got, 2),
            "weight": weight,
        }
        total += got
        max_total += weight
    vetoed = sorted({f"{c}.{r}" for (c, r) in counts if f"{c}.{r}" in rubric.veto})
    return {
        "score": 0.0 if vetoed else round(total, 2),
        "max_score": round(max_total, 2),
        "vetoed": vetoed,
        "checks": checks,
    }
