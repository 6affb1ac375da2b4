//! Migrations: each file runs once, in its own transaction, in order. The bookkeeping table is
//! the one sqlx kept (`_sqlx_migrations`, same columns, SHA-384 checksums), so a data folder made
//! by an earlier Weft continues where it was.

use sha2::{Digest, Sha384};

use super::Conn;
use crate::{Backend, Result, StoreError, query};

pub(crate) struct Migration {
    pub(crate) version: i64,
    pub(crate) description: &'static str,
    pub(crate) sql: &'static str,
}

/// Any fixed number: PostgreSQL instances starting together wait for each other here.
const ADVISORY_LOCK: i64 = 0x5745_4654_4d49_4752;

pub(crate) async fn run(conn: &mut Conn, backend: Backend, migrations: &[Migration]) -> Result<()> {
    if backend == Backend::Postgres {
        query("SELECT pg_advisory_lock($1)")
            .bind(ADVISORY_LOCK)
            .execute(conn)
            .await?;
    }
    let outcome = apply(conn, backend, migrations).await;
    if backend == Backend::Postgres {
        query("SELECT pg_advisory_unlock($1)")
            .bind(ADVISORY_LOCK)
            .execute(conn)
            .await?;
    }
    outcome
}

async fn apply(conn: &mut Conn, backend: Backend, migrations: &[Migration]) -> Result<()> {
    conn.batch(match backend {
        Backend::Sqlite => {
            "CREATE TABLE IF NOT EXISTS _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, \
             installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, success BOOLEAN NOT NULL, \
             checksum BLOB NOT NULL, execution_time BIGINT NOT NULL)"
        }
        Backend::Postgres => {
            "CREATE TABLE IF NOT EXISTS _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, \
             installed_on TIMESTAMPTZ NOT NULL DEFAULT now(), success BOOLEAN NOT NULL, \
             checksum BYTEA NOT NULL, execution_time BIGINT NOT NULL)"
        }
    })
    .await?;
    let applied: Vec<(i64, bool)> = query("SELECT version, CASE WHEN success THEN 1 ELSE 0 END FROM _sqlx_migrations")
        .fetch_all(conn, |r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .await?;
    if let Some((version, _)) = applied.iter().find(|(_, success)| !success) {
        return Err(StoreError::Migration(format!(
            "migration {version} failed earlier and left the database dirty; restore a backup"
        )));
    }
    let begin = match backend {
        Backend::Sqlite => "BEGIN IMMEDIATE",
        Backend::Postgres => "BEGIN",
    };
    for migration in migrations {
        if applied.iter().any(|(v, _)| *v == migration.version) {
            continue;
        }
        let started = std::time::Instant::now();
        conn.batch(begin).await?;
        let outcome = async {
            conn.batch(migration.sql).await?;
            query(
                "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
                 VALUES ($1, $2, TRUE, $3, $4)",
            )
            .bind(migration.version)
            .bind(migration.description)
            .bind(Sha384::digest(migration.sql.as_bytes()).to_vec())
            .bind(i64::try_from(started.elapsed().as_nanos()).unwrap_or(i64::MAX))
            .execute(conn)
            .await?;
            conn.batch("COMMIT").await
        }
        .await;
        if let Err(error) = outcome {
            if backend == Backend::Postgres || !conn.sqlite_autocommit() {
                let _ = conn.batch("ROLLBACK").await;
            }
            return Err(StoreError::Migration(format!(
                "{} ({}): {error}",
                migration.version, migration.description
            )));
        }
        tracing::info!(
            version = migration.version,
            name = migration.description,
            "migration applied"
        );
    }
    Ok(())
}
