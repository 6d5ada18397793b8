"""Finding the policy an interpretation names: by URL, 文号 or similar titles."""

from __future__ import annotations

import datetime as dt
import difflib
from collections import defaultdict
from typing import Any

from zwgk.checks.interpretation.documents import Match, Policy
from zwgk.checks.interpretation.text import _DIGITS, norm_doc_number
from zwgk.vocab import DOC_NUMBER_RE


class _Index:
    """Policy documents by URL, normalised name and 文号, built once per site."""

    def __init__(self, policies: list[Policy], min_core_chars: int) -> None:
        self.by_url = {u: pol for pol in policies for u in pol.urls}
        self.cores = [(c, pol) for pol in policies for c in pol.cores]
        self.by_core: dict[str, list[Policy]] = defaultdict(list)
        for c, pol in self.cores:
            if len(c) >= min_core_chars:
                self.by_core[c].append(pol)
        # Keyed by the part from the bracket on (〔2025〕6号): what precedes
        # it in running text ("根据云政发…") is not part of the number.
        self.by_number: dict[str, list[tuple[str, Policy]]] = defaultdict(list)
        for pol in policies:
            if pol.doc_number:
                number = norm_doc_number(pol.doc_number)
                self.by_number[_number_key(number)].append((number, pol))

    def cited_numbers(self, text: str, every: bool = False) -> list[Policy]:
        """Policies whose 文号 ``text`` cites, once each (or once per citation)."""
        out: list[Policy] = []
        for m in DOC_NUMBER_RE.finditer(text):
            cited = norm_doc_number(m.group(0))
            for number, pol in self.by_number.get(_number_key(cited), []):
                if cited.endswith(number) and (every or pol not in out):
                    out.append(pol)
        return out


def _number_key(number: str) -> str:
    i = number.find("〔")
    return number[i:] if i >= 0 else number


def best_scores(
    core: str, candidates: list[tuple[str, Any]], threshold: float
) -> list[tuple[float, Any]]:
    """``(score, item)`` of the candidates whose core scores at least ``threshold``.

    difflib's cheap upper bounds skip most pairs: a site has thousands of
    documents and every interpretation is compared with each."""
    out = []
    sm = difflib.SequenceMatcher(None, autojunk=False)
    sm.set_seq2(core)
    digits = _DIGITS.findall(core)
    for other, item in candidates:
        if other == core:
            out.append((1.0, item))
            continue
        if not other or _DIGITS.findall(other) != digits:
            continue
        sm.set_seq1(other)
        if sm.real_quick_ratio() < threshold or sm.quick_ratio() < threshold:
            continue
        score = sm.ratio()
        if score >= threshold:
            out.append((score, item))
    return out


def _match_order(m: Match) -> tuple[int, dt.date, str]:
    rank = {"link": 0, "doc_number": 1, "title": 2, "body": 3}[m.method]
    return (rank, m.interp.date or dt.date.max, m.interp.url)
