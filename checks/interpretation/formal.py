"""How much an interpretation repeats its policy: copied text and headings (流于形式)."""

from __future__ import annotations

from typing import Any

from zwgk.checks.interpretation.rules import FormalRules
from zwgk.checks.interpretation.text import _HEADING, norm


def policy_headings(text: str) -> list[str]:
    seen: dict[str, None] = {}
    for h in _HEADING.findall(text):
        n = norm(h)
        if len(n) >= 2:
            seen.setdefault(n, None)
    return list(seen)


def overlap(policy: str, interp: str, headings: list[str], fr: FormalRules) -> dict[str, Any]:
    """How much of ``interp`` repeats ``policy``: characters inside runs of
    ``shingle_chars`` found verbatim in the policy, plus repeated headings.
    Both texts are compared without punctuation and spaces, so reformatting
    (（一）… 。 for 一、…) does not hide a copy."""
    a, b = norm(interp), norm(policy)
    k = fr.shingle_chars
    covered = [False] * len(a)
    shingles = {b[i : i + k] for i in range(len(b) - k + 1)}
    for i in range(len(a) - k + 1):
        if a[i : i + k] in shingles:
            for j in range(i, i + k):
                covered[j] = True
    repeated = []
    for h in headings:
        start = a.find(h)
        if start >= 0:
            repeated.append(h)
            while start >= 0:
                for j in range(start, start + len(h)):
                    covered[j] = True
                start = a.find(h, start + len(h))
    copied = sum(covered)
    ratio = copied / len(a) if a else 0.0
    own = len(a) - copied
    h_ratio = len(repeated) / len(headings) if headings else 0.0
    formal = bool(a) and (
        ratio >= fr.copy_ratio
        or (
            len(headings) >= fr.min_headings
            and h_ratio >= fr.headings_ratio
            and own < fr.min_own_chars
        )
    )
    return {
        "copy_ratio": round(ratio, 3),
        "copied_chars": copied,
        "own_chars": own,
        "interpretation_chars": len(a),
        "headings": len(headings),
        "headings_repeated": len(repeated),
        "headings_examples": repeated[:6],
        "longest_copied": _longest_runs(a, covered)[:2],
        "formal": formal,
    }


def _longest_runs(a: str, covered: list[bool]) -> list[str]:
    runs, start = [], None
    for i, c in enumerate([*covered, False]):
        if c and start is None:
            start = i
        elif not c and start is not None:
            runs.append(a[start:i])
            start = None
    runs.sort(key=len, reverse=True)
    return [r if len(r) <= 60 else r[:60] + "…" for r in runs]
