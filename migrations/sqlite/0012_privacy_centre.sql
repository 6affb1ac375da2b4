-- The rest of the privacy centre (issue 7). Keep in step with migrations/postgres/0012_privacy_centre.sql.

-- P12: requests to delete content. `group_id` set: a member asks that group's coordinators.
-- `group_id` NULL: anyone asks the instance's data protection officer. The reply address is kept
-- only for a request without an account, and only until the request is resolved and purged.
CREATE TABLE deletion_requests (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    group_id INTEGER REFERENCES groups (id) ON DELETE CASCADE,
    requester_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    reply_name TEXT NOT NULL DEFAULT '',
    reply_email TEXT,
    body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    outcome TEXT NOT NULL DEFAULT '',
    resolved_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    due_at INTEGER NOT NULL,
    resolved_at INTEGER
);
CREATE INDEX deletion_requests_group ON deletion_requests (group_id, status, due_at);
CREATE INDEX deletion_requests_status ON deletion_requests (status, due_at);
CREATE INDEX deletion_requests_requester ON deletion_requests (requester_id);

-- P13: time-limited support access a coordinator grants to the instance admins, or maintenance
-- access an instance admin opens with a stated reason. Either way every read is in access_log.
CREATE TABLE support_grants (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    granted_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    reason TEXT NOT NULL DEFAULT '',
    maintenance INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    ended_at INTEGER
);
CREATE INDEX support_grants_group ON support_grants (group_id, expires_at);

CREATE TABLE access_log (
    id INTEGER PRIMARY KEY,
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    staff_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    what TEXT NOT NULL,
    reason TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX access_log_group ON access_log (group_id, at);
CREATE INDEX access_log_staff ON access_log (staff_id);

-- P8: personal-data exports built in the background for large accounts. The ZIP is kept here (so
-- any instance can serve it) until the download link expires.
CREATE TABLE data_exports (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    state TEXT NOT NULL DEFAULT 'pending',
    done_steps INTEGER NOT NULL DEFAULT 0,
    total_steps INTEGER NOT NULL,
    token_hash TEXT UNIQUE,
    archive BLOB,
    size_bytes INTEGER,
    lease_until INTEGER,
    created_at INTEGER NOT NULL,
    ready_at INTEGER,
    expires_at INTEGER NOT NULL
);
CREATE INDEX data_exports_user ON data_exports (user_id, created_at);
CREATE INDEX data_exports_state ON data_exports (state, lease_until);

-- P20: the optional security log (off unless the operator switches it on). It is the one table
-- that holds raw IP addresses, for seven days.
CREATE TABLE security_log (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    event TEXT NOT NULL,
    user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
    ip TEXT NOT NULL
);
CREATE INDEX security_log_at ON security_log (at);
CREATE INDEX security_log_user ON security_log (user_id);
