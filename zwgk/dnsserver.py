"""A tiny authoritative DNS server for loopback use (demo and tests).

It answers A, AAAA, CNAME and NS queries from in-memory data and NXDOMAIN
for names it does not hold, so that a crawl of ``*.gov.test`` names never
needs a real resolver and never leaves the machine.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
from collections.abc import Mapping, Sequence

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

LOOPBACK_V4 = ipaddress.ip_network("127.0.0.0/8")


class DNSServer:
    """Serve ``zone`` (name -> addresses) over UDP on a loopback address.

    ``cnames`` maps aliases to targets. A query of any type for an alias
    answers its CNAME and, following further aliases (a loop ends the chain),
    the final target's records of the asked type when this server holds them;
    a chain ending at a name it does not hold is answered with the CNAMEs
    alone, NOERROR, as an authoritative server for the alias alone would. An
    alias may hold nothing else: neither addresses nor NS records.

    ``ns`` maps zone apexes to their name server host names, answered for NS
    queries. An apex exists even without addresses, so its A and AAAA queries
    get NOERROR with no answer (NODATA), like any name held without records
    of the asked type. Every other name is NXDOMAIN, including unlisted names
    under an apex.

    Refuses to bind anything but loopback: this server exists for tests and
    the demo, and must not be reachable from elsewhere.
    """

    def __init__(
        self,
        zone: Mapping[str, Sequence[str]],
        host: str = "127.0.0.1",
        port: int = 0,
        ttl: int = 60,
        *,
        cnames: Mapping[str, str] | None = None,
        ns: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError(f"DNSServer binds loopback only, not {host}")
        self.zone = {self._norm(k): list(v) for k, v in zone.items()}
        self.cnames = {self._norm(k): self._checked(v) for k, v in (cnames or {}).items()}
        self.ns = {self._norm(k): [self._checked(n) for n in v] for k, v in (ns or {}).items()}
        for alias in self.cnames:
            if alias in self.zone:
                raise ValueError(f"{alias} is a CNAME and cannot also have addresses")
            if alias in self.ns:
                raise ValueError(f"{alias} is a CNAME and cannot also be a zone apex")
        self.ttl = ttl
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.bind((host, port))
        # A timeout lets stop() end the loop promptly: closing a socket does
        # not wake a thread blocked in recvfrom on Linux.
        self._sock.settimeout(0.2)
        self.host, self.port = self._sock.getsockname()[:2]
        self._thread = threading.Thread(target=self._serve, name="zwgk-dns", daemon=True)
        self._stopped = threading.Event()
        self.queries: list[tuple[str, str]] = []

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @staticmethod
    def _norm(name: str) -> str:
        return name.lower().rstrip(".")

    @classmethod
    def _checked(cls, name: str) -> str:
        """A record target, normalised; refused now rather than at query time."""
        norm = cls._norm(name)
        try:
            dns.name.from_text(norm)
        except dns.exception.DNSException as exc:
            raise ValueError(f"{name!r} is not a valid DNS name: {exc}") from exc
        if not norm:
            raise ValueError("a record target cannot be the root")
        return norm

    def start(self) -> DNSServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        with contextlib.suppress(OSError):
            self._sock.close()
        self._thread.join(timeout=2)

    def __enter__(self) -> DNSServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _serve(self) -> None:
        while not self._stopped.is_set():
            try:
                data, peer = self._sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                reply = self._answer(data)
            except Exception:  # a malformed query must not kill the server
                continue
            try:
                self._sock.sendto(reply, peer)
            except OSError:
                return

    def _exists(self, name: str) -> bool:
        return name in self.zone or name in self.cnames or name in self.ns

    def _records(self, name: str, rdtype: dns.rdatatype.RdataType) -> list[str]:
        """Text rdatas of ``rdtype`` held for ``name`` (not an alias)."""
        if rdtype == dns.rdatatype.NS:
            return [f"{n}." for n in self.ns.get(name, [])]
        want = {dns.rdatatype.A: 4, dns.rdatatype.AAAA: 6}.get(rdtype)
        if want is None:
            return []
        return [a for a in self.zone.get(name, []) if ipaddress.ip_address(a).version == want]

    def _answer(self, data: bytes) -> bytes:
        query = dns.message.from_wire(data)
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        question = query.question[0]
        name = self._norm(question.name.to_text())
        rdtype = question.rdtype
        self.queries.append((name, dns.rdatatype.to_text(rdtype)))
        if not self._exists(name):
            response.set_rcode(dns.rcode.NXDOMAIN)
            return response.to_wire()
        owner, current, seen = question.name, name, {name}
        while current in self.cnames:
            target = self.cnames[current]
            response.answer.append(self._rrset(owner, dns.rdatatype.CNAME, [f"{target}."]))
            if rdtype == dns.rdatatype.CNAME or target in seen:
                # A CNAME query asks for the alias record itself; a loop ends here.
                return response.to_wire()
            seen.add(target)
            owner, current = dns.name.from_text(target), target
        # A target this server does not hold yields no records: the CNAMEs alone.
        records = self._records(current, rdtype)
        if records:
            response.answer.append(self._rrset(owner, rdtype, records))
        return response.to_wire()

    def _rrset(
        self, owner: dns.name.Name, rdtype: dns.rdatatype.RdataType, rdatas: list[str]
    ) -> dns.rrset.RRset:
        return dns.rrset.from_text_list(owner, self.ttl, dns.rdataclass.IN, rdtype, rdatas)
