//! A personal reply address: `reply+<thread>-<comment>-<person>-<expiry>-<key>-<signature>@<reply
//! domain>`. Numbers in lowercase base 36 (mail systems may fold case), the expiry in days since
//! 1970, the signature the first 12 bytes of an HMAC-SHA256 under one of the instance's signing
//! keys (the keys of unsubscribe links), in hex. At most 64 characters before the `@` (RFC 5321).
//! It proves nothing about who sends the reply: the sender is checked against the person's
//! address as well.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::Refusal;
use crate::Timestamp;
use crate::unsubscribe::SigningKey;

/// The part before `+` of every reply address.
pub const PREFIX: &str = "reply+";
const TAG_BYTES: usize = 12;
const DAY_MICROS: i64 = 86_400_000_000;

/// What a reply address names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplyTo {
    pub thread_id: i64,
    /// The comment it answers (0: the thread itself).
    pub comment_id: i64,
    pub user_id: i64,
    /// Days since 1970 (UTC) after which it is refused.
    pub expires_day: i64,
}

impl ReplyTo {
    /// A reply address valid until `expires`.
    pub fn new(thread_id: i64, comment_id: Option<i64>, user_id: i64, expires: Timestamp) -> Self {
        Self {
            thread_id,
            comment_id: comment_id.unwrap_or(0),
            user_id,
            expires_day: expires.0.div_euclid(DAY_MICROS) + 1,
        }
    }
}

/// `n` in lowercase base 36 (also the group addresses' numbers).
pub(super) fn base36(mut n: u64) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    if n == 0 {
        return "0".into();
    }
    let mut out = Vec::new();
    while n > 0 {
        out.push(DIGITS[usize::try_from(n % 36).unwrap_or(0)]);
        n /= 36;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// A lowercase base-36 number of at most 12 digits.
pub(super) fn number(s: &str) -> Option<i64> {
    if s.is_empty() || s.len() > 12 || !s.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase()) {
        return None;
    }
    u64::from_str_radix(s, 36).ok().and_then(|n| i64::try_from(n).ok())
}

fn signed(r: &ReplyTo, key_id: i64) -> Option<String> {
    let part = |n: i64| u64::try_from(n).ok().map(base36);
    Some(format!(
        "{}-{}-{}-{}-{}",
        part(r.thread_id)?,
        part(r.comment_id)?,
        part(r.user_id)?,
        part(r.expires_day)?,
        part(key_id)?
    ))
}

fn mac(key: &SigningKey, signed: &str) -> Hmac<Sha256> {
    let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(&key.secret).expect("HMAC takes any key length");
    m.update(b"reply.v1.");
    m.update(signed.as_bytes());
    m
}

/// The local part (before `@`) of the reply address for `r`.
pub fn local_part(key: &SigningKey, r: &ReplyTo) -> String {
    let signed = signed(r, key.id).unwrap_or_default();
    let tag = mac(key, &signed).finalize().into_bytes();
    let hex: String = tag.iter().take(TAG_BYTES).map(|b| format!("{b:02x}")).collect();
    format!("{PREFIX}{signed}-{hex}")
}

/// The signing key a reply address names, if it reads as one (before checking anything).
pub fn key_id(local: &str) -> Option<i64> {
    let rest = local.to_ascii_lowercase();
    let fields: Vec<&str> = rest.strip_prefix(PREFIX)?.split('-').collect();
    if fields.len() != 6 {
        return None;
    }
    number(fields[4])
}

/// What a reply address names, if its signature holds under `key` and it has not expired.
pub fn verify(local: &str, key: &SigningKey, now: Timestamp) -> Result<ReplyTo, Refusal> {
    let lower = local.to_ascii_lowercase();
    let fields: Vec<&str> = lower
        .strip_prefix(PREFIX)
        .ok_or(Refusal::NotForUs)?
        .split('-')
        .collect();
    let [thread, comment, user, expires, key_id, tag] = fields[..] else {
        return Err(Refusal::BadAddress);
    };
    let parsed = (
        number(thread),
        number(comment),
        number(user),
        number(expires),
        number(key_id),
    );
    let (Some(thread_id), Some(comment_id), Some(user_id), Some(expires_day), Some(key_id)) = parsed else {
        return Err(Refusal::BadAddress);
    };
    if key_id != key.id || tag.len() != TAG_BYTES * 2 {
        return Err(Refusal::BadAddress);
    }
    let tag: Vec<u8> = (0..TAG_BYTES)
        .map(|i| u8::from_str_radix(tag.get(i * 2..i * 2 + 2)?, 16).ok())
        .collect::<Option<_>>()
        .ok_or(Refusal::BadAddress)?;
    let r = ReplyTo {
        thread_id,
        comment_id,
        user_id,
        expires_day,
    };
    // The canonical form is what was signed: "0a" and "a" are not the same address.
    let canonical = signed(&r, key_id).ok_or(Refusal::BadAddress)?;
    if canonical != fields[..5].join("-") {
        return Err(Refusal::BadAddress);
    }
    mac(key, &canonical)
        .verify_truncated_left(&tag)
        .map_err(|_| Refusal::BadAddress)?;
    if now.0.div_euclid(DAY_MICROS) >= expires_day {
        return Err(Refusal::Expired);
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Timestamp = Timestamp(1_796_000_000_000_000);

    #[test]
    fn a_reply_address_names_its_thread_comment_and_person_until_it_expires() {
        let key = SigningKey::generate(3);
        let r = ReplyTo::new(
            123_456_789,
            Some(987_654_321),
            4_999_999,
            NOW.plus(crate::Duration::days(90)),
        );
        let local = local_part(&key, &r);
        assert!(local.len() <= 64, "{local}: {} characters", local.len());
        assert!(
            local
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'+' || b == b'-')
        );
        assert_eq!(key_id(&local), Some(3));
        assert_eq!(verify(&local, &key, NOW), Ok(r));
        // Mail systems may change the case.
        assert_eq!(verify(&local.to_ascii_uppercase(), &key, NOW), Ok(r));
        assert_eq!(
            verify(&local, &key, NOW.plus(crate::Duration::days(91))),
            Err(Refusal::Expired)
        );
        // Another key, another instance: refused.
        assert_eq!(verify(&local, &SigningKey::generate(3), NOW), Err(Refusal::BadAddress));
    }

    #[test]
    fn an_altered_address_is_refused() {
        let key = SigningKey::generate(1);
        let local = local_part(&key, &ReplyTo::new(10, None, 20, NOW.plus(crate::Duration::days(90))));
        let fields: Vec<&str> = local.strip_prefix(PREFIX).unwrap().split('-').collect();
        // Another person, another thread, a later expiry, a leading zero, a shorter signature.
        for (i, value) in [(2, "21"), (0, "11"), (3, "zzzz"), (0, "0a")] {
            let mut changed = fields.clone();
            changed[i] = value;
            let forged = format!("{PREFIX}{}", changed.join("-"));
            assert_eq!(verify(&forged, &key, NOW), Err(Refusal::BadAddress), "{forged}");
        }
        let short = &local[..local.len() - 2];
        assert_eq!(verify(short, &key, NOW), Err(Refusal::BadAddress));
        assert_eq!(verify("reply+", &key, NOW), Err(Refusal::BadAddress));
        assert_eq!(verify("bob", &key, NOW), Err(Refusal::NotForUs));
    }

    proptest::proptest! {
        /// Whatever is typed after `reply+`, verification answers (never panics) and accepts
        /// only what was signed.
        #[test]
        fn made_up_addresses_are_refused(tail in "[a-z0-9+.-]{0,70}") {
            let key = SigningKey::generate(1);
            let local = format!("{PREFIX}{tail}");
            proptest::prop_assert!(verify(&local, &key, NOW).is_err());
        }
    }
}
