"""A tiny authoritative DNS server for loopback use (demo and tests).

It answers A and AAAA queries from an in-memory zone and NXDOMAIN for
everything else, so that a crawl of ``*.gov.test`` names never needs a
real resolver and never leaves the machine.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
from collections.abc import Mapping, Sequence

import dns.flags
import dns.message
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

LOOPBACK_V4 = ipaddress.ip_network("127.0.0.0/8")


class DNSServer:
    """Serve ``zone`` (name -> addresses) over UDP on a loopback address.

    Refuses to bind anything but loopback: this server exists for tests and
    the demo, and must not be reachable from elsewhere.
    """

    def __init__(
        self,
        zone: Mapping[str, Sequence[str]],
        host: str = "127.0.0.1",
        port: int = 0,
        ttl: int = 60,
    ) -> None:
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError(f"DNSServer binds loopback only, not {host}")
        self.zone = {self._norm(k): list(v) for k, v in zone.items()}
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

    def _answer(self, data: bytes) -> bytes:
        query = dns.message.from_wire(data)
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        question = query.question[0]
        name = self._norm(question.name.to_text())
        rdtype = question.rdtype
        self.queries.append((name, dns.rdatatype.to_text(rdtype)))
        addresses = self.zone.get(name)
        if addresses is None:
            response.set_rcode(dns.rcode.NXDOMAIN)
            return response.to_wire()
        want = {dns.rdatatype.A: 4, dns.rdatatype.AAAA: 6}.get(rdtype)
        matching = [a for a in addresses if want and ipaddress.ip_address(a).version == want]
        if matching:
            rrset = dns.rrset.from_text_list(
                question.name, self.ttl, dns.rdataclass.IN, rdtype, matching
            )
            response.answer.append(rrset)
        return response.to_wire()
