"""What every check declares and returns.

A check reads only what the crawl stored (through :class:`CheckContext`)
and judges time against ``evaluation.as_of``. Scores and weights live in
``config/rubric.yaml``, apart from the logic, so an office can re-weight
without touching code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar

from zwgk.config import Config, Site
from zwgk.store import Link, Page, Store
from zwgk.vocab import Severity, Status


@dataclass
class FindingOut:
    rule: str
    severity: Severity
    message: str  # Chinese, for the office and the webmaster
    url: str | None = None
    source_url: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)

    def as_row(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "message": self.message,
            "url": self.url,
            "source_url": self.source_url,
            "evidence": self.evidence,
        }


@dataclass
class CheckOutcome:
    findings: list[FindingOut] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    # Set when the check had nothing to judge (e.g. links never verified).
    status_override: Status | None = None

    @property
    def status(self) -> Status:
        if self.status_override is not None:
            return self.status_override
        sev = {f.severity for f in self.findings}
        if Severity.FAIL in sev:
            return Status.FAIL
        if Severity.WARN in sev:
            return Status.WARN
        return Status.PASS


@dataclass
class CheckContext:
    run_id: str
    site: Site
    config: Config
    store: Store
    as_of: dt.date
    period_start: dt.date

    @cached_property
    def pages(self) -> list[Page]:
        return self.store.pages(self.run_id, self.site.id)

    @cached_property
    def links(self) -> list[Link]:
        return self.store.links(self.run_id, self.site.id)

    @cached_property
    def pages_by_url(self) -> dict[str, Page]:
        out: dict[str, Page] = {}
        for p in self.pages:
            out.setdefault(p.url, p)
            out.setdefault(p.final_url, p)
        return out


class Check:
    """Base class: subclasses set the class attributes and implement run()."""

    id: ClassVar[str]
    label: ClassVar[str]  # Chinese name shown in the scorecard
    explanation: ClassVar[str]  # Chinese: what is checked and on which rule
    version: ClassVar[str]
    # Chinese label of each rule id, for the scorecard and exports.
    rules: ClassVar[dict[str, str]] = {}
    # Chinese label of each metric key.
    metric_labels: ClassVar[dict[str, str]] = {}
    # Chinese label of each evidence key the check writes (the scorecard
    # falls back to the shared labels in reports/render.py).
    evidence_labels: ClassVar[dict[str, str]] = {}

    def __init__(self, params: dict[str, Any] | None = None) -> None:
        # Per-check parameters come from the rubric, never from code.
        self.params = dict(params or {})

    def run(self, ctx: CheckContext) -> CheckOutcome:
        raise NotImplementedError
