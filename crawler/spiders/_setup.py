"""What every zwgk spider does on start: load the config, open the store,
install the network guard and apply the config's politeness settings."""

from __future__ import annotations

import os
from typing import Any

from scrapy.crawler import Crawler

from zwgk.config import Config, load_config
from zwgk.crawler.resolver import set_guard
from zwgk.net import NetworkGuard, Resolver
from zwgk.store import Store


def load(config: str | Config | None) -> Config:
    config = config or os.environ.get("ZWGK_CONFIG") or "config/sites.yaml"
    return config if isinstance(config, Config) else load_config(config)


def open_store(db: str | Store | None) -> Store:
    db = db or os.environ.get("ZWGK_DB") or "zwgk.db"
    return db if isinstance(db, Store) else Store(db)


def install_guard(cfg: Config) -> None:
    set_guard(
        NetworkGuard(
            Resolver(cfg.dns.nameservers, cfg.dns.hosts, timeout=min(cfg.crawl.timeout_s, 10)),
            cfg.trusted_hosts,
            cfg.network.allow_private,
        )
    )


def apply_settings(crawler: Crawler, cfg: Config, **overrides: Any) -> None:
    """Scrapy applies crawler settings after the spider is built, so values
    set here (from the site config) take effect for this crawl."""
    c = cfg.crawl
    values: dict[str, Any] = {
        "CONCURRENT_REQUESTS_PER_DOMAIN": c.concurrency_per_host,
        "DOWNLOAD_DELAY": c.delay_s,
        "AUTOTHROTTLE_START_DELAY": max(c.delay_s, 0.01),
        "DOWNLOAD_TIMEOUT": c.timeout_s,
        "ROBOTSTXT_OBEY": c.obey_robots,
        "DOWNLOAD_MAXSIZE": int(c.max_page_mb * 1024 * 1024),
        # Scrapy warns below the cap; keep the warning below a lowered cap.
        "DOWNLOAD_WARNSIZE": min(
            crawler.settings.getint("DOWNLOAD_WARNSIZE"), int(c.max_page_mb * 1024 * 1024) // 2
        ),
        "USER_AGENT": c.user_agent_string(crawler.settings.get("USER_AGENT")),
        "ZWGK_RETRY_AFTER_MAX_S": c.retry_after_max_s,
        "ZWGK_BLOCKED_ATTEMPTS": c.blocked_attempts,
        "ZWGK_CA_BUNDLE": cfg.network.ca_bundle,
    }
    if c.delay_s == 0:
        values["AUTOTHROTTLE_ENABLED"] = False
    values.update(overrides)
    for name, value in values.items():
        crawler.settings.set(name, value, priority="spider")
