//! The Explore directory of open, listed groups.

use super::*;

/// The groups Explore lists, whose name contains `$1` (a `LIKE` pattern).
const LISTED: &str = "FROM groups g \
    WHERE g.privacy = 'open' AND g.listed_in_explore = 1 AND g.archived_at IS NULL \
    AND NOT EXISTS (SELECT 1 FROM groups p WHERE p.id = g.parent_id AND p.privacy = 'secret') \
    AND LOWER(g.name) LIKE $1 ESCAPE '\\'";

/// How many groups Explore lists for this search (its position: "21–40 of 57").
pub async fn count_explore(conn: &mut Conn, search: &str) -> Result<i64> {
    query(format!("SELECT COUNT(*) AS n {LISTED}"))
        .bind(pattern_of(search))
        .fetch_one(&mut *conn, |r| r.try_get("n"))
        .await
}

/// One page of open, unarchived groups whose admins chose to list them (never a subgroup of a
/// secret group, which the permission rule hides from the public), with member counts, by size
/// then name; `search` matches names, case-insensitively. One statement.
pub async fn explore(conn: &mut Conn, search: &str, limit: i64, offset: i64) -> Result<Vec<(Group, i64)>> {
    let cols = columns_of("g");
    let sql =
        format!("SELECT {cols}, g.member_count {LISTED} ORDER BY g.member_count DESC, g.name, g.id LIMIT $2 OFFSET $3");
    let rows = query(sql)
        .bind(pattern_of(search))
        .bind(limit)
        .bind(offset)
        .fetch_all(&mut *conn, |r| Ok((from_row(r)?, r.try_get("member_count")?)))
        .await?;
    Ok(rows)
}

fn pattern_of(search: &str) -> String {
    format!(
        "%{}%",
        search
            .trim()
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}
