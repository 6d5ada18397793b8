"""The ``ipv6`` collector's tables: a site's DNS facts, and every probe it made.

One ``ipv6_sites`` row per site of a run (its home host's records, the
zone's name servers, whether the collection finished) and one
``ipv6_probes`` row per fetch: the home page repeatedly, and each 2nd- and
3rd-level URL, once over IPv4 and once over IPv6. A re-collection of a site
replaces both, so the check never mixes two collections.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zwgk.store.models.core import Base, SafeText, utcnow


class Ipv6Site(Base):
    __tablename__ = "ipv6_sites"
    __table_args__ = (UniqueConstraint("run_id", "site_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    site_id: Mapped[str] = mapped_column(String(64))
    home_url: Mapped[str] = mapped_column(SafeText)
    home_host: Mapped[str] = mapped_column(SafeText)
    a: Mapped[list[Any]] = mapped_column(default=list)
    aaaa: Mapped[list[Any]] = mapped_column(default=list)
    # The names the home host's lookup passed through (CNAME chain).
    cnames: Mapped[list[Any]] = mapped_column(default=list)
    dns_error: Mapped[str | None] = mapped_column(String(24), nullable=True)
    # The zone's name servers: [{name, a: [...], aaaa: [...]}]; ns_known is
    # False when the resolver could not tell (a static dns.hosts entry, no
    # NS record found, a timeout).
    ns_zone: Mapped[str | None] = mapped_column(SafeText, nullable=True)
    ns: Mapped[list[Any]] = mapped_column(default=list)
    ns_known: Mapped[bool] = mapped_column(Boolean, default=False)
    ns_error: Mapped[str | None] = mapped_column(SafeText, nullable=True)
    # Every other host a probed URL named: {host: {a, aaaa, cnames, error}}.
    hosts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    home_probes: Mapped[int] = mapped_column(Integer, default=1)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # None until every probe is stored: a killed collection is run again.
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class Ipv6Probe(Base):
    """One fetch of one URL over one IP family, redirects followed on that family."""

    __tablename__ = "ipv6_probes"
    __table_args__ = (Index("ix_ipv6_probes_site", "run_id", "site_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    site_id: Mapped[str] = mapped_column(String(64))
    level: Mapped[int] = mapped_column(Integer)  # 1 home page, 2 and 3 link levels
    url: Mapped[str] = mapped_column(SafeText)
    family: Mapped[int] = mapped_column(Integer)  # 4 or 6
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    # zwgk.vocab.FetchStatus, or "no_address" (the host has no address of
    # this family, on the first hop or a redirect's).
    fetch_status: Mapped[str] = mapped_column(String(24))
    status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(SafeText, nullable=True)
    latency_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
    final_url: Mapped[str | None] = mapped_column(SafeText, nullable=True)
    # [{url, status, family, address}] for every hop, the last one included.
    hops: Mapped[list[Any]] = mapped_column(default=list)
    # The home page's main text (first attempt only), for the IPv4/IPv6
    # content comparison, and the hosts its links name (translation proxies
    # rewrite them).
    text: Mapped[str | None] = mapped_column(SafeText, nullable=True)
    link_hosts: Mapped[list[Any]] = mapped_column(default=list)
    fetched_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
