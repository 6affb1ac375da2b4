-- Issue 20: Explore counted every listed group's memberships on each request (about 1.5 ms of
-- SQLite's time for 118 groups). Each group now keeps its member count, maintained by triggers on
-- `memberships` (also when a cascade deletes them), and Explore reads it through a partial index.
-- Keep in step with the PostgreSQL file.

ALTER TABLE groups ADD COLUMN member_count INTEGER NOT NULL DEFAULT 0;
UPDATE groups SET member_count = (SELECT COUNT(*) FROM memberships m WHERE m.group_id = groups.id);

CREATE TRIGGER memberships_counted_in AFTER INSERT ON memberships
BEGIN
    UPDATE groups SET member_count = member_count + 1 WHERE id = NEW.group_id;
END;

CREATE TRIGGER memberships_counted_out AFTER DELETE ON memberships
BEGIN
    UPDATE groups SET member_count = member_count - 1 WHERE id = OLD.group_id;
END;

CREATE INDEX groups_explore ON groups (member_count DESC, name, id)
    WHERE privacy = 'open' AND listed_in_explore = 1 AND archived_at IS NULL;
