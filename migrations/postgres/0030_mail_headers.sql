-- Issue 24: emails worth reading. The sender shown ("Ada via Riverside Garden") and the thread an
-- email is about (its In-Reply-To and References, so a thread's emails stay together in mail
-- clients). The name is erased with the body, the group or the sender. Keep in step with
-- migrations/sqlite/0030_mail_headers.sql.
ALTER TABLE outbox_emails ADD COLUMN from_name TEXT;
ALTER TABLE outbox_emails ADD COLUMN thread_id BIGINT;
