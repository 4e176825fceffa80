"""What the crawler process runs with: the job spec (made from policywatch's ``[crawl]`` section) mapped onto
Scrapy's settings, one by one."""

from __future__ import annotations

from policywatch.crawlers.sina.run import scrapy_settings

from policywatch.config import CrawlSettings
from policywatch.steps.crawl.discover import crawl_spec


def settings_for(tmp_path, **crawl):
    section = CrawlSettings(staging_dir=tmp_path / "staging", **crawl)
    spec = crawl_spec(section, tmp_path / "run", since_epoch=None, known=(), extra=(), zhibo_known=())
    return scrapy_settings(spec)


def test_every_tunable_of_the_crawl_section_reaches_scrapy(tmp_path):
    settings = settings_for(
        tmp_path,
        download_timeout_s=7.5,
        concurrent_requests=9,
        concurrent_per_host=3,
        download_delay_s=0.25,
        autothrottle=True,
        autothrottle_target_concurrency=1.5,
        autothrottle_max_delay_s=30.0,
        retry_times=4,
        retry_http_codes=[429, 456, 503],
        backoff_base_s=1.5,
        backoff_max_s=40.0,
        rate_limit_backoff_s=90.0,
        obey_robots=False,
        user_agent="Mozilla/5.0 (X11; Linux x86_64) policywatch-test",
        referer="https://finance.sina.com.cn/china/",
        max_requests=123,
        http_cache=True,
    )
    assert settings.getbool("AUTOTHROTTLE_ENABLED") is True
    assert settings.getfloat("AUTOTHROTTLE_START_DELAY") == 0.25  # AutoThrottle starts from the delay floor
    assert settings.getfloat("AUTOTHROTTLE_TARGET_CONCURRENCY") == 1.5
    assert settings.getfloat("AUTOTHROTTLE_MAX_DELAY") == 30.0
    assert settings.getint("CONCURRENT_REQUESTS") == 9
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 3
    assert settings.getfloat("DOWNLOAD_TIMEOUT") == 7.5
    assert settings.getfloat("DOWNLOAD_DELAY") == 0.25
    assert settings.get("USER_AGENT") == "Mozilla/5.0 (X11; Linux x86_64) policywatch-test"
    assert settings.getdict("DEFAULT_REQUEST_HEADERS")["Referer"] == "https://finance.sina.com.cn/china/"
    assert settings.getbool("ROBOTSTXT_OBEY") is False
    assert settings.getint("RETRY_TIMES") == 4
    assert settings.getlist("RETRY_HTTP_CODES") == [429, 456, 503]
    assert settings.getfloat("POLICYWATCH_BACKOFF_BASE") == 1.5
    assert settings.getfloat("POLICYWATCH_BACKOFF_MAX") == 40.0
    assert settings.getfloat("POLICYWATCH_RATE_LIMIT_BACKOFF") == 90.0
    assert settings.getint("CLOSESPIDER_PAGECOUNT") == 123
    assert settings.getbool("HTTPCACHE_ENABLED") is True
    assert settings.get("HTTPCACHE_DIR") == str((tmp_path / "staging" / "httpcache").resolve())
    assert settings.get("LOG_FILE") == str(tmp_path / "run" / "scrapy.log")
    assert settings.get("POLICYWATCH_RUN_DIR") == str(tmp_path / "run")
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares["scrapy.downloadermiddlewares.retry.RetryMiddleware"] is None  # ours retries, with backoff
    assert middlewares["policywatch.crawlers.sina.middlewares.BackoffRetryMiddleware"] == 550
    assert middlewares["scrapy.downloadermiddlewares.redirect.RedirectMiddleware"] is None
    assert middlewares["policywatch.crawlers.sina.middlewares.HostRedirectMiddleware"] == 600
    assert settings.getbool("DOWNLOAD_FAIL_ON_DATALOSS") is True and settings.getbool("COOKIES_ENABLED") is False


def test_the_defaults_are_polite(tmp_path):
    settings = settings_for(tmp_path)
    assert settings.getbool("AUTOTHROTTLE_ENABLED") and settings.getbool("ROBOTSTXT_OBEY")
    assert settings.getfloat("DOWNLOAD_DELAY") == 0.5 and settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 2
    assert {403, 408, 429, 456, 500, 502, 503, 504} <= set(settings.getlist("RETRY_HTTP_CODES"))
    assert settings.get("USER_AGENT").startswith("Mozilla/5.0") and settings.getfloat("DOWNLOAD_TIMEOUT") == 20.0
    assert settings.getbool("HTTPCACHE_ENABLED") is False and settings.getint("CLOSESPIDER_PAGECOUNT") == 0


def test_autothrottle_off_and_a_max_delay_below_the_floor(tmp_path):
    settings = settings_for(tmp_path, autothrottle=False, download_delay_s=0.5, autothrottle_max_delay_s=0.1)
    assert settings.getbool("AUTOTHROTTLE_ENABLED") is False
    assert settings.getfloat("AUTOTHROTTLE_MAX_DELAY") == 0.5  # never below the floor it starts from
