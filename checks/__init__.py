"""The check registry: every module in this package that defines a Check
subclass decorated with :func:`register` is found here, and only here."""

from __future__ import annotations

import importlib
import pkgutil

from zwgk.checks.base import (
    COMMON_EVIDENCE_LABELS,
    COMMON_VALUE_LABELS,
    Check,
    CheckContext,
    CheckOutcome,
    FindingOut,
    Severity,
    Status,
)

_REGISTRY: dict[str, type[Check]] = {}


def register(cls: type[Check]) -> type[Check]:
    if cls.id in _REGISTRY and _REGISTRY[cls.id] is not cls:
        raise ValueError(f"duplicate check id {cls.id!r}")
    _REGISTRY[cls.id] = cls
    return cls


def registry() -> dict[str, type[Check]]:
    for mod in pkgutil.iter_modules(__path__):
        if mod.name != "base" and not mod.name.startswith("_"):
            importlib.import_module(f"{__name__}.{mod.name}")
    return dict(sorted(_REGISTRY.items()))


__all__ = [
    "COMMON_EVIDENCE_LABELS",
    "COMMON_VALUE_LABELS",
    "Check",
    "CheckContext",
    "CheckOutcome",
    "FindingOut",
    "Severity",
    "Status",
    "register",
    "registry",
]
