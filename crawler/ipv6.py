"""The IPv6 probe's pure rules: which URLs are a site's 2nd and 3rd levels.

As the national monitoring defines them: the 2nd-level URLs are the distinct
internal ``<a href>`` targets of the home page's HTML, the home page itself
excluded; the 3rd-level URLs are the same taken from the 2nd-level HTML
pages, minus the home page and the 2nd level. Anchors inside a Hanweb
recordset's CDATA are in the page's HTML and count; URLs that exist only
through a script's pagination (TRS ``createPageHTML``) or a list-data
request (the Hanweb jpage proxy) do not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from zwgk.config import Site
from zwgk.vocab import defragment, host_matches

# generated_by values of anchors that are in the page's own HTML.
IN_PAGE = frozenset({None, "hanweb"})
ANCHOR_ELEMENTS = frozenset({"a", "area"})


def site_domain(site: Site) -> str:
    """The site's own domain: its home host without a leading ``www.``."""
    host = (urlsplit(site.home).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def is_internal(url: str, site: Site) -> bool:
    """A URL of the site: one of its configured hosts, or its domain and any
    name under it (a 政务服务 sub-host is still the site)."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    if not host:
        return False
    return host in site.all_hosts or host_matches(host, [site_domain(site)])


def level_targets(links: Iterable[Mapping[str, Any]], site: Site, exclude: set[str]) -> list[str]:
    """Distinct internal anchor targets of one page, in page order, minus ``exclude``.

    ``links`` are link rows (``zwgk.crawler.extract`` ``LinkRecord.as_dict()``
    or stored ``links``): ``url``, ``kind``, ``element``, ``generated_by``.
    """
    out: list[str] = []
    seen = set(exclude)
    for link in links:
        url = link.get("url")
        if (
            not url
            or link.get("kind") != "http"
            or link.get("element") not in ANCHOR_ELEMENTS
            or link.get("generated_by") not in IN_PAGE
        ):
            continue
        url = defragment(url)
        if url in seen or not is_internal(url, site):
            continue
        seen.add(url)
        out.append(url)
    return out


def link_hosts(links: Iterable[Mapping[str, Any]]) -> list[str]:
    """The distinct hosts a page's anchors name (a translation proxy rewrites them)."""
    hosts = {
        (urlsplit(str(link.get("url"))).hostname or "").lower()
        for link in links
        if link.get("url") and link.get("kind") == "http"
    }
    return sorted(h for h in hosts if h)
