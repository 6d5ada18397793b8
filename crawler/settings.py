"""Scrapy settings for zwgk.

Every value that differs from Scrapy's default says why. Per-run values
(concurrency, delay, timeout, robots, user agent) come from the site config
and are applied in zwgk.crawl.crawl_settings, overriding these.
"""

import warnings

from scrapy.exceptions import ScrapyDeprecationWarning

BOT_NAME = "zwgk"
SPIDER_MODULES = ["zwgk.crawler.spiders"]
NEWSPIDER_MODULE = "zwgk.crawler.spiders"

# A government webmaster who sees our traffic must be able to tell who we are
# and how to reach us: "Mozilla/5.0 (compatible" keeps WAFs from treating us
# as a script, zwgk names the tool, and crawl.contact (site config) is
# appended as "; contact: ...".
USER_AGENT = "Mozilla/5.0 (compatible; zwgk/0.1; government disclosure compliance checker)"

# Politeness: the crawl is an evaluation, never a load test. One site at a
# time per crawler, a few connections per host, a delay between requests.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.25
# AutoThrottle backs off further when a small county server slows down.
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.25
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0

# Scrapy's default of 180 s would let one dead server stall a monthly run.
DOWNLOAD_TIMEOUT = 20
# Retries are modest: a transient failure is retried, a dead page is not
# hammered. (The links check does its own, outcome-aware retries.)
RETRY_ENABLED = True
RETRY_TIMES = 1

# Breadth-first (FIFO) so that the depth limit cuts the least important
# pages, and an interrupted crawl has covered the upper levels first.
DEPTH_PRIORITY = 1
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"
# The spider tracks depth itself (dataproxy list requests do not deepen it).
DEPTH_LIMIT = 0

# One redirect limit for the crawl, link verification and the IPv6 probe:
# 20 hops, as Chrome and Firefox allow; a longer chain is a redirect_loop.
REDIRECT_MAX_TIMES = 20

# A <meta http-equiv=refresh> page answered: it is stored and judged as
# itself, and its target is one of its links (crawler/extract/refresh.py).
# Scrapy's middleware would replace the page by its target, so that a home
# page refreshing to a dead URL looked like a dead home page.
METAREFRESH_ENABLED = False

# Error pages (404, 500) are findings, not noise: the spider records them.
HTTPERROR_ALLOW_ALL = True

# Attachments and media are not crawled; big HTML pages are cut, not stored
# whole. Government pages over 20 MB are broken exports. crawl.max_page_mb
# (site config) replaces this per run; HttpCompressionMiddleware applies the
# same cap to the decompressed body, which stops a gzip bomb.
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024

# Certificates are verified as a visitor's browser verifies them (chain,
# expiry, host name), against the system and certifi CAs plus
# network.ca_bundle (ZWGK_CA_BUNDLE, set per run): Scrapy by default
# accepts any certificate, which would call a page ok that every browser
# refuses. Download handlers built from these settings (crawler/family.py
# too) use it.
DOWNLOADER_CLIENTCONTEXTFACTORY = "zwgk.crawler.tls.VerifyingContextFactory"
# Scrapy 2.19 deprecates that setting in favour of DOWNLOAD_VERIFY_CERTIFICATES,
# which trusts the platform store only (no CA bundle) and reports every
# refusal as the same "certificate verify failed". The setting still works;
# its warning would only repeat in every log.
warnings.filterwarnings(
    "ignore",
    "The 'DOWNLOADER_CLIENTCONTEXTFACTORY' setting is deprecated",
    ScrapyDeprecationWarning,
)
ZWGK_CA_BUNDLE = None

# Every connection resolves through zwgk's resolver and private-address
# guard (dns.nameservers / dns.hosts from the site config).
TWISTED_DNS_RESOLVER = "zwgk.crawler.resolver.GuardedResolver"
DOWNLOADER_MIDDLEWARES = {
    # Before robots.txt (100) so that not even robots.txt is fetched from a
    # refused address.
    "zwgk.crawler.middlewares.NetworkGuardMiddleware": 90,
    # Above RetryMiddleware (550) so that it sees a 429 first: the pause
    # the server asked for, per host, before any retry (crawler/throttle.py).
    "zwgk.crawler.throttle.RetryAfterMiddleware": 560,
    # Just above RedirectMiddleware (600): a Location of file:, ftp: or
    # javascript: is a redirect_not_http, never followed.
    "zwgk.crawler.middlewares.NonHttpRedirectMiddleware": 601,
    # Scrapy defaults that do nothing for zwgk, but still run for every
    # request: no spider sets allowed_domains (scope is the spider's own,
    # and link verification must reach other hosts), no credentials.
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
}
SPIDER_MIDDLEWARES = {
    # Each spider sets Referer on the requests it makes (the page the link
    # is on); Scrapy's middleware would work out a referrer policy for every
    # request only to keep the header it finds.
    "scrapy.spidermiddlewares.referer.RefererMiddleware": None,
    # A diagnostic for spiders that copy response.meta into new requests;
    # zwgk's build their meta afresh.
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
}
ITEM_PIPELINES = {
    "zwgk.crawler.pipelines.StorePipeline": 300,
}

# Cookies are not needed to read public pages, and some CMSs set a session
# per request that would bloat every subsequent request.
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"

# Explicit so that a change of Scrapy's default does not change our reactor.
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"

# Scrapy 2.19's remote-control extension listens on a TCP port; an
# unattended monthly job has no use for it, and an open port is a risk.
REMOTE_CONTROL_ENABLED = False
