"""Site-list configuration: YAML in, validated models out, line-precise errors.

Every invalid field is reported as ``FILE:LINE: path: problem`` so an office
editing the list by hand can find the mistake without reading a traceback.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
import stat
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar, get_args
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from zwgk.config.files import default_file
from zwgk.net import parse_nameserver

M = TypeVar("M", bound=BaseModel)

SITE_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class ConfigError(Exception):
    """A config file that cannot be used; ``str()`` is one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class FieldError(ValueError):
    """A validator's complaint about one part of its field, e.g. one list item.

    pydantic locates a validator's error at the field it validates; ``loc``
    names the offending part below that so the reported line is the item's.
    """

    def __init__(self, message: str, *loc: str | int) -> None:
        super().__init__(message)
        self.loc = loc


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Evaluation(_Model):
    as_of: dt.date = Field(default_factory=dt.date.today)
    period_start: dt.date | None = None

    @model_validator(mode="after")
    def _period(self) -> Evaluation:
        if self.period_start is not None and self.period_start > self.as_of:
            raise FieldError("period_start is after as_of", "period_start")
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
    # Named in the User-Agent so a webmaster can reach whoever runs the crawl.
    contact: str | None = None
    # A response over this many megabytes, as sent or once decompressed, is
    # cut and recorded as too_large (a gzip bomb stops here too).
    max_page_mb: float = Field(20, gt=0, le=1024)
    # Pages stored at most per URL pattern: URLs with a query string that
    # differ only in their digits (/cal/?y=2026&m=12, /cal/?y=2031&m=4).
    # URLs without a query are never counted, so path-dated articles
    # (/art/2024/3/15/art_1_2.html, t20240315_1.html) are not cut.
    max_pages_per_pattern: int = Field(1000, ge=1, le=1_000_000)
    # A server's Retry-After (429, 503) is honoured up to this many seconds,
    # per host, so a "come back in an hour" cannot stall a monthly run.
    retry_after_max_s: float = Field(60, ge=0, le=600)
    # Refusals (429, 503 with Retry-After, a WAF challenge) a start URL is
    # asked through, and that a host may give in a row, each after the pause
    # it asked for, before the crawl stops asking it.
    blocked_attempts: int = Field(3, ge=1, le=10)

    def user_agent_string(self, default: str) -> str:
        ua = self.user_agent or default
        if self.contact and self.contact not in ua:
            ua = (
                ua.rstrip(")") + f"; contact: {self.contact})"
                if ua.endswith(")")
                else f"{ua} ({self.contact})"
            )
        return ua


class Links(_Model):
    """Verification of every link target (the ``links`` check's fetches)."""

    check_external: bool = True
    # A URL found ok within this many days is not fetched again; failures
    # are never cached.
    cache_days: int = Field(7, ge=0, le=365)
    retries: int = Field(2, ge=0, le=10)
    timeout_s: float = Field(15, gt=0, le=600)
    concurrency_per_host: int = Field(2, ge=1, le=32)
    # Attachments, images and other files (which the portal crawl never
    # fetches) are verified by a second process while the sites still crawl,
    # on the machine's other core; a host then sees up to
    # crawl.concurrency_per_host + links.concurrency_per_host requests at once.
    beside_crawl: bool = True


class Ipv6(_Model):
    """The IPv6 probe (the ``ipv6`` collector, the ``ipv6`` check's data)."""

    enabled: bool = True
    # The home page is fetched this many times over each family; the share
    # answered is the success rate the rubric judges.
    home_probes: int = Field(3, ge=1, le=20)
    # 2nd- and 3rd-level URLs probed at most (each over IPv4 and IPv6); a
    # larger level is cut, with a warning in the log.
    max_urls_per_level: int = Field(3000, ge=1, le=100_000)
    timeout_s: float = Field(10, gt=0, le=120)
    concurrency_per_host: int = Field(2, ge=1, le=32)


class DNS(_Model):
    nameservers: list[str] = Field(default_factory=list)
    hosts: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("nameservers")
    @classmethod
    def _ns(cls, v: list[str]) -> list[str]:
        for i, ns in enumerate(v):
            try:
                parse_nameserver(ns)
            except ValueError as exc:
                raise FieldError(f"nameserver {ns!r} is not ADDRESS[:PORT] ({exc})", i) from exc
        return v

    @field_validator("hosts")
    @classmethod
    def _hosts(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        for name, addrs in v.items():
            for i, a in enumerate(addrs):
                try:
                    ipaddress.ip_address(a)
                except ValueError as exc:
                    raise FieldError(f"{a!r} is not an IP address", name, i) from exc
        return {k.lower(): a for k, a in v.items()}


class Network(_Model):
    allow_private: bool = False
    # Hosts that may resolve to private addresses although they are not
    # configured sites (e.g. a province's shared platform on an internal range).
    allow_hosts: list[str] = Field(default_factory=list)
    # A PEM file of extra certificate authorities to trust for https, beside
    # the system's (e.g. a province's own CA that browsers in its offices
    # are set to trust). Relative to the working directory.
    ca_bundle: str | None = None

    @field_validator("ca_bundle")
    @classmethod
    def _ca_bundle(cls, v: str | None) -> str | None:
        if v is None:
            return v
        p = Path(v).expanduser()
        if not p.is_file():
            raise ValueError(f"CA bundle {v!r} not found (a PEM file of certificates)")
        text = p.read_bytes()
        if b"-----BEGIN CERTIFICATE-----" not in text:
            raise ValueError(f"{v!r} holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
        return str(p.resolve())


def _check_http_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} is not an http(s) URL")
    try:
        parts.port  # noqa: B018 -- urlsplit checks the port only when asked
    except ValueError as exc:
        raise ValueError(f"{url!r}: {exc}") from None
    return url


class SiteKind(StrEnum):
    GOVERNMENT = "government"  # 人民政府门户网站
    DEPARTMENT = "department"  # 部门网站

    @property
    def label(self) -> str:
        return {"government": "人民政府门户网站", "department": "部门网站"}[self.value]


# A site's name says what it is: "…人民政府" is a government's portal; a
# name ending in an organ's word is a department's site.
_DEPARTMENT_ENDINGS = re.compile(
    r"(局|委员会|委|厅|办公室|办|署|中心|院|所|站|队|支队|大队|分局|公司)(门户网站|网站|官网)?$"
)


def infer_kind(name: str) -> SiteKind:
    n = re.sub(r"\s+", "", name)
    if "人民政府" in n and not re.search(r"人民政府(办公室|办公厅)", n):
        return SiteKind.GOVERNMENT
    if _DEPARTMENT_ENDINGS.search(n):
        return SiteKind.DEPARTMENT
    return SiteKind.GOVERNMENT


class Site(_Model):
    id: str
    name: str = Field(min_length=1)
    home: str
    disclosure: list[str] = Field(default_factory=list)
    hosts: list[str] = Field(default_factory=list)
    # What the site is (rules differ: the annual report is due by 31 January
    # for departments, by 31 March for governments); from the name if unset.
    kind: SiteKind | None = None
    # The region it belongs to (某市), for grouping the ranking.
    region: str | None = None

    @property
    def site_kind(self) -> SiteKind:
        return self.kind if self.kind is not None else infer_kind(self.name)

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
        for i, u in enumerate(v):
            try:
                _check_http_url(u)
            except ValueError as exc:
                raise FieldError(str(exc), i) from None
        return v

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
    links: Links = Field(default_factory=Links)
    ipv6: Ipv6 = Field(default_factory=Ipv6)
    rubric: str | None = None
    # 整改建议 per rule; default: remedies.yaml beside this file, else the shipped one.
    remedies: str | None = None
    sites: list[Site]

    @field_validator("sites")
    @classmethod
    def _some(cls, v: list[Site]) -> list[Site]:
        if not v:
            raise ValueError("no sites; list at least one site")
        return v

    @model_validator(mode="after")
    def _unique(self) -> Config:
        first: dict[str, int] = {}
        for i, s in enumerate(self.sites):
            if s.id in first:
                raise FieldError(
                    f"duplicate site id {s.id!r} (also sites.{first[s.id]});"
                    " give each site its own id",
                    "sites",
                    i,
                    "id",
                )
            first[s.id] = i
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
        sites = {h for s in self.sites for h in s.all_hosts}
        return sites | {h.lower().rstrip(".") for h in self.network.allow_hosts}

    def rubric_path(self) -> Path:
        """The scoring rubric: ``rubric:`` if set, else ``rubric.yaml`` beside the
        config file, else the default shipped with zwgk."""
        base = self.source.parent if self.source else Path.cwd()
        if self.rubric:
            p = Path(self.rubric)
            return p if p.is_absolute() else base / p
        beside = base / "rubric.yaml"
        if beside.exists():
            return beside
        return default_file("rubric.yaml")


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps an impossible date such as 2026-02-30 as text.

    PyYAML's own constructor raises a bare ValueError there, with no line;
    as text it reaches pydantic, which reports it with its path and line.
    """

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def _line_index(
    node: yaml.Node,
    path: tuple[Any, ...],
    out: dict[tuple[Any, ...], int],
    dupes: list[tuple[int, str]],
) -> None:
    """Record the line of every key and list item below ``node``.

    A key maps to its own line, not its value's, so that ``sites:`` followed
    by a block is reported where ``sites:`` is written. PyYAML keeps the last
    of two equal keys without a word; they are collected in ``dupes``.
    """
    if isinstance(node, yaml.MappingNode):
        seen: dict[tuple[str, Any], int] = {}
        for k, v in node.value:
            key, line = k.value, k.start_mark.line + 1
            if key != "<<" and (k.tag, key) in seen:
                first = seen[(k.tag, key)]
                dupes.append(
                    (line, f"{_dotted((*path, key))}: duplicate key (first on line {first})")
                )
            seen.setdefault((k.tag, key), line)
            out[(*path, key)] = line
            _line_index(v, (*path, key), out, dupes)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            out[(*path, i)] = v.start_mark.line + 1
            _line_index(v, (*path, i), out, dupes)


def _dotted(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc) or "(top)"


def _line_for(loc: tuple[Any, ...], lines: dict[tuple[Any, ...], int]) -> int | None:
    loc = tuple(loc)
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return lines.get(())


def yaml_lines(text: str) -> dict[tuple[Any, ...], int]:
    """The line of every key and list item of a YAML text, by path; empty if
    the text does not parse (the caller's validation reports that)."""
    lines: dict[tuple[Any, ...], int] = {}
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return lines
    if node is not None:
        lines[()] = node.start_mark.line + 1
        _line_index(node, (), lines, [])
    return lines


def _keys_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys the model allows at ``loc`` (list indexes skipped), in schema order;
    empty where the path does not lead to a model."""
    cls: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = cls.model_fields.get(part) if cls is not None else None
        if field is None:
            return []
        # Unwrap list[X] and X | None to the model they hold.
        cls = next(
            (
                t
                for t in (field.annotation, *get_args(field.annotation))
                if isinstance(t, type) and issubclass(t, BaseModel)
            ),
            None,
        )
    if cls is None:
        return []
    return [k for k, f in cls.model_fields.items() if not f.exclude]


def parse_config(text: str, name: str = "<config>") -> Config:
    return parse_yaml_model(text, name, Config)


def parse_yaml_model(text: str, name: str, model: type[M]) -> M:
    """Validate YAML ``text`` against ``model``; errors name file and line."""
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)  # a SafeLoader: no arbitrary objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark else name
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError([f"{where}: invalid YAML: {problem}"]) from None
    if data is None:
        raise ConfigError([f"{name}:1: the file is empty; it must be a YAML mapping (key: value)"])
    if not isinstance(data, dict):
        raise ConfigError([f"{name}:1: the file must be a YAML mapping (key: value)"])
    lines: dict[tuple[Any, ...], int] = {}
    problems: list[tuple[int, str]] = []  # (line, "path: message")
    if node is not None:
        lines[()] = node.start_mark.line + 1
        _line_index(node, (), lines, problems)
    try:
        result = model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
            cause = (err.get("ctx") or {}).get("error")
            if isinstance(cause, FieldError):
                loc = (*loc, *cause.loc)
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                allowed = _keys_at(model, loc[:-1])
                msg = "unknown key" + (f"; allowed: {', '.join(allowed)}" if allowed else "")
            problems.append((_line_for(loc, lines) or 1, f"{_dotted(loc)}: {msg}"))
    if problems:
        # In file order, as someone fixing them top to bottom reads them.
        problems.sort(key=lambda p: p[0])
        raise ConfigError([f"{name}:{line}: {problem}" for line, problem in problems])
    return result


def read_config_text(p: Path) -> str:
    """The text of a UTF-8 file, or a ConfigError saying in one line what is wrong.

    Only a regular file is opened: a FIFO or device would block or never end.
    """
    try:
        mode = p.stat().st_mode
    except FileNotFoundError:
        if p.is_symlink():
            raise ConfigError(
                [f"{p}: no such file (a broken symbolic link to {os.readlink(p)})"]
            ) from None
        raise ConfigError([f"{p}: no such file"]) from None
    except OSError as exc:
        raise ConfigError([f"{p}: cannot be read ({_reason(exc)})"]) from None
    if stat.S_ISDIR(mode):
        raise ConfigError([f"{p}: is a folder, not a file; name the YAML file in it"])
    if not stat.S_ISREG(mode):
        raise ConfigError([f"{p}: not a regular file; name a YAML file"])
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ConfigError([f"{p}: cannot be read ({_reason(exc)})"]) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        problem = f"not UTF-8 text ({exc.reason} at byte {exc.start}); save the file as UTF-8"
        raise ConfigError([f"{p}:{line}: {problem}"]) from None


def _reason(exc: OSError) -> str:
    return (exc.strerror or type(exc).__name__).lower()


def load_config(path: str | Path) -> Config:
    p = Path(path)
    cfg = parse_config(read_config_text(p), str(p))
    return cfg.model_copy(update={"source": p.resolve()})
