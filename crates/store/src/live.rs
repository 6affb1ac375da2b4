//! Live updates between instances on one PostgreSQL database: `NOTIFY` on one channel, `LISTEN` on
//! a dedicated connection per instance. Payloads are short and carry no content (ids and numbers);
//! every receiver checks permissions itself.

use sqlx::postgres::PgListener;

use crate::{Conn, Result};

pub const CHANNEL: &str = "weft_live";

/// Tells every listening instance (this one included) about `payload`. PostgreSQL only.
pub async fn notify(conn: &mut Conn, payload: &str) -> Result<()> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(payload)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub struct Listener(PgListener);

impl Listener {
    pub(crate) async fn connect(url: &str) -> Result<Self> {
        let mut listener = PgListener::connect(url).await?;
        listener.listen(CHANNEL).await?;
        Ok(Self(listener))
    }

    /// The next payload. Reconnects by itself after a dropped connection (what was sent meanwhile
    /// is lost; clients reconnect and reload).
    pub async fn recv(&mut self) -> Result<String> {
        Ok(self.0.recv().await?.payload().to_owned())
    }
}
