"""The import-linter contracts in pyproject.toml catch what they promise to.

Each case copies the ``zwgk`` package (the symlinked crawler/, checks/,
reports/ and config/ followed, so the copy is what an install sees), plants
one function-level import that goes against a contract, and runs
``lint-imports`` on the copy with the checkout's contracts.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

LAYERS = "zwgk layers"
NO_SAMPLE = "Product modules do not import the sample portal or the test DNS server"


def copy_package(dest: Path) -> Path:
    shutil.copytree(
        REPO / "zwgk",
        dest / "zwgk",
        symlinks=False,
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copy(REPO / "pyproject.toml", dest / "pyproject.toml")
    return dest / "zwgk"


def plant(pkg: Path, module: str, body: str) -> None:
    """Append ``body`` to the file of the dotted ``module`` inside the copy."""
    rel = Path(*module.split(".")[1:])
    path = pkg / rel / "__init__.py" if (pkg / rel).is_dir() else pkg / rel.with_suffix(".py")
    assert path.is_file(), path
    with path.open("a", encoding="utf-8") as f:
        f.write("\n\n" + body)


def lint(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(root / "pyproject.toml")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_unmodified_copy_keeps_every_contract(tmp_path: Path) -> None:
    copy_package(tmp_path)
    r = lint(tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"{LAYERS} KEPT" in r.stdout
    assert f"{NO_SAMPLE} KEPT" in r.stdout
    assert "0 broken" in r.stdout


@pytest.mark.parametrize(
    ("module", "body", "broken", "message", "chain"),
    [
        pytest.param(
            "zwgk.checks.base",
            "def _x():\n    from zwgk.reports import render\n",
            LAYERS,
            "zwgk.checks is not allowed to import zwgk.reports",
            "zwgk.checks.base -> zwgk.reports",
            id="check-imports-reports",
        ),
        pytest.param(
            "zwgk.vocab",
            "def _x():\n    import zwgk.runner\n",
            LAYERS,
            "zwgk.vocab is not allowed to import zwgk.runner",
            "zwgk.vocab -> zwgk.runner",
            id="vocab-imports-runner",
        ),
        pytest.param(
            "zwgk.stages",
            "def _x():\n    from zwgk.vocab import StageOutcome\n",
            LAYERS,
            "zwgk.stages is not allowed to import zwgk.vocab",
            "zwgk.stages -> zwgk.vocab",
            id="stages-imports-vocab",
        ),
        pytest.param(
            "zwgk.crawler",
            "def _x():\n    from zwgk.checks import CheckContext\n",
            LAYERS,
            "zwgk.crawler is not allowed to import zwgk.checks",
            "zwgk.crawler -> zwgk.checks",
            id="crawler-imports-sibling-checks",
        ),
        pytest.param(
            "zwgk.store",
            "def _x():\n    from zwgk.sample import catalog\n",
            NO_SAMPLE,
            "zwgk.store is not allowed to import zwgk.sample",
            "zwgk.store -> zwgk.sample",
            id="store-imports-sample",
        ),
        pytest.param(
            "zwgk.net",
            "def _x():\n    from zwgk.dnsserver import DNSServer\n",
            NO_SAMPLE,
            "zwgk.net is not allowed to import zwgk.dnsserver",
            "zwgk.net -> zwgk.dnsserver",
            id="net-imports-dnsserver",
        ),
    ],
)
def test_a_planted_import_breaks_its_contract(
    tmp_path: Path, module: str, body: str, broken: str, message: str, chain: str
) -> None:
    pkg = copy_package(tmp_path)
    plant(pkg, module, body)
    r = lint(tmp_path)
    assert r.returncode == 1, r.stdout + r.stderr
    assert f"{broken} BROKEN" in r.stdout
    assert "1 broken" in r.stdout
    assert message in r.stdout
    assert chain in r.stdout
