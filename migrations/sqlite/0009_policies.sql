-- The privacy policy and terms as the operator publishes them, versioned (P19), and which version
-- of each a person has seen. Keep in step with migrations/postgres/0009_policies.sql.

CREATE TABLE policies (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    published_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    published_at INTEGER NOT NULL,
    UNIQUE (kind, version)
);

CREATE TABLE policy_acks (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    version INTEGER NOT NULL,
    seen_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, kind)
);
