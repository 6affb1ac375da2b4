//! Weft's domain: the types, rules and validations that every other layer trusts. No I/O, no HTTP, no SQL.

pub mod browser;
pub mod csv;
pub mod deletion_requests;
pub mod email;
pub mod exports;
pub mod groups;
pub mod invitations;
pub mod ip;
pub mod markdown;
pub mod paging;
pub mod password;
pub mod permissions;
pub mod polls;
pub mod rate_limit;
pub mod redirect;
pub mod secret;
pub mod stored;
pub mod threads;
pub mod time;
pub mod unsubscribe;
pub mod user;
pub mod validation;

pub use email::EmailAddress;
pub use ip::MaskedIp;
pub use paging::Page;
pub use password::{Password, PasswordHash};
pub use redirect::LocalPath;
pub use secret::{LoginCode, SecretToken, TokenHash, random_i64, random_key};
pub use stored::UnknownStored;
pub use time::{Duration, Timestamp};
pub use user::{DisplayName, UserState, Username};
pub use validation::{FieldError, ValidationErrors};
