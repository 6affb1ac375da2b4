//! What a use case can answer besides success; mapped to HTTP once, in the web layer.

use weft_domain::ValidationErrors;
use weft_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input was wrong; each field says why. Nothing was stored.
    #[error("{0}")]
    Invalid(ValidationErrors),
    /// Email and password do not match an account (deliberately vague: no enumeration).
    #[error("email or password is incorrect")]
    InvalidCredentials,
    /// A link or code that does not exist, expired, or was already used.
    #[error("this link or code is not valid any more")]
    InvalidToken,
    #[error("you need to log in")]
    Unauthenticated,
    /// A sensitive change needs the current password or a recent log-in.
    #[error("confirm with your current password")]
    ReauthenticationRequired,
    #[error("not found")]
    NotFound,
    #[error("not allowed")]
    Forbidden,
    /// The database's disk is full: nothing was stored. Answered 503; retrying later can work.
    #[error("the server's storage is full")]
    StorageFull,
    /// The database failed (not for want of space): the store's error is kept as the source.
    #[error("database error: {0}")]
    Store(#[source] StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::Internal(detail.into())
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(ValidationErrors::single(field, message))
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Full => Self::StorageFull,
            other => Self::Store(other),
        }
    }
}

impl From<ValidationErrors> for AppError {
    fn from(errors: ValidationErrors) -> Self {
        Self::Invalid(errors)
    }
}
