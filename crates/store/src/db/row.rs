//! A row as the database hands it over, read by column name or position, and the Rust types a
//! column can be read as. Nothing is copied until a column is read.

use tokio_postgres::types::{FromSql, Type};

use crate::{Result, StoreError};

/// One row, borrowed from the driver while it is being mapped.
pub struct Row<'r> {
    inner: Inner<'r>,
    /// Read `name` as the column `{prefix}{name}`: one statement can carry two row types whose
    /// columns share names (a thread and its group), each mapped by its own function.
    prefix: &'static str,
}

#[derive(Clone, Copy)]
enum Inner<'r> {
    Sqlite(&'r rusqlite::Row<'r>, &'r Columns),
    Postgres(&'r tokio_postgres::Row),
}

/// A SQLite statement's column names, read once per execution rather than through the C API
/// for every column of every row, with the position where the next lookup most likely matches
/// (mappings read columns in select order).
pub(crate) struct Columns {
    names: Vec<String>,
    next: std::cell::Cell<usize>,
}

impl Columns {
    pub(crate) fn of(statement: &rusqlite::Statement<'_>) -> Self {
        Self {
            names: statement.column_names().into_iter().map(str::to_owned).collect(),
            next: std::cell::Cell::new(0),
        }
    }

    fn position(&self, name: &str) -> Option<usize> {
        let guess = self.next.get();
        let found = match self.names.get(guess) {
            Some(n) if n.eq_ignore_ascii_case(name) => Some(guess),
            _ => self.names.iter().position(|n| n.eq_ignore_ascii_case(name)),
        };
        if let Some(i) = found {
            self.next.set(if i + 1 < self.names.len() { i + 1 } else { 0 });
        }
        found
    }
}

/// A column position or name.
pub trait ColumnIndex: Copy + std::fmt::Display {
    /// `None` for a position.
    #[doc(hidden)]
    fn name(&self) -> Option<&str>;
    #[doc(hidden)]
    fn position(&self) -> usize;
}

impl ColumnIndex for usize {
    fn name(&self) -> Option<&str> {
        None
    }
    fn position(&self) -> usize {
        *self
    }
}

impl ColumnIndex for &str {
    fn name(&self) -> Option<&str> {
        Some(self)
    }
    fn position(&self) -> usize {
        0
    }
}

impl<'r> Row<'r> {
    pub(crate) fn sqlite(row: &'r rusqlite::Row<'r>, columns: &'r Columns) -> Self {
        Self {
            inner: Inner::Sqlite(row, columns),
            prefix: "",
        }
    }

    pub(crate) fn postgres(row: &'r tokio_postgres::Row) -> Self {
        Self {
            inner: Inner::Postgres(row),
            prefix: "",
        }
    }

    /// The same row, read through column names that start with `prefix`.
    pub fn prefixed(&self, prefix: &'static str) -> Row<'r> {
        Row {
            inner: self.inner,
            prefix,
        }
    }

    /// The columns' names, in select order.
    pub fn column_names(&self) -> Vec<String> {
        match self.inner {
            Inner::Sqlite(_, columns) => columns.names.clone(),
            Inner::Postgres(row) => row.columns().iter().map(|c| c.name().to_owned()).collect(),
        }
    }

    /// Reads one column. The second type parameter lets calls read `try_get::<String, _>("name")`.
    pub fn try_get<T: Decode, I: ColumnIndex>(&self, index: I) -> Result<T> {
        let fail = |reason: String| StoreError::Decode {
            column: format!("{}{index}", self.prefix),
            reason,
        };
        let prefixed;
        let name = match index.name() {
            Some(name) if !self.prefix.is_empty() => {
                prefixed = format!("{}{name}", self.prefix);
                Some(prefixed.as_str())
            }
            other => other,
        };
        match (self.inner, name) {
            (Inner::Sqlite(row, _), None) => row.get::<usize, T>(index.position()),
            (Inner::Sqlite(row, columns), Some(name)) => match columns.position(name) {
                Some(i) => row.get::<usize, T>(i),
                None => return Err(fail("no such column".to_owned())),
            },
            (Inner::Postgres(row), None) => {
                return row
                    .try_get::<usize, T::Pg>(index.position())
                    .map(T::from_pg)
                    .map_err(|e| fail(e.to_string()));
            }
            (Inner::Postgres(row), Some(name)) => {
                return row
                    .try_get::<&str, T::Pg>(name)
                    .map(T::from_pg)
                    .map_err(|e| fail(e.to_string()));
            }
        }
        .map_err(|e| fail(e.to_string()))
    }
}

/// A Rust type a column can be read as, on both databases.
pub trait Decode: rusqlite::types::FromSql + Sized {
    /// What tokio-postgres reads it as.
    #[doc(hidden)]
    type Pg: for<'a> FromSql<'a>;
    #[doc(hidden)]
    fn from_pg(value: Self::Pg) -> Self;
}

/// An integer of any width (and a boolean as 0/1): `COUNT(*)`, `INTEGER` and `BIGINT` columns all
/// read as `i64`, as they do on SQLite.
#[doc(hidden)]
pub struct PgInt(pub(crate) i64);

impl<'a> FromSql<'a> for PgInt {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Self(match *ty {
            Type::INT8 => i64::from_sql(ty, raw)?,
            Type::INT4 => i64::from(i32::from_sql(ty, raw)?),
            Type::INT2 => i64::from(i16::from_sql(ty, raw)?),
            Type::BOOL => i64::from(bool::from_sql(ty, raw)?),
            _ => return Err(format!("cannot read {ty} as an integer").into()),
        }))
    }

    fn accepts(ty: &Type) -> bool {
        matches!(*ty, Type::INT8 | Type::INT4 | Type::INT2 | Type::BOOL)
    }
}

macro_rules! decode_as_is {
    ($($t:ty),*) => {$(
        impl Decode for $t {
            type Pg = $t;
            fn from_pg(value: $t) -> $t {
                value
            }
        }
        impl Decode for Option<$t> {
            type Pg = Option<$t>;
            fn from_pg(value: Option<$t>) -> Option<$t> {
                value
            }
        }
    )*};
}
decode_as_is!(String, f64, Vec<u8>);

impl Decode for i64 {
    type Pg = PgInt;
    fn from_pg(value: PgInt) -> Self {
        value.0
    }
}

impl Decode for Option<i64> {
    type Pg = Option<PgInt>;
    fn from_pg(value: Option<PgInt>) -> Self {
        value.map(|v| v.0)
    }
}

impl Decode for bool {
    type Pg = PgInt;
    fn from_pg(value: PgInt) -> Self {
        value.0 != 0
    }
}
