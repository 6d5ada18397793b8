"""Bad configuration: one line per problem on stderr, exit code 2, nothing written.

Each case runs the real command line in a fresh folder and checks that the
folder holds nothing afterwards but what the test put there: no store, no
output folder, no log. The messages are the ones docs/reliability.md lists.

Tests run as root, where ``chmod 000`` does not stop a read, so an
unreadable file is simulated three ways that hold for root too: bytes that
are not UTF-8, a broken symbolic link and a FIFO (which a plain ``open``
would wait on forever). A real permission error is checked too, when the
tests do not run as root.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ZWGK = [sys.executable, "-m", "zwgk"]
HOME = "home: http://www.a.gov.test/"
SITE = f"sites:\n  - id: a\n    name: 甲\n    {HOME}\n"


def _text(text: str) -> Callable[[Path], None]:
    return lambda p: p.write_text(text, encoding="utf-8")


def _folder(p: Path) -> None:
    p.mkdir()
    (p / "sites.yaml").write_text(SITE, encoding="utf-8")


# (case, how to make sites.yaml, the lines stderr must hold exactly)
CASES: list[tuple[str, Callable[[Path], None], list[str]]] = [
    (
        "unknown key",
        _text(f"sites:\n  - id: a\n    name: 甲\n    {HOME}\n    colour: red\n"),
        [
            "sites.yaml:5: sites.0.colour: unknown key; "
            "allowed: id, name, home, disclosure, hosts, kind, region"
        ],
    ),
    (
        "wrong type",
        _text("crawl:\n  max_depth: many\n" + SITE),
        [
            "sites.yaml:2: crawl.max_depth: Input should be a valid integer, "
            "unable to parse string as an integer"
        ],
    ),
    (
        "bad URL",
        _text("sites:\n  - id: a\n    name: 甲\n    home: htp://x\n"),
        ["sites.yaml:4: sites.0.home: 'htp://x' is not an http(s) URL"],
    ),
    (
        "duplicate site id",
        _text(SITE + f"  - id: a\n    name: 乙\n    {HOME}\n"),
        [
            "sites.yaml:5: sites.1.id: duplicate site id 'a' (also sites.0);"
            " give each site its own id"
        ],
    ),
    (
        "two problems",
        _text("crawl:\n  max_depth: -1\nsites:\n  - id: a\n    name: 甲\n    home: htp://x\n"),
        [
            "sites.yaml:2: crawl.max_depth: Input should be greater than or equal to 0",
            "sites.yaml:6: sites.0.home: 'htp://x' is not an http(s) URL",
        ],
    ),
    (
        "YAML syntax error",
        _text("sites:\n  - id: a\n   name: 甲\n"),
        ["sites.yaml:3: invalid YAML: expected <block end>, but found '<block mapping start>'"],
    ),
    (
        "empty file",
        _text(""),
        ["sites.yaml:1: the file is empty; it must be a YAML mapping (key: value)"],
    ),
    (
        "not a mapping",
        _text("- a\n- b\n"),
        ["sites.yaml:1: the file must be a YAML mapping (key: value)"],
    ),
    (
        "no sites",
        _text("sites: []\n"),
        ["sites.yaml:1: sites: no sites; list at least one site"],
    ),
    (
        "no sites key",
        _text("crawl: {max_depth: 2}\n"),
        ["sites.yaml:1: sites: Field required"],
    ),
    (
        "not UTF-8 (unreadable)",
        lambda p: p.write_bytes(SITE.encode("gbk")),
        ["sites.yaml:3: not UTF-8 text (invalid start byte at byte 27); save the file as UTF-8"],
    ),
    (
        "broken symlink (unreadable)",
        lambda p: p.symlink_to("gone.yaml"),
        ["sites.yaml: no such file (a broken symbolic link to gone.yaml)"],
    ),
    (
        "FIFO (unreadable)",
        lambda p: os.mkfifo(p),
        ["sites.yaml: not a regular file; name a YAML file"],
    ),
    (
        "folder",
        _folder,
        ["sites.yaml: is a folder, not a file; name the YAML file in it"],
    ),
    ("missing file", lambda p: None, ["sites.yaml: no such file"]),
]


def run_cli(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    args = ["run", "--config", "sites.yaml", "--db", "D.db", "--out", "O", "--no-progress"]
    return subprocess.run(
        [*ZWGK, *args], cwd=tmp_path, capture_output=True, text=True, timeout=60, stdin=None
    )


def assert_refused(tmp_path: Path, expected: list[str], before: set[str]) -> None:
    r = run_cli(tmp_path)
    assert r.returncode == 2, r.stderr
    assert r.stderr.splitlines() == [f"config error: {line}" for line in expected]
    assert r.stdout == ""
    assert not (tmp_path / "D.db").exists()
    assert not (tmp_path / "O").exists()
    # Nothing else either: no journal, no log, no .scrapy folder.
    assert {p.name for p in tmp_path.iterdir()} == before


@pytest.mark.parametrize(("make", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_config_one_line_exit_2_nothing_written(
    tmp_path: Path, make: Callable[[Path], None], expected: list[str]
) -> None:
    make(tmp_path / "sites.yaml")
    before = {p.name for p in tmp_path.iterdir()}
    assert_refused(tmp_path, expected, before)


def test_unreadable_file_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests run as root, who reads a chmod 000 file; the refusal the kernel
    # would give any other user is raised where the loader reads.
    from zwgk.config import ConfigError
    from zwgk.config.schema import read_config_text

    cfg = tmp_path / "sites.yaml"
    cfg.write_text(SITE, encoding="utf-8")

    def denied(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(ConfigError) as err:
        read_config_text(cfg)
    assert err.value.problems == [f"{cfg}: cannot be read (permission denied)"]


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("rubric", "{dir}/nope.yaml: no such file"),
        ("remedies", "{dir}/nope.yaml: no such file"),
    ],
)
def test_bad_rubric_or_remedies_refused_before_any_write(
    tmp_path: Path, key: str, expected: str
) -> None:
    (tmp_path / "sites.yaml").write_text(f"{key}: nope.yaml\n" + SITE, encoding="utf-8")
    assert_refused(tmp_path, [expected.format(dir=tmp_path.resolve())], {"sites.yaml"})
