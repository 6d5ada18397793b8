"""Pure parsing of fetched pages: decoding, metadata, main text, links and the
JS-generated lists of common government CMSs.

Nothing here touches the network or Scrapy; the spider and the corpus
runner (``make corpus``) both call it, so what the tests pin down is what
the crawl records.

The package, by layer (each module imports only those above it): decode
(bytes to text), dates (dates as pages print them), text (whitespace, XPath
helpers, main text), metadata (and the page facts beyond it), css (CSS
url()/@import and srcset candidates), links, cms
(TRS pagination, Hanweb lists), lists (a column list page as data), identity
(the footer's 网站标识码, ICP and 公安 filings, 党政机关 badge) and page (the
whole-page parse).
The names below are those callers import, some private ones for the
equivalence tests; the link-resolution cache's bound is patched on
``links`` itself, where it is read.
"""

from __future__ import annotations

from zwgk.crawler.extract.cms import (
    _INLINE_SCRIPTS,
    HanwebList,
    hanweb_lists,
    links_from_fragments,
    parse_hanweb_xml,
    trs_pages,
)
from zwgk.crawler.extract.dates import ParsedDate, parse_date, url_date
from zwgk.crawler.extract.decode import decode_html
from zwgk.crawler.extract.identity import extract_identity, home_candidate
from zwgk.crawler.extract.links import (
    _ROOT_RELATIVE,
    BINARY_EXTENSIONS,
    LINK_ATTRS,
    NAVIGABLE,
    NEVER_FOLLOWED,
    LinkRecord,
    base_url,
    classify_href,
    extract_links,
    fragment_ids,
    is_binary_url,
)
from zwgk.crawler.extract.lists import (
    PLACEHOLDER_RE,
    ListItem,
    ListPage,
    extract_list,
    list_facts,
    list_rows,
    records_list,
)
from zwgk.crawler.extract.metadata import (
    _NEXT_TD_TEXT,
    _TH_BESIDE_TD,
    DATE_RE,
    META_LABELS,
    META_TAGS,
    extract_meta,
    names_only,
    normalise_date,
    page_facts,
    signature_date,
    visible_title,
)
from zwgk.crawler.extract.page import ParsedPage, body_facts, parse_html, related_dynamic
from zwgk.crawler.extract.text import (
    _ALL_TEXT,
    CONTENT_SELECTORS,
    _largest_leaf_block,
    _texts,
    _xpath,
    clean_text,
    extract_main_text,
    find_body,
    text_hash,
    text_lines,
)

__all__ = [
    "BINARY_EXTENSIONS",
    "CONTENT_SELECTORS",
    "DATE_RE",
    "LINK_ATTRS",
    "META_LABELS",
    "META_TAGS",
    "NAVIGABLE",
    "NEVER_FOLLOWED",
    "PLACEHOLDER_RE",
    "_ALL_TEXT",
    "_INLINE_SCRIPTS",
    "_NEXT_TD_TEXT",
    "_ROOT_RELATIVE",
    "_TH_BESIDE_TD",
    "HanwebList",
    "LinkRecord",
    "ListItem",
    "ListPage",
    "ParsedDate",
    "ParsedPage",
    "_largest_leaf_block",
    "_texts",
    "_xpath",
    "base_url",
    "body_facts",
    "classify_href",
    "clean_text",
    "decode_html",
    "extract_identity",
    "extract_links",
    "extract_list",
    "extract_main_text",
    "extract_meta",
    "find_body",
    "fragment_ids",
    "hanweb_lists",
    "home_candidate",
    "is_binary_url",
    "links_from_fragments",
    "list_facts",
    "list_rows",
    "names_only",
    "normalise_date",
    "page_facts",
    "parse_date",
    "parse_hanweb_xml",
    "parse_html",
    "records_list",
    "related_dynamic",
    "signature_date",
    "text_hash",
    "text_lines",
    "trs_pages",
    "url_date",
    "visible_title",
]
