-- Issue 24: starting a thread by email. A group's coordinators allow it
-- (start_threads_by_email); each member's own address for it carries a secret of theirs
-- (memberships.email_secret: made when first shown, replaced on request, gone with the
-- membership). Keep in step
-- with migrations/sqlite/0033_email_threads.sql.
ALTER TABLE groups ADD COLUMN start_threads_by_email BIGINT NOT NULL DEFAULT 0;
ALTER TABLE memberships ADD COLUMN email_secret TEXT;
