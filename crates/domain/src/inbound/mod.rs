//! Mail that comes in: a reply to a notification becomes a comment, mail to a group's address a
//! new thread. What an address says (`address.rs`: a personal reply address, signed, that names
//! the thread and the person; `group_address.rs`: a group's public and members' own addresses),
//! whether the receiving server vouches for the sender (`authentication.rs`), what
//! part of a reply is the person's own words (`quotes.rs`: quoted history and signatures cut), and
//! why a message is refused (`Refusal`, stored as a word in the log, never with the content).

use crate::FieldError;

pub mod address;
pub mod authentication;
pub mod group_address;
pub mod quotes;

words! {
    /// Why an inbound message did not become a comment. Nothing is ever sent back: an answer to
    /// an auto-responder, a bounce or a forged sender could start a mail loop.
    Refusal, "inbound refusal", "Unknown refusal." {
        /// Larger than the instance accepts.
        TooLarge = "too_large",
        /// Not a message that can be read.
        Unreadable = "unreadable",
        /// An auto-reply, a bounce or a list's mail (RFC 3834 `Auto-Submitted`, `Precedence`, a
        /// delivery report, an empty return path).
        Automatic = "automatic",
        /// Not addressed to a reply address of this instance.
        NotForUs = "not_for_us",
        /// A reply address whose signature does not hold (made up, or altered).
        BadAddress = "bad_address",
        /// A genuine reply address past its time.
        Expired = "expired",
        /// The person the address names is not active (deactivated or gone).
        Inactive = "inactive",
        /// Sent from another address than the person's own.
        WrongSender = "wrong_sender",
        /// Nothing of the person's own is left once quotes and signatures are cut.
        Empty = "empty",
        /// The person may no longer comment there (left the group, thread closed or gone), or
        /// may not start a thread by email in that group.
        NotAllowed = "not_allowed",
        /// Sent to a group's public address without the receiving server vouching for the
        /// sender (no DMARC pass for the `From` domain, or no trusted server configured).
        Unverified = "unverified",
        /// A new thread with nothing to call it (no subject) or that the thread rules refuse.
        Invalid = "invalid",
    }
}

/// Whether these header values say the message was written by a machine: RFC 3834
/// `Auto-Submitted` other than `no`, `Precedence: bulk | junk | list | auto_reply`, the
/// auto-responder markers of common servers, a delivery report (`multipart/report`), or an empty
/// return path (`<>`: bounces). `header` answers a header's raw value, if present.
pub fn is_automatic(header: impl Fn(&str) -> Option<String>) -> bool {
    let value = |name: &str| header(name).map(|v| v.trim().to_ascii_lowercase());
    if value("auto-submitted").is_some_and(|v| !v.is_empty() && !v.starts_with("no")) {
        return true;
    }
    if value("precedence").is_some_and(|v| matches!(v.as_str(), "bulk" | "junk" | "list" | "auto_reply")) {
        return true;
    }
    if ["x-autoreply", "x-autorespond", "x-auto-response"]
        .iter()
        .any(|h| header(h).is_some())
    {
        return true;
    }
    if value("content-type").is_some_and(|v| v.starts_with("multipart/report")) {
        return true;
    }
    value("return-path").is_some_and(|v| {
        v.trim_matches(|c: char| c == '<' || c == '>' || c.is_whitespace())
            .is_empty()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), (*v).to_owned()))
            .collect();
        move |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    #[test]
    fn machines_are_told_apart_from_people() {
        for automatic in [
            vec![("Auto-Submitted", "auto-replied")],
            vec![("Auto-Submitted", "auto-generated")],
            vec![("Precedence", "bulk")],
            vec![("Precedence", "auto_reply")],
            vec![("X-Autoreply", "yes")],
            vec![(
                "Content-Type",
                "multipart/report; report-type=delivery-status; boundary=x",
            )],
            vec![("Return-Path", "<>")],
        ] {
            assert!(is_automatic(headers(&automatic)), "{automatic:?}");
        }
        for person in [
            vec![],
            vec![("Auto-Submitted", "no")],
            vec![("Precedence", "normal")],
            vec![("Return-Path", "<bob@example.org>")],
            vec![("Content-Type", "multipart/alternative; boundary=x")],
        ] {
            assert!(!is_automatic(headers(&person)), "{person:?}");
        }
    }
}
