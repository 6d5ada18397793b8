"""The wheel installs into a fresh venv and `zwgk demo` runs from it.

Guards the one-import-name layout: crawler/, checks/, reports/ and config/
must install as zwgk.crawler, zwgk.checks, zwgk.reports and zwgk.config, with
their data files, and nothing may depend on the checkout being on sys.path.

The wheel is built from a copy of the checkout: setuptools never cleans
build/lib, so building in place could ship modules that no longer exist.
Dependencies resolve through pip's configured index; the wheels they resolve
to are kept in a cache (``$ZWGK_WHEEL_CACHE``, default inside the running
venv; set it empty to turn the cache off) so that later runs install offline
from it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

# Not needed to build the wheel, or generated.
_SKIP_TOP = {".git", ".venv", "build", "dist", "bench", "tests", "demo-output", "zwgk-out"}
_SKIP_ANY = shutil.ignore_patterns(
    "__pycache__", "*.egg-info", "*_cache", ".hypothesis", "node_modules", "*.db*"
)

PIP_TIMEOUT = 900


def _ignore(folder: str, names: list[str]) -> set[str]:
    skipped = set(_SKIP_ANY(folder, names))
    if Path(folder) == REPO:
        skipped |= _SKIP_TOP & set(names)
    return skipped


def _env() -> dict[str, str]:
    """The caller's environment without anything that points at the checkout."""
    env = dict(os.environ)
    for key in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP"):
        env.pop(key, None)
    return env


def _run(cmd: list[str | Path], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    r = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=_env(), capture_output=True, text=True, timeout=timeout
    )
    assert r.returncode == 0, f"{cmd}\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return r


def _wheel_cache() -> Path | None:
    value = os.environ.get("ZWGK_WHEEL_CACHE")
    if value == "":
        return None
    return Path(value) if value else Path(sys.prefix) / "zwgk-test-wheels"


def _install(pip: Path, wheel: Path, cwd: Path) -> None:
    cache = _wheel_cache()
    if cache is None:
        _run([pip, "install", "-q", wheel], cwd, PIP_TIMEOUT)
        return
    offline = [pip, "install", "-q", "--no-index", "--find-links", cache, wheel]
    if cache.is_dir():
        r = subprocess.run(
            [str(c) for c in offline],
            cwd=cwd,
            env=_env(),
            capture_output=True,
            text=True,
            timeout=PIP_TIMEOUT,
        )
        if r.returncode == 0:
            return
    # First run, or the dependencies changed: resolve from the index.
    cache.mkdir(parents=True, exist_ok=True)
    _run([pip, "download", "-q", "-d", cache, wheel], cwd, PIP_TIMEOUT)
    for own in cache.glob("zwgk-*.whl"):
        own.unlink()
    _run(offline, cwd, PIP_TIMEOUT)


@pytest.mark.slow
def test_the_wheel_installs_and_runs_the_demo_outside_the_checkout(tmp_path: Path) -> None:
    assert not tmp_path.resolve().is_relative_to(REPO)
    src = tmp_path / "src"
    shutil.copytree(REPO, src, symlinks=True, ignore=_ignore)
    _run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", tmp_path / "dist", "."],
        src,
        PIP_TIMEOUT,
    )
    (wheel,) = (tmp_path / "dist").glob("zwgk-*.whl")

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", venv], tmp_path, 300)
    bin_ = venv / "bin"
    _install(bin_ / "pip", wheel, tmp_path)

    # The installed package, not the checkout, is what runs.
    r = _run(
        [
            bin_ / "python",
            "-c",
            "import sysconfig, zwgk; print(sysconfig.get_paths()['purelib']); print(zwgk.__file__)",
        ],
        tmp_path,
        60,
    )
    purelib, zwgk_file = (Path(line) for line in r.stdout.split())
    assert zwgk_file == purelib / "zwgk" / "__init__.py"

    assert (purelib / "zwgk").is_dir()
    for name in ("crawler", "checks", "reports", "config", "tests"):
        assert not (purelib / name).exists(), f"top-level {name!r} installed"
    for sub in ("crawler", "checks", "reports", "config", "store", "sample"):
        pkg = purelib / "zwgk" / sub
        assert pkg.is_dir() and not pkg.is_symlink(), pkg
        assert (pkg / "__init__.py").is_file(), pkg
    assert (purelib / "zwgk" / "config" / "rubric.yaml").is_file()
    assert list((purelib / "zwgk" / "reports" / "templates").glob("*.html"))

    out = tmp_path / "out"
    r = _run([bin_ / "zwgk", "demo", "--out", out], tmp_path, 600)
    run_dir = out / "2026-11"
    findings = json.loads((run_dir / "findings.json").read_text(encoding="utf-8"))
    scores = json.loads((run_dir / "scores.json").read_text(encoding="utf-8"))
    assert findings and scores
    assert "<html" in (run_dir / "index.html").read_text(encoding="utf-8").lower()
    assert not (tmp_path / "demo-output").exists()
