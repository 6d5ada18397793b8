"""Name resolution and the private-address guard, shared by the crawler and checks.

One :class:`Resolver` answers A and AAAA for every component: configured
``dns.hosts`` first, then the configured nameservers (or the system's).
:func:`decide` is the one place that says whether an address may be
contacted; the crawler's Twisted resolver and downloader middleware and the
link checker all call it, so a private address is refused before a socket is
opened, whichever path asked.
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import dns.exception
import dns.nameserver
import dns.resolver


class ResolveError(StrEnum):
    NXDOMAIN = "nxdomain"
    NO_ADDRESS = "no_address"
    TIMEOUT = "timeout"
    SERVFAIL = "servfail"


@dataclass(frozen=True)
class Resolution:
    host: str
    a: tuple[str, ...] = ()
    aaaa: tuple[str, ...] = ()
    error: ResolveError | None = None

    @property
    def addresses(self) -> tuple[str, ...]:
        return self.a + self.aaaa


def parse_nameserver(spec: str) -> tuple[str, int]:
    """``"127.0.0.1:15353"`` -> ``("127.0.0.1", 15353)``; ``"[::1]:53"`` works too."""
    spec = spec.strip()
    if spec.startswith("["):
        host, _, rest = spec[1:].partition("]")
        if rest and not rest.startswith(":"):
            raise ValueError(f"unexpected {rest!r} after ']'")
        port = _port(rest[1:]) if rest else 53
    elif spec.count(":") == 1:
        host, port_s = spec.split(":")
        port = _port(port_s)
    else:
        host, port = spec, 53
    ipaddress.ip_address(host)  # nameservers must be addresses, never names
    return host, port


def _port(text: str) -> int:
    # int() alone would take "+53", " 53" or 99999; the last fails only at query time.
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) < 65536:
        raise ValueError(f"port {text!r} is not 1-65535")
    return int(text)


def ip_literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


class Resolver:
    """Thread-safe caching resolver honouring ``dns.hosts`` and ``dns.nameservers``."""

    def __init__(
        self,
        nameservers: Sequence[str] | None = None,
        hosts: Mapping[str, Sequence[str]] | None = None,
        timeout: float = 5.0,
    ) -> None:
        self.hosts = {k.lower().rstrip("."): tuple(v) for k, v in (hosts or {}).items()}
        if nameservers:
            self._dns = dns.resolver.Resolver(configure=False)
            parsed = [parse_nameserver(n) for n in nameservers]
            self._dns.nameservers = [dns.nameserver.Do53Nameserver(h, p) for h, p in parsed]
        else:
            self._dns = dns.resolver.Resolver(configure=True)
        self._dns.lifetime = timeout
        self._dns.timeout = timeout
        self._cache: dict[str, Resolution] = {}
        self._lock = threading.Lock()

    def resolve(self, host: str) -> Resolution:
        host = host.lower().rstrip(".")
        with self._lock:
            cached = self._cache.get(host)
        if cached is not None:
            return cached
        result = self._resolve_uncached(host)
        with self._lock:
            self._cache[host] = result
        return result

    def _resolve_uncached(self, host: str) -> Resolution:
        literal = ip_literal(host)
        if literal is not None:
            v = ipaddress.ip_address(literal).version
            return Resolution(
                host, a=(literal,) if v == 4 else (), aaaa=(literal,) if v == 6 else ()
            )
        if host in self.hosts:
            addrs = self.hosts[host]
            return Resolution(
                host,
                a=tuple(a for a in addrs if ipaddress.ip_address(a).version == 4),
                aaaa=tuple(a for a in addrs if ipaddress.ip_address(a).version == 6),
            )
        a: list[str] = []
        aaaa: list[str] = []
        errors: list[ResolveError] = []
        for rdtype, out in (("A", a), ("AAAA", aaaa)):
            try:
                answer = self._dns.resolve(host, rdtype, search=False)
                out.extend(r.to_text() for r in answer)
            except dns.resolver.NXDOMAIN:
                return Resolution(host, error=ResolveError.NXDOMAIN)
            except dns.resolver.NoAnswer:
                continue
            except (dns.exception.Timeout, dns.resolver.LifetimeTimeout):
                errors.append(ResolveError.TIMEOUT)
            except dns.resolver.NoNameservers:
                errors.append(ResolveError.SERVFAIL)
        if a or aaaa:
            return Resolution(host, a=tuple(a), aaaa=tuple(aaaa))
        return Resolution(host, error=errors[0] if errors else ResolveError.NO_ADDRESS)


def address_is_private(address: str) -> bool:
    """True for any address that is not globally routable.

    That covers RFC 1918, loopback, link-local, CGNAT, ULA, unspecified and
    the other reserved ranges: none of them is a public web server.
    """
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    addresses: tuple[str, ...] = ()
    refused: tuple[str, ...] = field(default=())


def decide(
    host: str,
    addresses: Iterable[str],
    trusted_hosts: Iterable[str],
    allow_private: bool,
) -> Decision:
    """May ``host`` be contacted at ``addresses``?

    A configured site host is trusted whatever it resolves to (the operator
    named it); any other host is refused if *any* address is private, since a
    connection may pick any of them.
    """
    addrs = tuple(addresses)
    host = host.lower().rstrip(".").strip("[]")
    if host in {h.lower() for h in trusted_hosts}:
        return Decision(True, "configured_site", addrs)
    if allow_private:
        return Decision(True, "private_allowed", addrs)
    refused = tuple(a for a in addrs if address_is_private(a))
    if refused:
        return Decision(False, "private_address", addrs, refused)
    return Decision(True, "public", addrs)


class NetworkGuard:
    """Resolver plus policy: what the crawler and checks ask before connecting."""

    def __init__(
        self, resolver: Resolver, trusted_hosts: Iterable[str], allow_private: bool
    ) -> None:
        self.resolver = resolver
        self.trusted_hosts = {h.lower() for h in trusted_hosts}
        self.allow_private = allow_private

    def check(self, host: str) -> tuple[Resolution, Decision]:
        resolution = self.resolver.resolve(host)
        return resolution, decide(
            host, resolution.addresses, self.trusted_hosts, self.allow_private
        )
