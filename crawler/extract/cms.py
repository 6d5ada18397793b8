"""JS-generated lists of common government CMSs: TRS pagination and Hanweb jpage lists."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from lxml import etree
from parsel import Selector

from zwgk.crawler.extract.links import LinkRecord, classify_href, extract_links, join_url
from zwgk.crawler.extract.text import _xpath

# Counts are read with at most nine digits: int() refuses more than 4300, and
# no CMS has a billion pages or records.
_TRS_CALL = re.compile(
    r"createPageHTML\s*\(\s*(?:(['\"])[^'\"]*\1\s*,\s*)?([A-Za-z_$][\w$]*|\d{1,9})\s*,\s*([A-Za-z_$][\w$]*|\d+)\s*,"
    r"\s*(['\"])([^'\"]+)\4\s*,\s*(['\"])([^'\"]+)\6"
)
_JS_VAR = re.compile(r"\bvar\s+([A-Za-z_$][\w$]*)\s*=\s*['\"]?(\d{1,9})(?!\d)")
# String literals are matched first so that the "//" of a URL in a string
# survives; strings do not span lines, which bounds the damage a regex
# literal such as /"/ can do.
_JS_COMMENT = re.compile(r"""("(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')|/\*.*?\*/|//[^\n]*""", re.S)


def _strip_js_comments(script: str) -> str:
    return _JS_COMMENT.sub(lambda m: m.group(1) or " ", script)


_INLINE_SCRIPTS = etree.XPath("//script[not(@src)]/text()", smart_strings=False)


def trs_pages(sel: Selector, page_url: str, max_pages: int = 5000) -> list[str]:
    """Pages named by TRS WCM's ``createPageHTML(total, current, "index", "html")``.

    The first page is ``index.html``, the others ``index_1.html`` … and they
    are linked from nowhere but this script. Newer templates put an element
    id first; counts may be variables declared in the same script.
    """
    urls: list[str] = []
    for script in _xpath(_INLINE_SCRIPTS, sel.root):
        if "createPageHTML" not in script:
            continue
        # A commented-out call (an old pager left in the template) names no pages.
        script = _strip_js_comments(script)
        variables = dict(_JS_VAR.findall(script))
        for m in _TRS_CALL.finditer(script):
            total_s = str(m.group(2))
            total_s = variables.get(total_s, total_s)
            if not total_s.isdigit():
                continue
            total = min(int(total_s), max_pages)
            prefix, ext = m.group(5), m.group(7)
            for i in range(total):
                name = f"{prefix}.{ext}" if i == 0 else f"{prefix}_{i}.{ext}"
                kind, url = classify_href(name, page_url)
                if kind != "http" or url is None:
                    break  # a page URL no page resolves against ("about:blank")
                if url not in urls:
                    urls.append(url)
    return urls


@dataclass
class HanwebList:
    """A Hanweb (大汉) jpage list: records in an XML island, more via dataproxy."""

    records_html: list[str]
    proxy_url: str | None
    params: dict[str, str] = field(default_factory=dict)
    total: int | None = None
    per_page: int = 15


_CDATA_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>", re.S)
_TOTAL = re.compile(
    r"<totalrecord>\s*(\d{1,9})\s*</totalrecord>|totalRecord[\"']?\s*[:=]\s*[\"']?(\d{1,9})(?!\d)",
    re.I,
)
_PERPAGE = re.compile(r"perPage[\"']?\s*[:=]\s*[\"']?(\d{1,9})(?!\d)", re.I)


def parse_hanweb_xml(xml: str) -> tuple[list[str], int | None]:
    records = _CDATA_RECORD.findall(xml)
    m = _TOTAL.search(xml)
    total = int(m.group(1) or m.group(2)) if m else None
    return records, total


def hanweb_lists(html: str, page_url: str) -> list[HanwebList]:
    if "text/xml" not in html or "<record" not in html:
        return []
    sel = Selector(text=html)
    out = []
    page_scripts = " ".join(sel.xpath("//script[not(@src)]/text()").getall())
    for island in sel.xpath("//script[@type='text/xml']/text()").getall():
        records, total = parse_hanweb_xml(island)
        proxy_url = None
        params: dict[str, str] = {}
        ng = _NEXTGROUP.search(island)
        if ng:
            href = Selector(text=ng.group(1)).xpath("//a/@href").get()
            if href:
                absolute = join_url(page_url, href.replace("&amp;", "&"))
                if absolute is not None:
                    parts = urlsplit(absolute)
                    proxy_url = f"{parts.scheme}://{parts.netloc}{parts.path}"
                    params = dict(parse_qsl(parts.query, keep_blank_values=True))
                    params.pop("page", None)
        if total is None:
            m = _TOTAL.search(page_scripts)
            total = int(m.group(1) or m.group(2)) if m else None
        pm = _PERPAGE.search(page_scripts)
        per_page = int(pm.group(1)) if pm else 15
        out.append(HanwebList(records, proxy_url, params, total, per_page))
    return out


def links_from_fragments(fragments: list[str], base: str, generated_by: str) -> list[LinkRecord]:
    links: list[LinkRecord] = []
    for frag in fragments:
        links.extend(
            extract_links(Selector(text=f"<html><body>{frag}</body></html>"), base, generated_by)
        )
    return links
