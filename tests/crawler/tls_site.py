"""Loopback https servers with the certificates a hostile portal serves.

One ``trustme`` CA is trusted (written to ``ca.pem``, given to the crawl as
``network.ca_bundle``); another is not. Each name below has its own
ThreadingHTTPServer on 127.0.0.1 with its own certificate:

``good``        issued by the trusted CA for its name: a browser opens it
``untrusted``   issued for its name by the CA nobody trusts
``selfsigned``  a certificate that signs itself (the untrusted CA's own)
``expired``     the trusted CA's, for its name, expired yesterday
``wronghost``   the trusted CA's, valid, but for another name
``expiredhome`` as ``expired``: the home page of a second site

Names resolve through ``zwgk.dnsserver.DNSServer`` (``zone()``); every
server answers ``/`` and ``/page.html`` with a plain page linking nowhere
(anything else is a 404), except the good host's home, which links to every
other host and to its own ``/page.html``.
"""

from __future__ import annotations

import datetime as dt
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import trustme

DOMAIN = "tls.gov.test"
GOOD = f"good.{DOMAIN}"
UNTRUSTED = f"untrusted.{DOMAIN}"
SELFSIGNED = f"selfsigned.{DOMAIN}"
EXPIRED = f"expired.{DOMAIN}"
WRONGHOST = f"wronghost.{DOMAIN}"
EXPIRED_HOME = f"expiredhome.{DOMAIN}"
HOSTS = (GOOD, UNTRUSTED, SELFSIGNED, EXPIRED, WRONGHOST, EXPIRED_HOME)
# The external hosts the good home links to, and the outcome each must get.
LINKED = (UNTRUSTED, SELFSIGNED, EXPIRED, WRONGHOST)


def page(title: str, body: str = "") -> bytes:
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><div class='content'><h1>{title}</h1>{body}"
        "<p>本页面为测试页面，正文内容用于验证证书检查。这里有足够长的正文文字，"
        "说明这是一个正常的政府网站内容页面，而不是错误提示页面。</p></div></body></html>"
    ).encode()


class TlsSite:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.ports: dict[str, int] = {}
        self.hits: dict[str, int] = dict.fromkeys(HOSTS, 0)
        self.lock = threading.Lock()
        self._servers: list[ThreadingHTTPServer] = []
        self.ca_bundle = tmp / "ca.pem"

    def url(self, host: str, path: str = "/") -> str:
        return f"https://{host}:{self.ports[host]}{path}"

    def zone(self) -> dict[str, list[str]]:
        return {h: ["127.0.0.1"] for h in HOSTS}

    def _contexts(self) -> dict[str, ssl.SSLContext]:
        trusted, other = trustme.CA(), trustme.CA()
        trusted.cert_pem.write_to_path(str(self.ca_bundle))
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        leaves: dict[str, Any] = {
            GOOD: trusted.issue_cert(GOOD),
            UNTRUSTED: other.issue_cert(UNTRUSTED),
            EXPIRED: trusted.issue_cert(
                EXPIRED,
                not_before=now - dt.timedelta(days=30),
                not_after=now - dt.timedelta(days=1),
            ),
            WRONGHOST: trusted.issue_cert(f"other.{DOMAIN}"),
            EXPIRED_HOME: trusted.issue_cert(
                EXPIRED_HOME,
                not_before=now - dt.timedelta(days=30),
                not_after=now - dt.timedelta(days=1),
            ),
        }
        out = {}
        for host, leaf in leaves.items():
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            leaf.configure_cert(ctx)
            out[host] = ctx
        # The untrusted CA's own certificate and key: a self-signed server.
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        cert, key = self.tmp / "self.pem", self.tmp / "self.key"
        other.cert_pem.write_to_path(str(cert))
        other.private_key_pem.write_to_path(str(key))
        ctx.load_cert_chain(cert, key)
        out[SELFSIGNED] = ctx
        return out

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                host = (self.headers.get("Host") or "").split(":")[0]
                with site.lock:
                    if host in site.hits:
                        site.hits[host] += 1
                if host == GOOD and self.path == "/":
                    links = "".join(
                        f"<p><a href='{site.url(h)}'>外部网站{i}</a></p>"
                        for i, h in enumerate(LINKED)
                    )
                    body = page("证书测试首页", f"<p><a href='/page.html'>本站页面</a></p>{links}")
                    status = 200
                elif self.path in ("/", "/page.html"):
                    body, status = page(f"{host} {self.path} 页面"), 200
                else:  # the soft-404 probe and robots.txt
                    body, status = page("页面不存在", "<p>您访问的页面不存在</p>"), 404
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler

    def start(self) -> TlsSite:
        handler = self._handler()
        for host, ctx in self._contexts().items():
            srv = ThreadingHTTPServer(("127.0.0.1", 0), handler)
            srv.daemon_threads = True
            # The handshake happens in accept(); a client that refuses the
            # certificate aborts it, which socketserver drops as an OSError.
            srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
            self.ports[host] = srv.server_address[1]
            threading.Thread(target=srv.serve_forever, daemon=True).start()
            self._servers.append(srv)
        return self

    def stop(self) -> None:
        for srv in self._servers:
            srv.shutdown()
            srv.server_close()

    def __enter__(self) -> TlsSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
