"""FamilyDownloadHandler in a real crawl, on loopback only.

Names resolve through zwgk's own DNS server; every port has two servers, one
on 127.0.0.1 and one on ::1, answering with their family and the Host header
(and, over TLS, the SNI name the client sent), so each test can tell which
address answered. One crawl (``_family_probe``, in a subprocess) makes every
test's requests; the tests read its record.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from socketserver import TCPServer
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from zwgk.crawler.family import ConnectAddressError, NoAddressForFamily, choose_address
from zwgk.dnsserver import DNSServer

REPO = Path(__file__).resolve().parents[2]
ZONE = {
    "dual.test": ["127.0.0.1", "::1"],
    "v4.test": ["127.0.0.1"],
    "v6.test": ["::1"],
    # Used by the pool test alone, so that no other chain shares its connections.
    "pool.test": ["127.0.0.1", "::1"],
}


def ipv6_problem() -> str | None:
    """Why ::1 cannot be used here, or None if a connection to it works."""
    try:
        with socket.socket(socket.AF_INET6) as srv, socket.socket(socket.AF_INET6) as cli:
            srv.bind(("::1", 0))
            srv.listen(1)
            cli.settimeout(2)
            cli.connect(srv.getsockname()[:2])
    except OSError as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: str, port: int, tls: ssl.SSLContext | None) -> None:
        self.address_family = socket.AF_INET6 if ":" in address else socket.AF_INET
        self.label = ("v6" if ":" in address else "v4") + ("-tls" if tls else "")
        self.tls = tls
        super().__init__((address, port), Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the address's FQDN (reverse DNS);
        # nothing here may resolve a name off this machine.
        TCPServer.server_bind(self)
        self.server_name, self.server_port = "localhost", self.server_address[1]

    def finish_request(self, request: Any, client_address: Any) -> None:
        if self.tls is None:
            super().finish_request(request, client_address)
            return
        # The handshake runs in the connection's thread, not the accept loop.
        try:
            conn = self.tls.wrap_socket(request, server_side=True)
        except (OSError, ssl.SSLError):
            return
        try:
            super().finish_request(conn, client_address)
        finally:
            conn.close()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so that pooling is exercised
    server: Server

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        scheme = "https" if self.server.tls else "http"
        if self.path.startswith("/to/"):
            target = self.path.removeprefix("/to/")
            self.send_response(302)
            self.send_header("Location", f"{scheme}://{target}:{self.server.server_port}/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = json.dumps(
            {
                "server": self.server.label,
                "host": self.headers.get("Host"),
                "sni": getattr(self.connection, "zwgk_sni", None),
                "peer_port": self.client_address[1],
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def tls_context(tmp: Path) -> ssl.SSLContext:
    """A self-signed certificate for the zone's names, and an SNI recorder."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "zwgk family test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(h) for h in ZONE]), False)
        .sign(key, hashes.SHA256())
    )
    (tmp / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(tmp / "cert.pem", tmp / "key.pem")

    def record_sni(conn: Any, server_name: str | None, _: ssl.SSLContext) -> None:
        conn.zwgk_sni = server_name  # read back by Handler, per connection

    ctx.sni_callback = record_sni
    return ctx


def server_pair(tls: ssl.SSLContext | None, with_v6: bool) -> list[Server]:
    """Servers on 127.0.0.1 and ::1 sharing one port (a URL names one port)."""
    if not with_v6:
        return [Server("127.0.0.1", 0, tls)]
    for _ in range(50):
        v6 = Server("::1", 0, tls)
        try:
            v4 = Server("127.0.0.1", v6.server_port, tls)
        except OSError:  # that port is taken on 127.0.0.1: try another
            v6.server_close()
            continue
        return [v4, v6]
    raise RuntimeError("no port free on both 127.0.0.1 and ::1")


@dataclass
class World:
    http: int
    https: int
    ipv6: str | None  # why ::1 is unusable, if it is
    results: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)

    def need_ipv6(self) -> None:
        if self.ipv6 is not None:
            pytest.fail(f"this machine has no usable IPv6 loopback (::1): {self.ipv6}")

    def one(self, chain: str, crawl: str = "family") -> dict[str, Any]:
        (record,) = self.results[crawl][chain]
        return record


def chains(http: int, https: int) -> dict[str, dict[str, list[dict[str, Any]]]]:
    def get(url: str, **meta: Any) -> dict[str, Any]:
        return {"url": url, "meta": meta}

    dual, v4 = f"http://dual.test:{http}/", f"http://v4.test:{http}/"
    plain = {
        "none_dual": [get(dual)],
        "none_v4": [get(v4)],
        "none_tls": [get(f"https://dual.test:{https}/")],
    }
    return {
        "family": {
            **plain,
            "v6": [get(dual, zwgk_family=6)],
            "v4": [get(dual, zwgk_family=4)],
            "pinned": [get(dual, zwgk_family=6, zwgk_connect_to="0:0:0:0:0:0:0:1")],
            "v6_on_v4_only": [get(v4, zwgk_family=6)],
            "redirect_v6": [get(f"{dual}to/v4.test", zwgk_family=6)],
            "redirect_v4": [get(f"{dual}to/v4.test", zwgk_family=4)],
            "tls_v6": [get(f"https://dual.test:{https}/", zwgk_family=6)],
            "tls_v4": [get(f"https://dual.test:{https}/", zwgk_family=4)],
            "pool": [
                get(f"http://pool.test:{http}/", zwgk_family=6),
                get(f"http://pool.test:{http}/", zwgk_family=6),
                get(f"http://pool.test:{http}/", zwgk_family=4),
                get(f"http://pool.test:{http}/", zwgk_family=6),
                get(f"http://pool.test:{http}/"),
            ],
        },
        "stock": plain,
    }


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("family")
    problem = ipv6_problem()
    tls = tls_context(tmp)
    servers = server_pair(None, problem is None) + server_pair(tls, problem is None)
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
    for t in threads:
        t.start()
    w = World(http=servers[0].server_port, https=servers[-1].server_port, ipv6=problem)
    try:
        with DNSServer(ZONE) as dns:
            spec = tmp / "spec.json"
            out = tmp / "out.json"
            spec.write_text(
                json.dumps(
                    {
                        "nameserver": dns.address,
                        "crawls": chains(w.http, w.https),
                        "ca_bundle": str(tmp / "cert.pem"),
                    }
                )
            )
            r = subprocess.run(
                [sys.executable, "-m", "tests.crawler._family_probe", str(spec), str(out)],
                capture_output=True,
                text=True,
                timeout=120,
                cwd=REPO,
            )
            assert r.returncode == 0, r.stderr
            w.results = json.loads(out.read_text())
            # Every name the crawl looked up was answered here, by the test DNS.
            assert {name for name, _ in dns.queries} <= set(ZONE)
        yield w
    finally:
        for s in servers:
            s.shutdown()
            with contextlib.suppress(OSError):
                s.server_close()


# -- choosing the address (no network) ---------------------------------------


def test_choose_address_takes_the_first_of_the_family() -> None:
    addrs = ["192.0.2.1", "192.0.2.2", "2001:db8::1", "2001:db8::2"]
    assert choose_address("h", 6, addrs) == "2001:db8::1"
    assert choose_address("h", 4, addrs) == "192.0.2.1"
    assert choose_address("h", 6, addrs, "2001:DB8:0::2") == "2001:db8::2"


def test_choose_address_refuses_what_it_cannot_honour() -> None:
    addrs = ["192.0.2.1", "2001:db8::1"]
    with pytest.raises(NoAddressForFamily) as no6:
        choose_address("v4.example", 6, ["192.0.2.1"])
    assert (no6.value.host, no6.value.family) == ("v4.example", 6)
    assert "no IPv6 address" in str(no6.value)
    with pytest.raises(ConnectAddressError, match="not an IPv6 address"):
        choose_address("h", 6, addrs, "192.0.2.1")
    # Only guard-checked addresses: a pin to anything else is refused.
    with pytest.raises(ConnectAddressError, match="not an address of h"):
        choose_address("h", 6, addrs, "2001:db8::99")
    with pytest.raises(ConnectAddressError, match="not an IP address"):
        choose_address("h", 6, addrs, "h")
    for bad in (5, "6", None, True):
        with pytest.raises(ConnectAddressError, match="4 or 6"):
            choose_address("h", bad, addrs)  # type: ignore[arg-type]


def test_an_ipv4_mapped_aaaa_is_no_ipv6_address() -> None:
    with pytest.raises(NoAddressForFamily):
        choose_address("h", 6, ["192.0.2.1", "::ffff:192.0.2.1"])
    assert choose_address("h", 4, ["::ffff:192.0.2.1", "192.0.2.1"]) == "192.0.2.1"


# -- a real crawl ------------------------------------------------------------


def test_family_6_connects_to_the_aaaa_address(world: World) -> None:
    world.need_ipv6()
    r = world.one("v6")
    assert r["ok"], r
    assert r["body"]["server"] == "v6"
    assert r["body"]["host"] == f"dual.test:{world.http}"
    assert r["ip_address"] == "::1"
    assert r["meta"]["zwgk_connected"] == {"family": 6, "address": "::1"}


def test_family_4_connects_to_the_a_address(world: World) -> None:
    r = world.one("v4")
    assert r["ok"], r
    assert r["body"]["server"] == "v4"
    assert r["body"]["host"] == f"dual.test:{world.http}"
    assert r["ip_address"] == "127.0.0.1"
    assert r["meta"]["zwgk_connected"] == {"family": 4, "address": "127.0.0.1"}


def test_connect_to_chooses_the_address(world: World) -> None:
    world.need_ipv6()
    r = world.one("pinned")
    assert r["ok"], r
    assert r["body"]["server"] == "v6"
    assert r["meta"]["zwgk_connected"] == {"family": 6, "address": "::1"}


def test_no_family_is_stock_behaviour(world: World) -> None:
    for chain in ("none_dual", "none_v4", "none_tls"):
        ours, stock = world.one(chain), world.one(chain, "stock")
        assert ours["ok"] and stock["ok"], (ours, stock)
        assert "zwgk_connected" not in ours["meta"]
        assert "zwgk_connections" not in ours["meta"]
        for key in ("server", "host", "sni"):
            assert ours["body"][key] == stock["body"][key], (chain, key)
        assert ours["ip_address"] == stock["ip_address"]
    assert world.one("none_v4")["body"]["server"] == "v4"
    assert world.one("none_tls")["body"]["sni"] == "dual.test"


def test_family_6_on_a_v4_only_name_raises_no_address_for_family(world: World) -> None:
    r = world.one("v6_on_v4_only")
    assert not r["ok"], r
    assert r["error"] == "zwgk.crawler.family.NoAddressForFamily"
    assert r["no_address_for_family"]
    assert (r["host"], r["family"]) == ("v4.test", 6)
    assert "zwgk_connected" not in r["meta"]
    assert "retry_times" not in r["meta"]  # not retried: nothing to retry


def test_redirect_to_a_host_without_aaaa_fails_on_family_6(world: World) -> None:
    world.need_ipv6()
    r = world.one("redirect_v6")
    first = f"http://dual.test:{world.http}/to/v4.test"
    assert not r["ok"], r
    assert r["no_address_for_family"], r
    assert (r["host"], r["family"]) == ("v4.test", 6)
    assert r["url"] == f"http://v4.test:{world.http}/"
    assert r["meta"]["redirect_urls"] == [first]
    # One hop was made, over IPv6; the second had nothing to connect to.
    assert r["meta"]["zwgk_connections"] == [{"url": first, "family": 6, "address": "::1"}]
    assert "zwgk_connected" not in r["meta"]


def test_redirect_followed_on_family_4_records_both_hops(world: World) -> None:
    r = world.one("redirect_v4")
    first, second = f"http://dual.test:{world.http}/to/v4.test", f"http://v4.test:{world.http}/"
    assert r["ok"], r
    assert r["url"] == second
    assert r["body"]["server"] == "v4"
    assert r["body"]["host"] == f"v4.test:{world.http}"
    assert r["meta"]["redirect_urls"] == [first]
    assert r["meta"]["zwgk_connections"] == [
        {"url": first, "family": 4, "address": "127.0.0.1"},
        {"url": second, "family": 4, "address": "127.0.0.1"},
    ]


@pytest.mark.parametrize(
    ("family", "server", "address"), [(6, "v6-tls", "::1"), (4, "v4-tls", "127.0.0.1")]
)
def test_https_sends_the_host_name_as_sni(
    world: World, family: int, server: str, address: str
) -> None:
    if family == 6:
        world.need_ipv6()
    r = world.one(f"tls_v{family}")
    assert r["ok"], r
    assert r["body"]["server"] == server
    assert r["body"]["sni"] == "dual.test"
    assert r["body"]["host"] == f"dual.test:{world.https}"
    assert r["ip_address"] == address
    assert r["meta"]["zwgk_connected"] == {"family": family, "address": address}


def test_pooled_connections_stay_with_their_family_and_address(world: World) -> None:
    world.need_ipv6()
    rs = world.results["family"]["pool"]
    assert all(r["ok"] for r in rs), rs
    assert [r["body"]["server"] for r in rs[:4]] == ["v6", "v6", "v4", "v6"]
    ports = [r["body"]["peer_port"] for r in rs]
    # Connections are pooled (the second IPv6 request reused the first's)...
    assert ports[1] == ports[0]
    # ...but the IPv4 request and the one without a family got their own.
    assert ports[2] != ports[0]
    assert ports[4] not in ports[:4]
    assert "zwgk_connected" not in rs[4]["meta"]
