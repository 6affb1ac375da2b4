//! The `usage_daily` table: aggregate counters only (P2).

use crate::{Conn, Result, query};

/// Adds `n` to one counter.
pub async fn add(conn: &mut Conn, day: i64, dimension: &str, value: &str, n: i64) -> Result<()> {
    query(
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

/// The value that stands for every one past a day's top `n`.
pub const OTHER: &str = "(other)";

/// Keeps a day's `n` largest values of `dimension` and folds the rest into `OTHER`, so a flood
/// of distinct values (20 000 referring domains a day) adds one row, not 20 000.
pub async fn keep_top(conn: &mut Conn, day: i64, dimension: &str, n: i64) -> Result<u64> {
    let rows = query(
        "SELECT value, count FROM usage_daily WHERE day = $1 AND dimension = $2 AND value <> $3 \
         ORDER BY count DESC, value LIMIT 20000 OFFSET $4",
    )
    .bind(day)
    .bind(dimension)
    .bind(OTHER)
    .bind(n)
    .fetch_all(&mut *conn, |r| {
        Ok((r.try_get::<String, _>("value")?, r.try_get::<i64, _>("count")?))
    })
    .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let folded: i64 = rows.iter().map(|(_, count)| count).sum();
    let values: Vec<String> = rows.into_iter().map(|(value, _)| value).collect();
    for chunk in values.chunks(1000) {
        let sql = format!(
            "DELETE FROM usage_daily WHERE day = $1 AND dimension = $2 AND value IN ({})",
            crate::parameters(3, chunk.len())
        );
        let mut q = query(sql).bind(day).bind(dimension);
        for v in chunk {
            q = q.bind(v);
        }
        q.execute(&mut *conn).await?;
    }
    add(conn, day, dimension, OTHER, folded).await?;
    Ok(values.len() as u64)
}

/// Totals per (dimension, value) since `from_day`, largest first.
pub async fn totals(conn: &mut Conn, from_day: i64) -> Result<Vec<(String, String, i64)>> {
    let rows = query(
        "SELECT dimension, value, CAST(SUM(count) AS BIGINT) AS n FROM usage_daily WHERE day >= $1 \
         GROUP BY dimension, value ORDER BY dimension, n DESC, value LIMIT 1000",
    )
    .bind(from_day)
    .fetch_all(&mut *conn, |r| {
        Ok((r.try_get("dimension")?, r.try_get("value")?, r.try_get("n")?))
    })
    .await?;
    Ok(rows)
}

/// Page views per day since `from_day`, oldest first.
pub async fn views_per_day(conn: &mut Conn, from_day: i64) -> Result<Vec<(i64, i64)>> {
    let rows = query(
        "SELECT day, CAST(SUM(count) AS BIGINT) AS n FROM usage_daily WHERE day >= $1 AND dimension = 'page' GROUP BY day ORDER BY day",
    )
    .bind(from_day)
    .fetch_all(&mut *conn, |r| Ok((r.try_get("day")?, r.try_get("n")?)))
        .await?;
    Ok(rows)
}
