"""The words every stage shares, written once.

Fetch statuses (what the crawl saw), link outcomes (what link verification
decided, with ``is_broken`` / ``is_unverified``), site and run states,
finding severities and check statuses, and the small URL and text helpers
that several stages need. Nothing here imports the rest of zwgk: it is the
bottom of the layers, so that the crawl stage and the checks agree on one
vocabulary without importing each other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum
from typing import Protocol
from urllib.parse import urldefrag

# -- fetches ---------------------------------------------------------------------------


class FetchStatus(StrEnum):
    """How a fetch ended. ``OK`` means a response arrived, whatever its HTTP status."""

    OK = "ok"
    DNS_ERROR = "dns_error"
    CONNECTION_REFUSED = "connection_refused"
    TIMEOUT = "timeout"
    TLS_ERROR = "tls_error"
    CONNECTION_ERROR = "connection_error"
    PRIVATE_ADDRESS = "private_address"
    ROBOTS_DENIED = "robots_denied"
    REDIRECT_LOOP = "redirect_loop"
    # A redirect whose Location is not http(s) (file:, ftp:, javascript:):
    # never followed, and a visitor's browser refuses it too.
    REDIRECT_NOT_HTTP = "redirect_not_http"
    TOO_LARGE = "too_large"
    ERROR = "error"


class TlsReason(StrEnum):
    """Why a server's certificate was refused, as a browser would say it.

    ``phrase`` is the English text the crawl stores in a fetch's error
    (crawler/tls.py); :func:`tls_reason` finds it there again, so that the
    checks, which read stored facts only, can say why. ``label`` is what a
    visitor's browser effectively tells them, in Chinese.
    """

    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    SELF_SIGNED = "self_signed"
    UNTRUSTED = "untrusted"
    HOSTNAME_MISMATCH = "hostname_mismatch"
    INVALID = "invalid"

    @property
    def phrase(self) -> str:
        return _TLS_PHRASES[self]

    @property
    def label(self) -> str:
        return _TLS_LABELS[self]


_TLS_PHRASES = {
    TlsReason.EXPIRED: "certificate expired",
    TlsReason.NOT_YET_VALID: "certificate not yet valid",
    TlsReason.SELF_SIGNED: "certificate self signed",
    TlsReason.UNTRUSTED: "certificate issuer not trusted",
    TlsReason.HOSTNAME_MISMATCH: "certificate hostname mismatch",
    TlsReason.INVALID: "certificate invalid",
}
_TLS_LABELS = {
    TlsReason.EXPIRED: "证书无效（已过期）",
    TlsReason.NOT_YET_VALID: "证书无效（尚未生效）",
    TlsReason.SELF_SIGNED: "证书无效（自签名）",
    TlsReason.UNTRUSTED: "证书无效（签发机构不受信任）",
    TlsReason.HOSTNAME_MISMATCH: "证书与域名不符",
    TlsReason.INVALID: "证书无效",
}
# A TLS failure without a certificate verdict (no handshake at all, e.g. a
# plain-http server on an https URL).
TLS_HANDSHAKE_LABEL = "无法建立加密连接（HTTPS）"


def tls_reason(error: str | None) -> TlsReason | None:
    """The certificate verdict a stored fetch error names, if any."""
    if not error:
        return None
    for reason in TlsReason:
        if reason.phrase in error:
            return reason
    return None


def tls_label(error: str | None) -> str:
    """What a visitor sees for a ``tls_error`` fetch with this stored error."""
    reason = tls_reason(error)
    return reason.label if reason is not None else TLS_HANDSHAKE_LABEL


class LinkOutcome(StrEnum):
    """What link verification decided for one link target.

    The failure outcomes share their values with :class:`FetchStatus` (a
    ``dns_error`` is one word everywhere); the others are judgements about
    an answer that did arrive.
    """

    OK = "ok"
    HTTP_4XX = "http_4xx"
    HTTP_5XX = "http_5xx"
    DNS_ERROR = FetchStatus.DNS_ERROR.value
    CONNECTION_REFUSED = FetchStatus.CONNECTION_REFUSED.value
    TIMEOUT = FetchStatus.TIMEOUT.value
    TLS_ERROR = FetchStatus.TLS_ERROR.value
    CONNECTION_ERROR = FetchStatus.CONNECTION_ERROR.value
    REDIRECT_LOOP = FetchStatus.REDIRECT_LOOP.value
    REDIRECT_NOT_HTTP = FetchStatus.REDIRECT_NOT_HTTP.value
    SOFT_404 = "soft_404"
    EMPTY = "empty"
    BLOCKED = "blocked"  # anti-bot, WAF, robots.txt: unverified, never "broken"
    PRIVATE_ADDRESS = FetchStatus.PRIVATE_ADDRESS.value
    NOT_HTTP = "not_http"
    # Judged from the href itself, never fetched: an http(s) or "//" href with
    # no host a browser can open ("//////", "http://localhost]"), and a
    # file: link or Windows path, which points at the editor's own disk.
    MALFORMED = "malformed"
    LOCAL_FILE = "local_file"
    # 304 to a request that carried no If-Modified-Since / If-None-Match: the
    # server sent no page, and a visitor without a cached copy sees nothing.
    NOT_MODIFIED = "not_modified"
    # 401: the link works only for someone with a login. Neither broken nor
    # unverified: the public cannot use it, and that is worth a warning.
    LOGIN_REQUIRED = "login_required"
    # Over the download cap (crawl.max_page_mb), as sent or once decompressed:
    # the server answered, so the link is not broken, but a page a visitor
    # must download tens of megabytes for (or a gzip bomb) is worth a warning.
    TOO_LARGE = FetchStatus.TOO_LARGE.value

    @property
    def is_broken(self) -> bool:
        """A visitor following the link would not reach a working page (错链、断链)."""
        return self in _BROKEN

    @property
    def is_unverified(self) -> bool:
        """The server refused to let a robot tell; a person must look."""
        return self in _UNVERIFIED


_BROKEN = frozenset(
    {
        LinkOutcome.HTTP_4XX,
        LinkOutcome.HTTP_5XX,
        LinkOutcome.DNS_ERROR,
        LinkOutcome.CONNECTION_REFUSED,
        LinkOutcome.TIMEOUT,
        LinkOutcome.TLS_ERROR,
        LinkOutcome.CONNECTION_ERROR,
        LinkOutcome.REDIRECT_LOOP,
        LinkOutcome.REDIRECT_NOT_HTTP,
        LinkOutcome.SOFT_404,
        LinkOutcome.EMPTY,
        LinkOutcome.MALFORMED,
        LinkOutcome.LOCAL_FILE,
        LinkOutcome.NOT_MODIFIED,
    }
)
_UNVERIFIED = frozenset({LinkOutcome.BLOCKED})
# TOO_LARGE is in neither set: it is reported as a warning (checks/links.py).


# -- lifecycle -------------------------------------------------------------------------


class RunState(StrEnum):
    RUNNING = "running"
    DONE = "done"  # every site crawled and checked
    INCOMPLETE = "incomplete"  # something was interrupted or failed: run it again


class SiteState(StrEnum):
    """A site in a run: the store's ``site_runs.status``."""

    PENDING = "pending"
    CRAWLING = "crawling"  # a crawl is under way or was interrupted: resumable
    CRAWLED = "crawled"
    CHECKED = "checked"
    FAILED = "failed"  # the crawl itself raised; the error is stored beside it

    @property
    def crawl_done(self) -> bool:
        return self in (SiteState.CRAWLED, SiteState.CHECKED)


class JobState(StrEnum):
    """A site job (``site_jobs.state``): one site's collectors and checks,
    run by another process or a worker."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"  # the job ended without completing its site (reported like a failed crawl)

    @property
    def finished(self) -> bool:
        return self in (JobState.DONE, JobState.FAILED)


class StageOutcome(StrEnum):
    """How one collector's work on one site (or on the run) ended."""

    CRAWLED = "crawled"
    INTERRUPTED = "interrupted"
    FAILED = "failed"
    SKIPPED = "skipped"  # already done in this run

    @property
    def ok(self) -> bool:
        return self in (StageOutcome.CRAWLED, StageOutcome.SKIPPED)


# -- judgements ------------------------------------------------------------------------


class Severity(StrEnum):
    FAIL = "fail"
    WARN = "warn"
    INFO = "info"


class Status(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"  # the check itself could not run
    SKIPPED = "skipped"  # nothing to judge (e.g. the crawl failed)

    @property
    def scored(self) -> bool:
        return self not in (Status.ERROR, Status.SKIPPED)


# -- URLs and pages --------------------------------------------------------------------

# Content types the crawl parses as pages. Plain text and XML are kept:
# old CMSs serve HTML as text/plain, and Hanweb list data is XML.
PAGE_TYPES = ("text/html", "application/xhtml", "text/plain", "application/xml", "text/xml")
# Content types whose body link verification reads (titles, soft-404 texts).
HTML_TYPES = ("text/html", "application/xhtml")


# Names that become file or folder names (run ids, site ids in report
# paths): no separator, no "..", no leading dot, nothing a shell or a
# spreadsheet would read as something else.
SAFE_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class UnsafeName(ValueError):
    """A name that would escape, or be odd in, the folder it is written to."""


def safe_path_name(name: str, what: str) -> str:
    """``name`` unchanged if it may be used as one path component."""
    if not SAFE_NAME_RE.fullmatch(name) or ".." in name:
        raise UnsafeName(
            f"{what} {name!r} cannot be used in a file name; use letters, digits, "
            "'.', '-' or '_' (max 64, no '..')"
        )
    return name


def defragment(url: str) -> str:
    """The URL without its ``#fragment``: the resource a fetch asks for."""
    try:
        return urldefrag(url)[0]
    except ValueError:  # "http://[#x" will not parse; its fragment is still a fragment
        return url.split("#", 1)[0]


# Query keys that carry a visitor's session, not a page: Java's jsessionid,
# PHP's PHPSESSID, ASP's ASPSESSIONID<random suffix>, and the generic sid /
# sessionid. Compared case-insensitively; one list for the crawl's seen-set,
# the stored page URLs and the link targets verified.
SESSION_QUERY_KEYS = frozenset({"sid", "sessionid", "jsessionid", "phpsessid"})
SESSION_QUERY_PREFIXES = ("aspsessionid",)
# ";jsessionid=..." as a path parameter (servlet URL rewriting), wherever in
# the path it sits; it ends at the next "/", ";", "?" or "#".
_SESSION_PATH_PARAM_RE = re.compile(r";(?:jsessionid|phpsessid|sessionid|sid)=[^/;?#]*", re.I)


def _is_session_key(part: str) -> bool:
    key = part.split("=", 1)[0].strip().lower()
    return key in SESSION_QUERY_KEYS or key.startswith(SESSION_QUERY_PREFIXES)


def canonical_url(url: str) -> str:
    """The page a URL names: no ``#fragment`` and no session id.

    Only session ids go: every other query parameter stays, in its order and
    spelling, because CMS pages are told apart by them (``?id=12&page=2``).
    A URL without a session id is returned as :func:`defragment` returns it.
    """
    url = defragment(url)
    if ";" not in url and "=" not in url:
        return url
    path, sep, query = url.partition("?")
    path = _SESSION_PATH_PARAM_RE.sub("", path)
    if sep:
        parts = query.split("&")
        kept = [p for p in parts if not _is_session_key(p)]
        if len(kept) != len(parts):
            query = "&".join(kept)
            sep = "?" if query else ""
    return path + sep + query


def directory_of(url: str) -> str:
    """The URL's folder, ending in ``/`` (``…/zwgk/index.html`` → ``…/zwgk/``)."""
    return url.rsplit("/", 1)[0] + "/"


class _Fetched(Protocol):
    @property
    def fetch_status(self) -> str: ...
    @property
    def status(self) -> int | None: ...


def format_bytes(n: int) -> str:
    """A byte count for people: ``980 B``, ``36.5 KB``, ``3.2 MB``, ``1.4 GB`` (1024-based)."""
    value = float(n)
    for unit in ("B", "KB", "MB"):
        if value < 1024:
            return f"{int(value)} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def page_ok(page: _Fetched | None) -> bool:
    """A stored page that a visitor would see: it answered, below HTTP 400."""
    return (
        page is not None
        and page.fetch_status == FetchStatus.OK
        and page.status is not None
        and page.status < 400
    )


# -- text ------------------------------------------------------------------------------

# A 文号 (document number): issuer, year in brackets, number, 号 —
# 榕政综〔2021〕12号, 闽政办[2020]5号, 国发（2019）第3号.
DOC_NUMBER_RE = re.compile(
    r"[\u4e00-\u9fa5A-Za-z]{1,20}[〔\[［(（【]\s*(?:19|20)\d{2}\s*[〕\]］)）】]\s*第?\s*\d{1,5}\s*号"
)


def host_matches(host: str, suffixes: Iterable[str]) -> bool:
    """``host`` is one of ``suffixes`` or a name under one (``www.x.gov.cn``
    under ``gov.cn``); case and trailing dots do not matter."""
    host = host.lower().rstrip(".")
    return any(
        s and (host == s or host.endswith("." + s))
        for s in (x.lower().strip(".") for x in suffixes)
    )
