//! The `thread_reads` table: how far each person has read a thread, and how loudly they hear of it (a choice of
//! their own, or none: as their group).

use weft_domain::Timestamp;
use weft_domain::threads::Volume;

use super::ThreadId;
use crate::users::UserId;
use crate::{Conn, Result, query};

/// Records that `user_id` has read up to `seq`. Never moves backwards: reading an older page on
/// another device keeps the furthest point.
pub async fn mark_read(conn: &mut Conn, thread_id: ThreadId, user_id: UserId, seq: i64, now: Timestamp) -> Result<()> {
    query(
        "INSERT INTO thread_reads (thread_id, user_id, read_seq, read_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (thread_id, user_id) DO UPDATE SET read_at = excluded.read_at, \
         read_seq = CASE WHEN excluded.read_seq > thread_reads.read_seq THEN excluded.read_seq ELSE thread_reads.read_seq END",
    )
    .bind(thread_id)
    .bind(user_id)
    .bind(seq)
    .bind(now.micros())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Sets how loudly `user_id` hears of the thread (`None`: as their group), keeping how far they
/// have read.
pub async fn set_volume(
    conn: &mut Conn,
    thread_id: ThreadId,
    user_id: UserId,
    volume: Option<Volume>,
    now: Timestamp,
) -> Result<()> {
    query(
        "INSERT INTO thread_reads (thread_id, user_id, read_seq, read_at, chosen_volume) VALUES ($1, $2, 0, $3, $4) \
         ON CONFLICT (thread_id, user_id) DO UPDATE SET chosen_volume = excluded.chosen_volume",
    )
    .bind(thread_id)
    .bind(user_id)
    .bind(now.micros())
    .bind(volume.map(Volume::as_str))
    .execute(&mut *conn)
    .await?;
    Ok(())
}
