"""The rules schema of config/interpretation.yaml and its loader."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from zwgk.config import ConfigError, default_file, parse_yaml_model

RULES_FILE = default_file("interpretation.yaml")


class _Rules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ColumnRules(_Rules):
    policy: list[re.Pattern[str]]
    normative: list[re.Pattern[str]] = Field(default_factory=list)
    interpretation: list[re.Pattern[str]]


class PolicyRules(_Rules):
    issued_title: re.Pattern[str]
    title: list[re.Pattern[str]]
    normative_doc_number: re.Pattern[str]
    exclude_title: dict[str, re.Pattern[str]] = Field(default_factory=dict)
    # A title ending in a policy genre is a policy whatever words of an
    # excluded kind it holds, except for the kinds in ``exclude_always``.
    genre_title: re.Pattern[str] | None = None
    exclude_always: list[str] = Field(default_factory=list)
    exclude_doc_number: dict[str, re.Pattern[str]] = Field(default_factory=dict)
    higher_level_issuer: re.Pattern[str] | None = None

    @model_validator(mode="after")
    def _always_names_exclusions(self) -> PolicyRules:
        unknown = [k for k in self.exclude_always if k not in self.exclude_title]
        if unknown:
            raise ValueError(f"exclude_always names no exclude_title entry: {', '.join(unknown)}")
        return self


class FormRules(_Rules):
    image: re.Pattern[str]
    video: re.Pattern[str]
    qa: re.Pattern[str]


class NewsRules(_Rules):
    """Interpretations published as news items (要闻动态, 部门动态 …)."""

    columns: list[re.Pattern[str]] = Field(default_factory=list)
    title: re.Pattern[str] | None = None
    exclude_title: re.Pattern[str] | None = None
    linked_from_policy: bool = True


class InterpretationRules(_Rules):
    title: list[re.Pattern[str]]
    exclude_title: re.Pattern[str] | None = None
    forms: FormRules
    news: NewsRules = Field(default_factory=NewsRules)


class MatchingRules(_Rules):
    title_threshold: float = Field(0.85, gt=0, le=1)
    min_core_chars: int = Field(6, ge=2)
    max_link_targets: int = Field(4, ge=1)


class FormalRules(_Rules):
    shingle_chars: int = Field(10, ge=4)
    copy_ratio: float = Field(0.7, gt=0, le=1)
    headings_ratio: float = Field(0.8, gt=0, le=1)
    min_headings: int = Field(3, ge=1)
    min_own_chars: int = Field(120, ge=0)
    min_policy_chars: int = Field(200, ge=0)


class Rules(_Rules):
    deadline_working_days: int = Field(3, ge=0)
    columns: ColumnRules
    policy: PolicyRules
    interpretation: InterpretationRules
    matching: MatchingRules = Field(default_factory=MatchingRules)
    formal: FormalRules = Field(default_factory=FormalRules)
    contact: list[re.Pattern[str]]


def load_rules(path: str | Path = RULES_FILE, overrides: dict[str, Any] | None = None) -> Rules:
    """The rules file, with top-level keys replaced by ``overrides`` (rubric params)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{p}: interpretation rules file not found"]) from None
    rules = parse_yaml_model(text, str(p), Rules)
    if overrides:
        data = rules.model_dump()
        data.update(overrides)
        try:
            rules = Rules.model_validate(data)
        except Exception as exc:
            raise ConfigError([f"rubric params of interpretation: {exc}"]) from None
    return rules
