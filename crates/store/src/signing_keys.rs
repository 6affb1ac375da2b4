//! The `signing_keys` table: the instance's keys for signed links (unsubscribe, P15). Secrets are
//! kept as hex; a stolen database could forge unsubscribe links, which is all they sign.

use weft_domain::Timestamp;
use weft_domain::unsubscribe::SigningKey;

use crate::{Conn, Result, query};

/// A key with the time it was made.
#[derive(Debug, Clone)]
pub struct StoredKey {
    pub key: SigningKey,
    pub created_at: Timestamp,
}

fn parse_secret(hex: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    if hex.len() != 64 {
        return None;
    }
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(i * 2..i * 2 + 2)?, 16).ok()?;
    }
    Some(out)
}

/// Every key, newest first.
pub async fn all(conn: &mut Conn) -> Result<Vec<StoredKey>> {
    let rows = query("SELECT id, secret, created_at FROM signing_keys ORDER BY created_at DESC, id DESC LIMIT 100")
        .fetch_all(&mut *conn, |r| {
            let secret: String = r.try_get("secret")?;
            Ok(parse_secret(&secret).map(|secret| (r.try_get("id"), secret, r.try_get("created_at"))))
        })
        .await?;
    let mut keys = Vec::with_capacity(rows.len());
    for (id, secret, created_at) in rows.into_iter().flatten() {
        keys.push(StoredKey {
            key: SigningKey { id: id?, secret },
            created_at: Timestamp(created_at?),
        });
    }
    Ok(keys)
}

/// Stores a new random key and returns its id.
pub async fn create(conn: &mut Conn, now: Timestamp) -> Result<i64> {
    let fresh = SigningKey::generate(0);
    let hex: String = fresh.secret.iter().map(|b| format!("{b:02x}")).collect();
    let row = query("INSERT INTO signing_keys (secret, created_at) VALUES ($1, $2) RETURNING id")
        .bind(hex)
        .bind(now.micros())
        .fetch_one(&mut *conn, |r| r.try_get("id"))
        .await?;
    Ok(row)
}

/// Deletes keys made before `before` (every link they signed has expired), except the newest.
pub async fn purge(conn: &mut Conn, before: Timestamp) -> Result<u64> {
    let done = query(
        "DELETE FROM signing_keys WHERE created_at < $1 \
         AND id <> (SELECT id FROM signing_keys ORDER BY created_at DESC, id DESC LIMIT 1)",
    )
    .bind(before.micros())
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}
