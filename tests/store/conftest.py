"""Every store test runs on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import pytest


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)
