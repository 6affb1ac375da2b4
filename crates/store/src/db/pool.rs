//! Connections and who may use them when.
//!
//! SQLite: one writer connection behind an async lock (write transactions never fight over the
//! database lock) and a pool of reader connections that refuse writes (`query_only`; WAL lets them
//! read beside the writer). PostgreSQL: one pool of tokio-postgres clients for both.
//!
//! Every connection is leased (`Lease`) and returns to its pool when the lease drops. A
//! transaction (`Tx`) rolls back when dropped without `commit`, and after a failed `COMMIT`: the
//! state is asked of SQLite itself, so a transaction SQLite rolled back on its own (`SQLITE_FULL`
//! at COMMIT does) is never taken for one still open.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedMutexGuard, OwnedSemaphorePermit, Semaphore};

use super::Conn;
use super::conn::{Inner, PgClient};
use crate::{Result, StoreError};

/// How a new connection is opened.
pub(crate) enum Opener {
    SqliteReader(PathBuf),
    Postgres(Box<tokio_postgres::Config>),
}

pub(crate) struct Pool {
    idle: Mutex<Vec<Conn>>,
    permits: Arc<Semaphore>,
    opener: Opener,
}

impl Pool {
    pub(crate) fn new(opener: Opener, size: usize) -> Arc<Self> {
        Arc::new(Self {
            idle: Mutex::new(Vec::new()),
            permits: Arc::new(Semaphore::new(size)),
            opener,
        })
    }

    pub(crate) async fn acquire(self: &Arc<Self>) -> Result<Lease> {
        let permit = tokio::time::timeout(Duration::from_secs(30), self.permits.clone().acquire_owned())
            .await
            .map_err(|_| StoreError::Timeout)?
            .map_err(|_| StoreError::Closed)?;
        let idle = loop {
            let next = self.idle.lock().expect("pool lock").pop();
            match next {
                Some(conn) if conn.is_closed() => continue,
                other => break other,
            }
        };
        let conn = match idle {
            Some(conn) => conn,
            None => self.open().await?,
        };
        Ok(Lease(LeaseInner::Pooled {
            conn: Some(conn),
            pool: self.clone(),
            _permit: permit,
        }))
    }

    async fn open(&self) -> Result<Conn> {
        match &self.opener {
            Opener::SqliteReader(path) => Ok(Conn::sqlite(open_sqlite(path, true)?)),
            Opener::Postgres(config) => Ok(Conn::postgres(connect_postgres(config).await?)),
        }
    }

    /// Closes idle connections and refuses new leases.
    pub(crate) fn close(&self) {
        self.permits.close();
        self.idle.lock().expect("pool lock").clear();
    }

    fn put_back(self: &Arc<Self>, mut conn: Conn) {
        if conn.is_closed() || self.permits.is_closed() {
            return;
        }
        if conn.needs_rollback {
            // A transaction was dropped without commit on PostgreSQL: roll it back off the
            // request's path, then reuse the connection.
            let pool = self.clone();
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    if conn.batch("ROLLBACK").await.is_ok() {
                        conn.needs_rollback = false;
                        pool.idle.lock().expect("pool lock").push(conn);
                    }
                });
            }
            return;
        }
        self.idle.lock().expect("pool lock").push(conn);
    }
}

/// Opens a SQLite connection with Weft's settings. The writer creates the file.
pub(crate) fn open_sqlite(path: &Path, read_only: bool) -> Result<rusqlite::Connection> {
    use rusqlite::OpenFlags;
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
    if !read_only {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn = rusqlite::Connection::open_with_flags(path, flags)?;
    conn.set_prepared_statement_cache_capacity(128);
    // Durability of votes matters more than a few microseconds per commit: synchronous=FULL.
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Usage(format!(
            "SQLite refused WAL mode (it reports {mode:?})"
        )));
    }
    conn.execute_batch(
        "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; \
         PRAGMA secure_delete = ON;",
    )?;
    // Erased means erased (P10, P11, P20): `secure_delete` overwrites deleted rows with zeros in
    // the file instead of leaving them in free space for `grep -a` to find.
    if read_only {
        conn.execute_batch("PRAGMA query_only = ON")?;
    }
    Ok(conn)
}

async fn connect_postgres(config: &tokio_postgres::Config) -> Result<PgClient> {
    let (client, connection) = tokio::time::timeout(Duration::from_secs(10), config.connect(tokio_postgres::NoTls))
        .await
        .map_err(|_| StoreError::Timeout)??;
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            tracing::warn!(%error, "PostgreSQL connection ended");
        }
    });
    // Every statement is prepared once per connection and its plan kept: ours are index lookups
    // whose best plan does not depend on the values, and re-planning each execution cost more
    // than running it (dashboard 406 → 694 pages/s, group page 450 → 686; PERFORMANCE.md).
    client.batch_execute("SET plan_cache_mode = force_generic_plan").await?;
    Ok(PgClient::new(client))
}

/// A connection lent out; it goes back to its pool (or releases the writer) when dropped.
pub struct Lease(LeaseInner);

// One lease per request, moved rarely: boxing the connection would cost an allocation per lease.
#[expect(clippy::large_enum_variant)]
enum LeaseInner {
    Writer(OwnedMutexGuard<Option<Conn>>),
    Pooled {
        conn: Option<Conn>,
        pool: Arc<Pool>,
        _permit: OwnedSemaphorePermit,
    },
}

impl Lease {
    pub(crate) fn writer(guard: OwnedMutexGuard<Option<Conn>>) -> Result<Self> {
        if guard.is_none() {
            return Err(StoreError::Closed);
        }
        Ok(Self(LeaseInner::Writer(guard)))
    }
}

impl std::ops::Deref for Lease {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        match &self.0 {
            LeaseInner::Writer(guard) => guard.as_ref().expect("checked when leased"),
            LeaseInner::Pooled { conn, .. } => conn.as_ref().expect("present until dropped"),
        }
    }
}

impl std::ops::DerefMut for Lease {
    fn deref_mut(&mut self) -> &mut Conn {
        match &mut self.0 {
            LeaseInner::Writer(guard) => guard.as_mut().expect("checked when leased"),
            LeaseInner::Pooled { conn, .. } => conn.as_mut().expect("present until dropped"),
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let LeaseInner::Pooled { conn, pool, .. } = &mut self.0
            && let Some(conn) = conn.take()
        {
            pool.put_back(conn);
        }
    }
}

impl std::fmt::Debug for Lease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

/// A transaction. Dropping it without `commit` rolls back: nothing half-written remains.
#[derive(Debug)]
pub struct Tx {
    lease: Lease,
    open: bool,
}

impl Tx {
    pub(crate) async fn begin(mut lease: Lease) -> Result<Self> {
        let sql = match lease.inner {
            // Takes the write lock at once, so a transaction never fails half-way on a lock.
            Inner::Sqlite(_) => "BEGIN IMMEDIATE",
            Inner::Postgres(_) => "BEGIN",
        };
        lease.batch(sql).await?;
        Ok(Self { lease, open: true })
    }

    pub async fn commit(mut self) -> Result<()> {
        self.open = false;
        match self.lease.batch("COMMIT").await {
            Ok(()) => Ok(()),
            Err(error) => {
                self.rollback_now().await;
                Err(error)
            }
        }
    }

    /// After a failed COMMIT or a drop: SQLite may already have rolled back by itself (then
    /// sending ROLLBACK again would fail, harmlessly); it is asked, not assumed.
    async fn rollback_now(&mut self) {
        match self.lease.inner {
            Inner::Sqlite(_) => {
                if !self.lease.sqlite_autocommit() && self.lease.batch("ROLLBACK").await.is_err() {
                    tracing::error!("a SQLite transaction could not be rolled back");
                }
            }
            Inner::Postgres(_) => {
                if self.lease.batch("ROLLBACK").await.is_err() {
                    self.lease.needs_rollback = true;
                }
            }
        }
    }
}

impl std::ops::Deref for Tx {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        &self.lease
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.lease
    }
}

impl Drop for Tx {
    fn drop(&mut self) {
        if !self.open {
            return;
        }
        match &mut self.lease.inner {
            Inner::Sqlite(c) => {
                if !c.is_autocommit() && c.execute_batch("ROLLBACK").is_err() {
                    tracing::error!("a SQLite transaction could not be rolled back");
                }
            }
            // No waiting in a destructor: the pool rolls back before the connection is reused.
            Inner::Postgres(_) => self.lease.needs_rollback = true,
        }
    }
}
