-- Issue 22: polls, their options, votes with their history, receipts, outcomes, and the timeline
-- events that are not comments. Keep in step with migrations/postgres/0022_polls.sql.
--
-- Every option keeps running totals of the current votes (`voters`, `total`) and the poll a count
-- of ballots without a choice, changed in the vote's transaction under the poll's lock: results
-- read a handful of rows however many votes there are.
--
-- Anonymous polls (PRIVACY.md): from the first vote nothing links a person to a choice. Their
-- choices are never stored per person, only added to those totals, while `vote_receipts` says
-- who voted, without what, and without when. Such a vote cannot be changed (finding it again would
-- need the link), and it carries no reason (a row of words written at the moment of a receipt
-- could be matched to it).

CREATE TABLE polls (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    -- NULL: the poll stands on its own in the group, with its own page.
    thread_id INTEGER REFERENCES threads (id) ON DELETE CASCADE,
    author_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    details TEXT NOT NULL DEFAULT '',
    opening_at INTEGER,
    closing_at INTEGER NOT NULL,
    closed_at INTEGER,
    anonymous INTEGER NOT NULL,
    hide_results TEXT NOT NULL,
    reason_rule TEXT NOT NULL,
    reason_prompt TEXT NOT NULL DEFAULT '',
    min_choices INTEGER NOT NULL,
    max_choices INTEGER NOT NULL,
    none_of_the_above INTEGER NOT NULL,
    shuffle_options INTEGER NOT NULL,
    voters_can_add_options INTEGER NOT NULL,
    dots_per_person INTEGER NOT NULL,
    score_min INTEGER NOT NULL,
    score_max INTEGER NOT NULL,
    target INTEGER,
    electorate TEXT NOT NULL,
    closing_soon TEXT NOT NULL,
    notify_on_open INTEGER NOT NULL,
    -- People with a current vote (turnout), kept with every vote.
    voter_count INTEGER NOT NULL DEFAULT 0,
    -- Current ballots without a choice (none of the above).
    without_choice INTEGER NOT NULL DEFAULT 0,
    edited_at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX polls_group_closing ON polls (group_id, closing_at);
CREATE INDEX polls_thread_id ON polls (thread_id);
CREATE INDEX polls_author_id ON polls (author_id);

CREATE TABLE poll_options (
    id INTEGER PRIMARY KEY,
    poll_id INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    -- Set when a voter added the option (the poll allows it).
    added_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    -- Running totals of the current votes: how many chose it, and the sum of their values.
    voters INTEGER NOT NULL DEFAULT 0,
    total INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    UNIQUE (poll_id, position),
    UNIQUE (poll_id, id)
);
CREATE INDEX poll_options_added_by ON poll_options (added_by);

-- Who may vote when the poll names its voters.
CREATE TABLE poll_voters (
    poll_id INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (poll_id, user_id)
);
CREATE INDEX poll_voters_user_id ON poll_voters (user_id);

-- Votes of polls that are not anonymous. Changing a vote keeps the earlier one with
-- `current = 0`; withdrawing keeps them all with `current = 0`. A deleted account's votes stay
-- counted with `voter_id` NULL ("a deleted member").
CREATE TABLE votes (
    id INTEGER PRIMARY KEY,
    poll_id INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    voter_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    reason TEXT NOT NULL DEFAULT '',
    current INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    replaced_at INTEGER
);
-- One current vote per voter per poll, whatever the race.
CREATE UNIQUE INDEX votes_one_current ON votes (poll_id, voter_id) WHERE current = 1;
CREATE INDEX votes_voter_id ON votes (voter_id);

-- A vote's choices; the choice's option must be one of the vote's poll.
CREATE TABLE vote_choices (
    vote_id INTEGER NOT NULL REFERENCES votes (id) ON DELETE CASCADE,
    poll_id INTEGER NOT NULL,
    option_id INTEGER NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (vote_id, option_id),
    FOREIGN KEY (poll_id, option_id) REFERENCES poll_options (poll_id, id) ON DELETE CASCADE
);
CREATE INDEX vote_choices_option ON vote_choices (poll_id, option_id);

-- That a person voted (turnout, "undecided"), for every poll: never what, never when.
CREATE TABLE vote_receipts (
    poll_id INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (poll_id, user_id)
) WITHOUT ROWID;
CREATE INDEX vote_receipts_user_id ON vote_receipts (user_id);

-- A closed poll's outcome; writing a new one keeps the earlier with `current = 0`.
CREATE TABLE outcomes (
    id INTEGER PRIMARY KEY,
    poll_id INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    author_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    statement TEXT NOT NULL,
    option_id INTEGER REFERENCES poll_options (id) ON DELETE SET NULL,
    review_at INTEGER,
    current INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX outcomes_one_current ON outcomes (poll_id) WHERE current = 1;
CREATE INDEX outcomes_author_id ON outcomes (author_id);

-- Timeline items other than comments: a poll raised, closed or reopened, a vote with its
-- reason, an outcome. In a thread they take the thread's next sequence number, so comments and
-- events form one numbered timeline read by range.
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    thread_id INTEGER REFERENCES threads (id) ON DELETE CASCADE,
    poll_id INTEGER REFERENCES polls (id) ON DELETE CASCADE,
    seq INTEGER,
    kind TEXT NOT NULL,
    actor_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    vote_id INTEGER REFERENCES votes (id) ON DELETE CASCADE,
    outcome_id INTEGER REFERENCES outcomes (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    UNIQUE (thread_id, seq)
);
CREATE INDEX events_poll_id ON events (poll_id);
CREATE INDEX events_actor_id ON events (actor_id);
CREATE INDEX events_vote_id ON events (vote_id);
CREATE INDEX events_outcome_id ON events (outcome_id);
