"""zwgk.crawler.fetch.classify_failure on real Twisted and Scrapy exception
instances, bare and wrapped the way the download handlers wrap them."""

from __future__ import annotations

import builtins
from collections.abc import Callable

import pytest
from OpenSSL import SSL
from scrapy import Request
from scrapy import exceptions as sx
from scrapy.exceptions import IgnoreRequest
from twisted.internet import defer
from twisted.internet import error as terror
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from zwgk.crawler.fetch import PrivateAddressBlocked, classify_failure
from zwgk.vocab import FetchStatus


def tls_error() -> SSL.Error:
    return SSL.Error(
        [("SSL routines", "tls_process_server_certificate", "certificate verify failed")]
    )


def caused(outer: BaseException, cause: BaseException) -> BaseException:
    """``outer`` as ``raise outer from cause`` leaves it."""
    try:
        raise outer from cause
    except BaseException as e:
        return e


# -- one exception, no wrapping ------------------------------------------------

TWISTED: list[tuple[str, Callable[[], BaseException], FetchStatus]] = [
    (
        "DNSLookupError",
        lambda: terror.DNSLookupError("address 'nx.gov.test' not found"),
        FetchStatus.DNS_ERROR,
    ),
    (
        "ConnectionRefusedError",
        lambda: terror.ConnectionRefusedError("Connection refused"),
        FetchStatus.CONNECTION_REFUSED,
    ),
    (
        "TimeoutError",
        lambda: terror.TimeoutError("Getting x took longer than 30 s"),
        FetchStatus.TIMEOUT,
    ),
    ("TCPTimedOutError", lambda: terror.TCPTimedOutError(), FetchStatus.TIMEOUT),
    ("builtin TimeoutError", lambda: builtins.TimeoutError("timed out"), FetchStatus.TIMEOUT),
    ("SSL.Error", tls_error, FetchStatus.TLS_ERROR),
    (
        "ResponseNeverReceived(ConnectionLost)",
        lambda: ResponseNeverReceived([Failure(terror.ConnectionLost("reset"))]),
        FetchStatus.CONNECTION_ERROR,
    ),
    (
        "ResponseFailed(ConnectionDone)",
        lambda: ResponseFailed([Failure(terror.ConnectionDone())]),
        FetchStatus.CONNECTION_ERROR,
    ),
    ("ConnectError", lambda: terror.ConnectError("unreachable"), FetchStatus.CONNECTION_ERROR),
    (
        "builtin ConnectionResetError",
        lambda: ConnectionResetError(104, "reset"),
        FetchStatus.CONNECTION_ERROR,
    ),
]


@pytest.mark.parametrize(
    ("make", "expected"), [(m, e) for _, m, e in TWISTED], ids=[n for n, _, _ in TWISTED]
)
def test_twisted_and_builtin_exceptions(
    make: Callable[[], BaseException], expected: FetchStatus
) -> None:
    assert classify_failure(make()) is expected


# Scrapy >= 2.13 raises its own types "from" the Twisted exception.
SCRAPY = [
    ("CannotResolveHostError", FetchStatus.DNS_ERROR),
    ("DownloadConnectionRefusedError", FetchStatus.CONNECTION_REFUSED),
    ("DownloadTimeoutError", FetchStatus.TIMEOUT),
    ("DownloadFailedError", FetchStatus.CONNECTION_ERROR),
]


@pytest.mark.parametrize(("name", "expected"), SCRAPY, ids=[n for n, _ in SCRAPY])
def test_scrapy_download_errors_alone(name: str, expected: FetchStatus) -> None:
    cls = getattr(sx, name, None)
    if cls is None:  # pragma: no cover - Scrapy < 2.13
        pytest.skip(f"scrapy.exceptions.{name} does not exist in this Scrapy")
    assert classify_failure(cls("x.gov.test")) is expected


def test_the_installed_scrapy_has_its_own_download_errors() -> None:
    # pyproject pins scrapy>=2.13: the branch above is not skipped in practice.
    assert all(hasattr(sx, name) for name, _ in SCRAPY)


# -- IgnoreRequest by message: the exact texts Scrapy's middlewares raise ----

IGNORED = [
    ("Forbidden by robots.txt", FetchStatus.ROBOTS_DENIED),
    ("max redirections reached", FetchStatus.REDIRECT_LOOP),
    (
        "Ignored response <200 http://x.gov.test/a.pdf> because its body (9000 B compressed,"
        " 30000000 B decompressed so far) exceeded DOWNLOAD_MAXSIZE (20971520 B) during"
        " decompression.",
        FetchStatus.TOO_LARGE,
    ),
    ("Filtered offsite request to 'www.other.gov.test'", FetchStatus.ERROR),
    ("", FetchStatus.ERROR),
]


@pytest.mark.parametrize(
    ("message", "expected"), IGNORED, ids=["robots", "redirect", "maxsize", "offsite", "empty"]
)
def test_ignore_request_by_message(message: str, expected: FetchStatus) -> None:
    assert classify_failure(IgnoreRequest(message)) is expected


@pytest.mark.parametrize(
    "message",
    [
        "oa.trap.gov.test resolves to 127.0.0.2",
        "redirect to 10.0.0.1 blocked",
        "no network guard installed",
    ],
)
def test_private_address_blocked_wins_over_its_message(message: str) -> None:
    # It is an IgnoreRequest too; a "redirect" in its text must not make it a loop.
    assert isinstance(PrivateAddressBlocked(message), IgnoreRequest)
    assert classify_failure(PrivateAddressBlocked(message)) is FetchStatus.PRIVATE_ADDRESS


def test_unknown_exceptions_are_error() -> None:
    assert classify_failure(Exception("unknown failure")) is FetchStatus.ERROR
    assert classify_failure(ValueError("bad header")) is FetchStatus.ERROR
    assert classify_failure(defer.CancelledError()) is FetchStatus.ERROR


# -- wrapped: __cause__ chains and aggregate failures ------------------------


@pytest.mark.parametrize(
    ("outer", "cause", "expected"),
    [
        (sx.CannotResolveHostError, terror.DNSLookupError("nx.gov.test"), FetchStatus.DNS_ERROR),
        (
            sx.DownloadConnectionRefusedError,
            terror.ConnectionRefusedError(),
            FetchStatus.CONNECTION_REFUSED,
        ),
        (sx.DownloadTimeoutError, terror.TimeoutError(), FetchStatus.TIMEOUT),
        # The inner cause decides when it says more than the wrapper does.
        (
            sx.DownloadFailedError,
            ResponseNeverReceived([Failure(tls_error())]),
            FetchStatus.TLS_ERROR,
        ),
        (
            sx.DownloadFailedError,
            ResponseFailed([Failure(terror.TCPTimedOutError())]),
            FetchStatus.TIMEOUT,
        ),
        (
            sx.DownloadFailedError,
            ResponseNeverReceived([Failure(terror.ConnectionLost())]),
            FetchStatus.CONNECTION_ERROR,
        ),
        (RuntimeError, terror.DNSLookupError("nx.gov.test"), FetchStatus.DNS_ERROR),
        (RuntimeError, ValueError("nothing known"), FetchStatus.ERROR),
    ],
    ids=lambda v: (
        type(v).__name__ if isinstance(v, BaseException) else getattr(v, "__name__", str(v))
    ),
)
def test_cause_chains(
    outer: type[BaseException], cause: BaseException, expected: FetchStatus
) -> None:
    assert classify_failure(caused(outer(str(cause)), cause)) is expected


def test_a_chain_two_deep() -> None:
    inner = caused(sx.DownloadFailedError("failed"), ResponseNeverReceived([Failure(tls_error())]))
    assert classify_failure(caused(RuntimeError("in the spider"), inner)) is FetchStatus.TLS_ERROR


def test_first_informative_reason_of_an_aggregate_wins() -> None:
    exc = ResponseNeverReceived(
        [
            Failure(terror.ConnectionLost()),
            Failure(terror.DNSLookupError("nx")),
            Failure(tls_error()),
        ]
    )
    assert classify_failure(exc) is FetchStatus.DNS_ERROR


def test_reasons_in_args_of_an_unknown_wrapper() -> None:
    # Some Twisted wrappers carry their failures only as args[0].
    exc = Exception([Failure(terror.TCPTimedOutError())])
    assert classify_failure(exc) is FetchStatus.TIMEOUT
    assert classify_failure(Exception(["not an exception"])) is FetchStatus.ERROR


def test_ignore_request_raised_from_an_unknown_cause_keeps_its_message() -> None:
    # HttpCompressionMiddleware: IgnoreRequest(...) from a ValueError subclass.
    msg = IGNORED[2][0]
    exc = caused(IgnoreRequest(msg), ValueError("decompressed 30000000 B, over the maximum"))
    assert classify_failure(exc) is FetchStatus.TOO_LARGE


def test_through_scrapys_own_wrapper() -> None:
    """Every Twisted failure, raised inside Scrapy's wrap_twisted_exceptions,
    classifies as it does bare."""
    handlers = pytest.importorskip("scrapy.utils._download_handlers")
    cases = [(make, expected) for _, make, expected in TWISTED if expected is not FetchStatus.ERROR]
    assert len(cases) >= 8
    for make, expected in cases:
        try:
            with handlers.wrap_twisted_exceptions():
                raise make()
        except Exception as wrapped:
            assert classify_failure(wrapped) is expected, (type(wrapped), expected)


def test_download_maxsize_from_the_download_handler_is_too_large() -> None:
    from scrapy.utils._download_handlers import get_maxsize_msg

    msg = get_maxsize_msg(30_000_000, 20_971_520, Request("http://x.gov.test/a.pdf"), expected=True)
    assert classify_failure(sx.DownloadCancelledError(msg)) is FetchStatus.TOO_LARGE
