//! Weft's email: composing messages (text and HTML, with the unsubscribe footer) and sending them
//! over SMTP or into `.eml` files. It knows nothing about the database.

pub mod compose;
pub mod digest;
pub mod inbound;
pub mod transport;
pub mod wording;

pub use compose::{Action, Composed, EmailContent};
pub use transport::{MailError, Outgoing, SmtpSettings, SmtpTls, Transport};
pub use wording::{Line, Wording};
