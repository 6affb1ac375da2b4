//! The `rate_counters` table: fixed-window counters of attempts at the account doors, keyed by a
//! hash (`weft_domain::rate_limit::counter_key`). Each call is one statement, so instances sharing a
//! PostgreSQL database count together without a lock of their own.

use weft_domain::{Duration, Timestamp, TokenHash};

use crate::{Conn, Result, query};

/// Counts one hit on `key` in a window of `window`: a window that ended starts again with this
/// hit. Returns the hits in the current window, this one included, and when the window started.
pub async fn hit(conn: &mut Conn, key: &TokenHash, now: Timestamp, window: Duration) -> Result<(i64, Timestamp)> {
    // Every SET expression reads the row as it was (both SQLite and PostgreSQL).
    let row = query(
        "INSERT INTO rate_counters (key, window_start, hits) VALUES ($1, $2, 1) \
         ON CONFLICT (key) DO UPDATE SET \
           hits = CASE WHEN rate_counters.window_start <= $3 THEN 1 ELSE rate_counters.hits + 1 END, \
           window_start = CASE WHEN rate_counters.window_start <= $3 THEN $2 ELSE rate_counters.window_start END \
         RETURNING hits, window_start",
    )
    .bind(key.as_str())
    .bind(now.micros())
    .bind(now.minus(window).micros())
    .fetch_one(&mut *conn, |r| {
        Ok((r.try_get("hits")?, Timestamp(r.try_get("window_start")?)))
    })
    .await?;
    Ok(row)
}

/// Takes the slot `key` if it was last taken at least `period` ago (or never): true if taken.
pub async fn take_slot(conn: &mut Conn, key: &TokenHash, now: Timestamp, period: Duration) -> Result<bool> {
    let row = query(
        "INSERT INTO rate_counters (key, window_start, hits) VALUES ($1, $2, 1) \
         ON CONFLICT (key) DO UPDATE SET window_start = $2, hits = rate_counters.hits + 1 \
         WHERE rate_counters.window_start <= $3 RETURNING hits",
    )
    .bind(key.as_str())
    .bind(now.micros())
    .bind(now.minus(period).micros())
    .fetch_optional(&mut *conn, |_| Ok(()))
    .await?;
    Ok(row.is_some())
}

/// P20: counters whose window started before `before` are of no use any more.
pub async fn purge(conn: &mut Conn, before: Timestamp) -> Result<u64> {
    let done = query("DELETE FROM rate_counters WHERE window_start < $1")
        .bind(before.micros())
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}
