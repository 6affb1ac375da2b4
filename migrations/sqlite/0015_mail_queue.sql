-- The mail queue at volume (issue 12). A new comment's follower emails are queued after it commits: the comment's
-- transaction records one row here, and a worker expands a batch of rows into outbox emails in one
-- transaction. Only ids: nothing personal, and a row lives for milliseconds. A comment or thread
-- deleted first takes its row with it. Keep in step with the other backend's file.
CREATE TABLE comment_fanouts (
    comment_id INTEGER NOT NULL PRIMARY KEY REFERENCES comments (id) ON DELETE CASCADE,
    thread_id INTEGER NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
);

-- The mailer cancels claimed emails to accounts that are no longer active (P9): few accounts are,
-- and this lists them without reading every account.
CREATE INDEX users_not_active ON users (id) WHERE state <> 'active';
