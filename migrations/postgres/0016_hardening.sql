-- Issue 19: holes found by attacking Weft from outside. Keep in step with the other backend's file.

-- A place for `/healthz` to test whether a write can commit again after the disk was full (issue 19):
-- one row whose payload is written and emptied by each probe. Nothing personal.
CREATE TABLE storage_probes (
    id BIGINT NOT NULL PRIMARY KEY,
    payload TEXT NOT NULL,
    probed_at BIGINT NOT NULL
);

-- A sign-up's verification link keeps the chosen password only when it is opened in the browser
-- that signed up: the SHA-256 of that browser's CSRF value. Opened anywhere else, the link proves
-- the address but drops the password (whoever typed the address may not own it: pre-hijack).
ALTER TABLE login_tokens ADD COLUMN browser_hash TEXT;
