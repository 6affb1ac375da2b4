//! Weft's database: SQLite or PostgreSQL chosen by URL at run time, migrations for both, queries per
//! aggregate. It stores and fetches; it never decides who may do what.

pub mod bulk;
pub mod data_exports;
pub mod db;
pub mod deletion_requests;
mod dialect;
pub mod export;
pub mod groups;
pub mod guests;
pub mod ids;
pub mod inbound;
pub mod invitations;
pub mod jobs;
pub mod live;
pub mod notifications;
pub mod outbox;
pub mod policies;
pub mod polls;
pub mod rate_counters;
pub mod schema;
pub mod security_log;
pub mod sessions;
pub mod signing_keys;
pub mod support;
pub mod threads;
pub mod tokens;
pub mod unsubscribe;
pub mod usage;
pub mod users;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

pub use db::{Conn, Lease, Row, Tx, query};
pub use dialect::Backend;

use db::migrate::Migration;
use db::pool::{Opener, Pool, open_sqlite};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint refused the row (a duplicate email, username, token…).
    #[error("a row with the same unique value already exists")]
    Conflict,
    /// The database's disk is full: nothing was written. Retrying later can succeed.
    #[error("the database's storage is full")]
    Full,
    /// `fetch_one` found no row.
    #[error("no row where one was expected")]
    NotFound,
    #[error("database error: {0}")]
    Database(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("column {column}: {reason}")]
    Decode { column: String, reason: String },
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("no database connection became free in time")]
    Timeout,
    #[error("the database is closed")]
    Closed,
    #[error("unsupported database URL {0:?}: use sqlite://… or postgres://…")]
    UnsupportedUrl(String),
    #[error("not supported: {0}")]
    Unsupported(&'static str),
    /// A query the code built wrongly (a parameter without a value…).
    #[error("query error: {0}")]
    Usage(String),
}

impl From<weft_domain::UnknownStored> for StoreError {
    fn from(e: weft_domain::UnknownStored) -> Self {
        Self::Decode {
            column: e.kind.to_owned(),
            reason: e.to_string(),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Strips a password from a database URL before it goes anywhere near a log.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => format!("{}://…@{}", &url[..scheme_end], &url[at + 1..]),
        _ => url.to_owned(),
    }
}

#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Connections to PostgreSQL, or SQLite reader connections (SQLite always has one writer).
    pub max_connections: u32,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self { max_connections: 8 }
    }
}

/// The connections. On SQLite: one writer (so write transactions never fight over the lock) and
/// read-only readers (WAL lets them run beside the writer). On PostgreSQL both are one pool.
/// Cheap to clone.
#[derive(Clone)]
pub struct Store(Arc<Shared>);

struct Shared {
    backend: Backend,
    /// SQLite only: the one writer connection (`None` once closed).
    writer: Option<Arc<tokio::sync::Mutex<Option<Conn>>>>,
    /// SQLite readers, or every PostgreSQL connection.
    pool: Arc<Pool>,
    /// PostgreSQL only: where live-update listeners connect (`live::Listener`).
    listen: Option<tokio_postgres::Config>,
    /// Set when a write found the storage full; `storage_health` clears it once a probe write
    /// commits again.
    full: AtomicBool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.0.backend)
            .finish_non_exhaustive()
    }
}

/// What `Store::storage_health` found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageHealth {
    Ok,
    /// A write found the disk full and a probe write still cannot commit.
    Full,
}

/// The file behind a `sqlite://path?options` or `sqlite:path` URL.
fn sqlite_path(url: &str) -> PathBuf {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    PathBuf::from(rest.split('?').next().unwrap_or(rest))
}

impl Store {
    pub async fn connect(url: &str, options: &StoreOptions) -> Result<Self> {
        let backend = Backend::from_url(url)?;
        let shared = match backend {
            Backend::Sqlite => {
                let path = sqlite_path(url);
                let writer = open_sqlite(&path, false)?;
                Shared {
                    backend,
                    writer: Some(Arc::new(tokio::sync::Mutex::new(Some(Conn::sqlite(writer))))),
                    pool: Pool::new(Opener::SqliteReader(path), options.max_connections.max(1) as usize),
                    listen: None,
                    full: AtomicBool::new(false),
                }
            }
            Backend::Postgres => {
                let config: tokio_postgres::Config =
                    url.parse().map_err(|_| StoreError::UnsupportedUrl(redact_url(url)))?;
                let pool = Pool::new(
                    Opener::Postgres(Box::new(config.clone())),
                    options.max_connections.max(2) as usize,
                );
                // Fail at start, not at the first request, when the database is unreachable.
                drop(pool.acquire().await?);
                Shared {
                    backend,
                    writer: None,
                    pool,
                    listen: Some(config),
                    full: AtomicBool::new(false),
                }
            }
        };
        Ok(Self(Arc::new(shared)))
    }

    pub fn backend(&self) -> Backend {
        self.0.backend
    }

    /// Runs `work`, a store call known to keep SQLite busy for long (a backup, a personal-data
    /// export, a checkpoint), so that it does not stall the requests waiting on the same runtime
    /// worker. SQLite statements run on the task's own thread (ARCHITECTURE.md "The data layer"):
    /// on a multi-threaded runtime the worker first hands its other tasks to another thread.
    /// PostgreSQL's work happens in the database server, so there `work` is simply awaited.
    pub async fn heavy<F: std::future::Future>(&self, work: F) -> F::Output {
        use tokio::runtime::{Handle, RuntimeFlavor};
        let handle = Handle::current();
        if self.0.backend == Backend::Sqlite && handle.runtime_flavor() == RuntimeFlavor::MultiThread {
            tokio::task::block_in_place(move || handle.block_on(work))
        } else {
            work.await
        }
    }

    /// Runs the migrations of this backend that have not run yet.
    pub async fn migrate(&self) -> Result<()> {
        let mut conn = self.writer().await?;
        db::migrate::run(&mut conn, self.0.backend, &migrations(self.0.backend)).await
    }

    /// Runs the migrations up to and including `version` only: for tests that put data in the
    /// shape an older version left and check what a later migration makes of it.
    #[doc(hidden)]
    pub async fn migrate_until(&self, version: i64) -> Result<()> {
        let mut conn = self.writer().await?;
        let mut list = migrations(self.0.backend);
        list.retain(|m| m.version <= version);
        db::migrate::run(&mut conn, self.0.backend, &list).await
    }

    /// SQLite only: a consistent copy of the whole database into a new file, taken while the
    /// server keeps running (`VACUUM INTO`: one read transaction, compacted, WAL folded in).
    pub async fn backup_sqlite_into(&self, path: &std::path::Path) -> Result<()> {
        if self.0.backend != Backend::Sqlite {
            return Err(StoreError::Unsupported("backup_sqlite_into on PostgreSQL"));
        }
        let path = path
            .to_str()
            .ok_or(StoreError::Unsupported("a backup path that is not UTF-8"))?;
        let sql = format!("VACUUM INTO '{}'", path.replace('\'', "''"));
        // On the writer: readers are `query_only`, which refuses VACUUM even into another file.
        self.heavy(async { self.writer().await?.batch(&sql).await }).await
    }

    /// A write transaction (on SQLite, on the one writer).
    pub async fn begin(&self) -> Result<Tx> {
        Tx::begin(self.writer().await?).await
    }

    /// A read-only connection (on SQLite it refuses writes: `query_only`).
    pub async fn reader(&self) -> Result<Lease> {
        self.0.pool.acquire().await
    }

    /// A connection for a single write outside any transaction.
    pub async fn writer(&self) -> Result<Lease> {
        match &self.0.writer {
            Some(writer) => Lease::writer(writer.clone().lock_owned().await),
            None => self.0.pool.acquire().await,
        }
    }

    /// After an erasure has committed, makes sure the erased bytes are gone from the files too.
    /// SQLite (with `secure_delete`, so deleted cells are zeroed): checkpoints the WAL into the
    /// database file and truncates it, so the WAL's older frames, which still hold the rows as they
    /// were, are gone. PostgreSQL: vacuums `tables`, so dead row versions are pruned rather than
    /// kept for the next autovacuum (PRIVACY.md says what remains in PostgreSQL's WAL and backups).
    /// A checkpoint that cannot complete because a reader is busy is retried by the next scrub.
    pub async fn scrub(&self, tables: &[&str]) -> Result<()> {
        self.heavy(self.scrub_now(tables)).await
    }

    async fn scrub_now(&self, tables: &[&str]) -> Result<()> {
        let mut conn = self.writer().await?;
        match self.0.backend {
            Backend::Sqlite => {
                // TRUNCATE waits (through the busy handler) for readers to leave the WAL: under a
                // steady read load that is the whole busy timeout, with the writer held. A short
                // wait here, and the next scrub tries again if readers were still there.
                // A reader passing through (the mailer, the job queue) usually leaves within
                // moments: a few short tries before leaving it to the next scrub.
                conn.batch("PRAGMA busy_timeout = 100").await?;
                let mut busy = Ok(1);
                for attempt in 0..5 {
                    if attempt > 0 {
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    }
                    busy = query("PRAGMA wal_checkpoint(TRUNCATE)")
                        .fetch_scalar::<i64>(&mut conn)
                        .await;
                    if !matches!(busy, Ok(b) if b != 0) {
                        break;
                    }
                }
                conn.batch("PRAGMA busy_timeout = 5000").await?;
                if busy? != 0 {
                    tracing::debug!("WAL checkpoint after an erasure was blocked by a reader; the next scrub retries");
                }
            }
            Backend::Postgres => {
                // Names come from constants in the code; anything else is refused, not run.
                for table in tables
                    .iter()
                    .filter(|t| t.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
                {
                    conn.batch(&format!("VACUUM {table}")).await?;
                }
            }
        }
        Ok(())
    }

    pub async fn ping(&self) -> Result<()> {
        query("SELECT 1")
            .fetch_scalar::<i64>(&mut *self.reader().await?)
            .await?;
        Ok(())
    }

    /// Records that a write found the storage full, so `storage_health` reports it.
    pub fn note_full(&self) {
        self.0.full.store(true, Ordering::Relaxed);
    }

    /// `Ok` unless a write found the storage full and a probe still cannot commit. The probe
    /// writes 64 KiB that does not compress (more than any refused write needed, so space freed
    /// by a failed write does not fake a recovery), then empties its row again.
    pub async fn storage_health(&self, now: weft_domain::Timestamp) -> Result<StorageHealth> {
        if !self.0.full.load(Ordering::Relaxed) {
            return Ok(StorageHealth::Ok);
        }
        let payload: String = (0..64 * 1024 / 8).map(|_| weft_domain::random_key()).collect();
        let probe = async {
            let mut tx = self.begin().await?;
            query(
                "INSERT INTO storage_probes (id, payload, probed_at) VALUES (1, $1, $2) \
                 ON CONFLICT (id) DO UPDATE SET payload = excluded.payload, probed_at = excluded.probed_at",
            )
            .bind(payload)
            .bind(now.micros())
            .execute(&mut tx)
            .await?;
            tx.commit().await?;
            query("UPDATE storage_probes SET payload = '' WHERE id = 1")
                .execute(&mut *self.writer().await?)
                .await?;
            Ok::<_, StoreError>(())
        };
        match probe.await {
            Ok(()) => {
                self.0.full.store(false, Ordering::Relaxed);
                Ok(StorageHealth::Ok)
            }
            Err(StoreError::Full) => Ok(StorageHealth::Full),
            Err(other) => Err(other),
        }
    }

    /// A listener for live-update notifications from every instance on this database; `None` on
    /// SQLite, where the one process is the only instance.
    pub async fn listener(&self) -> Result<Option<live::Listener>> {
        match &self.0.listen {
            Some(config) => Ok(Some(live::Listener::connect(config.clone()).await?)),
            None => Ok(None),
        }
    }

    /// Closes every connection; later calls fail with `StoreError::Closed`.
    pub async fn close(&self) {
        self.0.pool.close();
        if let Some(writer) = &self.0.writer {
            writer.lock().await.take();
        }
    }
}

macro_rules! migrations {
    ($dir:literal: $($version:literal $name:literal),* $(,)?) => {
        vec![$(Migration {
            version: $version,
            description: $name,
            sql: include_str!(concat!("../../../migrations/", $dir, "/", $name, ".sql")),
        }),*]
    };
}

/// Both lists name the same migrations; `schema` tests prove they build the same tables.
fn migrations(backend: Backend) -> Vec<Migration> {
    match backend {
        Backend::Sqlite => {
            migrations!("sqlite": 1 "0001_accounts", 2 "0002_groups", 3 "0003_invitations", 4 "0004_threads", 5 "0005_reactions", 6 "0006_tags", 7 "0007_guests", 8 "0008_outbox_sender", 9 "0009_policies", 10 "0010_usage", 11 "0011_thread_volume", 12 "0012_privacy_centre", 13 "0013_thread_listing", 14 "0014_dashboard", 15 "0015_mail_queue", 16 "0016_hardening", 17 "0017_erasure", 18 "0018_rate_counters", 19 "0019_member_counts", 20 "0020_signing_keys", 21 "0021_jobs", 22 "0022_polls", 23 "0023_poll_invitations", 24 "0024_poll_reactions", 25 "0025_comments_about_events", 26 "0026_ranked_choice_and_quorum", 27 "0027_meeting_polls", 28 "0028_templates", 29 "0029_notifications", 30 "0030_mail_headers", 31 "0031_digests", 32 "0032_inbound", 33 "0033_email_threads", 34 "0034_poll_announcements", 35 "0035_undo_and_bio", 36 "0036_thread_list_newest")
        }
        Backend::Postgres => {
            migrations!("postgres": 1 "0001_accounts", 2 "0002_groups", 3 "0003_invitations", 4 "0004_threads", 5 "0005_reactions", 6 "0006_tags", 7 "0007_guests", 8 "0008_outbox_sender", 9 "0009_policies", 10 "0010_usage", 11 "0011_thread_volume", 12 "0012_privacy_centre", 13 "0013_thread_listing", 14 "0014_dashboard", 15 "0015_mail_queue", 16 "0016_hardening", 17 "0017_erasure", 18 "0018_rate_counters", 19 "0019_member_counts", 20 "0020_signing_keys", 21 "0021_jobs", 22 "0022_polls", 23 "0023_poll_invitations", 24 "0024_poll_reactions", 25 "0025_comments_about_events", 26 "0026_ranked_choice_and_quorum", 27 "0027_meeting_polls", 28 "0028_templates", 29 "0029_notifications", 30 "0030_mail_headers", 31 "0031_digests", 32 "0032_inbound", 33 "0033_email_threads", 34 "0034_poll_announcements", 35 "0035_undo_and_bio", 36 "0036_thread_list_newest")
        }
    }
}

/// `$first, $first+1, …`: `count` bound parameters, for `IN (…)`.
pub(crate) fn parameters(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `($1, $2, …), ($n+1, …)`: the VALUES of a multi-row insert with bound parameters, `columns`
/// per row. Keep `rows × columns` under SQLite's limit of 32 766 parameters.
pub(crate) fn value_rows(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|r| format!("({})", parameters(r * columns + 1, columns)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads an integer flag stored as 0/1 (portable across both backends).
pub(crate) fn flag(value: i64) -> bool {
    value != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_pick_backends_and_redact() {
        assert_eq!(Backend::from_url("sqlite://x.db").unwrap(), Backend::Sqlite);
        assert_eq!(Backend::from_url("postgres://u:p@h/db").unwrap(), Backend::Postgres);
        assert!(Backend::from_url("mysql://h/db").is_err());
        assert_eq!(redact_url("postgres://u:secret@h:5432/db"), "postgres://…@h:5432/db");
    }

    #[test]
    fn value_rows_number_parameters_row_by_row() {
        assert_eq!(value_rows(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(value_rows(1, 1), "($1)");
        assert_eq!(parameters(4, 2), "$4, $5");
    }

    /// A migration file that is not in the list is never applied (0014 once sat unapplied).
    #[test]
    fn every_migration_file_is_in_the_list() {
        for backend in [Backend::Sqlite, Backend::Postgres] {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../migrations")
                .join(backend.name());
            let mut files: Vec<String> = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".sql"))
                .collect();
            files.sort();
            let listed: Vec<String> = migrations(backend)
                .iter()
                .map(|m| format!("{}.sql", m.description))
                .collect();
            assert_eq!(files, listed, "{}", backend.name());
        }
    }
}
