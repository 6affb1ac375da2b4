-- Guests: people invited into one thread without joining its group (issue 4).
-- Keep in step with migrations/postgres/0007_guests.sql.

CREATE TABLE thread_guests (
    thread_id INTEGER NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    inviter_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (thread_id, user_id)
);
CREATE INDEX thread_guests_user_id ON thread_guests (user_id);

-- A pending invitation into one thread, like `invitations` for groups: deleted when accepted or
-- revoked, purged when expired.
CREATE TABLE guest_invitations (
    id INTEGER PRIMARY KEY,
    thread_id INTEGER NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    message TEXT NOT NULL DEFAULT '',
    inviter_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    UNIQUE (thread_id, email)
);
CREATE INDEX guest_invitations_email ON guest_invitations (email);
CREATE INDEX guest_invitations_expires_at ON guest_invitations (expires_at);
