-- Issue 23: meeting polls and each person's time zone. Keep in step with
-- migrations/sqlite/0027_meeting_polls.sql.
-- The zone a meeting poll's slots were typed in, and each slot's length in minutes.
ALTER TABLE polls ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE polls ADD COLUMN slot_minutes BIGINT NOT NULL DEFAULT 0;
-- A meeting poll's option is a slot starting at this instant (µs since the epoch, UTC).
ALTER TABLE poll_options ADD COLUMN starts_at BIGINT;
-- The zone a person reads times in (IANA name); NULL until they or their browser say.
ALTER TABLE users ADD COLUMN time_zone TEXT;
