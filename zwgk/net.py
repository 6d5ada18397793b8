"""Name resolution and the private-address guard, shared by the crawler and checks.

One :class:`Resolver` answers A and AAAA for every component: configured
``dns.hosts`` first, then the configured nameservers (or the system's). It
also records the CNAME chain a lookup followed and, through
:meth:`Resolver.zone_ns`, the name servers of a host's zone.
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
from types import MappingProxyType
from typing import cast

import dns.exception
import dns.message
import dns.name
import dns.nameserver
import dns.rdatatype
import dns.rdtypes.ANY.CNAME
import dns.rdtypes.ANY.NS
import dns.resolver


class ResolveError(StrEnum):
    NXDOMAIN = "nxdomain"
    NO_ADDRESS = "no_address"
    TIMEOUT = "timeout"
    SERVFAIL = "servfail"


@dataclass(frozen=True)
class Resolution:
    """What ``host`` resolved to.

    ``cnames`` is the CNAME chain the lookup followed: each alias target in
    turn, lower-case without the final dot, so the last one is the canonical
    name. It is empty when ``host`` is not an alias, and for ``dns.hosts``
    entries and IP literals, which are never looked up.
    """

    host: str
    a: tuple[str, ...] = ()
    aaaa: tuple[str, ...] = ()
    error: ResolveError | None = None
    cnames: tuple[str, ...] = ()

    @property
    def addresses(self) -> tuple[str, ...]:
        return self.a + self.aaaa


def _frozen(mapping: Mapping[str, tuple[str, ...]]) -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class NameServers:
    """The name servers of a host's zone, as far as the resolver can tell.

    ``zone`` is the closest enclosing name (the host itself or a parent) that
    has NS records, and ``names`` its NS host names, sorted. ``aaaa`` and
    ``a`` map each NS name to its addresses, looked up through the same
    :class:`Resolver`: an empty tuple means it has none, while a name
    missing from a mapping means that lookup failed (timeout or SERVFAIL),
    so whether it has such addresses is unknown.

    ``known`` is False when the resolver cannot tell at all: the host is a
    ``dns.hosts`` entry or an IP literal, no NS record was found walking up
    its labels, or DNS failed on the way; ``error`` then says why.
    """

    zone: str | None = None
    names: tuple[str, ...] = ()
    # hash=False: mappings are unhashable; equal objects still hash equal.
    aaaa: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    a: Mapping[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    known: bool = False
    error: str | None = None

    def __post_init__(self) -> None:
        # Read-only views, so a cached result cannot be changed by a caller.
        object.__setattr__(self, "aaaa", _frozen(self.aaaa))
        object.__setattr__(self, "a", _frozen(self.a))


def _name_text(name: dns.name.Name) -> str:
    return name.to_text(omit_final_dot=True).lower()


def _cname_chain(response: dns.message.Message | None) -> tuple[str, ...]:
    """The alias targets followed in ``response``, in order."""
    if not isinstance(response, dns.message.QueryMessage):
        return ()
    try:
        chain = response.resolve_chaining()
    except dns.exception.DNSException:
        return ()
    return tuple(
        _name_text(cast(dns.rdtypes.ANY.CNAME.CNAME, rdata).target)
        for rrset in chain.cnames
        for rdata in rrset
    )


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
        self._ns_cache: dict[str, NameServers] = {}
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
        cnames: tuple[str, ...] = ()
        for rdtype, out in (("A", a), ("AAAA", aaaa)):
            try:
                answer = self._dns.resolve(host, rdtype, search=False)
                out.extend(r.to_text() for r in answer)
                cnames = cnames or _cname_chain(answer.response)
            except dns.resolver.NXDOMAIN as exc:
                # One name is tried (search=False), so one response at most.
                responses = exc.kwargs.get("responses") or {}
                chain = _cname_chain(next(iter(responses.values()), None))
                return Resolution(host, error=ResolveError.NXDOMAIN, cnames=cnames or chain)
            except dns.resolver.NoAnswer as exc:
                cnames = cnames or _cname_chain(exc.response())
                continue
            except (dns.exception.Timeout, dns.resolver.LifetimeTimeout):
                errors.append(ResolveError.TIMEOUT)
            except dns.resolver.NoNameservers:
                errors.append(ResolveError.SERVFAIL)
        if a or aaaa:
            return Resolution(host, a=tuple(a), aaaa=tuple(aaaa), cnames=cnames)
        error = errors[0] if errors else ResolveError.NO_ADDRESS
        return Resolution(host, error=error, cnames=cnames)

    def zone_ns(self, host: str) -> NameServers:
        """The NS names of ``host``'s zone and their addresses; cached like resolve().

        The zone is found by asking NS for ``host``, then for each parent in
        turn (``www.a.b.test``, ``a.b.test``, ``b.test``, ``test``), stopping
        at the first name that answers NS records itself; the root is never
        asked. NXDOMAIN or no NS records at a name moves on to its parent; a
        timeout or a failing server stops the walk, since a parent's name
        servers would be the wrong answer.
        """
        host = host.lower().rstrip(".")
        with self._lock:
            cached = self._ns_cache.get(host)
        if cached is not None:
            return cached
        result = self._zone_ns_uncached(host)
        with self._lock:
            self._ns_cache[host] = result
        return result

    def _zone_ns_uncached(self, host: str) -> NameServers:
        if ip_literal(host) is not None:
            return NameServers(error="host is an IP address, not a DNS name")
        if host in self.hosts:
            return NameServers(error="host is a static dns.hosts entry")
        try:
            labels = dns.name.from_text(host).labels[:-1]
        except dns.exception.DNSException:
            return NameServers(error="host is not a valid DNS name")
        if not labels:
            return NameServers(error="host is not a valid DNS name")
        for i in range(len(labels)):
            zone = dns.name.Name((*labels[i:], b""))
            try:
                answer = self._dns.resolve(zone, dns.rdatatype.NS, search=False)
            except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
                continue
            except (dns.exception.Timeout, dns.resolver.LifetimeTimeout):
                return NameServers(error=f"DNS timed out asking NS for {_name_text(zone)}")
            except dns.resolver.NoNameservers:
                return NameServers(error=f"no name server answered NS for {_name_text(zone)}")
            if answer.canonical_name != zone:
                # NS records reached through a CNAME belong to the target, and
                # an alias cannot be a zone apex: keep walking up.
                continue
            names = tuple(
                sorted({_name_text(cast(dns.rdtypes.ANY.NS.NS, r).target) for r in answer})
            )
            return self._with_addresses(_name_text(zone), names)
        return NameServers(error=f"no NS records found for {host} or its parents")

    def _with_addresses(self, zone: str, names: tuple[str, ...]) -> NameServers:
        aaaa: dict[str, tuple[str, ...]] = {}
        a: dict[str, tuple[str, ...]] = {}
        for name in names:
            res = self.resolve(name)
            if res.error in (ResolveError.TIMEOUT, ResolveError.SERVFAIL):
                continue  # unknown: left out of both mappings
            aaaa[name] = res.aaaa
            a[name] = res.a
        return NameServers(zone=zone, names=names, aaaa=aaaa, a=a, known=True)


def address_is_private(address: str) -> bool:
    """True for any address that is not globally routable.

    That covers RFC 1918, loopback, link-local, CGNAT, ULA, unspecified and
    the other reserved ranges: none of them is a public web server.
    """
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None and not embedded.is_global:
            return True
        if ip.ipv4_mapped:
            return not ip.ipv4_mapped.is_global
    return not ip.is_global


# NAT64's well-known prefix (RFC 6052): a NAT64 gateway connects
# 64:ff9b::a00:1 to 10.0.0.1, so the embedded address is what is reached.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address a translating or tunnelling network would connect to."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


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
