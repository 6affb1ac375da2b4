-- Who caused each email (an invitation's inviter, a mention's author), so that deleting an
-- account can erase its name from emails it caused (P10). Keep in step with the PostgreSQL file.

ALTER TABLE outbox_emails ADD COLUMN sender_id BIGINT REFERENCES users (id) ON DELETE SET NULL;
CREATE INDEX outbox_emails_sender_id ON outbox_emails (sender_id);
