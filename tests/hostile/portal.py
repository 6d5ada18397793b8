"""A hostile government portal on loopback, for crawl-bound tests.

A raw-socket server (one thread per connection) so that each case controls
its bytes: a drip feed, a reset mid-body, a 10 MB+ page, a gzip bomb, an
endless calendar, session-id variants on every link, a redirect loop, a
redirect into an intranet name, malformed and truncated HTML, invalid UTF-8
and broken GBK. ``SilentDNS`` answers like the test DNS server except for
the names it is told to ignore, which never get a reply (a DNS timeout).
"""

from __future__ import annotations

import gzip
import secrets
import socket
import struct
import threading
import time
from functools import cache
from urllib.parse import parse_qs, urlsplit

from zwgk.dnsserver import DNSServer

BIG_MB = 11  # over the test's crawl.max_page_mb of 10
BOMB_MB = 300  # inflated size of the gzip bomb
SESSION_VARIANTS = 50


class _Silence(Exception):
    """Raised to send no reply; DNSServer's loop drops the query."""


class SilentDNS(DNSServer):
    def __init__(self, zone: dict[str, list[str]], silent: set[str]) -> None:
        super().__init__(zone)
        self.silent = {s.lower() for s in silent}

    def _answer(self, data: bytes) -> bytes:
        import dns.message

        name = dns.message.from_wire(data).question[0].name.to_text().lower().rstrip(".")
        if name in self.silent:
            self.queries.append((name, "silent"))
            raise _Silence(name)
        return super()._answer(data)


# Browsers follow 20 redirects and give up on the 21st (zwgk's one limit).
MAX_HOPS = 20
# Redirects to addresses no browser opens from a Location header.
NON_HTTP = {
    "/to/file": "file:///etc/passwd",
    "/to/ftp": "ftp://ftp.a.gov.test/pub/",
    "/to/js": "javascript:alert(1)",
    "/to/file.png": "file:///C:/Users/editor/Desktop/logo.png",
}
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@cache
def gzip_bomb() -> bytes:
    out = gzip.compress(b"\0" * (BOMB_MB * 1024 * 1024), compresslevel=9)
    assert len(out) < 1024 * 1024  # small on the wire: only decompression is large
    return out


def _page(title: str, body: str, charset: str = "utf-8") -> bytes:
    return (
        f'<html><head><meta charset="{charset}"><title>{title}</title></head>'
        f"<body>{body}</body></html>"
    ).encode(charset)


class HostilePortal:
    def __init__(self, intranet_port: int, silent_host: str) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.intranet_port = intranet_port
        self.silent_host = silent_host
        self.hits: dict[str, int] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> HostilePortal:
        gzip_bomb()
        self._t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._t.join(timeout=2)
        self.sock.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(10)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            line = data.split(b"\r\n", 1)[0].decode("latin-1")
            method, target = line.split(" ")[:2]
            path = urlsplit(target).path
            with self._lock:
                self.hits[path] = self.hits.get(path, 0) + 1
            self._route(conn, method, target)
        except OSError:
            pass
        finally:
            conn.close()

    @staticmethod
    def _send(
        conn: socket.socket,
        body: bytes,
        ctype: str = "text/html; charset=utf-8",
        status: str = "200 OK",
        extra: str = "",
    ) -> None:
        head = (
            f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\n"
            f"Content-Length: {len(body)}\r\n{extra}Connection: close\r\n\r\n"
        )
        conn.sendall(head.encode("latin-1") + body)

    def _redirect(self, conn: socket.socket, location: str) -> None:
        self._send(conn, b"", status="302 Found", extra=f"Location: {location}\r\n")

    def _route(self, conn: socket.socket, method: str, target: str) -> None:
        parts = urlsplit(target)
        path = parts.path
        if path == "/":
            sessions = "".join(
                f'<a href="/page;jsessionid={secrets.token_hex(8)}">会话{i}</a>'
                for i in range(SESSION_VARIANTS)
            )
            links = (
                '<a href="/drip">慢速页面</a><a href="/reset">中断页面</a>'
                '<a href="/big">超大页面</a><a href="/bomb">压缩炸弹</a>'
                '<a href="/cal/?y=2026&m=12">日历</a>'
                f'<a href="/page?sid={secrets.token_hex(8)}">会话页</a>'
                '<a href="/loop">循环跳转</a><a href="/go/oa">办公系统</a>'
                '<a href="/malformed">残缺页面</a><a href="/truncated">截断页面</a>'
                '<a href="/badutf8">乱码页面</a><a href="/gbk">GBK页面</a>'
                f'<a href="http://{self.silent_host}:{self.port}/">无应答域名</a>'
                '<a href="/to/file">本机文件</a><a href="/to/ftp">FTP</a>'
                '<a href="/to/js">脚本跳转</a><img src="/to/file.png" alt="图片">'
                f'<a href="/hop/0/{MAX_HOPS}">{MAX_HOPS}次跳转</a>'
                f'<a href="/hop/0/{MAX_HOPS + 1}">{MAX_HOPS + 1}次跳转</a>'
                f'<img src="/hop/0/{MAX_HOPS}.png"><img src="/hop/0/{MAX_HOPS + 1}.png">'
            )
            self._send(conn, _page("首页", links + sessions))
        elif path == "/drip":
            # A few bytes a second, for longer than the download timeout.
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                b"Content-Length: 100000\r\n\r\n"
            )
            for _ in range(40):
                conn.sendall(b"<p>")
                time.sleep(0.25)
                if self._stop.is_set():
                    return
        elif path == "/reset":
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                b"Content-Length: 100000\r\n\r\n<html><body>" + b"x" * 500
            )
            # SO_LINGER 0: close() sends a RST, not a FIN.
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif path == "/big":
            self._send(conn, b"<html><body>" + b"a" * (BIG_MB * 1024 * 1024) + b"</body></html>")
        elif path == "/bomb":
            self._send(conn, gzip_bomb(), extra="Content-Encoding: gzip\r\n")
        elif path == "/cal/":
            q = parse_qs(parts.query)
            y, m = int(q.get("y", ["2026"])[0]), int(q.get("m", ["1"])[0])
            py, pm = (y, m - 1) if m > 1 else (y - 1, 12)
            ny, nm = (y, m + 1) if m < 12 else (y + 1, 1)
            self._send(
                conn,
                _page(
                    f"{y}年{m}月",
                    f'<a href="/cal/?y={py}&m={pm}">上月</a><a href="/cal/?y={ny}&m={nm}">下月</a>',
                ),
            )
        elif path.startswith("/page"):
            # Every answer hands out new session ids.
            self._send(
                conn,
                _page(
                    "会话页",
                    f'<a href="/page;jsessionid={secrets.token_hex(8)}">本页</a>'
                    f'<a href="/page?sid={secrets.token_hex(8)}">本页</a>',
                ),
            )
        elif path == "/loop":
            self._redirect(conn, "/loop2")
        elif path == "/loop2":
            self._redirect(conn, "/loop")
        elif path in NON_HTTP:
            self._redirect(conn, NON_HTTP[path])
        elif path.startswith("/hop/"):
            # /hop/K/N: redirect K -> K+1 until N; N hops in all, then a page
            # (or, for N.png, an image).
            k, n = path.removeprefix("/hop/").split("/")
            png = n.endswith(".png")
            k_i, n_i = int(k), int(n.removesuffix(".png"))
            if k_i < n_i:
                self._redirect(conn, f"/hop/{k_i + 1}/{n}")
            elif png:
                self._send(conn, PNG, ctype="image/png")
            else:
                self._send(conn, _page(f"{n_i}次跳转之后", "到达"))
        elif path == "/go/oa":
            self._redirect(conn, f"http://intranet.a.gov.test:{self.intranet_port}/")
        elif path == "/malformed":
            body = (
                b"<html><head><title>\xe6\xae\x8b\xe7\xbc\xba<body><div><p>\x00\x00<table><tr><td>"
            )
            body += b"<a href='/gbk'>\x00\xe9\x93\xbe\xe6\x8e\xa5</a><b><i></div></p>"
            self._send(conn, body)
        elif path == "/truncated":
            # Cut inside a multi-byte character, an attribute and a tag.
            body = b"<html><head><title>\xe6\x88\xaa\xe6\x96\xad</title></head><body><p>\xe4\xb8"
            body += b'<a href="/badutf8" title="\xe6\x96\x87'
            body += b"<div cla"
            self._send(conn, body)
        elif path == "/badutf8":
            body = b"<html><head><meta charset='utf-8'><title>\xff\xfe\xe6\x97</title></head>"
            body += b"<body>\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc"
            body += b"<p>\xe6\xad\xa3\xe6\x96\x87</p></body></html>"
            self._send(conn, body)
        elif path == "/gbk":
            # Valid GBK with lead bytes cut off their trail bytes.
            body = _page("信息公开", "政府信息公开指南", "gbk")
            body = body.replace("公开".encode("gbk"), b"\xb9<\xbf", 1) + b"\x81\xfe\xff\xb0"
            self._send(conn, body, ctype="text/html; charset=gbk")
        else:
            self._send(conn, _page("页面不存在", "页面不存在"), status="404 Not Found")
