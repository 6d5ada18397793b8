"""Downloader middlewares.

Rules for this package (what a middleware may do here): a middleware may
refuse or annotate a request; it never parses pages or writes to the store.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy import Request, Spider
from scrapy.http import Response
from scrapy.utils.defer import deferred_to_future
from twisted.internet import threads
from twisted.internet.error import DNSLookupError
from w3lib.url import safe_url_string

from zwgk.crawler.fetch import PrivateAddressBlocked, RedirectNotHttp
from zwgk.crawler.resolver import get_guard


class NetworkGuardMiddleware:
    """Refuse requests to private addresses before the downloader sees them.

    The Twisted resolver enforces the same decision again at connect time;
    this early check exists so the refusal is recorded with its reason
    (``private_address``) instead of surfacing as a generic DNS failure.
    """

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        guard = get_guard()
        host = urlsplit(request.url).hostname
        if guard is None or host is None:
            raise PrivateAddressBlocked("no network guard installed")
        from twisted.internet import reactor

        resolution, decision = await deferred_to_future(
            threads.deferToThreadPool(reactor, reactor.getThreadPool(), guard.check, host)
        )
        if resolution.error is not None:
            raise DNSLookupError(f"{host}: {resolution.error.value}")
        if not decision.allowed:
            raise PrivateAddressBlocked(f"{host} resolves to {', '.join(decision.refused)}")
        request.meta["zwgk_addresses"] = list(resolution.addresses)

    def process_response(
        self, request: Request, response: Any, spider: Spider | None = None
    ) -> Any:
        return response


REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class NonHttpRedirectMiddleware:
    """Refuse a redirect whose Location is not http(s), before Scrapy's
    RedirectMiddleware sees it (process_response runs from the highest
    order down: this one sits just above it).

    A visitor's browser does not open ``file:///etc/passwd`` or run
    ``javascript:`` from a Location header either: the link leads nowhere.
    The request fails with :class:`RedirectNotHttp` (``redirect_not_http``).
    """

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        if (
            response.status not in REDIRECT_STATUSES
            or b"Location" not in response.headers
            or request.meta.get("dont_redirect")
            or request.meta.get("handle_httpstatus_all")
            or response.status in request.meta.get("handle_httpstatus_list", ())
        ):
            return response
        raw = response.headers[b"Location"] or b""
        # Resolved as RedirectMiddleware resolves it; "//host/x" keeps the scheme.
        location = safe_url_string(raw)
        try:
            scheme = urlsplit(urljoin(request.url, location)).scheme.lower()
        except ValueError:
            return response  # unparseable: Scrapy's own handling applies
        if scheme in ("http", "https"):
            return response
        raise RedirectNotHttp(response.status, raw.decode("latin-1"))
