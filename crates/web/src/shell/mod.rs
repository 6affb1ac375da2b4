//! What every page shares, whatever its feature: the layout's context and rendering
//! (`layout.rs`), the confirmations shown after a redirect (`notice.rs`) and the error pages
//! (`errors.rs`). Feature modules import from here, never from each other.

pub mod errors;
pub mod inline;
mod layout;
mod notice;

pub(crate) use layout::escape_html;
pub use layout::{NavUser, PageCtx, render};
pub use notice::Notice;
