-- What the live crawl listed and fetched, so that the next run fetches only what is new, retries what failed
-- a few runs in a row, and never fetches a stored article page again.

CREATE TABLE crawl_listings (
    item_key      VARCHAR PRIMARY KEY,  -- Sina's publishid, else host + path; 'zhibo:<id>' for a 7x24 item
    url           VARCHAR NOT NULL,     -- the URL it was last listed under
    source        VARCHAR NOT NULL,     -- roll:155:1686 | rss:<feed URL> | zhibo | retry
    title         VARCHAR,
    listed_at     TIMESTAMPTZ,          -- Sina's intime (roll), pubDate (RSS), create_time (7x24)
    verdict       VARCHAR NOT NULL,     -- the last listing's verdict: new | known | off_host | not_article | older | …
    first_seen_at TIMESTAMPTZ NOT NULL,
    last_seen_at  TIMESTAMPTZ NOT NULL,
    first_run_id  VARCHAR NOT NULL,
    last_run_id   VARCHAR NOT NULL,
    times_listed  INTEGER NOT NULL
);

CREATE TABLE crawl_fetches (
    item_key    VARCHAR PRIMARY KEY,
    url         VARCHAR NOT NULL,
    state       VARCHAR NOT NULL,            -- stored | unusable (fetched, refused by the parser) | failed
    article_id  VARCHAR,                     -- the stored article
    reason      VARCHAR,                     -- why unusable or failed: truncated, http_500, timeout, …
    message     VARCHAR,
    attempts    INTEGER NOT NULL,            -- HTTP attempts in the last run that tried it
    failed_runs INTEGER NOT NULL DEFAULT 0,  -- runs in a row that could not get it; retried while below the limit
    fetched_at  TIMESTAMPTZ,
    run_id      VARCHAR NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
