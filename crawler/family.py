"""Fetch a URL over one IP family, connecting to a chosen address.

A Scrapy download handler for probes that must say *which* address answered:
"does this site work over IPv6?" is only answered by connecting to its AAAA
address itself, not by letting Twisted's Happy Eyeballs pick a family.

A spider enables it for both schemes::

    custom_settings = {"DOWNLOAD_HANDLERS": family.DOWNLOAD_HANDLERS}  # noqa: RUF012

(the ``noqa``: Scrapy types ``custom_settings`` as an instance variable, so
it cannot be annotated ``ClassVar``), or sets ``DOWNLOAD_HANDLERS`` in
``update_settings``. It then asks per request, through ``Request.meta``:

``zwgk_family``
    ``4`` or ``6``: connect to an address of that family only. Absent (or
    ``None``): the request is downloaded exactly as by Scrapy's stock
    HTTP/1.1 handler.
``zwgk_connect_to``
    Optional: the address to connect to. It must be of ``zwgk_family`` and one
    of the addresses the network guard resolved and allowed for the request's
    host (``zwgk_addresses``, set by
    :class:`~zwgk.crawler.middlewares.NetworkGuardMiddleware`); otherwise the
    request fails with :class:`ConnectAddressError`. Without it, the first
    address of the family in ``zwgk_addresses`` is used.

The URL, the ``Host`` header and, for https, the TLS SNI name and the name
the certificate is checked against stay the URL's host name.

The handler records, for the spider to log:

``zwgk_connected``
    ``{"family": 4|6, "address": "..."}`` of this download (on
    ``response.meta``, which is ``request.meta``; set before connecting, so an
    errback sees it too).
``zwgk_connections``
    One ``{"url", "family", "address"}`` per download of the request chain,
    oldest first: redirects and retries copy ``meta``, so after a redirect it
    holds every hop.

Redirects keep the family: :class:`~scrapy.downloadermiddlewares.redirect.RedirectMiddleware`
copies ``meta``, the guard resolves each hop's host again, and this handler
connects on the same family. A hop to a host with no address of that family
fails with :class:`NoAddressForFamily` (its ``failure.request`` carries
``meta["redirect_urls"]``). A ``zwgk_connect_to`` is copied too, so a redirect
to another host fails with :class:`ConnectAddressError` rather than
connecting that host's name to the first host's address.

IPv4-mapped IPv6 addresses (``::ffff:a.b.c.d``) count as neither family: a
connection to one is IPv4 on the wire, and an AAAA record holding one is no
evidence of IPv6 service.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from scrapy import Request

# Private names, kept to the minimum: Scrapy has no public hook for the
# address a download connects to (see _AddressAgent and _FamilyScrapyAgent).
from scrapy.core.downloader.handlers.http11 import (
    HTTP11DownloadHandler,
    _BindAddressAgent,
    _ScrapyAgent,
)
from scrapy.http import Response
from scrapy.utils._download_handlers import wrap_twisted_exceptions
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.endpoints import TCP4ClientEndpoint, TCP6ClientEndpoint, wrapClientTLS
from twisted.web.client import URI
from twisted.web.error import SchemeNotSupported

FAMILY = "zwgk_family"
CONNECT_TO = "zwgk_connect_to"
CONNECTED = "zwgk_connected"
CONNECTIONS = "zwgk_connections"
# Set by NetworkGuardMiddleware: every A then AAAA address of the host.
ADDRESSES = "zwgk_addresses"

DOWNLOAD_HANDLERS = {
    "http": "zwgk.crawler.family.FamilyDownloadHandler",
    "https": "zwgk.crawler.family.FamilyDownloadHandler",
}


class NoAddressForFamily(Exception):
    """The host has no address of the requested family (e.g. no AAAA).

    Deliberately not a connection error: nothing was contacted, and a spider
    must be able to tell "no IPv6 address" apart from "refused over IPv6".
    """

    def __init__(self, host: str, family: int, addresses: Iterable[str] = ()) -> None:
        self.host = host
        self.family = family
        self.addresses = tuple(addresses)
        super().__init__(host, family, self.addresses)

    def __str__(self) -> str:
        found = ", ".join(self.addresses) or "none"
        return f"{self.host} has no IPv{self.family} address (addresses: {found})"


class ConnectAddressError(ValueError):
    """A family request the handler cannot honour as asked: a bad
    ``zwgk_family`` or ``zwgk_connect_to``, no guard-resolved addresses, or a
    proxy (which would choose the family itself)."""


def _family_of(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> int | None:
    if isinstance(ip, ipaddress.IPv6Address):
        return None if ip.ipv4_mapped is not None else 6
    return 4


def choose_address(
    host: str, family: int, addresses: Iterable[str], connect_to: str | None = None
) -> str:
    """The address a ``family`` download of ``host`` connects to.

    ``addresses`` are the host's guard-checked addresses; ``connect_to``, if
    given, must be one of them and of ``family``. Returns the address in its
    canonical text form. A host with no address of ``family`` raises
    :class:`NoAddressForFamily`, whether or not ``connect_to`` was given.
    """
    if not isinstance(family, int) or family not in (4, 6):
        raise ConnectAddressError(f"{FAMILY} must be 4 or 6, not {family!r}")
    addresses = tuple(addresses)
    usable = [str(ip) for ip in map(ipaddress.ip_address, addresses) if _family_of(ip) == family]
    if not usable:
        raise NoAddressForFamily(host, family, addresses)
    if connect_to is None:
        return usable[0]
    try:
        wanted = ipaddress.ip_address(connect_to)
    except ValueError:
        raise ConnectAddressError(f"{CONNECT_TO} {connect_to!r} is not an IP address") from None
    if _family_of(wanted) != family:
        raise ConnectAddressError(f"{CONNECT_TO} {connect_to} is not an IPv{family} address")
    if str(wanted) not in usable:
        raise ConnectAddressError(
            f"{CONNECT_TO} {connect_to} is not an address of {host} "
            f"(addresses: {', '.join(addresses) or 'none'})"
        )
    return str(wanted)


class _AddressAgent(_BindAddressAgent):
    """Twisted's Agent, connecting to one address instead of resolving the host.

    Private API, because neither Twisted nor Scrapy has a public hook for the
    connect address: ``Agent._getEndpoint`` is where Twisted turns the URI
    into an endpoint (a ``HostnameEndpoint`` that races every address), and
    ``_requestWithEndpoint`` is where the pool key is passed, which Scrapy's
    ``_BindAddressAgent`` also extends (with the bind address).
    """

    def __init__(self, *args: Any, family: int, address: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._zwgk_family = family
        self._zwgk_address = address

    def _getEndpoint(self, uri: URI) -> Any:
        factory: Any = self._endpointFactory
        endpoint_cls = TCP6ClientEndpoint if self._zwgk_family == 6 else TCP4ClientEndpoint
        timeout = factory._connectTimeout
        endpoint: Any = endpoint_cls(  # zope interfaces confuse mypy
            self._reactor,
            self._zwgk_address,
            uri.port,
            timeout=30 if timeout is None else timeout,
            bindAddress=factory._bindAddress,
        )
        if uri.scheme == b"http":
            return endpoint
        if uri.scheme == b"https":
            # SNI and certificate checks use the host name, not the address.
            creator = factory._policyForHTTPS.creatorForNetloc(uri.host, uri.port)
            return wrapClientTLS(creator, endpoint)
        raise SchemeNotSupported(f"Unsupported scheme: {uri.scheme!r}")

    def _requestWithEndpoint(self, key: Any, endpoint: Any, *args: Any, **kwargs: Any) -> Any:
        # Never hand a pooled connection to another family or address, nor
        # one of these to a request without a family (whose key lacks this).
        key += ("zwgk_connect", self._zwgk_family, self._zwgk_address)
        return super()._requestWithEndpoint(key, endpoint, *args, **kwargs)


class _FamilyScrapyAgent(_ScrapyAgent):
    """Scrapy's per-download agent (it reads the body, enforces sizes and
    timeouts) with its Twisted agent swapped for :class:`_AddressAgent`;
    ``_get_agent`` is the only seam Scrapy offers for that."""

    def __init__(self, *, family: int, address: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._zwgk_family = family
        self._zwgk_address = address

    def _get_agent(self, request: Request, timeout: float) -> Any:
        from twisted.internet import reactor

        bind = request.meta.get("bindaddress") or self._bindAddress
        return _AddressAgent(
            reactor,
            self._contextFactory,
            timeout,
            (bind, 0) if isinstance(bind, str) else bind,
            self._pool,
            family=self._zwgk_family,
            address=self._zwgk_address,
        )


class FamilyDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler; a request with ``meta["zwgk_family"]`` is
    connected to one address of that family (see the module docstring)."""

    async def download_request(self, request: Request) -> Response:
        family = request.meta.get(FAMILY)
        if family is None:
            return await super().download_request(request)
        # Meta is copied from the previous hop: its address is not this one's.
        request.meta.pop(CONNECTED, None)
        if request.meta.get("proxy"):
            raise ConnectAddressError(
                f"{FAMILY} requests cannot go through a proxy ({request.meta['proxy']}): "
                "the proxy would choose the family"
            )
        if ADDRESSES not in request.meta:
            raise ConnectAddressError(
                f"no {ADDRESSES} on the request: NetworkGuardMiddleware did not resolve it"
            )
        host = urlparse_cached(request).hostname or ""
        address = choose_address(
            host, family, request.meta[ADDRESSES], request.meta.get(CONNECT_TO)
        )
        connected = {"family": family, "address": address}
        request.meta[CONNECTED] = connected
        request.meta[CONNECTIONS] = [
            *request.meta.get(CONNECTIONS, ()),
            {"url": request.url, **connected},
        ]
        # What HTTP11DownloadHandler.download_request does, with our agent
        # (it names _ScrapyAgent directly). Left out: the warnings about the
        # deprecated spider attributes download_maxsize/download_warnsize
        # (the settings and per-request meta keys still apply) and the
        # one-time hint on DOWNLOAD_FAIL_ON_DATALOSS.
        agent = _FamilyScrapyAgent(
            family=family,
            address=address,
            contextFactory=self._contextFactory,
            bindAddress=self._bind_address,
            pool=self._pool,
            maxsize=self._default_maxsize,
            warnsize=self._default_warnsize,
            fail_on_dataloss=self._fail_on_dataloss,
            crawler=self._crawler,
            tls_verbose_logging=self._tls_verbose_logging,
        )
        # Scrapy's own exception types (DownloadConnectionRefusedError, ...),
        # so that classify_failure and RetryMiddleware see what they expect.
        with wrap_twisted_exceptions():
            return await maybe_deferred_to_future(agent.download_request(request))
