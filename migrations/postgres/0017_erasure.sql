-- Issue 19.6: erased is erased. The group an email is about (an invitation, a mention in one of
-- its threads, support access), so that deleting the group erases what its emails said (P11).
-- Keep in step with the other backend's file.

ALTER TABLE outbox_emails ADD COLUMN group_id BIGINT REFERENCES groups (id) ON DELETE SET NULL;
CREATE INDEX outbox_emails_group_id ON outbox_emails (group_id);
