"""The disclosure metadata (索引号, 文号, dates …) from meta tags and label runs."""

from __future__ import annotations

import re
from typing import Any

from lxml import etree
from parsel import Selector
from parsel.csstranslator import HTMLTranslator

from zwgk.crawler.extract.dates import _ASCII_DIGITS
from zwgk.crawler.extract.text import _ALL_TEXT, _texts, _xpath, clean_text
from zwgk.vocab import DOC_NUMBER_RE

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
    m = DATE_RE.search(value.translate(_ASCII_DIGITS))
    if not m:
        return None
    y, mo, d = (int(g) for g in m.groups())
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


_META_TAGS = etree.XPath("//meta[@name and @content]")
_TH_BESIDE_TD = etree.XPath("//th[following-sibling::*[1][self::td]]")
_NEXT_TD_TEXT = etree.XPath("following-sibling::td[1]//text()", smart_strings=False)
_H1_TEXT = etree.XPath("(//h1)[1]//text()", smart_strings=False)
_TITLE_TEXT = etree.XPath("//title//text()", smart_strings=False)


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


# -- page facts beyond the metadata table ---------------------------------------

_VISIBLE_TITLES = tuple(
    etree.XPath(HTMLTranslator().css_to_xpath(css))
    for css in (
        ".article_title",
        ".article-title",
        "h1",
        ".detail_title",
        ".detail-title",
        ".con-title",
        ".con_title",
        ".xl_title",
        ".title",
        "#title",
        ".tit",
    )
)
_SITE_NAME = etree.XPath("//meta[translate(@name, 'SITENAME', 'sitename')='sitename']/@content")
_BANNER = re.compile(r"logo|header|banner|(?<![a-z])head(?![a-z])")
# 来源 opening a text run, or inside a short header run ("发布时间：… 来源：…").
_SOURCE_RE = re.compile(r"(?:^|\s)(?:信息|文章|稿件|新闻)?来\s*源\s*[:：]\s*(.*)$", re.S)
_TIME_RE = re.compile(
    r"^(?:发布时间|发布日期|发表时间|更新时间|时\s*间|日\s*期)\s*[:：]\s*(.*)$", re.S
)
# Where the 来源 value ends when the header runs on in one text node.
_NEXT_FIELD = re.compile(
    r"\s*(?:发布时间|发布日期|时\s*间|日\s*期|作\s*者|浏览|访问量|点击|字号|【|\[|打印|分享)"
)
_CN_DATE_LINE = re.compile(
    r"^[（(]?\s*((?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*[）)]?$"
)
_ISSUER_END = re.compile(
    r"(委员会|人民政府|政府|管委会|办公室|办公厅|委|局|厅|部|署|院|会|中心|处|所|站|队|"
    r"公司|集团|协会|室|组|社|馆|办)$"
)
_ISSUER_AND_DATE = re.compile(
    r"^(\S.{1,38}?)\s*((?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)$"
)


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def names_only(title: str | None, column: str | None, site: str | None) -> bool:
    """Whether a title is only a column and/or site name ("栏目_站点")."""
    if not title:
        return True
    names = {_squash(n) for n in (column, site) if n}
    if not names:
        return False
    parts = [_squash(p) for p in re.split(r"[_|｜\-—]+|\s[-|｜]\s", title) if p.strip()]
    return bool(parts) and all(p in names for p in parts)


def _in_banner(node: Any) -> bool:
    """A heading in the page's banner (the site logo), not the document's."""
    for _ in range(4):
        if node is None:
            return False
        words = f"{node.get('class') or ''} {node.get('id') or ''}".lower()
        if _BANNER.search(words):
            return True
        node = node.getparent()
    return False


def visible_title(sel: Selector, column: str | None, site: str | None) -> str | None:
    """The document's title as the page shows it (div.article_title, h1, .title …)."""
    root = sel.root
    for query in _VISIBLE_TITLES:
        for node in _xpath(query, root)[:3]:
            if _in_banner(node):
                continue
            text = clean_text(" ".join(_xpath(_ALL_TEXT, node)))
            if 4 <= len(text) <= 200 and not names_only(text, column, site):
                return text
    return None


def site_name(sel: Selector) -> str | None:
    values = _xpath(_SITE_NAME, sel.root)
    return clean_text(str(values[0])) or None if values else None


def _labelled_value(texts: list[str], pattern: re.Pattern[str]) -> str | None:
    for i, t in enumerate(texts[:400]):
        m = pattern.search(t) if len(t) <= 120 else None
        if not m:
            continue
        value = m.group(1).strip()
        if not value and i + 1 < len(texts):
            value = texts[i + 1]
        if value:
            return value
    return None


def _source(sel: Selector, texts: list[str]) -> str | None:
    value = _labelled_value(texts, _SOURCE_RE)
    if value is None:
        return None
    cut = _NEXT_FIELD.search(value)
    if cut and cut.start() > 0:
        value = value[: cut.start()]
    value = value.strip(" ：:|｜")
    if not value or len(value) > 60 or value.lower().startswith("http"):
        return None
    return value


def signature_date(lines: list[str]) -> str | None:
    """成文日期 from a signature: an issuer line, then a line that is only a date."""
    for i, line in enumerate(lines):
        m = _CN_DATE_LINE.match(line)
        if m and i > 0:
            issuer = _squash(lines[i - 1])
            if 2 <= len(issuer) <= 40 and _ISSUER_END.search(issuer):
                return normalise_date(m.group(1))
        both = _ISSUER_AND_DATE.match(line)
        if both and _ISSUER_END.search(_squash(both.group(1))) and len(both.group(1)) <= 40:
            return normalise_date(both.group(2))
    return None


def page_facts(sel: Selector, meta: dict[str, Any], body_lines: list[str]) -> dict[str, Any]:
    """Facts of a document page that no metadata table gave: the keys to add or
    replace in ``meta`` (visible title, 来源 as publisher, 成文日期 from the
    signature in ``body_lines``, publish date from a 时间： header).
    """
    out: dict[str, Any] = {}
    column = meta.get("column_name")
    site = site_name(sel)
    article = meta.get("article_title")
    if not article or names_only(article, column, site):
        current = meta.get("doc_title")
        title = visible_title(sel, column, site)
        if title and title != current:
            out["doc_title"] = title
            out["doc_title_from"] = "visible"
    texts = _texts(sel)
    if "publisher" not in meta:
        source = _source(sel, texts)
        if source:
            out["publisher"], out["publisher_from"] = source, "来源"
        elif meta.get("content_source"):
            out["publisher"], out["publisher_from"] = meta["content_source"], "ContentSource"
    if "written_date" not in meta:
        written = signature_date(body_lines)
        if written:
            out["written_date"], out["written_date_from"] = written, "signature"
    if "publish_date" not in meta:
        value = _labelled_value(texts, _TIME_RE)
        published = normalise_date(value)
        if published:
            out["publish_date"] = published
    return out
