//! Weft's use cases: each loads what it needs, checks the rules, changes the store and queues the
//! emails it causes in one transaction. The HTML pages and the JSON API both call these.

pub mod accounts;
pub mod clock;
pub mod config;
pub mod deletion_requests;
pub mod emails;
pub mod erasure;
pub mod error;
pub mod exports;
pub mod groups;
pub mod guests;
pub mod inbound;
pub mod invitations;
pub mod jobs;
pub mod live;
pub mod mailer;
pub mod notifications;
pub mod policies;
pub mod polls;
pub mod privacy;
pub mod rate_limits;
pub mod retention;
pub mod signed_links;
pub mod support;
pub mod threads;
pub mod usage;
mod zip;

use std::sync::Arc;

use tokio::sync::{Notify, Semaphore};
use weft_store::Store;

pub use accounts::{ClientInfo, LogInOutcome, NewSession, SessionInfo, SessionUser};
pub use clock::Clock;
pub use config::AppConfig;
pub use error::AppError;
pub use weft_store::tokens::Purpose as TokenPurpose;

/// Everything a use case needs; cheap to clone.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub config: Arc<AppConfig>,
    pub clock: Clock,
    /// Woken after a transaction that queued email commits, so mail leaves at once.
    pub mail_wakeup: Arc<Notify>,
    /// Wakes this instance's job runner lanes when a transaction added jobs (`jobs`).
    jobs: Arc<jobs::Wakeups>,
    /// Who watches which thread on this instance (live updates).
    pub live: Arc<live::LiveHub>,
    /// Aggregate usage counters not yet written (P2).
    pub usage: Arc<usage::UsageCounters>,
    /// Bounds concurrent argon2 work (19 MiB and ~tens of ms each) to the number of cores.
    hashing: Arc<Semaphore>,
    /// The signing keys of unsubscribe links, newest first (`signed_links.rs`).
    signing_keys: Arc<std::sync::RwLock<Vec<weft_store::signing_keys::StoredKey>>>,
}

impl App {
    pub fn new(store: Store, config: AppConfig, clock: Clock) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        Self {
            store,
            config: Arc::new(config),
            clock,
            mail_wakeup: Arc::new(Notify::new()),
            jobs: Arc::default(),
            live: Arc::new(live::LiveHub::default()),
            usage: Arc::new(usage::UsageCounters::default()),
            hashing: Arc::new(Semaphore::new(cores)),
            signing_keys: Arc::default(),
        }
    }

    /// Instance administration (`weft_domain::permissions::can_administer` decides).
    pub(crate) fn require_instance_admin(
        &self,
        who: &SessionUser,
        action: weft_domain::permissions::InstanceAction,
    ) -> Result<(), AppError> {
        groups::decide(weft_domain::permissions::can_administer(
            true,
            who.user.is_admin,
            action,
        ))
    }

    /// Runs CPU-heavy password work on the blocking pool, a few at a time.
    pub(crate) async fn hashing<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let _permit = self
            .hashing
            .acquire()
            .await
            .map_err(|_| AppError::internal("hashing pool closed"))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| AppError::internal(format!("hashing task failed: {e}")))
    }

    /// What `/healthz` reports: the database answers, and writes can commit (after a write found
    /// the storage full, a probe write must commit again).
    pub async fn health(&self) -> Health {
        if let Err(e) = self.store.ping().await {
            tracing::error!(error = %e, "health check: database unreachable");
            return Health::Unreachable;
        }
        match self.store.storage_health(self.clock.now()).await {
            Ok(weft_store::StorageHealth::Ok) => Health::Ok,
            Ok(weft_store::StorageHealth::Full) => Health::StorageFull,
            Err(e) => {
                tracing::error!(error = %e, "health check: a probe write failed");
                Health::Unreachable
            }
        }
    }

    /// A write was refused because the storage is full: `health` says so until writes commit again.
    pub fn note_storage_full(&self) {
        self.store.note_full();
    }
}

/// The instance's health as `/healthz` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    Ok,
    Unreachable,
    /// Writes are refused: the database's disk is full.
    StorageFull,
}
