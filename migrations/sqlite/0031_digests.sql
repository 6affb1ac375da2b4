-- Issue 24: the catch-up digest. How often (off, daily, every_other_day, weekly), on which day
-- (weekly), when the next one is due (NULL when off; the one job finds who is due by this
-- index) and where the next one starts (what it covers is what happened after). Keep in step
-- with migrations/postgres/0031_digests.sql.
ALTER TABLE users ADD COLUMN digest TEXT NOT NULL DEFAULT 'off';
ALTER TABLE users ADD COLUMN digest_day TEXT NOT NULL DEFAULT 'monday';
ALTER TABLE users ADD COLUMN digest_due_at INTEGER;
ALTER TABLE users ADD COLUMN digest_since INTEGER;
CREATE INDEX users_digest_due_at ON users (digest_due_at) WHERE digest_due_at IS NOT NULL;

-- An email that quotes several groups and people (a digest): each of them, so that deleting
-- one of the groups or people erases the email's words too (P10, P11), as outbox_emails.group_id
-- and sender_id do for an email about one.
CREATE TABLE outbox_email_sources (
    email_id INTEGER NOT NULL REFERENCES outbox_emails (id) ON DELETE CASCADE,
    group_id INTEGER,
    sender_id INTEGER
);
CREATE INDEX outbox_email_sources_email_id ON outbox_email_sources (email_id);
CREATE INDEX outbox_email_sources_group_id ON outbox_email_sources (group_id);
CREATE INDEX outbox_email_sources_sender_id ON outbox_email_sources (sender_id);
