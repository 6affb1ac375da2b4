-- Issue 20: Explore counted every listed group's memberships on each request. Each group now keeps
-- its member count, maintained by triggers on `memberships` (also when a cascade deletes them), and
-- Explore reads it through a partial index. Keep in step with the SQLite file.

ALTER TABLE groups ADD COLUMN member_count BIGINT NOT NULL DEFAULT 0;
UPDATE groups SET member_count = (SELECT COUNT(*) FROM memberships m WHERE m.group_id = groups.id);

CREATE FUNCTION memberships_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE groups SET member_count = member_count + 1 WHERE id = NEW.group_id;
    ELSE
        UPDATE groups SET member_count = member_count - 1 WHERE id = OLD.group_id;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER memberships_counted AFTER INSERT OR DELETE ON memberships
    FOR EACH ROW EXECUTE FUNCTION memberships_count();

CREATE INDEX groups_explore ON groups (member_count DESC, name, id)
    WHERE privacy = 'open' AND listed_in_explore = 1 AND archived_at IS NULL;
