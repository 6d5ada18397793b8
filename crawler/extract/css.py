"""References a page makes outside its href/src attributes: CSS ``url(...)``
and ``@import``, and ``srcset`` candidates.

Pure string work, bounded: a hostile page (an unterminated comment, a
megabyte of ``url(url(url(``, a srcset of ten thousand commas) costs at most
a linear scan of a capped prefix and yields at most a capped number of URLs.
"""

from __future__ import annotations

import re

# Past this much CSS in one block or attribute, the rest is not read: real
# templates put their banner backgrounds in a few kilobytes.
MAX_CSS_CHARS = 200_000
# References taken from one block or attribute, and candidates from one srcset.
MAX_CSS_URLS = 200
MAX_SRCSET_CANDIDATES = 32
MAX_SRCSET_CHARS = 20_000

# An unterminated comment runs to the end, as in a browser.
_COMMENT = re.compile(r"/\*.*?(?:\*/|\Z)", re.S)
# url("…"), url('…') or url(…). The unquoted form stops at "(" as well as
# at ")", quotes and whitespace (CSS makes such a url a bad-url token), which
# also keeps the scan linear on "url(url(url(…".
_URL = re.compile(
    r"""url\(\s*(?:"([^"\n]*)"|'([^'\n]*)'|([^()'"\s]*))\s*\)""",
    re.I,
)
# @import "…" / @import '…'; @import url(…) is found by _URL.
_IMPORT = re.compile(r"""@import\s*(?:"([^"\n]*)"|'([^'\n]*)')""", re.I)


def css_references(css: str) -> list[tuple[str, str]]:
    """``(how, reference)`` pairs in source order, ``how`` being ``url`` or
    ``@import``; empty, ``data:`` and in-document (``#id``) references are
    not links and are left out."""
    text = _COMMENT.sub(" ", css[:MAX_CSS_CHARS])
    found: list[tuple[int, str, str]] = []
    for m in _URL.finditer(text):
        found.append((m.start(), "url", next(g for g in m.groups() if g is not None)))
        if len(found) >= MAX_CSS_URLS:
            break
    for m in _IMPORT.finditer(text):
        if len(found) >= 2 * MAX_CSS_URLS:
            break
        found.append((m.start(), "@import", next(g for g in m.groups() if g is not None)))
    out: list[tuple[str, str]] = []
    for _, how, ref in sorted(found):
        ref = ref.strip()
        if not ref or ref.startswith("#") or ref[:5].lower() == "data:":
            continue
        out.append((how, ref))
    return out[:MAX_CSS_URLS]


_SPACE = " \t\n\f\r"


def srcset_urls(srcset: str) -> list[str]:
    """The candidate URLs of a ``srcset``, descriptors (``2x``, ``300w``)
    dropped, as the HTML standard's "parse a srcset attribute" splits them:
    a URL is a run of non-whitespace, so a comma inside one belongs to it,
    and trailing commas end the candidate. ``data:`` candidates are left out."""
    s = srcset[:MAX_SRCSET_CHARS]
    n, pos = len(s), 0
    out: list[str] = []
    while pos < n and len(out) < MAX_SRCSET_CANDIDATES:
        while pos < n and (s[pos] in _SPACE or s[pos] == ","):
            pos += 1
        if pos >= n:
            break
        start = pos
        while pos < n and s[pos] not in _SPACE:
            pos += 1
        url = s[start:pos]
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            pos = _skip_descriptors(s, pos)
        if url and url[:5].lower() != "data:":
            out.append(url)
    return out


def _skip_descriptors(s: str, pos: int) -> int:
    """Past a candidate's descriptors: up to the first comma outside
    parentheses, or the end."""
    depth = 0
    n = len(s)
    while pos < n:
        c = s[pos]
        if c == "(":
            depth = 1
        elif c == ")":
            depth = 0
        elif c == "," and not depth:
            return pos + 1
        pos += 1
    return pos
