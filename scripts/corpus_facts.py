"""List items and page facts extracted from the real pages of the shared corpus.

Usage: python scripts/corpus_facts.py [CORPUS_DIR ...]

CORPUS_DIR defaults to ../shared/corpus/pingtan and ../shared/corpus/more
beside the repository. For each HTML page of a corpus's MANIFEST.tsv (base
URL: its original_url) this prints the column list found (items, dated
items, the first three with their dates; dynamic or blank lists as such) and
the title / 发布机构 / 成文日期 / 发布日期 extracted, with where each came from.
Runs offline; a missing corpus is noted and skipped.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from zwgk.crawler.extract import decode_html, parse_html  # noqa: E402

DEFAULT_CORPORA = (
    REPO.parent / "shared" / "corpus" / "pingtan",
    REPO.parent / "shared" / "corpus" / "more",
)


def _pages(corpus: Path) -> list[tuple[Path, str, str]]:
    with (corpus / "MANIFEST.tsv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [
        (corpus / r["local_path"], r["original_url"].split()[0], r["page_type"].split(" ")[0])
        for r in rows
        if r["local_path"].endswith(".html")
    ]


def _with_origin(value: object, origin: object) -> str:
    if value is None:
        return "-"
    return f"{value} ({origin})" if origin else str(value)


def facts_report(corpus: Path, out: list[str]) -> Counter[str]:
    totals: Counter[str] = Counter()
    if not (corpus / "MANIFEST.tsv").is_file():
        out.append(f"note: no corpus at {corpus} (MANIFEST.tsv missing); skipped.")
        return totals
    out.append(f"Page facts and list items: {corpus}")
    for path, url, page_type in _pages(corpus):
        raw, _ = decode_html(path.read_bytes(), "text/html")
        page = parse_html(raw, url)
        meta = page.meta
        totals["pages"] += 1
        out.append("")
        out.append(f"{path.parent.name}  [{page_type}]")
        out.append(f"  url         {url}")
        lp = page.list_page
        if lp is not None:
            totals["list pages"] += 1
            totals["list items"] += len(lp.items)
            totals["dated items"] += lp.dated
            state = (
                "dynamic (items only from a script/API)"
                if lp.dynamic
                else ("blank" if lp.blank else f"{len(lp.items)} items, {lp.dated} dated")
            )
            out.append(
                f"  list        {state}; column {_with_origin(lp.column, lp.column_from)};"
                f" source {lp.source}; CMS total {lp.total if lp.total is not None else '-'};"
                f" placeholder {lp.placeholder or '-'}"
            )
            for it in lp.items[:3]:
                pinned = " 置顶" if it.pinned else ""
                out.append(
                    f"    #{it.position} {it.date or '-'} [{it.date_text or '-'}]{pinned}"
                    f" {it.title}  <{it.url}>"
                )
            continue
        totals["detail pages"] += 1
        for key in ("publisher", "written_date", "publish_date"):
            if meta.get(key):
                totals[f"with {key}"] += 1
        out.append(
            f"  title       {_with_origin(meta.get('doc_title'), meta.get('doc_title_from'))}"
        )
        out.append(
            f"  发布机构    {_with_origin(meta.get('publisher'), meta.get('publisher_from'))}"
        )
        out.append(
            f"  成文日期    {_with_origin(meta.get('written_date'), meta.get('written_date_from'))}"
        )
        out.append(f"  发布日期    {meta.get('publish_date', '-')}")
        body = []
        if meta.get("body_images_only"):
            body.append("images only")
        if meta.get("body_attachment"):
            body.append(f"only the attachment {meta['body_attachment']}")
        out.append(f"  body        {', '.join(body) or f'{len(page.text)} characters of text'}")
    return totals


def summary(totals: Counter[str]) -> str:
    return (
        f"  pages {totals['pages']}: {totals['list pages']} list pages with"
        f" {totals['list items']} items ({totals['dated items']} dated);"
        f" {totals['detail pages']} detail pages, {totals['with publisher']} with 发布机构,"
        f" {totals['with written_date']} with 成文日期, {totals['with publish_date']} with 发布日期"
    )


def main(argv: list[str]) -> int:
    if len(argv) > 1 and argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0
    corpora = [Path(a) for a in argv[1:]] or list(DEFAULT_CORPORA)
    out: list[str] = []
    results = []
    for corpus in corpora:
        results.append((corpus, facts_report(corpus, out)))
        out.append("")
    out.append("Summary of page facts")
    for corpus, totals in results:
        out.append(f" {corpus.name}")
        out.append(summary(totals))
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
