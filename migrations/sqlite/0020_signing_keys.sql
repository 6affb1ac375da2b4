-- Issue 20: unsubscribe links are signed (HMAC-SHA256) instead of stored one row per email. The
-- instance's signing keys: a new one every 30 days, each kept until every link it signed has
-- expired (90 days) and then deleted. Keep in step with the other backend's file.

CREATE TABLE signing_keys (
    id INTEGER PRIMARY KEY,
    secret TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
