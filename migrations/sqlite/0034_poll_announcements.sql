-- Issue 24: a poll announced to chosen people and subgroups rather than everyone who may vote.
-- Whom its author chose waits here until the poll opens (now, or at its opening time: the
-- opened job reads it), then is deleted; it goes with the poll, the person and the subgroup.
-- Keep in step with migrations/postgres/0034_poll_announcements.sql.
CREATE TABLE poll_announced_people (
    poll_id INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (poll_id, user_id)
);
CREATE INDEX poll_announced_people_user_id ON poll_announced_people (user_id);
CREATE TABLE poll_announced_subgroups (
    poll_id INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    PRIMARY KEY (poll_id, group_id)
);
CREATE INDEX poll_announced_subgroups_group_id ON poll_announced_subgroups (group_id);
