"""How Twisted/Scrapy failures map onto :class:`zwgk.vocab.FetchStatus`."""

from __future__ import annotations

import re
from typing import Any

from scrapy import exceptions as sx
from scrapy.exceptions import IgnoreRequest
from twisted.internet import error as terror
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from zwgk.crawler.tls import CertificateInvalid
from zwgk.vocab import FetchStatus


class PrivateAddressBlocked(IgnoreRequest):
    """Raised by the guard middleware; the request never reaches a socket."""


class RedirectNotHttp(IgnoreRequest):
    """A redirect to a file:, ftp:, javascript: ... address, not followed.

    Scrapy would hand the 3xx itself to the spider (file:, ftp:) or raise a
    bare ValueError ("Missing scheme", javascript:, mailto:)."""

    def __init__(self, status: int, location: str) -> None:
        self.status = status
        self.location = location
        super().__init__(f"HTTP {status} redirect to a non-http address: {location[:300]}")


def failure_meta(exc: BaseException | None) -> dict[str, str]:
    """What a failure tells a person beyond its outcome: where a refused
    redirect wanted to send the visitor (``redirect_to``)."""
    if isinstance(exc, RedirectNotHttp):
        return {"redirect_to": exc.location[:300]}
    return {}


def _is_tls(exc: BaseException) -> bool:
    if isinstance(exc, CertificateInvalid):
        return True
    try:
        from OpenSSL.SSL import Error as SSLError
    except ImportError:  # pragma: no cover
        return False
    return isinstance(exc, SSLError)


def _inner(exc: BaseException) -> list[BaseException]:
    """Exceptions wrapped by Twisted's and Scrapy's aggregate failures."""
    reasons: Any = getattr(exc, "reasons", None)
    if reasons is None and exc.args and isinstance(exc.args[0], list):
        reasons = exc.args[0]
    out = []
    # Scrapy re-raises download errors as its own types "from" the original.
    if exc.__cause__ is not None:
        out.append(exc.__cause__)
    for r in reasons or []:
        inner = getattr(r, "value", r)
        if isinstance(inner, BaseException):
            out.append(inner)
    return out


# Scrapy >= 2.13 names download failures itself; older versions surface
# Twisted's exceptions, handled below.
_SCRAPY_ERRORS: tuple[tuple[str, FetchStatus], ...] = (
    ("CannotResolveHostError", FetchStatus.DNS_ERROR),
    ("DownloadConnectionRefusedError", FetchStatus.CONNECTION_REFUSED),
    ("DownloadTimeoutError", FetchStatus.TIMEOUT),
)


# Scrapy's own wording for DOWNLOAD_MAXSIZE/DOWNLOAD_WARNSIZE ("... larger than
# download max size (N) ..."); not a bare "size", which a host name can hold.
_MAXSIZE_RE = re.compile(r"max ?size|maxsize", re.I)


def _decompression_cap() -> type[BaseException] | None:
    # Private in Scrapy (2.11+): HttpCompressionMiddleware raises IgnoreRequest
    # "from" it when the inflated body passes DOWNLOAD_MAXSIZE. The message
    # test below still catches it should the name move.
    try:
        from scrapy.utils._compression import _DecompressionMaxSizeExceeded
    except ImportError:  # pragma: no cover
        return None
    return _DecompressionMaxSizeExceeded


_DECOMPRESSION_CAP = _decompression_cap()


def classify_failure(exc: BaseException) -> FetchStatus:
    if _DECOMPRESSION_CAP is not None and isinstance(exc, _DECOMPRESSION_CAP):
        return FetchStatus.TOO_LARGE
    for name, status in _SCRAPY_ERRORS:
        cls = getattr(sx, name, None)
        if cls is not None and isinstance(exc, cls):
            return status
    for inner in _inner(exc):
        found = classify_failure(inner)
        if found is not FetchStatus.ERROR:
            return found
    if isinstance(exc, PrivateAddressBlocked):
        return FetchStatus.PRIVATE_ADDRESS
    if isinstance(exc, RedirectNotHttp):
        return FetchStatus.REDIRECT_NOT_HTTP
    cancelled: Any = getattr(sx, "DownloadCancelledError", None)
    if cancelled is not None and isinstance(exc, cancelled) and _MAXSIZE_RE.search(str(exc)):
        # Scrapy >= 2.13 cancels a download over DOWNLOAD_MAXSIZE: the server
        # answered, with more than we read. It is not a broken link.
        return FetchStatus.TOO_LARGE
    if isinstance(exc, IgnoreRequest):
        msg = str(exc).lower()
        if "robots" in msg:
            return FetchStatus.ROBOTS_DENIED
        if "redirect" in msg:
            return FetchStatus.REDIRECT_LOOP
        if _MAXSIZE_RE.search(msg):
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
        return FetchStatus.CONNECTION_ERROR
    if getattr(sx, "DownloadFailedError", None) and isinstance(exc, sx.DownloadFailedError):
        return FetchStatus.CONNECTION_ERROR
    if isinstance(exc, terror.ConnectError | ConnectionError):
        return FetchStatus.CONNECTION_ERROR
    return FetchStatus.ERROR
