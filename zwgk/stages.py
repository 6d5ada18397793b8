"""Wall time and peak memory of a run's stages, logged by the run itself.

A stage logs one INFO line on the ``zwgk`` logger when it ends::

    stage portal(bench): 16.5 s, peak RSS 145 MB

``with stage("checks"): ...``, or ``s = Stage(name).begin()`` … ``s.end()``
for a stage that ends in a callback (a Scrapy crawl).

Peak RSS on Linux: a stage begins by writing "5" to /proc/self/clear_refs,
which resets the process's high-water mark (VmHWM) to its current RSS, and
ends by reading VmHWM from /proc/self/status. Two things follow:

- Stages of one process that overlap in time (sites crawled in parallel)
  share that one mark: a stage that begins while another runs does not
  reset it, and its line ends "(process-wide, overlapped …)"; its figure
  is then the process's peak since the first of them began, an upper bound.
- The reset also lowers what the kernel reports to ``getrusage`` and to
  ``wait4`` — GNU time's "Maximum resident set size" of the whole process
  becomes the peak since the last reset. So every reset first reads the
  mark it is about to clear, and ``process_peak_kb`` (logged at the end of
  a run by ``log_process_peak``) is the true peak of the process's life.

Where the reset is refused or /proc is missing, the figure is the peak
since the process started (VmHWM, or ``getrusage`` ``ru_maxrss``) and the
line says so.

Standard library only and nothing of zwgk's (the lowest layer of the
import contract): ``zwgk.runner``, ``zwgk.cli`` and ``zwgk.jobs`` import it.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

log = logging.getLogger("zwgk")

# Tests point this elsewhere to take the fallback paths.
PROC_SELF = Path("/proc/self")

_lock = threading.Lock()
_active: list[Stage] = []
# The largest VmHWM read just before a reset cleared it (kB).
_carried_kb = 0
# Whether the last reset took: a stage that begins while others run is
# measured from that reset.
_reset_ok = False


def _reset_peak() -> bool:
    """Reset VmHWM to the current RSS, carrying the old mark over; True if it took."""
    global _carried_kb
    before = vm_hwm_kb()
    try:
        with open(PROC_SELF / "clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return False
    if before is not None:
        _carried_kb = max(_carried_kb, before)
    return True


def vm_hwm_kb() -> int | None:
    """The process's high-water RSS mark (kB) from /proc/self/status, or None."""
    try:
        text = (PROC_SELF / "status").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


def maxrss_kb() -> int | None:
    """``getrusage`` ``ru_maxrss`` in kB (bytes on macOS), or None without ``resource``."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    value = int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    return value // 1024 if sys.platform == "darwin" else value


def process_peak_kb() -> int | None:
    """The peak RSS of the process's whole life so far (kB), resets included."""
    now = vm_hwm_kb()
    if now is None:
        now = maxrss_kb()
    if now is None:
        return _carried_kb or None
    return max(now, _carried_kb)


def _mb(kb: int) -> int:
    return round(kb / 1024)


class Stage:
    """One stage of a run: ``begin()``, then ``end()`` logs its line."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.seconds = 0.0
        self.peak_kb: int | None = None
        # Why the figure is not this stage's own peak, if it is not ("" if it is).
        self.note = ""
        self.overlapped: list[str] = []
        self._t0: float | None = None
        self._from_reset = False
        self._ended = False

    def begin(self) -> Stage:
        global _reset_ok
        with _lock:
            if _active:
                for other in _active:
                    other.overlapped.append(self.name)
                    self.overlapped.append(other.name)
            else:
                _reset_ok = _reset_peak()
            self._from_reset = _reset_ok
            _active.append(self)
        self._t0 = time.monotonic()
        return self

    @property
    def ended(self) -> bool:
        return self._ended

    def end(self, why: str = "") -> Stage:
        """Measure and log; ``why``: a word for the line ("interrupted")."""
        global _carried_kb
        if self._t0 is None:
            raise RuntimeError(f"stage {self.name} ended before it began")
        if self._ended:
            return self
        self._ended = True
        self.seconds = time.monotonic() - self._t0
        with _lock:
            if self in _active:
                _active.remove(self)
        hwm = vm_hwm_kb()
        if hwm is not None:
            _carried_kb = max(_carried_kb, hwm)
        if hwm is not None and self._from_reset:
            self.peak_kb = hwm
            if self.overlapped:
                names = (
                    ", ".join(self.overlapped)
                    if len(self.overlapped) <= 3
                    else f"{len(self.overlapped)} other stages"
                )
                self.note = f"process-wide, overlapped {names}"
        elif hwm is not None:
            self.peak_kb = hwm
            self.note = "VmHWM since the process started: /proc/self/clear_refs refused"
        else:
            self.peak_kb = maxrss_kb()
            self.note = "getrusage ru_maxrss since the process started: no /proc"
        if why:
            self.note = f"{why}; {self.note}" if self.note else why
        log.info("%s", self.line())
        return self

    def line(self) -> str:
        peak = "unknown" if self.peak_kb is None else f"{_mb(self.peak_kb)} MB"
        note = f" ({self.note})" if self.note else ""
        return f"stage {self.name}: {self.seconds:.1f} s, peak RSS {peak}{note}"

    def __enter__(self) -> Stage:
        return self.begin()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.end()


@contextmanager
def stage(name: str) -> Iterator[Stage]:
    """``with stage("checks"):`` — the stage's line is logged when the block ends."""
    with Stage(name) as s:
        yield s


def log_process_peak() -> int | None:
    """Log the process's peak RSS over its whole life (what GNU time would
    have said without the stages' resets); returns it in kB."""
    peak = process_peak_kb()
    if peak is not None:
        log.info("process peak RSS %d MB", _mb(peak))
    return peak


@contextmanager
def log_to(path: Path) -> Iterator[None]:
    """While the block runs, zwgk's own messages of INFO and above (the
    stage lines, warnings, errors) also go to ``path``, appended, in the
    format of Scrapy's log (the run's crawl.log, which Scrapy appends to)."""
    logger = logging.getLogger("zwgk")
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.INFO)
    handler.setFormatter(
        logging.Formatter("%(asctime)s [%(name)s] %(levelname)s: %(message)s", "%Y-%m-%d %H:%M:%S")
    )
    level = logger.level
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        handler.close()
        logger.setLevel(level)
