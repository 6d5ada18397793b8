"""The baseline: a bare Scrapy spider that follows every same-host link.

No item pipelines, no parsing beyond Scrapy's ``LinkExtractor`` (which
skips attachments and images by extension), Scrapy's default settings
except the ones a fair comparison with zwgk's crawl needs: the same
concurrency, no delay, robots.txt obeyed, and the same asyncio reactor.

``python bench/bare_spider.py URL [--concurrency N] [--stats FILE]`` prints
and writes the number of HTML pages it parsed.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response
from scrapy.linkextractors import LinkExtractor


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_urls = [url]
        self.netloc = urlsplit(url).netloc
        self.extractor = LinkExtractor()
        self.pages = 0
        self.urls: list[str] = []

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        if not hasattr(response, "text"):
            return
        self.pages += 1
        self.urls.append(response.url)
        for link in self.extractor.extract_links(response):
            if urlsplit(link.url).netloc == self.netloc:
                yield response.follow(link.url, callback=self.parse)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--stats")
    ap.add_argument("--urls", help="write the URLs of the pages parsed to this file")
    args = ap.parse_args()
    process = CrawlerProcess(
        {
            "CONCURRENT_REQUESTS": args.concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency,
            "DOWNLOAD_DELAY": 0,
            "ROBOTSTXT_OBEY": True,
            "LOG_LEVEL": "INFO",
            "TELNETCONSOLE_ENABLED": False,
            "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        }
    )
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, url=args.url)
    process.start()
    spider: Any = crawler.spider
    stats = crawler.stats.get_stats() if crawler.stats else {}
    out = {
        # distinct: Scrapy fetches the start URL again when a page links to it
        # (start requests bypass the duplicate filter).
        "pages": len(set(spider.urls)),
        "responses_parsed": spider.pages,
        "requests": stats.get("downloader/request_count", 0),
        "status_404": stats.get("downloader/response_status_count/404", 0),
    }
    print(json.dumps(out))
    if args.urls:
        with open(args.urls, "w") as f:
            f.write("".join(f"{u}\n" for u in sorted(spider.urls)))
    if args.stats:
        with open(args.stats, "w") as f:
            json.dump(out, f)


if __name__ == "__main__":
    main()
