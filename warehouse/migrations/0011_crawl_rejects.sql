-- Pages (and feed items) the parser refused, kept whole: a template change or a misfiring check must not lose
-- an article for good. A newer parser re-parses them (policywatch.steps.crawl_reparse.reparse_rejects), and a
-- crawl fetches an item again once the parser version differs from the one that refused it.

CREATE TABLE crawl_rejects (
    item_key            VARCHAR PRIMARY KEY,  -- as in crawl_fetches; the item's last refusal
    url                 VARCHAR NOT NULL,
    publishid           VARCHAR,              -- Sina's publishid, when the URL has one
    source              VARCHAR,              -- roll:155:1686 | rss:<feed URL> | zhibo | retry
    raw_format          VARCHAR NOT NULL,     -- html (a page) | fragment (an RSS description) | json (a 7x24 item)
    reason              VARCHAR NOT NULL,     -- the parser's: no_body, truncated, no_title, unknown_charset, …
    message             VARCHAR NOT NULL,
    compression         VARCHAR NOT NULL,     -- zlib
    raw                 BLOB NOT NULL,        -- the bytes as fetched, compressed
    raw_size            BIGINT NOT NULL,
    raw_sha256          VARCHAR NOT NULL,
    http_charset        VARCHAR,
    record              JSON NOT NULL,        -- the staged record without its bytes: title, listing time, feed…
    fetched_at          TIMESTAMPTZ,
    parser_version      VARCHAR NOT NULL,     -- the parser that refused it (transforms.models.PARSER_VERSION)
    run_id              VARCHAR NOT NULL,
    recorded_at         TIMESTAMPTZ NOT NULL,
    resolved_article_id VARCHAR,              -- the article stored from it since (re-parsed or fetched again)
    resolved_at         TIMESTAMPTZ
);
