-- Where policy text becomes tickers: the securities master, themes, how each article reached each ticker,
-- and the judgement on every Sina link.

ALTER TABLE stock_links ADD COLUMN link_class VARCHAR;   -- mention | name_collision | index | theme_stock
ALTER TABLE stock_links ADD COLUMN link_reason VARCHAR;  -- why, in words a reader can check

CREATE TABLE securities (
    code        VARCHAR PRIMARY KEY,  -- sz300024 (Sina form, market prefix kept)
    symbol      VARCHAR NOT NULL,     -- 300024
    exchange    VARCHAR NOT NULL,     -- SH | SZ | BJ
    kind        VARCHAR NOT NULL,     -- stock | index
    ticker      VARCHAR NOT NULL,     -- 300024.SZ
    yahoo_symbol VARCHAR,             -- NULL where Yahoo has no listing (Beijing)
    name        VARCHAR NOT NULL,     -- current short name
    former_names VARCHAR[],
    list_date   DATE,
    source      VARCHAR NOT NULL
);

CREATE TABLE themes (
    theme_id    VARCHAR PRIMARY KEY,  -- stable slug: ai, robotics, nev, …
    name_zh     VARCHAR NOT NULL,
    name_en     VARCHAR NOT NULL,
    terms       VARCHAR[] NOT NULL,   -- match terms
    exclusions  VARCHAR[] NOT NULL    -- longer words that veto a term inside them (e.g. 中国动力电池 for 中国动力)
);

CREATE TABLE theme_members (
    theme_id VARCHAR NOT NULL,
    ticker   VARCHAR NOT NULL,
    code     VARCHAR NOT NULL,
    name     VARCHAR,
    source   VARCHAR NOT NULL,        -- a board name, or 'curated'
    note     VARCHAR,
    PRIMARY KEY (theme_id, ticker)
);

-- Each measure (or the whole article when it has no measures: measure_ordinal NULL) → themes, with evidence.
CREATE TABLE measure_themes (
    article_id      VARCHAR NOT NULL,
    measure_ordinal INTEGER,          -- measures.ordinal; NULL = matched on the article text
    theme_id        VARCHAR NOT NULL,
    matched_terms   VARCHAR[] NOT NULL,
    score           DOUBLE NOT NULL
);

-- Every way an article reached a ticker. One (article, ticker) can have several rows: a Sina link and a theme.
CREATE TABLE article_tickers (
    article_id      VARCHAR NOT NULL,
    ticker          VARCHAR NOT NULL, -- 300024.SZ
    code            VARCHAR NOT NULL, -- sz300024
    name            VARCHAR,          -- short name at publication time
    via             VARCHAR NOT NULL, -- sina_link | text_code | name_mention | theme
    link_class      VARCHAR,          -- for via = sina_link: mention | name_collision | index | theme_stock
    theme_id        VARCHAR,          -- for via = theme (and for sina_link judged theme_stock)
    measure_ordinal INTEGER,          -- the measure that led there, when one did
    confidence      DOUBLE NOT NULL,  -- 0..1
    evidence        VARCHAR NOT NULL  -- matched terms, the anchor and its context
);

CREATE TABLE article_policy (
    article_id              VARCHAR PRIMARY KEY,
    policy_score            DOUBLE NOT NULL,   -- 0..1: is it a policy document (or news of one)
    is_policy               BOOLEAN NOT NULL,
    standardization_score   DOUBLE NOT NULL,   -- 0..1: is it a standardization policy
    is_standardization      BOOLEAN NOT NULL,
    issuers                 VARCHAR[] NOT NULL, -- 国务院, 国家标准化管理委员会, …
    reasons                 VARCHAR[] NOT NULL
);
