"""zwgk.config: the example parses, and every kind of mistake is reported as
``FILE:LINE: path: message`` at the line an editor has to change."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from textwrap import dedent

import pytest

from zwgk.config import Config, ConfigError, load_config, parse_config

REPO = Path(__file__).resolve().parents[2]

SITE = """\
sites:
  - id: demo
    name: 示例县人民政府
    home: http://www.demo.gov.test/
"""


def problems(text: str, name: str = "sites.yaml") -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_config(text, name)
    return info.value.problems


# -- valid configs -----------------------------------------------------------


def test_example_config_parses() -> None:
    path = REPO / "config" / "sites.example.yaml"
    cfg = load_config(path)
    assert cfg.source == path.resolve()
    assert cfg.evaluation.as_of == dt.date(2026, 11, 30)
    assert cfg.evaluation.start == dt.date(2026, 1, 1)
    assert cfg.crawl.max_depth == 5
    assert cfg.crawl.max_pages == 20000
    assert cfg.crawl.obey_robots is True
    assert cfg.dns.nameservers == ["127.0.0.1:15353"]
    assert cfg.dns.hosts == {"www.a.gov.test": ["127.0.0.1", "::1"]}
    assert cfg.network.allow_private is False
    [site] = cfg.sites
    assert (site.id, site.name) == ("jlcity", "吉林市人民政府")
    assert site.start_urls == [
        "http://www.jlcity.gov.test:18001/",
        "http://www.jlcity.gov.test:18001/zwgk/",
    ]
    assert site.all_hosts == ["www.jlcity.gov.test", "xxgk.jlcity.gov.test"]
    assert cfg.trusted_hosts == {"www.jlcity.gov.test", "xxgk.jlcity.gov.test"}


def test_full_config_values() -> None:
    cfg = parse_config(
        dedent("""\
        evaluation:
          as_of: 2025-06-30
          period_start: 2024-07-01
        crawl: {max_depth: 0, delay_s: 1.5, user_agent: zwgk-test}
        dns:
          nameservers: ["[::1]:5353", 127.0.0.1]
          hosts: {WWW.Demo.Gov.Test: ["127.0.0.1"]}
        network: {allow_private: true}
        rubric: my-rubric.yaml
        sites:
          - id: demo_1
            name: 示例县
            home: https://www.demo.gov.test/
            disclosure: [https://www.demo.gov.test/zwgk/, https://www.demo.gov.test/]
            hosts: [XXGK.Demo.Gov.Test]
        """)
    )
    assert cfg.evaluation.start == dt.date(2024, 7, 1)
    assert (cfg.crawl.max_depth, cfg.crawl.delay_s, cfg.crawl.user_agent) == (0, 1.5, "zwgk-test")
    assert cfg.dns.hosts == {"www.demo.gov.test": ["127.0.0.1"]}
    assert cfg.network.allow_private is True
    site = cfg.site("demo_1")
    assert site.start_urls == ["https://www.demo.gov.test/", "https://www.demo.gov.test/zwgk/"]
    assert site.all_hosts == ["www.demo.gov.test", "xxgk.demo.gov.test"]
    with pytest.raises(KeyError):
        cfg.site("missing")


def test_period_start_defaults_to_first_of_january_of_as_of_year() -> None:
    cfg = parse_config("evaluation: {as_of: 2025-08-15}\n" + SITE)
    assert cfg.evaluation.period_start is None
    assert cfg.evaluation.start == dt.date(2025, 1, 1)


def test_as_of_defaults_to_today() -> None:
    before = dt.date.today()
    cfg = parse_config(SITE)
    after = dt.date.today()
    assert cfg.evaluation.as_of in (before, after)  # the run may straddle midnight
    assert cfg.evaluation.start == dt.date(cfg.evaluation.as_of.year, 1, 1)


def test_defaults_of_optional_sections() -> None:
    cfg = parse_config(SITE)
    assert cfg.crawl.model_dump() == {
        "max_depth": 5,
        "max_pages": 20000,
        "concurrency_per_host": 4,
        "delay_s": 0.25,
        "timeout_s": 20,
        "obey_robots": True,
        "user_agent": None,
        "contact": None,
        "max_page_mb": 20,
        "max_pages_per_pattern": 1000,
        "retry_after_max_s": 60,
        "blocked_attempts": 3,
    }
    assert cfg.links.model_dump() == {
        "check_external": True,
        "cache_days": 7,
        "retries": 2,
        "timeout_s": 15,
        "concurrency_per_host": 2,
        "beside_crawl": True,
    }
    assert (cfg.dns.nameservers, cfg.dns.hosts) == ([], {})
    assert cfg.network.allow_private is False
    assert cfg.network.allow_hosts == []
    assert cfg.network.ca_bundle is None
    assert cfg.rubric is None
    assert cfg.source is None


def test_utf8_file_with_bom_loads(tmp_path: Path) -> None:
    path = tmp_path / "sites.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + SITE.encode("utf-8"))
    assert load_config(path).sites[0].name == "示例县人民政府"


# -- errors: FILE:LINE: path: message -------------------------------------------


def test_wrong_types() -> None:
    assert problems(
        dedent("""\
        crawl:
          max_depth: lots
          obey_robots: maybe
        network: {allow_private: 1.5}
        sites:
          - id: demo
            name: [示例]
            home: http://www.demo.gov.test/
        """)
    ) == [
        "sites.yaml:2: crawl.max_depth: Input should be a valid integer,"
        " unable to parse string as an integer",
        "sites.yaml:3: crawl.obey_robots: Input should be a valid boolean,"
        " unable to interpret input",
        "sites.yaml:4: network.allow_private: Input should be a valid boolean",
        "sites.yaml:7: sites.0.name: Input should be a valid string",
    ]


def test_section_of_the_wrong_shape_is_reported_at_its_key() -> None:
    assert problems(
        dedent("""\
        crawl:
          - max_depth
        sites:
          id: demo
        """)
    ) == [
        "sites.yaml:1: crawl: Input should be a valid dictionary or instance of Crawl",
        "sites.yaml:3: sites: Input should be a valid list",
    ]


def test_value_out_of_range() -> None:
    assert problems("crawl:\n  max_depth: 99\n  delay_s: -1\n" + SITE) == [
        "sites.yaml:2: crawl.max_depth: Input should be less than or equal to 50",
        "sites.yaml:3: crawl.delay_s: Input should be greater than or equal to 0",
    ]


def test_unknown_keys() -> None:
    assert problems(
        dedent("""\
        crawl:
          max_depht: 3
        colour: blue
        sites:
          - id: demo
            name: 示例
            home: http://www.demo.gov.test/
            homepage: http://www.demo.gov.test/index.html
        """)
    ) == [
        "sites.yaml:2: crawl.max_depht: unknown key; allowed: max_depth, max_pages,"
        " concurrency_per_host, delay_s, timeout_s, obey_robots, user_agent, contact,"
        " max_page_mb, max_pages_per_pattern, retry_after_max_s, blocked_attempts",
        "sites.yaml:3: colour: unknown key; allowed: evaluation, crawl, dns, network,"
        " links, ipv6, rubric, remedies, sites",
        "sites.yaml:8: sites.0.homepage: unknown key; allowed: id, name, home, disclosure,"
        " hosts, kind, region",
    ]


def test_network_keys() -> None:
    assert problems("network: {proxy: x}\n" + SITE) == [
        "sites.yaml:1: network.proxy: unknown key; allowed: allow_private, allow_hosts, ca_bundle",
    ]


def test_ca_bundle_is_resolved_and_must_hold_a_certificate(tmp_path: Path) -> None:
    pem = tmp_path / "ca.pem"
    pem.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    cfg = parse_config(f"network: {{ca_bundle: '{pem}'}}\n" + SITE, "sites.yaml")
    assert cfg.network.ca_bundle == str(pem.resolve())
    missing = tmp_path / "nope.pem"
    assert problems(f"network:\n  ca_bundle: '{missing}'\n" + SITE) == [
        f"sites.yaml:2: network.ca_bundle: CA bundle '{missing}' not found"
        " (a PEM file of certificates)",
    ]
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate")
    assert problems(f"network:\n  ca_bundle: '{junk}'\n" + SITE) == [
        f"sites.yaml:2: network.ca_bundle: '{junk}' holds no PEM certificate"
        " (-----BEGIN CERTIFICATE-----)",
    ]


def test_bad_urls() -> None:
    assert problems(
        dedent("""\
        sites:
          - id: demo
            name: 示例
            home: ftp://www.demo.gov.test/
            disclosure:
              - http://www.demo.gov.test/zwgk/
              - www.demo.gov.test/xxgk/
          - id: other
            name: 其他
            home: http://www.other.gov.test:99999/
        """)
    ) == [
        "sites.yaml:4: sites.0.home: 'ftp://www.demo.gov.test/' is not an http(s) URL",
        "sites.yaml:7: sites.0.disclosure.1: 'www.demo.gov.test/xxgk/' is not an http(s) URL",
        "sites.yaml:10: sites.1.home: 'http://www.other.gov.test:99999/':"
        " Port out of range 0-65535",
    ]


def test_bad_site_id_and_missing_field() -> None:
    assert problems(
        dedent("""\
        sites:
          - id: Demo Site
            name: 示例
            home: http://www.demo.gov.test/
          - id: other
            home: http://www.other.gov.test/
        """)
    ) == [
        "sites.yaml:2: sites.0.id: id must be lower-case letters, digits, '-' or '_' (max 64)",
        "sites.yaml:5: sites.1.name: Field required",
    ]


def test_missing_and_empty_site_list() -> None:
    assert problems("crawl: {max_depth: 2}\n") == ["sites.yaml:1: sites: Field required"]
    assert problems("crawl: {max_depth: 2}\nsites: []\n") == [
        "sites.yaml:2: sites: no sites; list at least one site"
    ]


def test_duplicate_site_ids_point_at_the_repeat() -> None:
    assert problems(
        dedent("""\
        sites:
          - id: demo
            name: 示例
            home: http://www.demo.gov.test/
          - id: other
            name: 其他
            home: http://www.other.gov.test/
          - id: demo
            name: 重复
            home: http://www.dup.gov.test/
        """)
    ) == [
        "sites.yaml:8: sites.2.id: duplicate site id 'demo' (also sites.0);"
        " give each site its own id"
    ]


def test_bad_nameservers() -> None:
    assert problems(
        dedent("""\
        dns:
          nameservers:
            - 127.0.0.1:15353
            - ns.example.test
        """)
        + SITE
    ) == [
        "sites.yaml:4: dns.nameservers.1: nameserver 'ns.example.test' is not ADDRESS[:PORT]"
        " ('ns.example.test' does not appear to be an IPv4 or IPv6 address)",
    ]
    assert problems("dns:\n  nameservers: ['127.0.0.1:99999']\n" + SITE) == [
        "sites.yaml:2: dns.nameservers.0: nameserver '127.0.0.1:99999' is not ADDRESS[:PORT]"
        " (port '99999' is not 1-65535)",
    ]


def test_non_ip_in_dns_hosts() -> None:
    assert problems(
        dedent("""\
        dns:
          hosts:
            www.a.gov.test: [127.0.0.1]
            www.b.gov.test:
              - ::1
              - intranet.b.gov.test
        """)
        + SITE
    ) == [
        "sites.yaml:6: dns.hosts.www.b.gov.test.1: 'intranet.b.gov.test' is not an IP address",
    ]


def test_period_start_after_as_of() -> None:
    assert problems(
        dedent("""\
        evaluation:
          as_of: 2026-03-01
          period_start: 2026-05-01
        """)
        + SITE
    ) == ["sites.yaml:3: evaluation.period_start: period_start is after as_of"]


def test_invalid_dates() -> None:
    assert problems("evaluation:\n  as_of: 2026-02-30\n" + SITE) == [
        "sites.yaml:2: evaluation.as_of: Input should be a valid date or datetime,"
        " day value is outside expected range"
    ]


def test_duplicate_yaml_keys() -> None:
    # PyYAML would silently keep the second home: only the check says so.
    assert problems(
        dedent("""\
        sites:
          - id: demo
            name: 示例
            home: http://www.demo.gov.test/
            home: http://www.other.gov.test/
        """)
    ) == ["sites.yaml:5: sites.0.home: duplicate key (first on line 4)"]


def test_invalid_yaml_syntax() -> None:
    assert problems(
        dedent("""\
        sites:
          - id: demo
            name: [示例
            home: http://www.demo.gov.test/
        """)
    ) == ["sites.yaml:4: invalid YAML: expected ',' or ']', but got ':'"]
    assert problems("sites:\n  - id: demo\n name: x\n") == [
        "sites.yaml:3: invalid YAML: expected <block end>, but found '<block mapping start>'"
    ]
    assert problems("sites:\n\t- id: demo\n") == [
        "sites.yaml:2: invalid YAML: found character '\\t' that cannot start any token"
    ]


@pytest.mark.parametrize("text", ["", "# only a comment\n"])
def test_empty_file(text: str) -> None:
    assert problems(text) == [
        "sites.yaml:1: the file is empty; it must be a YAML mapping (key: value)"
    ]


@pytest.mark.parametrize("text", ["- a\n- b\n", "just text\n"])
def test_non_mapping_file(text: str) -> None:
    assert problems(text) == ["sites.yaml:1: the file must be a YAML mapping (key: value)"]


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "sites.yaml"
    path.write_bytes(SITE.encode("gbk"))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    # 示 is the first non-ASCII byte, on line 3.
    assert info.value.problems == [
        f"{path}:3: not UTF-8 text (invalid start byte at byte 32); save the file as UTF-8"
    ]


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.yaml"
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.problems == [f"{path}: no such file"]


def test_load_config_names_the_file_in_errors(tmp_path: Path) -> None:
    path = tmp_path / "sites.yaml"
    path.write_text("crawl: {max_depth: -1}\n" + SITE, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == (
        f"{path}:1: crawl.max_depth: Input should be greater than or equal to 0"
    )


def test_config_error_str_is_one_line_per_problem() -> None:
    err = ConfigError(["a.yaml:1: x: bad", "a.yaml:2: y: worse"])
    assert str(err) == "a.yaml:1: x: bad\na.yaml:2: y: worse"


def test_parsed_config_is_frozen() -> None:
    cfg = parse_config(SITE)
    assert isinstance(cfg, Config)
    with pytest.raises(ValueError):
        cfg.sites[0].id = "other"  # type: ignore[misc]


def test_contact_is_added_to_the_user_agent() -> None:
    cfg = parse_config(SITE + "crawl: {contact: xxgk@office.gov.test}\n")
    ua = cfg.crawl.user_agent_string("Mozilla/5.0 (compatible; zwgk/0.1)")
    assert ua == "Mozilla/5.0 (compatible; zwgk/0.1; contact: xxgk@office.gov.test)"
    assert parse_config(SITE).crawl.user_agent_string("zwgk/0.1") == "zwgk/0.1"
