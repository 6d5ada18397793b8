"""Serve the sample province on loopback: three portals, their CMS routes and DNS.

``SamplePortal`` binds 127.0.0.1 (and ::1 on the same port when the host has
IPv6 loopback) plus a tiny DNS server, then answers by the Host header from
the static files under ``sites/<host>/`` and a few dynamic routes that real
government CMSs have: the Hanweb jpage data proxy, redirect chains, and an
error page served with status 200 (a "soft 404").

Run ``python -m zwgk.sample.server`` to get a site-list YAML on stdout that
the crawler can use as is; Ctrl-C stops it.
"""

from __future__ import annotations

import argparse
import contextlib
import email.utils
import errno
import hashlib
import http.server
import json
import math
import re
import socket
import socketserver
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qsl, quote, unquote_to_bytes, urlsplit
from urllib.robotparser import RobotFileParser

import yaml

from zwgk.dnsserver import DNSServer
from zwgk.sample import catalog as C

SITES_DIR = Path(__file__).resolve().parent / "sites"
JPAGE_FILE = SITES_DIR / "_jpage.json"

CONTENT_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".css": "text/css",
    ".js": "application/javascript",
    ".txt": "text/plain",
    ".xml": "text/xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".gif": "image/gif",
    ".pdf": "application/pdf",
}
# Types that carry a charset and may hold absolute sample URLs to rewrite.
TEXT_TYPES = frozenset({"text/html", "text/css", "application/javascript", "text/xml"})
MAX_BODY = 1 << 20

NOT_FOUND = (
    b"<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n"
    b"<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)

SOFT_404_PAGE = """<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset={meta_charset}" />
<title>页面不存在</title>
</head>
<body>
<div class="error_page" style="text-align:center;padding:80px 0;">
<h2>对不起，您访问的页面不存在或已被删除！</h2>
<p>请检查您输入的网址是否正确，或者<a href="/">返回首页</a>。</p>
</div>
</body>
</html>
"""


@dataclass(frozen=True)
class Reply:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


@dataclass(frozen=True)
class Served:
    """One answered request, for tests: whether it was conditional (carried
    If-None-Match or If-Modified-Since) and the status it got."""

    method: str
    host: str
    target: str
    status: int
    conditional: bool
    sent: int  # body bytes sent


def _etag_matches(header: str, etag: str) -> bool:
    """If-None-Match's weak comparison (RFC 9110 13.1.2)."""
    if header.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(t.strip().removeprefix("W/") == bare for t in header.split(","))


class _HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    portal: SamplePortal

    def __init__(self, address: tuple[str, int], handler: type[_Handler]) -> None:
        self._clients: set[socket.socket] = set()
        self._clients_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._clients_lock:
            self._clients.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._clients_lock:
            self._clients.discard(request)
        super().shutdown_request(request)

    def close_clients(self) -> None:
        """End idle keep-alive connections, so no handler outlives stop()."""
        with self._clients_lock:
            clients = list(self._clients)
        for sock in clients:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn(), a reverse lookup
        # through the system resolver; the sample never needs a name.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)


class _HTTPServer6(_HTTPServer):
    address_family = socket.AF_INET6

    def server_bind(self) -> None:
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        super().server_bind()


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "zwgk-sample/1.0"
    sys_version = ""
    timeout = 30

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per request would drown test and demo output

    def _serve(self, method: str) -> None:
        portal = cast(_HTTPServer, self.server).portal
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self.send_error(400)
            return
        body = self.rfile.read(length) if length else b""
        reply = portal.handle(
            method, self.headers.get("Host", ""), self.path, body, dict(self.headers.items())
        )
        self.send_response(reply.status)
        for name, value in reply.headers:
            self.send_header(name, value)
        if reply.status != 304:  # a 304 has no body, and says nothing of its length
            self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(reply.body)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_HEAD(self) -> None:
        self._serve("HEAD")

    def do_POST(self) -> None:
        self._serve("POST")


def _poke_udp(port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s, contextlib.suppress(OSError):
        s.sendto(b"\0", ("127.0.0.1", port))


def _host_only(value: str) -> str:
    """``Host`` header -> lower-case name without port (IPv6 literals kept bare)."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class SamplePortal:
    """The sample province, served from loopback only.

    Use as a context manager or call :meth:`start` / :meth:`stop`.
    """

    def __init__(self, port: int = 0) -> None:
        self._requested_port = port
        self._servers: list[_HTTPServer] = []
        self._threads: list[threading.Thread] = []
        self._dns: DNSServer | None = None
        self._port: int | None = None
        self._lock = threading.Lock()
        self.requests: list[tuple[str, str, str]] = []
        # Every answer, with whether the request was conditional.
        self.served: list[Served] = []
        # Static files answer conditional requests as nginx does (ETag and
        # Last-Modified; 304 when they match); False: validators are sent
        # but conditional requests ignored, as some CMS front ends do.
        self.conditional = True
        # Tests change the site: (host, path) -> new file content, or the
        # status a file is served with for now.
        self._edits: dict[tuple[str, str], tuple[bytes, float]] = {}
        self.status_override: dict[tuple[str, str], int] = {}
        self._started = time.time()
        self.ipv6 = False
        self._jpage: dict[str, dict[str, dict[str, Any]]] = json.loads(
            JPAGE_FILE.read_text(encoding="utf-8")
        )
        hosts = sorted(C.SERVED_HOSTS, key=len, reverse=True)
        self._abs_url = re.compile(
            rb"(https?://)(" + b"|".join(re.escape(h.encode()) for h in hosts) + rb")(?![\w.:-])"
        )

    # -- lifecycle --------------------------------------------------------------------

    def start(self) -> SamplePortal:
        if self._servers:
            return self
        v4, v6 = self._bind(self._requested_port)
        self._servers = [v4] + ([v6] if v6 else [])
        self._port = int(v4.server_address[1])
        self.ipv6 = v6 is not None
        for srv in self._servers:
            srv.portal = self
            t = threading.Thread(
                target=srv.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="zwgk-sample-http",
                daemon=True,
            )
            t.start()
            self._threads.append(t)
        self._dns = DNSServer(self.zone(), host="127.0.0.1", port=0, ns=self.name_servers()).start()
        return self

    def stop(self) -> None:
        for srv in self._servers:
            srv.shutdown()
            srv.server_close()
            srv.close_clients()
        for t in self._threads:
            t.join(timeout=5)
        self._servers, self._threads = [], []
        self._port = None
        if self._dns is not None:
            # DNSServer.stop() closes its socket, which does not wake a thread
            # blocked in recvfrom() on Linux; a datagram shortly after does.
            waker = threading.Timer(0.05, _poke_udp, args=(self._dns.port,))
            waker.start()
            self._dns.stop()
            waker.cancel()
            self._dns = None

    def __enter__(self) -> SamplePortal:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @staticmethod
    def _bind(port: int) -> tuple[_HTTPServer, _HTTPServer | None]:
        """Bind 127.0.0.1 and ::1 on one port number, retrying until both fit."""
        for _ in range(1 if port else 50):
            v4 = _HTTPServer(("127.0.0.1", port), _Handler)
            chosen = int(v4.server_address[1])
            try:
                v6 = _HTTPServer6(("::1", chosen), _Handler)
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    v4.server_close()
                    if port:
                        raise
                    continue
                return v4, None  # no IPv6 loopback on this machine: serve IPv4 only
            return v4, v6
        raise OSError(errno.EADDRINUSE, "no port free on both 127.0.0.1 and ::1")

    # -- addresses and configuration ----------------------------------------------------

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("SamplePortal is not started")
        return self._port

    @property
    def dns(self) -> DNSServer:
        if self._dns is None:
            raise RuntimeError("SamplePortal is not started")
        return self._dns

    def zone(self) -> dict[str, list[str]]:
        """Every sample name -> loopback addresses, plus the refused intranet host."""
        zone: dict[str, list[str]] = {}
        for name, spec in C.SERVED_HOSTS.items():
            zone[name] = ["127.0.0.1"] if spec.v4only or not self.ipv6 else ["127.0.0.1", "::1"]
        for name, addrs in C.PRIVATE_HOSTS.items():
            zone[name] = list(addrs)
        for servers in C.NAME_SERVERS.values():
            for name, v6 in servers.items():
                zone[name] = ["127.0.0.1", "::1"] if v6 else ["127.0.0.1"]
        return zone

    def name_servers(self) -> dict[str, list[str]]:
        """Each sample zone's NS records."""
        return {zone: sorted(servers) for zone, servers in C.NAME_SERVERS.items()}

    def url(self, host: str, path: str = "/") -> str:
        """``http://HOST:PORT/PATH`` with non-ASCII path characters percent-encoded."""
        return f"http://{host}:{self.port}{quote(path, safe='/%?&=:;~')}"

    def base_url(self, site_id: str) -> str:
        host, path = C.SITES[site_id].home
        return self.url(host, path)

    def disclosure_urls(self, site_id: str) -> list[str]:
        return [self.url(h, p) for h, p in C.SITES[site_id].disclosure]

    def config_dict(self) -> dict[str, Any]:
        """A site list in the project's YAML schema, pointing at this portal."""
        return {
            "evaluation": dict(C.EVALUATION),
            "crawl": dict(C.CRAWL),
            "dns": {"nameservers": [self.dns.address]},
            # The 政务服务 platform is a section of lanhai's site on its own
            # host: trusted like the sites' hosts (it is on loopback too).
            "network": {"allow_private": False, "allow_hosts": sorted(C.SERVICE_HOSTS)},
            "sites": [
                {
                    "id": spec.id,
                    "name": spec.name,
                    "home": self.base_url(spec.id),
                    "disclosure": self.disclosure_urls(spec.id),
                    "hosts": [h.name for h in spec.hosts],
                }
                for spec in C.SITES.values()
            ],
        }

    def config_yaml(self) -> str:
        return yaml.safe_dump(self.config_dict(), allow_unicode=True, sort_keys=False)

    def expected_pages(self, site_id: str) -> set[str]:
        """Every HTML page of ``site_id`` a complete, robots-obeying crawl must reach.

        Computed from the files served: pages behind a robots.txt Disallow are
        left out, and so are the planted broken targets, which have no file
        (404s) or are dynamic (the soft 404). Pages reachable only through JS
        pagination, the Hanweb data proxy or a redirect chain are included.
        Directory index pages are listed the way the site's CMS links them:
        ``/zwgk/`` on TRS sites, ``/col/col1234/index.html`` on Hanweb (the
        home page is always ``/``). A crawler that expands TRS's
        ``createPageHTML`` also fetches ``…/index.html`` for a list's first
        page: the same page under a second URL, not in this set. It also
        reaches the planted soft 404 (status 200), which is not in this set.
        """
        pages: set[str] = set()
        for spec in C.SITES[site_id].hosts:
            root = SITES_DIR / spec.name
            robots = self._robots(spec.name)
            for f in sorted(root.rglob("*")):
                if not f.is_file() or f.suffix not in (".html", ".htm"):
                    continue
                path = "/" + f.relative_to(root).as_posix()
                if f.name == "index.html" and (spec.index_links == "dir" or path == "/index.html"):
                    path = path[: -len("index.html")]
                url = self.url(spec.name, path)
                if robots.can_fetch("*", url):
                    pages.add(url)
        return pages

    @staticmethod
    def _robots(host: str) -> RobotFileParser:
        rp = RobotFileParser()
        robots = SITES_DIR / host / "robots.txt"
        rp.parse(robots.read_text(encoding="utf-8").splitlines() if robots.exists() else [])
        return rp

    # -- request handling -----------------------------------------------------------------

    def edit(self, host: str, path: str, content: bytes) -> None:
        """Serve ``content`` as the file at ``path`` from now on (modified now)."""
        with self._lock:
            self._edits[(host, path)] = (content, time.time())

    def handle(
        self,
        method: str,
        host_header: str,
        target: str,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
    ) -> Reply:
        """Answer one request; ``target`` is the request-target as received."""
        if target.startswith(("http://", "https://")):  # absolute-form, as a proxy would send
            parts = urlsplit(target)
            host_header = parts.netloc
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        host = _host_only(host_header)
        cond = {k.lower(): v for k, v in (headers or {}).items()}
        cond = {k: v for k, v in cond.items() if k in ("if-none-match", "if-modified-since")}
        with self._lock:
            self.requests.append((method, host, target))
        try:
            reply = self._route(method, host, target, body, cond)
        except Exception:  # a bug in one route must not take the server down
            reply = Reply(500, (("Content-Type", "text/plain"),), b"internal error\n")
        with self._lock:
            self.served.append(
                Served(method, host, target, reply.status, bool(cond), len(reply.body))
            )
        return reply

    def _route(
        self, method: str, host: str, target: str, body: bytes, cond: dict[str, str]
    ) -> Reply:
        if host not in C.SERVED_HOSTS:
            return self._not_found()
        raw_path, _, query = target.partition("?")
        # http.server decoded the request line as latin-1; recover the bytes.
        try:
            path = unquote_to_bytes(raw_path.encode("latin-1")).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return Reply(400, (("Content-Type", "text/plain"),), b"bad request\n")
        segments = path.split("/")
        if (
            not path.startswith("/")
            or "\x00" in path
            or "\\" in path
            or any(s in ("..", ".") for s in segments)
        ):
            return Reply(400, (("Content-Type", "text/plain"),), b"bad request\n")

        redirect = C.REDIRECTS.get((host, path))
        if redirect is not None:
            status, location = redirect
            # An absolute Location names another sample host: add the port.
            location = self._rewrite(location.encode()).decode()
            return Reply(status, (("Location", location), ("Content-Type", "text/html")), b"")
        if (host, path) in C.SOFT_404:
            return self._soft_404(host)
        if path == C.DATAPROXY_PATH and host in C.DATAPROXY_HOSTS:
            return self._dataproxy(host, query, body)
        if method not in ("GET", "HEAD"):
            return Reply(405, (("Allow", "GET, HEAD"), ("Content-Type", "text/plain")), b"")
        return self._static(host, path, query, method, cond)

    def _not_found(self) -> Reply:
        return Reply(404, (("Content-Type", "text/html"),), NOT_FOUND)

    def _static(
        self,
        host: str,
        path: str,
        query: str,
        method: str = "GET",
        cond: dict[str, str] | None = None,
    ) -> Reply:
        root = (SITES_DIR / host).resolve()
        parts = [s for s in path.split("/") if s]
        if any(s.startswith(".") for s in parts):
            return self._not_found()
        target = root.joinpath(*parts)
        try:
            resolved = target.resolve()
        except OSError:
            return self._not_found()
        if not resolved.is_relative_to(root):
            return self._not_found()
        if resolved.is_dir():
            if not path.endswith("/"):
                location = quote(path + "/") + (f"?{query}" if query else "")
                return Reply(301, (("Location", location), ("Content-Type", "text/html")), b"")
            resolved = resolved / "index.html"
        if not resolved.is_file():
            return self._not_found()
        ctype = CONTENT_TYPES.get(resolved.suffix.lower(), "application/octet-stream")
        file_path = "/" + resolved.relative_to(root).as_posix()
        with self._lock:
            edited = self._edits.get((host, file_path))
            status = self.status_override.get((host, file_path), 200)
        if edited is not None:
            data, mtime = edited
        else:
            # The files' own times are those of the checkout; a served site
            # is as old as the server, at most.
            data, mtime = resolved.read_bytes(), min(resolved.stat().st_mtime, self._started)
        header = ctype
        if ctype in TEXT_TYPES:
            charset = C.CHARSET_OVERRIDES.get((host, file_path), C.SERVED_HOSTS[host].charset)
            header = f"{ctype}; charset={charset}"
            data = self._rewrite(data)
        # As nginx: a strong ETag that changes with the file, Last-Modified
        # its time (to the second).
        etag = '"' + hashlib.sha1(data).hexdigest()[:16] + '"'
        modified = int(mtime)
        validators = (
            ("ETag", etag),
            ("Last-Modified", email.utils.formatdate(modified, usegmt=True)),
        )
        headers = (("Content-Type", header), *validators)
        if (
            status == 200
            and cond
            and self.conditional
            and method in ("GET", "HEAD")
            and self._not_modified(cond, etag, modified)
        ):
            return Reply(304, validators, b"")
        return Reply(status, headers, data)

    @staticmethod
    def _not_modified(cond: dict[str, str], etag: str, modified: int) -> bool:
        """RFC 9110 13.2.2: If-None-Match decides when present, else If-Modified-Since."""
        if "if-none-match" in cond:
            return _etag_matches(cond["if-none-match"], etag)
        try:
            since = email.utils.parsedate_to_datetime(cond["if-modified-since"]).timestamp()
        except (KeyError, TypeError, ValueError):
            return False
        return modified <= since

    def _rewrite(self, data: bytes) -> bytes:
        """Add the portal's port to absolute links between sample hosts.

        Pages name hosts the way the real sites would (``http://xxgk.…/``, no
        port); the port only exists at run time.
        """
        if self.port == 80:
            return data
        return self._abs_url.sub(rb"\1\2:" + str(self.port).encode(), data)

    def _soft_404(self, host: str) -> Reply:
        charset = C.SERVED_HOSTS[host].charset
        meta = "gb2312" if charset.lower() == "gbk" else charset
        body = SOFT_404_PAGE.format(meta_charset=meta).encode(charset)
        return Reply(200, (("Content-Type", f"text/html; charset={charset}"),), body)

    def _dataproxy(self, host: str, query: str, body: bytes) -> Reply:
        """Hanweb's jpage proxy: records ``startrecord..endrecord`` (1-based, inclusive)."""
        params = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        raw_query = query.encode("latin-1", "replace").decode("utf-8", "replace")
        params.update(parse_qsl(raw_query, keep_blank_values=True))
        column = self._jpage.get(host, {}).get(params.get("columnid", ""))
        records: list[str] = column["records"] if column else []
        try:
            per_page = max(1, int(params.get("perpage") or (column["perpage"] if column else 15)))
            if "startrecord" in params:
                start = max(1, int(params["startrecord"]))
                end = int(params.get("endrecord") or start + per_page - 1)
            else:
                start = (max(1, int(params.get("page") or 1)) - 1) * per_page + 1
                end = start + per_page - 1
        except ValueError:
            return Reply(400, (("Content-Type", "text/plain"),), b"bad request\n")
        end = min(end, start + 999)
        window = records[start - 1 : max(start - 1, end)]
        total_pages = math.ceil(len(records) / per_page) if records else 0
        xml = (
            f"<datastore>\n<totalrecord>{len(records)}</totalrecord>\n<totalpage>{total_pages}</totalpage>\n"
            "<recordset>\n"
            + "".join(f"<record><![CDATA[\n{r}\n]]></record>\n" for r in window)
            + "</recordset>\n</datastore>\n"
        )
        return Reply(200, (("Content-Type", "text/xml;charset=UTF-8"),), xml.encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m zwgk.sample.server",
        description="Serve the sample province on loopback and print a site list for it.",
    )
    parser.add_argument("--port", type=int, default=0, help="HTTP port (default: any free port)")
    args = parser.parse_args(argv)
    portal = SamplePortal(args.port).start()
    try:
        sys.stdout.write(portal.config_yaml())
        sys.stdout.flush()
        stacks = "127.0.0.1 and [::1]" if portal.ipv6 else "127.0.0.1"
        print(
            f"sample portal on {stacks} port {portal.port}, DNS at {portal.dns.address}; "
            "save the YAML above as a site list. Ctrl-C stops.",
            file=sys.stderr,
        )
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        portal.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
