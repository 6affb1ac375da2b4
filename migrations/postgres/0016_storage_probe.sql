-- A place for `/healthz` to test whether a write can commit again after the disk was full (issue 19):
-- one row whose payload is written and emptied by each probe. Nothing personal. Keep in step with
-- the other backend's file.
CREATE TABLE storage_probes (
    id BIGINT NOT NULL PRIMARY KEY,
    payload TEXT NOT NULL,
    probed_at BIGINT NOT NULL
);
