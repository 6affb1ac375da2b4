-- Issue 24: replies by email. Each inbound message leaves one row of what became of it — never
-- its content, its subject or its addresses — kept 60 days; and each outgoing email about a
-- thread may carry a personal reply address (erased with the body). Keep in step with
-- migrations/postgres/0032_inbound.sql.
CREATE TABLE inbound_emails (
    id INTEGER PRIMARY KEY,
    received_at INTEGER NOT NULL,
    -- 'comment', or why it was refused (weft_domain::inbound::Refusal).
    outcome TEXT NOT NULL,
    -- Known only once a reply address's signature held.
    user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
    thread_id INTEGER REFERENCES threads (id) ON DELETE CASCADE,
    comment_id INTEGER REFERENCES comments (id) ON DELETE SET NULL,
    size_bytes INTEGER NOT NULL
);
CREATE INDEX inbound_emails_received_at ON inbound_emails (received_at);
CREATE INDEX inbound_emails_user_id ON inbound_emails (user_id);
CREATE INDEX inbound_emails_thread_id ON inbound_emails (thread_id);
CREATE INDEX inbound_emails_comment_id ON inbound_emails (comment_id);

ALTER TABLE outbox_emails ADD COLUMN reply_to TEXT;
