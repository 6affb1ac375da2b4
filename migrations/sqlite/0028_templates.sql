-- Issue 23: a group's own poll templates, and the order (and hiding) of the templates its
-- members choose from. Keep in step with migrations/postgres/0028_templates.sql.
CREATE TABLE poll_templates (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    -- Who saved it; the template stays the group's when they leave or delete their account.
    author_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    name TEXT NOT NULL,
    -- The poll's settings as JSON (weft_domain::polls::templates::SavedSettings).
    settings TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX poll_templates_group_id ON poll_templates (group_id);
CREATE INDEX poll_templates_author_id ON poll_templates (author_id);

-- A group's arrangement of its templates: an entry is a built-in template's word or
-- "saved:<key>"; entries without a row keep their default place and are shown.
CREATE TABLE group_template_order (
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    entry TEXT NOT NULL,
    position INTEGER NOT NULL,
    hidden INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (group_id, entry)
);
