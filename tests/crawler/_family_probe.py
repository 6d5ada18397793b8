"""A real Scrapy crawl for tests/crawler/test_family.py, run in a subprocess
(the reactor runs once per process): ``python -m tests.crawler._family_probe
SPEC OUT``.

SPEC (JSON) names the nameserver and, per crawl (``family``: the spider with
FamilyDownloadHandler; ``stock``: the same spider with Scrapy's own handler),
chains of requests: the requests of a chain are made one after another, the
chains side by side. OUT receives, per crawl and chain, one record per
request: the response (status, URL, JSON body, peer address) or the failure
(exception type and fields), with the meta keys the tests look at.
"""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import scrapy
import yaml
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response
from scrapy.settings import Settings
from twisted.python.failure import Failure

from zwgk.config import parse_config
from zwgk.crawler import family
from zwgk.crawler.spiders._setup import install_guard

META_KEYS = (family.FAMILY, family.CONNECTED, family.CONNECTIONS, "redirect_urls", "retry_times")


class StockProbe(scrapy.Spider):
    name = "family_probe_stock"

    def __init__(
        self, chains: dict[str, list[dict[str, Any]]], results: dict[str, Any], **kw: Any
    ) -> None:
        super().__init__(**kw)
        self.chains = chains
        self.results = results

    async def start(self) -> AsyncIterator[Any]:
        for name in self.chains:
            self.results[name] = []
            yield self._request(name, 0)

    def _request(self, name: str, i: int) -> scrapy.Request:
        step = self.chains[name][i]
        return scrapy.Request(
            step["url"],
            meta=dict(step.get("meta", {})),
            dont_filter=True,
            callback=self.got,
            errback=self.failed,
            cb_kwargs={"name": name, "i": i},
        )

    def _next(self, name: str, i: int) -> Iterator[scrapy.Request]:
        if i + 1 < len(self.chains[name]):
            yield self._request(name, i + 1)

    @staticmethod
    def _meta(meta: dict[str, Any]) -> dict[str, Any]:
        return {"meta": {k: meta[k] for k in META_KEYS if k in meta}}

    def got(self, response: Response, name: str, i: int) -> Iterator[scrapy.Request]:
        try:
            body: Any = json.loads(response.text)
        except ValueError:
            body = response.text
        self.results[name].append(
            {
                "ok": True,
                "status": response.status,
                "url": response.url,
                "body": body,
                "ip_address": str(response.ip_address) if response.ip_address else None,
                **self._meta(response.meta),
            }
        )
        yield from self._next(name, i)

    def failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        request = failure.request  # type: ignore[attr-defined]
        name, i = request.cb_kwargs["name"], request.cb_kwargs["i"]
        exc = failure.value
        self.results[name].append(
            {
                "ok": False,
                "error": f"{type(exc).__module__}.{type(exc).__qualname__}",
                "message": str(exc),
                "no_address_for_family": isinstance(exc, family.NoAddressForFamily),
                "host": getattr(exc, "host", None),
                "family": getattr(exc, "family", None),
                "url": request.url,
                **self._meta(request.meta),
            }
        )
        yield from self._next(name, i)


class FamilyProbe(StockProbe):
    name = "family_probe"
    # How a spider enables the handler. (Scrapy declares custom_settings an
    # instance variable, so mypy refuses a ClassVar annotation here.)
    custom_settings = {"DOWNLOAD_HANDLERS": family.DOWNLOAD_HANDLERS}  # noqa: RUF012


SPIDERS = {"family": FamilyProbe, "stock": StockProbe}


def main(spec_path: str, out_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text())
    cfg = parse_config(
        yaml.safe_dump(
            {
                "crawl": {"delay_s": 0, "obey_robots": False, "timeout_s": 10},
                "dns": {"nameservers": [spec["nameserver"]]},
                # The test servers are on loopback, a private address.
                "network": {"allow_private": True},
                "sites": [{"id": "t", "name": "测试", "home": "http://dual.test/"}],
            }
        )
    )
    install_guard(cfg)
    settings = Settings()
    settings.setmodule("zwgk.crawler.settings", priority="project")
    settings.setdict(
        {
            "ROBOTSTXT_OBEY": False,
            "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_ENABLED": False,
            "DOWNLOAD_TIMEOUT": 10,
            "ITEM_PIPELINES": {},
            "LOG_LEVEL": "WARNING",
            # The TLS servers' self-signed certificate: verified like any other.
            "ZWGK_CA_BUNDLE": spec.get("ca_bundle"),
        },
        priority="cmdline",
    )
    process = CrawlerProcess(settings, install_root_handler=True)
    results: dict[str, dict[str, Any]] = {}
    for crawl, chains in spec["crawls"].items():
        results[crawl] = {}
        process.crawl(SPIDERS[crawl], chains=chains, results=results[crawl])
    process.start()
    Path(out_path).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
