"""The IPv6 probe end to end: one ``zwgk run`` against a loopback portal.

Names resolve through zwgk's own DNS server, whose AAAA records point at
``::1``. One port has HTTP servers on both 127.0.0.1 and ::1; a second port
has one on 127.0.0.1 only, while a socket bound (but never listening) on ::1
at that port keeps anyone else from taking it, so a connection there is
refused. The servers answer a few static pages per host from a dict, by the
Host header, and log every request, so the tests can tell which family
fetched what.

Five sites, one config:

``dual``
    www.dual.test on both families, its zone's name server too: every
    metric 100 %, no finding.
``v4only``
    www.v4only.test without AAAA: the site fails at once, its rates are 0
    while its levels are still counted.
``refused``
    www.refused.test's AAAA is ::1, but nothing listens there on its port.
``mixed``
    www.mixed.test on both families, sections on bs.mixed.test (A only):
    exact rates below 100 %, the sub-host's URLs the failing ones.
``jump``
    one 2nd-level URL of www.jump.test redirects to fw.jump.test (A only).
``flaky``
    a 2nd-level page the portal crawl read answers 503 to the probes: its
    3rd level still comes from the stored anchors.
``xhtml``
    every page served as application/xhtml+xml.
"""

from __future__ import annotations

import errno
import json
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from socketserver import TCPServer
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from zwgk.dnsserver import DNSServer
from zwgk.store import Ipv6Probe, Store

REPO = Path(__file__).resolve().parents[2]
RUN_ID = "2026-11"
AS_OF = "2026-11-30"
V4, V6 = "127.0.0.1", "::1"
DUAL = [V4, V6]

# Every name of the test zone and its addresses.
ZONE: dict[str, list[str]] = {
    "www.dual.test": DUAL,
    "ns1.dual.test": DUAL,
    "www.v4only.test": [V4],
    "ns1.v4only.test": [V4],
    "www.refused.test": DUAL,
    "ns1.refused.test": DUAL,
    "www.mixed.test": DUAL,
    "bs.mixed.test": [V4],
    "ns1.mixed.test": DUAL,
    "www.jump.test": DUAL,
    "fw.jump.test": [V4],
    "ns1.jump.test": DUAL,
    "www.flaky.test": DUAL,
    "ns1.flaky.test": DUAL,
    "www.xhtml.test": DUAL,
    "ns1.xhtml.test": DUAL,
}
NS = {
    apex: [f"ns1.{apex}"]
    for apex in (
        "dual.test",
        "v4only.test",
        "refused.test",
        "mixed.test",
        "jump.test",
        "flaky.test",
        "xhtml.test",
    )
}
# Hosts without AAAA: the ::1 server must never hear of them.
V4_ONLY_HOSTS = {h for h, addrs in ZONE.items() if V6 not in addrs}
# Sub-hosts that are no configured site's host: trusted through allow_hosts.
ALLOW_HOSTS = ["bs.mixed.test", "fw.jump.test"]

MIXED_L2_WWW = [f"/l2/w{i}.html" for i in range(1, 7)]  # 6 on www.mixed.test
MIXED_L2_BS = ["/l2/b1.html", "/l2/b2.html"]  # 2 on bs.mixed.test
MIXED_L3_WWW = [f"/l3/x{i}.html" for i in range(1, 6)]  # 5 on www.mixed.test
MIXED_L3_BS = [f"/l3/y{i}.html" for i in range(1, 5)]  # 4 on bs.mixed.test
FLAKY_L2 = ["/l2/1.html", "/l2/2.html"]
FLAKY_L3 = ["/l3/1.html", "/l3/2.html"]
# Answered once (the portal crawl's fetch), then 503.
FLAKY = {("www.flaky.test", FLAKY_L2[0])}


def ipv6_problem() -> str | None:
    """Why ::1 cannot be used here, or None if a connection to it works."""
    try:
        with socket.socket(socket.AF_INET6) as srv, socket.socket(socket.AF_INET6) as cli:
            srv.bind((V6, 0))
            srv.listen(1)
            cli.settimeout(2)
            cli.connect(srv.getsockname()[:2])
    except OSError as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def connect_outcome(address: str, port: int) -> str:
    """``"connected"``, or the name of the error a TCP connection met."""
    with socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET) as s:
        s.settimeout(2)
        try:
            s.connect((address, port))
        except OSError as exc:
            return type(exc).__name__
    return "connected"


def pick(m: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: m[k] for k in keys}


# -- the test portal ---------------------------------------------------------------


def host_only(header: str) -> str:
    return (urlsplit(f"http://{header}").hostname or "").lower()


@dataclass(frozen=True)
class Hit:
    server: str  # "v4" or "v6"
    port: int
    method: str
    host: str  # the Host header as sent (name:port)
    path: str


def page(title: str, *links: str) -> str:
    anchors = "".join(f'<li><a href="{u}">栏目{i}</a></li>' for i, u in enumerate(links))
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><h1>{title}</h1><p>{title}：本页面为IPv6支持度测试页面，"
        f"内容由测试门户生成，用于核对IPv4与IPv6访问结果是否一致。</p>"
        f"<ul>{anchors}</ul></body></html>"
    )


def build_pages(p1: int) -> dict[tuple[str, str], tuple[int, dict[str, str], str]]:
    """(host, path) -> (status, headers, body)."""
    pages: dict[tuple[str, str], tuple[int, dict[str, str], str]] = {}

    def put(host: str, path: str, title: str, *links: str) -> None:
        ctype = "application/xhtml+xml" if host == "www.xhtml.test" else "text/html"
        pages[(host, path)] = (
            200,
            {"Content-Type": f"{ctype}; charset=utf-8"},
            page(title, *links),
        )

    # dual: 3 level-2 pages, 4 level-3 pages (a duplicate, a link back to
    # the home page and one to another level-2 page are not new URLs).
    put("www.dual.test", "/", "双栈网站首页", "/l2/1.html", "/l2/2.html", "/l2/3.html", "/")
    put("www.dual.test", "/l2/1.html", "双栈二级一", "/l3/1.html", "/l3/2.html", "/")
    put("www.dual.test", "/l2/2.html", "双栈二级二", "/l3/3.html", "/l3/2.html")
    put("www.dual.test", "/l2/3.html", "双栈二级三", "/l3/4.html", "/l2/1.html")
    for i in range(1, 5):
        put("www.dual.test", f"/l3/{i}.html", f"双栈三级{i}", "/")

    # v4only: 3 level-2 pages, 2 level-3 pages.
    put("www.v4only.test", "/", "仅IPv4网站首页", "/l2/1.html", "/l2/2.html", "/l2/3.html")
    put("www.v4only.test", "/l2/1.html", "仅IPv4二级一", "/l3/1.html", "/l3/2.html")
    put("www.v4only.test", "/l2/2.html", "仅IPv4二级二")
    put("www.v4only.test", "/l2/3.html", "仅IPv4二级三")
    for i in (1, 2):
        put("www.v4only.test", f"/l3/{i}.html", f"仅IPv4三级{i}")

    # refused (on port p2, where ::1 refuses): 2 level-2 pages, 1 level-3.
    put("www.refused.test", "/", "拒绝连接网站首页", "/l2/1.html", "/l2/2.html")
    put("www.refused.test", "/l2/1.html", "拒绝二级一", "/l3/1.html")
    put("www.refused.test", "/l2/2.html", "拒绝二级二")
    put("www.refused.test", "/l3/1.html", "拒绝三级一")

    # mixed: 8 level-2 URLs (2 on bs), 9 level-3 URLs (4 on bs).
    bs = f"http://bs.mixed.test:{p1}"
    put("www.mixed.test", "/", "混合网站首页", *MIXED_L2_WWW, *(bs + u for u in MIXED_L2_BS))
    put("www.mixed.test", MIXED_L2_WWW[0], "混合二级w1", *MIXED_L3_WWW[:3])
    put("www.mixed.test", MIXED_L2_WWW[1], "混合二级w2", *MIXED_L3_WWW[3:], "/")
    for u in MIXED_L2_WWW[2:]:
        put("www.mixed.test", u, f"混合二级{u}")
    for u in MIXED_L3_WWW:
        put("www.mixed.test", u, f"混合三级{u}")
    # Relative links on bs's pages stay on bs.
    put("bs.mixed.test", MIXED_L2_BS[0], "办事二级b1", *MIXED_L3_BS[:2])
    put(
        "bs.mixed.test",
        MIXED_L2_BS[1],
        "办事二级b2",
        *MIXED_L3_BS[2:],
        f"http://www.mixed.test:{p1}/",
    )
    for u in MIXED_L3_BS:
        put("bs.mixed.test", u, f"办事三级{u}")

    # jump: /go/fw answers 302 to the IPv4-only fw.jump.test.
    put("www.jump.test", "/", "跳转网站首页", "/l2/a.html", "/go/fw")
    put("www.jump.test", "/l2/a.html", "跳转二级a")
    pages[("www.jump.test", "/go/fw")] = (
        302,
        {"Location": f"http://fw.jump.test:{p1}/landing.html"},
        "",
    )
    put("fw.jump.test", "/landing.html", "跳转落地页")

    # flaky: /l2/1.html answers the portal crawl (the first request) and
    # 503 afterwards (FLAKY); its anchors are stored, so its level-3 URLs
    # are still probed.
    put("www.flaky.test", "/", "故障网站首页", *FLAKY_L2)
    put("www.flaky.test", FLAKY_L2[0], "故障二级一", *FLAKY_L3)
    put("www.flaky.test", FLAKY_L2[1], "故障二级二")
    for u in FLAKY_L3:
        put("www.flaky.test", u, f"故障三级{u}")

    # xhtml: every page served as application/xhtml+xml.
    put("www.xhtml.test", "/", "XHTML网站首页", "/l2/1.html", "/l2/2.html")
    put("www.xhtml.test", "/l2/1.html", "XHTML二级一", "/l3/1.html")
    put("www.xhtml.test", "/l2/2.html", "XHTML二级二")
    put("www.xhtml.test", "/l3/1.html", "XHTML三级一")
    assert all(host in ZONE for host, _ in pages)
    return pages


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, portal: Portal, address: str, port: int) -> None:
        self.portal = portal
        self.address_family = socket.AF_INET6 if ":" in address else socket.AF_INET
        self.label = "v6" if ":" in address else "v4"
        super().__init__((address, port), Handler)

    def server_bind(self) -> None:
        if self.address_family == socket.AF_INET6:
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        # HTTPServer.server_bind looks up the address's FQDN (reverse DNS);
        # nothing here may resolve a name off this machine.
        TCPServer.server_bind(self)
        self.server_name, self.server_port = "localhost", self.server_address[1]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Server

    def log_message(self, *args: object) -> None:
        pass

    def _serve(self, method: str) -> None:
        srv = self.server
        host_header = self.headers.get("Host", "")
        path = self.path.split("?", 1)[0]
        key = (host_only(host_header), path)
        with srv.portal.lock:
            srv.portal.hits.append(Hit(srv.label, srv.server_port, method, host_header, path))
            again = key in srv.portal.served
            srv.portal.served.add(key)
        status, headers, body = srv.portal.pages.get(
            key, (404, {"Content-Type": "text/plain"}, "not found")
        )
        if key in FLAKY and again:
            status, headers, body = 503, {"Content-Type": "text/plain"}, "busy"
        data = body.encode("utf-8")
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(data)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_HEAD(self) -> None:
        self._serve("HEAD")


@dataclass
class Portal:
    """Servers: 127.0.0.1 and ::1 on ``p1``, 127.0.0.1 alone on ``p2``."""

    servers: list[Server] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    served: set[tuple[str, str]] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    pages: dict[tuple[str, str], tuple[int, dict[str, str], str]] = field(default_factory=dict)
    p1: int = 0
    p2: int = 0
    # Bound on ::1 at p2, never listening: a connection there is refused, and
    # no other process can start listening on it meanwhile.
    blocker: socket.socket | None = None
    # What a connection to [::1]:p2 met before the run (checked while held).
    p2_v6: str = ""

    def start(self) -> Portal:
        self.p1 = self._bind_pair()
        self.p2 = self._bind_refusing()
        self.pages = build_pages(self.p1)
        self.p2_v6 = connect_outcome(V6, self.p2)
        for srv in self.servers:
            threading.Thread(
                target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            ).start()
        return self

    def _bind_pair(self) -> int:
        for _ in range(50):
            v6 = Server(self, V6, 0)
            try:
                v4 = Server(self, V4, v6.server_port)
            except OSError as exc:
                v6.server_close()
                if exc.errno == errno.EADDRINUSE:
                    continue
                raise
            self.servers += [v4, v6]
            return v6.server_port
        raise RuntimeError("no port free on both 127.0.0.1 and ::1")

    def _bind_refusing(self) -> int:
        for _ in range(50):
            v4 = Server(self, V4, 0)
            blocker = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            blocker.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                blocker.bind((V6, v4.server_port))
            except OSError as exc:
                blocker.close()
                v4.server_close()
                if exc.errno == errno.EADDRINUSE:
                    continue
                raise
            self.servers.append(v4)
            self.blocker = blocker
            return v4.server_port
        raise RuntimeError("no port free on 127.0.0.1 with ::1 free too")

    def stop(self) -> None:
        for srv in self.servers:
            srv.shutdown()
            srv.server_close()
        if self.blocker is not None:
            self.blocker.close()

    def url(self, host: str, path: str = "/", port: int | None = None) -> str:
        return f"http://{host}:{port or self.p1}{path}"

    def config(self, dns: DNSServer) -> dict[str, Any]:
        def site(sid: str, name: str, host: str, port: int | None = None) -> dict[str, Any]:
            home = self.url(host, "/", port)
            return {"id": sid, "name": name, "home": home, "disclosure": [], "hosts": [host]}

        return {
            "evaluation": {"as_of": AS_OF, "period_start": "2026-01-01"},
            "crawl": {"delay_s": 0, "obey_robots": True, "timeout_s": 10, "max_depth": 5},
            "dns": {"nameservers": [dns.address]},
            # Loopback is private: the configured site hosts are trusted, and
            # the sub-hosts that are no site's host are named here.
            "network": {"allow_private": False, "allow_hosts": ALLOW_HOSTS},
            "links": {"retries": 0, "timeout_s": 5},
            "ipv6": {"home_probes": 3, "timeout_s": 5},
            "rubric": str(REPO / "config" / "rubric.yaml"),
            "sites": [
                site("dual", "双栈市人民政府", "www.dual.test"),
                site("v4only", "仅四市人民政府", "www.v4only.test"),
                site("refused", "拒连市人民政府", "www.refused.test", self.p2),
                site("mixed", "混合市人民政府", "www.mixed.test"),
                site("jump", "跳转市人民政府", "www.jump.test"),
                site("flaky", "故障市人民政府", "www.flaky.test"),
                site("xhtml", "标记市人民政府", "www.xhtml.test"),
            ],
        }


# -- the run -------------------------------------------------------------------------


@dataclass
class World:
    problem: str | None  # why ::1 is unusable here, if it is
    portal: Portal | None = None
    dns_queries: list[tuple[str, str]] = field(default_factory=list)
    store: Store | None = None
    result: subprocess.CompletedProcess[str] | None = None
    scores: dict[str, Any] = field(default_factory=dict)
    findings: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def ready(self) -> World:
        if self.problem is not None:
            pytest.fail(f"this machine has no usable IPv6 loopback (::1): {self.problem}")
        assert self.result is not None
        assert self.result.returncode == 0, self.result.stderr[-3000:]
        return self

    @property
    def p(self) -> Portal:
        assert self.portal is not None
        return self.portal

    @property
    def db(self) -> Store:
        assert self.store is not None
        return self.store

    def metrics(self, site: str) -> dict[str, Any]:
        check = self.scores[site]["checks"]["ipv6"]
        return dict(check["metrics"])

    def ipv6_findings(self, site: str) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for f in self.findings:
            if f["site"] == site and f["check"] == "ipv6":
                assert f["rule"] not in out, f"{site}: {f['rule']} twice"
                out[f["rule"]] = f
        return out

    def probes(
        self, site: str, level: int | None = None, family: int | None = None
    ) -> list[Ipv6Probe]:
        return [
            p
            for p in self.db.ipv6_probes(RUN_ID, site)
            if (level is None or p.level == level) and (family is None or p.family == family)
        ]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    problem = ipv6_problem()
    if problem is not None:
        yield World(problem)
        return
    tmp = tmp_path_factory.mktemp("ipv6")
    portal = Portal().start()
    dns = DNSServer(ZONE, host="127.0.0.1", port=0, ns=NS).start()
    try:
        cfg = tmp / "sites.yaml"
        cfg.write_text(
            yaml.safe_dump(portal.config(dns), allow_unicode=True, sort_keys=False),
            encoding="utf-8",
        )
        out = tmp / "out"
        t0 = time.monotonic()
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "zwgk",
                "run",
                "--config",
                str(cfg),
                "--db",
                str(tmp / "z.db"),
                "--out",
                str(out),
                "--no-progress",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=REPO,
        )
        seconds = time.monotonic() - t0
    finally:
        portal.stop()
        dns.stop()
    w = World(None, portal, list(dns.queries), result=result, seconds=seconds)
    root = out / RUN_ID
    if result.returncode == 0:
        w.scores = {
            s["site"]: s for s in json.loads((root / "scores.json").read_text(encoding="utf-8"))
        }
        w.findings = json.loads((root / "findings.json").read_text(encoding="utf-8"))
    w.store = Store(str(tmp / "z.db"))
    yield w
    w.store.dispose()


# -- the five sites --------------------------------------------------------------------


def test_run_succeeds(world: World) -> None:
    w = world.ready()
    assert set(w.scores) == {"dual", "v4only", "refused", "mixed", "jump", "flaky", "xhtml"}
    for site in w.scores:
        row = w.db.ipv6_site(RUN_ID, site)
        assert row is not None and row.finished_at is not None


def test_dual_stack_site_scores_full(world: World) -> None:
    w = world.ready()
    m = w.metrics("dual")
    assert m["aaaa"] is True
    assert m["aaaa_records"] == [V6]
    assert m["home_v6"] == 1.0 and m["home_v4"] == 1.0
    assert m["same_content"] == 1.0
    assert m["ns_v6"] is True
    assert pick(m, "level2_ok", "level2_total", "level2_rate", "level2_v4_rate") == {
        "level2_ok": 3,
        "level2_total": 3,
        "level2_rate": 1.0,
        "level2_v4_rate": 1.0,
    }
    assert pick(m, "level3_ok", "level3_total", "level3_rate", "level3_v4_rate") == {
        "level3_ok": 4,
        "level3_total": 4,
        "level3_rate": 1.0,
        "level3_v4_rate": 1.0,
    }
    assert w.ipv6_findings("dual") == {}
    assert w.scores["dual"]["checks"]["ipv6"]["status"] == "pass"
    # The levels are exactly the planted pages.
    assert {p.url for p in w.probes("dual", 2)} == {
        w.p.url("www.dual.test", f"/l2/{i}.html") for i in (1, 2, 3)
    }
    assert {p.url for p in w.probes("dual", 3)} == {
        w.p.url("www.dual.test", f"/l3/{i}.html") for i in (1, 2, 3, 4)
    }
    # Each home probe repeated home_probes times per family, every one over its own family.
    home = w.probes("dual", 1)
    assert Counter(p.family for p in home) == {4: 3, 6: 3}
    for p in w.probes("dual"):
        assert p.fetch_status == "ok" and p.status == 200
        assert [h["address"] for h in p.hops] == [V6 if p.family == 6 else V4]
    site = w.db.ipv6_site(RUN_ID, "dual")
    assert site is not None
    assert site.ns_zone == "dual.test" and site.ns_known
    assert site.ns == [{"name": "ns1.dual.test", "a": [V4], "aaaa": [V6]}]


def test_ipv4_only_site_fails_at_once_with_its_levels_counted(world: World) -> None:
    w = world.ready()
    m = w.metrics("v4only")
    assert m["aaaa"] is False and m["aaaa_records"] == []
    assert m["home_v6"] == 0.0 and m["home_v4"] == 1.0
    # Not skipped: every planted URL is counted, and fails.
    assert pick(m, "level2_ok", "level2_total", "level2_rate", "level2_v4_rate") == {
        "level2_ok": 0,
        "level2_total": 3,
        "level2_rate": 0.0,
        "level2_v4_rate": 1.0,
    }
    assert pick(m, "level3_ok", "level3_total", "level3_rate", "level3_v4_rate") == {
        "level3_ok": 0,
        "level3_total": 2,
        "level3_rate": 0.0,
        "level3_v4_rate": 1.0,
    }
    assert m["ns_v6"] is False
    found = w.ipv6_findings("v4only")
    assert "aaaa_missing" in found
    assert "www.v4only.test" in found["aaaa_missing"]["message"]
    assert "ns_v6_missing" in found
    # Without AAAA the rates are 0 by definition: no level finding on top.
    assert set(found) == {"aaaa_missing", "ns_v6_missing"}
    for p in w.probes("v4only", family=6):
        assert p.fetch_status == "no_address", p


def test_refused_ipv6_home(world: World) -> None:
    w = world.ready()
    # Nothing listened on ::1 at the refused site's port (the test's own
    # check, made before the run), while 127.0.0.1 did.
    assert w.p.p2_v6 == "ConnectionRefusedError"
    assert any(h.server == "v4" and h.port == w.p.p2 for h in w.p.hits)
    m = w.metrics("refused")
    assert m["aaaa"] is True
    assert m["home_v6"] == 0.0 and m["home_v4"] == 1.0
    found = w.ipv6_findings("refused")
    assert "home_v6_failed" in found
    assert "连接被拒绝" in found["home_v6_failed"]["message"]
    home6 = w.probes("refused", 1, 6)
    assert len(home6) == 3
    assert {p.fetch_status for p in home6} == {"connection_refused"}
    assert all(p.hops[-1]["address"] == V6 for p in home6)
    # Its levels are measured too, and fail over IPv6 alone.
    assert (m["level2_ok"], m["level2_total"], m["level2_v4_rate"]) == (0, 2, 1.0)
    assert (m["level3_ok"], m["level3_total"], m["level3_v4_rate"]) == (0, 1, 1.0)
    for f in found["level2_low"]["evidence"]["failing"]:
        assert "连接被拒绝" in f["reason"] and f["v4"] == "可访问"


def test_sections_on_an_ipv4_only_sub_host(world: World) -> None:
    w = world.ready()
    m = w.metrics("mixed")
    assert m["aaaa"] is True and m["home_v6"] == 1.0 and m["same_content"] == 1.0
    assert (m["level2_ok"], m["level2_total"]) == (6, 8)
    assert m["level2_rate"] == round(6 / 8, 4) == 0.75
    assert m["level2_v4_rate"] == 1.0
    assert (m["level3_ok"], m["level3_total"]) == (5, 9)
    assert m["level3_rate"] == round(5 / 9, 4) == 0.5556
    assert m["level3_v4_rate"] == 1.0
    found = w.ipv6_findings("mixed")
    assert set(found) == {"level2_low", "level3_low"}
    bs = "bs.mixed.test"
    for rule, paths, ok, total in (
        ("level2_low", MIXED_L2_BS, 6, 8),
        ("level3_low", MIXED_L3_BS, 5, 9),
    ):
        ev = found[rule]["evidence"]
        assert (ev["ok"], ev["total"], ev["rate"]) == (ok, total, round(ok / total, 4))
        failing = ev["failing"]
        assert sorted(f["url"] for f in failing) == sorted(w.p.url(bs, u) for u in paths)
        for f in failing:
            assert f["reason"] == f"主机{bs}没有AAAA记录", f
            assert f["v4"] == "可访问"
        assert f"（{ok}/{total}）" in found[rule]["message"]
    # The sub-host's DNS facts are kept for the reasons.
    site = w.db.ipv6_site(RUN_ID, "mixed")
    assert site is not None
    assert site.hosts[bs]["a"] == [V4] and site.hosts[bs]["aaaa"] == []


def test_redirect_to_an_ipv4_only_host(world: World) -> None:
    w = world.ready()
    go = w.p.url("www.jump.test", "/go/fw")
    landing = w.p.url("fw.jump.test", "/landing.html")
    m = w.metrics("jump")
    assert (m["level2_ok"], m["level2_total"], m["level2_v4_rate"]) == (1, 2, 1.0)
    failing = w.ipv6_findings("jump")["level2_low"]["evidence"]["failing"]
    assert [f["url"] for f in failing] == [go]
    assert "跳转到不支持IPv6的主机" in failing[0]["reason"]
    assert "fw.jump.test" in failing[0]["reason"]
    assert failing[0]["v4"] == "可访问"

    (p6,) = [p for p in w.probes("jump", 2, 6) if p.url == go]
    assert p6.fetch_status == "no_address"
    assert [h["url"] for h in p6.hops] == [go, landing]
    assert p6.hops[0]["status"] == 302 and p6.hops[0]["address"] == V6
    assert p6.hops[1]["address"] is None
    (p4,) = [p for p in w.probes("jump", 2, 4) if p.url == go]
    assert p4.fetch_status == "ok" and p4.status == 200 and p4.final_url == landing
    assert [h["url"] for h in p4.hops] == [go, landing]
    assert [h["status"] for h in p4.hops] == [302, 200]
    assert [h["address"] for h in p4.hops] == [V4, V4]
    # The IPv6 probe stopped before fw.jump.test: ::1 only saw the first hop.
    assert Hit("v6", w.p.p1, "GET", f"www.jump.test:{w.p.p1}", "/go/fw") in w.p.hits


def test_level3_from_the_stored_page_when_the_ipv4_probe_gets_an_error_status(
    world: World,
) -> None:
    # The portal crawl read /l2/1.html; when the probes came it answered 503
    # over both families. Its anchors are the stored ones, as for a page whose
    # IPv4 probe failed to connect: the 3rd level does not depend on the
    # status the IPv4 probe happened to get.
    w = world.ready()
    l2 = w.p.url("www.flaky.test", FLAKY_L2[0])
    stored = {p.url: p for p in w.db.pages(RUN_ID, "flaky")}
    assert stored[l2].status == 200
    assert {p.status for p in w.probes("flaky", 2) if p.url == l2} == {503}
    assert {p.url for p in w.probes("flaky", 3)} == {w.p.url("www.flaky.test", u) for u in FLAKY_L3}
    m = w.metrics("flaky")
    assert pick(m, "level2_ok", "level2_total", "level3_ok", "level3_total") == {
        "level2_ok": 1,
        "level2_total": 2,
        "level3_ok": 2,
        "level3_total": 2,
    }
    (failing,) = w.ipv6_findings("flaky")["level2_low"]["evidence"]["failing"]
    assert failing["url"] == l2
    assert failing["reason"] == "IPv6访问返回HTTP 503"
    assert failing["v4"] == "也无法访问（HTTP 503）"


def test_pages_served_as_xhtml(world: World) -> None:
    # application/xhtml+xml is HTML to the probe as to the portal crawl: the
    # home pages are compared and the pages' anchors are the levels.
    w = world.ready()
    m = w.metrics("xhtml")
    assert m["same_content"] == 1.0
    assert pick(m, "level2_ok", "level2_total", "level3_ok", "level3_total") == {
        "level2_ok": 2,
        "level2_total": 2,
        "level3_ok": 1,
        "level3_total": 1,
    }
    assert w.ipv6_findings("xhtml") == {}


# -- what was fetched ------------------------------------------------------------------


def test_each_probe_reached_the_server_of_its_family(world: World) -> None:
    w = world.ready()
    hits = Counter((h.server, h.port, h.host, h.path) for h in w.p.hits if h.method == "GET")
    expected: Counter[tuple[str, int, str, str]] = Counter()
    for site in w.scores:
        for p in w.probes(site):
            for hop in p.hops:
                if hop["address"] is None:
                    continue  # nothing was contacted (no address of the family)
                assert hop["address"] == (V6 if p.family == 6 else V4), (p.url, hop)
                if p.fetch_status != "ok" and hop is p.hops[-1]:
                    continue  # refused: no server saw it
                parts = urlsplit(hop["url"])
                server = "v6" if p.family == 6 else "v4"
                expected[(server, parts.port or 80, parts.netloc, parts.path)] += 1
    assert expected, "the probes fetched something"
    short = {k: (n, hits[k]) for k, n in expected.items() if hits[k] < n}
    assert not short, f"probes the servers did not see (expected, seen): {short}"
    # IPv6 probes went to ::1 with the name in Host, not the address.
    v6_hosts = {h.host for h in w.p.hits if h.server == "v6"}
    assert f"www.dual.test:{w.p.p1}" in v6_hosts
    assert all("[" not in h for h in v6_hosts)


def test_ipv6_server_never_asked_for_ipv4_only_hosts(world: World) -> None:
    w = world.ready()
    on_v6 = {host_only(h.host) for h in w.p.hits if h.server == "v6"}
    assert on_v6 and not (on_v6 & V4_ONLY_HOSTS)


def test_nothing_outside_the_test_zone(world: World) -> None:
    w = world.ready()
    assert w.p.hits
    assert {host_only(h.host) for h in w.p.hits} <= set(ZONE)
    asked = {name for name, _ in w.dns_queries}
    assert asked <= set(ZONE) | set(NS)
    assert "www.dual.test" in asked and "dual.test" in asked


def test_run_time(world: World) -> None:
    w = world.ready()
    # A guard against a probe waiting out a timeout: everything here is loopback.
    assert w.seconds < 60, f"zwgk run took {w.seconds:.1f}s"
