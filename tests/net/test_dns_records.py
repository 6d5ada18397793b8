"""CNAME chains and zone name servers: DNSServer's records and Resolver's view of them.

Everything stays on the machine: the only nameserver is a DNSServer bound to
127.0.0.1, every name lies under the reserved ``.test`` TLD, and each
zone_ns() test checks the exact queries the server saw, so a query for the
root or for a name outside the test zone would fail it.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest

from zwgk.dnsserver import DNSServer
from zwgk.net import NameServers, Resolution, ResolveError, Resolver

APEX = "probe.gov.test"
WWW = f"www.{APEX}"
V4 = f"v4.{APEX}"
V6 = f"v6.{APEX}"
DEEP = f"www.sub.{APEX}"  # two labels under the apex; sub.probe.gov.test is not held
NS1 = f"ns1.{APEX}"  # has AAAA
NS2 = f"ns2.{APEX}"  # IPv4 only
ALIAS = f"alias.{APEX}"  # -> hop -> www
HOP = f"hop.{APEX}"
DANGLING = f"dangling.{APEX}"  # -> gone, which the server does not hold
GONE = f"gone.{APEX}"
V6_ALIAS = f"v6alias.{APEX}"  # -> v6: the A query gets the CNAME and no answer
OTHER_APEX = "other.gov.test"
CDN = f"cdn.{APEX}"  # -> other.gov.test, an apex of its own
LOOP1, LOOP2 = f"loop1.{APEX}", f"loop2.{APEX}"
ORPHAN = "www.orphan.gov.test"  # no NS for it or any parent
FIXED = f"fixed.{APEX}"  # a dns.hosts entry

ZONE = {
    WWW: ["127.0.0.1", "::1"],
    DEEP: ["127.0.0.1", "::1"],
    V4: ["127.0.0.3"],
    V6: ["::1"],
    NS1: ["127.0.0.53", "::1"],
    NS2: ["127.0.0.54"],
    ORPHAN: ["127.0.0.1", "::1"],
    FIXED: ["127.0.0.7"],
}
CNAMES = {
    ALIAS: HOP,
    HOP: WWW,
    DANGLING: GONE,
    V6_ALIAS: V6,
    CDN: OTHER_APEX,
    LOOP1: LOOP2,
    LOOP2: LOOP1,
}
NS = {APEX: [NS2, NS1], OTHER_APEX: [NS2]}


@pytest.fixture(scope="module")
def shared_dns_server() -> Iterator[DNSServer]:
    with DNSServer(ZONE, host="127.0.0.1", port=0, cnames=CNAMES, ns=NS) as server:
        yield server


@pytest.fixture
def dns_server(shared_dns_server: DNSServer) -> DNSServer:
    shared_dns_server.queries.clear()
    return shared_dns_server


@pytest.fixture
def resolver(dns_server: DNSServer) -> Resolver:
    return Resolver(nameservers=[dns_server.address], hosts={FIXED: ["127.0.0.9"]}, timeout=2.0)


def ask(server: DNSServer, name: str, rdtype: str) -> dns.message.Message:
    query = dns.message.make_query(name, rdtype)
    return dns.query.udp(query, server.host, port=server.port, timeout=2.0)


def answers(response: dns.message.Message) -> list[tuple[str, str, list[str]]]:
    return [
        (
            rrset.name.to_text(omit_final_dot=True),
            dns.rdatatype.to_text(rrset.rdtype),
            sorted(r.to_text() for r in rrset),
        )
        for rrset in response.answer
    ]


def assert_stays_in_test_zone(queries: list[tuple[str, str]]) -> None:
    names = {name for name, _ in queries}
    assert names, "expected the server to be asked something"
    assert "" not in names  # the root
    assert all(n == "test" or n.endswith(".test") for n in names), names


# -- DNSServer -------------------------------------------------------------------------


def test_cname_chain_answers_alias_records_and_target_addresses(dns_server: DNSServer) -> None:
    response = ask(dns_server, ALIAS, "AAAA")
    assert response.rcode() == dns.rcode.NOERROR
    assert answers(response) == [
        (ALIAS, "CNAME", [f"{HOP}."]),
        (HOP, "CNAME", [f"{WWW}."]),
        (WWW, "AAAA", ["::1"]),
    ]


def test_cname_to_name_not_held_answers_the_chain_alone(dns_server: DNSServer) -> None:
    response = ask(dns_server, DANGLING, "A")
    assert response.rcode() == dns.rcode.NOERROR
    assert answers(response) == [(DANGLING, "CNAME", [f"{GONE}."])]


def test_cname_query_answers_only_the_alias_record(dns_server: DNSServer) -> None:
    assert answers(ask(dns_server, ALIAS, "CNAME")) == [(ALIAS, "CNAME", [f"{HOP}."])]


def test_cname_loop_ends_after_one_round(dns_server: DNSServer) -> None:
    response = ask(dns_server, LOOP1, "A")
    assert response.rcode() == dns.rcode.NOERROR
    assert answers(response) == [
        (LOOP1, "CNAME", [f"{LOOP2}."]),
        (LOOP2, "CNAME", [f"{LOOP1}."]),
    ]


def test_ns_query_for_apex(dns_server: DNSServer) -> None:
    assert answers(ask(dns_server, APEX, "NS")) == [(APEX, "NS", [f"{NS1}.", f"{NS2}."])]


def test_apex_without_addresses_exists(dns_server: DNSServer) -> None:
    response = ask(dns_server, APEX, "A")
    assert (response.rcode(), response.answer) == (dns.rcode.NOERROR, [])


def test_unlisted_names_under_an_apex_are_nxdomain(dns_server: DNSServer) -> None:
    for name in (f"sub.{APEX}", f"nope.{APEX}"):
        response = ask(dns_server, name, "NS")
        assert (response.rcode(), response.answer) == (dns.rcode.NXDOMAIN, [])


def test_name_without_records_of_the_type_is_nodata(dns_server: DNSServer) -> None:
    response = ask(dns_server, WWW, "NS")
    assert (response.rcode(), response.answer) == (dns.rcode.NOERROR, [])
    response = ask(dns_server, NS2, "AAAA")
    assert (response.rcode(), response.answer) == (dns.rcode.NOERROR, [])


def test_malformed_query_does_not_kill_the_server(dns_server: DNSServer) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.sendto(b"\x00\x01garbage", (dns_server.host, dns_server.port))
        # A header with no question: parses, then fails in the answer.
        sock.sendto(b"\x12\x34\x01\x00" + b"\x00" * 8, (dns_server.host, dns_server.port))
    assert answers(ask(dns_server, V4, "A")) == [(V4, "A", ["127.0.0.3"])]


@pytest.mark.parametrize(
    ("cnames", "ns", "match"),
    [
        ({WWW: V4}, {}, "cannot also have addresses"),
        ({APEX: WWW}, {APEX: [NS1]}, "cannot also be a zone apex"),
        ({ALIAS: "bad..name"}, {}, "not a valid DNS name"),
        ({}, {APEX: ["bad..name"]}, "not a valid DNS name"),
    ],
)
def test_inconsistent_records_are_refused(
    cnames: dict[str, str], ns: dict[str, list[str]], match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        DNSServer(ZONE, host="127.0.0.1", port=0, cnames=cnames, ns=ns)


# -- Resolution.cnames ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        (WWW, Resolution(WWW, a=("127.0.0.1",), aaaa=("::1",))),
        (V4, Resolution(V4, a=("127.0.0.3",))),
        (ALIAS, Resolution(ALIAS, a=("127.0.0.1",), aaaa=("::1",), cnames=(HOP, WWW))),
        (V6_ALIAS, Resolution(V6_ALIAS, aaaa=("::1",), cnames=(V6,))),
        (DANGLING, Resolution(DANGLING, error=ResolveError.NO_ADDRESS, cnames=(GONE,))),
        (APEX, Resolution(APEX, error=ResolveError.NO_ADDRESS)),
        (f"nope.{APEX}", Resolution(f"nope.{APEX}", error=ResolveError.NXDOMAIN)),
        (FIXED, Resolution(FIXED, a=("127.0.0.9",))),
        ("::1", Resolution("::1", aaaa=("::1",))),
    ],
)
def test_resolution_records_the_cname_chain(
    resolver: Resolver, host: str, expected: Resolution
) -> None:
    assert resolver.resolve(host) == expected


def test_cname_chain_is_lower_case_without_dots(resolver: Resolver) -> None:
    res = resolver.resolve("ALIAS.Probe.GOV.test.")
    assert (res.host, res.cnames) == (ALIAS, (HOP, WWW))


def test_cname_loop_is_a_server_failure(resolver: Resolver) -> None:
    assert resolver.resolve(LOOP1) == Resolution(LOOP1, error=ResolveError.SERVFAIL)


# -- Resolver.zone_ns ------------------------------------------------------------------


def test_zone_ns_walks_up_to_the_apex(resolver: Resolver, dns_server: DNSServer) -> None:
    result = resolver.zone_ns(DEEP)
    assert result == NameServers(
        zone=APEX,
        names=(NS1, NS2),
        aaaa={NS1: ("::1",), NS2: ()},
        a={NS1: ("127.0.0.53",), NS2: ("127.0.0.54",)},
        known=True,
    )
    # The host (NODATA) and its parent (NXDOMAIN), then the apex; no further.
    assert dns_server.queries == [
        (DEEP, "NS"),
        (f"sub.{APEX}", "NS"),
        (APEX, "NS"),
        (NS1, "A"),
        (NS1, "AAAA"),
        (NS2, "A"),
        (NS2, "AAAA"),
    ]
    assert_stays_in_test_zone(dns_server.queries)


def test_zone_ns_result_is_cached_and_read_only(resolver: Resolver, dns_server: DNSServer) -> None:
    first = resolver.zone_ns(DEEP)
    count = len(dns_server.queries)
    assert count == 7
    assert resolver.zone_ns(DEEP.upper() + ".") is first
    assert len(dns_server.queries) == count
    with pytest.raises(TypeError):
        first.aaaa[NS2] = ("::2",)  # type: ignore[index]
    assert hash(first) == hash(resolver.zone_ns(DEEP))


def test_zone_ns_for_the_apex_itself(resolver: Resolver, dns_server: DNSServer) -> None:
    result = resolver.zone_ns(APEX)
    assert (result.zone, result.names, result.known) == (APEX, (NS1, NS2), True)
    assert dns_server.queries[0] == (APEX, "NS")


def test_zone_ns_does_not_take_ns_records_through_a_cname(
    resolver: Resolver, dns_server: DNSServer
) -> None:
    # cdn -> other.gov.test, whose NS are answered too; but cdn lives in APEX.
    result = resolver.zone_ns(CDN)
    assert (result.zone, result.names, result.known) == (APEX, (NS1, NS2), True)
    assert dns_server.queries[:2] == [(CDN, "NS"), (APEX, "NS")]


def test_zone_ns_for_dns_hosts_entry_is_unknown(resolver: Resolver, dns_server: DNSServer) -> None:
    result = resolver.zone_ns(FIXED)
    assert result == NameServers(known=False, error="host is a static dns.hosts entry")
    assert dns_server.queries == []


def test_zone_ns_for_ip_literal_is_unknown(resolver: Resolver, dns_server: DNSServer) -> None:
    result = resolver.zone_ns("[::1]")
    assert (result.known, result.zone, result.names) == (False, None, ())
    assert result.error == "host is an IP address, not a DNS name"
    assert dns_server.queries == []


def test_zone_ns_without_any_ns_record_is_unknown(
    resolver: Resolver, dns_server: DNSServer
) -> None:
    result = resolver.zone_ns(ORPHAN)
    assert result == NameServers(error=f"no NS records found for {ORPHAN} or its parents")
    assert not result.known
    # Up to the TLD and never the root.
    assert dns_server.queries == [
        (ORPHAN, "NS"),
        ("orphan.gov.test", "NS"),
        ("gov.test", "NS"),
        ("test", "NS"),
    ]
    assert_stays_in_test_zone(dns_server.queries)


def test_zone_ns_timeout_is_unknown() -> None:
    # A bound socket that never answers, so the query cannot escape loopback.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        port = silent.getsockname()[1]
        result = Resolver([f"127.0.0.1:{port}"], timeout=0.3).zone_ns(DEEP)
    assert result == NameServers(error=f"DNS timed out asking NS for {DEEP}")
