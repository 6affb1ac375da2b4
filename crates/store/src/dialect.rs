//! The dialect seam: the few places where SQLite and PostgreSQL need different SQL.

use std::str::FromStr;

use crate::{Result, StoreError, redact_url};

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

impl FromStr for Backend {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<Self> {
        Self::from_url(s)
    }
}
