-- Delivery journals already recorded into alerts_sent. Alerts are sent outside the database (network time
-- must not hold the write lock) into a journal file, which the writer then records; the journal's name is
-- kept here in the same transaction, so a journal is never recorded twice (say, the process dies before
-- deleting the file).
CREATE TABLE alert_journals (
    name        VARCHAR PRIMARY KEY,
    recorded_at TIMESTAMPTZ NOT NULL,
    deliveries  INTEGER NOT NULL,
    run_id      VARCHAR
);
