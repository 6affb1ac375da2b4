//! `poll_reactions`: reactions on a poll, one of its votes, or one of its outcomes.

use weft_domain::Timestamp;

use super::PollId;
use crate::users::UserId;
use crate::{Conn, Result, query};

/// What a reaction is on: the poll itself, one vote (by id) or one outcome (by id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReactionTarget {
    Poll,
    Vote(i64),
    Outcome(i64),
}

impl ReactionTarget {
    fn stored(self, poll: PollId) -> (&'static str, i64) {
        match self {
            Self::Poll => ("poll", poll.0),
            Self::Vote(id) => ("vote", id),
            Self::Outcome(id) => ("outcome", id),
        }
    }
}

/// One person's reaction, with their name (active accounts only).
#[derive(Debug, Clone)]
pub struct PollReactionRow {
    pub target: ReactionTarget,
    pub user_id: UserId,
    pub name: String,
    pub emoji: String,
}

/// Adds the reaction, or takes it away if it is there. `true` if it is there now.
pub async fn toggle_poll_reaction(
    conn: &mut Conn,
    poll_id: PollId,
    target: ReactionTarget,
    user_id: UserId,
    emoji: &str,
    now: Timestamp,
) -> Result<bool> {
    let (kind, id) = target.stored(poll_id);
    let removed = query(
        "DELETE FROM poll_reactions WHERE poll_id = $1 AND target_kind = $2 AND target_id = $3 \
         AND user_id = $4 AND emoji = $5",
    )
    .bind(poll_id)
    .bind(kind)
    .bind(id)
    .bind(user_id)
    .bind(emoji)
    .execute(&mut *conn)
    .await?;
    if removed.rows_affected() > 0 {
        return Ok(false);
    }
    query(
        "INSERT INTO poll_reactions (poll_id, target_kind, target_id, user_id, emoji, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (poll_id, target_kind, target_id, user_id, emoji) DO NOTHING",
    )
    .bind(poll_id)
    .bind(kind)
    .bind(id)
    .bind(user_id)
    .bind(emoji)
    .bind(now.micros())
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

/// Every reaction in a poll (on it, its votes and its outcomes), oldest first, at most 5 000.
pub async fn poll_reactions(conn: &mut Conn, poll_id: PollId) -> Result<Vec<PollReactionRow>> {
    query(
        "SELECT r.target_kind, r.target_id, r.user_id, u.name, r.emoji FROM poll_reactions r \
         JOIN users u ON u.id = r.user_id AND u.state = 'active' WHERE r.poll_id = $1 ORDER BY r.id LIMIT 5000",
    )
    .bind(poll_id)
    .fetch_all(&mut *conn, |r| {
        let id: i64 = r.try_get("target_id")?;
        let kind: String = r.try_get("target_kind")?;
        let target = match kind.as_str() {
            "vote" => ReactionTarget::Vote(id),
            "outcome" => ReactionTarget::Outcome(id),
            "poll" => ReactionTarget::Poll,
            other => return Err(weft_domain::UnknownStored::new("reaction target", other).into()),
        };
        Ok(PollReactionRow {
            target,
            user_id: r.try_get("user_id")?,
            name: r.try_get("name")?,
            emoji: r.try_get("emoji")?,
        })
    })
    .await
}

/// Whether `vote_id` is a current vote of the poll (what may be reacted to).
pub async fn is_current_vote(conn: &mut Conn, poll_id: PollId, vote_id: i64) -> Result<bool> {
    let n: i64 = query("SELECT COUNT(*) AS n FROM votes WHERE id = $1 AND poll_id = $2 AND current = 1")
        .bind(vote_id)
        .bind(poll_id)
        .fetch_one(&mut *conn, |r| r.try_get("n"))
        .await?;
    Ok(n > 0)
}
