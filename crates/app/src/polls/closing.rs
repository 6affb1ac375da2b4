//! Closing on time: one job per poll (`poll-close:{id}`), scheduled when the poll is raised,
//! extended or reopened. It runs once across instances (the queue's claim), also after a
//! restart (a job due while the server was down runs at start), and it closes the poll only when
//! its closing time has really come: a poll extended meanwhile gets its job again for the new time.

use weft_store::jobs::{self, Job};
use weft_store::polls::{self, EventKind, EventRefs, PollId};

use crate::jobs::PollClose;
use crate::jobs::runner::decode;
use crate::live::{LiveEvent, LiveKind};
use crate::{App, AppError};

pub(crate) fn close_key(id: PollId) -> String {
    format!("poll-close:{id}")
}

impl App {
    /// Runs a batch of closing jobs, each in its own transaction.
    pub(crate) async fn run_poll_closings(&self, batch: &[Job]) {
        for job in batch {
            if let Err(e) = self.run_poll_closing(job).await {
                self.job_failed(job, &e).await;
            }
        }
    }

    async fn run_poll_closing(&self, job: &Job) -> Result<(), AppError> {
        let PollClose { poll_id } = decode(job)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let Some(poll) = polls::lock(&mut tx, self.store.backend(), poll_id).await? else {
            jobs::complete(&mut tx, std::slice::from_ref(job)).await?;
            tx.commit().await?;
            return Ok(());
        };
        if jobs::complete(&mut tx, std::slice::from_ref(job)).await? != 1 {
            // Another runner took this job over after our lease ran out: it does the work.
            return Ok(());
        }
        if poll.closed_at.is_some() {
            tx.commit().await?;
            return Ok(());
        }
        if poll.closing_at > now {
            // Extended since the job was scheduled: wait for the new time.
            self.schedule_job(&mut tx, &close_key(poll.id), &PollClose { poll_id }, poll.closing_at)
                .await?;
            tx.commit().await?;
            return Ok(());
        }
        // Closed at the closing time itself, however late the job ran.
        polls::close(&mut tx, &poll, poll.closing_at).await?;
        let (_, seq) = polls::record_event(
            &mut tx,
            poll.thread_id,
            Some(poll.id),
            EventKind::PollClosed,
            None,
            EventRefs::default(),
            now,
        )
        .await?;
        tx.commit().await?;
        if let Some(thread_id) = poll.thread_id {
            self.publish(LiveEvent {
                thread_id,
                kind: LiveKind::Thread,
                seq: seq.unwrap_or(0),
            })
            .await;
        }
        Ok(())
    }
}
