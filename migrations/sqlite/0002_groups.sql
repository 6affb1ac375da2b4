-- Groups, subgroups, memberships and membership requests (issue 3).
-- Keep in step with migrations/postgres/0002_groups.sql: a test compares the two schemas.

CREATE TABLE groups (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    parent_id INTEGER REFERENCES groups (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    handle TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    privacy TEXT NOT NULL,
    join_policy TEXT NOT NULL,
    thread_privacy TEXT NOT NULL,
    visible_to_parent_members INTEGER NOT NULL DEFAULT 0,
    listed_in_explore INTEGER NOT NULL DEFAULT 0,
    members_can_add_members INTEGER NOT NULL,
    members_can_add_guests INTEGER NOT NULL,
    members_can_announce INTEGER NOT NULL,
    members_can_create_subgroups INTEGER NOT NULL,
    members_can_start_threads INTEGER NOT NULL,
    members_can_edit_threads INTEGER NOT NULL,
    members_can_edit_comments INTEGER NOT NULL,
    members_can_delete_comments INTEGER NOT NULL,
    members_can_raise_polls INTEGER NOT NULL,
    admins_can_edit_user_content INTEGER NOT NULL,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    archived_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX groups_parent_id ON groups (parent_id);

CREATE TABLE memberships (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    inviter_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (group_id, user_id)
);
CREATE INDEX memberships_user_id ON memberships (user_id);

CREATE TABLE membership_requests (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    introduction TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'pending',
    responder_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    responded_at INTEGER
);
CREATE INDEX membership_requests_group_status ON membership_requests (group_id, status);
CREATE INDEX membership_requests_user_id ON membership_requests (user_id);
