"""Where the default configuration files are, installed or in a checkout."""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path


def default_file(name: str) -> Path:
    """The path of a default file shipped in this package (``rubric.yaml``,
    ``interpretation.yaml``, ``sites.example.yaml``)."""
    resource = files("zwgk.config") / name
    # Wheels install as plain files, so as_file() returns the real path and
    # the context's exit removes nothing.
    with as_file(resource) as path:
        if not path.is_file():
            raise FileNotFoundError(f"default config file {name!r} is not installed")
        return Path(path)
