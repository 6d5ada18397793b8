"""A site's identity marks as its page footer shows them.

《政府网站发展指引》 asks every government site to show, at the foot of its
pages, the 网站标识码, the ICP备案编号, the 公安机关备案号 and the 党政机关网站
标识 (the conac.cn badge). The stored page text is only the main text, so the
marks are read here, at parse time, from the footer region (a ``<footer>``
or an element named footer / foot / bottom / copyright …) and the last text
of the page outside the document's own body, and from the ``SiteIDCode``
meta tag.

Values are kept as printed: judging them (a code of the wrong length, a
missing mark) is the ``identity`` check's work. When no mark is printed and
the footer is written by script (``document.write``, a Hanweb common unit,
an empty container filled by JS), ``footer_scripted`` says so: a mark that
may be there in a browser is unverified, not missing.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, urlsplit

from lxml import etree
from parsel import Selector

from zwgk.crawler.extract.text import _xpath, clean_text

# A 网站标识码 is only taken behind its label: a bare ten-digit number in a
# footer is as likely a phone number or an account.
_SITE_CODE = re.compile(r"网站(?:标识|识别)码\s*[:：]?\s*([0-9A-Za-z]+)")
# ICP备 only: "京ICP证030173号" is a company's telecom licence, not a filing.
_ICP = re.compile(
    r"[\u4e00-\u9fff]\s*ICP\s*备\s*[0-9]{4,12}\s*号(?:\s*[-－—–]\s*[0-9]{1,3})?", re.I
)
_POLICE = re.compile(
    r"[\u4e00-\u9fff]\s*公网安备\s*[:：]?\s*[0-9]{6,20}\s*号?"
    r"|(?:公安机关备案|公安备案|公网安备案|网安备案)(?:编?号)?\s*[:：]?\s*[0-9][0-9-]{5,24}"
)
# The badge's own hosts (also behind an IPv6 proxy, "bszs-conac-cn…"); a link
# to www.conac.cn, 中国机构编制网, is not the badge.
_CONAC = re.compile(r"(?:dcs|bszs)[.-]conac[.-]cn", re.I)
_CONAC_URL = re.compile(r"""[^\s'"()<>]*(?:dcs|bszs)[.-]conac[.-]cn[^\s'"()<>]*""", re.I)
_BADGE_ALT = re.compile(r"党政机关")

_FOOTER_TOKEN = re.compile(
    r"footer|(?<![a-z])foot(?![a-z])|^(?:bottom|dibu|bqxx|banquan)(?![a-z])|copyright", re.I
)
# Containers that hold only the document's own text; the generic ones
# (.content, article, #content) may wrap the page footer and all.
_BODY_CLASSES = frozenset(
    {"TRS_Editor", "trs_editor_view", "article_content", "article-content", "bt-content", "zw"}
)
_BODY_IDS = frozenset({"zoom", "UCAP-CONTENT", "zoomcon"})
_FOOTER_WORDS = ("foot", "bottom", "dibu", "bqxx", "banquan", "copyright")
# The page's last text nodes: enough of them to keep _TAIL_TEXTS outside the
# document body and the footers, without walking the whole page in Python.
_LAST_TEXTS = etree.XPath(
    "(//body//text()[not(ancestor::script) and not(ancestor::style)"
    " and not(ancestor::noscript) and normalize-space()])[position() > last() - 200]"
)
_UPPER, _LOWER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"
_CONAC_ATTRS = etree.XPath(
    f"//@href[contains(translate(., '{_UPPER}', '{_LOWER}'), 'conac')]"
    f" | //@src[contains(translate(., '{_UPPER}', '{_LOWER}'), 'conac')]",
    smart_strings=False,
)
_VISIBLE = etree.XPath(
    ".//text()[not(ancestor::script) and not(ancestor::style)]", smart_strings=False
)
_SCRIPTS = etree.XPath("//script")
_META_SITE_CODE = etree.XPath(
    "//meta[translate(@name, 'SITEIDCODE', 'siteidcode')='siteidcode']/@content"
)
# Text nodes at the end of the page that count as its foot when no footer
# container holds the marks.
_TAIL_TEXTS = 40
# A footer container with less text than this is filled in by script.
_EMPTY_FOOTER = 5
# Script sources that write a footer: a named footer script, or a Hanweb
# "common unit" (/script/0/<id>.js), which carries the footer on most sites.
_FOOTER_SCRIPT_SRC = re.compile(
    r"foot|bottom|dibu|copyright|(?:^|/)script/0/[0-9]+\.js(?:$|\?)", re.I
)
_WRITES_FOOTER = re.compile(r"标识码|ICP|公网安备|版权所有|footer|(?<![a-z])foot(?![a-z])", re.I)
_WRITES = re.compile(r"document\.write|\.load\s*\(|\.html\s*\(|innerHTML", re.I)
# Where a home page may live: the root of its host.
_HOME_PATH = re.compile(r"^/?(?:(?:index|default|main|portal)\.[a-z]{2,5})?$", re.I)


def _path(url: str) -> str | None:
    """The path of a URL; ``None`` for one that will not parse ("http://[")."""
    try:
        return urlsplit(url.strip()).path
    except ValueError:
        return None


def home_candidate(url: str) -> bool:
    """Whether ``url`` could be a site's home page (the root of its host)."""
    path = _path(url)
    return path is not None and bool(_HOME_PATH.match(path))


_NOT_FOOTER = frozenset({"html", "head", "body", "meta", "link", "script", "style"})


def _is_footer(el: Any) -> bool:
    if el.tag == "footer":
        return True
    words = f"{el.get('class') or ''} {el.get('id') or ''}".split()
    return any(_FOOTER_TOKEN.search(w) for w in words)


def _regions(root: Any) -> tuple[list[Any], set[Any]]:
    """The outermost footer containers outside the document's own body, and
    the document body containers; one walk over the elements."""
    candidates: list[Any] = []
    bodies: set[Any] = set()
    for el in root.iter():
        tag = el.tag
        if not isinstance(tag, str) or tag in _NOT_FOOTER:
            continue
        cls, ident = el.get("class"), el.get("id")
        if cls is None and ident is None and tag != "footer":
            continue
        if (cls and not _BODY_CLASSES.isdisjoint(cls.split())) or ident in _BODY_IDS:
            bodies.add(el)
        words = f"{cls or ''} {ident or ''}".lower()
        if tag == "footer" or any(w in words for w in _FOOTER_WORDS):
            candidates.append(el)
    chosen: set[Any] = set()
    footers: list[Any] = []
    for el in candidates:
        if not _is_footer(el):
            continue
        ancestors = set(el.iterancestors())
        if ancestors & chosen or ancestors & bodies or el in bodies:
            continue
        chosen.add(el)
        footers.append(el)
    return footers, bodies


def _tail(root: Any, bodies: set[Any], footers: list[Any]) -> list[str]:
    """The last text nodes of the page outside the document body and the footers."""
    skip = bodies | set(footers)
    # Whether an element lies in a skipped region, remembered along each path
    # climbed: text nodes share their ancestors.
    inside: dict[Any, bool] = {el: True for el in skip}
    texts: list[str] = []
    for t in _xpath(_LAST_TEXTS, root):
        path: list[Any] = []
        node = t.getparent()
        while node is not None and node not in inside:
            path.append(node)
            node = node.getparent()
        verdict = inside.get(node, False) if node is not None else False
        for el in path:
            inside[el] = verdict
        if verdict or (not path and node is None):
            continue
        s = clean_text(str(t))
        if s:
            texts.append(s)
    return texts[-_TAIL_TEXTS:]


def _badge(root: Any, footers: list[Any], scripts: list[Any]) -> str | None:
    for value in _xpath(_CONAC_ATTRS, root):
        if _CONAC.search(value):
            return str(value).strip()[:200]
    for script in scripts:
        code = unquote(script.text or "")
        m = _CONAC_URL.search(code)
        if m:
            return m.group(0)[:200]
    # The badge image without its link, as some copies of the template have it;
    # only in the footer: a photo in a news item may well be alt="党政机关…".
    for footer in footers:
        for img in footer.iter("img"):
            label = f"{img.get('alt') or ''} {img.get('title') or ''}"
            if _BADGE_ALT.search(label):
                return clean_text(label)[:200]
        for el in footer.iter():
            if (
                isinstance(el.tag, str)
                and el.get("id") == "_ideConac"
                and el.find(".//img") is not None
            ):
                return "_ideConac"
    return None


def _footer_scripted(footers: list[Any], scripts: list[Any]) -> bool:
    if not scripts:
        return False
    for footer in footers:
        if footer.tag not in ("footer", "div", "section"):
            continue
        text = clean_text(" ".join(_xpath(_VISIBLE, footer)))
        if len(text) < _EMPTY_FOOTER:
            return True
    for script in scripts:
        src = script.get("src")
        if src:
            if _FOOTER_SCRIPT_SRC.search(_path(src) or ""):
                return True
            continue
        code = script.text or ""
        if _WRITES.search(code) and _WRITES_FOOTER.search(code):
            return True
    return False


def _site_code(text: str) -> str | None:
    m = _SITE_CODE.search(text)
    if not m:
        return None
    # "3501280001ICP备…" printed without a space: the code ends before ICP.
    code = re.sub(r"(?i)icp.*$", "", m.group(1))
    return code or None


def extract_identity(sel: Selector, url: str) -> dict[str, Any]:
    """The identity marks of the page: the keys found, or ``{}``.

    Keys: ``site_code`` (the 网站标识码 printed in the footer, as printed),
    ``site_code_meta`` (the ``SiteIDCode`` meta tag), ``icp``, ``police``,
    ``dzjg_badge`` (the badge's URL or image label) and ``footer_scripted``.
    """
    root = sel.root
    if not isinstance(getattr(root, "tag", None), str):
        return {}
    footers, bodies = _regions(root)
    parts = [clean_text(" ".join(_xpath(_VISIBLE, f))) for f in footers]
    parts.extend(_tail(root, bodies, footers))
    region = " ".join(p for p in parts if p)
    out: dict[str, Any] = {}
    code = _site_code(region)
    if code:
        out["site_code"] = code
    meta_code = [clean_text(str(v)) for v in _xpath(_META_SITE_CODE, root)]
    if meta_code and meta_code[0]:
        out["site_code_meta"] = meta_code[0][:40]
    for key, pattern in (("icp", _ICP), ("police", _POLICE)):
        m = pattern.search(region)
        if m:
            out[key] = clean_text(m.group(0))
    scripts = _xpath(_SCRIPTS, root)
    badge = _badge(root, footers, scripts)
    if badge:
        out["dzjg_badge"] = badge
    if not all(k in out for k in ("site_code", "icp", "police")) and _footer_scripted(
        footers, scripts
    ):
        out["footer_scripted"] = True
    return out
