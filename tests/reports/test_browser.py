"""The scorecards in a real browser: headless Chromium (Debian's, driven by
Playwright) opens every page of a stored run whose crawled data is hostile.

Each page must fetch nothing but itself, run no injected script, show the
hostile text as text, sort and filter its tables, be complete with script
off, and print to an A4 PDF with the CJK font embedded. A missing Chromium
fails these tests (``make test`` installs it: scripts/system-deps.sh).
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from pypdf import PdfReader

from tests.conftest import crawl_into, make_config, page
from zwgk.reports.pdf import OFFLINE_FLAGS, PdfError, find_chromium, write_pdf
from zwgk.reports.render import write_reports
from zwgk.store import Store

RUN = "2026-11"
SCRIPT = "<script>window.__pwned=1</script>"
ATTR = '"><img src=x onerror="window.__pwned=1">'
HOSTILE = (SCRIPT, ATTR)

# id, name, score out of 100. The ranking is 北辰 100, 重山 10, 安平 9; by
# score ascending (numeric, not "10" < "100" < "9") 安平, 重山, 北辰; by name
# in Chinese (pinyin) 安平, 北辰, 重山, which code-point order (北 < 安 < 重)
# would not give.
SITES = [
    ("beichen", "北辰区人民政府", 100.0),
    ("chongshan", "重山市人民政府" + SCRIPT, 10.0),
    ("anping", "安平县人民政府", 9.0),
]


def _fill(store: Store) -> None:
    for sid, name, score in SITES:
        home = f"http://www.{sid}.gov.test/"
        cfg = make_config(id=sid, name=name, home=home, disclosure=[home + "zwgk/"])
        crawl_into(
            store, cfg, [page(home, is_home=True, depth=0, title="首页" + SCRIPT + ATTR)], RUN
        )
        findings: list[dict[str, Any]] = [
            {
                "rule": "section_missing",
                "severity": "fail",
                "message": f"缺少栏目“信息公开指南”{SCRIPT}",
                "url": home + "zwgk/?q=" + SCRIPT,
                "source_url": home,
                "evidence": {"section": "信息公开指南" + ATTR, "on_home": True},
            },
            {
                "rule": "report_late",
                "severity": "warn",
                "message": "年度报告发布较晚" + ATTR,
                "url": home + 'zwgk/ndbg/"><img src=x onerror="window.__pwned=1">',
                "source_url": None,
                "evidence": {"target": "javascript:window.__pwned=1", "title": SCRIPT},
            },
            {
                "rule": "section_missing",
                "severity": "fail",
                "message": "缺少栏目“法定主动公开内容”",
                "url": home + "zwgk/fdzdgknr/",
                "source_url": home,
                "evidence": {"section": "法定主动公开内容"},
            },
            {
                "rule": "section_unverified",
                "severity": "info",
                "message": "栏目由脚本生成，未能确认" + SCRIPT,
                "url": home + "zwgk/js/",
                "source_url": None,
                "evidence": {},
            },
        ]
        store.replace_check_result(
            RUN, sid, "structure", "1.0", "fail", {"sections_present": 2}, findings
        )
        store.replace_check_result(RUN, sid, "links", "1.0", "pass", {"checked": 12}, [])
        store.replace_score(
            RUN,
            sid,
            score=score,
            max_score=100.0,
            vetoed=[],
            checks={
                "structure": {
                    "status": "fail",
                    "metrics": {"sections_present": 2, "note": ATTR},
                    "score": score / 2,
                    "weight": 50.0,
                },
                "links": {
                    "status": "pass",
                    "metrics": {"checked": 12},
                    "score": score / 2,
                    "weight": 50.0,
                },
            },
        )


@dataclass
class Reports:
    db: Path
    root: Path  # OUT/RUN
    pages: list[Path]  # index first, then every scorecard


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reports]:
    tmp = tmp_path_factory.mktemp("browser")
    db = tmp / "t.db"
    store = Store(str(db))
    try:
        _fill(store)
        paths = write_reports(store, RUN, tmp / "out")
    finally:
        store.dispose()
    root = tmp / "out" / RUN
    sites = sorted(p for p in paths if p.suffix == ".html" and p.parent.name == "sites")
    assert len(sites) == len(SITES)
    yield Reports(db, root, [root / "index.html", *sites])


@pytest.fixture(scope="module")
def chromium() -> str:
    try:
        return find_chromium()
    except PdfError as exc:
        pytest.fail(f"{exc} (make test installs it: scripts/system-deps.sh)", pytrace=False)


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Browser]:
    # Playwright drives the system Chromium; nothing is downloaded. The same
    # flags as the PDF printer keep it off the network.
    args = [f for f in OFFLINE_FLAGS if f not in ("--headless", "--no-sandbox")]
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium, headless=True, args=args)
        yield b
        b.close()


@dataclass
class Visit:
    page: Page
    url: str
    requests: list[str] = field(default_factory=list)
    responses: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)


@pytest.fixture
def visit(browser: Browser) -> Iterator[Any]:
    contexts = []

    def open_page(path: Path, *, javascript: bool = True) -> Visit:
        ctx = browser.new_context(
            java_script_enabled=javascript, viewport={"width": 1280, "height": 900}
        )
        contexts.append(ctx)
        pg = ctx.new_page()
        v = Visit(pg, path.resolve().as_uri())
        ctx.on("request", lambda r: v.requests.append(r.url))
        ctx.on("response", lambda r: v.responses.append(r.url))
        ctx.on("requestfailed", lambda r: v.failed.__setitem__(r.url, r.failure or ""))
        pg.on("console", lambda m: v.console_errors.append(m.text) if m.type == "error" else None)
        pg.on("pageerror", lambda e: v.page_errors.append(str(e)))
        pg.goto(v.url, wait_until="load")
        return v

    yield open_page
    for ctx in contexts:
        ctx.close()


def _column(pg: Page, table: str, col: int) -> list[str]:
    """The text of column ``col`` (1-based) of the table's visible body rows."""
    return pg.eval_on_selector_all(
        f"{table} tbody tr",
        f"rows => rows.filter(r => !r.hidden).map(r => r.cells[{col - 1}].innerText.trim())",
    )


def _png_is_picture(path: Path) -> None:
    """A real screenshot: big, and not one flat colour."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", data[16:24])
    assert width >= 400 and height >= 300, (path, width, height)
    assert len(data) > 20_000, (path, len(data))
    chunks, pos = [], 8
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos : pos + 4])
        if data[pos + 4 : pos + 8] == b"IDAT":
            chunks.append(data[pos + 8 : pos + 8 + n])
        pos += 12 + n
    raw = zlib.decompress(b"".join(chunks))
    assert len(set(raw)) > 32, f"{path}: the screenshot is nearly one colour"


def test_every_page_is_safe_and_self_contained(
    reports: Reports, visit: Any, tmp_path: Path
) -> None:
    for path in reports.pages:
        v = visit(path)
        pg = v.page
        assert v.requests == [v.url], f"{path.name} fetched more than itself: {v.requests}"
        assert v.responses == [v.url] and not v.failed, (v.responses, v.failed)
        assert v.console_errors == [], f"{path.name}: {v.console_errors}"
        assert v.page_errors == [], f"{path.name}: {v.page_errors}"
        assert pg.evaluate("typeof window.__pwned") == "undefined", path.name
        assert pg.locator("img").count() == 0, path.name
        text = pg.inner_text("body")
        for s in HOSTILE if path.parent.name == "sites" else (SCRIPT,):
            assert s in text, f"{path.name}: {s!r} not shown as text"
        csp = pg.get_attribute('meta[http-equiv="Content-Security-Policy"]', "content") or ""
        assert "default-src 'none'" in csp and "'sha256-" in csp, csp
        assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";")[0], csp
        # Crawled addresses are plain links that send no referrer.
        rels = pg.eval_on_selector_all(
            'a[href^="http"]', "as => as.map(a => a.getAttribute('rel') || '')"
        )
        assert rels or path.name == "index.html", path.name
        assert all("noopener" in r and "noreferrer" in r for r in rels), (path.name, rels)
        assert pg.locator("script[src], link[rel=stylesheet], iframe").count() == 0
        shot = tmp_path / f"{path.stem}.png"
        pg.screenshot(path=str(shot), full_page=True)
        _png_is_picture(shot)


def test_policy_blocks_what_an_injection_would_try(reports: Reports, visit: Any) -> None:
    v = visit(reports.pages[1])
    blocked = v.page.evaluate(
        """async () => {
        const seen = [];
        document.addEventListener("securitypolicyviolation", e => seen.push(e.effectiveDirective));
        const s = document.createElement("script");
        s.textContent = "window.__pwned = 1";
        document.body.appendChild(s);
        const img = document.createElement("img");
        img.src = "http://www.example.gov.test/x.png";
        document.body.appendChild(img);
        const css = document.createElement("link");
        css.rel = "stylesheet";
        css.href = "https://cdn.example.test/x.css";
        document.head.appendChild(css);
        let fetched = true;
        try { await fetch("../index.html"); } catch (e) { fetched = false; }
        await new Promise(r => setTimeout(r, 300));
        return {seen, fetched, pwned: typeof window.__pwned};
    }"""
    )
    assert blocked["pwned"] == "undefined"
    assert blocked["fetched"] is False
    assert {"script-src-elem", "img-src", "style-src-elem", "connect-src"} <= set(
        blocked["seen"]
    ), blocked
    # The browser notes the blocked image and style sheet as requests, failed
    # by the policy before any connection; nothing but the page was loaded.
    assert v.responses == [v.url], v.responses
    others = [u for u in v.requests if u != v.url]
    assert others and all(v.failed.get(u) == "csp" for u in others), (others, v.failed)


def test_index_sorts_numbers_and_chinese(reports: Reports, visit: Any) -> None:
    pg = visit(reports.pages[0]).page
    table = "table.sortable"
    names = [n for _, n, _ in SITES]
    assert [c.splitlines()[0] for c in _column(pg, table, 2)] == names  # by rank
    pg.click(f"{table} thead th:text-is('得分')")
    assert _column(pg, table, 3) == ["9", "10", "100"]
    assert pg.get_attribute(f"{table} thead th:text-is('得分')", "aria-sort") == "ascending"
    pg.click(f"{table} thead th:text-is('得分')")
    assert _column(pg, table, 3) == ["100", "10", "9"]
    pg.click(f"{table} thead th:text-is('站点')")
    assert [c.splitlines()[0] for c in _column(pg, table, 2)] == [names[2], names[0], names[1]]
    # The header row stays on top, outside the sorted rows.
    assert pg.eval_on_selector(table, "t => t.rows[0].parentNode.tagName") == "THEAD"


def test_scorecard_sorts_by_data_sort_and_number(reports: Reports, visit: Any) -> None:
    pg = visit(reports.root / "sites" / "chongshan.html").page
    table = "table[data-filter^='筛选问题']"
    assert _column(pg, table, 1) == ["1", "2", "3"]
    levels = _column(pg, table, 2)
    assert levels == ["不合格", "不合格", "需关注"]
    pg.click(f"{table} thead th:text-is('级别')")  # data-sort: fail 1, warn 2
    assert _column(pg, table, 2) == levels
    pg.click(f"{table} thead th:text-is('级别')")
    assert _column(pg, table, 2) == ["需关注", "不合格", "不合格"]
    pg.click(f"{table} thead th:text-is('序号')")
    pg.click(f"{table} thead th:text-is('序号')")
    assert _column(pg, table, 1) == ["3", "2", "1"]
    pg.focus(f"{table} thead th:text-is('序号')")  # headers work from the keyboard too
    pg.keyboard.press("Enter")
    assert _column(pg, table, 1) == ["1", "2", "3"]


def test_filter_hides_rows_without_the_text(reports: Reports, visit: Any) -> None:
    pg = visit(reports.root / "sites" / "chongshan.html").page
    table = "table[data-filter^='筛选问题']"
    box = pg.locator(".table-filter input").nth(1)
    assert box.get_attribute("placeholder", timeout=2000) == "筛选问题：输入网址、问题或检查项"
    # (The 整改建议 of another item names every required section too.)
    box.fill("缺少栏目“法定主动")
    assert len(_column(pg, table, 1)) == 1
    assert "法定主动公开内容" in _column(pg, table, 4)[0]
    assert pg.locator(f"{table} thead tr").is_visible()
    box.fill("ndbg 较晚")  # every word must occur
    assert len(_column(pg, table, 1)) == 1
    box.fill("没有这样的问题")
    assert _column(pg, table, 1) == []
    assert "显示 0 / 3 行" in pg.inner_text(".table-filter.active")
    box.fill("")
    assert len(_column(pg, table, 1)) == 3
    idx = visit(reports.pages[0]).page
    idx.fill(".table-filter input", "anping")
    assert [c.splitlines()[0] for c in _column(idx, "table.sortable", 2)] == ["安平县人民政府"]


def test_pages_are_complete_without_script(reports: Reports, visit: Any) -> None:
    for path in reports.pages:
        with_js = visit(path).page
        no_js = visit(path, javascript=False)
        assert no_js.requests == [no_js.url]
        assert no_js.page.locator(".table-filter").count() == 0
        assert no_js.page.locator("tr").count() == with_js.locator("tr").count()
        assert no_js.page.inner_text("main") == with_js.inner_text("main")


def _fonts(reader: PdfReader) -> set[str]:
    names: set[str] = set()
    for pg in reader.pages:
        fonts = pg.get("/Resources", {}).get_object().get("/Font", {})
        for ref in fonts.get_object().values():
            font = ref.get_object()
            embedded = "/CharProcs" in font  # Type 3: the glyphs are in the file
            descriptors = [font.get("/FontDescriptor")]
            descriptors += [
                d.get_object().get("/FontDescriptor") for d in font.get("/DescendantFonts", [])
            ]
            for d in filter(None, descriptors):
                d = d.get_object()
                embedded |= any(k in d for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                if embedded:
                    names.add(str(d.get("/FontName", "")))
            if embedded:
                names.add(str(font.get("/BaseFont", "")))
    return names


def test_report_pdf_is_a4_with_embedded_cjk_font(
    reports: Reports, chromium: str, tmp_path: Path
) -> None:
    out = reports.root.parent
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "zwgk",
            "report",
            "--db",
            str(reports.db),
            "--out",
            str(out),
            "--pdf",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    assert f"pdf:        {len(SITES)} files" in r.stdout
    for sid, _, _ in SITES:
        pdf = reports.root / "sites" / f"{sid}.pdf"
        reader = PdfReader(pdf)
        box = reader.pages[0].mediabox
        assert float(box.width) == pytest.approx(595.3, abs=2)
        assert float(box.height) == pytest.approx(841.9, abs=2)
        fonts = _fonts(reader)
        assert any("CJK" in f or "Noto" in f for f in fonts), fonts
    pdf = reports.root / "sites" / "chongshan.pdf"
    text = PdfReader(pdf).pages[0].extract_text()
    assert SCRIPT in text.replace("\n", "")  # printed as text, not run
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm missing: apt-get install poppler-utils (scripts/system-deps.sh)"
    prefix = tmp_path / "chongshan-p1"
    subprocess.run(
        [pdftoppm, "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(prefix)],
        check=True,
        timeout=120,
    )
    png = prefix.with_suffix(".png")
    assert png.is_file()
    _png_is_picture(png)


def test_write_pdf_says_what_is_missing(
    reports: Reports, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZWGK_CHROMIUM", str(tmp_path / "no-chromium"))
    with pytest.raises(PdfError, match=r"ZWGK_CHROMIUM=.* is not an executable"):
        write_pdf(reports.pages[1], tmp_path / "x.pdf")
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "zwgk",
            "report",
            "--db",
            str(reports.db),
            "--out",
            str(tmp_path),
            "--pdf",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "ZWGK_CHROMIUM" in r.stderr, r.stderr
    assert not (tmp_path / RUN).exists()  # nothing written before the check
