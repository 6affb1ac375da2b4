//! `votes`, `vote_choices` and `vote_receipts`. A vote that is not anonymous is a row per version
//! (the current one has `current = 1`, and the database allows one per voter and poll) with its
//! choices; an anonymous vote is a receipt only, and no row says whose choices they were. Every
//! vote moves the running totals (`poll_options.voters`, `total`, `polls.without_choice`,
//! `voter_count`) in its own transaction, under the poll's lock (`polls::lock`), so the results
//! read a handful of rows; `recount` checks them against the rows.

use weft_domain::Timestamp;
use weft_domain::polls::ranked::{Ranking, ranking_of};
use weft_domain::polls::{Choice, PollKind};

use super::{OptionId, PollId, VoteId};
use crate::users::UserId;
use crate::{Conn, Result, Row, StoreError, flag, query};

/// Records a vote that is not anonymous. Any earlier current vote of this voter becomes history.
/// Returns the new vote's id and whether the voter had voted before.
pub async fn cast(
    conn: &mut Conn,
    poll: &super::Poll,
    voter_id: UserId,
    choices: &[Choice],
    reason: &str,
    now: Timestamp,
) -> Result<(VoteId, bool)> {
    let poll_id = poll.id;
    let replaced: Option<VoteId> = query(
        "UPDATE votes SET current = 0, replaced_at = $1 WHERE poll_id = $2 AND voter_id = $3 AND current = 1 RETURNING id",
    )
    .bind(now.micros())
    .bind(poll_id)
    .bind(voter_id)
    .fetch_optional(&mut *conn, |r| r.try_get("id"))
    .await?;
    if let Some(old) = replaced {
        let before = choices_of(conn, old).await?;
        add_to_totals(conn, poll, &before, -1).await?;
    }
    let id: VoteId = query(
        "INSERT INTO votes (poll_id, voter_id, reason, current, created_at) VALUES ($1, $2, $3, 1, $4) RETURNING id",
    )
    .bind(poll_id)
    .bind(voter_id)
    .bind(reason)
    .bind(now.micros())
    .fetch_one(&mut *conn, |r| r.try_get("id"))
    .await?;
    for c in choices {
        query("INSERT INTO vote_choices (vote_id, poll_id, option_id, value) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(poll_id)
            .bind(OptionId(c.option))
            .bind(c.value)
            .execute(&mut *conn)
            .await?;
    }
    add_to_totals(conn, poll, choices, 1).await?;
    if replaced.is_none() {
        give_receipt(conn, poll_id, voter_id).await?;
    }
    Ok((id, replaced.is_some()))
}

async fn choices_of(conn: &mut Conn, vote: VoteId) -> Result<Vec<Choice>> {
    query("SELECT option_id, value FROM vote_choices WHERE vote_id = $1 ORDER BY option_id")
        .bind(vote)
        .fetch_all(&mut *conn, |r| {
            Ok(Choice {
                option: r.try_get("option_id")?,
                value: r.try_get("value")?,
            })
        })
        .await
}

/// Adds (`sign` 1) or takes away (`sign` -1) one ballot's choices to the running totals, in
/// option order (a consistent lock order). A ballot without a choice moves `without_choice`; a
/// ranked ballot also moves its ranking's count.
async fn add_to_totals(conn: &mut Conn, poll: &super::Poll, choices: &[Choice], sign: i64) -> Result<()> {
    let poll_id = poll.id;
    if poll.kind == PollKind::RankedChoice && !choices.is_empty() {
        count_ranking(conn, poll_id, choices, sign).await?;
    }
    if choices.is_empty() {
        query("UPDATE polls SET without_choice = without_choice + $1 WHERE id = $2")
            .bind(sign)
            .bind(poll_id)
            .execute(&mut *conn)
            .await?;
    }
    let mut sorted = choices.to_vec();
    sorted.sort_unstable();
    for c in sorted {
        let done =
            query("UPDATE poll_options SET voters = voters + $1, total = total + $2 WHERE id = $3 AND poll_id = $4")
                .bind(sign)
                .bind(sign * c.value)
                .bind(OptionId(c.option))
                .bind(poll_id)
                .execute(&mut *conn)
                .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
    }
    Ok(())
}

async fn count_ranking(conn: &mut Conn, poll_id: PollId, choices: &[Choice], sign: i64) -> Result<()> {
    let ranking: Vec<String> = ranking_of(choices).iter().map(i64::to_string).collect();
    let ranking = ranking.join(",");
    if sign > 0 {
        query(
            "INSERT INTO poll_rankings (poll_id, ranking, ballots) VALUES ($1, $2, 1) \
             ON CONFLICT (poll_id, ranking) DO UPDATE SET ballots = poll_rankings.ballots + 1",
        )
        .bind(poll_id)
        .bind(ranking)
        .execute(&mut *conn)
        .await?;
    } else {
        query("UPDATE poll_rankings SET ballots = ballots - 1 WHERE poll_id = $1 AND ranking = $2")
            .bind(poll_id)
            .bind(ranking.as_str())
            .execute(&mut *conn)
            .await?;
        query("DELETE FROM poll_rankings WHERE poll_id = $1 AND ranking = $2 AND ballots <= 0")
            .bind(poll_id)
            .bind(ranking)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The current ballots of a ranked-choice poll, identical rankings together, in a fixed order
/// (the count does not depend on it).
pub async fn rankings(conn: &mut Conn, poll_id: PollId) -> Result<Vec<Ranking>> {
    query("SELECT ranking, ballots FROM poll_rankings WHERE poll_id = $1 AND ballots > 0 ORDER BY ranking")
        .bind(poll_id)
        .fetch_all(&mut *conn, |r| {
            let text: String = r.try_get("ranking")?;
            let order = text
                .split(',')
                .map(|o| {
                    o.parse::<i64>().map_err(|_| StoreError::Decode {
                        column: "poll_rankings.ranking".to_owned(),
                        reason: format!("not a list of option ids: {text:?}"),
                    })
                })
                .collect::<Result<Vec<i64>>>()?;
            Ok(Ranking {
                order,
                ballots: u64::try_from(r.try_get::<i64, _>("ballots")?).unwrap_or(0),
            })
        })
        .await
}

async fn give_receipt(conn: &mut Conn, poll_id: PollId, voter_id: UserId) -> Result<()> {
    query("INSERT INTO vote_receipts (poll_id, user_id) VALUES ($1, $2)")
        .bind(poll_id)
        .bind(voter_id)
        .execute(&mut *conn)
        .await?;
    query("UPDATE polls SET voter_count = voter_count + 1 WHERE id = $1")
        .bind(poll_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Records an anonymous vote: a receipt, and the choices added to their options' totals. A second
/// vote by the same person is a `Conflict` (the receipt's key), and changes nothing.
pub async fn cast_anonymously(conn: &mut Conn, poll: &super::Poll, voter_id: UserId, choices: &[Choice]) -> Result<()> {
    give_receipt(conn, poll.id, voter_id).await?;
    add_to_totals(conn, poll, choices, 1).await
}

/// Withdraws a vote that is not anonymous: every version stays as history, none counts.
/// `false` when there was no current vote.
pub async fn withdraw(conn: &mut Conn, poll: &super::Poll, voter_id: UserId, now: Timestamp) -> Result<bool> {
    let poll_id = poll.id;
    let replaced: Option<VoteId> = query(
        "UPDATE votes SET current = 0, replaced_at = $1 WHERE poll_id = $2 AND voter_id = $3 AND current = 1 RETURNING id",
    )
    .bind(now.micros())
    .bind(poll_id)
    .bind(voter_id)
    .fetch_optional(&mut *conn, |r| r.try_get("id"))
    .await?;
    let Some(old) = replaced else {
        return Ok(false);
    };
    let before = choices_of(conn, old).await?;
    add_to_totals(conn, poll, &before, -1).await?;
    query("DELETE FROM vote_receipts WHERE poll_id = $1 AND user_id = $2")
        .bind(poll_id)
        .bind(voter_id)
        .execute(&mut *conn)
        .await?;
    query("UPDATE polls SET voter_count = voter_count - 1 WHERE id = $1")
        .bind(poll_id)
        .execute(&mut *conn)
        .await?;
    Ok(true)
}

pub async fn has_receipt(conn: &mut Conn, poll_id: PollId, user_id: UserId) -> Result<bool> {
    let n: i64 = query("SELECT COUNT(*) AS n FROM vote_receipts WHERE poll_id = $1 AND user_id = $2")
        .bind(poll_id)
        .bind(user_id)
        .fetch_one(&mut *conn, |r| r.try_get("n"))
        .await?;
    Ok(n > 0)
}

/// Per option in the poll's order: (option, voters, total), from the running totals.
pub async fn totals(conn: &mut Conn, poll_id: PollId) -> Result<Vec<(OptionId, i64, i64)>> {
    query("SELECT id, voters, total FROM poll_options WHERE poll_id = $1 ORDER BY position")
        .bind(poll_id)
        .fetch_all(&mut *conn, |r| {
            Ok((r.try_get("id")?, r.try_get("voters")?, r.try_get("total")?))
        })
        .await
}

/// The same figures counted from the current votes' rows (not for anonymous polls, which keep
/// no rows): what the running totals must always equal. For tests and the benchmark's check.
pub async fn recount(conn: &mut Conn, poll_id: PollId) -> Result<Vec<(OptionId, i64, i64)>> {
    query(
        "SELECT o.id, COUNT(v.id) AS voters, CAST(COALESCE(SUM(CASE WHEN v.id IS NULL THEN 0 ELSE c.value END), 0) AS BIGINT) AS total \
         FROM poll_options o LEFT JOIN vote_choices c ON c.option_id = o.id AND c.poll_id = o.poll_id \
         LEFT JOIN votes v ON v.id = c.vote_id AND v.current = 1 \
         WHERE o.poll_id = $1 GROUP BY o.id, o.position ORDER BY o.position",
    )
    .bind(poll_id)
    .fetch_all(&mut *conn, |r| Ok((r.try_get("id")?, r.try_get("voters")?, r.try_get("total")?)))
    .await
}

/// One vote as others read it.
#[derive(Debug, Clone)]
pub struct Vote {
    pub id: VoteId,
    pub voter_id: Option<UserId>,
    /// `None` for a deactivated member (P9) or a deleted one ("a deleted member").
    pub voter_name: Option<String>,
    pub voter_username: Option<String>,
    pub voter_deactivated: bool,
    pub reason: String,
    pub current: bool,
    pub created_at: Timestamp,
    pub replaced_at: Option<Timestamp>,
    pub choices: Vec<Choice>,
}

const VOTE_COLUMNS: &str = "v.id, v.voter_id, CASE WHEN u.state = 'active' THEN u.name END AS voter_name, \
    CASE WHEN u.state = 'active' THEN u.username END AS voter_username, \
    CASE WHEN u.state = 'deactivated' THEN 1 ELSE 0 END AS voter_deactivated, v.reason, v.current, v.created_at, v.replaced_at";

fn vote_from_row(r: &Row<'_>) -> Result<Vote> {
    Ok(Vote {
        id: r.try_get("id")?,
        voter_id: r.try_get("voter_id")?,
        voter_name: r.try_get("voter_name")?,
        voter_username: r.try_get("voter_username")?,
        voter_deactivated: flag(r.try_get("voter_deactivated")?),
        reason: r.try_get("reason")?,
        current: flag(r.try_get("current")?),
        created_at: weft_domain::Timestamp(r.try_get("created_at")?),
        replaced_at: crate::threads::ts(r, "replaced_at")?,
        choices: Vec::new(),
    })
}

async fn with_choices(conn: &mut Conn, mut votes: Vec<Vote>) -> Result<Vec<Vote>> {
    if votes.is_empty() {
        return Ok(votes);
    }
    let ids: Vec<String> = votes.iter().map(|v| v.id.0.to_string()).collect();
    let sql = format!(
        "SELECT vote_id, option_id, value FROM vote_choices WHERE vote_id IN ({}) ORDER BY vote_id, option_id",
        ids.join(", ")
    );
    let rows: Vec<(VoteId, i64, i64)> = query(sql)
        .fetch_all(&mut *conn, |r| {
            Ok((r.try_get("vote_id")?, r.try_get("option_id")?, r.try_get("value")?))
        })
        .await?;
    for (vote, option, value) in rows {
        if let Some(v) = votes.iter_mut().find(|v| v.id == vote) {
            v.choices.push(Choice { option, value });
        }
    }
    Ok(votes)
}

/// Current votes, newest first, one page (for the voter list with reasons).
pub async fn current_votes(conn: &mut Conn, poll_id: PollId, offset: i64, limit: i64) -> Result<Vec<Vote>> {
    let sql = format!(
        "SELECT {VOTE_COLUMNS} FROM votes v LEFT JOIN users u ON u.id = v.voter_id \
         WHERE v.poll_id = $1 AND v.current = 1 ORDER BY v.created_at DESC, v.id DESC LIMIT $2 OFFSET $3"
    );
    let votes = query(sql)
        .bind(poll_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(&mut *conn, vote_from_row)
        .await?;
    with_choices(conn, votes).await
}

/// One person's votes on a poll, every version, newest first.
pub async fn history_of(conn: &mut Conn, poll_id: PollId, voter_id: UserId) -> Result<Vec<Vote>> {
    let sql = format!(
        "SELECT {VOTE_COLUMNS} FROM votes v LEFT JOIN users u ON u.id = v.voter_id \
         WHERE v.poll_id = $1 AND v.voter_id = $2 ORDER BY v.created_at DESC, v.id DESC LIMIT 200"
    );
    let votes = query(sql)
        .bind(poll_id)
        .bind(voter_id)
        .fetch_all(&mut *conn, vote_from_row)
        .await?;
    with_choices(conn, votes).await
}

pub async fn find_vote(conn: &mut Conn, id: VoteId) -> Result<Option<Vote>> {
    let sql = format!("SELECT {VOTE_COLUMNS} FROM votes v LEFT JOIN users u ON u.id = v.voter_id WHERE v.id = $1");
    let vote = query(sql).bind(id).fetch_optional(&mut *conn, vote_from_row).await?;
    Ok(with_choices(conn, vote.into_iter().collect()).await?.pop())
}

/// A person who may vote and has not: name and username (never an email).
#[derive(Debug, Clone)]
pub struct Undecided {
    pub user_id: UserId,
    pub name: String,
    pub username: String,
}

/// Members of the group and guests of the thread (or, for a poll naming its voters, those named)
/// who have no receipt: one page and the number of them all.
/// Who may vote, as a subquery of user ids over `$1` (the poll), and for a poll open to everyone
/// taking part `$2` (its group) and `$3` (its thread); `bind_electorate` binds them.
fn electorate(poll: &super::Poll) -> &'static str {
    if poll.electorate == weft_domain::polls::Electorate::Specified {
        "SELECT user_id FROM poll_voters WHERE poll_id = $1"
    } else {
        "SELECT user_id FROM memberships WHERE group_id = $2 UNION SELECT user_id FROM thread_guests WHERE thread_id = $3"
    }
}

fn bind_electorate(q: crate::db::Query<'static>, poll: &super::Poll) -> crate::db::Query<'static> {
    let q = q.bind(poll.id);
    if poll.electorate == weft_domain::polls::Electorate::Specified {
        q
    } else {
        q.bind(poll.group_id).bind(poll.thread_id.map_or(0, |t| t.0))
    }
}

/// How many active people may vote: the quorum's whole while the poll is open.
pub async fn eligible(conn: &mut Conn, poll: &super::Poll) -> Result<i64> {
    let sql = format!(
        "SELECT COUNT(*) AS n FROM users u WHERE u.state = 'active' AND u.id IN ({})",
        electorate(poll)
    );
    bind_electorate(query(sql), poll)
        .fetch_one(&mut *conn, |r| r.try_get("n"))
        .await
}

pub async fn undecided(conn: &mut Conn, poll: &super::Poll, limit: i64) -> Result<(Vec<Undecided>, i64)> {
    let specified = poll.electorate == weft_domain::polls::Electorate::Specified;
    let from = format!(
        "FROM users u WHERE u.id IN ({}) AND u.state = 'active' \
         AND NOT EXISTS (SELECT 1 FROM vote_receipts r WHERE r.poll_id = $1 AND r.user_id = u.id)",
        electorate(poll)
    );
    let bind = |q: crate::db::Query<'static>| bind_electorate(q, poll);
    let count: i64 = bind(query(format!("SELECT COUNT(*) AS n {from}")))
        .fetch_one(&mut *conn, |r| r.try_get("n"))
        .await?;
    let limit_param = if specified { "$2" } else { "$4" };
    let list = bind(query(format!(
        "SELECT u.id, u.name, u.username {from} ORDER BY u.name, u.id LIMIT {limit_param}"
    )))
    .bind(limit)
    .fetch_all(&mut *conn, |r| {
        Ok(Undecided {
            user_id: r.try_get("id")?,
            name: r.try_get("name")?,
            username: r.try_get("username")?,
        })
    })
    .await?;
    Ok((list, count))
}
