//! Whom `@ad…` may mean in a thread, for the comment box's suggestions: only people who may read
//! the thread (members of its group and its guests, by the thread's rule), only for someone who
//! may comment there, so it reveals nobody a commenter could not mention anyway.

use weft_domain::permissions::ThreadAction;
use weft_store::threads::{self};

use crate::{App, AppError, SessionUser};

/// Suggestions one lookup gives.
pub const MENTION_SUGGESTIONS: usize = 8;

/// Someone a mention may name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Mentionable {
    pub username: String,
    pub name: String,
}

impl App {
    /// The readers of thread `key` whose username or name starts with `typed` (an `@` before it
    /// is fine), by username, at most `MENTION_SUGGESTIONS`; nobody for fewer than one letter.
    pub async fn mentionable(&self, who: &SessionUser, key: &str, typed: &str) -> Result<Vec<Mentionable>, AppError> {
        let view = self.thread_for(Some(who), key, ThreadAction::Comment).await?;
        let prefix = typed.trim().trim_start_matches('@').to_lowercase();
        if prefix.is_empty() || prefix.chars().count() > 30 {
            return Ok(Vec::new());
        }
        let mut conn = self.store.reader().await?;
        let readers = self
            .readers_among(&mut conn, &view.thread, &view.group, threads::Audience::Prefix(&prefix))
            .await?;
        Ok(readers
            .into_iter()
            .filter(|r| r.user.id != who.user.id)
            .take(MENTION_SUGGESTIONS)
            .map(|r| Mentionable {
                username: r.user.username.as_str().to_owned(),
                name: r.user.name,
            })
            .collect())
    }
}
