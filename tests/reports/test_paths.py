"""Names that become paths (run ids, site ids) cannot leave the output folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.reports.test_reports import fill
from zwgk.reports.render import write_reports
from zwgk.store import Store
from zwgk.vocab import UnsafeName, safe_path_name

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["2026-11", "demo", "qinghe_2", "2026-11.redo", "A1"])
def test_plain_names_pass(name: str) -> None:
    assert safe_path_name(name, "run id") == name


@pytest.mark.parametrize(
    "name",
    ["..", "../x", "a/../b", "a/b", "/etc", "a\\b", ".hidden", "", "x" * 65, "a..b", "a b", "运行"],
)
def test_names_that_would_escape_or_mislead_are_refused(name: str) -> None:
    with pytest.raises(UnsafeName, match="cannot be used in a file name"):
        safe_path_name(name, "run id")


def test_site_id_from_the_store_is_checked_before_anything_is_written(
    store: Store, tmp_path: Path
) -> None:
    fill(store)
    # A store written by another tool (or edited by hand) may hold any id.
    gen, _ = store.begin_site_crawl(
        "2026-11", "../../evil", "外部", "http://www.evil.gov.test/", False
    )
    store.finish_site_crawl("2026-11", "../../evil", gen, {})
    store.replace_score("2026-11", "../../evil", score=1.0, max_score=1.0, vetoed=[], checks={})
    out = tmp_path / "out"
    with pytest.raises(UnsafeName, match=r"site id '\.\./\.\./evil'"):
        write_reports(store, "2026-11", out)
    assert not out.exists()
    assert not (tmp_path / "evil.html").exists()


def test_run_option_is_refused_in_one_line(tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "zwgk",
            "report",
            "--run",
            "../../x",
            "--db",
            str(tmp_path / "z.db"),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        "error: --run '../../x' cannot be used in a file name; use letters, digits, "
        "'.', '-' or '_' (max 64, no '..')"
    ]
    assert not out.exists()
    assert not (tmp_path / "z.db").exists()


def test_every_written_page_is_inert(store: Store, tmp_path: Path) -> None:
    fill(store)
    paths = write_reports(store, "2026-11", tmp_path / "out")
    pages = [p for p in paths if p.suffix == ".html"]
    assert len(pages) >= 2  # the index and the site's scorecard
    for p in pages:
        html = p.read_text(encoding="utf-8")
        assert '<meta http-equiv="Content-Security-Policy" content="default-src \'none\';' in html
        # fill() plants a script in a finding's message: it arrives as text.
        assert "<script>alert(1)" not in html
