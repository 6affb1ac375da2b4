-- Issue 25: deleting a comment can be undone for a short while, and a person may write a short bio.
-- A deleted comment keeps its text (hidden everywhere: every read of comments empties the body of
-- a deleted one) until erase_at, when the comment-erasure job empties it or removes the row and
-- deletes its earlier versions, as deleting did at once before; until then the one who deleted
-- it (deleted_by, cleared at erasure) may bring it back.
-- Keep in step with migrations/sqlite/0035_undo_and_bio.sql.
ALTER TABLE comments ADD COLUMN erase_at BIGINT;
ALTER TABLE comments ADD COLUMN deleted_by BIGINT REFERENCES users (id) ON DELETE SET NULL;
CREATE INDEX comments_erase_at ON comments (erase_at) WHERE erase_at IS NOT NULL;
CREATE INDEX comments_deleted_by ON comments (deleted_by) WHERE deleted_by IS NOT NULL;
ALTER TABLE users ADD COLUMN bio TEXT NOT NULL DEFAULT '';
