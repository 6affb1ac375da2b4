//! Invitations by email: the list of addresses someone typed and the note that goes with them.

use crate::email::EmailAddress;
use crate::validation::{FieldError, is_forbidden_char};

/// At most this many addresses in one submission; larger groups come in batches.
pub const MAX_ADDRESSES: usize = 100;
/// A personal note in the invitation email.
pub const MAX_MESSAGE: usize = 2_000;

/// Parses addresses separated by commas, semicolons, spaces or line breaks, as pasted from an
/// address book (`Ada <ada@example.org>` keeps the address). Duplicates count once. Every bad
/// entry is named in the error, so the person can fix them all at once.
pub fn parse_addresses(input: &str) -> Result<Vec<EmailAddress>, FieldError> {
    let mut found: Vec<EmailAddress> = Vec::new();
    let mut bad: Vec<String> = Vec::new();
    for entry in input
        .split([',', ';', '\n', '\r'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        // "Name <address>" → the address; otherwise a run of space-separated addresses.
        let candidates: Vec<&str> = match (entry.rfind('<'), entry.rfind('>')) {
            (Some(open), Some(close)) if open < close => vec![&entry[open + 1..close]],
            _ => entry.split_whitespace().collect(),
        };
        for candidate in candidates {
            match EmailAddress::parse(candidate) {
                Ok(email) if !found.contains(&email) => found.push(email),
                Ok(_) => {}
                Err(_) => bad.push(candidate.chars().take(80).collect()),
            }
        }
    }
    if !bad.is_empty() {
        let shown: Vec<String> = bad.iter().take(5).map(|b| format!("“{b}”")).collect();
        let more = if bad.len() > 5 {
            format!(" and {} more", bad.len() - 5)
        } else {
            String::new()
        };
        return Err(FieldError::new(format!(
            "These are not email addresses: {}{more}.",
            shown.join(", ")
        )));
    }
    if found.is_empty() {
        return Err(FieldError::new("Enter at least one email address."));
    }
    if found.len() > MAX_ADDRESSES {
        return Err(FieldError::new(format!(
            "Invite at most {MAX_ADDRESSES} addresses at a time ({} entered).",
            found.len()
        )));
    }
    Ok(found)
}

/// The optional note, trimmed, with line breaks in one form.
pub fn parse_message(input: &str) -> Result<String, FieldError> {
    let message = input.replace("\r\n", "\n").trim().to_owned();
    if message.chars().count() > MAX_MESSAGE {
        return Err(FieldError::new(format!("Use at most {MAX_MESSAGE} characters.")));
    }
    if message
        .chars()
        .any(|c| !matches!(c, '\n' | '\t') && is_forbidden_char(c))
    {
        return Err(FieldError::new("Remove the control characters from the message."));
    }
    Ok(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn emails(input: &str) -> Vec<String> {
        parse_addresses(input)
            .unwrap()
            .iter()
            .map(|e| e.as_str().to_owned())
            .collect()
    }

    #[test]
    fn addresses_as_people_paste_them() {
        assert_eq!(
            emails("ada@example.org, Bob@Example.org;\ncy@example.org  dee@example.org"),
            [
                "ada@example.org",
                "bob@example.org",
                "cy@example.org",
                "dee@example.org"
            ]
        );
        assert_eq!(emails("Ada Lovelace <ada@example.org>"), ["ada@example.org"]);
        assert_eq!(emails("a@example.org, A@example.org"), ["a@example.org"]);
    }

    #[test]
    fn every_bad_entry_is_named() {
        let err = parse_addresses("ok@example.org, nope, also-bad@").unwrap_err();
        assert!(
            err.message.contains("“nope”") && err.message.contains("“also-bad@”"),
            "{}",
            err.message
        );
        assert!(parse_addresses(" , ;").is_err());
        let many: Vec<String> = (0..=MAX_ADDRESSES).map(|i| format!("p{i}@example.org")).collect();
        assert!(
            parse_addresses(&many.join(","))
                .unwrap_err()
                .message
                .contains("at most")
        );
    }

    #[test]
    fn messages() {
        assert_eq!(parse_message(" Hi!\r\nCome in. ").unwrap(), "Hi!\nCome in.");
        assert!(parse_message(&"x".repeat(MAX_MESSAGE + 1)).is_err());
        assert!(parse_message("bell\u{7}").is_err());
    }
}
