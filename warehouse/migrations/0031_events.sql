-- Events: one per (article, stock ticker), anchored on the trading day 0 its publication maps to.

CREATE TABLE events (
    event_id     VARCHAR PRIMARY KEY,  -- article_id || ':' || ticker
    article_id   VARCHAR NOT NULL,
    ticker       VARCHAR NOT NULL,
    code         VARCHAR NOT NULL,
    name         VARCHAR,              -- short name at publication (ST names have a 5% limit)
    published_at TIMESTAMPTZ NOT NULL,
    day0         DATE NOT NULL,        -- first XSHG session whose cutoff comes after published_at
    day0_rule    VARCHAR NOT NULL,     -- the rule that placed it, in words
    shifted      BOOLEAN NOT NULL,     -- day0 is later than the publication date in China (after the close, holiday)
    vias         VARCHAR[] NOT NULL,   -- how the article reached the ticker (sina_link, text_code, name_mention, theme)
    run_id       VARCHAR,
    built_at     TIMESTAMPTZ NOT NULL
);

-- Group membership for the statistics, derived from article_tickers.
CREATE TABLE event_groups (
    event_id   VARCHAR NOT NULL,
    group_type VARCHAR NOT NULL,   -- article | theme | measure | link_class | via
    group_id   VARCHAR NOT NULL,   -- article_id | theme_id | article_id#ordinal | mention, name_collision, … | sina_link, …
    PRIMARY KEY (event_id, group_type, group_id)
);

-- (article, ticker) pairs that did not become events, and why.
CREATE TABLE event_skips (
    article_id VARCHAR NOT NULL,
    ticker     VARCHAR NOT NULL,
    reason     VARCHAR NOT NULL,   -- index | no_prices | no_publication_time | outside_calendar | unknown_code
    message    VARCHAR NOT NULL,
    run_id     VARCHAR,
    PRIMARY KEY (article_id, ticker)
);
