"""``<meta http-equiv="refresh">``: a page that sends its visitor elsewhere.

The page that carries it answered, and is stored and judged as itself; its
target is one more link of the page (element ``meta-refresh``), verified like
any other and followed by the crawl. A refresh of at most
:data:`IMMEDIATE_REFRESH_S` seconds is where a visitor actually lands: link
verification judges a link to such a page by its refresh target.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree
from parsel import Selector

from zwgk.crawler.extract.links import LinkRecord, classify_href

ELEMENT = "meta-refresh"
# A visitor reads nothing in a second: the page is a waypoint.
IMMEDIATE_REFRESH_S = 1.0

_REFRESH = etree.XPath(
    "//meta[translate(@http-equiv, 'REFSH', 'refsh') = 'refresh']/@content",
    smart_strings=False,
)
# "5", "0; url=/a.html", "0;URL='/a.html'", "3, url=/a": as the HTML standard
# parses it, the content starts with the delay; without one there is no refresh.
_CONTENT_RE = re.compile(
    r"""^\s*(?P<delay>\d+(?:\.\d*)?|\.\d+)\s*[;,]?\s*(?:url\s*=\s*)?(?P<q>['"]?)(?P<url>.*?)(?P=q)\s*$""",
    re.I | re.S,
)


@dataclass(frozen=True)
class Refresh:
    delay: float
    href: str
    link: LinkRecord

    @property
    def immediate(self) -> bool:
        return self.delay <= IMMEDIATE_REFRESH_S


def meta_refresh(sel: Selector, base: str) -> Refresh | None:
    """The page's first refresh that names a target (a bare "30" only reloads)."""
    root = sel.root
    if not isinstance(getattr(root, "tag", None), str):
        return None
    for content in _REFRESH(root)[:5]:
        m = _CONTENT_RE.match(str(content)[:2000])
        if m is None:
            continue
        href = m.group("url").strip()
        if not href:
            continue
        delay = float(m.group("delay"))
        kind, url = classify_href(href, base)
        return Refresh(delay, href, LinkRecord(href, url, kind, ELEMENT, "content", None))
    return None
