"""Text normalisation: titles and 文号 reduced to what two spellings share."""

from __future__ import annotations

import difflib
import re

_WS = re.compile(r"[\s\u3000\xa0]+")
# Everything that is not a letter, digit or CJK character: titles are compared
# without punctuation, brackets and spaces.
_PUNCT = re.compile(r"[^0-9A-Za-z\u4e00-\u9fff]+")
_QUOTED = re.compile(r"《([^《》]{2,120})》")
_TRAILING_NOTE = re.compile(
    r"[（(](?:试行|暂行|修订|修正|草案|[^（）()]{0,12}年[^（）()]{0,6})[)）]$"
)
_ISSUER = re.compile(r"^(.{2,40}?)关于")
_DIGITS = re.compile(r"\d+")
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_BRACKETS = str.maketrans("〔［[（(【〕］])）】", "〔〔〔〔〔〔〕〕〕〕〕〕")
_HEADING = re.compile(
    r"(?:^|(?<=\s))(?:第[一二三四五六七八九十百零〇]+[章节]|[一二三四五六七八九十]+、|"
    r"（[一二三四五六七八九十]+）)\s*([^\s。；;：:！!？?，,]{2,20})(?=[\s。；;：:]|$)"
)
_PLACE = re.compile(r"^(.{2,12}?(?:自治区|自治州|省|市|州|盟|县|区|旗))")


def squash(text: str) -> str:
    return _WS.sub("", text)


def norm(text: str) -> str:
    """Letters, digits and CJK only: what two spellings of one title share."""
    return _PUNCT.sub("", text.translate(_FULLWIDTH))


def norm_doc_number(value: str) -> str:
    """寒政规［2026］第1号 and 寒政规〔2026〕1号 are one number."""
    return squash(value).translate(_FULLWIDTH).translate(_BRACKETS).replace("〕第", "〕")


def strip_note(title: str) -> str:
    t = squash(title)
    while True:
        stripped = _TRAILING_NOTE.sub("", t)
        if stripped == t:
            return t
        t = stripped


def _strip_core(text: str) -> str:
    # The issuer and 关于 go too: 《X市人民政府关于…的意见》 names the same
    # document as its title without 《》.
    t = re.sub(r"^.{0,40}?关于", "", text)
    t = re.sub(r"^(?:印发|转发|出台|公布)", "", t)
    return re.sub(r"的(?:通知|决定|函|通告|公告)$", "", t)


def policy_cores(title: str) -> list[str]:
    """Normalised names a document goes by: what its 《》 hold, else its title
    without issuer, 关于, 印发 and 的通知."""
    t = strip_note(title)
    quoted = [norm(_strip_core(q)) for q in _QUOTED.findall(t)]
    if quoted:
        return [q for q in quoted if q]
    core = norm(_strip_core(t))
    return [core] if core else []


_INTERP_WORDS = re.compile(
    r"^(?:政策)?(?:解读|一[图文](?:读懂|看懂|了解|速览)|图解|图说|问答)|"
    r"(?:的)?(?:政策)?(?:解读|问答|图解)(?:材料|稿)?$"
)


def interpretation_cores(title: str) -> list[str]:
    t = strip_note(title)
    quoted = [norm(_strip_core(q)) for q in _QUOTED.findall(t)]
    if quoted:
        return [q for q in quoted if q]
    t = norm(t)
    for _ in range(3):
        t = _strip_core(_INTERP_WORDS.sub("", t))
    return [t] if t else []


def title_score(a: str, b: str) -> float:
    """Similarity of two normalised cores; numbers (years, editions) must agree
    so that the 2026 要点 never matches the 2025 one."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    if _DIGITS.findall(a) != _DIGITS.findall(b):
        return 0.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
