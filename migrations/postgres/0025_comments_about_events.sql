-- Issue 22: a comment can answer a poll, a vote or an outcome of its thread: it points at that
-- item's timeline event (a poll raised, a vote, an outcome written). The event going (its poll
-- deleted) leaves the comment, answering nothing in particular. Keep in step with
-- migrations/sqlite/0025_comments_about_events.sql.
ALTER TABLE comments ADD COLUMN about_event_id BIGINT REFERENCES events (id) ON DELETE SET NULL;
CREATE INDEX comments_about_event_id ON comments (about_event_id);
