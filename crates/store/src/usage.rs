//! The `usage_daily` table: aggregate counters only (P2).

use sqlx::Row;

use crate::{Conn, Result};

/// Adds `n` to one counter.
pub async fn add(conn: &mut Conn, day: i64, dimension: &str, value: &str, n: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO usage_daily (day, dimension, value, count) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (day, dimension, value) DO UPDATE SET count = usage_daily.count + excluded.count",
    )
    .bind(day)
    .bind(dimension)
    .bind(value)
    .bind(n)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Totals per (dimension, value) since `from_day`, largest first.
pub async fn totals(conn: &mut Conn, from_day: i64) -> Result<Vec<(String, String, i64)>> {
    let rows = sqlx::query(
        "SELECT dimension, value, CAST(SUM(count) AS BIGINT) AS n FROM usage_daily WHERE day >= $1 \
         GROUP BY dimension, value ORDER BY dimension, n DESC, value LIMIT 1000",
    )
    .bind(from_day)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("dimension")?, r.try_get("value")?, r.try_get("n")?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Page views per day since `from_day`, oldest first.
pub async fn views_per_day(conn: &mut Conn, from_day: i64) -> Result<Vec<(i64, i64)>> {
    let rows = sqlx::query(
        "SELECT day, CAST(SUM(count) AS BIGINT) AS n FROM usage_daily WHERE day >= $1 AND dimension = 'page' GROUP BY day ORDER BY day",
    )
    .bind(from_day)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("day")?, r.try_get("n")?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}
