"""Scrapy settings of the Sina crawl: the fixed wiring. Tunable values (timeouts, concurrency, retries, the
User-Agent) come from policywatch's configuration through the job spec; see ``policywatch.crawlers.sina.run``."""

from __future__ import annotations

BOT_NAME = "policywatch"
SPIDER_MODULES = ["policywatch.crawlers.sina.spiders"]

ROBOTSTXT_OBEY = True
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # no code-execution endpoint in a crawler process

AUTOTHROTTLE_ENABLED = True
DOWNLOAD_FAIL_ON_DATALOSS = True  # a cut transfer is an error (and retried), not a short page

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "policywatch.crawlers.sina.middlewares.BackoffRetryMiddleware": 550,
    # a redirect to another host is reported, not dropped by the offsite filter without a word
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "policywatch.crawlers.sina.middlewares.HostMetaRefreshMiddleware": 580,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "policywatch.crawlers.sina.middlewares.HostRedirectMiddleware": 600,
}
ITEM_PIPELINES = {"policywatch.crawlers.sina.pipelines.StagingPipeline": 300}

HTTPCACHE_ENABLED = False
HTTPCACHE_POLICY = "policywatch.crawlers.sina.middlewares.SinaCachePolicy"
HTTPCACHE_IGNORE_HTTP_CODES = [403, 404, 408, 429, 456, 500, 502, 503, 504, 522, 524]
HTTPCACHE_GZIP = True

LOG_LEVEL = "INFO"
LOGSTATS_INTERVAL = 60.0
