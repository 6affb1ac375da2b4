//! Sessions: authenticating a cookie, logging out (here or everywhere), the sessions list and
//! the security log.

use weft_domain::{SecretToken, Timestamp, UserState};
use weft_store::Conn;
use weft_store::sessions;
use weft_store::users;

use crate::{App, AppError};

use super::*;

impl App {
    // ---- sessions ----

    pub(crate) async fn create_session(
        &self,
        conn: &mut Conn,
        user_id: users::UserId,
        client: ClientInfo,
    ) -> Result<NewSession, AppError> {
        let now = self.clock.now();
        if self.config.security_log {
            weft_store::security_log::insert(conn, now, "log_in", Some(user_id), &client.raw_ip.to_string()).await?;
        }
        let token = SecretToken::generate();
        sessions::insert(
            conn,
            &sessions::NewSession {
                token_hash: &token.hash(),
                user_id,
                now,
                expires_at: now.plus(self.config.session_absolute_timeout),
                browser: client.browser,
                ip: client.ip,
            },
        )
        .await?;
        Ok(NewSession {
            token,
            user_id,
            password_dropped: false,
        })
    }

    /// P20: writes to the security log, only when the operator keeps one.
    pub(crate) async fn security_event(
        &self,
        event: &str,
        user_id: Option<users::UserId>,
        client: &ClientInfo,
    ) -> Result<(), AppError> {
        if self.config.security_log {
            weft_store::security_log::insert(
                &mut *self.store.writer().await?,
                self.clock.now(),
                event,
                user_id,
                &client.raw_ip.to_string(),
            )
            .await?;
        }
        Ok(())
    }

    /// The security log, newest first, for instance administrators.
    pub async fn security_log(&self, who: &SessionUser) -> Result<Vec<SecurityEvent>, AppError> {
        self.require_instance_admin(who, weft_domain::permissions::InstanceAction::ReadSecurityLog)?;
        Ok(weft_store::security_log::recent(&mut *self.store.reader().await?, 500).await?)
    }

    pub(super) fn idle_since(&self, now: Timestamp) -> Timestamp {
        now.minus(self.config.session_idle_timeout)
    }

    /// The person behind a session cookie, if the session is live and the account active.
    pub async fn authenticate(&self, cookie_token: &str, client: ClientInfo) -> Result<Option<SessionUser>, AppError> {
        let Some(token) = SecretToken::parse(cookie_token) else {
            return Ok(None);
        };
        let now = self.clock.now();
        let found = sessions::find_live_with_user(
            &mut *self.store.reader().await?,
            &token.hash(),
            now,
            self.idle_since(now),
        )
        .await?;
        let Some(sessions::Live {
            session,
            user,
            policy_unseen,
        }) = found.filter(|live| live.user.state == UserState::Active)
        else {
            return Ok(None);
        };
        if now.micros() - session.last_seen_at.micros() > TOUCH_EVERY_MICROS {
            sessions::touch(&mut *self.store.writer().await?, session.id, now, client.ip).await?;
        }
        Ok(Some(SessionUser {
            user,
            session,
            policy_unseen,
        }))
    }

    /// Ends the session behind a cookie (log out). Unknown cookies are ignored.
    pub async fn log_out(&self, cookie_token: &str) -> Result<(), AppError> {
        if let Some(token) = SecretToken::parse(cookie_token) {
            sessions::delete_by_hash(&mut *self.store.writer().await?, &token.hash()).await?;
        }
        Ok(())
    }

    /// Ends every session of the user, this one included.
    pub async fn log_out_everywhere(&self, who: &SessionUser) -> Result<u64, AppError> {
        Ok(sessions::delete_all_for_user(&mut *self.store.writer().await?, who.user.id, None).await?)
    }

    pub async fn end_session(&self, who: &SessionUser, session_id: i64) -> Result<(), AppError> {
        let ended = sessions::delete_for_user(&mut *self.store.writer().await?, who.user.id, session_id).await?;
        if ended { Ok(()) } else { Err(AppError::NotFound) }
    }

    pub async fn list_sessions(&self, who: &SessionUser) -> Result<Vec<SessionInfo>, AppError> {
        let now = self.clock.now();
        let rows =
            sessions::list_for_user(&mut *self.store.reader().await?, who.user.id, now, self.idle_since(now)).await?;
        Ok(rows
            .into_iter()
            .map(|s| SessionInfo {
                id: s.id,
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
                current: s.id == who.session.id,
                browser: s.browser,
                ip_masked: s.ip_masked,
            })
            .collect())
    }
}
