"""Compare our extraction with the archive's on the real pages of the shared corpus.

Usage: python scripts/corpus_report.py [CORPUS_DIR]

CORPUS_DIR defaults to ../shared/corpus/pingtan beside the repository. For each
HTML page listed in its MANIFEST.tsv the page is parsed with
crawler.extract.parse_html (base URL: the manifest's original_url) and its
``a``/``img`` http links are compared with the archive's links.tsv, as sets of
(element, URL). Differences the corpus README explains (links.tsv resolves
Avalon template expressions as relative URLs, takes links from inside HTML
comments, leaves ``&amp;`` undecoded) are reported as such, not as our misses.
Runs offline; exits 0, with a note, when the corpus is absent.

Without CORPUS_DIR it then prints, through scripts/corpus_facts.py, the list
items and page facts (title, 发布机构, 成文日期, 发布日期) of every page of
../shared/corpus/pingtan and ../shared/corpus/more.
"""

from __future__ import annotations

import csv
import html
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
if str(REPO / "scripts") not in sys.path:
    sys.path.insert(0, str(REPO / "scripts"))

import corpus_facts  # noqa: E402  (the sibling script)

from zwgk.crawler.extract import ParsedPage, decode_html, parse_html  # noqa: E402

DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "pingtan"
COMPARED = ("a", "img")

_COMMENT = re.compile(r"<!--(.*?)-->", re.S)
# href/src as whole attribute names: not hhref=, not ms-attr-href=.
_URL_ATTR = re.compile(r"""(?<![\w-])(?:href|src)\s*=\s*["']([^"']*)["']""", re.I)
_AVALON_ATTR = re.compile(r"""\bms-(?:attr-)?(?:href|src)\s*=\s*["']([^"']*)["']""", re.I)
_HHREF = re.compile(r"<a\b[^>]*\bhhref\s*=", re.I)

Key = tuple[str, str]  # (element, canonical URL)


@dataclass
class Comparison:
    matched: int = 0
    normalised: Counter[str] = field(default_factory=Counter)
    only_ours: list[Key] = field(default_factory=list)
    explained: dict[str, list[str]] = field(default_factory=dict)
    unexplained: list[Key] = field(default_factory=list)

    @property
    def only_archive(self) -> int:
        return sum(len(v) for v in self.explained.values()) + len(self.unexplained)


def canonical(url: str) -> tuple[str, list[str]]:
    """The URL as compared, and what had to change to get there."""
    notes = []
    unescaped = html.unescape(url)
    if unescaped != url:
        notes.append("&amp; left undecoded")
    parts = urlsplit(unescaped)
    path = parts.path
    if not path and parts.netloc:
        path = "/"
        notes.append("host without the trailing /")
    scheme, netloc = parts.scheme.lower(), parts.netloc.lower()
    return urlunsplit((scheme, netloc, path, parts.query, parts.fragment)), notes


def read_archive_links(path: Path) -> list[Key]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [(r["type"], r["href"]) for r in rows if r.get("type") in COMPARED and r["href"]]


def compare(page: ParsedPage, raw_html: str, base: str, archive: list[Key]) -> Comparison:
    ours_keys: dict[Key, list[str]] = {}
    for lk in page.links:
        if lk.kind == "http" and lk.url and lk.element in COMPARED:
            url, notes = canonical(lk.url)
            ours_keys.setdefault((lk.element, url), notes)
    archive_keys: dict[Key, list[str]] = {}
    for el, href in archive:
        url, notes = canonical(href)
        archive_keys.setdefault((el, url), notes)

    # What the archive's extractor saw that a browser does not.
    templates = {
        canonical(urljoin(base, expr))[0]: expr for expr in _AVALON_ATTR.findall(raw_html) if expr
    }
    commented = {
        canonical(urljoin(base, html.unescape(href)))[0]: href
        for body in _COMMENT.findall(raw_html)
        for href in _URL_ATTR.findall(body)
    }

    result = Comparison()
    for key, notes in archive_keys.items():
        if key in ours_keys:
            result.matched += 1
            result.normalised.update(f"archive {n}" for n in notes)
            result.normalised.update(f"ours {n}" for n in ours_keys[key])
        elif key[1] in templates:
            reason = "Avalon template expression resolved as a relative URL"
            result.explained.setdefault(reason, []).append(templates[key[1]])
        elif key[1] in commented:
            reason = "link inside an HTML comment"
            result.explained.setdefault(reason, []).append(commented[key[1]])
        else:
            result.unexplained.append(key)
    result.only_ours = sorted(ours_keys - archive_keys.keys())
    return result


def manifest_pages(corpus: Path) -> list[tuple[Path, str, str]]:
    """(page file, original URL, page type) for each HTML page in MANIFEST.tsv."""
    with (corpus / "MANIFEST.tsv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [
        (corpus / r["local_path"], r["original_url"], r["page_type"])
        for r in rows
        if r["local_path"].endswith(".html")
    ]


def report(corpus: Path, out: list[str]) -> dict[str, int]:
    totals: Counter[str] = Counter()
    pages = manifest_pages(corpus)
    listed = {p.resolve() for p, _, _ in pages}
    for stray in sorted(corpus.rglob("page.html")):
        if stray.resolve() not in listed:
            out.append(f"! {stray.relative_to(corpus)}: not in MANIFEST.tsv, no base URL; skipped")
    for path, url, page_type in pages:
        raw_html, _ = decode_html(path.read_bytes(), "text/html")
        page = parse_html(raw_html, url)
        meta = page.meta
        totals["pages"] += 1
        out.append("")
        out.append(f"{path.parent.name}  [{page_type}]")
        out.append(f"  url           {url}")
        out.append(f"  title         {page.title or '-'}")
        out.append(f"  doc_title     {meta.get('doc_title', '-')}")
        unlabelled = " (unlabelled)" if meta.get("doc_number_unlabelled") else ""
        out.append(f"  文号          {meta.get('doc_number', '-')}{unlabelled}")
        out.append(f"  publish_date  {meta.get('publish_date', '-')}")
        skipped = sum(1 for lk in page.links if lk.element == "a" and lk.kind != "http")
        hhref = len(_HHREF.findall(raw_html))
        links_tsv = path.parent / "links.tsv"
        if not links_tsv.exists():
            ours = {(lk.element, lk.url) for lk in page.links if lk.kind == "http"}
            n = sum(1 for el, _ in ours if el in COMPARED)
            out.append(f"  links         {n} a/img URLs; no links.tsv in the archive, not compared")
            totals["uncompared"] += 1
            continue
        cmp = compare(page, raw_html, url, read_archive_links(links_tsv))
        totals["matched"] += cmp.matched
        totals["only_ours"] += len(cmp.only_ours)
        totals["only_archive"] += cmp.only_archive
        totals["unexplained"] += len(cmp.unexplained) + len(cmp.only_ours)
        out.append(
            f"  links         matched {cmp.matched}, only-in-ours {len(cmp.only_ours)},"
            f" only-in-archive {cmp.only_archive}"
            f" ({cmp.only_archive - len(cmp.unexplained)} explained)"
        )
        for note, n in sorted(cmp.normalised.items()):
            out.append(f"    matched after normalising: {note} ({n})")
            totals[f"normalised: {note}"] += n
        for reason, exprs in sorted(cmp.explained.items()):
            out.append(f"    archive only, {reason} ({len(exprs)}): {', '.join(exprs)}")
            totals[f"explained: {reason}"] += len(exprs)
        for el, u in cmp.unexplained:
            out.append(f"    archive only, UNEXPLAINED: {el} {u}")
        for el, u in cmp.only_ours:
            out.append(f"    ours only, UNEXPLAINED: {el} {u}")
        out.append(
            f"    not compared: {skipped} javascript:/#/mailto anchors and {hhref} <a hhref>"
            " (no href), which both sides leave out"
        )
    return dict(totals)


def main(argv: list[str]) -> int:
    if len(argv) > 2 or (len(argv) == 2 and argv[1] in ("-h", "--help")):
        print(__doc__)
        return 0 if len(argv) == 2 else 2
    corpus = Path(argv[1]) if len(argv) == 2 else DEFAULT_CORPUS
    if not (corpus / "MANIFEST.tsv").is_file():
        print(f"note: no corpus at {corpus} (MANIFEST.tsv missing); nothing to compare.")
        return 0
    out: list[str] = [
        f"Corpus {corpus}",
        "Links compared: a/img http links as sets of (element, URL); links.tsv lists each"
        " (type, href, text) once.",
    ]
    totals = report(corpus, out)
    out.append("")
    out.append("Summary")
    out.append(
        f"  pages {totals.get('pages', 0)} ({totals.get('uncompared', 0)} without links.tsv);"
        f" matched {totals.get('matched', 0)}, only-in-ours {totals.get('only_ours', 0)},"
        f" only-in-archive {totals.get('only_archive', 0)}"
    )
    for key in sorted(k for k in totals if k.startswith(("normalised: ", "explained: "))):
        out.append(f"  {key}: {totals[key]}")
    out.append(f"  unexplained differences: {totals.get('unexplained', 0)}")
    print("\n".join(out))
    if len(argv) == 1:
        print()
        corpus_facts.main([argv[0]])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
