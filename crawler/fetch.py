"""The explicit outcome of a fetch, and how Twisted/Scrapy failures map onto it."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from scrapy.exceptions import IgnoreRequest
from twisted.internet import error as terror
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived


class FetchStatus(StrEnum):
    OK = "ok"  # a response arrived, whatever its HTTP status
    DNS_ERROR = "dns_error"
    CONNECTION_REFUSED = "connection_refused"
    TIMEOUT = "timeout"
    TLS_ERROR = "tls_error"
    CONNECTION_ERROR = "connection_error"
    PRIVATE_ADDRESS = "private_address"
    ROBOTS_DENIED = "robots_denied"
    OFFSITE_REDIRECT = "offsite_redirect"
    REDIRECT_LOOP = "redirect_loop"
    TOO_LARGE = "too_large"
    ERROR = "error"


class PrivateAddressBlocked(IgnoreRequest):
    """Raised by the guard middleware; the request never reaches a socket."""


class OffsiteRedirect(IgnoreRequest):
    pass


def _is_tls(exc: BaseException) -> bool:
    try:
        from OpenSSL.SSL import Error as SSLError
    except ImportError:  # pragma: no cover
        return False
    return isinstance(exc, SSLError)


def classify_failure(exc: BaseException) -> FetchStatus:
    if isinstance(exc, PrivateAddressBlocked):
        return FetchStatus.PRIVATE_ADDRESS
    if isinstance(exc, OffsiteRedirect):
        return FetchStatus.OFFSITE_REDIRECT
    if isinstance(exc, IgnoreRequest):
        msg = str(exc).lower()
        if "robots" in msg:
            return FetchStatus.ROBOTS_DENIED
        if "redirect" in msg:
            return FetchStatus.REDIRECT_LOOP
        if "maxsize" in msg or "size" in msg:
            return FetchStatus.TOO_LARGE
        return FetchStatus.ERROR
    if isinstance(exc, terror.DNSLookupError):
        return FetchStatus.DNS_ERROR
    if isinstance(exc, terror.ConnectionRefusedError):
        return FetchStatus.CONNECTION_REFUSED
    if isinstance(exc, terror.TimeoutError | TimeoutError | terror.TCPTimedOutError):
        return FetchStatus.TIMEOUT
    if _is_tls(exc):
        return FetchStatus.TLS_ERROR
    if isinstance(exc, ResponseNeverReceived | ResponseFailed):
        reasons: list[Any] = getattr(exc, "reasons", [])
        for r in reasons:
            inner = getattr(r, "value", None)
            if inner is not None and _is_tls(inner):
                return FetchStatus.TLS_ERROR
        return FetchStatus.CONNECTION_ERROR
    if isinstance(exc, terror.ConnectError | ConnectionError):
        return FetchStatus.CONNECTION_ERROR
    return FetchStatus.ERROR
