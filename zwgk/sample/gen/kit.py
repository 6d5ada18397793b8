"""Document model and helpers shared by the per-site page generators."""

from __future__ import annotations

import hashlib
import html
import posixpath
import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import quote


def esc(s: str) -> str:
    return html.escape(s, quote=True)


def href_quote(h: str) -> str:
    """Percent-encode non-ASCII in an href, as CMSs do for Chinese paths."""
    return quote(h, safe="/:.#?&=_-~%;")


def rel(src: str, dst: str) -> str:
    """Relative URL from the page at ``src`` to ``dst`` (both absolute paths)."""
    src_dir = src if src.endswith("/") else posixpath.dirname(src) + "/"
    r = posixpath.relpath(dst, src_dir)
    if dst.endswith("/"):
        r = "./" if r == "." else r + "/"
    elif not r.startswith("."):
        r = "./" + r
    return href_quote(r)


def date_cn(d: str) -> str:
    y, m, dd = d.split("-")
    return f"{int(y)}年{int(m)}月{int(dd)}日"


def seeded(key: str, lo: int, hi: int) -> int:
    """A stable pseudo-random integer in [lo, hi] derived from ``key``."""
    h = int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:8], 16)
    return lo + h % (hi - lo + 1)


def tiny_png(rgb: tuple[int, int, int], size: int = 8) -> bytes:
    """A small solid-colour PNG, built by hand so the bytes never vary."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * size
    raw = zlib.compress(row * size, 9)
    ihdr = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def tiny_pdf(text: str) -> bytes:
    """A one-page PDF with a correct xref table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def paras(texts: Iterable[str], style: str = "text-indent: 2em;") -> str:
    """Paragraphs as CMS editors emit them; items starting with ``<`` pass through."""
    out = []
    for t in texts:
        out.append(t if t.startswith("<") else f'<p style="{style}">{esc(t)}</p>')
    return "\n".join(out)


def conac_script(site_code: str) -> str:
    """The 党政机关网站标识 as most sites embed it: an inline script that writes
    the badge's <span> and the dcs.conac.cn script. Inline, so the crawl sees
    no link to fetch outside the sample province."""
    region = site_code[:2]
    src = f"https://dcs.conac.cn/js/{region}/000/0000/6{site_code[2:9]}/CA{region}0000006{site_code}.js"
    return (
        '<script type="text/javascript">document.write(unescape("%3Cspan id=\'_ideConac\' '
        f"%3E%3C/span%3E%3Cscript src='{src}' type='text/javascript'%3E%3C/script%3E\"));</script>"
    )


@dataclass(eq=False)
class Doc:
    title: str
    date: str  # YYYY-MM-DD
    time: str = "09:30"
    source: str = ""
    body: str = ""  # rendered HTML of the main text
    docid: int = 0
    wenhao: str = ""
    written: str = ""  # 成文日期
    topic: str = ""
    # news|policy|interp|graphic|report|guide|system|plan|notice|reply|page
    kind: str = "news"
    key: str = ""
    policy: Doc | None = None
    interps: list[Doc] = field(default_factory=list)
    attachments: list[tuple[str, str]] = field(default_factory=list)  # (name, href)
    related: list[tuple[str, str]] = field(default_factory=list)  # (text, href)
    host: str = ""
    path: str = ""
    column: Column | None = None

    @property
    def pubdate(self) -> str:
        return f"{self.date} {self.time}"

    @property
    def yyyymm(self) -> str:
        return self.date[:4] + self.date[5:7]

    @property
    def ymd(self) -> str:
        return self.date.replace("-", "")


@dataclass(eq=False)
class Column:
    name: str
    path: str  # directory path with trailing slash
    host: str
    docs: list[Doc] = field(default_factory=list)
    crumbs: list[tuple[str, str]] = field(default_factory=list)  # ancestors below home
    per_page: int = 15
    columnid: int = 0
    unitid: int = 0

    def add(self, *docs: Doc) -> None:
        for d in docs:
            d.column = self
            d.host = self.host
            self.docs.append(d)
        self.docs.sort(key=lambda d: (d.date, d.time, d.docid), reverse=True)

    def pages(self) -> list[list[Doc]]:
        n = self.per_page
        chunks = [self.docs[i : i + n] for i in range(0, len(self.docs), n)]
        return chunks or [[]]


class Output:
    """Files to write, keyed by ``host + path``."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def put(self, host: str, path: str, data: bytes) -> None:
        if path.endswith("/"):
            path += "index.html"
        key = host + path
        if key in self.files:
            raise ValueError(f"two files at {key}")
        self.files[key] = data


@dataclass
class Planted:
    defects: list[dict[str, str]] = field(default_factory=list)
    traps: list[dict[str, str]] = field(default_factory=list)
    wrong_charset: list[dict[str, str]] = field(default_factory=list)

    def defect(
        self, site: str, check: str, rule: str, url: str, expect: str, note: str, **extra: str
    ) -> None:
        self.defects.append(
            {
                "site": site,
                "check": check,
                "rule": rule,
                "url": url,
                "expect": expect,
                **extra,
                "note": note,
            }
        )

    def trap(self, site: str, url: str, expect: str, note: str, **extra: str) -> None:
        self.traps.append({"site": site, "url": url, "expect": expect, **extra, "note": note})


def url_of(host: str, path: str) -> str:
    """The planted.yaml form of a sample URL (port left as a placeholder)."""
    return f"http://{host}:{{port}}{href_quote(path)}"
