//! P8 for large accounts: the personal-data archive built in the background, with progress the
//! page shows, an email when it is ready, and a download link that works for its owner only and
//! expires (`retention.exports`). Small accounts download at once (`App::export_personal_data`).

use std::time::Duration as StdDuration;

use tokio::sync::watch;
use weft_domain::{Duration, SecretToken, TokenHash};
use weft_mail::{Action as MailAction, EmailContent};
pub use weft_store::data_exports::DataExport;
use weft_store::{data_exports, export, users};

use crate::emails::Kind;
use crate::{App, AppError, SessionUser};

const LEASE: Duration = Duration::minutes(10);
const POLL: StdDuration = StdDuration::from_secs(30);

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
        data_exports::request(
            &mut *self.store.writer().await?,
            who.user.id,
            steps,
            now,
            now.plus(self.config.retention.exports),
        )
        .await?;
        self.export_wakeup.notify_one();
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

    /// Builds one claimed export, if any is waiting. True if it did some work.
    pub async fn build_next_export(&self) -> Result<bool, AppError> {
        let now = self.clock.now();
        let Some(job) = data_exports::claim(&mut *self.store.writer().await?, now, now.plus(LEASE)).await? else {
            return Ok(false);
        };
        let built = self
            .store
            .heavy(async {
                let rows = self.export_rows_of(job.user_id, Some(job.id)).await?;
                self.export_archive(&rows)
            })
            .await;
        let archive = match built {
            Ok(a) => a,
            Err(e) => {
                data_exports::fail(&mut *self.store.writer().await?, job.id).await?;
                return Err(e);
            }
        };
        let token = SecretToken::generate();
        let now = self.clock.now();
        let expires_at = now.plus(self.config.retention.exports);
        let mut tx = self.store.begin().await?;
        data_exports::finish(&mut tx, job.id, &archive, &token.hash(), now, expires_at).await?;
        if let Some(user) = users::find(&mut tx, job.user_id).await? {
            let content = EmailContent {
                subject: format!("Your data from {} is ready", self.config.instance_name),
                greeting_name: user.name.clone(),
                paragraphs: vec![format!(
                    "The archive of everything {} holds about you is ready ({} KiB). The link works for you, logged in, until {}.",
                    self.config.instance_name,
                    archive.len().div_ceil(1024),
                    expires_at.display_utc()
                )],
                action: Some(MailAction {
                    label: "Download my data".into(),
                    url: self.config.url(&format!("/profile/data/exports/{}", token.expose())),
                }),
                code: None,
                closing: vec!["If you did not ask for this, log in and change your password.".into()],
                footer_reason: "You asked for a copy of your data.".into(),
            };
            self.queue_email(&mut tx, &user, None, Kind::ExportReady, &content)
                .await?;
        }
        tx.commit().await?;
        self.wake_mailer();
        Ok(true)
    }

    /// Builds exports as they are asked for, until `shutdown`.
    pub async fn run_exports(self, mut shutdown: watch::Receiver<bool>) {
        loop {
            match self.build_next_export().await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) => tracing::error!(error = %e, "personal-data export failed"),
            }
            tokio::select! {
                () = self.export_wakeup.notified() => {}
                () = tokio::time::sleep(POLL) => {}
                _ = shutdown.changed() => return,
            }
        }
    }
}
