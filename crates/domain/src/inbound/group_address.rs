//! A group's addresses for starting threads by email, on the reply domain:
//! - `<handle>@…`, the group's public address: the sender is known only by its `From`, which
//!   anyone can write, so it is believed only when the receiving mail server vouches for it
//!   (`authentication.rs`: its `Authentication-Results` say DMARC passed for that domain);
//! - `group+<group>-<person>-<secret>@…`, a member's own address for that group: the secret (16
//!   characters, about 82 bits, made for that membership and shown to that member only) proves
//!   the message comes from someone given it, and the sender must still be the member.
//!
//! Numbers in lowercase base 36, as in reply addresses (mail systems may fold case); at most
//! 64 characters before the `@` (RFC 5321).

use super::address::{base36, number};
use crate::groups::RESERVED_HANDLES;

/// The part before `+` of every member's own group address.
pub const PREFIX: &str = "group+";
/// Characters of a member's secret.
pub const SECRET_LEN: usize = 16;

/// What a group address names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupAddress {
    /// `<handle>@…`.
    Public { handle: String },
    /// `group+<group>-<person>-<secret>@…`.
    Personal {
        group_id: i64,
        user_id: i64,
        secret: String,
    },
}

/// A fresh secret for a member's own address.
pub fn new_secret() -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    crate::secret::random_bytes::<SECRET_LEN>()
        .iter()
        .map(|b| DIGITS[usize::from(*b) % DIGITS.len()] as char)
        .collect()
}

/// The local part of a member's own address for a group.
pub fn personal(group_id: i64, user_id: i64, secret: &str) -> String {
    let part = |n: i64| base36(u64::try_from(n).unwrap_or(0));
    format!("{PREFIX}{}-{}-{secret}", part(group_id), part(user_id))
}

/// Reads a local part (lowercase, without the domain). `None`: not a group address (a reply
/// address, or not one of ours at all).
pub fn parse(local: &str) -> Option<GroupAddress> {
    if local.len() > 64 {
        return None;
    }
    if let Some(rest) = local.strip_prefix(PREFIX) {
        let mut parts = rest.split('-');
        let (Some(group), Some(user), Some(secret), None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        let valid_secret =
            secret.len() == SECRET_LEN && secret.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase());
        return valid_secret.then_some(GroupAddress::Personal {
            group_id: number(group)?,
            user_id: number(user)?,
            secret: secret.to_owned(),
        });
    }
    // A handle, as `GroupHandle` allows them; never a reserved word (`reply+…` is a reply).
    let handle_like = (2..=60).contains(&local.len())
        && local
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !local.starts_with('-')
        && !local.ends_with('-')
        && !RESERVED_HANDLES.contains(&local);
    handle_like.then(|| GroupAddress::Public {
        handle: local.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_addresses_read_back_and_fit() {
        let secret = new_secret();
        assert_eq!(secret.len(), SECRET_LEN);
        assert_ne!(secret, new_secret());
        let local = personal(i64::from(i32::MAX), 123_456_789_012, &secret);
        assert!(local.len() <= 64, "{local}");
        assert_eq!(
            parse(&local),
            Some(GroupAddress::Personal {
                group_id: i64::from(i32::MAX),
                user_id: 123_456_789_012,
                secret
            })
        );
    }

    #[test]
    fn what_is_and_is_not_a_group_address() {
        assert_eq!(
            parse("riverside-garden"),
            Some(GroupAddress::Public {
                handle: "riverside-garden".into()
            })
        );
        for not_ours in [
            "reply+1-0-2-3-4-abcdef",
            "group+1-2-short",
            "group+1-2-0123456789abcdef-x",
            "group+-2-0123456789abcdef",
            "group+1-2-0123456789ABCDEF",
            "reply",
            "group",
            "-garden",
            "garden-",
            "g",
            "post.master",
            "garden+tag",
            &"a".repeat(61),
        ] {
            assert_eq!(parse(not_ours), None, "{not_ours}");
        }
    }
}
