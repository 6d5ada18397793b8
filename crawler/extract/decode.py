"""Decoding fetched bytes: declared encodings overridden when another decodes cleanly."""

from __future__ import annotations

from w3lib.encoding import html_to_unicode, resolve_encoding

_REPLACEMENT = "\ufffd"


def decode_html(body: bytes, content_type: str | None) -> tuple[str, str]:
    """Decode ``body``; returns ``(text, encoding)``.

    w3lib applies the usual precedence (BOM, HTTP header, ``<meta>``, then a
    guess) and maps GB2312/GBK to GB18030. Government servers often declare
    UTF-8 over GBK bytes (or the reverse), so a declaration that leaves
    undecodable bytes is overridden by whichever candidate decodes cleanly.
    """
    encoding, text = html_to_unicode(content_type, body)
    bad = text.count(_REPLACEMENT)
    if bad:
        best = (bad, encoding, text)
        for candidate in ("utf-8", "gb18030", "big5"):
            if resolve_encoding(candidate) == resolve_encoding(encoding):
                continue
            try:
                alt = body.decode(candidate)
            except UnicodeDecodeError:
                continue
            alt_bad = alt.count(_REPLACEMENT)
            if alt_bad < best[0]:
                best = (alt_bad, candidate, alt)
        _, encoding, text = best
    return text, _canonical_encoding(encoding)


def _canonical_encoding(name: str) -> str:
    resolved = (resolve_encoding(name) or name).replace("_", "-").lower()
    return {"utf8": "utf-8"}.get(resolved, resolved)
