-- How loudly each person follows each thread (issue 4): 'follow' (an email for every comment),
-- 'normal' (mentions only) or 'mute' (nothing, and off the dashboard). Keep in step with PostgreSQL.

ALTER TABLE thread_reads ADD COLUMN volume TEXT NOT NULL DEFAULT 'normal';
