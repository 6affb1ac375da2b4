-- Issue 19.13: attempts at the account doors are counted per email address in the database, so
-- that N instances do not give an attacker N times the budget. The key is a SHA-256 of door,
-- counter and address (no address is stored); rows live at most two hours. Per client IP the
-- count stays in memory (P4). Keep in step with the other backend's file.

CREATE TABLE rate_counters (
    key TEXT NOT NULL PRIMARY KEY,
    window_start BIGINT NOT NULL,
    hits BIGINT NOT NULL
);
