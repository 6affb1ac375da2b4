-- Threads (Loomio's discussions), comments, their edit history and per-person read state
-- (issue 4). Keep in step with migrations/postgres/0004_threads.sql: a test compares the two.

CREATE TABLE threads (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    author_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    title TEXT NOT NULL,
    context TEXT NOT NULL DEFAULT '',
    private INTEGER NOT NULL,
    pinned_at INTEGER,
    closed_at INTEGER,
    -- The sequence number of the newest timeline item; comments number 1, 2, 3… per thread.
    last_seq INTEGER NOT NULL DEFAULT 0,
    comment_count INTEGER NOT NULL DEFAULT 0,
    last_activity_at INTEGER NOT NULL,
    edited_at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX threads_group_activity ON threads (group_id, last_activity_at);
CREATE INDEX threads_author_id ON threads (author_id);

CREATE TABLE comments (
    id INTEGER PRIMARY KEY,
    thread_id INTEGER NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    parent_id INTEGER REFERENCES comments (id) ON DELETE CASCADE,
    author_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    body TEXT NOT NULL,
    edited_at INTEGER,
    -- Deleted comments with replies stay as "comment deleted" placeholders: body emptied.
    deleted_at INTEGER,
    created_at INTEGER NOT NULL,
    UNIQUE (thread_id, seq)
);
CREATE INDEX comments_parent_id ON comments (parent_id);
CREATE INDEX comments_author_id ON comments (author_id);

-- Earlier versions of a thread's title and context, or of a comment: who changed it and when.
CREATE TABLE revisions (
    id INTEGER PRIMARY KEY,
    thread_id INTEGER NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    comment_id INTEGER REFERENCES comments (id) ON DELETE CASCADE,
    editor_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    title TEXT,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX revisions_thread_id ON revisions (thread_id, comment_id);
CREATE INDEX revisions_editor_id ON revisions (editor_id);

-- How far each person has read each thread.
CREATE TABLE thread_reads (
    thread_id INTEGER NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    read_seq INTEGER NOT NULL,
    read_at INTEGER NOT NULL,
    PRIMARY KEY (thread_id, user_id)
);
CREATE INDEX thread_reads_user_id ON thread_reads (user_id);
