"""Configuration: the site list's schema and loader, and the default files.

This folder is both the ``zwgk.config`` package and the home of the default
YAML files (rubric, rules, example site list); they ship as package data and
are read through :func:`default_file`, so an installed zwgk finds them
wherever it lives. An office's own files override them by path.
"""

from zwgk.config.files import default_file
from zwgk.config.schema import (
    Config,
    ConfigError,
    Evaluation,
    Site,
    SiteKind,
    load_config,
    parse_config,
    parse_yaml_model,
)

__all__ = [
    "Config",
    "ConfigError",
    "Evaluation",
    "Site",
    "SiteKind",
    "default_file",
    "load_config",
    "parse_config",
    "parse_yaml_model",
]
