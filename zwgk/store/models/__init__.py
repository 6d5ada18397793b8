"""The store's tables, one module per stage that writes them.

``core``: runs and the sites within them (every stage); ``crawl``: pages,
links and list items (the portal crawl); ``ipv6``: the IPv6 probe's DNS facts
and fetches; ``linkcheck``: link verification outcomes and cache;
``results``: check results, findings and scores. A further module here (a new
collector's tables) is imported with the package, so that its tables are in
``Base.metadata`` for Alembic without a line elsewhere.
"""

from __future__ import annotations

import importlib
import pkgutil

from zwgk.store.models.core import Base, Run, SiteRun, utcnow
from zwgk.store.models.crawl import Link, ListItem, Page
from zwgk.store.models.ipv6 import Ipv6Probe, Ipv6Site
from zwgk.store.models.jobs import Claim, RunFile, SiteJob
from zwgk.store.models.linkcheck import LinkCache, UrlCheck
from zwgk.store.models.results import CheckResult, Finding, Score

for _mod in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_mod.name}")

__all__ = [
    "Base",
    "CheckResult",
    "Claim",
    "Finding",
    "Ipv6Probe",
    "Ipv6Site",
    "Link",
    "LinkCache",
    "ListItem",
    "Page",
    "Run",
    "RunFile",
    "Score",
    "SiteJob",
    "SiteRun",
    "UrlCheck",
    "utcnow",
]
