-- Issue 21: one durable job queue for everything that runs in the background (follower emails of
-- a new comment, personal-data exports, the retention purge, and next the closing of polls). A
-- payload holds ids only, never personal data. `unique_key` keeps one pending job per thing
-- (one purge, one closing per poll). A claimed job carries its claim and a lease: when an
-- instance dies mid-job, another takes it over once the lease has run out. After the last attempt
-- a job stays as `dead` for the instance administrator. Keep in step with the other backend's file.
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    unique_key TEXT UNIQUE,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'dead')),
    run_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    claim INTEGER,
    locked_until INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX jobs_due ON jobs (run_at, id) WHERE state = 'pending';
CREATE INDEX jobs_dead ON jobs (id) WHERE state = 'dead';

-- What the separate queues held moves into the one queue.
INSERT INTO jobs (kind, payload, run_at, created_at)
SELECT 'comment_fanout', '{"thread_id":' || thread_id || ',"comment_id":' || comment_id || '}', created_at, created_at
FROM comment_fanouts ORDER BY comment_id;
DROP TABLE comment_fanouts;

INSERT INTO jobs (kind, payload, run_at, created_at)
SELECT 'personal_export', '{"export_id":' || id || '}', created_at, created_at
FROM data_exports WHERE state IN ('pending', 'building') ORDER BY id;
UPDATE data_exports SET state = 'pending' WHERE state = 'building';
DROP INDEX data_exports_state;
ALTER TABLE data_exports DROP COLUMN lease_until;
