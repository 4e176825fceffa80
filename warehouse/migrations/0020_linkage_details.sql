-- Linkage bookkeeping: names over time, Beijing code successors, which articles were linked with what,
-- the companies the own matcher found, and a per-(article, ticker) summary for quants.

ALTER TABLE securities ADD COLUMN successor_code VARCHAR;  -- a Beijing code's 920xxx successor

CREATE TABLE security_names (
    code       VARCHAR NOT NULL,
    name       VARCHAR NOT NULL,
    valid_from DATE,                -- NULL: since listing
    valid_to   DATE                 -- exclusive; NULL: still valid
);

ALTER TABLE article_policy ADD COLUMN documents VARCHAR[];   -- 《…》 policy documents the article names

-- Which version of the linker, the taxonomy and the reference data produced an article's linkage rows.
CREATE TABLE linked_articles (
    article_id     VARCHAR PRIMARY KEY,
    linker_version VARCHAR NOT NULL,
    taxonomy_hash  VARCHAR NOT NULL,
    reference_hash VARCHAR NOT NULL,
    linked_at      TIMESTAMPTZ NOT NULL,
    run_id         VARCHAR
);

-- Company names found in the text by policywatch's own matcher (all occurrences, tables included).
CREATE TABLE name_mentions (
    article_id VARCHAR NOT NULL,
    code       VARCHAR NOT NULL,
    ticker     VARCHAR NOT NULL,
    kind       VARCHAR NOT NULL,
    name       VARCHAR NOT NULL,
    positions  INTEGER[] NOT NULL,
    in_table   BOOLEAN NOT NULL,
    evidence   VARCHAR NOT NULL,
    sina_linked BOOLEAN NOT NULL
);

-- What was loaded from the reference data and the taxonomy, to reload only when they change.
CREATE TABLE reference_loads (
    kind         VARCHAR PRIMARY KEY,   -- securities | themes
    content_hash VARCHAR NOT NULL,
    loaded_at    TIMESTAMPTZ NOT NULL
);

-- One row per (article, ticker): every way it was reached, the best confidence.
CREATE VIEW article_ticker_summary AS
SELECT
    article_id,
    ticker,
    any_value(code) AS code,
    any_value(name) AS name,
    max(confidence) AS confidence,
    list(DISTINCT via ORDER BY via) AS vias,
    list(DISTINCT link_class ORDER BY link_class) FILTER (WHERE link_class IS NOT NULL) AS link_classes,
    list(DISTINCT theme_id ORDER BY theme_id) FILTER (WHERE theme_id IS NOT NULL) AS themes,
    list(DISTINCT measure_ordinal ORDER BY measure_ordinal) FILTER (WHERE measure_ordinal IS NOT NULL) AS measures,
    count(*) AS paths
FROM article_tickers
GROUP BY article_id, ticker;
