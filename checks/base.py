"""What every check declares and returns.

A check reads only what the crawl stored (through :class:`CheckContext`)
and judges time against ``evaluation.as_of``. Scores and weights live in
``config/rubric.yaml``, apart from the logic, so an office can re-weight
without touching code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
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


# Evidence keys several checks write; a check declares its own beside them.
COMMON_EVIDENCE_LABELS: dict[str, str] = {
    "url": "网址",
    "text": "链接文字",
    "source_url": "所在页面",
    "links": "相关链接",
    "linked_from": "链接所在页面",
    "occurrences": "出现次数",
    "fetch_status": "抓取结果",
    "http_status": "HTTP状态码",
    "title": "标题",
    "publish_date": "发布日期",
}


class Check:
    """Base class: subclasses set the class attributes and implement run().

    The contract, validated against the rubric when the registry loads
    (``zwgk.scoring.load_rubric``):

    - ``rules``: every rule id the check can report, with its Chinese label.
      The rubric gives each rule its severity and points; the check only
      says *which* rule a finding breaks (:meth:`finding`).
    - ``explanation``: Chinese; ``{name}`` placeholders are filled from
      :meth:`explanation_params`, so a deadline it states is the one applied.
    - ``metric_labels`` / ``evidence_labels``: Chinese labels of every metric
      and evidence key the check writes (``COMMON_EVIDENCE_LABELS`` apply too).
    """

    id: ClassVar[str]
    label: ClassVar[str]  # Chinese name shown in the scorecard
    explanation: ClassVar[str]  # Chinese: what is checked and on which rule
    version: ClassVar[str]
    # Chinese label of each rule id, for the scorecard and exports.
    rules: ClassVar[Mapping[str, str]] = {}
    # Chinese label of each metric key.
    metric_labels: ClassVar[dict[str, str]] = {}
    # Chinese label of each evidence key the check writes.
    evidence_labels: ClassVar[dict[str, str]] = {}

    def __init__(
        self,
        params: Mapping[str, Any] | None = None,
        *,
        severities: Mapping[str, Severity],
    ) -> None:
        # Per-check parameters and each rule's severity come from the rubric,
        # never from code, so an office can change them without a release.
        self.params = dict(params or {})
        self.severities = dict(severities)

    def finding(
        self,
        rule: str,
        message: str,
        *,
        url: str | None = None,
        source_url: str | None = None,
        evidence: dict[str, Any] | None = None,
    ) -> FindingOut:
        """A finding of ``rule``, with the severity the rubric gives it."""
        if rule not in self.rules:
            raise KeyError(f"check {self.id!r} reports undeclared rule {rule!r}")
        return FindingOut(
            rule,
            Severity(self.severities[rule]),
            message,
            url=url,
            source_url=source_url,
            evidence=dict(evidence or {}),
        )

    def explanation_params(self) -> dict[str, Any]:
        """Values for the explanation's placeholders: what this instance applies."""
        return {}

    def describe(self) -> str:
        """The explanation as the scorecard shows it, parameters filled in."""
        return self.explanation.format(**self.explanation_params())

    @classmethod
    def all_evidence_labels(cls) -> dict[str, str]:
        return {**COMMON_EVIDENCE_LABELS, **cls.evidence_labels}

    def run(self, ctx: CheckContext) -> CheckOutcome:
        raise NotImplementedError
