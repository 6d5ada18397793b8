"""Certificates judged as a visitor's browser judges them, end to end.

One ``zwgk run`` (a subprocess, names from the test DNS server) of two sites
served over https by tests/crawler/tls_site.py: the good site's home links to
four hosts whose certificates a browser refuses; the second site's home has
an expired certificate."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from scrapy.settings import Settings
from scrapy.utils.misc import load_object
from scrapy.utils.test import get_crawler

from tests.crawler.tls_site import (
    EXPIRED,
    EXPIRED_HOME,
    GOOD,
    LINKED,
    SELFSIGNED,
    UNTRUSTED,
    WRONGHOST,
    TlsSite,
)
from zwgk.crawler.tls import CertificateInvalid, VerifyingContextFactory
from zwgk.dnsserver import DNSServer
from zwgk.store import Store
from zwgk.vocab import FetchStatus, TlsReason, tls_label, tls_reason

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Run:
    site: TlsSite
    db: Path
    findings: list[dict]
    result: subprocess.CompletedProcess[str]
    queried: set[str]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    tmp = tmp_path_factory.mktemp("tls")
    with TlsSite(tmp) as site, DNSServer(site.zone()) as dns:
        cfg = tmp / "sites.yaml"
        cfg.write_text(
            yaml.safe_dump(
                {
                    "evaluation": {"as_of": "2026-11-30"},
                    "crawl": {"delay_s": 0, "max_depth": 2, "obey_robots": False},
                    "links": {"timeout_s": 5, "retries": 0},
                    "ipv6": {"enabled": False},
                    "dns": {"nameservers": [dns.address]},
                    "network": {
                        "allow_private": False,
                        "allow_hosts": list(LINKED),
                        "ca_bundle": str(site.ca_bundle),
                    },
                    "rubric": str(REPO / "config" / "rubric.yaml"),
                    "sites": [
                        {"id": "good", "name": "证书正常市人民政府", "home": site.url(GOOD)},
                        {
                            "id": "expired",
                            "name": "证书过期县人民政府",
                            "home": site.url(EXPIRED_HOME),
                        },
                    ],
                },
                allow_unicode=True,
            ),
            encoding="utf-8",
        )
        db, out = tmp / "z.db", tmp / "out"
        r = subprocess.run(
            [
                sys.executable,
                "-m",
                "zwgk",
                "run",
                "--config",
                str(cfg),
                "--db",
                str(db),
                "--out",
                str(out),
                "--no-progress",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=REPO,
        )
        path = out / "2026-11" / "findings.json"
        findings = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
        yield Run(site, db, findings, r, {name for name, _ in dns.queries})


def link_finding(run: Run, url: str) -> dict | None:
    return next((f for f in run.findings if f["check"] == "links" and f["url"] == url), None)


def test_run_succeeds_and_asks_only_the_test_dns(run: Run) -> None:
    assert run.result.returncode == 0, run.result.stderr
    assert run.queried <= set(run.site.zone())


def test_a_certificate_from_the_configured_ca_is_ok_in_the_crawl_and_verification(
    run: Run,
) -> None:
    store = Store(str(run.db))
    pages = {p.url: p for p in store.pages("2026-11", "good")}
    home, inner = run.site.url(GOOD), run.site.url(GOOD, "/page.html")
    assert pages[home].fetch_status == FetchStatus.OK and pages[home].status == 200
    assert pages[inner].fetch_status == FetchStatus.OK
    assert link_finding(run, inner) is None
    assert store.url_checks("2026-11")[inner].outcome == "ok"


@pytest.mark.parametrize(
    ("host", "reason", "says"),
    [
        (UNTRUSTED, TlsReason.UNTRUSTED, "证书无效（签发机构不受信任）"),
        (SELFSIGNED, TlsReason.SELF_SIGNED, "证书无效（自签名）"),
        (EXPIRED, TlsReason.EXPIRED, "证书无效（已过期）"),
        (WRONGHOST, TlsReason.HOSTNAME_MISMATCH, "证书与域名不符"),
    ],
)
def test_a_certificate_a_browser_refuses_is_a_broken_link_saying_why(
    run: Run, host: str, reason: TlsReason, says: str
) -> None:
    url = run.site.url(host)
    check = Store(str(run.db)).url_checks("2026-11")[url]
    assert check.outcome == "tls_error"
    assert tls_reason(check.error) is reason, check.error
    f = link_finding(run, url)
    assert f is not None, f"{url} not reported"
    assert f["rule"] == "tls_error" and f["severity"] == "fail"
    assert says in f["message"], f["message"]
    assert "tls_error" not in f["message"]
    # The refusal came at the handshake: no page was ever read from the host.
    assert run.site.hits[host] == 0


def test_a_home_with_an_expired_certificate_is_unreachable_in_words(run: Run) -> None:
    store = Store(str(run.db))
    home = next(p for p in store.pages("2026-11", "expired") if p.url == run.site.url(EXPIRED_HOME))
    assert home.fetch_status == FetchStatus.TLS_ERROR
    assert tls_reason(home.error) is TlsReason.EXPIRED, home.error
    f = next(f for f in run.findings if f["site"] == "expired" and f["rule"] == "home_unreachable")
    assert f["message"].startswith("网站首页证书无效（已过期）"), f["message"]
    assert "tls_error" not in f["message"]


def test_the_project_settings_name_the_verifying_factory(run: Run) -> None:
    # FamilyDownloadHandler (the IPv6 probe) builds its TLS from the same
    # setting as Scrapy's own handler; tests/crawler/test_family.py's https
    # chains pass only because their self-signed certificate is given as the
    # CA bundle.
    settings = Settings()
    settings.setmodule("zwgk.crawler.settings", priority="project")
    assert load_object(settings["DOWNLOADER_CLIENTCONTEXTFACTORY"]) is VerifyingContextFactory
    crawler = get_crawler(settings_dict={"ZWGK_CA_BUNDLE": str(run.site.ca_bundle)})
    factory = VerifyingContextFactory.from_crawler(crawler)
    assert factory.ca_bundle == str(run.site.ca_bundle)
    creator = factory.creatorForNetloc(b"good.tls.gov.test", 443)
    assert creator._hostnameASCII == "good.tls.gov.test"


def test_a_missing_ca_bundle_setting_is_refused(tmp_path: Path) -> None:
    crawler = get_crawler(settings_dict={"ZWGK_CA_BUNDLE": str(tmp_path / "none.pem")})
    with pytest.raises(ValueError, match=r"none\.pem is not a file"):
        VerifyingContextFactory.from_crawler(crawler)


def test_reasons_survive_the_stored_error_text() -> None:
    for reason in TlsReason:
        stored = f"DownloadFailedError: [<Failure {CertificateInvalid(reason, 'x')}>]"
        assert tls_reason(stored) is reason
        assert tls_label(stored) == reason.label
    # An https URL answered by a plain-http server: no certificate verdict.
    assert tls_reason("SSL.Error: wrong version number") is None
    assert "tls_error" not in tls_label(None)
