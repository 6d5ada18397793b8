"""Visible text of a page: whitespace cleaning, XPath helpers and the main text."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from lxml import etree
from parsel import Selector
from parsel.csstranslator import HTMLTranslator


def clean_text(s: str) -> str:
    """Runs of whitespace as one space, none at the ends.

    Same as ``re.sub(r"[\\s\\u3000\\xa0]+", " ", s).strip()``: ``str.split``
    and ``\\s`` both use Unicode's whitespace (which has U+3000 and U+00A0),
    and this is three times faster on the short runs of a page's text.
    """
    return " ".join(s.split())


_SURROGATE = re.compile("[\ud800-\udfff]")


def scrub(s: str) -> str:
    """``s`` less lone surrogates (as U+FFFD), which lxml cannot encode.

    Decoded bytes never hold one; a str from elsewhere (an escaped JSON
    value, a test) may, and a parse must not fail on it.
    """
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", s)
    return s


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


_ALL_TEXT = etree.XPath(".//text()", smart_strings=False)


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


# The first selectors name a document's own body; the last ones (.content,
# article, #content) often wrap a whole page, furniture and all.
def find_body(sel: Selector) -> Any:
    """The element holding the document's body, or ``None``.

    As ``extract_main_text`` picks it, except that a short container (an
    image-only body) is kept rather than a later one that wraps it: the
    wrapper's text is the page's furniture, not the document.
    """
    root = sel.root
    short = None
    for query in _CONTENT_XPATHS:
        nodes = _xpath(query, root)
        if not nodes:
            continue
        node = nodes[0]
        if len(clean_text(" ".join(_xpath(_VISIBLE, node)))) >= 20:
            if short is not None and (node is short or node in set(short.iterancestors())):
                return short
            return node
        if short is None:
            short = node
    return short


def visible_text(el: Any) -> str:
    return clean_text(" ".join(el.xpath(_VISIBLE_TEXT)))


_BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
     "section", "table", "ul", "ol", "dl", "dd", "dt", "article", "blockquote", "center"}
)  # fmt: skip


def text_lines(el: Any) -> list[str]:
    """The element's visible text as the lines a browser would break it into."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if not isinstance(node.tag, str) or node.tag in ("script", "style"):
            return
        block = node.tag in _BLOCK_TAGS
        if block:
            parts.append("\n")
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append("\n")

    walk(el)
    return [line for line in (clean_text(x) for x in "".join(parts).split("\n")) if line]
