"""A loopback site that plants every link outcome and the traps naive
checkers fall into. Used by tests/checks/links/test_links_check.py and the benchmark's
sanity run.

Two HTTP servers on 127.0.0.1: the configured site ``www.trap.gov.test`` and
an "external" host ``ext.gov.test`` (allowed despite its loopback address via
``network.allow_hosts``). ``oa.trap.gov.test`` maps to 127.0.0.2, standing in
for an intranet address, and must never be contacted.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SITE = "www.trap.gov.test"
EXT = "ext.gov.test"
INTRANET = "oa.trap.gov.test"
DEAD = "gone.gov.test"


def page(title: str, body: str = "") -> bytes:
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><div class='content'><h1>{title}</h1>{body}"
        "<p>本页面为测试页面，正文内容用于验证链接检查不会误报。这里有足够长的正文文字，"
        "说明这是一个正常的政府网站内容页面，而不是错误提示页面。</p></div></body></html>"
    ).encode()


ERROR_PAGE = page("提示信息", "<p>对不起，您访问的页面不存在或已被删除！</p>")
RUISHU = (
    b"<html><head><meta charset='utf-8'><script>$_ts=window['$_ts'];if(!$_ts)$_ts={};"
    b"$_ts.nsd=12345;</script></head><body></body></html>"
)


class Trap:
    """Routes and counters for one server (one Host)."""

    def __init__(self, host: str) -> None:
        self.host = host
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.hits: Counter[str] = Counter()
        self.user_agents: set[str] = set()

    def record(self, method: str, path: str, user_agent: str = "") -> int:
        with self.lock:
            self.user_agents.add(user_agent)
            self.requests.append((method, path))
            self.hits[path] += 1
            return self.hits[path]


def make_handler(traps: dict[str, Trap], ports: dict[str, int]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _send(
            self,
            status: int,
            body: bytes = b"",
            ctype: str = "text/html; charset=utf-8",
            headers: dict[str, str] | None = None,
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_HEAD(self) -> None:
            self.do_GET()

        def do_GET(self) -> None:
            host = (self.headers.get("Host") or "").split(":")[0]
            trap = traps.get(host)
            if trap is None:
                self._send(404, b"no such host")
                return
            n = trap.record(self.command, self.path, self.headers.get("User-Agent") or "")
            route = ROUTES.get((host, self.path.split("?")[0]))
            if route is None:
                self._send(404, page("404 Not Found"))
                return
            route(self, n, ports)

    return Handler


def _home(h: Any, n: int, ports: dict[str, int]) -> None:
    ext = f"http://{EXT}:{ports[EXT]}"
    links = [
        # planted breaks
        ("/missing.html", "已删除的页面"),
        ("/images/missing.png", None),
        ("/error500.html", "服务器出错的页面"),
        ("/soft404.html", "软404页面"),
        ("/empty.html", "空白页面"),
        ("/loop", "循环跳转"),
        ("/files/missing.pdf", "缺失的附件.pdf"),
        (f"{ext}/gone.html", "外部已删除页面"),
        (f"http://{DEAD}/", "已关停网站"),
        (f"http://{EXT}:{ports['refused']}/", "拒绝连接的网站"),
        (f"http://{EXT}:{ports['silent']}/", "超时的网站"),
        (f"https://{EXT}:{ports[EXT]}/", "证书错误的网站"),
        (f"http://{INTRANET}:{ports['intranet']}/", "内网办公"),
        # a public-looking link whose redirect hop leads into the intranet
        (f"{ext}/to-oa", "跳转到内网的链接"),
        # unverified (anti-bot)
        (f"{ext}/forbidden.html", "禁止访问的外部页面"),
        (f"{ext}/ruishu.html", "瑞数防护页面"),
        (f"{ext}/always429.html", "一直限流的页面"),
        # traps: none of these is broken
        (f"{ext}/head405.pdf", "只允许GET的附件.pdf"),
        (f"{ext}/retry429.html", "限流一次的页面"),
        (f"{ext}/slow.html", "较慢的页面"),
        ("/chain/start", "多次跳转的页面"),
        ("/%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80/%E6%8C%87%E5%8D%97.html", "中文路径"),
        ("/search.html?a=1&amp;b=2", "带参数的链接"),
        ("/sub/dir/page.html", "子目录页面"),
        ("/jytabl/404.html", "关于第404号建议的答复"),
        ("/list/index.html", "栏目列表"),
        ("javascript:void(0);", "脚本链接"),
        ("mailto:xxgk@trap.gov.test", "邮箱"),
        ("tel:0431-12345678", "电话"),
        ("#top", "返回顶部"),
        ("/sub/dir/page.html#sec2", "不存在的锚点"),
        ("/sub/dir/page.html#sec1", "存在的锚点"),
    ]
    items = []
    for href, text in links:
        if text is None:
            items.append(f'<img src="{href}" alt="">')
        else:
            items.append(f'<a href="{href}">{text}</a>')
    h._send(200, page("陷阱网站首页", "<br>".join(items)))


def _chain_start(h: Any, n: int, ports: dict[str, int]) -> None:
    h._send(301, headers={"Location": "/chain/middle"})


def _chain_middle(h: Any, n: int, ports: dict[str, int]) -> None:
    h._send(302, headers={"Location": "/chain/end.html"})


def _ok(title: str, body: str = "") -> Any:
    def route(h: Any, n: int, ports: dict[str, int]) -> None:
        h._send(200, page(title, body))

    return route


def _status(code: int, body: bytes = b"", headers: dict[str, str] | None = None) -> Any:
    def route(h: Any, n: int, ports: dict[str, int]) -> None:
        h._send(code, body or page(f"HTTP {code}"), headers=headers)

    return route


def _loop(h: Any, n: int, ports: dict[str, int]) -> None:
    h._send(302, headers={"Location": "/loop"})


def _head405(h: Any, n: int, ports: dict[str, int]) -> None:
    if h.command == "HEAD":
        h._send(405, b"")
    else:
        h._send(200, b"%PDF-1.4 test", ctype="application/pdf")


def _retry429(h: Any, n: int, ports: dict[str, int]) -> None:
    if n == 1:
        h._send(429, page("请求过多"), headers={"Retry-After": "1"})
    else:
        h._send(200, page("限流后恢复的页面"))


def _slow(h: Any, n: int, ports: dict[str, int]) -> None:
    time.sleep(1.5)
    h._send(200, page("较慢但正常的页面"))


def _list(h: Any, n: int, ports: dict[str, int]) -> None:
    # A TRS list whose second page exists only in createPageHTML.
    h._send(
        200,
        page(
            "栏目列表",
            '<a href="item1.html">条目一</a>'
            '<script>createPageHTML(2, 0, "index", "html");</script>',
        ),
    )


def _list1(h: Any, n: int, ports: dict[str, int]) -> None:
    h._send(200, page("栏目列表第二页", '<a href="/deleted-in-list.html">列表中已删除的文章</a>'))


ROUTES: dict[tuple[str, str], Any] = {
    (SITE, "/"): _home,
    (SITE, "/robots.txt"): _status(404, b"not found", None),
    (SITE, "/error500.html"): _status(500),
    (SITE, "/soft404.html"): lambda h, n, p: h._send(200, ERROR_PAGE),
    (SITE, "/empty.html"): lambda h, n, p: h._send(200, b""),
    (SITE, "/loop"): _loop,
    (SITE, "/chain/start"): _chain_start,
    (SITE, "/chain/middle"): _chain_middle,
    (SITE, "/chain/end.html"): _ok("跳转后的页面"),
    (SITE, "/%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80/%E6%8C%87%E5%8D%97.html"): _ok("中文路径页面"),
    (SITE, "/search.html"): _ok("检索结果"),
    (SITE, "/sub/dir/page.html"): _ok(
        "子目录页面", '<h2 id="sec1">第一节</h2><a href="../../sub/other.html">上级目录的页面</a>'
    ),
    (SITE, "/sub/other.html"): _ok("上级目录的页面"),
    (SITE, "/jytabl/404.html"): _ok("关于第404号建议的答复", "<p>关于第404号建议的答复全文。</p>"),
    (SITE, "/list/index.html"): _list,
    (SITE, "/list/index_1.html"): _list1,
    (SITE, "/list/item1.html"): _ok("条目一"),
    (EXT, "/robots.txt"): _status(404, b"not found", None),
    (EXT, "/forbidden.html"): _status(403),
    (EXT, "/ruishu.html"): lambda h, n, p: h._send(412, RUISHU),
    (EXT, "/always429.html"): _status(429, headers={"Retry-After": "1"}),
    (EXT, "/head405.pdf"): _head405,
    (EXT, "/retry429.html"): _retry429,
    (EXT, "/slow.html"): _slow,
    (EXT, "/to-oa"): lambda h, n, p: h._send(
        302, b"", headers={"Location": f"http://{INTRANET}:{p['intranet']}/"}
    ),
}

# What each target must come out as (path or URL suffix -> outcome).
BROKEN_EXPECTED = {
    "/missing.html": "http_4xx",
    "/images/missing.png": "http_4xx",
    "/error500.html": "http_5xx",
    "/soft404.html": "soft_404",
    "/empty.html": "empty",
    "/loop": "redirect_loop",
    "/files/missing.pdf": "http_4xx",
    "/gone.html": "http_4xx",
    f"http://{DEAD}/": "dns_error",
    "refused": "connection_refused",
    "silent": "timeout",
    "https": "tls_error",
    "intranet": "private_address",
    "/to-oa": "private_address",
    "/deleted-in-list.html": "http_4xx",
}
UNVERIFIED_EXPECTED = {"/forbidden.html", "/ruishu.html", "/always429.html"}
TRAPS = {
    "/head405.pdf",
    "/retry429.html",
    "/slow.html",
    "/chain/start",
    "/%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80/%E6%8C%87%E5%8D%97.html",
    "/search.html?a=1&b=2",
    "/sub/dir/page.html",
    "/sub/other.html",
    "/jytabl/404.html",
    "/list/index.html",
    "/list/index_1.html",
    "/list/item1.html",
}


class TrapSite:
    """Start both servers, a silent port (accepts, never answers) and a refused port."""

    def __init__(self) -> None:
        self.traps = {SITE: Trap(SITE), EXT: Trap(EXT)}
        self.ports: dict[str, int] = {}
        self.servers: list[ThreadingHTTPServer] = []
        self._socks: list[socket.socket] = []

    def start(self) -> TrapSite:
        handler = make_handler(self.traps, self.ports)
        for name in (SITE, EXT):
            srv = ThreadingHTTPServer(("127.0.0.1", 0), handler)
            srv.daemon_threads = True
            self.ports[name] = srv.server_address[1]
            threading.Thread(target=srv.serve_forever, daemon=True).start()
            self.servers.append(srv)
        silent = socket.socket()
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)  # accepts into the backlog, never reads or answers
        self.ports["silent"] = silent.getsockname()[1]
        refused = socket.socket()
        refused.bind(("127.0.0.1", 0))
        self.ports["refused"] = refused.getsockname()[1]
        refused.close()  # nothing listens there now
        self.intranet = socket.socket()
        self.intranet.bind(("127.0.0.2", 0))
        self.intranet.listen(4)
        self.intranet.settimeout(0.1)
        self.ports["intranet"] = self.intranet.getsockname()[1]
        self._socks += [silent, self.intranet]
        return self

    def intranet_connections(self) -> int:
        n = 0
        while True:
            try:
                conn, _ = self.intranet.accept()
            except (TimeoutError, OSError):
                return n
            n += 1
            conn.close()

    def stop(self) -> None:
        for srv in self.servers:
            srv.shutdown()
            srv.server_close()
        for s in self._socks:
            s.close()

    def __enter__(self) -> TrapSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def zone(self) -> dict[str, list[str]]:
        return {SITE: ["127.0.0.1"], EXT: ["127.0.0.1"], INTRANET: ["127.0.0.2"]}

    def home(self) -> str:
        return f"http://{SITE}:{self.ports[SITE]}/"
