"""The command line's contract: exit codes and one-line errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ZWGK = [sys.executable, "-m", "zwgk"]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*ZWGK, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_config_error_exits_2_with_file_and_line(tmp_path: Path) -> None:
    cfg = tmp_path / "sites.yaml"
    cfg.write_text("sites:\n  - id: a\n    name: 甲\n    home: not-a-url\n", encoding="utf-8")
    r = run(
        "run", "--config", str(cfg), "--db", str(tmp_path / "z.db"), "--no-progress", cwd=tmp_path
    )
    assert r.returncode == 2
    assert f"{cfg}:4: sites.0.home: 'not-a-url' is not an http(s) URL" in r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "z.db").exists()


def test_missing_config_file_exits_2(tmp_path: Path) -> None:
    r = run("check", "--config", str(tmp_path / "nope.yaml"), cwd=tmp_path)
    assert r.returncode == 2
    assert "no such file" in r.stderr


def test_unknown_site_exits_2(tmp_path: Path) -> None:
    cfg = tmp_path / "sites.yaml"
    cfg.write_text(
        "sites:\n  - {id: a, name: 甲, home: 'http://www.a.gov.test/'}\n", encoding="utf-8"
    )
    r = run(
        "crawl", "--config", str(cfg), "--site", "zz", "--db", str(tmp_path / "z.db"), cwd=tmp_path
    )
    assert r.returncode == 2
    assert "unknown site id: zz" in r.stderr


def test_report_on_empty_store_exits_1(tmp_path: Path) -> None:
    r = run("report", "--db", str(tmp_path / "z.db"), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert r.returncode == 1
    assert "no run" in r.stderr


def test_usage_error_exits_2(tmp_path: Path) -> None:
    r = run("run", "--no-such-option", cwd=tmp_path)
    assert r.returncode == 2
