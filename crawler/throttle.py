"""Slowing down for a server that asks to: Retry-After, per host.

A government server that answers 429 (or 503 with ``Retry-After``) is not
broken; it asks us to come back later. :class:`RetryAfterMiddleware` makes
that a property of the host, not of one request: the downloader slot of the
host is given the announced delay (capped by ``crawl.retry_after_max_s``)
and counts it from the answer, so every request to that host waits, as
AutoThrottle would for a slow one. Successes halve the extra delay until
the configured one is back. A host that keeps refusing
(``crawl.blocked_attempts`` refusals, each after the pause it asked for,
without a success between) is given up for the crawl: its remaining
requests get a local 429 answer marked ``zwgk_host_gave_up`` instead of
being sent, so a 429 storm costs a bounded number of requests and never an
hour's sleep.

Requests marked ``zwgk_patient`` (the portal's start URLs: the home page and
the disclosure entries) are retried here, after the pause, up to
``crawl.blocked_attempts`` attempts in all; the answer that is finally
delivered carries what the crawl concluded in ``meta["zwgk_blocked"]``.
Other requests are only annotated and keep Scrapy's own retry policy.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response

from zwgk.crawler.extract import decode_html, parse_html
from zwgk.crawler.linkcheck import looks_like_challenge, parse_retry_after

log = logging.getLogger(__name__)

PATIENT_META = "zwgk_patient"
BLOCKED_META = "zwgk_blocked"
ATTEMPT_META = "zwgk_blocked_attempt"
GAVE_UP_META = "zwgk_host_gave_up"
# Set once the response_downloaded handler has paced the host for this answer.
PACED_META = "zwgk_paced"

# Why an answer is a refusal to serve a robot, not a verdict on the page.
RATE_LIMITED = "rate_limited"  # 429
OVERLOADED = "overloaded"  # 503 with Retry-After: "come back later"
CHALLENGE = "challenge"  # 403/412 with a WAF or 瑞数 challenge page
# A 429 without Retry-After still asks for a pause; this one, within the cap.
DEFAULT_WAIT_S = 5.0
CHALLENGE_STATUSES = frozenset({403, 412})


def blocked_reason(status: int, has_retry_after: bool, text: str, raw: str) -> str | None:
    """The reason an answer withholds the page from a robot, or None.

    A plain 403 without a challenge page is what every visitor gets: the
    page is refused to the public, so it is not "blocked" but a failure."""
    if status == 429:
        return RATE_LIMITED
    if status == 503 and has_retry_after:
        return OVERLOADED
    if status in CHALLENGE_STATUSES and looks_like_challenge(status, text, raw):
        return CHALLENGE
    return None


def announced_seconds(value: bytes | None) -> int | None:
    """The Retry-After the server announced, uncapped, for the record."""
    if value is None:
        return None
    s = value.decode("latin-1").strip()
    return int(s) if s.isascii() and s.isdigit() else None


@dataclass
class HostPace:
    """What a host's refusals have done to its pace."""

    penalty: float = 0.0  # extra delay in force (s); 0 when none
    jitter: float | None = None  # the slot's own jitter, restored after
    strikes: int = 0
    last_strike: float | None = None
    strike_wait: float = 0.0
    gave_up: bool = False


class RetryAfterMiddleware:
    """Per-host pause on 429/503+Retry-After, patient start URLs, bounded storms."""

    def __init__(self, crawler: Crawler) -> None:
        s = crawler.settings
        self.crawler = crawler
        self.cap = s.getfloat("ZWGK_RETRY_AFTER_MAX_S", 60.0)
        self.attempts = max(1, s.getint("ZWGK_BLOCKED_ATTEMPTS", 3))
        self.base_delay = s.getfloat("DOWNLOAD_DELAY", 0.0)
        self.hosts: dict[str, HostPace] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        mw = cls(crawler)
        crawler.signals.connect(mw._downloaded, signal=signals.response_downloaded)
        return mw

    def _downloaded(self, response: Response, request: Request, spider: Any) -> None:
        """Slow the host down as the answer arrives, before the downloader
        takes the host's next request from its queue: process_response runs
        only later (after that request may have gone), and under load later
        still, by several requests."""
        if request.meta.get(GAVE_UP_META):
            return
        header = response.headers.get(b"Retry-After")
        reason = blocked_reason(response.status, header is not None, "", "")
        if reason is None:
            return
        wait = parse_retry_after(header, cap=self.cap)
        self._slow_down(
            self._key(request), wait if wait is not None else min(DEFAULT_WAIT_S, self.cap)
        )
        request.meta[PACED_META] = True

    def _downloader(self) -> Any:
        engine = self.crawler.engine
        return engine.downloader if engine is not None else None

    def _key(self, request: Request) -> str:
        dl = self._downloader()
        if dl is not None:
            return str(dl.get_slot_key(request))
        return request.url

    def _slot(self, key: str) -> Any:
        dl = self._downloader()
        return dl.slots.get(key) if dl is not None else None

    # -- requests --------------------------------------------------------

    def process_request(self, request: Request, spider: Spider | None = None) -> Response | None:
        pace = self.hosts.get(self._key(request))
        if pace is None:
            return None
        if pace.gave_up:
            return self._not_sent(request)
        self._apply(self._key(request), pace)
        return None

    @staticmethod
    def _not_sent(request: Request) -> Response:
        """The answer to a request not sent because its host has refused
        every attempt already: what the request would have met."""
        request.meta[GAVE_UP_META] = True
        request.meta["dont_retry"] = True
        request.meta[BLOCKED_META] = {
            "reason": RATE_LIMITED,
            "http_status": 429,
            "attempts": 0,
            "host_gave_up": True,
        }
        return Response(request.url, status=429, request=request)

    # -- responses -------------------------------------------------------

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if request.meta.get(GAVE_UP_META):
            return response
        key = self._key(request)
        header = response.headers.get(b"Retry-After")
        text = raw = ""
        if response.status in CHALLENGE_STATUSES and response.body:
            ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
            raw, _ = decode_html(response.body, ctype or None)
            text = parse_html(raw, response.url).text
        reason = blocked_reason(response.status, header is not None, text, raw)
        if reason is None:
            if response.status < 400:
                self._success(key)
            return response
        wait = parse_retry_after(header, cap=self.cap)
        if reason != CHALLENGE and not request.meta.pop(PACED_META, False):
            self._slow_down(key, wait if wait is not None else min(DEFAULT_WAIT_S, self.cap))
        pace = self.hosts.get(key)
        attempt = int(request.meta.get(ATTEMPT_META, 1))
        gave_up = pace is not None and pace.gave_up
        if request.meta.get(PATIENT_META) and attempt < self.attempts and not gave_up:
            log.info(
                "%s answered %d (%s); asking again (attempt %d of %d)",
                request.url,
                response.status,
                reason,
                attempt + 1,
                self.attempts,
            )
            retry = request.replace(dont_filter=True)
            retry.meta[ATTEMPT_META] = attempt + 1
            return retry
        request.meta[BLOCKED_META] = {
            "reason": reason,
            "http_status": response.status,
            "retry_after": announced_seconds(header),
            "attempts": attempt,
            **({"host_gave_up": True} if gave_up else {}),
        }
        if request.meta.get(PATIENT_META):
            request.meta["dont_retry"] = True
        return response

    def _slow_down(self, key: str, wait: float) -> None:
        pace = self.hosts.setdefault(key, HostPace())
        now = time.monotonic()
        # Answers to requests already under way when the first refusal came
        # are one refusal: only one after the pause asked for is another.
        if pace.last_strike is None or now - pace.last_strike >= 0.9 * pace.strike_wait:
            pace.strikes += 1
            pace.last_strike, pace.strike_wait = now, wait
            if pace.strikes >= self.attempts and not pace.gave_up:
                pace.gave_up = True
                log.warning(
                    "%s refused %d times in a row after pausing as asked; giving up on it",
                    key,
                    pace.strikes,
                )
                self._drain(key)
        pace.penalty = max(pace.penalty, wait)
        slot = self._slot(key)
        if slot is not None:
            self._apply(key, pace)
            # The pause counts from the answer, not from when the refused
            # request was sent.
            slot.lastseen = now

    def _drain(self, key: str) -> None:
        # Requests already waiting in the host's slot passed process_request
        # before the host was given up: answer them here, unsent.
        slot = self._slot(key)
        while slot is not None and slot.queue:
            request, deferred = slot.queue.popleft()
            deferred.callback(self._not_sent(request))

    def _apply(self, key: str, pace: HostPace) -> None:
        slot = self._slot(key)
        if slot is None or pace.penalty <= 0:
            return
        if pace.jitter is None:
            pace.jitter = slot.jitter
        # Scrapy's jitter would send some requests before the pause is over.
        slot.jitter = 0.0
        slot.delay = max(slot.delay, pace.penalty)

    def _success(self, key: str) -> None:
        pace = self.hosts.get(key)
        if pace is None:
            return
        pace.strikes, pace.last_strike = 0, None
        if pace.penalty <= 0:
            return
        pace.penalty /= 2
        if pace.penalty <= self.base_delay:
            pace.penalty = 0.0
        slot = self._slot(key)
        if slot is not None:
            # AutoThrottle, when enabled, tunes the delay from here on.
            slot.delay = min(slot.delay, max(self.base_delay, pace.penalty))
            if pace.penalty == 0.0:
                slot.jitter = pace.jitter or 0.0
        if pace.penalty == 0.0:
            pace.jitter = None


def patient(request: Request) -> Request:
    """Mark ``request`` as one a refusal is waited out for (a start URL)."""
    request.meta[PATIENT_META] = True
    return request
