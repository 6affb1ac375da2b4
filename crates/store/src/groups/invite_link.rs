//! A group's shareable invitation link.

use super::*;

/// The group's current shareable link secret, if it has one switched on.
pub async fn invite_link(conn: &mut Conn, id: GroupId) -> Result<Option<String>> {
    let row = query("SELECT invite_link_token FROM groups WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn, |r| r.try_get::<Option<String>, _>("invite_link_token"))
        .await?;
    Ok(row.flatten())
}

/// Sets a new link secret (the old link stops working) or switches the link off with `None`.
pub async fn set_invite_link(conn: &mut Conn, id: GroupId, token: Option<&str>) -> Result<()> {
    query("UPDATE groups SET invite_link_token = $1 WHERE id = $2")
        .bind(token)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn find_by_invite_link(conn: &mut Conn, token: &str) -> Result<Option<Group>> {
    let sql = format!(
        "SELECT {} FROM groups g WHERE g.invite_link_token = $1",
        columns_of("g")
    );
    let row = query(sql).bind(token).fetch_optional(&mut *conn, from_row).await?;
    Ok(row)
}
