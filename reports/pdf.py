"""Scorecards as PDF, printed by headless Chromium from the HTML pages.

The page's print style sheet lays it out on A4; Chromium embeds the fonts it
used (Noto Sans CJK from Debian's fonts-noto-cjk for the Chinese). Chromium
runs with a throwaway profile and every background service off, and resolves
no host name, so that printing never touches the network.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser")
TIMEOUT = 120.0

# Off the network: no background services, no first-run or sync traffic, and
# every host name resolves to nothing (the page is a file:// URL).
OFFLINE_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--hide-scrollbars",
)


class PdfError(RuntimeError):
    """Chromium is missing or did not write the PDF; the message is one line."""


def find_chromium() -> str:
    """The Chromium binary: ``$ZWGK_CHROMIUM``, else ``chromium`` or
    ``chromium-browser`` on PATH."""
    env = os.environ.get("ZWGK_CHROMIUM")
    if env:
        found = shutil.which(env)
        if found is None:
            raise PdfError(f"ZWGK_CHROMIUM={env} is not an executable")
        return found
    for name in CANDIDATES:
        found = shutil.which(name)
        if found is not None:
            return found
    raise PdfError(
        "chromium not found (PDF needs it): apt-get install chromium fonts-noto-cjk,"
        " or set ZWGK_CHROMIUM"
    )


def _last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return lines[-1] if lines else "no output"


def write_pdf(
    html_path: Path, pdf_path: Path, *, chromium: str | None = None, timeout: float = TIMEOUT
) -> Path:
    """Print ``html_path`` to ``pdf_path`` (A4, as the page's print CSS says)."""
    exe = chromium or find_chromium()
    html_path = Path(html_path).resolve()
    pdf_path = Path(pdf_path).resolve()
    if not html_path.is_file():
        raise PdfError(f"no such page: {html_path}")
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    pdf_path.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="zwgk-chromium-") as profile:
        cmd = [
            exe,
            *OFFLINE_FLAGS,
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf_path}",
            html_path.as_uri(),
        ]
        try:
            proc = subprocess.run(
                cmd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
            )
        except subprocess.TimeoutExpired:
            raise PdfError(f"chromium took over {timeout:g}s printing {html_path}") from None
        except OSError as exc:
            raise PdfError(f"cannot run {exe}: {exc.strerror or exc}") from None
    if not pdf_path.is_file() or pdf_path.stat().st_size == 0:
        raise PdfError(
            f"chromium wrote no PDF for {html_path} (exit {proc.returncode}): "
            f"{_last_line(proc.stderr)}"
        )
    return pdf_path


def write_pdfs(html_paths: Iterable[Path], *, jobs: int | None = None) -> list[Path]:
    """``X.pdf`` beside each ``X.html``, a few Chromiums at a time."""
    exe = find_chromium()
    pages = list(html_paths)
    workers = jobs or min(4, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return list(pool.map(lambda p: write_pdf(p, p.with_suffix(".pdf"), chromium=exe), pages))
