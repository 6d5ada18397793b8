"""Pure parsing of fetched pages: decoding, metadata, main text, links and the
JS-generated lists of common government CMSs.

Nothing here touches the network or Scrapy; the spider and the corpus
runner (``make corpus``) both call it, so what the tests pin down is what
the crawl records.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

from lxml import etree
from parsel import Selector
from parsel.csstranslator import HTMLTranslator
from w3lib.encoding import html_to_unicode, resolve_encoding
from w3lib.url import safe_url_string

from zwgk.vocab import DOC_NUMBER_RE

# -- decoding -------------------------------------------------------------

_REPLACEMENT = "\ufffd"


def decode_html(body: bytes, content_type: str | None) -> tuple[str, str]:
    """Decode ``body``; returns ``(text, encoding)``.

    w3lib applies the usual precedence (BOM, HTTP header, ``<meta>``, then a
    guess) and maps GB2312/GBK to GB18030. Government servers often declare
    UTF-8 over GBK bytes (or the reverse), so a declaration that leaves
    undecodable bytes is overridden by whichever candidate decodes cleanly.
    """
    encoding, text = html_to_unicode(content_type, body)
    bad = text.count(_REPLACEMENT)
    if bad:
        best = (bad, encoding, text)
        for candidate in ("utf-8", "gb18030", "big5"):
            if resolve_encoding(candidate) == resolve_encoding(encoding):
                continue
            try:
                alt = body.decode(candidate)
            except UnicodeDecodeError:
                continue
            alt_bad = alt.count(_REPLACEMENT)
            if alt_bad < best[0]:
                best = (alt_bad, candidate, alt)
        _, encoding, text = best
    return text, _canonical_encoding(encoding)


def _canonical_encoding(name: str) -> str:
    resolved = (resolve_encoding(name) or name).replace("_", "-").lower()
    return {"utf8": "utf-8"}.get(resolved, resolved)


# -- metadata -------------------------------------------------------------

# Labels of the disclosure metadata table (信息公开目录 / 元数据). Keys are the
# normalised names stored in Page.meta.
META_LABELS: dict[str, tuple[str, ...]] = {
    "index_no": ("索引号", "索 引 号", "索引编号"),
    "publisher": ("发布机构", "发文机关", "发文单位", "发布单位", "公开主体"),
    "doc_number": ("文号", "发文字号", "文件编号", "发文文号"),
    "written_date": ("成文日期", "发文日期", "生成日期", "印发日期"),
    "publish_date": ("发布日期", "公开日期", "发布时间"),
    "topic": ("主题分类", "信息分类"),
}
_LABEL_TO_KEY = {re.sub(r"\s+", "", lab): key for key, labs in META_LABELS.items() for lab in labs}
# Templates pad labels with (full-width) spaces to align a column: "文　　号：".
_LABELS = "|".join(
    sorted({r"\s*".join(map(re.escape, k)) for k in _LABEL_TO_KEY}, key=len, reverse=True)
)
# A text run that starts with a label. The colon may be missing only when the
# label is the whole run (group 2 is then None); such a bare label is a field
# only in a <th>文号</th><td>…</td> pair, see extract_meta.
_LABEL_RE = re.compile(rf"^({_LABELS})\s*(?:[:：]\s*(.*)|)$", re.S)
# Every "label：" in a run, so that a flattened "索引号：x 发布机构：y" yields both.
_PAIR_RE = re.compile(rf"({_LABELS})\s*[:：]")
DATE_RE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")

META_TAGS = {
    "articletitle": "article_title",
    "pubdate": "pub_date_meta",
    "contentsource": "content_source",
    "columnname": "column_name",
}


def normalise_date(value: str | None) -> str | None:
    if not value:
        return None
    m = DATE_RE.search(value)
    if not m:
        return None
    y, mo, d = (int(g) for g in m.groups())
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def clean_text(s: str) -> str:
    """Runs of whitespace as one space, none at the ends.

    Same as ``re.sub(r"[\\s\\u3000\\xa0]+", " ", s).strip()``: ``str.split``
    and ``\\s`` both use Unicode's whitespace (which has U+3000 and U+00A0),
    and this is three times faster on the short runs of a page's text.
    """
    return " ".join(s.split())


# Compiled once and run on the lxml tree: parsel wraps every result of
# Selector.xpath in a Selector object, which cost more than the queries
# themselves on pages of hundreds of text nodes and links.
_BODY_TEXTS = etree.XPath(
    "//body//text()[not(ancestor::script) and not(ancestor::style) and not(ancestor::noscript)]",
    smart_strings=False,
)


def _texts(sel: Selector) -> list[str]:
    """Visible text nodes in document order, without script/style/comments."""
    out = []
    for t in _xpath(_BODY_TEXTS, sel.root):
        t = clean_text(t)
        if t:
            out.append(t)
    return out


def _xpath(query: etree.XPath, root: Any) -> list[Any]:
    """``query`` on ``root`` as parsel's ``Selector.xpath`` would run it on
    ``Selector(root=root)``: nothing on a root that is not an element."""
    if not hasattr(root, "xpath"):
        return []
    result = query(root)
    return result if isinstance(result, list) else [result]


_META_TAGS = etree.XPath("//meta[@name and @content]")
_TH_BESIDE_TD = etree.XPath("//th[following-sibling::*[1][self::td]]")
_NEXT_TD_TEXT = etree.XPath("following-sibling::td[1]//text()", smart_strings=False)
_H1_TEXT = etree.XPath("(//h1)[1]//text()", smart_strings=False)
_TITLE_TEXT = etree.XPath("//title//text()", smart_strings=False)
_ALL_TEXT = etree.XPath(".//text()", smart_strings=False)


def extract_meta(sel: Selector) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    root = sel.root
    for tag in _xpath(_META_TAGS, root):
        name = (tag.get("name") or "").strip().lower()
        key = META_TAGS.get(name)
        if key and key not in meta:
            value = clean_text(tag.get("content") or "")
            if value:
                meta[key] = value
    texts = _texts(sel)
    for i, t in enumerate(texts):
        head = _LABEL_RE.match(t)
        if not head or head.group(2) is None:
            continue
        labels = list(_PAIR_RE.finditer(t))
        ends = [m.start() for m in labels[1:]] + [len(t)]
        pairs = [(m.group(1), t[m.end() : end]) for m, end in zip(labels, ends, strict=True)]
        # "label：" alone in its cell: the value is the next text run, unless
        # that is the next label (an empty field).
        if (
            len(pairs) == 1
            and not pairs[0][1].strip()
            and i + 1 < len(texts)
            and not _LABEL_RE.match(texts[i + 1])
        ):
            following = texts[i + 1]
            cut = _PAIR_RE.search(following)
            pairs = [(pairs[0][0], following[: cut.start()] if cut else following)]
        for label, raw in pairs:
            key = _LABEL_TO_KEY[re.sub(r"\s+", "", label)]
            value = raw.strip()
            if value and key not in meta and len(value) <= 200:
                meta[key] = value
    # A bare label (no colon) is a field only as a header cell beside a data
    # cell: list tables repeat bare labels as column heads over their rows.
    for th in _xpath(_TH_BESIDE_TD, root):
        head = _LABEL_RE.match(clean_text(" ".join(_ALL_TEXT(th))))
        if head and head.group(2) is None:
            key = _LABEL_TO_KEY[re.sub(r"\s+", "", head.group(1))]
            value = clean_text(" ".join(_NEXT_TD_TEXT(th)))
            if value and key not in meta and len(value) <= 200:
                meta[key] = value
    if "doc_number" in meta:
        found = DOC_NUMBER_RE.search(meta["doc_number"])
        if found:
            meta["doc_number"] = re.sub(r"\s+", "", found.group(0))
        elif meta["doc_number"] in ("无", "-", "/", "——"):
            del meta["doc_number"]
    else:
        # Some templates print the 文号 alone in its own element, with no label.
        for t in texts[:400]:
            found = DOC_NUMBER_RE.fullmatch(t)
            if found:
                meta["doc_number"] = re.sub(r"\s+", "", t)
                meta["doc_number_unlabelled"] = True
                break
    for key in ("written_date", "publish_date"):
        if key in meta:
            norm = normalise_date(meta[key])
            if norm:
                meta[key] = norm
            else:
                del meta[key]
    if "publish_date" not in meta and "pub_date_meta" in meta:
        norm = normalise_date(meta["pub_date_meta"])
        if norm:
            meta["publish_date"] = norm
    heading = clean_text(" ".join(_xpath(_H1_TEXT, root)))
    title = clean_text(" ".join(_xpath(_TITLE_TEXT, root)))
    meta["doc_title"] = meta.get("article_title") or heading or title or None
    if meta["doc_title"] is None:
        del meta["doc_title"]
    return meta


# -- main text -------------------------------------------------------------

CONTENT_SELECTORS = (
    ".TRS_Editor",
    ".trs_editor_view",
    "#zoom",
    ".article_content",
    ".article-content",
    "#UCAP-CONTENT",
    ".bt-content",
    ".zw",
    "#zoomcon",
    ".content",
    "article",
    "#content",
)


_VISIBLE_TEXT = ".//text()[not(ancestor::script) and not(ancestor::style)]"
_VISIBLE = etree.XPath(_VISIBLE_TEXT, smart_strings=False)
_BODIES = etree.XPath("//body")
# The selectors as parsel's Selector.css translates them for HTML.
_CONTENT_XPATHS = tuple(
    etree.XPath(HTMLTranslator().css_to_xpath(css)) for css in CONTENT_SELECTORS
)
_BLOCKS = ("div", "td", "section")


def extract_main_text(sel: Selector) -> str:
    root = sel.root
    for query in _CONTENT_XPATHS:
        nodes = _xpath(query, root)
        if nodes:
            text = clean_text(" ".join(_xpath(_VISIBLE, nodes[0])))
            if len(text) >= 20:
                return text
    # No known container: the block with the most text, which on a list or
    # home page is its body minus navigation chrome.
    best = _largest_leaf_block(sel.root)
    if best is None:
        # No div/td/section with text: a bare page whose paragraphs sit in <body>.
        return clean_text(
            " ".join(t for body in _xpath(_BODIES, root) for t in _xpath(_VISIBLE, body))
        )
    return clean_text(" ".join(best.xpath(_VISIBLE_TEXT)))


def _largest_leaf_block(root: Any) -> Any:
    """The div/td/section with the most visible text among those holding no
    div of more than 200 characters; ``None`` if no block has text.

    Lengths are those ``clean_text`` would give, summed bottom-up in one pass:
    asking XPath for each block's text and each descendant div's length costs
    depth x size, minutes on a hostile page of a few thousand nested divs.
    """
    if not isinstance(getattr(root, "tag", None), str):
        return None
    order = list(root.iter())
    # element -> (chars of its cleaned non-empty text pieces, number of pieces, holds a big div)
    stats: dict[Any, tuple[int, int, bool]] = {}
    for el in reversed(order):  # children before parents
        chars = pieces = 0
        big = False
        # Comments and processing instructions carry their content in .text.
        if isinstance(el.tag, str) and el.tag not in ("script", "style"):
            own = clean_text(el.text or "")
            if own:
                chars, pieces = len(own), 1
        for child in el:
            c_chars, c_pieces, c_big = stats[child]
            chars += c_chars
            pieces += c_pieces
            tail = clean_text(child.tail or "")
            if tail:
                chars += len(tail)
                pieces += 1
            big = big or c_big or (child.tag == "div" and _joined_len(c_chars, c_pieces) > 200)
        stats[el] = (chars, pieces, big)
    best, best_len = None, 0
    for el in order:
        if el.tag in _BLOCKS and not stats[el][2]:
            length = _joined_len(*stats[el][:2])
            if length > best_len:
                best, best_len = el, length
    return best


def _joined_len(chars: int, pieces: int) -> int:
    """Length of the cleaned pieces joined by single spaces."""
    return chars + pieces - 1 if pieces else 0


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- links ----------------------------------------------------------------

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
NAVIGABLE = {"a", "area", "iframe", "frame"}
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
    try:
        absolute = safe_url_string(urljoin(base, raw))
    except ValueError:
        return "other", None
    scheme = urlsplit(absolute).scheme.lower()
    if scheme not in ("http", "https"):
        return "other", None
    if not urlsplit(absolute).hostname:
        return "other", None
    return "http", absolute


_HEAD_BASE = etree.XPath("//head/base/@href", smart_strings=False)
_ANY_BASE = etree.XPath("//base/@href", smart_strings=False)


def _first(values: list[Any]) -> Any:
    return values[0] if values else None


def base_url(sel: Selector, page_url: str) -> str:
    base = _first(_xpath(_HEAD_BASE, sel.root)) or _first(_xpath(_ANY_BASE, sel.root))
    return urljoin(page_url, base.strip()) if base and base.strip() else page_url


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
    return out


_IDS = etree.XPath("//@id", smart_strings=False)
_A_NAMES = etree.XPath("//a/@name", smart_strings=False)


def fragment_ids(sel: Selector, limit: int = 5000) -> list[str]:
    ids = _xpath(_IDS, sel.root) + _xpath(_A_NAMES, sel.root)
    return sorted(set(ids))[:limit]


def is_binary_url(url: str) -> bool:
    path = urlsplit(url).path.lower()
    dot = path.rfind(".")
    return dot > path.rfind("/") and path[dot:] in BINARY_EXTENSIONS


# -- CMS pagination and script lists ---------------------------------------

_TRS_CALL = re.compile(
    r"createPageHTML\s*\(\s*(?:(['\"])[^'\"]*\1\s*,\s*)?([A-Za-z_$][\w$]*|\d+)\s*,\s*([A-Za-z_$][\w$]*|\d+)\s*,"
    r"\s*(['\"])([^'\"]+)\4\s*,\s*(['\"])([^'\"]+)\6"
)
_JS_VAR = re.compile(r"\bvar\s+([A-Za-z_$][\w$]*)\s*=\s*['\"]?(\d+)['\"]?")
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
                url = urljoin(page_url, name)
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
    r"<totalrecord>\s*(\d+)\s*</totalrecord>|totalRecord[\"']?\s*[:=]\s*[\"']?(\d+)", re.I
)
_PERPAGE = re.compile(r"perPage[\"']?\s*[:=]\s*[\"']?(\d+)", re.I)


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
                absolute = urljoin(page_url, href.replace("&amp;", "&"))
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


# -- whole page -------------------------------------------------------------


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
