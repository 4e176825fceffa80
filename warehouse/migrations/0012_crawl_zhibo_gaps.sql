-- What the 7x24 feed's reads left unread: a page that could not be read, or a read that ran out of pages before
-- it reached the items already stored. Later runs read the feed down to each open gap until it is read; a gap
-- is removed once read (every run reports the gaps still open as skips of reason 'gap').

CREATE TABLE crawl_zhibo_gaps (
    feed          VARCHAR NOT NULL,  -- the 7x24 feed URL without its page parameters
    low_id        BIGINT,            -- the newest item read below the gap (NULL: none, on a first crawl)
    high_id       BIGINT NOT NULL,   -- the oldest item read above it: the ids strictly between were not read
    reason        VARCHAR NOT NULL,  -- why: malformed_zhibo, http_500, page_limit, …
    first_run_id  VARCHAR NOT NULL,  -- the run that left it
    first_seen_at TIMESTAMPTZ NOT NULL,
    last_run_id   VARCHAR NOT NULL,
    runs          INTEGER NOT NULL,  -- runs it has been open in
    PRIMARY KEY (feed, high_id)
);
