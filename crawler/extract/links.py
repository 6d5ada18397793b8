"""Links of a page: what elements link, how hrefs resolve and classify."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree
from parsel import Selector
from w3lib.url import safe_url_string

from zwgk.crawler.extract.css import css_references, srcset_urls
from zwgk.crawler.extract.text import _ALL_TEXT, _xpath, clean_text

LINK_ATTRS: tuple[tuple[str, str], ...] = (
    ("a", "href"),
    ("area", "href"),
    ("img", "src"),
    ("script", "src"),
    ("link", "href"),
    ("iframe", "src"),
    ("frame", "src"),
    ("embed", "src"),
    ("object", "data"),
    ("source", "src"),
    ("video", "src"),
    ("audio", "src"),
)
# "meta-refresh": where <meta http-equiv=refresh> sends the visitor (extract.refresh).
NAVIGABLE = {"a", "area", "iframe", "frame", "meta-refresh"}
# References outside LINK_ATTRS, by the ``element`` value they are stored
# with: (tag, attribute) pairs read as one URL, the srcset attributes read as
# candidate lists, and CSS (``<style>`` blocks, ``style="…"`` attributes).
# None is navigable: the crawl never follows them as pages, link
# verification checks them.
EXTRA_ATTRS: dict[tuple[str, str], str] = {
    ("track", "src"): "track",
    ("button", "formaction"): "formaction",
    ("input", "formaction"): "formaction",
    ("html", "manifest"): "manifest",
}
SRCSET_ELEMENTS = {"img": "img-srcset", "source": "source-srcset"}
STYLE_ELEMENT = "style"
STYLE_ATTRIBUTE = "style-attr"
# CSS references taken from one page: a template repeats the same few.
MAX_STYLE_LINKS = 500
# The element values above: resources and endpoints, never pages to crawl,
# whoever generated them (the spider follows script-generated links).
NEVER_FOLLOWED = frozenset(
    {*EXTRA_ATTRS.values(), *SRCSET_ELEMENTS.values(), STYLE_ELEMENT, STYLE_ATTRIBUTE}
)
# fmt: off
BINARY_EXTENSIONS = {
    ".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".et", ".ppt", ".pptx", ".dps", ".ofd",
    ".zip", ".rar", ".7z", ".gz", ".tar", ".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp",
    ".svg", ".ico", ".mp3", ".mp4", ".avi", ".flv", ".wmv", ".mov", ".swf", ".exe", ".apk",
    ".txt", ".csv", ".css", ".js", ".json", ".xml", ".ceb", ".caj",
}
# fmt: on


@dataclass
class LinkRecord:
    href: str
    url: str | None
    kind: str
    element: str
    attribute: str
    text: str | None
    generated_by: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "href": self.href,
            "url": self.url,
            "kind": self.kind,
            "element": self.element,
            "attribute": self.attribute,
            "text": self.text,
            "generated_by": self.generated_by,
        }


# Results of _classify for root-relative hrefs ("/a/b.html"), keyed by (href,
# base scheme, base netloc): urljoin takes nothing else from the base for
# them, and navigation repeats the same few dozen on every page of a site.
# Not for "//…" (an empty netloc there takes the base's path) nor hrefs with
# tab/CR/LF inside (urlsplit drops those, so "/\n/" would become "//").
# Bounded; cleared when full.
_ROOT_RELATIVE: dict[tuple[str, str, str], tuple[str, str | None]] = {}
_ROOT_RELATIVE_MAX = 50_000


def classify_href(href: str, base: str) -> tuple[str, str | None]:
    """``(kind, absolute_url)``; only kind ``http`` has a URL to fetch."""
    return _classify_with(href.strip(), base, _origin(base))


def _origin(base: str) -> tuple[str, str] | None:
    """``(scheme, netloc)`` of a base that urljoin resolves against, else None
    (no scheme: urljoin returns root-relative hrefs as they are; unparsable:
    every join fails)."""
    try:
        parts = urlsplit(base)
    except ValueError:
        return None
    return (parts.scheme, parts.netloc) if parts.scheme else None


def _classify_with(raw: str, base: str, origin: tuple[str, str] | None) -> tuple[str, str | None]:
    if (
        origin is None
        or raw[:1] != "/"
        or raw[1:2] == "/"
        or "\t" in raw
        or "\n" in raw
        or "\r" in raw
    ):
        return _classify(raw, base)
    key = (raw, *origin)
    hit = _ROOT_RELATIVE.get(key)
    if hit is None:
        if len(_ROOT_RELATIVE) >= _ROOT_RELATIVE_MAX:
            _ROOT_RELATIVE.clear()
        hit = _ROOT_RELATIVE[key] = _classify(raw, base)
    return hit


# An href that names a host: "http://…", "https://…" or scheme-relative "//…".
_AUTHORITY_RE = re.compile(r"(?:https?:)?//", re.I)
# Characters no browser accepts in a host name (WHATWG forbidden host and
# domain code points, less "%" which browsers decode first): such a link
# opens nothing.
_FORBIDDEN_HOST = frozenset(" #/<>?@[\\]^|\x7f") | {chr(c) for c in range(0x20)}
# A Windows path ("C:\\Users\\…", "D:/公文/…"): a file on the editor's own disk.
_DRIVE_RE = re.compile(r"[a-z]:[\\/]", re.I)


def _names_no_host(href: str) -> bool:
    """An ``http(s)://`` or ``//`` href whose host is empty or will not parse
    (``//////``, ``http://``, ``http://localhost]``, ``http://a b/``, a port
    past 65535): a browser opens nothing; urljoin would quietly take the
    page's host instead."""
    try:
        parts = urlsplit(href)
        host = parts.hostname
        parts.port  # noqa: B018 -- raises ValueError for a port that is not one
    except ValueError:
        return True
    if not host:
        return True
    if "[" in parts.netloc:  # an IPv6 literal: urlsplit has checked it
        return False
    return any(c in _FORBIDDEN_HOST or c == ":" for c in host)


def _classify(raw: str, base: str) -> tuple[str, str | None]:
    low = raw.lower()
    if low.startswith("javascript:"):
        return "javascript", None
    if low.startswith("mailto:"):
        return "mailto", None
    if low.startswith("tel:"):
        return "tel", None
    if raw == "" or raw.startswith("#"):
        return "fragment", None
    if low.startswith(("data:", "about:", "blob:")):
        return "other", None
    if low.startswith("file:") or _DRIVE_RE.match(raw):
        return "local_file", None
    # Browsers drop tabs and newlines inside a URL before reading it.
    bare = raw.replace("\t", "").replace("\n", "").replace("\r", "")
    names_host = bool(_AUTHORITY_RE.match(bare))
    if names_host and _names_no_host(bare):
        return "malformed", None
    try:
        absolute = safe_url_string(urljoin(base, raw))
    except ValueError:
        return ("malformed" if names_host else "other"), None
    scheme = urlsplit(absolute).scheme.lower()
    if scheme not in ("http", "https"):
        return "other", None
    if not urlsplit(absolute).hostname:
        return ("malformed" if names_host else "other"), None
    return "http", absolute


_HEAD_BASE = etree.XPath("//head/base/@href", smart_strings=False)
_ANY_BASE = etree.XPath("//base/@href", smart_strings=False)


def _first(values: list[Any]) -> Any:
    return values[0] if values else None


def join_url(base: str, href: str) -> str | None:
    """``urljoin``, or ``None`` where either side will not parse ("http://[")."""
    try:
        return urljoin(base, href)
    except ValueError:
        return None


def base_url(sel: Selector, page_url: str) -> str:
    base = _first(_xpath(_HEAD_BASE, sel.root)) or _first(_xpath(_ANY_BASE, sel.root))
    joined = join_url(page_url, base.strip()) if base and base.strip() else None
    # A <base href="javascript:…"> would leave no link resolvable: not a base.
    if joined is None or classify_href(joined, page_url)[0] != "http":
        return page_url
    return joined


_LINK_ATTR = dict(LINK_ATTRS)
_LINK_TAGS = tuple(_LINK_ATTR)


def _link_nodes(root: Any) -> list[Any]:
    """The elements ``//a[@href]|//img[@src]|…`` selects, in document order
    (one walk over the tree instead of an XPath union of twelve)."""
    if not hasattr(root, "iter"):
        return []
    return [el for el in root.iter(*_LINK_TAGS) if el.get(_LINK_ATTR[el.tag]) is not None]


_IMG_ALTS = etree.XPath(".//img/@alt", smart_strings=False)


def _anchor_text(node: Any) -> str | None:
    """Text of a link element (an lxml element)."""
    leaf = len(node) == 0  # no child elements, comments or PIs: .//text() is .text
    text = clean_text((node.text or "") if leaf else " ".join(_ALL_TEXT(node)))
    if not text:
        text = clean_text(node.get("title") or "")
    if not text and not leaf:
        text = clean_text(" ".join(_IMG_ALTS(node)))
    if not text and node.tag in ("img", "area"):
        text = clean_text(node.get("alt") or "")
    return text[:500] or None


def extract_links(sel: Selector, base: str, generated_by: str | None = None) -> list[LinkRecord]:
    out: list[LinkRecord] = []
    origin = _origin(base)
    for node in _link_nodes(sel.root):
        tag = node.tag if isinstance(node.tag, str) else ""
        tag = tag.lower()
        attr = _LINK_ATTR.get(tag)
        if attr is None:
            continue
        href = node.get(attr)
        if href is None:
            continue
        if tag == "link" and (node.get("rel") or "").lower() in (
            "dns-prefetch",
            "preconnect",
        ):
            continue
        kind, url = _classify_with(href.strip(), base, origin)
        out.append(LinkRecord(href, url, kind, tag, attr, _anchor_text(node), generated_by))
    out.extend(_extra_links(sel.root, base, origin, generated_by))
    return out


_EXTRA_TAGS = tuple({tag for tag, _ in EXTRA_ATTRS} | set(SRCSET_ELEMENTS) | {"style"})


def _extra_links(
    root: Any, base: str, origin: tuple[str, str] | None, generated_by: str | None
) -> list[LinkRecord]:
    """srcset candidates, track/formaction/manifest and CSS references, in
    document order. ``data:`` URLs are inline content, not links: left out."""
    if not hasattr(root, "iter"):
        return []
    out: list[LinkRecord] = []
    styles = 0

    def add(href: str, element: str, attr: str, text: str | None) -> None:
        kind, url = _classify_with(href.strip(), base, origin)
        out.append(LinkRecord(href, url, kind, element, attr, text, generated_by))

    for node in root.iter():
        tag = node.tag
        if not isinstance(tag, str):
            continue
        tag = tag.lower()
        style = node.get("style")
        if style and styles < MAX_STYLE_LINKS and "url(" in style.lower():
            for _how, ref in css_references(style)[: MAX_STYLE_LINKS - styles]:
                styles += 1
                add(ref, STYLE_ATTRIBUTE, "style", None)
        if tag not in _EXTRA_TAGS:
            continue
        if tag == "style":
            css = node.text or ""
            if styles < MAX_STYLE_LINKS and ("url(" in css.lower() or "@import" in css.lower()):
                for how, ref in css_references(css)[: MAX_STYLE_LINKS - styles]:
                    styles += 1
                    add(ref, STYLE_ELEMENT, how, None)
            continue
        srcset_element = SRCSET_ELEMENTS.get(tag)
        if srcset_element is not None:
            srcset = node.get("srcset")
            if srcset:
                text = _anchor_text(node) if tag == "img" else None
                for ref in srcset_urls(srcset):
                    add(ref, srcset_element, "srcset", text)
        for (t, attr), element in EXTRA_ATTRS.items():
            if t != tag:
                continue
            href = node.get(attr)
            if href is None or href.strip()[:5].lower() == "data:":
                continue
            add(href, element, attr, _extra_text(node, tag))
    return out


def _extra_text(node: Any, tag: str) -> str | None:
    if tag == "track":
        return clean_text(node.get("label") or "")[:500] or None
    if tag == "input":
        return clean_text(node.get("value") or node.get("title") or "")[:500] or None
    if tag == "button":
        return _anchor_text(node)
    return None


_IDS = etree.XPath("//@id", smart_strings=False)
_A_NAMES = etree.XPath("//a/@name", smart_strings=False)


def fragment_ids(sel: Selector, limit: int = 5000) -> list[str]:
    ids = _xpath(_IDS, sel.root) + _xpath(_A_NAMES, sel.root)
    return sorted(set(ids))[:limit]


def is_binary_url(url: str) -> bool:
    try:
        path = urlsplit(url).path.lower()
    except ValueError:  # "http://[": no resource to fetch at all
        return False
    dot = path.rfind(".")
    return dot > path.rfind("/") and path[dot:] in BINARY_EXTENSIONS
