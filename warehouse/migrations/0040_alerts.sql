-- Alert deliveries: one row per (article, rule, channel). A 'sent' row is never sent again; a 'failed' row
-- is retried on the next run.
CREATE TABLE alerts_sent (
    article_id       VARCHAR NOT NULL,
    rule_id          VARCHAR NOT NULL,
    channel          VARCHAR NOT NULL,   -- the channel's name in the watchlist (never its URL: it may hold secrets)
    status           VARCHAR NOT NULL,   -- sent | failed
    attempts         INTEGER NOT NULL,
    first_attempt_at TIMESTAMPTZ NOT NULL,
    last_attempt_at  TIMESTAMPTZ NOT NULL,
    sent_at          TIMESTAMPTZ,
    error            VARCHAR,
    title            VARCHAR NOT NULL,
    run_id           VARCHAR,
    PRIMARY KEY (article_id, rule_id, channel)
);
