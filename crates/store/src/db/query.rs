//! One query: its SQL text (the same for both databases, parameters written `$1`, `$2`, …) and
//! its bound values. Rows are mapped by a closure while the database hands them over, so no
//! row is copied into an intermediate value first.

use std::borrow::Cow;

use super::{Conn, Row};
use crate::Result;

/// The type of a bound value, as both databases see it. PostgreSQL statements are prepared with
/// these types (`BIGINT`, `DOUBLE PRECISION`, `TEXT`, `BYTEA`), as sqlx did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Int,
    Real,
    Text,
    Blob,
}

/// One bound value.
#[derive(Debug, Clone)]
pub enum Arg<'q> {
    Null(Kind),
    Int(i64),
    Real(f64),
    Text(Cow<'q, str>),
    Blob(Cow<'q, [u8]>),
}

impl Arg<'_> {
    pub(crate) fn kind(&self) -> Kind {
        match self {
            Self::Null(kind) => *kind,
            Self::Int(_) => Kind::Int,
            Self::Real(_) => Kind::Real,
            Self::Text(_) => Kind::Text,
            Self::Blob(_) => Kind::Blob,
        }
    }
}

/// A Rust value that can be bound to a parameter.
pub trait Bind<'q> {
    /// The kind of the value, also when it is `None`.
    const KIND: Kind;
    fn into_arg(self) -> Arg<'q>;
}

macro_rules! bind_int {
    ($($t:ty),*) => {$(
        impl<'q> Bind<'q> for $t {
            const KIND: Kind = Kind::Int;
            fn into_arg(self) -> Arg<'q> {
                Arg::Int(i64::from(self))
            }
        }
    )*};
}
bind_int!(i64, i32, u32, i16, u16, u8, bool);

impl<'q> Bind<'q> for f64 {
    const KIND: Kind = Kind::Real;
    fn into_arg(self) -> Arg<'q> {
        Arg::Real(self)
    }
}

impl<'q> Bind<'q> for &'q str {
    const KIND: Kind = Kind::Text;
    fn into_arg(self) -> Arg<'q> {
        Arg::Text(Cow::Borrowed(self))
    }
}

impl<'q> Bind<'q> for &'q String {
    const KIND: Kind = Kind::Text;
    fn into_arg(self) -> Arg<'q> {
        Arg::Text(Cow::Borrowed(self.as_str()))
    }
}

impl<'q> Bind<'q> for String {
    const KIND: Kind = Kind::Text;
    fn into_arg(self) -> Arg<'q> {
        Arg::Text(Cow::Owned(self))
    }
}

impl<'q> Bind<'q> for &'q [u8] {
    const KIND: Kind = Kind::Blob;
    fn into_arg(self) -> Arg<'q> {
        Arg::Blob(Cow::Borrowed(self))
    }
}

impl<'q> Bind<'q> for Vec<u8> {
    const KIND: Kind = Kind::Blob;
    fn into_arg(self) -> Arg<'q> {
        Arg::Blob(Cow::Owned(self))
    }
}

impl<'q, T: Bind<'q>> Bind<'q> for Option<T> {
    const KIND: Kind = T::KIND;
    fn into_arg(self) -> Arg<'q> {
        match self {
            Some(value) => value.into_arg(),
            None => Arg::Null(T::KIND),
        }
    }
}

/// What a statement that returns no rows did.
#[derive(Debug, Clone, Copy)]
pub struct Done {
    rows: u64,
}

impl Done {
    pub fn rows_affected(&self) -> u64 {
        self.rows
    }
}

/// A statement with its values, ready to run on a connection.
#[must_use = "a query does nothing until it is executed or fetched"]
pub struct Query<'q> {
    sql: Cow<'q, str>,
    args: Vec<Arg<'q>>,
    persistent: bool,
}

/// Starts a query. `sql` is written once for both databases, parameters as `$1`, `$2`, …
pub fn query<'q>(sql: impl Into<Cow<'q, str>>) -> Query<'q> {
    Query {
        sql: sql.into(),
        args: Vec::new(),
        persistent: true,
    }
}

impl<'q> Query<'q> {
    pub fn bind(mut self, value: impl Bind<'q>) -> Self {
        self.args.push(value.into_arg());
        self
    }

    /// `false`: PostgreSQL plans this statement for its values on every run instead of keeping a
    /// prepared statement and its generic plan (for queries whose best plan swings with the data).
    pub fn persistent(mut self, persistent: bool) -> Self {
        self.persistent = persistent;
        self
    }

    /// Runs the statement and says how many rows it changed (rows it returns are skipped).
    pub async fn execute(self, conn: &mut Conn) -> Result<Done> {
        let rows = conn.execute_args(&self.sql, &self.args, self.persistent).await?;
        Ok(Done { rows })
    }

    /// Every row, each mapped by `map`.
    pub async fn fetch_all<T>(self, conn: &mut Conn, map: impl FnMut(&Row<'_>) -> Result<T>) -> Result<Vec<T>> {
        conn.rows_args(&self.sql, &self.args, self.persistent, usize::MAX, map)
            .await
    }

    /// The first row, mapped; `None` when there is none.
    pub async fn fetch_optional<T>(self, conn: &mut Conn, map: impl FnMut(&Row<'_>) -> Result<T>) -> Result<Option<T>> {
        Ok(conn
            .rows_args(&self.sql, &self.args, self.persistent, 1, map)
            .await?
            .pop())
    }

    /// The first row, mapped; `StoreError::NotFound` when there is none.
    pub async fn fetch_one<T>(self, conn: &mut Conn, map: impl FnMut(&Row<'_>) -> Result<T>) -> Result<T> {
        self.fetch_optional(conn, map).await?.ok_or(crate::StoreError::NotFound)
    }

    /// The first column of the first row (`COUNT(*)`, `RETURNING id`, …).
    pub async fn fetch_scalar<T: super::Decode>(self, conn: &mut Conn) -> Result<T> {
        self.fetch_one(conn, |r| r.try_get(0)).await
    }
}
