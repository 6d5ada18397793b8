"""Site-list configuration: YAML in, validated models out, line-precise errors.

Every invalid field is reported as ``FILE:LINE: path: problem`` so an office
editing the list by hand can find the mistake without reading a traceback.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from zwgk.net import parse_nameserver

M = TypeVar("M", bound=BaseModel)

SITE_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class ConfigError(Exception):
    """A config file that cannot be used; ``str()`` is one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Evaluation(_Model):
    as_of: dt.date = Field(default_factory=dt.date.today)
    period_start: dt.date | None = None

    @model_validator(mode="after")
    def _period(self) -> Evaluation:
        if self.period_start is not None and self.period_start > self.as_of:
            raise ValueError("period_start is after as_of")
        return self

    @property
    def start(self) -> dt.date:
        return self.period_start or dt.date(self.as_of.year, 1, 1)


class Crawl(_Model):
    max_depth: int = Field(5, ge=0, le=50)
    max_pages: int = Field(20000, ge=1, le=1_000_000)
    concurrency_per_host: int = Field(4, ge=1, le=64)
    delay_s: float = Field(0.25, ge=0, le=60)
    timeout_s: float = Field(20, gt=0, le=600)
    obey_robots: bool = True
    user_agent: str | None = None


class DNS(_Model):
    nameservers: list[str] = Field(default_factory=list)
    hosts: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("nameservers")
    @classmethod
    def _ns(cls, v: list[str]) -> list[str]:
        for ns in v:
            try:
                parse_nameserver(ns)
            except ValueError as exc:
                raise ValueError(f"nameserver {ns!r} is not ADDRESS[:PORT]") from exc
        return v

    @field_validator("hosts")
    @classmethod
    def _hosts(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        for name, addrs in v.items():
            for a in addrs:
                try:
                    ipaddress.ip_address(a)
                except ValueError as exc:
                    raise ValueError(f"{name}: {a!r} is not an IP address") from exc
        return {k.lower(): a for k, a in v.items()}


class Network(_Model):
    allow_private: bool = False


def _check_http_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} is not an http(s) URL")
    return url


class Site(_Model):
    id: str
    name: str = Field(min_length=1)
    home: str
    disclosure: list[str] = Field(default_factory=list)
    hosts: list[str] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not SITE_ID_RE.match(v):
            raise ValueError("id must be lower-case letters, digits, '-' or '_' (max 64)")
        return v

    @field_validator("home")
    @classmethod
    def _home(cls, v: str) -> str:
        return _check_http_url(v)

    @field_validator("disclosure")
    @classmethod
    def _disclosure(cls, v: list[str]) -> list[str]:
        return [_check_http_url(u) for u in v]

    @property
    def all_hosts(self) -> list[str]:
        """Host names in scope: home, disclosure entries, then ``hosts``."""
        seen: list[str] = []
        for u in [self.home, *self.disclosure]:
            h = urlsplit(u).hostname
            if h and h not in seen:
                seen.append(h)
        for h in self.hosts:
            if h.lower() not in seen:
                seen.append(h.lower())
        return seen

    @property
    def start_urls(self) -> list[str]:
        return [self.home, *[u for u in self.disclosure if u != self.home]]


class Config(_Model):
    evaluation: Evaluation = Field(default_factory=Evaluation)
    crawl: Crawl = Field(default_factory=Crawl)
    dns: DNS = Field(default_factory=DNS)
    network: Network = Field(default_factory=Network)
    rubric: str | None = None
    sites: list[Site] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Config:
        ids = [s.id for s in self.sites]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate site id: {', '.join(dupes)}")
        return self

    # Set by load_config; not part of the YAML schema.
    source: Path | None = Field(default=None, exclude=True)

    def site(self, site_id: str) -> Site:
        for s in self.sites:
            if s.id == site_id:
                return s
        raise KeyError(site_id)

    @property
    def trusted_hosts(self) -> set[str]:
        return {h for s in self.sites for h in s.all_hosts}

    def rubric_path(self) -> Path:
        """The scoring rubric: ``rubric:`` if set, else ``rubric.yaml`` beside the
        config file, else the project's ``config/rubric.yaml``."""
        base = self.source.parent if self.source else Path.cwd()
        if self.rubric:
            p = Path(self.rubric)
            return p if p.is_absolute() else base / p
        beside = base / "rubric.yaml"
        if beside.exists():
            return beside
        return Path(__file__).resolve().parent.parent / "config" / "rubric.yaml"


def _line_index(node: yaml.Node, path: tuple[Any, ...], out: dict[tuple[Any, ...], int]) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            key = k.value
            out[(*path, key)] = k.start_mark.line + 1
            _line_index(v, (*path, key), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _line_index(v, (*path, i), out)


def _line_for(loc: tuple[Any, ...], lines: dict[tuple[Any, ...], int]) -> int | None:
    loc = tuple(loc)
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return lines.get(())


def parse_config(text: str, name: str = "<config>") -> Config:
    return parse_yaml_model(text, name, Config)


def parse_yaml_model(text: str, name: str, model: type[M]) -> M:
    """Validate YAML ``text`` against ``model``; errors name file and line."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark else name
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError([f"{where}: invalid YAML: {problem}"]) from None
    if not isinstance(data, dict):
        raise ConfigError([f"{name}:1: the file must be a YAML mapping"])
    lines: dict[tuple[Any, ...], int] = {}
    if node is not None:
        _line_index(node, (), lines)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
            line = _line_for(loc, lines)
            path = ".".join(str(p) for p in loc) or "(top)"
            msg = err["msg"].removeprefix("Value error, ")
            problems.append(f"{name}:{line or 1}: {path}: {msg}")
        raise ConfigError(problems) from None


def load_config(path: str | Path) -> Config:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{p}: no such file"]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError([f"{p}: not UTF-8 text ({exc.reason} at byte {exc.start})"]) from None
    cfg = parse_config(text, str(p))
    return cfg.model_copy(update={"source": p.resolve()})
