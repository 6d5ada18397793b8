"""A column's list page as data: its items with their dates.

A list is found by its structure, not by template names: repeated ``li`` /
``tr`` / ``div`` items, each with one main link and a date-like text, the
largest such run in the page's main area. Navigation (``nav``, menus,
breadcrumbs, footers, 友情链接) and related-link side boxes (a heading such
as 相关文章 / 热点) are left out, and so is a detail page's body: a page
with an article title or a document body is no list page. Precision before
coverage: an item with no main link, or a run of undated links outside a
container marked as a list, is not taken.

Lists a script builds count too: the records of a Hanweb jpage island
(``<script type="text/xml">``), and, as ``dynamic`` with no items, a Hanweb
JPaaS unit or an Avalon/Vue ``ms-repeat`` template with no static items —
what the HTML cannot show must read as unverified, not as blank.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from parsel import Selector

from zwgk.crawler.extract.cms import HanwebList
from zwgk.crawler.extract.dates import ParsedDate, parse_date
from zwgk.crawler.extract.links import classify_href
from zwgk.crawler.extract.text import clean_text, scrub


@dataclass
class ListItem:
    title: str
    url: str
    date_text: str | None  # the date as shown, e.g. "2021/06/25", "06-25"
    date: str | None  # ISO: YYYY-MM-DD, or YYYY-MM at month precision; None if undated
    date_precision: str | None  # "day" | "month" | None
    position: int  # 0-based, in document order
    pinned: bool = False
    year_from: str | None = None  # "text" | "url" | "context" for a dated item


@dataclass
class ListPage:
    column: str | None
    column_from: str | None  # "meta" (ColumnName) | "breadcrumb" | "heading"
    items: list[ListItem] = field(default_factory=list)
    source: str = "static"  # "static" | "hanweb" | "jpaas" | "template"
    dynamic: bool = False  # items come only from a script or API: unverifiable here
    blank: bool = False  # a list with no items (and none to be loaded)
    placeholder: str | None = None  # a 暂无数据-like text seen in the list area
    total: int | None = None  # records the CMS says the column has (Hanweb, TRS recordCount)

    @property
    def dated(self) -> int:
        return sum(1 for it in self.items if it.date)


ITEM_TAGS = frozenset({"li", "tr", "dd", "div", "p", "article", "section", "td"})
_TEMPLATE_ATTRS = ("ms-repeat", "ms-for", "v-for", "ng-repeat", "ms-each")
_TEMPLATE_HREFS = ("ms-attr-href", "ms-href", "v-bind:href", ":href", "ng-href")
# Class/id words of page furniture.
_FURNITURE = re.compile(
    r"header|footer|foot\b|(?<![a-z])nav|menu|crumb|position|location|dqwz|weizhi|yqlj|"
    r"friend|links?(?![a-z])|share|sidebar|(?<![a-z])side(?![a-z])|aside|dropdown|toolbar|"
    r"(?<![a-z])top-?bar|(?<![a-z])path(?![a-z])|(?<![a-z])search",
    re.I,
)
_INLINE_TAGS = frozenset({"a", "span", "em", "i", "font", "img", "b", "strong"})
_FURNITURE_TAGS = frozenset({"nav", "header", "footer", "aside", "script", "style", "noscript"})
_SIDE_HEADING = re.compile(
    r"^(友情链接|相关|推荐|热点|热门|排行|点击排行|猜你喜欢|网站导航|常用链接|政务新媒体|扫一扫|分享|"
    r"最新|今日|图片新闻|专题)"
)
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "strong", "b", "span", "div", "p"})
_BOX_HEADING_CLASS = re.compile(r"title|tit|hd|head|name|bt", re.I)
_LIST_CLASS = re.compile(r"list|lb|news|items|xxgk|zfxxgk|wj|gk", re.I)
_PINNED_CLASS = frozenset(
    {"top", "zd", "zhiding", "istop", "is-top", "settop", "toplist", "top-list", "list-top"}
)
PLACEHOLDER_RE = re.compile(
    r"^(暂无(相关)?(数据|信息|内容|记录|文章|结果|公开信息|文件)?|没有(相关)?(数据|信息|记录)|无(相关)?(数据|记录))[!！。.…]*$"
)
_BRACKETED_SHORT = re.compile(r"[\[【(（]\s*(\d{1,2}\s*[-/]\s*\d{1,2})\s*[\]】)）]")
_TRUNCATED = ("...", "…", "..")
# Hanweb's jpage call that renders the island (dataStore:) has the real count;
# the pager-only call beside it says totalRecord:1000.
_JPAGE_TOTAL = re.compile(r"totalRecord\s*:\s*(\d{1,9})(?!\d)[^;]{0,400}?dataStore\s*:")
_RECORD_COUNT = re.compile(r"recordCount\s*[\"']?\s*[:=]\s*[\"']?(\d{1,9})(?!\d)", re.I)
_JPAAS = re.compile(r"unitbuild\.js|jpaas-publish-server|/front/page/build/unit", re.I)
_BREADCRUMB = re.compile(r"crumb|position|location|dqwz|weizhi|(?<![a-z])path(?![a-z])|place", re.I)
_COLUMN_HEADING = re.compile(r"title|tit\b|name|lm|column|hd\b", re.I)

# A list item is small; a bigger element is a container of items.
_ITEM_MAX_ELEMENTS = 150
_ITEM_MAX_TEXT = 600
# How far apart (levels above the items) two blocks of one list may start.
_CLUSTER_LEVELS = 4


def _classes(el: Any) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def _joined(el: Any) -> str:
    """The element's text as one string, inline tags glued, scripts left out."""
    parts: list[str] = []
    for node in el.iter():
        if not isinstance(node.tag, str) or node.tag in ("script", "style"):
            if node is not el and node.tail:
                parts.append(node.tail)
            continue
        if node.text:
            parts.append(node.text)
        if node is not el and node.tail:
            parts.append(node.tail)
    return "".join(parts)


def _is_template(el: Any) -> bool:
    return any(el.get(k) is not None for k in _TEMPLATE_ATTRS)


class _Furniture:
    """Memoised: is an element inside navigation, a footer or a side box?"""

    def __init__(self) -> None:
        self.memo: dict[Any, bool] = {}

    def own(self, el: Any) -> bool:
        if not isinstance(el.tag, str):
            return False
        if el.tag in _FURNITURE_TAGS or _is_template(el):
            return True
        if el.get("role") == "navigation" or (el.get("aria-label") or "") == "breadcrumb":
            return True
        # Hanweb marks menus ergodic="navigation", and its main container too,
        # which alone says role="main".
        if el.get("ergodic") == "navigation" and el.get("role") != "main":
            return True
        if el.tag not in _INLINE_TAGS and _FURNITURE.search(_classes(el)):
            return True
        # A box headed 相关文章 / 热点 …: its first elements name it.
        for child in list(el)[:3]:
            if not isinstance(child.tag, str) or child.tag not in _HEADING_TAGS:
                continue
            if child.tag[0] != "h" and not _BOX_HEADING_CLASS.search(_classes(child)):
                continue
            if len(child) > 3:
                continue
            text = clean_text(_joined(child))
            if text and len(text) <= 12 and _SIDE_HEADING.match(text):
                return True
        return False

    def __call__(self, el: Any) -> bool:
        chain = []
        node = el
        result = False
        while node is not None:
            if node in self.memo:
                result = self.memo[node]
                break
            chain.append(node)
            if self.own(node):
                result = True
                break
            node = node.getparent()
        for n in chain:
            self.memo[n] = result
        return result


@dataclass
class _Draft:
    el: Any
    anchor: Any
    title: str
    url: str
    date_text: str | None
    parsed: ParsedDate | None
    pinned: bool


def _small(el: Any) -> bool:
    return all(n <= _ITEM_MAX_ELEMENTS for n, _ in enumerate(el.iter(), 1))


def _nested_blocks(item: Any, anchor: Any) -> set[Any]:
    """Sub-lists inside an item (a 相关解读 popup) that do not hold its main link."""
    keep = set(anchor.iterancestors())
    return {el for el in item.iter("ul", "ol", "dl", "table") if el is not item and el not in keep}


def _inside(el: Any, blocks: set[Any], stop: Any) -> bool:
    node = el
    while node is not None and node is not stop:
        if node in blocks:
            return True
        node = node.getparent()
    return False


def _pinned(item: Any, blocks: set[Any]) -> bool:
    """A 置顶 marker in the item, or the item in a separate top block."""
    parent = item.getparent()
    if parent is not None and set(_classes(parent).lower().split()) & _PINNED_CLASS:
        return True
    for el in item.iter():
        if not isinstance(el.tag, str) or _inside(el, blocks, item):
            continue
        words = set(_classes(el).lower().split())
        if words & _PINNED_CLASS:
            return True
        for attr in ("alt", "title"):
            if "置顶" in (el.get(attr) or ""):
                return True
        if el is not item and "置顶" in (el.text or ""):
            return True
    return "置顶" in (item.text or "")


def _date_of(item: Any, anchor: Any, blocks: set[Any], url: str) -> tuple[str, ParsedDate] | None:
    """The item's date: an element whose joined text is a date, else one in its text."""
    lineage = set(anchor.iterancestors()) | {anchor}
    for el in item.iter():
        if not isinstance(el.tag, str) or el in lineage or _inside(el, blocks, item):
            continue
        if el.tag in ("script", "style", "a"):
            continue
        raw = _joined(el)
        if not raw.strip() or len(raw) > 40:
            continue
        found = parse_date(raw, url=url, whole=True)
        if found:
            return clean_text(raw), found
    # Loose text beside the link: "标题 2021-06-25", "[06-25]".
    rest = clean_text(_text_outside(item, blocks | {anchor}))
    if not rest:
        return None
    found = parse_date(rest, url=url, short=False)
    if found:
        return found.text, found
    m = _BRACKETED_SHORT.search(rest)
    if m:
        found = parse_date(m.group(1), url=url, whole=True)
        if found:
            return m.group(0), found
    return None


def _text_outside(item: Any, skip: set[Any]) -> str:
    """The item's text less the subtrees in ``skip``."""
    parts: list[str] = []

    def walk(el: Any) -> None:
        if el in skip or not isinstance(el.tag, str) or el.tag in ("script", "style"):
            return
        if el.text:
            parts.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(item)
    return " ".join(parts)


def _title(anchor: Any, date_text: str | None, date_el_text: str | None) -> str:
    text = clean_text(_joined(anchor))
    if date_el_text and text.endswith(date_el_text):
        text = text[: -len(date_el_text)].strip()
    attr = clean_text(anchor.get("title") or "")
    if attr and (not text or text.endswith(_TRUNCATED)):
        return attr
    return text


def _anchor_url(a: Any, base: str) -> str | None:
    href = a.get("href")
    if href is None:
        return None
    kind, url = classify_href(href, base)
    return url if kind == "http" else None


def _item_for(a: Any, url: str, furniture: _Furniture) -> _Draft | None:
    """The smallest item-like ancestor of a link that also holds its date."""
    nearest = None
    node = a.getparent()
    for _ in range(4):
        if node is None or furniture(node):
            break
        if node.tag in ITEM_TAGS:
            if not _small(node):
                break
            others = [
                x
                for x in node.iter("a")
                if x is not a
                and x.get("href")
                and x.get("href") != a.get("href")
                and len(clean_text(_joined(x))) > 8
            ]
            blocks = _nested_blocks(node, a)
            if [x for x in others if not _inside(x, blocks, node)]:
                break  # holds another document's link: a container
            if len(clean_text(_joined(node))) > _ITEM_MAX_TEXT:
                break
            if nearest is None:
                nearest = (node, blocks)
            dated = _date_of(node, a, blocks, url)
            if dated:
                text, parsed = dated
                return _Draft(
                    node, a, _title(a, text, text), url, text, parsed, _pinned(node, blocks)
                )
        node = node.getparent()
    if nearest is None:
        return None
    el, blocks = nearest
    return _Draft(el, a, _title(a, None, None), url, None, None, _pinned(el, blocks))


def _ancestors(el: Any, levels: int) -> dict[Any, int]:
    out = {}
    node = el.getparent()
    for d in range(1, levels + 1):
        if node is None:
            break
        out[node] = d
        node = node.getparent()
    return out


def _same_list(prev: _Draft, cur: _Draft) -> bool:
    if prev.el.tag != cur.el.tag:
        return False
    up = _ancestors(prev.el, _CLUSTER_LEVELS)
    node = cur.el.getparent()
    for d in range(1, _CLUSTER_LEVELS + 1):
        if node is None:
            return False
        if node in up:
            return max(d, up[node]) <= _CLUSTER_LEVELS
        node = node.getparent()
    return False


def _list_like(el: Any) -> bool:
    node = el.getparent()
    for _ in range(3):
        if node is None:
            return False
        if _LIST_CLASS.search(_classes(node)) or node.get("role") == "viewlist":
            return True
        node = node.getparent()
    return False


def _best_cluster(drafts: list[_Draft]) -> list[_Draft]:
    clusters: list[list[_Draft]] = []
    for d in drafts:
        if clusters and _same_list(clusters[-1][-1], d):
            clusters[-1].append(d)
        else:
            clusters.append([d])
    best: list[_Draft] = []
    best_key = (0, 0, 0)
    for c in clusters:
        # Undated links join a list only beside dated ones, as its siblings.
        dated = [d for d in c if d.parsed]
        if dated:
            parents = {d.el.getparent() for d in dated}
            c = [d for d in c if d.parsed or d.el.getparent() in parents]
        if len(c) < 2 or len({d.url for d in c}) < len(c) * 0.8:
            continue
        if len(dated) >= 2 and len(dated) * 2 >= len(c):
            key = (1, len(c), len(dated))
        elif not dated and len(c) >= 3 and all(_list_like(d.el) for d in c):
            key = (0, len(c), 0)
        else:
            continue
        if key > best_key:
            best, best_key = c, key
    return best


def _resolve_years(
    drafts: list[_Draft], page_date: dt.date | None, as_of: dt.date | None
) -> list[ParsedDate | None]:
    """Dates of the items, the year-less ones given a year from their neighbours."""
    out: list[ParsedDate | None] = [d.parsed for d in drafts]
    known = [p.date for p in out if p and p.date and p.year_from in ("text", "url")]
    descending = all(a >= b for a, b in itertools.pairwise(known))
    for i, d in enumerate(drafts):
        p = out[i]
        if p is None or p.iso is not None or d.date_text is None:
            continue
        prev = next((q.date for q in reversed(out[:i]) if q and q.date), None)
        following = next((q.date for q in out[i + 1 :] if q and q.date), None)
        ctx = prev or following or page_date
        if ctx is None:
            continue
        not_after = prev if (prev and descending) else page_date
        raw = d.parsed.text if d.parsed else d.date_text
        out[i] = parse_date(raw, year=ctx.year, as_of=as_of, not_after=not_after, whole=True)
    return out


def _column(
    sel_root: Any, meta: dict[str, Any], first: Any | None
) -> tuple[str | None, str | None]:
    name = meta.get("column_name")
    if name:
        return str(name), "meta"
    for el in sel_root.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style"):
            continue
        if (el.get("aria-label") or "") == "breadcrumb" or _BREADCRUMB.search(_classes(el)):
            anchors = [clean_text(_joined(a)) for a in el.iter("a")]
            anchors = [t for t in anchors if t]
            if anchors:
                return anchors[-1], "breadcrumb"
    node = first
    for _ in range(5):
        if node is None:
            break
        sib = node.getprevious()
        for _ in range(3):
            if sib is None:
                break
            if isinstance(sib.tag, str) and (
                sib.tag in ("h1", "h2", "h3", "h4") or _COLUMN_HEADING.search(_classes(sib))
            ):
                text = clean_text(_joined(sib))
                if 1 < len(text) <= 20:
                    return text, "heading"
            sib = sib.getprevious()
        node = node.getparent()
    return None, None


def _placeholder(root: Any, furniture: _Furniture) -> str | None:
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "title"):
            continue
        text = clean_text(el.text or "")
        if text and PLACEHOLDER_RE.match(text) and not _furniture_outside_templates(el, furniture):
            return text
    return None


def _furniture_outside_templates(el: Any, furniture: _Furniture) -> bool:
    # A placeholder may sit in a template block (ms-if="error"); only real
    # furniture (menus, footers, side boxes) disqualifies it.
    node = el
    while node is not None:
        if isinstance(node.tag, str) and (
            node.tag in _FURNITURE_TAGS
            or _FURNITURE.search(_classes(node))
            or node.get("role") == "navigation"
        ):
            return True
        node = node.getparent()
    return False


def _template_list(root: Any, furniture: _Furniture) -> bool:
    """An Avalon/Vue repeat whose items link by a bound href: a script-filled list."""
    for el in root.iter():
        if not isinstance(el.tag, str) or not _is_template(el):
            continue
        if _furniture_outside_templates(el, furniture):
            continue
        for a in el.iter("a"):
            if any(a.get(k) for k in _TEMPLATE_HREFS):
                return True
    return False


_DETAIL_BODIES = etree.XPath(
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' TRS_Editor ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' trs_editor_view ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' article_content ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' article-content ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' bt-content ')"
    " or @id='zoom' or @id='UCAP-CONTENT' or @id='zoomcon']"
)


def _is_detail(root: Any, meta: dict[str, Any]) -> bool:
    """A document page: an article title of its own, or a document body."""
    title = meta.get("article_title")
    names = {meta.get("column_name"), meta.get("site_name")}
    if title and title not in names:
        return True
    return bool(_DETAIL_BODIES(root)) if hasattr(root, "xpath") else False


def _page_date(meta: dict[str, Any]) -> dt.date | None:
    for key in ("publish_date", "pub_date_meta"):
        p = parse_date(str(meta.get(key) or ""), short=False)
        if p and p.date:
            return p.date
    return None


def _drafts_from(root: Any, base: str, furniture: _Furniture) -> list[_Draft]:
    drafts: list[_Draft] = []
    seen: set[Any] = set()
    for a in root.iter("a"):
        url = _anchor_url(a, base)
        if url is None or not (clean_text(_joined(a)) or a.get("title")):
            continue
        if furniture(a):
            continue
        d = _item_for(a, url, furniture)
        if d is None or d.el in seen or not d.title:
            continue
        seen.add(d.el)
        drafts.append(d)
    return drafts


def _items(drafts: list[_Draft], dates: list[ParsedDate | None]) -> list[ListItem]:
    items = []
    for i, (d, p) in enumerate(zip(drafts, dates, strict=True)):
        items.append(
            ListItem(
                title=d.title,
                url=d.url,
                date_text=d.date_text,
                date=p.iso if p else None,
                date_precision=p.precision if p and p.iso else None,
                position=i,
                pinned=d.pinned,
                year_from=p.year_from if p and p.iso else None,
            )
        )
    return items


def _hanweb_page(hanweb: list[HanwebList], base: str, furniture: _Furniture) -> list[_Draft]:
    # PC and mobile units often repeat the same records: the fullest one.
    best: list[_Draft] = []
    for hl in hanweb:
        drafts: list[_Draft] = []
        for frag in hl.records_html:
            root = Selector(text=f"<html><body><ul>{frag}</ul></body></html>").root
            found = _drafts_from(root, base, _Furniture())
            drafts.extend(found[:1])
        if len(drafts) > len(best):
            best = drafts
    return best


def list_facts(lp: ListPage) -> dict[str, Any]:
    """The list-level facts stored as the page's ``meta["list"]``."""
    return {
        "column": lp.column,
        "column_from": lp.column_from,
        "source": lp.source,
        "dynamic": lp.dynamic,
        "blank": lp.blank,
        "placeholder": lp.placeholder,
        "total": lp.total,
    }


def list_rows(items: list[ListItem], column: str | None, offset: int = 0) -> list[dict[str, Any]]:
    """Items as ``list_items`` rows (the store adds the run, site and page)."""
    return [
        {
            "column": column,
            "position": offset + it.position,
            "title": it.title,
            "url": it.url,
            "date": it.date,
            "date_text": it.date_text,
            "date_precision": it.date_precision,
            "pinned": it.pinned,
        }
        for it in items
    ]


def records_list(
    records_html: list[str], base: str, as_of: dt.date | None = None
) -> list[ListItem]:
    """The items of Hanweb jpage records loaded from its data proxy (a later
    page of a list whose first records the page itself holds)."""
    records = [scrub(r) for r in records_html]
    drafts = _hanweb_page([HanwebList(records, None)], base, _Furniture())
    return _items(drafts, _resolve_years(drafts, None, as_of))


def extract_list(
    sel: Selector,
    base: str,
    meta: dict[str, Any],
    hanweb: list[HanwebList] | None = None,
    scripts: list[str] | None = None,
    as_of: dt.date | None = None,
) -> ListPage | None:
    """The column list of a page, or ``None`` when the page is not a list page."""
    root = sel.root
    if not hasattr(root, "iter") or _is_detail(root, meta):
        return None
    furniture = _Furniture()
    page_date = _page_date(meta)
    script_text = " ".join(scripts or [])
    total_m = _RECORD_COUNT.search(script_text)
    total = int(total_m.group(1)) if total_m else None
    source = "static"
    drafts: list[_Draft] = []
    if hanweb:
        drafts = _hanweb_page(hanweb, base, furniture)
        if drafts:
            source = "hanweb"
            jpage = _JPAGE_TOTAL.search(script_text)
            if jpage:
                total = int(jpage.group(1))
            else:
                total = next((hl.total for hl in hanweb if hl.total is not None), total)
    if not drafts:
        drafts = _best_cluster(_drafts_from(root, base, furniture))
    placeholder = _placeholder(root, furniture)
    if drafts:
        dates = _resolve_years(drafts, page_date, as_of)
        column, column_from = _column(root, meta, drafts[0].el)
        return ListPage(
            column=column,
            column_from=column_from,
            items=_items(drafts, dates),
            source=source,
            placeholder=placeholder,
            total=total,
        )
    jpaas = any(
        _JPAAS.search(" ".join(str(v) for v in el.attrib.values()))
        for el in root.iter("script")
        if isinstance(el.tag, str)
    )
    hanweb_pending = bool(hanweb) and any((hl.total or 0) > 0 for hl in hanweb or [])
    dynamic_source: str | None = None
    if jpaas:
        dynamic_source = "jpaas"
    elif hanweb_pending:
        dynamic_source = "hanweb"
    elif _template_list(root, furniture):
        dynamic_source = "template"
    if dynamic_source is None and placeholder is None:
        return None
    column, column_from = _column(root, meta, None)
    return ListPage(
        column=column,
        column_from=column_from,
        items=[],
        source=dynamic_source or "static",
        dynamic=dynamic_source is not None,
        blank=dynamic_source is None,
        placeholder=placeholder,
        total=total,
    )
