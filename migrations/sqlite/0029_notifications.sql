-- Issue 24: a volume per membership, thread and poll (mute / quiet / normal / loud; effective =
-- poll ?? thread ?? group), and in-app notifications. Keep in step with
-- migrations/postgres/0029_notifications.sql.

-- A thread's volume becomes a choice that may be absent ("as the group"): the old 'normal'
-- (mentions only) was everyone's default, so it becomes no choice; 'follow' becomes 'loud'.
ALTER TABLE thread_reads ADD COLUMN chosen_volume TEXT;
UPDATE thread_reads SET chosen_volume = CASE volume WHEN 'follow' THEN 'loud' WHEN 'mute' THEN 'mute' END;
ALTER TABLE thread_reads DROP COLUMN volume;

-- The person's volume for everything in the group, unless a thread or poll says otherwise.
ALTER TABLE memberships ADD COLUMN volume TEXT NOT NULL DEFAULT 'normal';

CREATE TABLE poll_volumes (
    poll_id INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    volume TEXT NOT NULL,
    PRIMARY KEY (poll_id, user_id)
);
CREATE INDEX poll_volumes_user_id ON poll_volumes (user_id);

-- One row per person and thing to tell them. Only ids: the words are written when the list is
-- read, so a rename shows, a deactivated actor is not named (P9), and nothing of a deleted
-- group, thread or person survives (the cascades).
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    thread_id INTEGER REFERENCES threads (id) ON DELETE CASCADE,
    poll_id INTEGER REFERENCES polls (id) ON DELETE CASCADE,
    -- The timeline item it is about (0: the thread or poll itself).
    seq INTEGER NOT NULL DEFAULT 0,
    actor_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    -- Reactions to one comment are one notification: how many people, the latest named.
    count INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    read_at INTEGER
);
CREATE INDEX notifications_user_id ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id, id) WHERE read_at IS NULL;
-- Reading a thread reads its notifications: found without scanning the person's unread ones.
CREATE INDEX notifications_unread_in_thread ON notifications (user_id, thread_id, seq) WHERE read_at IS NULL;
CREATE INDEX notifications_group_id ON notifications (group_id);
CREATE INDEX notifications_thread_id ON notifications (thread_id);
CREATE INDEX notifications_poll_id ON notifications (poll_id);
CREATE INDEX notifications_actor_id ON notifications (actor_id);
