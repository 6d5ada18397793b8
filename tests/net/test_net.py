"""zwgk.net: the resolver against a loopback DNS server, and the private-address guard.

Nothing here leaves the machine: the only nameserver is a DNSServer bound to
127.0.0.1, its zone maps names to loopback addresses only, and private or
public addresses appear solely as strings handed to decide().
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from zwgk.dnsserver import DNSServer
from zwgk.net import (
    Decision,
    NetworkGuard,
    Resolution,
    ResolveError,
    Resolver,
    address_is_private,
    decide,
    ip_literal,
    parse_nameserver,
)

SITE_HOST = "www.demo.gov.test"
INTRANET = "intranet.example.gov.test"

ZONE = {
    SITE_HOST: ["127.0.0.1", "::1"],
    "v4only.demo.gov.test": ["127.0.0.3"],
    "v6only.demo.gov.test": ["::1"],
    "empty.demo.gov.test": [],
    "override.demo.gov.test": ["127.0.0.4"],
    INTRANET: ["127.0.0.2"],
}


@pytest.fixture(scope="module")
def shared_dns_server() -> Iterator[DNSServer]:
    # One server for the module: DNSServer.stop() waits out its 2 s join
    # because closing the socket does not wake the blocked recvfrom().
    with DNSServer(ZONE, host="127.0.0.1", port=0) as server:
        yield server


@pytest.fixture
def dns_server(shared_dns_server: DNSServer) -> DNSServer:
    shared_dns_server.queries.clear()
    return shared_dns_server


@pytest.fixture
def resolver(dns_server: DNSServer) -> Resolver:
    return Resolver(
        nameservers=[dns_server.address],
        hosts={"Fixed.Demo.Gov.Test": ["127.0.0.9", "::1"], "override.demo.gov.test": ["::1"]},
        timeout=2.0,
    )


def test_dns_server_binds_loopback_only() -> None:
    with pytest.raises(ValueError, match="loopback only"):
        DNSServer(ZONE, host="0.0.0.0")


# -- Resolver --------------------------------------------------------------------


def test_resolver_returns_a_and_aaaa(resolver: Resolver, dns_server: DNSServer) -> None:
    assert resolver.resolve(SITE_HOST) == Resolution(SITE_HOST, a=("127.0.0.1",), aaaa=("::1",))
    assert dns_server.queries == [(SITE_HOST, "A"), (SITE_HOST, "AAAA")]


def test_resolver_single_family_names(resolver: Resolver) -> None:
    v4 = resolver.resolve("v4only.demo.gov.test")
    assert (v4.a, v4.aaaa, v4.error) == (("127.0.0.3",), (), None)
    v6 = resolver.resolve("v6only.demo.gov.test")
    assert (v6.a, v6.aaaa, v6.error) == ((), ("::1",), None)
    assert v6.addresses == ("::1",)


def test_resolver_nxdomain(resolver: Resolver, dns_server: DNSServer) -> None:
    res = resolver.resolve("nope.demo.gov.test")
    assert res == Resolution("nope.demo.gov.test", error=ResolveError.NXDOMAIN)
    assert res.addresses == ()
    # NXDOMAIN on A already settles it: no AAAA query follows.
    assert dns_server.queries == [("nope.demo.gov.test", "A")]


def test_resolver_name_without_addresses(resolver: Resolver) -> None:
    res = resolver.resolve("empty.demo.gov.test")
    assert res == Resolution("empty.demo.gov.test", error=ResolveError.NO_ADDRESS)


def test_resolver_normalises_case_and_trailing_dot(resolver: Resolver) -> None:
    res = resolver.resolve("WWW.Demo.GOV.test.")
    assert res == Resolution(SITE_HOST, a=("127.0.0.1",), aaaa=("::1",))


def test_dns_hosts_override_the_nameserver(resolver: Resolver, dns_server: DNSServer) -> None:
    fixed = resolver.resolve("fixed.demo.gov.test")
    assert fixed == Resolution("fixed.demo.gov.test", a=("127.0.0.9",), aaaa=("::1",))
    # The zone says 127.0.0.4; the configured entry wins.
    override = resolver.resolve("override.demo.gov.test")
    assert override == Resolution("override.demo.gov.test", aaaa=("::1",))
    assert dns_server.queries == []


@pytest.mark.parametrize(
    ("host", "a", "aaaa"),
    [
        ("127.0.0.5", ("127.0.0.5",), ()),
        ("::1", (), ("::1",)),
        ("[::1]", (), ("::1",)),
        ("[0:0:0:0:0:0:0:1]", (), ("::1",)),
    ],
)
def test_ip_literals_need_no_query(
    resolver: Resolver, dns_server: DNSServer, host: str, a: tuple[str, ...], aaaa: tuple[str, ...]
) -> None:
    res = resolver.resolve(host)
    assert (res.a, res.aaaa, res.error) == (a, aaaa, None)
    assert dns_server.queries == []


def test_resolver_caches_answers(resolver: Resolver, dns_server: DNSServer) -> None:
    first = resolver.resolve(SITE_HOST)
    resolver.resolve("nope.demo.gov.test")
    count = len(dns_server.queries)
    assert count == 3
    for _ in range(5):
        assert resolver.resolve(SITE_HOST) == first
        assert resolver.resolve(SITE_HOST.upper() + ".") == first
        assert resolver.resolve("nope.demo.gov.test").error is ResolveError.NXDOMAIN
    assert len(dns_server.queries) == count


def test_silent_nameserver_times_out() -> None:
    # A bound socket that never answers, so the query cannot escape loopback.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        port = silent.getsockname()[1]
        res = Resolver([f"127.0.0.1:{port}"], timeout=0.3).resolve(SITE_HOST)
    assert res == Resolution(SITE_HOST, error=ResolveError.TIMEOUT)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("127.0.0.1:15353", ("127.0.0.1", 15353)),
        (" 127.0.0.1 ", ("127.0.0.1", 53)),
        ("[::1]:5353", ("::1", 5353)),
        ("[::1]", ("::1", 53)),
        ("::1", ("::1", 53)),
    ],
)
def test_parse_nameserver(spec: str, expected: tuple[str, int]) -> None:
    assert parse_nameserver(spec) == expected


@pytest.mark.parametrize(
    "spec",
    [
        "ns.example.test",
        "ns.example.test:53",
        "127.0.0.1:dns",
        "127.0.0.1:",
        "127.0.0.1:0",
        "127.0.0.1:65536",
        "127.0.0.1:+53",
        "[::1]x",
        "[::1]:99999",
        "",
    ],
)
def test_parse_nameserver_rejects(spec: str) -> None:
    with pytest.raises(ValueError):
        parse_nameserver(spec)


def test_ip_literal() -> None:
    assert ip_literal("[::1]") == "::1"
    assert ip_literal("127.0.0.1") == "127.0.0.1"
    assert ip_literal("www.demo.gov.test") is None


# -- decide(): pure policy over address strings ----------------------------------

PRIVATE = [
    "10.0.0.1",
    "172.16.0.1",
    "172.16.5.4",
    "172.31.255.254",
    "192.168.1.1",
    "100.64.0.1",
    "169.254.1.1",
    # Cloud metadata services (AWS, Alibaba Cloud's is 100.100.100.200).
    "169.254.169.254",
    "100.100.100.200",
    "127.0.0.2",
    "::1",
    "fe80::1",
    "fc00::1",
    "fd00::1",
    "fd00:ec2::254",
    "::ffff:10.0.0.1",
    "::ffff:127.0.0.2",
    "::ffff:169.254.169.254",
    # NAT64 and 6to4 forms embed an IPv4 address too.
    "64:ff9b::a00:1",
    "2002:a00:1::",
    "0.0.0.0",
    "::",
]
# Public addresses as strings only: decide() never resolves or connects.
PUBLIC = [
    "202.96.134.133",
    "172.32.0.1",
    "100.128.0.1",
    "2408:8000::1",
    "::ffff:202.96.134.133",
    # NAT64 and 6to4 forms of a public address stay public.
    "64:ff9b::ca60:8685",
    "2002:ca60:8685::1",
]


@pytest.mark.parametrize("address", PRIVATE)
def test_private_address_refused(address: str) -> None:
    assert address_is_private(address)
    assert decide("link.other.gov.test", [address], [SITE_HOST], allow_private=False) == Decision(
        False, "private_address", (address,), (address,)
    )


@pytest.mark.parametrize("address", PRIVATE)
def test_private_address_allowed_when_configured(address: str) -> None:
    assert decide("link.other.gov.test", [address], [SITE_HOST], allow_private=True) == Decision(
        True, "private_allowed", (address,)
    )


@pytest.mark.parametrize("address", PRIVATE)
def test_configured_site_host_always_allowed(address: str) -> None:
    for host in (SITE_HOST, "WWW.DEMO.GOV.TEST", "www.demo.gov.test."):
        assert decide(host, [address], [SITE_HOST], allow_private=False) == Decision(
            True, "configured_site", (address,)
        )


@pytest.mark.parametrize("address", PUBLIC)
def test_public_address_allowed(address: str) -> None:
    assert not address_is_private(address)
    assert decide("www.other.gov.test", [address], [SITE_HOST], allow_private=False) == Decision(
        True, "public", (address,)
    )


def test_one_private_address_among_public_ones_refuses_the_host() -> None:
    # A connection may pick any of the addresses, so one private is enough.
    decision = decide(
        "mixed.other.gov.test",
        ["202.96.134.133", "10.0.0.1", "2408:8000::1", "fe80::1"],
        [SITE_HOST],
        allow_private=False,
    )
    assert (decision.allowed, decision.reason) == (False, "private_address")
    assert decision.refused == ("10.0.0.1", "fe80::1")


def test_ip_literal_host_is_judged_by_its_address() -> None:
    assert not decide("[::1]", ["::1"], [SITE_HOST], allow_private=False).allowed
    assert decide("127.0.0.1", ["127.0.0.1"], ["127.0.0.1"], allow_private=False).allowed


# -- NetworkGuard: resolver plus policy ---------------------------------------------


def test_guard_refuses_intranet_name_and_allows_site(resolver: Resolver) -> None:
    guard = NetworkGuard(resolver, [SITE_HOST.upper()], allow_private=False)

    res, decision = guard.check(INTRANET)
    assert res == Resolution(INTRANET, a=("127.0.0.2",))
    assert decision == Decision(False, "private_address", ("127.0.0.2",), ("127.0.0.2",))

    res, decision = guard.check(SITE_HOST)
    assert res.addresses == ("127.0.0.1", "::1")
    assert decision == Decision(True, "configured_site", ("127.0.0.1", "::1"))


def test_guard_with_allow_private(resolver: Resolver) -> None:
    guard = NetworkGuard(resolver, [SITE_HOST], allow_private=True)
    _, decision = guard.check(INTRANET)
    assert decision == Decision(True, "private_allowed", ("127.0.0.2",))


def test_guard_refuses_dns_hosts_entry_pointing_inside(resolver: Resolver) -> None:
    # dns.hosts fixes an address but does not make the name a site host.
    guard = NetworkGuard(resolver, [SITE_HOST], allow_private=False)
    _, decision = guard.check("fixed.demo.gov.test")
    assert (decision.allowed, decision.refused) == (False, ("127.0.0.9", "::1"))


def test_guard_on_unknown_name_reports_the_resolution_error(resolver: Resolver) -> None:
    guard = NetworkGuard(resolver, [SITE_HOST], allow_private=False)
    res, decision = guard.check("nope.demo.gov.test")
    assert res.error is ResolveError.NXDOMAIN
    # Nothing to connect to; callers look at res.error first.
    assert decision.addresses == ()


def test_no_dns_rebinding_between_check_and_connect() -> None:
    # A name first answers a public address, then (as a rebinding attacker's
    # server would) an intranet one. The guard's answer is the one every
    # later lookup in the run gets, the connection's included: the address
    # that was checked is the address connected to.
    name = "rebind.other.gov.test"
    with DNSServer({name: ["202.96.134.133"]}) as dns_server:
        guard = NetworkGuard(Resolver([dns_server.address]), [SITE_HOST], allow_private=False)
        res, decision = guard.check(name)
        assert decision.allowed and res.a == ("202.96.134.133",)
        dns_server.zone[name] = ["127.0.0.2"]
        for _ in range(3):
            res, decision = guard.check(name)
            assert decision.allowed and res.a == ("202.96.134.133",)
        assert len(dns_server.queries) <= 2  # A and AAAA, asked once


def test_a_name_refused_once_stays_refused() -> None:
    name = "rebind2.other.gov.test"
    with DNSServer({name: ["127.0.0.2"]}) as dns_server:
        guard = NetworkGuard(Resolver([dns_server.address]), [SITE_HOST], allow_private=False)
        assert not guard.check(name)[1].allowed
        dns_server.zone[name] = ["202.96.134.133"]
        assert not guard.check(name)[1].allowed
