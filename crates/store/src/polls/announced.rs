//! `poll_announced_people` and `poll_announced_subgroups`: whom a poll's author chose to email
//! when it opens, instead of everyone who may vote. Kept only until it has opened.

use super::PollId;
use crate::groups::GroupId;
use crate::users::UserId;
use crate::{Conn, Result, query};

/// Replaces whom the poll is announced to.
pub async fn set_announced(conn: &mut Conn, poll_id: PollId, people: &[UserId], subgroups: &[GroupId]) -> Result<()> {
    forget_announced(conn, poll_id).await?;
    for user_id in people {
        query("INSERT INTO poll_announced_people (poll_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(poll_id)
            .bind(*user_id)
            .execute(&mut *conn)
            .await?;
    }
    for group_id in subgroups {
        query("INSERT INTO poll_announced_subgroups (poll_id, group_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(poll_id)
            .bind(*group_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Whom the poll is announced to: the chosen people and subgroups, by id, in order.
pub async fn announced(conn: &mut Conn, poll_id: PollId) -> Result<(Vec<UserId>, Vec<GroupId>)> {
    let people = query("SELECT user_id FROM poll_announced_people WHERE poll_id = $1 ORDER BY user_id")
        .bind(poll_id)
        .fetch_all(&mut *conn, |r| r.try_get::<UserId, _>(0))
        .await?;
    let subgroups = query("SELECT group_id FROM poll_announced_subgroups WHERE poll_id = $1 ORDER BY group_id")
        .bind(poll_id)
        .fetch_all(&mut *conn, |r| r.try_get::<GroupId, _>(0))
        .await?;
    Ok((people, subgroups))
}

/// Forgets whom the poll was announced to (once it has opened).
pub async fn forget_announced(conn: &mut Conn, poll_id: PollId) -> Result<()> {
    for table in ["poll_announced_people", "poll_announced_subgroups"] {
        query(format!("DELETE FROM {table} WHERE poll_id = $1"))
            .bind(poll_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Whom the poll is announced to, as its form names them: usernames and subgroup keys.
pub async fn announced_names(conn: &mut Conn, poll_id: PollId) -> Result<(Vec<String>, Vec<String>)> {
    let people = query(
        "SELECT u.username FROM poll_announced_people a JOIN users u ON u.id = a.user_id \
         WHERE a.poll_id = $1 ORDER BY u.username",
    )
    .bind(poll_id)
    .fetch_all(&mut *conn, |r| r.try_get::<String, _>(0))
    .await?;
    let subgroups = query(
        "SELECT g.key FROM poll_announced_subgroups a JOIN groups g ON g.id = a.group_id \
         WHERE a.poll_id = $1 ORDER BY g.name",
    )
    .bind(poll_id)
    .fetch_all(&mut *conn, |r| r.try_get::<String, _>(0))
    .await?;
    Ok((people, subgroups))
}
