-- Daily bars, one series per ticker, each row with where it came from and when it was fetched.
-- Returns use adj_close (total-return adjusted) when the series has it, else close.

CREATE TABLE prices (
    ticker     VARCHAR NOT NULL,   -- 300024.SZ (Yahoo suffixes: .SS Shanghai, .SZ Shenzhen, .BJ Beijing)
    date       DATE NOT NULL,      -- the exchange's trading date
    open       DOUBLE,
    high       DOUBLE,
    low        DOUBLE,
    close      DOUBLE NOT NULL,    -- as traded (Yahoo: split-adjusted)
    pre_close  DOUBLE,             -- the exchange's previous close, ex-rights (akshare, files)
    volume     DOUBLE,             -- shares
    amount     DOUBLE,             -- CNY
    adj_close  DOUBLE,             -- total-return adjusted close (dividends and splits)
    adjustment VARCHAR NOT NULL,   -- how adj_close was made: yahoo_adj_close | pre_close_chain | file_adj_close | synthetic | none
    source     VARCHAR NOT NULL,   -- yfinance | akshare | file:<name> | synthetic
    fetched_at TIMESTAMPTZ NOT NULL,
    run_id     VARCHAR,
    PRIMARY KEY (ticker, date)
);

-- Every ticker a provider could not deliver, with why; never a row of NaN in prices.
CREATE TABLE price_fetch_failures (
    ticker       VARCHAR NOT NULL,
    provider     VARCHAR NOT NULL,
    reason       VARCHAR NOT NULL,  -- not_found | rate_limited | network | bad_data | unsupported
    message      VARCHAR NOT NULL,
    start_date   DATE,
    end_date     DATE,
    attempted_at TIMESTAMPTZ NOT NULL,
    run_id       VARCHAR
);

CREATE VIEW price_coverage AS
SELECT ticker, min(date) AS first_date, max(date) AS last_date, count(*) AS sessions,
       list(DISTINCT source ORDER BY source) AS sources, max(fetched_at) AS last_fetched_at
FROM prices GROUP BY ticker;
