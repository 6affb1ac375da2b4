//! One connection to either database, and how a statement runs on it.
//!
//! SQLite (rusqlite, bundled): a statement runs to completion inside the call, on the thread that
//! makes it; prepared statements are cached per connection. PostgreSQL (tokio-postgres): each
//! statement is prepared once per connection with the types of its bound values and cached.

use std::collections::HashMap;

use tokio_postgres::types::{IsNull, ToSql, Type, to_sql_checked};

use super::{Arg, Kind, Row};
use crate::{Result, StoreError};

/// Statements kept prepared per connection; SQL built at run time (`IN` lists of every length)
/// must not grow the cache without bound.
const STATEMENT_CACHE: usize = 256;

pub struct Conn {
    pub(crate) inner: Inner,
    /// PostgreSQL: a transaction was left open by a dropped `Tx`; roll back before reuse.
    pub(crate) needs_rollback: bool,
}

pub(crate) enum Inner {
    Sqlite(rusqlite::Connection),
    Postgres(PgClient),
}

pub(crate) struct PgClient {
    pub(crate) client: tokio_postgres::Client,
    statements: HashMap<String, Vec<(Vec<Kind>, tokio_postgres::Statement)>>,
}

impl PgClient {
    pub(crate) fn new(client: tokio_postgres::Client) -> Self {
        Self {
            client,
            statements: HashMap::new(),
        }
    }

    async fn statement(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<tokio_postgres::Statement> {
        let matches = |kinds: &[Kind]| kinds.len() == args.len() && kinds.iter().zip(args).all(|(k, a)| *k == a.kind());
        if let Some(found) = self
            .statements
            .get(sql)
            .and_then(|v| v.iter().find(|(k, _)| matches(k)))
        {
            return Ok(found.1.clone());
        }
        let types: Vec<Type> = args.iter().map(|a| pg_type(a.kind())).collect();
        let statement = self.client.prepare_typed(sql, &types).await.map_err(StoreError::from)?;
        if self.statements.len() >= STATEMENT_CACHE {
            self.statements.clear();
        }
        self.statements
            .entry(sql.to_owned())
            .or_default()
            .push((args.iter().map(Arg::kind).collect(), statement.clone()));
        Ok(statement)
    }
}

fn pg_type(kind: Kind) -> Type {
    match kind {
        Kind::Int => Type::INT8,
        Kind::Real => Type::FLOAT8,
        Kind::Text => Type::TEXT,
        Kind::Blob => Type::BYTEA,
    }
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.inner {
            Inner::Sqlite(_) => "Conn(sqlite)",
            Inner::Postgres(_) => "Conn(postgres)",
        })
    }
}

/// Every statement is logged at debug level under this target, its text only, never its values
/// (`weft bench` counts statements per page with it).
pub const STATEMENT_LOG: &str = "weft_store::sql";

fn trace(sql: &str) {
    tracing::debug!(target: "weft_store::sql", "{}", sql.split_whitespace().take(12).collect::<Vec<_>>().join(" "));
}

impl Conn {
    pub(crate) fn sqlite(conn: rusqlite::Connection) -> Self {
        Self {
            inner: Inner::Sqlite(conn),
            needs_rollback: false,
        }
    }

    pub(crate) fn postgres(client: PgClient) -> Self {
        Self {
            inner: Inner::Postgres(client),
            needs_rollback: false,
        }
    }

    /// Statements without parameters, separated by `;` (pragmas, `VACUUM`, migrations).
    pub async fn batch(&mut self, sql: &str) -> Result<()> {
        trace(sql);
        match &mut self.inner {
            Inner::Sqlite(c) => c.execute_batch(sql).map_err(StoreError::from),
            Inner::Postgres(p) => p.client.batch_execute(sql).await.map_err(StoreError::from),
        }
    }

    /// SQLite only: whether no transaction is open (false while one is, also one SQLite left open
    /// after a failed COMMIT).
    pub(crate) fn sqlite_autocommit(&self) -> bool {
        match &self.inner {
            Inner::Sqlite(c) => c.is_autocommit(),
            Inner::Postgres(_) => true,
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        match &self.inner {
            Inner::Sqlite(_) => false,
            Inner::Postgres(p) => p.client.is_closed(),
        }
    }

    pub(crate) async fn execute_args(&mut self, sql: &str, args: &[Arg<'_>], persistent: bool) -> Result<u64> {
        trace(sql);
        match &mut self.inner {
            Inner::Sqlite(c) => {
                let mut statement = c.prepare_cached(sql)?;
                bind_sqlite(&mut statement, args)?;
                let mut rows = statement.raw_query();
                while rows.next()?.is_some() {}
                drop(rows);
                Ok(c.changes())
            }
            Inner::Postgres(p) if !persistent => Ok(p.client.query_typed(sql, &typed(args)).await?.len() as u64),
            Inner::Postgres(p) => {
                let statement = p.statement(sql, args).await?;
                Ok(p.client.execute(&statement, &untyped(args)).await?)
            }
        }
    }

    pub(crate) async fn rows_args<T>(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
        persistent: bool,
        limit: usize,
        mut map: impl FnMut(&Row<'_>) -> Result<T>,
    ) -> Result<Vec<T>> {
        trace(sql);
        match &mut self.inner {
            Inner::Sqlite(c) => {
                let mut statement = c.prepare_cached(sql)?;
                bind_sqlite(&mut statement, args)?;
                let columns = super::row::Columns::of(&statement);
                let mut rows = statement.raw_query();
                let mut out = Vec::new();
                while out.len() < limit {
                    match rows.next()? {
                        Some(row) => out.push(map(&Row::sqlite(row, &columns))?),
                        None => break,
                    }
                }
                Ok(out)
            }
            Inner::Postgres(p) => {
                let rows = if persistent {
                    let statement = p.statement(sql, args).await?;
                    p.client.query(&statement, &untyped(args)).await?
                } else {
                    p.client.query_typed(sql, &typed(args)).await?
                };
                rows.iter().take(limit).map(|r| map(&Row::postgres(r))).collect()
            }
        }
    }
}

fn untyped<'a>(args: &'a [Arg<'_>]) -> Vec<&'a (dyn ToSql + Sync)> {
    args.iter().map(|a| a as &(dyn ToSql + Sync)).collect()
}

fn typed<'a>(args: &'a [Arg<'_>]) -> Vec<(&'a (dyn ToSql + Sync), Type)> {
    args.iter()
        .map(|a| (a as &(dyn ToSql + Sync), pg_type(a.kind())))
        .collect()
}

/// Binds `$n` parameters by their number: SQLite numbers `$name` parameters in order of first
/// appearance, so `… $2 … $1` must not be bound by position.
fn bind_sqlite(statement: &mut rusqlite::CachedStatement<'_>, args: &[Arg<'_>]) -> Result<()> {
    for slot in 1..=statement.parameter_count() {
        let number = match statement.parameter_name(slot) {
            Some(name) => name
                .strip_prefix('$')
                .and_then(|n| n.parse::<usize>().ok())
                .ok_or_else(|| StoreError::Usage(format!("parameter {name} is not $<number>")))?,
            None => slot,
        };
        let arg = args
            .get(number - 1)
            .ok_or_else(|| StoreError::Usage(format!("no value bound for ${number}")))?;
        statement.raw_bind_parameter(slot, arg)?;
    }
    Ok(())
}

impl rusqlite::ToSql for Arg<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Self::Null(_) => ValueRef::Null,
            Self::Int(n) => ValueRef::Integer(*n),
            Self::Real(r) => ValueRef::Real(*r),
            Self::Text(s) => ValueRef::Text(s.as_bytes()),
            Self::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

impl ToSql for Arg<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut tokio_postgres::types::private::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Self::Null(_) => Ok(IsNull::Yes),
            Self::Int(n) => n.to_sql(ty, out),
            Self::Real(r) => r.to_sql(ty, out),
            Self::Text(s) => s.as_ref().to_sql(ty, out),
            Self::Blob(b) => b.as_ref().to_sql(ty, out),
        }
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        use rusqlite::ffi;
        match &error {
            rusqlite::Error::SqliteFailure(e, _)
                if e.extended_code == ffi::SQLITE_CONSTRAINT_UNIQUE
                    || e.extended_code == ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
            {
                Self::Conflict
            }
            rusqlite::Error::SqliteFailure(e, _) if e.code == rusqlite::ErrorCode::DiskFull => Self::Full,
            _ => Self::Database(Box::new(error)),
        }
    }
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(error: tokio_postgres::Error) -> Self {
        use tokio_postgres::error::SqlState;
        match error.code() {
            Some(&SqlState::UNIQUE_VIOLATION) => Self::Conflict,
            Some(&SqlState::DISK_FULL) => Self::Full,
            _ => Self::Database(Box::new(error)),
        }
    }
}
