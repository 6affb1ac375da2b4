//! A row as the database hands it over, read by column name or position, and the Rust types a
//! column can be read as. Nothing is copied until a column is read.

use tokio_postgres::types::{FromSql, Type};

use crate::{Result, StoreError};

/// One row, borrowed from the driver while it is being mapped.
pub enum Row<'r> {
    Sqlite(&'r rusqlite::Row<'r>),
    Postgres(&'r tokio_postgres::Row),
}

/// A column position or name.
pub trait ColumnIndex: rusqlite::RowIndex + tokio_postgres::row::RowIndex + std::fmt::Display + Copy {}
impl ColumnIndex for usize {}
impl ColumnIndex for &str {}

impl Row<'_> {
    /// The columns' names, in select order.
    pub fn column_names(&self) -> Vec<String> {
        match self {
            Self::Sqlite(row) => row.as_ref().column_names().into_iter().map(str::to_owned).collect(),
            Self::Postgres(row) => row.columns().iter().map(|c| c.name().to_owned()).collect(),
        }
    }

    /// Reads one column. The second type parameter lets calls read `try_get::<String, _>("name")`.
    pub fn try_get<T: Decode, I: ColumnIndex>(&self, index: I) -> Result<T> {
        match self {
            Self::Sqlite(row) => row.get::<I, T>(index).map_err(|e| StoreError::Decode {
                column: index.to_string(),
                reason: e.to_string(),
            }),
            Self::Postgres(row) => row
                .try_get::<I, T::Pg>(index)
                .map(T::from_pg)
                .map_err(|e| StoreError::Decode {
                    column: index.to_string(),
                    reason: e.to_string(),
                }),
        }
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
pub struct PgInt(i64);

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
