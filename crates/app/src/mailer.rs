//! The outbox worker: claims due emails, hands them to the transport, retries with backoff, and
//! parks an email as `dead` after the last attempt so the operator can see it.

use std::time::Duration as StdDuration;

use tokio::sync::watch;
use weft_domain::{Duration, Timestamp};
use weft_mail::{Outgoing, Transport};
use weft_store::outbox;

use crate::App;

const BATCH: i64 = 50;
const MAX_ATTEMPTS: i64 = 8;
const LEASE: Duration = Duration::minutes(5);
/// Polling interval as a fallback for wake-ups from other instances.
const POLL: StdDuration = StdDuration::from_secs(5);

pub use crate::jobs::runner::backoff;
pub use weft_store::outbox::DeadEmail;

pub struct Mailer {
    pub app: App,
    pub transport: Transport,
    pub from: lettre::message::Mailbox,
    pub message_domain: String,
}

impl Mailer {
    pub fn new(app: App, transport: Transport) -> Result<Self, String> {
        let from: lettre::message::Mailbox = app
            .config
            .mail_from
            .parse()
            .map_err(|e| format!("WEFT_MAIL_FROM {:?} is not a valid address: {e}", app.config.mail_from))?;
        let message_domain = from.email.domain().to_owned();
        Ok(Self {
            app,
            transport,
            from,
            message_domain,
        })
    }

    /// Runs until `shutdown` turns true.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        loop {
            match self.deliver_due().await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "outbox delivery pass failed"),
            }
            tokio::select! {
                () = self.app.mail_wakeup.notified() => {}
                () = tokio::time::sleep(POLL) => {}
                _ = shutdown.changed() => return,
            }
            if *shutdown.borrow() {
                return;
            }
        }
    }

    /// One pass: claims a batch of due emails and tries each. Returns how many it claimed.
    pub async fn deliver_due(&self) -> Result<usize, crate::AppError> {
        let now = self.app.clock.now();
        let backend = self.app.store.backend();
        let (claimed, claimed_count) = {
            let mut tx = self.app.store.begin().await?;
            let mut claimed = outbox::claim_due(&mut tx, backend, now, now.plus(LEASE), BATCH).await?;
            let ids: Vec<i64> = claimed.iter().map(|e| e.id).collect();
            let cancelled = outbox::cancel_for_inactive_accounts(&mut tx, &ids).await?;
            tx.commit().await?;
            claimed.retain(|e| !cancelled.contains(&e.id));
            (claimed, ids.len())
        };
        // Each outcome is written as soon as the server answered, before the next email: a
        // process killed mid-batch sends again at most the one email it was handing over (its
        // lease runs out), never the ones already delivered. The Message-ID stays the same, so
        // even that one is recognisable as a repeat by the receiving side.
        let mut erased_meanwhile = Vec::new();
        let mut receipts_deleted = false;
        for email in &claimed {
            let outgoing = Outgoing {
                id: email.id,
                to: &email.to_address,
                subject: &email.subject,
                text: &email.body_text,
                html: &email.body_html,
                unsubscribe_url: &email.unsubscribe_url,
                from_name: email.from_name.as_deref(),
                thread_id: email.thread_id.map(|t| t.0),
                reply_to: email.reply_to.as_deref(),
            };
            let outcome = self.transport.send(&self.from, &self.message_domain, &outgoing).await;
            let mut tx = self.app.store.begin().await?;
            match outcome {
                Ok(()) => {
                    tracing::info!(email_id = email.id, kind = %email.kind, "email sent");
                    let delivered = outbox::mark_sent(&mut tx, &[email.id], self.app.clock.now()).await?;
                    erased_meanwhile.extend(delivered.erased_meanwhile);
                    receipts_deleted |= delivered.receipts_deleted;
                }
                Err(error) => {
                    let retry_at: Option<Timestamp> =
                        (email.attempts < MAX_ATTEMPTS).then(|| self.app.clock.now().plus(backoff(email.attempts)));
                    // The error text from SMTP may quote the address: keep it out of the log line.
                    tracing::warn!(
                        email_id = email.id,
                        attempts = email.attempts,
                        dead = retry_at.is_none(),
                        "email delivery failed"
                    );
                    outbox::mark_failed(&mut tx, email.id, &error.to_string(), retry_at).await?;
                }
            }
            tx.commit().await?;
        }
        // An email erased while it was being delivered leaves no copy in the outbox folder; a
        // delivered deletion receipt took the address with its row, so the files are scrubbed.
        if !erased_meanwhile.is_empty() || receipts_deleted {
            self.app.after_erasure(&erased_meanwhile, &["outbox_emails"]).await;
        }
        Ok(claimed_count)
    }
}

impl App {
    /// The emails that failed at every attempt, for the instance administrator.
    pub async fn dead_emails(&self, who: &crate::SessionUser) -> Result<Vec<outbox::DeadEmail>, crate::AppError> {
        self.require_instance_admin(who, weft_domain::permissions::InstanceAction::ManageEmails)?;
        Ok(outbox::dead(&mut *self.store.reader().await?, 200).await?)
    }

    /// An administrator sends a dead email again (`Some(id)`) or every dead email (`None`), once
    /// the cause is fixed (a relay's password, a full mailbox). Not found: no such dead email, or
    /// the retention purge already took its body.
    pub async fn retry_emails(&self, who: &crate::SessionUser, id: Option<i64>) -> Result<u64, crate::AppError> {
        self.require_instance_admin(who, weft_domain::permissions::InstanceAction::ManageEmails)?;
        let n = outbox::retry_dead(&mut *self.store.writer().await?, id, self.clock.now()).await?;
        if id.is_some() && n == 0 {
            return Err(crate::AppError::NotFound);
        }
        self.mail_wakeup.notify_one();
        Ok(n)
    }
}
