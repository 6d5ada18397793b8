"""整改建议: the shipped file covers every rule; an office's file is validated."""

from __future__ import annotations

from pathlib import Path

import pytest

from zwgk.checks import registry
from zwgk.config import ConfigError, default_file
from zwgk.reports.remedies import load_remedies, remedies_path


def test_shipped_remedies_cover_every_rule_in_chinese() -> None:
    remedies = load_remedies()
    rules = {f"{cid}.{rule}" for cid, cls in registry().items() for rule in cls.rules}
    assert set(remedies) == rules
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in text) for text in remedies.values())


def test_an_unknown_rule_and_a_missing_one_are_refused_with_lines(tmp_path: Path) -> None:
    text = default_file("remedies.yaml").read_text(encoding="utf-8")
    text = text.replace("links.timeout:", "links.tiemout:")
    bad = tmp_path / "remedies.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_remedies(bad)
    problems = err.value.problems
    line = next(i for i, s in enumerate(text.splitlines(), 1) if s.startswith("links.tiemout"))
    assert f"{bad}:{line}: 'links.tiemout' names no rule of a registered check" in problems
    assert any("links.timeout: no 整改建议" in p for p in problems)


def test_an_office_file_beside_the_site_list_wins(tmp_path: Path) -> None:
    from tests.conftest import make_config

    cfg = make_config()
    assert remedies_path(cfg) == default_file("remedies.yaml")
    cfg = cfg.model_copy(update={"source": tmp_path / "sites.yaml"})
    (tmp_path / "remedies.yaml").write_text("x: y\n", encoding="utf-8")
    assert remedies_path(cfg) == tmp_path / "remedies.yaml"
