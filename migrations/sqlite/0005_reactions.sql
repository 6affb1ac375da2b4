-- Emoji reactions on comments (issue 4). Keep in step with migrations/postgres/0005_reactions.sql.

CREATE TABLE reactions (
    id INTEGER PRIMARY KEY,
    comment_id INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    emoji TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (comment_id, user_id, emoji)
);
CREATE INDEX reactions_user_id ON reactions (user_id);
