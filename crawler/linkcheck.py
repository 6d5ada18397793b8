"""How a link target's outcome is decided: the enum and the pure rules.

Kept apart from the spider so that each rule is tested on its own. The
outcomes themselves, and which are broken, are :class:`zwgk.vocab.LinkOutcome`.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import urlsplit

from zwgk.vocab import FetchStatus, LinkOutcome, defragment

# Statuses that anti-bot systems and WAFs answer with. 412 is the 瑞数
# (Riversecurity) challenge. 407 is the checker's own proxy asking for its
# credentials: it says nothing about the site, so it is unverified too.
BLOCKED_STATUSES = frozenset({403, 407, 412, 429})
# 401: the site asks for a login. The public cannot use the link (a warning),
# but it exists, so it is not broken.
LOGIN_STATUS = 401
# 304 Not Modified: the checker never sends a conditional request, so a 304
# delivered nothing a visitor could see. Judged broken, like an empty page:
# a browser without a cached copy shows a blank page or an error.
NOT_MODIFIED_STATUS = 304
# Retried after a pause: the server said "later", not "never".
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 522, 524})

_FETCH_TO_OUTCOME = {
    FetchStatus.DNS_ERROR: LinkOutcome.DNS_ERROR,
    FetchStatus.CONNECTION_REFUSED: LinkOutcome.CONNECTION_REFUSED,
    FetchStatus.TIMEOUT: LinkOutcome.TIMEOUT,
    FetchStatus.TLS_ERROR: LinkOutcome.TLS_ERROR,
    FetchStatus.CONNECTION_ERROR: LinkOutcome.CONNECTION_ERROR,
    FetchStatus.PRIVATE_ADDRESS: LinkOutcome.PRIVATE_ADDRESS,
    FetchStatus.ROBOTS_DENIED: LinkOutcome.BLOCKED,
    FetchStatus.REDIRECT_LOOP: LinkOutcome.REDIRECT_LOOP,
    FetchStatus.REDIRECT_NOT_HTTP: LinkOutcome.REDIRECT_NOT_HTTP,
    FetchStatus.TOO_LARGE: LinkOutcome.TOO_LARGE,  # it answered, with too much: a warning
    FetchStatus.ERROR: LinkOutcome.CONNECTION_ERROR,
}


def outcome_of_failure(status: FetchStatus) -> LinkOutcome:
    return _FETCH_TO_OUTCOME.get(status, LinkOutcome.CONNECTION_ERROR)


def outcome_of_status(status: int) -> LinkOutcome | None:
    """The outcome an HTTP status settles by itself, or None to look further."""
    if status == NOT_MODIFIED_STATUS:
        return LinkOutcome.NOT_MODIFIED
    if status == LOGIN_STATUS:
        return LinkOutcome.LOGIN_REQUIRED
    if status in BLOCKED_STATUSES:
        return LinkOutcome.BLOCKED
    if 400 <= status < 500:
        return LinkOutcome.HTTP_4XX
    if status >= 500:
        return LinkOutcome.HTTP_5XX
    return None


# Error-page phrases. Each is a whole statement that a page is missing; a
# bare "404" is not one (关于第404号建议的答复 is a real page).
SOFT_404_PHRASES = (
    "页面不存在",
    "网页不存在",
    "您访问的页面不存在",
    "您访问的页面已删除",
    "页面已删除",
    "页面未找到",
    "找不到页面",
    "找不到您要访问的页面",
    "抱歉，找不到",
    "您所访问的页面不存在",
    "该信息已删除",
    "信息已过期或被删除",
    "文章不存在",
    "404 not found",
    "page not found",
    "the page you requested was not found",
)
_SOFT_404_RE = re.compile("|".join(re.escape(p) for p in SOFT_404_PHRASES), re.I)
# Error pages are short; a long page that mentions "页面不存在" is content.
SOFT_404_MAX_TEXT = 600

WAF_PHRASES = (
    "访问被拒绝",
    "您的访问请求可能对网站造成安全威胁",
    "网站防火墙",
    "安全狗",
    "云锁",
    "请开启JavaScript",
    "请启用JavaScript",
    "正在进行安全检查",
    "安全验证",
)
_WAF_RE = re.compile("|".join(re.escape(p) for p in WAF_PHRASES), re.I)
# 瑞数 challenge pages carry a $_ts bootstrap script and almost no text.
_RUISHU_RE = re.compile(r"\$_ts\s*=|\$_ts\.", re.S)


@dataclass(frozen=True)
class HostProbe:
    """What a host answers for a URL that cannot exist."""

    status: int | None
    text_hash: str | None
    title: str | None
    text_len: int = 0


def looks_like_error_page(title: str | None, text: str | None) -> bool:
    text = text or ""
    if title and _SOFT_404_RE.search(title):
        return True
    return len(text) <= SOFT_404_MAX_TEXT and bool(_SOFT_404_RE.search(text))


def looks_like_challenge(status: int, body_text: str, raw: str) -> bool:
    if _RUISHU_RE.search(raw):
        return True
    return len(body_text) <= SOFT_404_MAX_TEXT and bool(_WAF_RE.search(body_text))


def matches_probe(
    probe: HostProbe | None, text_hash: str | None, title: str | None, text_len: int
) -> bool:
    """A 200 page that answers like the host's answer to a random URL is a soft 404."""
    if probe is None or probe.status != 200:
        return False
    if text_hash and probe.text_hash and text_hash == probe.text_hash:
        return True
    # The same error template with the requested path echoed back: same title
    # and nearly the same length. Title alone is not enough: many CMSs give
    # every article of a column the column's title.
    return bool(
        title
        and probe.title
        and title == probe.title
        and abs(text_len - probe.text_len) <= max(40, probe.text_len // 10)
    )


def spared_by_probe(url: str, configured: Collection[str]) -> bool:
    """A host root or a configured home/entry URL is never a soft 404 by
    probe comparison: a server that answers every path with its home page
    makes the probe look exactly like the home, and the home is real."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return False
    return path in ("", "/") or defragment(url) in configured


def classify_html_200(
    title: str | None,
    text: str | None,
    text_hash: str | None,
    body_empty: bool,
    probe: HostProbe | None,
    spared: bool = False,
    text_len: int | None = None,
) -> LinkOutcome:
    """``spared``: see :func:`spared_by_probe`. An explicit error-page phrase
    still marks a spared page: a home that says 页面不存在 is one.
    ``text_len``: the text's length when ``text`` is left out (a stored page
    longer than an error page's ``SOFT_404_MAX_TEXT`` is not read back)."""
    if body_empty:
        return LinkOutcome.EMPTY
    if looks_like_error_page(title, text):
        return LinkOutcome.SOFT_404
    length = len(text or "") if text_len is None else text_len
    if not spared and matches_probe(probe, text_hash, title, length):
        return LinkOutcome.SOFT_404
    return LinkOutcome.OK


def parse_retry_after(value: bytes | str | None, cap: float = 30.0) -> float | None:
    """Seconds from a Retry-After header (delta-seconds form; dates are rare
    on government servers and are treated as 'a while')."""
    if value is None:
        return None
    s = value.decode("latin-1") if isinstance(value, bytes) else value
    s = s.strip()
    # isascii(): str.isdigit() also accepts "²", which float() refuses.
    if s.isascii() and s.isdigit():
        return min(float(s), cap)
    return cap if s else None
