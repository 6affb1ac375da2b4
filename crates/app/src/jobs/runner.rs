//! The job runner: one loop per lane claims due jobs, hands them to their kind's handler, and
//! retries a failed job with backoff until it is kept as dead for the instance administrator.
//! Several instances run it on one PostgreSQL database: claims skip each other's rows, and a job
//! whose runner died is taken over when its lease runs out.

use std::time::Duration as StdDuration;

use tokio::sync::watch;
use weft_domain::{Duration, Timestamp};
use weft_store::jobs::{self, Counts, DeadJob, Job};

use super::{JobKind, Lane, Payload};
use crate::{App, AppError, SessionUser};

/// Jobs claimed per pass.
const BATCH: i64 = 100;
/// How long a claim holds before another runner may take the job over.
const LEASE: Duration = Duration::minutes(10);
/// Attempts before a job is kept as dead.
pub const MAX_ATTEMPTS: i64 = 8;
/// How long a wake-up waits for more jobs before taking the batch: many comments' follower
/// emails then share one transaction (one WAL flush), for a few milliseconds on an email.
const GATHER: StdDuration = StdDuration::from_millis(10);
/// The longest sleep: jobs added by other instances are found within this.
const POLL: StdDuration = StdDuration::from_secs(5);

/// Delay before attempt `n + 1`: 30 s, 1 min, 2 min, … capped at one hour.
pub fn backoff(attempts: i64) -> Duration {
    let exp = u32::try_from(attempts.clamp(1, 8) - 1).unwrap_or(0);
    Duration::seconds((30_i64 * 2_i64.pow(exp)).min(3_600))
}

/// A job's payload as its handler needs it, or why it cannot be read.
pub(crate) fn decode<P: Payload>(job: &Job) -> Result<P, AppError> {
    serde_json::from_str(&job.payload)
        .map_err(|e| AppError::internal(format!("unreadable {} payload: {e}", P::KIND.as_str())))
}

impl App {
    /// One pass of `lane`: claims a batch of due jobs and runs them. Returns how many it claimed.
    pub async fn run_due_jobs(&self, lane: Lane) -> Result<usize, AppError> {
        let now = self.clock.now();
        let claim = weft_domain::random_i64();
        let claimed = jobs::claim(
            &mut *self.store.writer().await?,
            self.store.backend(),
            &lane.kinds(),
            claim,
            now,
            now.plus(LEASE),
            BATCH,
        )
        .await?;
        let count = claimed.len();
        for kind in JobKind::ALL.into_iter().filter(|k| k.lane() == lane) {
            let (exhausted, batch): (Vec<Job>, Vec<Job>) = claimed
                .iter()
                .filter(|j| j.kind == kind.as_str())
                .cloned()
                .partition(|j| j.attempts > MAX_ATTEMPTS);
            // Claimed again and again by runners that died before finishing: stop there.
            for job in &exhausted {
                self.job_failed(
                    job,
                    &AppError::internal("its runner stopped before finishing, every attempt"),
                )
                .await;
            }
            if batch.is_empty() {
                continue;
            }
            match kind {
                JobKind::CommentFanout => self.run_fanouts(&batch).await,
                JobKind::ThreadFanout => {
                    for job in &batch {
                        if let Err(e) = self.run_thread_fanout(job).await {
                            self.job_failed(job, &e).await;
                        }
                    }
                }
                JobKind::PollClose => self.run_poll_closings(&batch).await,
                JobKind::CommentErasure => self.run_comment_erasures(&batch).await,
                JobKind::PollClosingSoon => {
                    for job in &batch {
                        if let Err(e) = self.run_closing_soon(job).await {
                            self.job_failed(job, &e).await;
                        }
                    }
                }
                JobKind::OutcomeReview => {
                    for job in &batch {
                        if let Err(e) = self.run_outcome_review(job).await {
                            self.job_failed(job, &e).await;
                        }
                    }
                }
                JobKind::PollOpened => {
                    for job in &batch {
                        if let Err(e) = self.run_poll_opened(job).await {
                            self.job_failed(job, &e).await;
                        }
                    }
                }
                JobKind::PersonalExport => {
                    for job in &batch {
                        if let Err(e) = self.run_export(job).await {
                            self.job_failed(job, &e).await;
                        }
                    }
                }
                JobKind::Digests => {
                    for job in &batch {
                        if let Err(e) = self.run_digests(job).await {
                            self.job_failed(job, &e).await;
                        }
                    }
                }
                JobKind::Retention => {
                    for job in &batch {
                        if let Err(e) = self.run_retention(job).await {
                            self.job_failed(job, &e).await;
                        }
                    }
                }
            }
        }
        Ok(count)
    }

    /// Records a failed attempt: again after a backoff, or dead after the last.
    pub(crate) async fn job_failed(&self, job: &Job, error: &AppError) {
        let now = self.clock.now();
        let retry_at: Option<Timestamp> = (job.attempts < MAX_ATTEMPTS).then(|| now.plus(backoff(job.attempts)));
        tracing::warn!(
            job_id = job.id.0,
            kind = %job.kind,
            attempts = job.attempts,
            dead = retry_at.is_none(),
            error = %error,
            "a background job failed"
        );
        let recorded = async {
            let mut conn = self.store.writer().await?;
            jobs::fail(&mut conn, job, &error.to_string(), retry_at, now).await
        }
        .await;
        if let Err(e) = recorded {
            // The lease runs out and the job comes back: nothing is lost.
            tracing::error!(job_id = job.id.0, error = %e, "recording a failed job failed");
        }
    }

    /// Runs `lane` until `shutdown`: at once when woken, when the next job is due, and at least
    /// every few seconds for jobs other instances added.
    pub async fn run_jobs(self, lane: Lane, mut shutdown: watch::Receiver<bool>) {
        if lane == Lane::Long
            && let Err(e) = self.schedule_retention(self.clock.now()).await
        {
            tracing::error!(error = %e, "scheduling the retention purge failed");
        }
        if lane == Lane::Long
            && let Err(e) = self.schedule_digests(self.clock.now()).await
        {
            tracing::error!(error = %e, "scheduling the digests failed");
        }
        loop {
            match self.run_due_jobs(lane).await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "a pass of the job runner failed"),
            }
            let sleep = self.until_next_job(lane).await;
            tokio::select! {
                () = self.jobs.of(lane).notified() => {
                    if lane == Lane::Quick {
                        tokio::time::sleep(GATHER).await;
                    }
                }
                () = tokio::time::sleep(sleep) => {}
                _ = shutdown.changed() => return,
            }
            if *shutdown.borrow() {
                return;
            }
        }
    }

    async fn until_next_job(&self, lane: Lane) -> StdDuration {
        let next = async { jobs::next_due(&mut *self.store.reader().await?, &lane.kinds()).await }.await;
        match next {
            Ok(Some(at)) => {
                let wait = at.micros().saturating_sub(self.clock.now().micros()).max(0);
                StdDuration::from_micros(u64::try_from(wait).unwrap_or(0)).min(POLL)
            }
            Ok(None) => POLL,
            Err(e) => {
                tracing::error!(error = %e, "reading when the next job is due failed");
                POLL
            }
        }
    }

    /// What the queue holds now.
    pub async fn job_counts(&self) -> Result<Counts, AppError> {
        Ok(jobs::counts(&mut *self.store.reader().await?, self.clock.now()).await?)
    }

    /// The dead jobs, for the instance administrator.
    pub async fn dead_jobs(&self, who: &SessionUser) -> Result<Vec<DeadJob>, AppError> {
        self.require_instance_admin(who, weft_domain::permissions::InstanceAction::ManageJobs)?;
        Ok(jobs::dead(&mut *self.store.reader().await?, 200).await?)
    }

    /// An administrator gives a dead job a new round of attempts.
    pub async fn retry_job(&self, who: &SessionUser, id: weft_store::jobs::JobId) -> Result<(), AppError> {
        self.require_instance_admin(who, weft_domain::permissions::InstanceAction::ManageJobs)?;
        if !jobs::retry(&mut *self.store.writer().await?, id, self.clock.now()).await? {
            return Err(AppError::NotFound);
        }
        self.wake_all_jobs();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::minutes(1));
        assert_eq!(backoff(3), Duration::minutes(2));
        assert_eq!(backoff(8), Duration::hours(1));
        assert_eq!(backoff(50), Duration::hours(1));
    }

    /// `ALL` lists every kind: a kind missing from it would never be claimed by any lane.
    #[test]
    fn every_kind_is_in_all() {
        let listed = |k: JobKind| JobKind::ALL.contains(&k);
        // An exhaustive match: a new kind does not compile until it is listed here, and then
        // fails here until it is in `ALL`.
        for k in JobKind::ALL {
            match k {
                JobKind::CommentFanout
                | JobKind::PersonalExport
                | JobKind::Retention
                | JobKind::PollClose
                | JobKind::PollClosingSoon
                | JobKind::OutcomeReview
                | JobKind::PollOpened
                | JobKind::ThreadFanout
                | JobKind::Digests
                | JobKind::CommentErasure => {}
            }
        }
        for k in [
            JobKind::CommentFanout,
            JobKind::PersonalExport,
            JobKind::Retention,
            JobKind::PollClose,
            JobKind::PollClosingSoon,
            JobKind::OutcomeReview,
            JobKind::PollOpened,
            JobKind::ThreadFanout,
            JobKind::Digests,
            JobKind::CommentErasure,
        ] {
            assert!(listed(k), "{k:?} is not in JobKind::ALL");
        }
    }

    #[test]
    fn every_kind_has_a_lane_and_reads_back() {
        for kind in JobKind::ALL {
            assert_eq!(JobKind::from_stored(kind.as_str()), Ok(kind));
            assert!(kind.lane().kinds().contains(&kind.as_str()));
        }
        assert!(JobKind::from_stored("poll_close_v9").is_err());
    }
}
