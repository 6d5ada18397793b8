"""Fingerprint what ``crawler.extract`` makes of a set of pages.

``python bench/equivalence.py OUT.json [SITE_DIR]`` parses the test fixtures,
the bundled sample province, the shared corpus (when present), a set of
awkward link forms and, if given, a generated benchmark site, and writes one
digest per page of everything ``parse_html``/``decode_html`` return. Run it
before and after a change to the parser and compare the two files: any
difference is a change of behaviour.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from zwgk.crawler.extract import decode_html, parse_html  # noqa: E402

AWKWARD_HREFS = [
    "/a/../b/c.html",
    "//other.test/x",
    " /spaced.html ",
    "/q?x=1&amp;y=2#frag",
    "/中文/路径.html",
    "http:relative",
    "HTTP://Upper.test/A",
    "https://h.test:8443/p",
    "/x y.html",
    "/%E4%B8%AD.html",
    "javascript:void(0)",
    "#top",
    "",
    "mailto:a@b.test",
    "tel:123",
    "data:image/png;base64,xx",
    "ftp://files.test/a",
    "http://[::1]:80/v6",
    "http://bad:port/",
    "/path;params?q",
    "../up.html",
    "./same.html",
    "?only=query",
    "\\backslash\\x.html",
]


def awkward_page(base_tag: str | None) -> str:
    base = f'<base href="{base_tag}">' if base_tag is not None else ""
    links = "".join(
        f'<a href="{h}">t{i}</a><img src="{h}" alt="a{i}"><link rel="x" href="{h}">'
        for i, h in enumerate(AWKWARD_HREFS)
    )
    return f"<html><head>{base}<title>x</title></head><body>{links}</body></html>"


def digest(parsed: Any) -> str:
    data = dataclasses.asdict(parsed)
    blob = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def pages(site: Path | None) -> list[tuple[str, str, bytes]]:
    """(key, url, body)"""
    out: list[tuple[str, str, bytes]] = []
    for f in sorted(p for p in (REPO / "tests").rglob("*.htm*") if "fixtures" in p.parts):
        out.append((str(f.relative_to(REPO)), f"http://fixture.test/{f.name}", f.read_bytes()))
    sample = REPO / "zwgk/sample/sites"
    for f in sorted(sample.rglob("*.htm*")):
        rel = f.relative_to(sample)
        out.append((str(rel), f"http://{rel}", f.read_bytes()))
    corpus = REPO.parent / "shared/corpus/pingtan"
    if corpus.is_dir():
        for f in sorted(corpus.rglob("*")):
            if f.is_file() and f.suffix in (".html", ".htm", ".shtml", ".jsp", ""):
                out.append(
                    (
                        f"corpus/{f.relative_to(corpus)}",
                        "http://www.pingtan.test/x/y.html",
                        f.read_bytes(),
                    )
                )
    for base in (None, "/sub/dir/", "http://base.test/b/", "  "):
        for url in ("http://h.test/a/b.html", "https://h.test:8443/a/", "http://h.test"):
            out.append((f"awkward base={base} url={url}", url, awkward_page(base).encode()))
    if site is not None:
        for f in sorted(site.rglob("*.html")):
            rel = f.relative_to(site)
            out.append((f"site/{rel}", f"http://127.0.0.1:8080/{rel}", f.read_bytes()))
    return out


def main() -> None:
    out = Path(sys.argv[1])
    site = Path(sys.argv[2]) if len(sys.argv) > 2 else None
    result: dict[str, str] = {}
    for key, url, body in pages(site):
        text, encoding = decode_html(body, None)
        result[key] = f"{encoding}:{digest(parse_html(text, url))}"
    out.write_text(json.dumps(result, indent=0, sort_keys=True))
    print(f"{len(result)} pages fingerprinted -> {out}")


if __name__ == "__main__":
    main()
