//! `support_grants` and `access_log` (P13): instance admins read a private group's content only
//! while a grant is active, and every such read is logged for the group's coordinators.

use weft_domain::Timestamp;

use crate::groups::GroupId;
use crate::users::UserId;
use crate::{Conn, Result, flag, query};

#[derive(Debug, Clone)]
pub struct Grant {
    pub id: i64,
    pub granted_by_name: Option<String>,
    pub reason: String,
    pub maintenance: bool,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// Opens a grant until `expires_at`.
pub async fn grant(
    conn: &mut Conn,
    group_id: GroupId,
    by: UserId,
    reason: &str,
    maintenance: bool,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<()> {
    query(
        "INSERT INTO support_grants (group_id, granted_by, reason, maintenance, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(group_id)
    .bind(by)
    .bind(reason)
    .bind(i64::from(maintenance))
    .bind(now.0)
    .bind(expires_at.0)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The grant in force for a group at `now`, if any (the one lasting longest).
pub async fn active(conn: &mut Conn, group_id: GroupId, now: Timestamp) -> Result<Option<Grant>> {
    let row = query(
        "SELECT s.id, CASE WHEN u.state = 'active' THEN u.name END AS granted_by_name, s.reason, s.maintenance, \
         s.created_at, s.expires_at FROM support_grants s LEFT JOIN users u ON u.id = s.granted_by \
         WHERE s.group_id = $1 AND s.ended_at IS NULL AND s.expires_at > $2 ORDER BY s.expires_at DESC LIMIT 1",
    )
    .bind(group_id)
    .bind(now.0)
    .fetch_optional(&mut *conn, |r| {
        Ok(Grant {
            id: r.try_get("id")?,
            granted_by_name: r.try_get("granted_by_name")?,
            reason: r.try_get("reason")?,
            maintenance: flag(r.try_get("maintenance")?),
            created_at: Timestamp(r.try_get("created_at")?),
            expires_at: Timestamp(r.try_get("expires_at")?),
        })
    })
    .await?;
    Ok(row)
}

/// Ends every grant of a group at once.
pub async fn end_all(conn: &mut Conn, group_id: GroupId, now: Timestamp) -> Result<()> {
    query("UPDATE support_grants SET ended_at = $1 WHERE group_id = $2 AND ended_at IS NULL AND expires_at > $1")
        .bind(now.0)
        .bind(group_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct Access {
    /// The administrator's name, or `None` once their account is no longer active.
    pub staff_name: Option<String>,
    pub what: String,
    pub reason: String,
    pub at: Timestamp,
}

/// Writes one access, unless the same person read the same thing in this group within `window`
/// (a reader who reloads or keeps a live stream open is one entry, not hundreds).
pub async fn log_access(
    conn: &mut Conn,
    group_id: GroupId,
    staff_id: UserId,
    what: &str,
    reason: &str,
    now: Timestamp,
    since: Timestamp,
) -> Result<()> {
    query(
        "INSERT INTO access_log (group_id, staff_id, what, reason, at) SELECT $1, $2, $3, $4, $5 \
         WHERE NOT EXISTS (SELECT 1 FROM access_log WHERE group_id = $1 AND staff_id = $2 AND what = $3 AND reason = $4 AND at >= $6)",
    )
    .bind(group_id)
    .bind(staff_id)
    .bind(what)
    .bind(reason)
    .bind(now.0)
    .bind(since.0)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A group's access log, newest first.
pub async fn log_for_group(conn: &mut Conn, group_id: GroupId) -> Result<Vec<Access>> {
    let rows = query(
        "SELECT CASE WHEN u.state = 'active' THEN u.name END AS staff_name, a.what, a.reason, a.at FROM access_log a \
         LEFT JOIN users u ON u.id = a.staff_id WHERE a.group_id = $1 ORDER BY a.at DESC, a.id DESC LIMIT 500",
    )
    .bind(group_id)
    .fetch_all(&mut *conn, |r| {
        Ok(Access {
            staff_name: r.try_get("staff_name")?,
            what: r.try_get("what")?,
            reason: r.try_get("reason")?,
            at: Timestamp(r.try_get("at")?),
        })
    })
    .await?;
    Ok(rows)
}
