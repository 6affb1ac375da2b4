//! One-click unsubscribe links that need no row (P15, issue 20): the link itself says whom it
//! unsubscribes, from what and until when, signed with HMAC-SHA256 under one of the instance's
//! signing keys. Keys rotate (a new one every 30 days) and old ones verify until every link they
//! signed has expired, so rotation breaks no unexpired link.
//!
//! Format: `v1.<user key>.<scope>.<expiry, Unix seconds>.<key id>.<MAC, 64 hex digits>`.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::Timestamp;

/// One signing key: its id (in the link) and its 32 secret bytes.
#[derive(Clone)]
pub struct SigningKey {
    pub id: i64,
    pub secret: [u8; 32],
}

impl SigningKey {
    pub fn generate(id: i64) -> Self {
        Self {
            id,
            secret: crate::secret::random_bytes::<32>(),
        }
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({}, …)", self.id)
    }
}

/// What an unsubscribe link may do: stop every email the person did not ask for (`All`). Later
/// scopes (one group, one thread) sign their own name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
}

impl Scope {
    fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        (s == "all").then_some(Self::All)
    }
}

/// What a verified link says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub user_key: String,
    pub scope: Scope,
    pub expires: Timestamp,
}

fn mac(key: &SigningKey, signed: &str) -> Hmac<Sha256> {
    let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(&key.secret).expect("HMAC takes any key length");
    m.update(signed.as_bytes());
    m
}

/// The link's token for `claim`, signed with `key`.
pub fn sign(key: &SigningKey, claim: &Claim) -> String {
    let signed = format!(
        "v1.{}.{}.{}.{}",
        claim.user_key,
        claim.scope.as_str(),
        claim.expires.micros() / 1_000_000,
        key.id
    );
    let tag = mac(key, &signed).finalize().into_bytes();
    let hex: String = tag.iter().map(|b| format!("{b:02x}")).collect();
    format!("{signed}.{hex}")
}

/// Whether `token` has our link's shape, and the key id it names (so the caller can find it).
pub fn key_id(token: &str) -> Option<i64> {
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 6 || parts[0] != "v1" {
        return None;
    }
    parts[4].parse().ok()
}

/// The claim of a genuine, unexpired token signed with `key`; `None` for anything else.
pub fn verify(token: &str, key: &SigningKey, now: Timestamp) -> Option<Claim> {
    let (signed, tag_hex) = token.rsplit_once('.')?;
    let parts: Vec<&str> = signed.split('.').collect();
    if parts.len() != 5 || parts[0] != "v1" || parts[4].parse::<i64>().ok()? != key.id || tag_hex.len() != 64 {
        return None;
    }
    let tag: Vec<u8> = (0..32)
        .map(|i| u8::from_str_radix(tag_hex.get(i * 2..i * 2 + 2)?, 16).ok())
        .collect::<Option<_>>()?;
    // Constant time: a forger learns nothing from how fast a wrong tag is refused.
    mac(key, signed).verify_slice(&tag).ok()?;
    let user_key = parts[1];
    if user_key.is_empty() || !user_key.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let expires = Timestamp(parts[3].parse::<i64>().ok()?.checked_mul(1_000_000)?);
    if expires <= now {
        return None;
    }
    Some(Claim {
        user_key: user_key.to_owned(),
        scope: Scope::parse(parts[2])?,
        expires,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim() -> Claim {
        Claim {
            user_key: "aB3dE5fG7h".into(),
            scope: Scope::All,
            expires: Timestamp(2_000_000_000 * 1_000_000),
        }
    }

    #[test]
    fn a_signed_link_verifies_until_it_expires() {
        let key = SigningKey::generate(7);
        let token = sign(&key, &claim());
        assert_eq!(key_id(&token), Some(7));
        let now = Timestamp(1_900_000_000 * 1_000_000);
        assert_eq!(verify(&token, &key, now), Some(claim()));
        assert_eq!(verify(&token, &key, claim().expires), None, "expired");
    }

    #[test]
    fn any_change_to_a_link_is_refused() {
        let key = SigningKey::generate(7);
        let token = sign(&key, &claim());
        let now = Timestamp(0);
        let other = SigningKey::generate(7);
        assert_eq!(verify(&token, &other, now), None, "another key");
        for (i, _) in token.char_indices() {
            let mut bytes = token.clone().into_bytes();
            bytes[i] = if bytes[i] == b'a' { b'b' } else { b'a' };
            let tampered = String::from_utf8(bytes).unwrap();
            if tampered != token {
                assert_eq!(verify(&tampered, &key, now), None, "changed at {i}: {tampered}");
            }
        }
        assert_eq!(verify("v1.x.all.1.7", &key, now), None);
        assert_eq!(verify("", &key, now), None);
    }

    /// RFC 4231, test case 2: the MAC is HMAC-SHA256.
    #[test]
    fn the_mac_is_hmac_sha256() {
        let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(b"Jefe").unwrap();
        m.update(b"what do ya want for nothing?");
        let hex: String = m.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }
}
