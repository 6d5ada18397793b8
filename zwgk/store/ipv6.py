"""The ``ipv6`` collector's part of the store: a site's DNS facts and probes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, insert, select

from zwgk.store.base import StoreBase
from zwgk.store.models import Ipv6Probe, Ipv6Site, utcnow


class Ipv6Store(StoreBase):
    def begin_ipv6(self, run_id: str, site_id: str, **dns: Any) -> None:
        """Start a site's collection afresh: a killed one left probes that
        belong to no finished collection."""
        with self.session() as s:
            s.execute(
                delete(Ipv6Probe).where(Ipv6Probe.run_id == run_id, Ipv6Probe.site_id == site_id)
            )
            s.execute(
                delete(Ipv6Site).where(Ipv6Site.run_id == run_id, Ipv6Site.site_id == site_id)
            )
            s.add(Ipv6Site(run_id=run_id, site_id=site_id, **dns))

    def add_ipv6_probes(self, run_id: str, site_id: str, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        with self.session() as s:
            s.execute(
                insert(Ipv6Probe), [{"run_id": run_id, "site_id": site_id, **r} for r in rows]
            )

    def finish_ipv6(self, run_id: str, site_id: str, hosts: dict[str, Any]) -> None:
        with self.session() as s:
            row = s.scalars(
                select(Ipv6Site).where(Ipv6Site.run_id == run_id, Ipv6Site.site_id == site_id)
            ).one()
            row.hosts = hosts
            row.finished_at = utcnow()

    def ipv6_site(self, run_id: str, site_id: str) -> Ipv6Site | None:
        with self.Session() as s:
            return s.scalars(
                select(Ipv6Site).where(Ipv6Site.run_id == run_id, Ipv6Site.site_id == site_id)
            ).one_or_none()

    def ipv6_probes(self, run_id: str, site_id: str) -> list[Ipv6Probe]:
        with self.Session() as s:
            return list(
                s.scalars(
                    select(Ipv6Probe)
                    .where(Ipv6Probe.run_id == run_id, Ipv6Probe.site_id == site_id)
                    .order_by(Ipv6Probe.level, Ipv6Probe.url, Ipv6Probe.family, Ipv6Probe.attempt)
                )
            )
