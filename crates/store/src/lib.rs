//! Weft's database: SQLite or PostgreSQL chosen by URL at run time, migrations for both, queries per
//! aggregate. It stores and fetches; it never decides who may do what.

pub mod bulk;
pub mod data_exports;
pub mod deletion_requests;
pub mod export;
pub mod fanouts;
pub mod groups;
pub mod guests;
pub mod invitations;
pub mod live;
pub mod outbox;
pub mod policies;
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

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AnyPool, Executor, SqlSafeStr};

pub use sqlx::AnyConnection as Conn;

/// A transaction on the writer. Dropping it without `commit` rolls back: nothing half-written remains.
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique constraint refused the row (a duplicate email, username, token…).
    #[error("a row with the same unique value already exists")]
    Conflict,
    /// The database's disk is full: nothing was written. Retrying later can succeed.
    #[error("the database's storage is full")]
    Full,
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(#[source] sqlx::migrate::MigrateError),
    #[error("unsupported database URL {0:?}: use sqlite://… or postgres://…")]
    UnsupportedUrl(String),
    #[error("not supported: {0}")]
    Unsupported(&'static str),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::Database(db) if db.is_unique_violation() => Self::Conflict,
            // SQLITE_FULL (13); PostgreSQL's disk_full (53100).
            sqlx::Error::Database(db) if matches!(db.code().as_deref(), Some("13" | "53100")) => Self::Full,
            _ => Self::Database(error),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which SQL dialect is behind the pool. Backend-specific SQL lives only behind this seam.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(redact_url(url)))
        }
    }

    /// Row locking for job queues: PostgreSQL skips rows another instance holds; SQLite has one
    /// writer, so there is nothing to skip.
    pub fn skip_locked(self) -> &'static str {
        match self {
            Self::Sqlite => "",
            Self::Postgres => "FOR UPDATE SKIP LOCKED",
        }
    }

    /// Row lock for read-check-write sequences; SQLite's single writer already serialises them.
    pub fn for_update(self) -> &'static str {
        match self {
            Self::Sqlite => "",
            Self::Postgres => "FOR UPDATE",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

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

/// The connection pools. On SQLite: one writer connection (so write transactions never fight over
/// the lock) and read-only readers (WAL lets them run beside the writer). On PostgreSQL both are one pool.
#[derive(Debug, Clone)]
pub struct Store {
    write: AnyPool,
    read: AnyPool,
    backend: Backend,
    /// PostgreSQL only: where live-update listeners connect (`live::Listener`).
    listen_url: Option<RedactedUrl>,
    /// Set when a write found the storage full; `storage_health` clears it once a probe write
    /// commits again.
    full: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

/// What `Store::storage_health` found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageHealth {
    Ok,
    /// A write found the disk full and a probe write still cannot commit.
    Full,
}

/// A database URL that never prints its password.
#[derive(Clone)]
struct RedactedUrl(String);

impl std::fmt::Debug for RedactedUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&redact_url(&self.0))
    }
}

impl Store {
    pub async fn connect(url: &str, options: &StoreOptions) -> Result<Self> {
        install_default_drivers();
        let backend = Backend::from_url(url)?;
        match backend {
            Backend::Sqlite => {
                let url = sqlite_url_with_create(url);
                let write = sqlite_pool(1, false).connect(&url).await?;
                let read = sqlite_pool(options.max_connections.max(1), true).connect(&url).await?;
                Ok(Self {
                    write,
                    read,
                    backend,
                    listen_url: None,
                    full: std::sync::Arc::default(),
                })
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(options.max_connections.max(2))
                    .acquire_timeout(Duration::from_secs(10))
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            // Every statement is prepared once per connection and its plan kept:
                            // ours are index lookups whose best plan does not depend on the
                            // values, and re-planning each execution cost more than running it
                            // (dashboard 406 → 694 pages/s, group page 450 → 686; PERFORMANCE.md).
                            conn.execute("SET plan_cache_mode = force_generic_plan").await?;
                            Ok(())
                        })
                    })
                    .connect(url)
                    .await?;
                Ok(Self {
                    write: pool.clone(),
                    read: pool,
                    backend,
                    listen_url: Some(RedactedUrl(url.to_owned())),
                    full: std::sync::Arc::default(),
                })
            }
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Runs the migrations of this backend that have not run yet.
    pub async fn migrate(&self) -> Result<()> {
        migrator(self.backend)
            .run(&self.write)
            .await
            .map_err(StoreError::Migration)
    }

    /// SQLite only: a consistent copy of the whole database into a new file, taken while the
    /// server keeps running (`VACUUM INTO`: one read transaction, compacted, WAL folded in).
    pub async fn backup_sqlite_into(&self, path: &std::path::Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Unsupported("backup_sqlite_into on PostgreSQL"));
        }
        let path = path
            .to_str()
            .ok_or(StoreError::Unsupported("a backup path that is not UTF-8"))?;
        let sql = format!("VACUUM INTO '{}'", path.replace('\'', "''"));
        // On the writer: readers are `query_only`, which refuses VACUUM even into another file.
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&self.write).await?;
        Ok(())
    }

    pub async fn begin(&self) -> Result<Tx> {
        Ok(self.write.begin().await?)
    }

    /// A read-only connection (on SQLite it refuses writes: `query_only`).
    pub async fn reader(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>> {
        Ok(self.read.acquire().await?)
    }

    /// A connection for a single write outside any transaction.
    pub async fn writer(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>> {
        Ok(self.write.acquire().await?)
    }

    /// After an erasure has committed, makes sure the erased bytes are gone from the files too.
    /// SQLite (with `secure_delete`, so deleted cells are zeroed): checkpoints the WAL into the
    /// database file and truncates it, so the WAL's older frames, which still hold the rows as they
    /// were, are gone. PostgreSQL: vacuums `tables`, so dead row versions are pruned rather than
    /// kept for the next autovacuum (PRIVACY.md says what remains in PostgreSQL's WAL and backups).
    /// A checkpoint that cannot complete because a reader is busy is retried by the next scrub.
    pub async fn scrub(&self, tables: &[&str]) -> Result<()> {
        let mut conn = self.writer().await?;
        match self.backend {
            Backend::Sqlite => {
                // TRUNCATE waits (through the busy handler) for readers to leave the WAL: under a
                // steady read load that is the whole busy timeout, with the writer held. A short
                // wait here, and the next scrub tries again if readers were still there.
                conn.execute("PRAGMA busy_timeout = 100").await?;
                let row = conn.fetch_one("PRAGMA wal_checkpoint(TRUNCATE)").await;
                conn.execute("PRAGMA busy_timeout = 5000").await?;
                let row = row?;
                let busy: i64 = sqlx::Row::try_get(&row, 0)?;
                if busy != 0 {
                    tracing::debug!("WAL checkpoint after an erasure was blocked by a reader; the next scrub retries");
                }
            }
            Backend::Postgres => {
                // Names come from constants in the code; anything else is refused, not run.
                for table in tables
                    .iter()
                    .filter(|t| t.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
                {
                    conn.execute(sqlx::AssertSqlSafe(format!("VACUUM {table}"))).await?;
                }
            }
        }
        Ok(())
    }

    pub async fn ping(&self) -> Result<()> {
        self.reader().await?.execute("SELECT 1").await?;
        Ok(())
    }

    /// Records that a write found the storage full, so `storage_health` reports it.
    pub fn note_full(&self) {
        self.full.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// `Ok` unless a write found the storage full and a probe still cannot commit. The probe
    /// writes 64 KiB that does not compress (more than any refused write needed, so space freed
    /// by a failed write does not fake a recovery), then empties its row again.
    pub async fn storage_health(&self, now: weft_domain::Timestamp) -> Result<StorageHealth> {
        use std::sync::atomic::Ordering;
        if !self.full.load(Ordering::Relaxed) {
            return Ok(StorageHealth::Ok);
        }
        let payload: String = (0..64 * 1024 / 8).map(|_| weft_domain::random_key()).collect();
        let probe = async {
            let mut tx = self.begin().await?;
            sqlx::query(
                "INSERT INTO storage_probes (id, payload, probed_at) VALUES (1, $1, $2) \
                 ON CONFLICT (id) DO UPDATE SET payload = excluded.payload, probed_at = excluded.probed_at",
            )
            .bind(payload)
            .bind(now.micros())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            sqlx::query("UPDATE storage_probes SET payload = '' WHERE id = 1")
                .execute(&mut *self.writer().await?)
                .await?;
            Ok::<_, StoreError>(())
        };
        match probe.await {
            Ok(()) => {
                self.full.store(false, Ordering::Relaxed);
                Ok(StorageHealth::Ok)
            }
            Err(StoreError::Full) => Ok(StorageHealth::Full),
            Err(other) => Err(other),
        }
    }

    /// A listener for live-update notifications from every instance on this database; `None` on
    /// SQLite, where the one process is the only instance.
    pub async fn listener(&self) -> Result<Option<live::Listener>> {
        match &self.listen_url {
            Some(url) => Ok(Some(live::Listener::connect(&url.0).await?)),
            None => Ok(None),
        }
    }

    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }
}

fn sqlite_url_with_create(url: &str) -> String {
    if url.contains("mode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

fn sqlite_pool(max: u32, read_only: bool) -> AnyPoolOptions {
    AnyPoolOptions::new()
        // sqlx counts transaction depth itself instead of asking SQLite. When SQLite rolls a
        // transaction back on its own (SQLITE_FULL at COMMIT does), the ROLLBACK sqlx sends on drop
        // fails and its count stays at 1: the next `begin` became a SAVEPOINT, a failed RELEASE
        // left that savepoint open, and every later "commit" released a nested savepoint inside a
        // transaction that never committed (writes acknowledged, then lost). A connection whose
        // count says it is still in a transaction after release is closed (SQLite rolls back on
        // close) and replaced.
        .after_release(|conn, _meta| {
            Box::pin(async move {
                use sqlx::Connection;
                if !conn.is_in_transaction() {
                    return Ok(true);
                }
                // A rollback sent on drop is still queued on the connection's worker: let it run.
                conn.ping().await?;
                if conn.is_in_transaction() {
                    tracing::warn!("closing a database connection left inside a failed transaction");
                    return Ok(false);
                }
                Ok(true)
            })
        })
        .before_acquire(|conn, _meta| {
            Box::pin(async move {
                use sqlx::Connection;
                Ok(!conn.is_in_transaction())
            })
        })
        .max_connections(max)
        .min_connections(if read_only { 0 } else { 1 })
        .acquire_timeout(Duration::from_secs(30))
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                // Durability of votes matters more than a few microseconds per commit: synchronous=FULL.
                conn.execute("PRAGMA journal_mode = WAL").await?;
                conn.execute("PRAGMA synchronous = FULL").await?;
                conn.execute("PRAGMA foreign_keys = ON").await?;
                conn.execute("PRAGMA busy_timeout = 5000").await?;
                // Erased means erased (P10, P11, P20): deleted rows are overwritten with zeros in the
                // file, not left in free space for `grep -a` to find.
                conn.execute("PRAGMA secure_delete = ON").await?;
                if read_only {
                    conn.execute("PRAGMA query_only = ON").await?;
                }
                Ok(())
            })
        })
}

macro_rules! migrations {
    ($dir:literal: $($version:literal $name:literal),* $(,)?) => {
        vec![$(Migration::new(
            $version,
            $name.into(),
            MigrationType::Simple,
            include_str!(concat!("../../../migrations/", $dir, "/", $name, ".sql")).into_sql_str(),
            false,
        )),*]
    };
}

/// Both lists name the same migrations; `schema` tests prove they build the same tables.
fn migrator(backend: Backend) -> Migrator {
    let migrations = match backend {
        Backend::Sqlite => {
            migrations!("sqlite": 1 "0001_accounts", 2 "0002_groups", 3 "0003_invitations", 4 "0004_threads", 5 "0005_reactions", 6 "0006_tags", 7 "0007_guests", 8 "0008_outbox_sender", 9 "0009_policies", 10 "0010_usage", 11 "0011_thread_volume", 12 "0012_privacy_centre", 13 "0013_thread_listing", 14 "0014_dashboard", 15 "0015_mail_queue", 16 "0016_hardening", 17 "0017_erasure", 18 "0018_rate_counters", 19 "0019_member_counts", 20 "0020_signing_keys")
        }
        Backend::Postgres => {
            migrations!("postgres": 1 "0001_accounts", 2 "0002_groups", 3 "0003_invitations", 4 "0004_threads", 5 "0005_reactions", 6 "0006_tags", 7 "0007_guests", 8 "0008_outbox_sender", 9 "0009_policies", 10 "0010_usage", 11 "0011_thread_volume", 12 "0012_privacy_centre", 13 "0013_thread_listing", 14 "0014_dashboard", 15 "0015_mail_queue", 16 "0016_hardening", 17 "0017_erasure", 18 "0018_rate_counters", 19 "0019_member_counts", 20 "0020_signing_keys")
        }
    };
    Migrator::with_migrations(migrations)
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

impl FromStr for Backend {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<Self> {
        Self::from_url(s)
    }
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
            let listed: Vec<String> = migrator(backend)
                .iter()
                .map(|m| format!("{}.sql", m.description))
                .collect();
            assert_eq!(files, listed, "{}", backend.name());
        }
    }
}
