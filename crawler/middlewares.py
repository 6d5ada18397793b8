"""Downloader middlewares.

Rules for this package (what a middleware may do here): a middleware may
refuse or annotate a request; it never parses pages or writes to the store.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.utils.defer import deferred_to_future
from twisted.internet import threads
from twisted.internet.error import DNSLookupError

from zwgk.crawler.fetch import PrivateAddressBlocked
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
