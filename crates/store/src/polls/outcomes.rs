//! `outcomes`: what a closed poll concluded. Writing again keeps the earlier statement as history.

use weft_domain::Timestamp;

use super::{OptionId, OutcomeId, PollId};
use crate::users::UserId;
use crate::{Conn, Result, query};

#[derive(Debug, Clone)]
pub struct Outcome {
    pub id: OutcomeId,
    pub author_id: Option<UserId>,
    pub author_name: Option<String>,
    pub statement: String,
    pub option_id: Option<OptionId>,
    pub review_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

pub async fn write_outcome(
    conn: &mut Conn,
    poll_id: PollId,
    author_id: UserId,
    statement: &str,
    option_id: Option<OptionId>,
    review_at: Option<Timestamp>,
    now: Timestamp,
) -> Result<OutcomeId> {
    query("UPDATE outcomes SET current = 0 WHERE poll_id = $1 AND current = 1")
        .bind(poll_id)
        .execute(&mut *conn)
        .await?;
    query(
        "INSERT INTO outcomes (poll_id, author_id, statement, option_id, review_at, current, created_at) \
         VALUES ($1, $2, $3, $4, $5, 1, $6) RETURNING id",
    )
    .bind(poll_id)
    .bind(author_id)
    .bind(statement)
    .bind(option_id)
    .bind(review_at.map(Timestamp::micros))
    .bind(now.micros())
    .fetch_one(&mut *conn, |r| r.try_get("id"))
    .await
}

pub async fn current_outcome(conn: &mut Conn, poll_id: PollId) -> Result<Option<Outcome>> {
    query(
        "SELECT o.id, o.author_id, CASE WHEN a.state = 'active' THEN a.name END AS author_name, o.statement, \
         o.option_id, o.review_at, o.created_at FROM outcomes o LEFT JOIN users a ON a.id = o.author_id \
         WHERE o.poll_id = $1 AND o.current = 1",
    )
    .bind(poll_id)
    .fetch_optional(&mut *conn, |r| {
        Ok(Outcome {
            id: r.try_get("id")?,
            author_id: r.try_get("author_id")?,
            author_name: r.try_get("author_name")?,
            statement: r.try_get("statement")?,
            option_id: r.try_get("option_id")?,
            review_at: crate::threads::ts(r, "review_at")?,
            created_at: Timestamp(r.try_get("created_at")?),
        })
    })
    .await
}
