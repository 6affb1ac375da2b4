-- Issue 22: reactions on a poll, on one of its votes, or on one of its outcomes, as on comments.
-- `target_kind` says which and `target_id` names it (the poll, the vote or the outcome). They go
-- with the poll (its votes and outcomes keep their rows while it lives) and with the account.
-- Keep in step with migrations/postgres/0024_poll_reactions.sql.
CREATE TABLE poll_reactions (
    id INTEGER PRIMARY KEY,
    poll_id INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('poll', 'vote', 'outcome')),
    target_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    emoji TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (poll_id, target_kind, target_id, user_id, emoji)
);
CREATE INDEX poll_reactions_user_id ON poll_reactions (user_id);
