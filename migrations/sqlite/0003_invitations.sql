-- Invitations by email and by shareable link, and unsubscribing people who have no account
-- (issue 3). Keep in step with migrations/postgres/0003_invitations.sql: a test compares the two.

-- A pending invitation. Rows live only while pending: accepting or revoking deletes the row, and
-- the retention purge removes expired ones, so an invitee's address is kept no longer than needed.
CREATE TABLE invitations (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    message TEXT NOT NULL DEFAULT '',
    inviter_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    send_count INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    sent_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    UNIQUE (group_id, email)
);
CREATE INDEX invitations_email ON invitations (email);
CREATE INDEX invitations_expires_at ON invitations (expires_at);

-- How many invitation emails each person sent per day (Loomio limits invitations per inviter per
-- day). A counter, not a log: no addresses.
CREATE TABLE invitation_quota (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    day INTEGER NOT NULL,
    sent INTEGER NOT NULL,
    PRIMARY KEY (user_id, day)
);

-- The shareable invitation link of a group. Shown again to whoever may invite, so it is kept as
-- is rather than hashed; an admin can reset or switch it off (docs/SECURITY.md).
ALTER TABLE groups ADD COLUMN invite_link_token TEXT;
CREATE UNIQUE INDEX groups_invite_link_token ON groups (invite_link_token);

-- One-click unsubscribe for addresses with no account (P15): the link in an invitation email.
CREATE TABLE address_unsubscribe_tokens (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    address_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

-- Addresses that asked for no more invitations, stored as a hash of the address only.
CREATE TABLE email_suppressions (
    address_hash TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL
);
