//! P8 for large accounts: the personal-data archive built in the background, with progress the
//! page shows, an email when it is ready, and a download link that works for its owner only and
//! expires (`retention.exports`). Small accounts download at once (`App::export_personal_data`).

use weft_domain::TokenHash;
pub use weft_store::data_exports::DataExport;
use weft_store::{data_exports, export};

use crate::jobs::{JobKind, PersonalExport};
use crate::{App, AppError, SessionUser};

/// How the personal-data page offers the download.
#[derive(Debug, Clone)]
pub enum ExportOffer {
    /// Small enough to build while the browser waits.
    Now,
    /// Built in the background; the latest job if there is one.
    Background(Option<DataExport>),
}

impl App {
    /// Whether this person's archive is built at once or in the background.
    pub async fn export_offer(&self, who: &SessionUser, items: usize) -> Result<ExportOffer, AppError> {
        if items <= self.config.export_inline_limit {
            return Ok(ExportOffer::Now);
        }
        let latest = data_exports::latest(&mut *self.store.reader().await?, who.user.id, self.clock.now()).await?;
        Ok(ExportOffer::Background(latest))
    }

    /// Queues a background export (or returns the one already under way).
    pub async fn request_export(&self, who: &SessionUser) -> Result<(), AppError> {
        let now = self.clock.now();
        let steps = i64::try_from(export::KINDS.len()).unwrap_or(0) + 1;
        let mut tx = self.store.begin().await?;
        let export_id = data_exports::request(
            &mut tx,
            who.user.id,
            steps,
            now,
            now.plus(self.config.retention.exports),
        )
        .await?;
        // Keyed by the export: asking again while it is under way adds no second job.
        self.schedule_job(
            &mut tx,
            &format!("export:{export_id}"),
            &PersonalExport { export_id },
            now,
        )
        .await?;
        tx.commit().await?;
        self.wake_jobs(JobKind::PersonalExport);
        Ok(())
    }

    /// The finished archive behind an emailed link, for its owner only.
    pub async fn download_export(&self, who: &SessionUser, token: &str) -> Result<Vec<u8>, AppError> {
        data_exports::archive(
            &mut *self.store.reader().await?,
            &TokenHash::of(token),
            who.user.id,
            self.clock.now(),
        )
        .await?
        .ok_or(AppError::InvalidToken)
    }
}
