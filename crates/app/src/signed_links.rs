//! Signed unsubscribe links (P15, issue 20): no row per email. The instance's signing keys live in
//! the database (so every instance verifies every link) and in a cache here; a new key every
//! `ROTATION`, old ones kept until every link they signed has expired.

use weft_domain::Duration;
use weft_domain::unsubscribe::{self, Claim, Scope, SigningKey};
use weft_store::signing_keys::{self, StoredKey};
use weft_store::{Conn, users};

use crate::{App, AppError};

/// How often a new signing key is made.
pub const ROTATION: Duration = Duration::days(30);

impl App {
    /// Makes a new signing key when the newest is older than `ROTATION` (or there is none),
    /// deletes those no unexpired link can name, and refreshes the cache. At start and with every
    /// purge; several instances doing it at once only make one key more.
    pub async fn rotate_signing_keys(&self) -> Result<(), AppError> {
        let now = self.clock.now();
        let mut conn = self.store.writer().await?;
        let keys = signing_keys::all(&mut conn).await?;
        if keys.first().is_none_or(|k| k.created_at < now.minus(ROTATION)) {
            signing_keys::create(&mut conn, now).await?;
        }
        let links = self.config.retention.unsubscribe_links;
        signing_keys::purge(&mut conn, now.minus(links).minus(ROTATION)).await?;
        let keys = signing_keys::all(&mut conn).await?;
        *self
            .signing_keys
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = keys;
        Ok(())
    }

    fn cached_key(&self, pick: impl Fn(&[StoredKey]) -> Option<&StoredKey>) -> Option<SigningKey> {
        let keys = self
            .signing_keys
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        pick(&keys).map(|k| k.key.clone())
    }

    /// The key to sign with now, read in the caller's transaction if the cache is empty. A key
    /// made here (a database no instance has started on yet) is not cached: it exists only if
    /// the caller's transaction commits, and so do the links it signs.
    async fn signing_key(&self, conn: &mut Conn) -> Result<SigningKey, AppError> {
        if let Some(key) = self.cached_key(<[StoredKey]>::first) {
            return Ok(key);
        }
        let keys = signing_keys::all(conn).await?;
        if let Some(newest) = keys.first() {
            let key = newest.key.clone();
            *self
                .signing_keys
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = keys;
            return Ok(key);
        }
        let now = self.clock.now();
        signing_keys::create(conn, now).await?;
        signing_keys::all(conn)
            .await?
            .into_iter()
            .next()
            .map(|k| k.key)
            .ok_or_else(|| AppError::internal("no signing key after creating one"))
    }

    /// The one-click unsubscribe link for `user`, valid for the unsubscribe-link retention.
    pub(crate) async fn unsubscribe_url(&self, conn: &mut Conn, user: &users::User) -> Result<String, AppError> {
        let key = self.signing_key(conn).await?;
        let claim = Claim {
            user_key: user.key.clone(),
            scope: Scope::All,
            expires: self.clock.now().plus(self.config.retention.unsubscribe_links),
        };
        Ok(self
            .config
            .url(&format!("/unsubscribe/{}", unsubscribe::sign(&key, &claim))))
    }

    /// A signing key by its id, from the cache or, when another instance made it since this one
    /// last looked, the database.
    pub(crate) async fn signing_key_by_id(&self, conn: &mut Conn, id: i64) -> Result<Option<SigningKey>, AppError> {
        if let Some(key) = self.cached_key(|keys| keys.iter().find(|k| k.key.id == id)) {
            return Ok(Some(key));
        }
        let keys = signing_keys::all(conn).await?;
        let found = keys.iter().find(|k| k.key.id == id).map(|k| k.key.clone());
        *self
            .signing_keys
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = keys;
        Ok(found)
    }

    /// The person's own reply address for a thread, when replies by email are on: valid as long
    /// as an unsubscribe link (`retention.unsubscribe_links`).
    pub(crate) async fn reply_address(
        &self,
        conn: &mut Conn,
        thread: weft_store::threads::ThreadId,
        answers: Option<weft_store::threads::CommentId>,
        user: &users::User,
    ) -> Result<Option<String>, AppError> {
        let Some(domain) = &self.config.reply_domain else {
            return Ok(None);
        };
        let key = self.signing_key(conn).await?;
        let reply = weft_domain::inbound::address::ReplyTo::new(
            thread.0,
            answers.map(|c| c.0),
            user.id.0,
            self.clock.now().plus(self.config.retention.unsubscribe_links),
        );
        Ok(Some(format!(
            "{}@{domain}",
            weft_domain::inbound::address::local_part(&key, &reply)
        )))
    }

    /// The account a signed unsubscribe token names, if it is genuine and unexpired.
    pub(crate) async fn verify_unsubscribe(&self, conn: &mut Conn, token: &str) -> Result<Option<Claim>, AppError> {
        let Some(id) = unsubscribe::key_id(token) else {
            return Ok(None);
        };
        let key = self.signing_key_by_id(conn, id).await?;
        Ok(key.and_then(|key| unsubscribe::verify(token, &key, self.clock.now())))
    }
}
