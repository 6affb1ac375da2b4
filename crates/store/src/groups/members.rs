//! Memberships: roles, adding and removing members, the member list, the coordinators.

use super::*;

/// Locks the group's row until the transaction ends, so rules that count members (the last
/// coordinator) hold under concurrent changes on PostgreSQL.
pub async fn lock(conn: &mut Conn, backend: crate::Backend, id: GroupId) -> Result<()> {
    let sql = format!("SELECT id FROM groups WHERE id = $1 {}", backend.for_update());
    query(sql).bind(id).fetch_optional(&mut *conn, |_| Ok(())).await?;
    Ok(())
}

pub async fn role_of(conn: &mut Conn, group_id: GroupId, user_id: UserId) -> Result<Option<Role>> {
    let row = query("SELECT role FROM memberships WHERE group_id = $1 AND user_id = $2")
        .bind(group_id)
        .bind(user_id)
        .fetch_optional(&mut *conn, |r| Ok(Role::from_stored(&r.try_get::<String, _>("role")?)?))
        .await?;
    Ok(row)
}

/// `StoreError::Conflict` when already a member.
pub async fn add_member(
    conn: &mut Conn,
    group_id: GroupId,
    user_id: UserId,
    role: Role,
    inviter: Option<UserId>,
    now: Timestamp,
) -> Result<()> {
    query("INSERT INTO memberships (group_id, user_id, role, inviter_id, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(group_id)
        .bind(user_id)
        .bind(role.as_str())
        .bind(inviter)
        .bind(now.micros())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Adds a membership unless there is one already (then nothing changes); `true` if added. Unlike
/// a failed insert, this leaves a PostgreSQL transaction usable.
pub async fn ensure_member(
    conn: &mut Conn,
    group_id: GroupId,
    user_id: UserId,
    role: Role,
    inviter: Option<UserId>,
    now: Timestamp,
) -> Result<bool> {
    let done = query(
        "INSERT INTO memberships (group_id, user_id, role, inviter_id, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (group_id, user_id) DO NOTHING",
    )
    .bind(group_id)
    .bind(user_id)
    .bind(role.as_str())
    .bind(inviter)
    .bind(now.micros())
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes a membership, and the memberships of the same user in the group's subgroups.
pub async fn remove_member(conn: &mut Conn, group_id: GroupId, user_id: UserId) -> Result<bool> {
    query("DELETE FROM memberships WHERE user_id = $1 AND group_id IN (SELECT id FROM groups WHERE parent_id = $2)")
        .bind(user_id)
        .bind(group_id)
        .execute(&mut *conn)
        .await?;
    let done = query("DELETE FROM memberships WHERE group_id = $1 AND user_id = $2")
        .bind(group_id)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_role(conn: &mut Conn, group_id: GroupId, user_id: UserId, role: Role) -> Result<bool> {
    let done = query("UPDATE memberships SET role = $1 WHERE group_id = $2 AND user_id = $3")
        .bind(role.as_str())
        .bind(group_id)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn count_admins(conn: &mut Conn, group_id: GroupId) -> Result<i64> {
    let row = query("SELECT COUNT(*) AS n FROM memberships WHERE group_id = $1 AND role = 'admin'")
        .bind(group_id)
        .fetch_one(&mut *conn, |r| r.try_get("n"))
        .await?;
    Ok(row)
}

#[derive(Debug, Clone)]
/// A member as stored. Name, username and address only while the account is active (P9: a
/// deactivated member is not named).
pub struct Member {
    pub user_key: String,
    pub user_id: UserId,
    pub name: Option<String>,
    pub username: Option<Username>,
    pub email: Option<EmailAddress>,
    pub role: Role,
    pub joined_at: Timestamp,
}

/// One page of members: admins first, then by name. One query, whatever the group's size.
pub async fn members(conn: &mut Conn, group_id: GroupId, limit: i64, offset: i64) -> Result<Vec<Member>> {
    let rows = query(
        "SELECT u.key, u.id, CASE WHEN u.state = 'active' THEN u.name END AS name, \
         CASE WHEN u.state = 'active' THEN u.username END AS username, \
         CASE WHEN u.state = 'active' THEN u.email END AS email, m.role, m.created_at FROM memberships m \
         JOIN users u ON u.id = m.user_id WHERE m.group_id = $1 \
         ORDER BY CASE WHEN m.role = 'admin' THEN 0 ELSE 1 END, CASE WHEN u.state = 'active' THEN 0 ELSE 1 END, \
         CASE WHEN u.state = 'active' THEN u.name ELSE '' END, u.id LIMIT $2 OFFSET $3",
    )
    .bind(group_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *conn, |r| {
        Ok(Member {
            user_key: r.try_get("key")?,
            user_id: r.try_get("id")?,
            name: r.try_get("name")?,
            username: r.try_get::<Option<String>, _>("username")?.map(Username::from_trusted),
            email: r.try_get::<Option<String>, _>("email")?.map(EmailAddress::from_trusted),
            role: Role::from_stored(&r.try_get::<String, _>("role")?)?,
            joined_at: Timestamp(r.try_get("created_at")?),
        })
    })
    .await?;
    Ok(rows)
}

/// The coordinators of a group, to tell them about something only they handle.
pub async fn admin_ids(conn: &mut Conn, group_id: GroupId) -> Result<Vec<UserId>> {
    let rows = query("SELECT user_id FROM memberships WHERE group_id = $1 AND role = 'admin' ORDER BY user_id")
        .bind(group_id)
        .fetch_all(&mut *conn, |r| r.try_get::<UserId, _>(0))
        .await?;
    Ok(rows)
}

/// Every member of these groups (a new thread announced to subgroups), at most 100 000.
pub async fn user_ids_in(conn: &mut Conn, group_ids: &[GroupId]) -> Result<Vec<UserId>> {
    if group_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = query(format!(
        "SELECT DISTINCT user_id FROM memberships WHERE group_id IN ({}) LIMIT 100000",
        crate::parameters(1, group_ids.len())
    ));
    for id in group_ids {
        q = q.bind(*id);
    }
    q.fetch_all(&mut *conn, |r| r.try_get::<UserId, _>(0)).await
}

/// A member's secret for their own address for starting threads by email: `None` when they are
/// not a member, `Some(None)` before it was first made.
pub async fn email_secret(conn: &mut Conn, group_id: GroupId, user_id: UserId) -> Result<Option<Option<String>>> {
    query("SELECT email_secret FROM memberships WHERE group_id = $1 AND user_id = $2")
        .bind(group_id)
        .bind(user_id)
        .fetch_optional(&mut *conn, |r| r.try_get::<Option<String>, _>("email_secret"))
        .await
}

/// Sets (or replaces) a member's secret; `only_if_none`: keep one already made (two pages
/// opened at once make one secret, not two). False when they are not a member.
pub async fn set_email_secret(
    conn: &mut Conn,
    group_id: GroupId,
    user_id: UserId,
    secret: &str,
    only_if_none: bool,
) -> Result<bool> {
    let n = query(format!(
        "UPDATE memberships SET email_secret = $1 WHERE group_id = $2 AND user_id = $3{}",
        if only_if_none { " AND email_secret IS NULL" } else { "" }
    ))
    .bind(secret)
    .bind(group_id)
    .bind(user_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}
