//! The `jobs` table: one durable queue for the background work of every feature. A job is a kind,
//! a payload of ids (JSON, never personal data) and the time it is due. Runners claim due jobs with
//! a random claim number and a lease; the work that a job does in the database commits together
//! with the job's completion (`complete` fails when the claim is no longer ours), so a job's
//! effects happen once even when a lease runs out and another instance takes the job over.

use weft_domain::Timestamp;

pub use crate::ids::JobId;
use crate::{Backend, Conn, Result, Row, query};

/// A job as a runner sees it after claiming it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: JobId,
    pub kind: String,
    pub payload: String,
    /// Attempts so far, this one included.
    pub attempts: i64,
    /// The claim this runner holds; completing with another claim does nothing.
    pub claim: i64,
}

/// A job kept after its last attempt failed, for the instance administrator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadJob {
    pub id: JobId,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub failed_at: Timestamp,
}

/// What the queue holds: due now, and dead.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub due: i64,
    pub dead: i64,
}

/// Adds a job due at `run_at`.
pub async fn enqueue(conn: &mut Conn, kind: &str, payload: &str, run_at: Timestamp, now: Timestamp) -> Result<()> {
    query("INSERT INTO jobs (kind, payload, run_at, created_at) VALUES ($1, $2, $3, $4)")
        .bind(kind)
        .bind(payload)
        .bind(run_at.micros())
        .bind(now.micros())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Makes sure the one job under `key` is due at `run_at` at the latest: adds it, or brings an
/// existing one forward (never later), and revives it if it was dead. Safe to call from every
/// instance at once.
pub async fn schedule(
    conn: &mut Conn,
    kind: &str,
    key: &str,
    payload: &str,
    run_at: Timestamp,
    now: Timestamp,
) -> Result<()> {
    query(
        "INSERT INTO jobs (kind, payload, unique_key, run_at, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (unique_key) DO UPDATE SET \
         run_at = CASE WHEN jobs.state = 'dead' OR excluded.run_at < jobs.run_at THEN excluded.run_at ELSE jobs.run_at END, \
         attempts = CASE WHEN jobs.state = 'dead' THEN 0 ELSE jobs.attempts END, \
         state = 'pending'",
    )
    .bind(kind)
    .bind(payload)
    .bind(key)
    .bind(run_at.micros())
    .bind(now.micros())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn job_from_row(r: &Row<'_>) -> Result<Job> {
    Ok(Job {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        payload: r.try_get("payload")?,
        attempts: r.try_get("attempts")?,
        claim: r.try_get("claim")?,
    })
}

/// Claims up to `limit` due jobs of `kinds` (oldest due first) until `lease_until`. A job whose
/// lease ran out (its runner died) is due again. Other instances' claims are skipped, not waited for.
pub async fn claim(
    conn: &mut Conn,
    backend: Backend,
    kinds: &[&str],
    claim: i64,
    now: Timestamp,
    lease_until: Timestamp,
    limit: i64,
) -> Result<Vec<Job>> {
    let sql = format!(
        "UPDATE jobs SET claim = $1, locked_until = $2, attempts = attempts + 1 WHERE id IN (\
         SELECT id FROM jobs WHERE state = 'pending' AND run_at <= $3 \
         AND (locked_until IS NULL OR locked_until < $3) AND kind IN ({}) \
         ORDER BY run_at, id LIMIT $4 {}) \
         AND state = 'pending' AND (locked_until IS NULL OR locked_until < $3) \
         RETURNING id, kind, payload, attempts, claim",
        crate::parameters(5, kinds.len()),
        backend.skip_locked()
    );
    // Planned on every run: a queue swings from empty to thousands of rows faster than statistics
    // follow (see `outbox::claim_due`).
    let mut q = query(sql)
        .persistent(false)
        .bind(claim)
        .bind(lease_until.micros())
        .bind(now.micros())
        .bind(limit);
    for kind in kinds {
        q = q.bind(*kind);
    }
    let mut jobs = q.fetch_all(&mut *conn, job_from_row).await?;
    jobs.sort_by_key(|j| j.id);
    Ok(jobs)
}

/// Done: the jobs go, if they are still held by their claims (one statement per claim and
/// thousand jobs: a pass claims its batch under one claim). Returns how many were; fewer than
/// `jobs.len()` means another runner took some over, and the caller must roll back.
pub async fn complete(conn: &mut Conn, jobs: &[Job]) -> Result<usize> {
    let mut by_claim: std::collections::BTreeMap<i64, Vec<JobId>> = std::collections::BTreeMap::new();
    for job in jobs {
        by_claim.entry(job.claim).or_default().push(job.id);
    }
    let mut done = 0;
    for (claim, ids) in by_claim {
        for chunk in ids.chunks(1_000) {
            let sql = format!(
                "DELETE FROM jobs WHERE claim = $1 AND id IN ({})",
                crate::parameters(2, chunk.len())
            );
            let mut q = query(sql).bind(claim);
            for id in chunk {
                q = q.bind(*id);
            }
            done += usize::try_from(q.execute(&mut *conn).await?.rows_affected()).unwrap_or(0);
        }
    }
    Ok(done)
}

/// Done for now: a recurring job comes back at `run_at`, its attempts reset. False if the claim
/// was lost.
pub async fn reschedule(conn: &mut Conn, job: &Job, run_at: Timestamp) -> Result<bool> {
    let n = query(
        "UPDATE jobs SET run_at = $1, attempts = 0, claim = NULL, locked_until = NULL, last_error = NULL \
         WHERE id = $2 AND claim = $3",
    )
    .bind(run_at.micros())
    .bind(job.id)
    .bind(job.claim)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// The attempt failed: try again at `retry_at`, or keep the job as dead when there is none.
pub async fn fail(conn: &mut Conn, job: &Job, error: &str, retry_at: Option<Timestamp>, now: Timestamp) -> Result<()> {
    let error: String = error.chars().take(500).collect();
    query(
        "UPDATE jobs SET state = $1, run_at = $2, claim = NULL, locked_until = NULL, last_error = $3 \
         WHERE id = $4 AND claim = $5",
    )
    .bind(if retry_at.is_some() { "pending" } else { "dead" })
    .bind(retry_at.unwrap_or(now).micros())
    .bind(error)
    .bind(job.id)
    .bind(job.claim)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// When the next pending job is due (a runner sleeps until then).
pub async fn next_due(conn: &mut Conn, kinds: &[&str]) -> Result<Option<Timestamp>> {
    let sql = format!(
        "SELECT MIN(CASE WHEN locked_until IS NOT NULL AND locked_until > run_at THEN locked_until ELSE run_at END) \
         AS at FROM jobs WHERE state = 'pending' AND kind IN ({})",
        crate::parameters(1, kinds.len())
    );
    let mut q = query(sql);
    for kind in kinds {
        q = q.bind(*kind);
    }
    let at: Option<i64> = q.fetch_one(&mut *conn, |r| r.try_get("at")).await?;
    Ok(at.map(Timestamp))
}

/// How many jobs are due at `now`, and how many are dead.
pub async fn counts(conn: &mut Conn, now: Timestamp) -> Result<Counts> {
    let counts = query(
        "SELECT \
         COUNT(CASE WHEN state = 'pending' AND run_at <= $1 THEN 1 END) AS due, \
         COUNT(CASE WHEN state = 'dead' THEN 1 END) AS dead FROM jobs",
    )
    .bind(now.micros())
    .fetch_one(&mut *conn, |r| {
        Ok(Counts {
            due: r.try_get("due")?,
            dead: r.try_get("dead")?,
        })
    })
    .await?;
    Ok(counts)
}

/// How many jobs of `kind` are pending (due or not).
pub async fn pending_of(conn: &mut Conn, kind: &str) -> Result<i64> {
    let n = query("SELECT COUNT(*) FROM jobs WHERE state = 'pending' AND kind = $1")
        .bind(kind)
        .fetch_scalar(&mut *conn)
        .await?;
    Ok(n)
}

/// The dead jobs, newest first.
pub async fn dead(conn: &mut Conn, limit: i64) -> Result<Vec<DeadJob>> {
    let rows = query(
        "SELECT id, kind, payload, attempts, last_error, created_at, run_at FROM jobs WHERE state = 'dead' \
         ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(&mut *conn, |r| {
        Ok(DeadJob {
            id: r.try_get("id")?,
            kind: r.try_get("kind")?,
            payload: r.try_get("payload")?,
            attempts: r.try_get("attempts")?,
            last_error: r.try_get("last_error")?,
            created_at: Timestamp(r.try_get("created_at")?),
            failed_at: Timestamp(r.try_get("run_at")?),
        })
    })
    .await?;
    Ok(rows)
}

/// A dead job gets a new round of attempts, due at once. False if there is no such dead job.
pub async fn retry(conn: &mut Conn, id: JobId, now: Timestamp) -> Result<bool> {
    let n = query("UPDATE jobs SET state = 'pending', attempts = 0, run_at = $1 WHERE id = $2 AND state = 'dead'")
        .bind(now.micros())
        .bind(id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    Ok(n == 1)
}

/// Drops the job under `key` (a deleted poll's closing). A runner holding it finds its claim
/// gone when it completes, and does nothing.
pub async fn unschedule(conn: &mut Conn, key: &str) -> Result<()> {
    query("DELETE FROM jobs WHERE unique_key = $1")
        .bind(key)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
