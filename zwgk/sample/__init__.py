"""The bundled sample province: three small government portals on loopback.

``SamplePortal`` serves them (HTTP on 127.0.0.1 and ::1, plus a DNS server
for their ``.gov.test`` names) for ``zwgk demo`` and the test-suite;
``planted.yaml`` lists the defects and traps built into the pages.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zwgk.sample.server import SamplePortal

PLANTED_FILE = Path(__file__).resolve().parent / "planted.yaml"

__all__ = ["PLANTED_FILE", "SamplePortal"]


def __getattr__(name: str) -> Any:
    # Imported lazily so `python -m zwgk.sample.server` does not load the
    # module twice (once as zwgk.sample.server, once as __main__).
    if name == "SamplePortal":
        from zwgk.sample.server import SamplePortal

        return SamplePortal
    raise AttributeError(name)
