-- Aggregate usage counters (P2): per day, dimension and value, a count. No visitor, no IP, no
-- cookie: nothing here can tell two visits apart. Keep in step with the PostgreSQL file.

CREATE TABLE usage_daily (
    day BIGINT NOT NULL,
    dimension TEXT NOT NULL,
    value TEXT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (day, dimension, value)
);
