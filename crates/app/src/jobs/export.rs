//! P8 for large accounts: the job that builds a requested personal-data archive, stores it with
//! the hash of its download token, and emails its owner the link (`exports.rs` has the requests).

use weft_domain::SecretToken;
use weft_mail::Line;
use weft_mail::wording::{ExportReady, Wording};
use weft_store::jobs::{self, Job};
use weft_store::{data_exports, users};

use super::PersonalExport;
use super::runner::decode;
use crate::emails::Kind;
use crate::{App, AppError};

impl App {
    /// Builds the export behind `job`. An archive that cannot be built is marked failed (its
    /// owner sees so and may ask again) rather than retried.
    pub(super) async fn run_export(&self, job: &Job) -> Result<(), AppError> {
        let PersonalExport { export_id } = decode(job)?;
        let Some(export) = data_exports::start(&mut *self.store.writer().await?, export_id).await? else {
            // Expired or its account deleted meanwhile: nothing to build.
            jobs::complete(&mut *self.store.writer().await?, std::slice::from_ref(job)).await?;
            return Ok(());
        };
        let built = self
            .store
            .heavy(async {
                let rows = self.export_rows_of(export.user_id, Some(export.id)).await?;
                self.export_archive(&rows)
            })
            .await;
        let archive = match built {
            Ok(a) => a,
            Err(e) => {
                tracing::error!(export_id, error = %e, "building a personal-data export failed");
                let mut tx = self.store.begin().await?;
                data_exports::fail(&mut tx, export.id).await?;
                jobs::complete(&mut tx, std::slice::from_ref(job)).await?;
                tx.commit().await?;
                return Ok(());
            }
        };
        let token = SecretToken::generate();
        let now = self.clock.now();
        let expires_at = now.plus(self.config.retention.exports);
        let mut tx = self.store.begin().await?;
        if jobs::complete(&mut tx, std::slice::from_ref(job)).await? != 1 {
            return Err(AppError::internal("the claim on this export was lost"));
        }
        data_exports::finish(&mut tx, export.id, &archive, &token.hash(), now, expires_at).await?;
        if let Some(user) = users::find(&mut tx, export.user_id).await? {
            let content = ExportReady {
                instance: Line::new(&self.config.instance_name),
                name: Line::new(&user.name),
                kib: archive.len().div_ceil(1024),
                expires: Line::new(crate::emails::their_time(&user, expires_at)),
                link: Line::new(self.config.url(&format!("/profile/data/exports/{}", token.expose()))),
            }
            .content();
            self.queue_email(&mut tx, &user, None, Kind::ExportReady, &content)
                .await?;
        }
        tx.commit().await?;
        self.wake_mailer();
        Ok(())
    }
}
