//! `poll_options`: a poll's options in their order, with the running totals of current votes.

use weft_domain::Timestamp;

use super::{OptionId, PollId};
use crate::users::UserId;
use crate::{Conn, Result, query};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollOption {
    pub id: OptionId,
    pub position: i64,
    pub name: String,
}

pub async fn add_option(
    conn: &mut Conn,
    poll_id: PollId,
    position: i64,
    name: &str,
    added_by: Option<UserId>,
    now: Timestamp,
) -> Result<OptionId> {
    query("INSERT INTO poll_options (poll_id, position, name, added_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
        .bind(poll_id)
        .bind(position)
        .bind(name)
        .bind(added_by)
        .bind(now.micros())
        .fetch_one(&mut *conn, |r| r.try_get("id"))
        .await
}

/// Adds an option after the last one (a voter's, when the poll allows it). A concurrent addition
/// taking the same position makes this a `Conflict`: the caller asks again.
pub async fn append_option(
    conn: &mut Conn,
    poll_id: PollId,
    name: &str,
    added_by: UserId,
    now: Timestamp,
) -> Result<OptionId> {
    let next: i64 = query("SELECT COALESCE(MAX(position), -1) + 1 AS next FROM poll_options WHERE poll_id = $1")
        .bind(poll_id)
        .fetch_one(&mut *conn, |r| r.try_get("next"))
        .await?;
    add_option(conn, poll_id, next, name, Some(added_by), now).await
}

pub async fn options_of(conn: &mut Conn, poll_id: PollId) -> Result<Vec<PollOption>> {
    query("SELECT id, position, name FROM poll_options WHERE poll_id = $1 ORDER BY position")
        .bind(poll_id)
        .fetch_all(&mut *conn, |r| {
            Ok(PollOption {
                id: r.try_get("id")?,
                position: r.try_get("position")?,
                name: r.try_get("name")?,
            })
        })
        .await
}
