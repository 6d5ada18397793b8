"""Dates as list pages and article headers print them.

``parse_date`` reads the forms government sites use: ``2021-06-25``,
``2021/6/25``, ``2021.06.25``, ``2021年6月25日``, ``2021年06月`` (month
precision, kept as ``2021-06``) and the year-less ``06-25`` / ``[06-25]``,
whose year comes from the item's URL (``t20210625_…``, ``/2021/0625/``,
``/202106/``, ``/art/2021/6/25/``) or from a year the caller knows from the
page; a year that was not printed is never put after ``as_of``. The text is
an element's joined text, so a date split over inline tags
(``<span>202</span><span>3年11</span>…``) reads as one.

Pure and total: any string gives a ``ParsedDate`` or ``None``, never an
exception, and an ISO value is always a real calendar date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

# Digits may not run on either side: "20210625123" is no date, nor is the
# "21-06-25" inside "2021-06-25" a year-less one.
_FULL = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*([-/.年])\s*(\d{1,2})\s*([-/.月])\s*(\d{1,2})(?!\d)\s*(日?)"
)
_MONTH = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月(?!\s*\d)")
_SHORT = re.compile(r"(?<![\d/.-])(\d{1,2})\s*([-/])\s*(\d{1,2})(?![\d/.-])")
_ASCII_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
# Brackets and padding a list puts around a date: "[06-25]", "（2021-06-25）".
_WRAP = "[]【】()（）〔〕<>《》 \u3000\xa0|｜"

# Where a URL carries the date of its document, most specific first.
_URL_DATES = (
    re.compile(r"[/_]t((?:19|20)\d{2})(\d{2})(\d{2})_"),
    re.compile(r"/art/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/"),
    re.compile(r"/((?:19|20)\d{2})[-/]?(\d{2})[-/]?(\d{2})/"),
    re.compile(r"/((?:19|20)\d{2})(\d{2})/"),
    re.compile(r"/((?:19|20)\d{2})/(\d{1,2})/"),
)


@dataclass(frozen=True)
class ParsedDate:
    """One date as printed.

    ``iso`` is ``YYYY-MM-DD`` (precision ``day``), ``YYYY-MM`` (``month``),
    or ``None`` for a year-less date whose year nothing gave. ``year_from``
    says where the year came from: ``text``, ``url`` or ``context``.
    """

    text: str
    iso: str | None
    precision: str
    year_from: str | None

    @property
    def date(self) -> dt.date | None:
        """The day, or the first of the month at month precision."""
        if self.iso is None:
            return None
        return dt.date.fromisoformat(self.iso if self.precision == "day" else self.iso + "-01")


def _shown(printed: str, m: re.Match[str]) -> str:
    """What a match on the digit-normalised text covers of the text as printed."""
    return printed[m.start() : m.end()]


def _day(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def url_date(url: str | None) -> tuple[int, int | None, int | None] | None:
    """(year, month, day) from the date folders or file name of a URL."""
    if not url:
        return None
    for pattern in _URL_DATES:
        m = pattern.search(url)
        if not m:
            continue
        parts = [int(g) for g in m.groups()]
        year, month = parts[0], parts[1]
        day = parts[2] if len(parts) > 2 else None
        if not 1 <= month <= 12:
            continue
        if day is not None and _day(year, month, day) is None:
            continue
        return year, month, day
    return None


def _year_for(
    month: int,
    day: int,
    url: str | None,
    year: int | None,
    as_of: dt.date | None,
    not_after: dt.date | None,
) -> tuple[int, str] | None:
    """The year of a year-less ``month-day``, and where it came from."""
    found = url_date(url)
    source = "url"
    if found:
        y = found[0]
        # A document's URL is stamped when it is made, on or after the date
        # shown; a "12-30" under t20220105 is of the year before.
        stamp = _day(y, found[1] or 12, found[2] or 28) if found[1] else None
        candidate = _day(y, month, day)
        if stamp and candidate and candidate > stamp + dt.timedelta(days=62):
            y -= 1
    elif year is not None:
        y, source = year, "context"
    else:
        return None
    limits = [d for d in (as_of, not_after) if d is not None]
    for limit in limits:
        candidate = _day(y, month, day)
        while candidate is not None and candidate > limit and y > limit.year - 1:
            y -= 1
            candidate = _day(y, month, day)
    # 02-29 of a year that has none is no date.
    return (y, source) if _day(y, month, day) else None


def parse_date(
    text: str | None,
    *,
    url: str | None = None,
    year: int | None = None,
    as_of: dt.date | None = None,
    not_after: dt.date | None = None,
    whole: bool = False,
    short: bool = True,
) -> ParsedDate | None:
    """The first date in ``text``.

    ``whole``: the text (less brackets and spaces) must be the date and
    nothing else, as in a list item's date cell. ``short``: accept the
    year-less ``MM-DD``; its year comes from ``url``, else ``year``, and is
    moved back so the date is not after ``as_of`` or ``not_after``.
    """
    if not text:
        return None
    s = "".join(text.split()) if whole else " ".join(text.split())
    if whole:
        s = s.strip(_WRAP)
        # A date with its time: "2021-06-25 10:30", "2021-06-2510:30:00" once joined.
        s = re.sub(r"(?<=\d)(?:T|\s)?\d{1,2}:\d{2}(?::\d{2})?$", "", s)
    if not s:
        return None
    # Full-width digits ("２０２１年６月") read as ASCII; the text stays as printed.
    printed, s = s, s.translate(_ASCII_DIGITS)
    for m in _FULL.finditer(s):
        y, sep1, mo, sep2, d, ri = m.groups()
        # 年 goes with 月 (and 日); "-" with "-"; "2021-06.25" is no date.
        if (sep1 == "年") != (sep2 == "月") or (sep1 != "年" and (sep1 != sep2 or ri)):
            continue
        if whole and m.group(0).strip() != s:
            continue
        day = _day(int(y), int(mo), int(d))
        if day is None:
            continue
        return ParsedDate(_shown(printed, m).strip(), day.isoformat(), "day", "text")
    for m in _MONTH.finditer(s):
        if whole and m.group(0) != s:
            continue
        y, mo = int(m.group(1)), int(m.group(2))
        if 1 <= mo <= 12:
            return ParsedDate(_shown(printed, m), f"{y:04d}-{mo:02d}", "month", "text")
    if not short:
        return None
    for m in _SHORT.finditer(s):
        if whole and m.group(0) != s:
            continue
        mo, d = int(m.group(1)), int(m.group(3))
        if not (1 <= mo <= 12 and 1 <= d <= 31) or _day(2000, mo, d) is None:
            continue
        found = _year_for(mo, d, url, year, as_of, not_after)
        if found is None:
            return ParsedDate(_shown(printed, m), None, "day", None)
        y, source = found
        return ParsedDate(_shown(printed, m), f"{y:04d}-{mo:02d}-{d:02d}", "day", source)
    return None
