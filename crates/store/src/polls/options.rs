//! `poll_options`: a poll's options in their order, with the running totals of current votes.

use weft_domain::Timestamp;
use weft_domain::polls::{PassOperator, PassTest, ShareOf};

use super::{OptionId, PollId};
use crate::users::UserId;
use crate::{Conn, Result, query};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollOption {
    pub id: OptionId,
    pub position: i64,
    pub name: String,
    pub pass_test: Option<PassTest>,
    /// A meeting poll's slot: when it starts.
    pub starts_at: Option<Timestamp>,
}

pub async fn set_starts_at(conn: &mut Conn, option: OptionId, at: Timestamp) -> Result<()> {
    query("UPDATE poll_options SET starts_at = $1 WHERE id = $2")
        .bind(at.micros())
        .bind(option)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_pass_test(conn: &mut Conn, option: OptionId, test: &PassTest) -> Result<()> {
    query("UPDATE poll_options SET pass_operator = $1, pass_percent = $2, pass_of = $3 WHERE id = $4")
        .bind(test.operator.as_str())
        .bind(test.percent)
        .bind(test.of.as_str())
        .bind(option)
        .execute(&mut *conn)
        .await?;
    Ok(())
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
    query(
        "SELECT id, position, name, pass_operator, pass_percent, pass_of, starts_at FROM poll_options WHERE poll_id = $1 \
         ORDER BY position",
    )
    .bind(poll_id)
    .fetch_all(&mut *conn, |r| {
        let operator: Option<String> = r.try_get("pass_operator")?;
        let pass_test = match operator {
            None => None,
            Some(op) => Some(PassTest {
                operator: PassOperator::from_stored(&op)?,
                percent: r.try_get::<Option<i64>, _>("pass_percent")?.unwrap_or(0),
                of: ShareOf::from_stored(&r.try_get::<Option<String>, _>("pass_of")?.unwrap_or_default())?,
            }),
        };
        Ok(PollOption {
            id: r.try_get("id")?,
            position: r.try_get("position")?,
            name: r.try_get("name")?,
            pass_test,
            starts_at: crate::threads::ts(r, "starts_at")?,
        })
    })
    .await
}
