"""Time the crawl's own hot paths, without network or Scrapy.

    python bench/microbench.py [--tree CHECKOUT] [--site bench/site/www]

On the generated site's pages: decoding and ``crawler.extract.parse_html``
(ms per page), turning the resulting items into rows (``dataclasses.asdict``
against ``crawler.pipelines.as_row``) and ``Store.add_pages`` in the
pipeline's batches of 50 into a fresh SQLite store. ``--tree`` times another
checkout's code (e.g. one from before an optimisation) with this venv.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    bench = Path(__file__).resolve().parent
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tree", type=Path, default=bench.parent)
    ap.add_argument("--site", type=Path, default=bench / "site" / "www")
    args = ap.parse_args()
    sys.path.insert(0, str(args.tree.resolve()))

    from zwgk.crawler.extract import decode_html, parse_html, text_hash
    from zwgk.crawler.items import PageItem
    from zwgk.store import Store

    files = sorted(args.site.rglob("*.html"))
    bodies = [(f"http://127.0.0.1:8080/{f.relative_to(args.site)}", f.read_bytes()) for f in files]
    items = []
    t0 = time.perf_counter()
    for url, body in bodies:
        text, encoding = decode_html(body, "text/html; charset=utf-8")
        parsed = parse_html(text, url)
        items.append(
            PageItem(
                url=url,
                final_url=url,
                fetch_status="ok",
                depth=1,
                status=200,
                content_type="text/html; charset=utf-8",
                size=len(body),
                encoding=encoding,
                title=parsed.title,
                meta=parsed.meta,
                text=parsed.text,
                text_len=len(parsed.text),
                text_hash=text_hash(parsed.text) if parsed.text else None,
                fragment_ids=parsed.fragment_ids,
                links=[link.as_dict() for link in parsed.links],
            )
        )
    parse_s = time.perf_counter() - t0
    print(f"code: {args.tree.resolve()}")
    print(
        f"decode + parse_html: {len(files)} pages, {parse_s:.2f} s, "
        f"{1000 * parse_s / len(files):.2f} ms/page"
    )

    t0 = time.perf_counter()
    rows = [dataclasses.asdict(i) for i in items]
    asdict_s = time.perf_counter() - t0
    print(f"dataclasses.asdict: {asdict_s:.2f} s ({1000 * asdict_s / len(items):.3f} ms/item)")
    try:
        from zwgk.crawler.pipelines import as_row  # type: ignore[attr-defined]
    except ImportError:
        print("zwgk.crawler.pipelines.as_row: not in this checkout")
    else:
        t0 = time.perf_counter()
        rows = [as_row(i) for i in items]
        row_s = time.perf_counter() - t0
        print(f"pipelines.as_row: {row_s:.2f} s ({1000 * row_s / len(items):.3f} ms/item)")

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"{tmp}/m.db")
        store.ensure_run("r", dt.date(2026, 11, 30), dt.date(2026, 1, 1), {})
        gen, _ = store.begin_site_crawl("r", "s", "site", "http://127.0.0.1:8080/", False)
        t0 = time.perf_counter()
        for i in range(0, len(rows), 50):
            store.add_pages("r", "s", gen, rows[i : i + 50])
        store_s = time.perf_counter() - t0
        links = sum(len(r["links"]) for r in rows)
        print(
            f"Store.add_pages: {len(rows)} pages, {links} links, {store_s:.2f} s "
            f"({1000 * store_s / len(rows):.2f} ms/page)"
        )
        store.dispose()


if __name__ == "__main__":
    main()
