"""Items the spider yields; the store pipeline is their only consumer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class PageItem:
    """One fetched (or failed) URL with the links found on it."""

    url: str
    final_url: str
    fetch_status: str
    depth: int
    is_home: bool = False
    status: int | None = None
    error: str | None = None
    redirects: list[dict[str, Any]] = field(default_factory=list)
    content_type: str | None = None
    size: int = 0
    elapsed_ms: int | None = None
    encoding: str | None = None
    title: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    text: str | None = None
    text_len: int = 0
    text_hash: str | None = None
    fragment_ids: list[str] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)
    # The items of the page's column list (rows of list_items), when it is one.
    list_items: list[dict[str, Any]] = field(default_factory=list)
    # The response's validators, for the next crawl's conditional request.
    etag: str | None = None
    last_modified: str | None = None
    # A 304 to those validators: the page is the stored page ``copy_of``
    # (its id), which the store copies; the fields above that the response
    # would have filled are left empty.
    not_modified: bool = False
    copy_of: int | None = None


@dataclass
class LinkBatchItem:
    """Links discovered after their page was stored (Hanweb dataproxy records),
    attributed to the page a person sees them on, with the list items they are."""

    source_url: str
    links: list[dict[str, Any]]
    list_items: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class UrlCheckItem:
    """The verified outcome of one link target (a row of ``url_checks``)."""

    url: str
    outcome: str
    source: str  # crawl, cache, fetch, policy
    http_status: int | None = None
    final_url: str | None = None
    error: str | None = None
    method: str | None = None
    attempts: int = 0
    elapsed_ms: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Ipv6SiteItem:
    """A site's DNS facts for the IPv6 probe (a row of ``ipv6_sites``); the
    first item of an ``ipv6`` crawl, which starts the site's collection afresh."""

    home_url: str
    home_host: str
    a: list[str] = field(default_factory=list)
    aaaa: list[str] = field(default_factory=list)
    cnames: list[str] = field(default_factory=list)
    dns_error: str | None = None
    ns_zone: str | None = None
    ns: list[dict[str, Any]] = field(default_factory=list)
    ns_known: bool = False
    ns_error: str | None = None
    home_probes: int = 1


@dataclass
class Ipv6ProbeItem:
    """One fetch over one IP family (a row of ``ipv6_probes``)."""

    level: int
    url: str
    family: int
    attempt: int
    fetch_status: str
    status: int | None = None
    error: str | None = None
    latency_ms: int | None = None
    final_url: str | None = None
    hops: list[dict[str, Any]] = field(default_factory=list)
    text: str | None = None
    link_hosts: list[str] = field(default_factory=list)
