-- A group's thread list is "pinned first, then latest activity": this index hands rows over in
-- exactly that order, so a page reads ~30 index entries instead of sorting every thread of the
-- group (issue 12: 62 ms → see docs/PERFORMANCE.md). Keep in step with the SQLite file.
CREATE INDEX threads_group_listing ON threads (group_id, (CASE WHEN pinned_at IS NULL THEN 1 ELSE 0 END), last_activity_at DESC, id DESC);
