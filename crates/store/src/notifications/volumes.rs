//! How loudly each person hears of a group (`memberships.volume`) and of a poll (`poll_volumes`).

use weft_domain::notifications::Volume;

use crate::groups::GroupId;
use crate::polls::PollId;
use crate::users::UserId;
use crate::{Conn, Result, query};

/// Sets `user_id`'s volume for the group; `false` when they are not a member.
pub async fn set_group_volume(conn: &mut Conn, group_id: GroupId, user_id: UserId, volume: Volume) -> Result<bool> {
    let changed = query("UPDATE memberships SET volume = $1 WHERE group_id = $2 AND user_id = $3")
        .bind(volume.as_str())
        .bind(group_id)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(changed.rows_affected() == 1)
}

/// "Apply to all my groups": the same volume on every membership.
pub async fn set_every_group_volume(conn: &mut Conn, user_id: UserId, volume: Volume) -> Result<u64> {
    query("UPDATE memberships SET volume = $1 WHERE user_id = $2")
        .bind(volume.as_str())
        .bind(user_id)
        .execute(&mut *conn)
        .await
        .map(|d| d.rows_affected())
}

/// The volume `user_id` chose for the poll (`None`: as its thread or group).
pub async fn poll_volume(conn: &mut Conn, poll_id: PollId, user_id: UserId) -> Result<Option<Volume>> {
    let row = query("SELECT volume FROM poll_volumes WHERE poll_id = $1 AND user_id = $2")
        .bind(poll_id)
        .bind(user_id)
        .fetch_optional(&mut *conn, |r| r.try_get::<String, _>("volume"))
        .await?;
    Ok(row.map(|s| Volume::from_stored(&s)).transpose()?)
}

/// Sets (or with `None` clears) `user_id`'s volume for the poll.
pub async fn set_poll_volume(conn: &mut Conn, poll_id: PollId, user_id: UserId, volume: Option<Volume>) -> Result<()> {
    match volume {
        Some(v) => {
            query(
                "INSERT INTO poll_volumes (poll_id, user_id, volume) VALUES ($1, $2, $3) \
                 ON CONFLICT (poll_id, user_id) DO UPDATE SET volume = excluded.volume",
            )
            .bind(poll_id)
            .bind(user_id)
            .bind(v.as_str())
            .execute(&mut *conn)
            .await?;
        }
        None => {
            query("DELETE FROM poll_volumes WHERE poll_id = $1 AND user_id = $2")
                .bind(poll_id)
                .bind(user_id)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

/// `user_id`'s volume for the group, if they are a member.
pub async fn group_volume(conn: &mut Conn, group_id: GroupId, user_id: UserId) -> Result<Option<Volume>> {
    let row = query("SELECT volume FROM memberships WHERE group_id = $1 AND user_id = $2")
        .bind(group_id)
        .bind(user_id)
        .fetch_optional(&mut *conn, |r| r.try_get::<String, _>("volume"))
        .await?;
    Ok(row.map(|s| Volume::from_stored(&s)).transpose()?)
}

/// One of someone's groups with their volume there.
#[derive(Debug, Clone)]
pub struct GroupVolume {
    pub key: String,
    pub name: String,
    pub volume: Volume,
}

/// Every group `user_id` belongs to, by name, with their volume there (at most 500).
pub async fn group_volumes(conn: &mut Conn, user_id: UserId) -> Result<Vec<GroupVolume>> {
    query(
        "SELECT g.key, g.name, m.volume FROM memberships m JOIN groups g ON g.id = m.group_id \
         WHERE m.user_id = $1 ORDER BY g.name, g.id LIMIT 500",
    )
    .bind(user_id)
    .fetch_all(&mut *conn, |r| {
        Ok(GroupVolume {
            key: r.try_get("key")?,
            name: r.try_get("name")?,
            volume: Volume::from_stored(&r.try_get::<String, _>("volume")?)?,
        })
    })
    .await
}

/// These people with their volume for the group (normal for someone who is not a member).
pub async fn with_group_volume(
    conn: &mut Conn,
    group_id: GroupId,
    user_ids: &[UserId],
) -> Result<Vec<(crate::users::User, Volume)>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {users}, COALESCE(m.volume, 'normal') AS volume FROM users u \
         LEFT JOIN memberships m ON m.group_id = $1 AND m.user_id = u.id WHERE u.id IN ({}) ORDER BY u.id",
        crate::parameters(2, user_ids.len()),
        users = crate::users::U_COLUMNS,
    );
    let mut q = query(sql).bind(group_id);
    for id in user_ids {
        q = q.bind(*id);
    }
    q.fetch_all(&mut *conn, |r| {
        Ok((
            crate::users::from_row(r)?,
            Volume::from_stored(&r.try_get::<String, _>("volume")?)?,
        ))
    })
    .await
}
