//! The recurring `retention` job: one purge (P20) at a time across every instance, at start and
//! then every `retention.interval`.

use weft_domain::Timestamp;
use weft_store::jobs::{self, Job};

use super::Retention;
use crate::{App, AppError};

/// The one key of the retention job.
const KEY: &str = "retention";

impl App {
    /// Makes sure a purge is due at `at` at the latest (start-up calls it with now).
    pub(super) async fn schedule_retention(&self, at: Timestamp) -> Result<(), AppError> {
        self.schedule_job(&mut *self.store.writer().await?, KEY, &Retention {}, at)
            .await
    }

    /// Purges, then comes back after the interval.
    pub(super) async fn run_retention(&self, job: &Job) -> Result<(), AppError> {
        let purged = self.purge_expired().await?;
        tracing::debug!(?purged, "retention purge");
        let next = self.clock.now().plus(self.config.retention.interval);
        jobs::reschedule(&mut *self.store.writer().await?, job, next).await?;
        Ok(())
    }
}
