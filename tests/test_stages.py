"""zwgk.stages: a stage's peak RSS is its own, and the run's peak survives the resets."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from zwgk import stages

MB = 1024  # kB
LINE = re.compile(
    r"^stage (?P<name>.+?): (?P<s>\d+\.\d) s, peak RSS (?P<mb>\d+) MB(?: \((?P<note>.*)\))?$"
)

linux_reset = pytest.mark.skipif(
    sys.platform != "linux" or not Path("/proc/self/clear_refs").exists(),
    reason="peak RSS reset needs Linux's /proc/self/clear_refs",
)


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def lines() -> Iterator[list[str]]:
    # On the "zwgk" logger itself: the CLI makes it not propagate to the root.
    logger = logging.getLogger("zwgk")
    handler, level = Lines(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield handler.lines
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def rss_kb() -> int:
    text = Path("/proc/self/status").read_text()
    return int(re.search(r"^VmRSS:\s+(\d+) kB", text, re.M).group(1))  # type: ignore[union-attr]


def allocate(n_mb: int) -> bytearray:
    buf = bytearray(n_mb * MB * 1024)
    for i in range(0, len(buf), 4096):  # touch every page: resident, not just mapped
        buf[i] = 1
    return buf


def parse(line: str) -> dict[str, str | None]:
    m = LINE.match(line)
    assert m, line
    return m.groupdict()


@linux_reset
def test_a_stage_that_allocates_50_mb_peaks_50_mb_higher_and_the_next_stage_does_not(
    lines: list[str],
) -> None:
    before = rss_kb()
    with stages.stage("big") as big:
        buf = allocate(50)
        assert len(buf) == 50 * MB * 1024
    del buf
    with stages.stage("small") as small:
        pass

    assert big.peak_kb is not None and small.peak_kb is not None
    assert big.note == "" and small.note == ""
    # The big stage's peak includes its 50 MB; the next stage's, after the
    # reset, is back near where the process was before.
    assert big.peak_kb - before >= 48 * MB, (before, big.peak_kb)
    assert small.peak_kb <= big.peak_kb - 40 * MB, (big.peak_kb, small.peak_kb)
    # What the log says is what was measured.
    first, second = (parse(x) for x in lines[-2:])
    assert first["name"] == "big" and second["name"] == "small"
    assert int(first["mb"] or 0) - int(second["mb"] or 0) >= 40
    assert first["note"] is None and second["note"] is None
    # The reset lowered the kernel's mark, not the process's peak of its life.
    assert (stages.process_peak_kb() or 0) >= big.peak_kb
    assert (stages.maxrss_kb() or 0) < big.peak_kb  # what GNU time would now see


@linux_reset
def test_a_stage_that_begins_while_another_runs_shares_its_mark(lines: list[str]) -> None:
    outer = stages.Stage("portal(a)").begin()
    buf = allocate(30)
    inner = stages.Stage("portal(b)").begin()  # no reset: portal(a) would lose its peak
    del buf
    inner.end()
    outer.end()
    assert inner.peak_kb is not None and outer.peak_kb is not None
    assert inner.peak_kb >= rss_kb() + 25 * MB  # upper bound: includes portal(a)'s 30 MB
    assert inner.note == "process-wide, overlapped portal(a)"
    assert outer.note == "process-wide, overlapped portal(b)"
    assert parse(lines[-2])["note"] == "process-wide, overlapped portal(a)"
    # Once no stage runs, the next one resets again.
    with stages.stage("after") as after:
        pass
    assert after.note == ""
    assert after.peak_kb is not None and after.peak_kb <= outer.peak_kb - 20 * MB


def test_without_proc_the_line_says_the_figure_is_since_the_process_started(
    lines: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stages, "PROC_SELF", tmp_path / "no-proc")
    with stages.stage("reports") as s:
        pass
    line = parse(lines[-1])
    assert line["name"] == "reports"
    assert line["note"] == "getrusage ru_maxrss since the process started: no /proc"
    if sys.platform != "win32":
        assert s.peak_kb is not None and s.peak_kb > 0


def test_an_interrupted_stage_says_so_and_ends_once(lines: list[str]) -> None:
    s = stages.Stage("linkcheck(links)").begin()
    s.end("interrupted")
    s.end()
    assert len([x for x in lines if x.startswith("stage linkcheck(links)")]) == 1
    assert (parse(lines[-1])["note"] or "").startswith("interrupted")


def test_log_to_writes_the_stage_lines_to_the_file_not_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    logger = logging.getLogger("zwgk")
    saved = logger.handlers[:], logger.level, logger.propagate
    terminal = logging.StreamHandler(sys.stderr)
    terminal.setLevel(logging.WARNING)  # as zwgk.cli sets it without -v
    logger.handlers[:] = [terminal]
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        log_file = tmp_path / "out" / "2026-11" / "crawl.log"
        with stages.log_to(log_file), stages.stage("checks"):
            pass
        with stages.stage("not logged"):  # after the block: INFO is off again
            pass
    finally:
        logger.handlers[:], level, logger.propagate = saved[0], saved[1], saved[2]
        logger.setLevel(level)
    text = log_file.read_text(encoding="utf-8")
    assert re.search(r"\[zwgk\] INFO: stage checks: \d+\.\d s, peak RSS \d+ MB", text), text
    assert "not logged" not in text
    assert "stage" not in capsys.readouterr().err
