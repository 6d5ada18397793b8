"""The whole-page parse: ParsedPage, parse_html and script-loaded related boxes."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from lxml import etree
from parsel import Selector

from zwgk.crawler.extract.cms import (
    _INLINE_SCRIPTS,
    HanwebList,
    hanweb_lists,
    links_from_fragments,
    trs_pages,
)
from zwgk.crawler.extract.identity import extract_identity, home_candidate
from zwgk.crawler.extract.links import (
    LinkRecord,
    base_url,
    classify_href,
    extract_links,
    fragment_ids,
)
from zwgk.crawler.extract.lists import ListPage, extract_list
from zwgk.crawler.extract.metadata import _TITLE_TEXT, extract_meta, page_facts
from zwgk.crawler.extract.refresh import meta_refresh
from zwgk.crawler.extract.text import (
    _ALL_TEXT,
    _xpath,
    clean_text,
    extract_main_text,
    find_body,
    scrub,
    text_lines,
    visible_text,
)


@dataclass
class ParsedPage:
    title: str | None
    meta: dict[str, Any]
    text: str
    links: list[LinkRecord]
    fragment_ids: list[str]
    pagination: list[str]
    hanweb: list[HanwebList]
    # The column list when the page is one (see crawler.extract.lists).
    list_page: ListPage | None = None


# Boxes whose links a front-end framework fills in after an AJAX call
# (pingtan's 相关解读: avalon ``ms-attr-href`` on an ``<a>`` with no href).
_DYNAMIC_BOX = re.compile(
    r"相关解读|文字解读|图片解读|图解解读|H5解读|政策解读|解读文件|政策文件|相关文件|原文"
)
_TEMPLATE_HREF = ("ms-attr-href", "v-bind:href", ":href", "ng-href")
# A box is small; a longer ancestor is the page, whose text names everything.
_DYNAMIC_BOX_MAX_TEXT = 200


def related_dynamic(sel: Selector) -> str | None:
    """The label of a related-documents box whose links are loaded by script.

    The static HTML cannot show such a link, so a check must not conclude
    from its absence that the pages do not link to each other.
    """
    for a in sel.root.iter("a"):
        if a.get("href") is not None or not any(a.get(k) for k in _TEMPLATE_HREF):
            continue
        node = a.getparent()
        for _ in range(5):
            if node is None:
                break
            text = clean_text("".join(node.itertext()))
            # Past the box once the ancestor holds static links or much text.
            if len(text) > _DYNAMIC_BOX_MAX_TEXT or any(
                x.get("href") is not None for x in node.iter("a")
            ):
                break
            # The box's heading is an element of its own saying just the label
            # (a column named 政策文件及解读 is not such a heading).
            for el in node.iter():
                if isinstance(el.tag, str) and el is not a:
                    label = clean_text("".join(el.itertext()))
                    if _DYNAMIC_BOX.fullmatch(label):
                        return label
            node = node.getparent()
    return None


_DOC_EXTENSIONS = (
    ".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".et", ".ppt", ".pptx", ".dps", ".ofd",
    ".zip", ".rar", ".7z",
)  # fmt: skip
_ICON = re.compile(r"(?:icon|sysimage|/ico/|file_?type)", re.I)


def _doc_url(url: str) -> bool:
    parts = urlsplit(url)
    names = [parts.path.lower()] + [
        v.lower() for k, v in parse_qsl(parts.query) if k.lower() in ("filename", "file", "name")
    ]
    return any(n.endswith(_DOC_EXTENSIONS) for n in names)


def body_facts(body: Any, base: str) -> dict[str, Any]:
    """``body_images_only`` / ``body_attachment`` for a body with no text of its own."""
    if body is None:
        return {}
    text = clean_text(" ".join([visible_text(body)]))
    links: list[tuple[str, str]] = []
    for a in body.iter("a"):
        href = a.get("href")
        if href is None:
            continue
        kind, url = classify_href(href, base)
        if kind == "http" and url:
            links.append((url, clean_text(" ".join(_xpath(_ALL_TEXT, a)))))
    images = [
        img
        for img in body.iter("img")
        if img.get("ignore") != "1" and not _ICON.search(img.get("src") or "")
    ]
    out: dict[str, Any] = {}
    if len(text) < 20 and images and not links:
        out["body_images_only"] = True
    docs = {u for u, _ in links if _doc_url(u)}
    if len(docs) == 1 and len({u for u, _ in links}) == 1:
        rest = text
        for _, label in links:
            rest = rest.replace(label, "", 1)
        if len(clean_text(rest)) < 20:
            out["body_attachment"] = docs.pop()
    return out


def parse_html(html: str, url: str, as_of: dt.date | None = None) -> ParsedPage:
    """The whole page. ``as_of``: no year-less list date is put after it."""
    # lxml rejects str input with an encoding declaration; strip it.
    html = re.sub(r"^\s*<\?xml[^>]*\?>", "", scrub(html))
    try:
        sel = Selector(text=html, base_url=url)
    except (ValueError, etree.ParserError):
        sel = Selector(text="<html></html>")
    title = clean_text(" ".join(_xpath(_TITLE_TEXT, sel.root))) or None
    base = base_url(sel, url)
    links = extract_links(sel, base)
    hanweb = hanweb_lists(html, base)
    for hl in hanweb:
        links.extend(links_from_fragments(hl.records_html, base, "hanweb"))
    pagination = trs_pages(sel, base)
    for p in pagination:
        links.append(
            LinkRecord("createPageHTML", p, "http", "script", "createPageHTML", None, "trs")
        )
    text = extract_main_text(sel)
    meta = extract_meta(sel)
    refresh = meta_refresh(sel, base)
    if refresh is not None:
        links.append(refresh.link)
        meta["refresh"] = {"delay": refresh.delay, "url": refresh.link.url or refresh.href}
    dynamic = related_dynamic(sel)
    if dynamic:
        meta["related_dynamic"] = dynamic
    identity = extract_identity(sel, url)
    # Kept small: only what was found, and on a possible home page with text
    # also the fact that nothing was.
    if identity or (text and home_candidate(url)):
        meta["identity"] = identity
    scripts = _xpath(_INLINE_SCRIPTS, sel.root)
    list_page = extract_list(sel, base, meta, hanweb, scripts, as_of)
    if list_page is None and isinstance(getattr(sel.root, "tag", None), str):
        body = find_body(sel)
        lines = text_lines(body) if body is not None else []
        meta.update(page_facts(sel, meta, lines))
        facts = body_facts(body, base)
        meta.update(facts)
        if facts.get("body_images_only") and body is not None:
            # The body is its images; the text around it is the page's furniture.
            text = visible_text(body)
    return ParsedPage(
        title=title,
        meta=meta,
        text=text,
        links=links,
        fragment_ids=fragment_ids(sel),
        pagination=pagination,
        hanweb=hanweb,
        list_page=list_page,
    )
