"""``Store``: one object over the database, composed of each stage's part.

``zwgk.store.runs`` (runs, sites, their lifecycle), ``zwgk.store.crawl``
(pages and links written by the portal crawl), ``zwgk.store.linkcheck``
(link targets, url_checks, link_cache), ``zwgk.store.ipv6`` (the IPv6
probe's DNS facts and fetches) and ``zwgk.store.results`` (what the
checks read and write), ``zwgk.store.jobs`` (site jobs, claims, run files)
share one engine and session factory
(``zwgk.store.base``).
"""

from __future__ import annotations

from zwgk.store.base import MIGRATIONS, StoreBase, default_db_url, normalise_db_url
from zwgk.store.crawl import CrawlStore
from zwgk.store.ipv6 import Ipv6Store
from zwgk.store.jobs import JobStore
from zwgk.store.linkcheck import LinkCheckStore
from zwgk.store.locks import LockBusy, LockHolder, LockStore
from zwgk.store.results import ResultStore
from zwgk.store.runs import RunStore


class Store(RunStore, CrawlStore, LinkCheckStore, Ipv6Store, ResultStore, LockStore, JobStore):
    """The whole store: ``Store(url)`` opens (and migrates) the database."""


__all__ = [
    "MIGRATIONS",
    "LockBusy",
    "LockHolder",
    "Store",
    "StoreBase",
    "default_db_url",
    "normalise_db_url",
]
