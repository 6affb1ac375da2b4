-- Issue 25: a group's threads listed newest first (pinned first, as in every order) are read from
-- an index in that order, as the latest-activity order is (0013), not sorted on each page.
-- Keep in step with migrations/sqlite/0036_thread_list_newest.sql.
CREATE INDEX threads_group_newest ON threads (group_id, (CASE WHEN pinned_at IS NULL THEN 1 ELSE 0 END), created_at DESC, id DESC);
-- The planner learns the new index's shape now: without it, SQLite took it for the activity order too.
ANALYZE threads;
