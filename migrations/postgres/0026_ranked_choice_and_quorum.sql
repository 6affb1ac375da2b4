-- Issue 23: ranked choice (how it is counted, and the seats of an STV count), quorum and pass
-- tests. Keep in step with migrations/sqlite/0026_ranked_choice_and_quorum.sql.
ALTER TABLE polls ADD COLUMN counting TEXT NOT NULL DEFAULT 'borda';
ALTER TABLE polls ADD COLUMN seats BIGINT NOT NULL DEFAULT 1;
-- A share (1-100) of the people who may vote; NULL: no quorum.
ALTER TABLE polls ADD COLUMN quorum_percent BIGINT;
-- How many might vote when the poll closed: the quorum of a closed poll does not move when
-- people join or leave the group afterwards.
ALTER TABLE polls ADD COLUMN eligible_at_close BIGINT;
-- An option's pass test: at_least / at_most a percent of the votes / voters.
ALTER TABLE poll_options ADD COLUMN pass_operator TEXT;
ALTER TABLE poll_options ADD COLUMN pass_percent BIGINT;
ALTER TABLE poll_options ADD COLUMN pass_of TEXT;

-- The current ballots of a ranked-choice poll, identical rankings counted together: what the
-- rounds of instant runoff and STV are counted from. A ranking is its options' ids in order of
-- preference, comma-separated. It names nobody: for an anonymous poll this is what is kept of
-- a ballot (the receipt says who voted, not what).
CREATE TABLE poll_rankings (
    poll_id BIGINT NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    ranking TEXT NOT NULL,
    ballots BIGINT NOT NULL,
    PRIMARY KEY (poll_id, ranking)
);
