-- The dashboard takes each of the viewer's groups' latest threads (issue 12): one probe per group
-- for its 20th latest unmuted thread, then the threads at least that recent. Carrying the id makes
-- both probes index-only on PostgreSQL and gives the (latest activity, id) order directly.
-- Replaces threads_group_activity, whose leading columns it repeats. Keep in step with the SQLite file.
DROP INDEX threads_group_activity;
CREATE INDEX threads_group_recent ON threads (group_id, last_activity_at DESC, id DESC);
