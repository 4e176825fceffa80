-- Event-study results, per named study (a parameter set): rerunning a study replaces its rows.

CREATE TABLE study_runs (
    study         VARCHAR PRIMARY KEY,
    params        JSON NOT NULL,        -- model, returns, windows, benchmark, rules
    price_sources VARCHAR[] NOT NULL,   -- every source behind the returns (synthetic shows here)
    n_events      INTEGER NOT NULL,
    n_kept        INTEGER NOT NULL,
    run_id        VARCHAR,
    finished_at   TIMESTAMPTZ NOT NULL
);

-- The event windows, materialised.
CREATE TABLE event_returns (
    study            VARCHAR NOT NULL,
    event_id         VARCHAR NOT NULL,
    rel_day          INTEGER NOT NULL,
    date             DATE,              -- NULL beyond the calendar's data
    ret              DOUBLE,            -- stock return (simple or log, per the study)
    benchmark_ret    DOUBLE,            -- over the same span
    abnormal_ret     DOUBLE,
    standardized_ar  DOUBLE,            -- AR / forecast-error sd (Patell)
    span             INTEGER,           -- sessions the return covers (>1 after a suspension, trade-to-trade)
    limit_flag       TINYINT,           -- +1 limit-up, -1 limit-down, 0 neither
    price_source     VARCHAR,
    PRIMARY KEY (study, event_id, rel_day)
);

CREATE TABLE event_diagnostics (
    study         VARCHAR NOT NULL,
    event_id      VARCHAR NOT NULL,
    status        VARCHAR NOT NULL,    -- kept | dropped
    reason        VARCHAR,             -- no_prices | day0_outside_calendar | missing_day0 | too_few_estimation_returns | benchmark_zero_variance | zero_variance
    n_estimation  INTEGER,
    alpha         DOUBLE,
    beta          DOUBLE,
    sigma         DOUBLE,
    car           DOUBLE,              -- over the whole event window
    n_limit_days  INTEGER,
    price_source  VARCHAR,
    PRIMARY KEY (study, event_id)
);

-- Long form: one row per group, window or relative day, and statistic.
CREATE TABLE study_results (
    study      VARCHAR NOT NULL,
    group_type VARCHAR NOT NULL,       -- all | article | theme | measure | link_class | via
    group_id   VARCHAR NOT NULL,
    car_window VARCHAR,                -- '0:1' for a CAR window; NULL for an event day
    rel_day    INTEGER,                -- the event day; NULL for a window
    statistic  VARCHAR NOT NULL,       -- aar | caar | csect_t | patell_z | bmp_t | kp_bmp_t | kp_patell_z | corrado_z | gsign_z | wilcoxon_w | n_pos | n_neg | r_bar | caar_se
    value      DOUBLE,
    p_value    DOUBLE,
    n          INTEGER NOT NULL,
    note       VARCHAR                 -- why a value is NULL (fewer than 2 events, zero variance, …)
);
