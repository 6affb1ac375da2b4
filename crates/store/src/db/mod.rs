//! The data layer under every store module: connections, queries, rows, migrations.
//! Decided in issue 20 after a spike; ARCHITECTURE.md "The data layer" has the figures.

mod conn;
pub(crate) mod migrate;
pub(crate) mod pool;
mod query;
mod row;

pub use conn::{Conn, STATEMENT_LOG};
pub use pool::{Lease, Tx};
pub use query::{Arg, Bind, Done, Kind, Query, query};
pub use row::{ColumnIndex, Decode, PgInt, Row};
