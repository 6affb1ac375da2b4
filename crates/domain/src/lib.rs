//! Weft's domain: the types, rules and validations that every other layer trusts. No I/O, no HTTP, no SQL.

/// An enum stored as a word: `as_str`, `parse` (for form input, with the field's message) and
/// `from_stored` (an unknown word is an error, never a default).
macro_rules! words {
    ($(#[$meta:meta])* $name:ident, $what:literal, $message:literal { $($(#[$vmeta:meta])* $variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $word),+
                }
            }

            pub fn parse(s: &str) -> Result<Self, FieldError> {
                match s.trim() {
                    $($word => Ok(Self::$variant),)+
                    _ => Err(FieldError::new($message)),
                }
            }

            pub fn from_stored(s: &str) -> Result<Self, crate::UnknownStored> {
                match s {
                    $($word => Ok(Self::$variant),)+
                    _ => Err(crate::UnknownStored::new($what, s)),
                }
            }
        }
    };
}

pub mod avatars;
pub mod browser;
pub mod csv;
pub mod deletion_requests;
pub mod email;
pub mod exports;
pub mod groups;
pub mod inbound;
pub mod invitations;
pub mod ip;
pub mod markdown;
pub mod notifications;
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
