-- Articles as parsed, their raw bytes, and what the parser found in them.
-- Instants are TIMESTAMPTZ (UTC); published_date_cn is the calendar date in China.

CREATE TABLE articles (
    article_id            VARCHAR PRIMARY KEY,   -- Sina's publishid, or 'h' + hash of title and text
    id_source             VARCHAR NOT NULL,      -- publishid | hash
    url                   VARCHAR,
    title                 VARCHAR NOT NULL,
    original_title        VARCHAR,               -- the 原标题 line, when present
    published_at          TIMESTAMPTZ,
    published_date_cn     DATE,
    source                VARCHAR,               -- media that wrote it
    editor                VARCHAR,
    keywords              VARCHAR[],
    template              VARCHAR NOT NULL,      -- modern | 2014 | legacy | mobile | archive | fragment | …
    encoding              VARCHAR,
    text                  VARCHAR NOT NULL,      -- clean text: paragraphs joined by newlines
    paragraphs            VARCHAR[] NOT NULL,
    content_hash          VARCHAR NOT NULL,      -- sha256 of text: finds one body republished under two titles
    keyword_comment_codes VARCHAR[],             -- codes in <!-- news_keyword_pub,… -->; NULL when absent
    links_match_comment   BOOLEAN,
    warnings              VARCHAR[],
    origin                VARCHAR NOT NULL,      -- archive | crawl | rss | …
    origin_ref            VARCHAR,               -- file path or URL it came from
    fetched_at            TIMESTAMPTZ,
    parser_version        VARCHAR NOT NULL,
    loaded_at             TIMESTAMPTZ NOT NULL,
    run_id                VARCHAR
);

CREATE TABLE article_raw (
    article_id  VARCHAR PRIMARY KEY,
    raw_format  VARCHAR NOT NULL,   -- html (a page) | hexo (an archive post) | fragment
    compression VARCHAR NOT NULL,   -- zlib
    raw         BLOB NOT NULL,      -- the original bytes, compressed: re-parse without re-crawling
    raw_size    BIGINT NOT NULL,
    raw_sha256  VARCHAR NOT NULL,
    http_charset VARCHAR,
    fetched_at  TIMESTAMPTZ
);

CREATE TABLE stock_links (
    article_id  VARCHAR NOT NULL,
    origin      VARCHAR NOT NULL,   -- sina_link (Sina's auto-linker); other origins come from other feeds
    code        VARCHAR NOT NULL,   -- sz300024
    ticker      VARCHAR NOT NULL,   -- 300024.SZ
    exchange    VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,   -- stock | index
    anchor_text VARCHAR NOT NULL,
    position    INTEGER,            -- offset in articles.text
    paragraph   INTEGER,
    seen_in     VARCHAR[] NOT NULL, -- span | href | comment
    PRIMARY KEY (article_id, origin, code)
);

CREATE TABLE text_codes (
    article_id        VARCHAR NOT NULL,
    position          INTEGER NOT NULL,
    code              VARCHAR NOT NULL,
    ticker            VARCHAR NOT NULL,
    exchange          VARCHAR NOT NULL,
    raw               VARCHAR NOT NULL,
    explicit_exchange BOOLEAN NOT NULL,
    paragraph         INTEGER NOT NULL,
    PRIMARY KEY (article_id, position)
);

CREATE TABLE sections (
    article_id VARCHAR NOT NULL,
    number     INTEGER NOT NULL,
    label      VARCHAR NOT NULL,
    title      VARCHAR NOT NULL,
    position   INTEGER NOT NULL,
    paragraph  INTEGER NOT NULL,
    PRIMARY KEY (article_id, number)
);

-- The principal numbered list: （一）…（三十五）, 第一条…, or 1、… when there is nothing else.
CREATE TABLE measures (
    article_id    VARCHAR NOT NULL,
    ordinal       INTEGER NOT NULL,  -- 1..n in document order
    number        INTEGER NOT NULL,  -- as written
    label         VARCHAR NOT NULL,  -- （三）
    style         VARCHAR NOT NULL,  -- paren | article | arabic
    heading       VARCHAR NOT NULL,  -- first sentence
    text          VARCHAR NOT NULL,
    section       INTEGER,
    section_title VARCHAR,
    position      INTEGER NOT NULL,
    paragraph     INTEGER NOT NULL,
    PRIMARY KEY (article_id, ordinal)
);

-- Other numbered lists (a summary above the full text, …): never mixed into measures.
CREATE TABLE numbered_list_items (
    article_id VARCHAR NOT NULL,
    list_no    INTEGER NOT NULL,     -- 1..k in document order
    ordinal    INTEGER NOT NULL,
    number     INTEGER NOT NULL,
    label      VARCHAR NOT NULL,
    style      VARCHAR NOT NULL,
    heading    VARCHAR NOT NULL,
    text       VARCHAR NOT NULL,
    position   INTEGER NOT NULL,
    PRIMARY KEY (article_id, list_no, ordinal)
);

-- Every command that writes records a run; every input it could not use records a skip with its reason.
CREATE TABLE runs (
    run_id      VARCHAR PRIMARY KEY,
    command     VARCHAR NOT NULL,
    args        JSON,
    started_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    status      VARCHAR NOT NULL,   -- running | ok | partial (some items skipped) | failed
    counts      JSON,
    message     VARCHAR
);

CREATE TABLE skips (
    run_id      VARCHAR NOT NULL,
    item        VARCHAR NOT NULL,   -- path or URL
    reason      VARCHAR NOT NULL,   -- short code: truncated, empty_body, duplicate, unknown_charset, …
    message     VARCHAR NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL
);
