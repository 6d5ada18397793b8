"""A loopback site that rate-limits: 429 (Retry-After) to the first N
requests of a host or path, or to all of them, with its own request log."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType


@dataclass
class Hit:
    at: float  # time.monotonic() when the request arrived
    host: str
    path: str
    status: int


@dataclass
class Rule:
    """429 with ``retry_after`` to the first ``first`` requests matching
    ``host`` (and ``path`` if given); ``first=None``: to every one."""

    host: str
    retry_after: int
    first: int | None = None
    path: str | None = None
    seen: int = 0


@dataclass
class RateLimitSite:
    pages: dict[str, str]  # "host path" -> HTML; other paths 404
    rules: list[Rule] = field(default_factory=list)
    log: list[Hit] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def hits(self, host: str, path: str | None = None) -> list[Hit]:
        return [h for h in self.log if h.host == host and (path is None or h.path == path)]

    def _answer(self, host: str, path: str) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            for rule in self.rules:
                if rule.host != host or (rule.path is not None and rule.path != path):
                    continue
                rule.seen += 1
                if rule.first is None or rule.seen <= rule.first:
                    body = b"<html><body>Too Many Requests</body></html>"
                    return 429, {"Retry-After": str(rule.retry_after)}, body
        html = self.pages.get(f"{host} {path}")
        if html is None:
            return 404, {}, b"<html><title>404</title><body>not found</body></html>"
        return 200, {}, html.encode("utf-8")

    def handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _serve(self, body_wanted: bool) -> None:
                at = time.monotonic()
                host = (self.headers.get("Host") or "").split(":")[0]
                status, headers, body = site._answer(host, self.path)
                with site._lock:
                    site.log.append(Hit(at, host, self.path, status))
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                if body_wanted:
                    self.wfile.write(body)

            def do_GET(self) -> None:
                self._serve(True)

            def do_HEAD(self) -> None:
                self._serve(False)

        return Handler

    def __enter__(self) -> RateLimitSite:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler())
        self.port = self.server.server_address[1]
        self._t = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._t.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.server.shutdown()
        self.server.server_close()
