"""The crawl stage as an ordered list of collectors.

A collector is one Scrapy spider with what the runner needs to know about
it: its id, its declared order, its scope (once per selected site, or once
per run), the store tables it owns, how it resumes after a kill and how its
crawl's end reads as a :class:`zwgk.vocab.StageOutcome`. The runner runs the
per-site collectors for every selected site (sites concurrently, a site's
collectors in order), then, once every site crawled, the per-run ones.

Every module in this package that defines a :class:`Collector` subclass
decorated with :func:`register` is found here, and only here: adding a
collector is its module, its models and migration, and its tests.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Collection
from enum import StrEnum
from typing import Any, ClassVar

import scrapy

from zwgk.config import Config
from zwgk.store import Store
from zwgk.vocab import StageOutcome


class Scope(StrEnum):
    SITE = "site"  # once for each selected site
    RUN = "run"  # once for the run, after every site's per-site collectors crawled


class Collector:
    """The contract: class attributes say what a collector is, methods how
    the runner drives it. ``site_id`` is None for a per-run collector."""

    id: ClassVar[str]
    order: ClassVar[int]
    scope: ClassVar[Scope]
    spider: ClassVar[type[scrapy.Spider]]
    # The store tables only this collector writes (zwgk.store.models).
    tables: ClassVar[tuple[str, ...]]
    # The name a per-run collector's progress and outcome are reported under;
    # a per-site collector reports under the site's id.
    label: ClassVar[str] = ""
    # What the runner logs when the crawl fails: "<title> failed: <error>".
    title: ClassVar[str] = ""

    # -- resume ------------------------------------------------------------

    def completed(self, store: Store, run_id: str, site_id: str | None) -> bool:
        """Whether this collection is complete in the run: it is then skipped
        unless the crawl is forced (``recrawl``). An incomplete one, such as
        one killed midway, is run again and continues where it stopped."""
        return False

    def spider_args(
        self, cfg: Config, store: Store, run_id: str, site_id: str | None, *, recrawl: bool
    ) -> dict[str, Any]:
        """The keyword arguments the spider is started with."""
        raise NotImplementedError

    def beside_args(
        self, cfg: Config, store: Store, run_id: str, stop: Any
    ) -> dict[str, Any] | None:
        """A per-run collector's part that can run while the sites still
        crawl, in a process of its own: the spider's keyword arguments, or
        None. ``stop`` (``is_set()``) turns true when every site's crawl has
        ended; the spider then finishes what the crawls stored and closes."""
        return None

    # -- outcome -----------------------------------------------------------

    def outcome(self, reason: str) -> StageOutcome:
        """The outcome of a crawl that ended with Scrapy's close ``reason``."""
        return StageOutcome.CRAWLED if reason == "finished" else StageOutcome.INTERRUPTED

    def failed(self, store: Store, run_id: str, site_id: str | None, error: str) -> None:
        """Record a crawl that raised instead of ending (the runner reports FAILED)."""

    def pages(self, store: Store, run_id: str, site_id: str | None) -> int:
        """Pages stored, for the run's summary."""
        return 0

    def counts_page(self, item: Any) -> bool:
        """Whether a scraped item is a stored page, for the progress display."""
        return False

    # -- a per-run collector's work, shared out by site (site jobs) --------
    #
    # A site job (zwgk.jobs) runs one site's per-site collectors, then that
    # site's share of each per-run collector: the keys of the run-wide work
    # the site needs, claimed in the store's ``claims`` (kind = ``id``) so
    # that a key many sites need is done once, whichever job meets it first.

    def share(self, cfg: Config, store: Store, run_id: str, site_id: str) -> set[str]:
        """The keys of this run's work that ``site_id`` needs."""
        raise NotImplementedError(f"collector {self.id} cannot be shared out by site")

    def stored(self, store: Store, run_id: str, keys: Collection[str]) -> set[str]:
        """Those of ``keys`` whose result is stored (by any process)."""
        raise NotImplementedError

    def share_args(
        self, cfg: Config, store: Store, run_id: str, keys: Collection[str]
    ) -> dict[str, Any]:
        """The spider's arguments to do ``keys`` (claimed) and nothing else."""
        raise NotImplementedError


_REGISTRY: dict[str, type[Collector]] = {}


def register(cls: type[Collector]) -> type[Collector]:
    if cls.id in _REGISTRY and _REGISTRY[cls.id] is not cls:
        raise ValueError(f"duplicate collector id {cls.id!r}")
    _REGISTRY[cls.id] = cls
    return cls


def registry() -> list[Collector]:
    """Every collector, in declared order; per-site ones come first."""
    for mod in pkgutil.iter_modules(__path__):
        if not mod.name.startswith("_"):
            importlib.import_module(f"{__name__}.{mod.name}")
    collectors = sorted((cls() for cls in _REGISTRY.values()), key=lambda c: c.order)
    orders = [c.order for c in collectors]
    if len(set(orders)) != len(orders):
        raise ValueError(f"collectors share an order: {orders}")
    scopes = [c.scope for c in collectors]
    if scopes != sorted(scopes, key=lambda s: s is Scope.RUN):
        raise ValueError("a per-run collector is declared before a per-site one")
    return collectors


__all__ = ["Collector", "Scope", "register", "registry"]
