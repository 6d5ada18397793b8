"""整改建议: the advice the 整改清单 gives per rule, from an editable file.

``config/remedies.yaml`` ships one entry per rule of every registered check
(``check.rule: text``); an office's own file (``remedies:`` in the site list,
else ``remedies.yaml`` beside it) replaces it. The file is validated against
the registry when zwgk starts, so a new rule without advice is caught early.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import yaml

from zwgk.checks import Check, registry
from zwgk.config import Config, ConfigError, default_file
from zwgk.config.schema import read_config_text, yaml_lines


def remedies_path(cfg: Config | None) -> Path:
    if cfg is not None:
        base = cfg.source.parent if cfg.source else Path.cwd()
        if cfg.remedies:
            p = Path(cfg.remedies)
            return p if p.is_absolute() else base / p
        if cfg.source and (base / "remedies.yaml").is_file():
            return base / "remedies.yaml"
    return default_file("remedies.yaml")


def load_remedies(
    path: Path | None = None, checks: Mapping[str, type[Check]] | None = None
) -> dict[str, str]:
    """``{"check.rule": advice}``, validated: one line per problem, with file:line."""
    p = path or default_file("remedies.yaml")
    text = read_config_text(p)
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise ConfigError([f"{p}:{line}: not valid YAML"]) from None
    if not isinstance(data, dict):
        raise ConfigError([f"{p}:1: expected `check.rule: advice` entries"])
    lines = yaml_lines(text)
    checks = registry() if checks is None else checks
    problems = []
    for key, advice in data.items():
        where = f"{p}:{lines.get((key,), 1)}"
        cid, _, rule = str(key).partition(".")
        if cid not in checks or rule not in checks[cid].rules:
            problems.append(f"{where}: {key!r} names no rule of a registered check")
        elif not isinstance(advice, str) or not advice.strip():
            problems.append(f"{where}: {key}: the advice must be non-empty text")
    for cid, cls in checks.items():
        for rule in cls.rules:
            if f"{cid}.{rule}" not in data:
                problems.append(f"{p}:1: {cid}.{rule}: no 整改建议 for this rule")
    if problems:
        raise ConfigError(problems)
    return {str(k): str(v).strip() for k, v in data.items()}
