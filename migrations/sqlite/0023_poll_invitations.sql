-- Issue 22: people invited by email to vote in one poll that names its voters. Like guest
-- invitations: single use, expiring, only the token's hash kept; deleted when accepted, purged
-- when expired. Accepted, the person becomes one of the poll's named voters and, for a poll in
-- a thread, a guest of that thread (they read what they vote on). Keep in step with
-- migrations/postgres/0023_poll_invitations.sql.
CREATE TABLE poll_invitations (
    id INTEGER PRIMARY KEY,
    poll_id INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    inviter_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    UNIQUE (poll_id, email)
);
CREATE INDEX poll_invitations_email ON poll_invitations (email);
CREATE INDEX poll_invitations_expires_at ON poll_invitations (expires_at);
CREATE INDEX poll_invitations_inviter_id ON poll_invitations (inviter_id);
