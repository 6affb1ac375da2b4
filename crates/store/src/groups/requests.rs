//! Requests to join a group that needs approval.

use super::*;

#[derive(Debug, Clone)]
pub struct MembershipRequest {
    pub id: i64,
    pub user_id: UserId,
    pub name: String,
    pub username: Username,
    pub introduction: String,
    pub created_at: Timestamp,
}

pub async fn pending_request_exists(conn: &mut Conn, group_id: GroupId, user_id: UserId) -> Result<bool> {
    let row = query(
        "SELECT COUNT(*) AS n FROM membership_requests WHERE group_id = $1 AND user_id = $2 AND status = 'pending'",
    )
    .bind(group_id)
    .bind(user_id)
    .fetch_one(&mut *conn, |r| r.try_get::<i64, _>("n"))
    .await?;
    Ok(row > 0)
}

pub async fn add_request(
    conn: &mut Conn,
    group_id: GroupId,
    user_id: UserId,
    introduction: &str,
    now: Timestamp,
) -> Result<()> {
    query("INSERT INTO membership_requests (group_id, user_id, introduction, status, created_at) VALUES ($1, $2, $3, 'pending', $4)")
        .bind(group_id)
        .bind(user_id)
        .bind(introduction)
        .bind(now.micros())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The pending requests of people whose accounts are active: a deactivated person's request waits,
/// unnamed and unlisted, until they come back (P9).
pub async fn pending_requests(conn: &mut Conn, group_id: GroupId) -> Result<Vec<MembershipRequest>> {
    let rows = query(
        "SELECT r.id, r.user_id, u.name, u.username, r.introduction, r.created_at FROM membership_requests r \
         JOIN users u ON u.id = r.user_id WHERE r.group_id = $1 AND r.status = 'pending' AND u.state = 'active' \
         ORDER BY r.id LIMIT 200",
    )
    .bind(group_id)
    .fetch_all(&mut *conn, |r| {
        Ok(MembershipRequest {
            id: r.try_get("id")?,
            user_id: r.try_get("user_id")?,
            name: r.try_get("name")?,
            username: Username::from_trusted(r.try_get("username")?),
            introduction: r.try_get("introduction")?,
            created_at: Timestamp(r.try_get("created_at")?),
        })
    })
    .await?;
    Ok(rows)
}

/// Answers a pending request of this group; the requester's id, or `None` if there was none.
pub async fn respond_to_request(
    conn: &mut Conn,
    group_id: GroupId,
    request_id: i64,
    status: &str,
    responder: UserId,
    now: Timestamp,
) -> Result<Option<UserId>> {
    let row = query(
        "UPDATE membership_requests SET status = $1, responder_id = $2, responded_at = $3 \
         WHERE id = $4 AND group_id = $5 AND status = 'pending' \
         AND user_id IN (SELECT id FROM users WHERE state = 'active') RETURNING user_id",
    )
    .bind(status)
    .bind(responder)
    .bind(now.micros())
    .bind(request_id)
    .bind(group_id)
    .fetch_optional(&mut *conn, |r| r.try_get("user_id"))
    .await?;
    Ok(row)
}
