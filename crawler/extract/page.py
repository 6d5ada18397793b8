"""The whole-page parse: ParsedPage, parse_html and script-loaded related boxes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lxml import etree
from parsel import Selector

from zwgk.crawler.extract.cms import HanwebList, hanweb_lists, links_from_fragments, trs_pages
from zwgk.crawler.extract.links import LinkRecord, base_url, extract_links, fragment_ids
from zwgk.crawler.extract.metadata import _TITLE_TEXT, extract_meta
from zwgk.crawler.extract.text import _xpath, clean_text, extract_main_text


@dataclass
class ParsedPage:
    title: str | None
    meta: dict[str, Any]
    text: str
    links: list[LinkRecord]
    fragment_ids: list[str]
    pagination: list[str]
    hanweb: list[HanwebList]


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


def parse_html(html: str, url: str) -> ParsedPage:
    # lxml rejects str input with an encoding declaration; strip it.
    html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)
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
    dynamic = related_dynamic(sel)
    if dynamic:
        meta["related_dynamic"] = dynamic
    return ParsedPage(
        title=title,
        meta=meta,
        text=text,
        links=links,
        fragment_ids=fragment_ids(sel),
        pagination=pagination,
        hanweb=hanweb,
    )
