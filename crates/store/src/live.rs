//! Live updates between instances on one PostgreSQL database: `NOTIFY` on one channel, `LISTEN` on
//! a dedicated connection per instance. Payloads are short and carry no content (ids and numbers);
//! every receiver checks permissions itself.

use tokio::sync::mpsc;
use tokio_postgres::AsyncMessage;

use crate::{Conn, Result, StoreError, query};

pub const CHANNEL: &str = "weft_live";

/// Tells every listening instance (this one included) about `payload`. PostgreSQL only.
pub async fn notify(conn: &mut Conn, payload: &str) -> Result<()> {
    query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(payload)
        .execute(conn)
        .await?;
    Ok(())
}

pub struct Listener {
    config: tokio_postgres::Config,
    /// The listening connection's client (dropping it closes the connection) and what it hears.
    open: Option<(tokio_postgres::Client, mpsc::UnboundedReceiver<String>)>,
}

impl Listener {
    pub(crate) async fn connect(config: tokio_postgres::Config) -> Result<Self> {
        let mut listener = Self { config, open: None };
        listener.open = Some(listener.listen().await?);
        Ok(listener)
    }

    async fn listen(&self) -> Result<(tokio_postgres::Client, mpsc::UnboundedReceiver<String>)> {
        let (client, mut connection) = self.config.connect(tokio_postgres::NoTls).await?;
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            loop {
                match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
                    Some(Ok(AsyncMessage::Notification(n))) => {
                        if tx.send(n.payload().to_owned()).is_err() {
                            return;
                        }
                    }
                    Some(Ok(_)) => {}
                    Some(Err(error)) => {
                        tracing::warn!(%error, "live updates: the listening connection failed");
                        return;
                    }
                    None => return,
                }
            }
        });
        client.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
        Ok((client, rx))
    }

    /// The next payload. Reconnects by itself after a dropped connection (what was sent meanwhile
    /// is lost; clients reconnect and reload).
    pub async fn recv(&mut self) -> Result<String> {
        loop {
            if self.open.is_none() {
                self.open = Some(self.listen().await?);
            }
            let (_, rx) = self.open.as_mut().ok_or(StoreError::Closed)?;
            match rx.recv().await {
                Some(payload) => return Ok(payload),
                None => self.open = None,
            }
        }
    }
}
