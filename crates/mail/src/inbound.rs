//! Reading one inbound message (RFC 5322, MIME): who it is from, whom it is for, whether a
//! machine wrote it (RFC 3834), and its text (the text part, or the HTML part turned into text
//! when there is none). Parsing is `mail-parser`'s; what counts as the person's own words is
//! `weft_domain::inbound::quotes`.

use mail_parser::{MessageParser, PartType};

/// What Weft needs of an inbound message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbound {
    /// The `From` address, lowercased.
    pub from: Option<String>,
    /// Every address it was delivered to, as the headers say (`To`, `Cc`, `Delivered-To`,
    /// `X-Original-To`, `Envelope-To`), lowercased.
    pub recipients: Vec<String>,
    /// An auto-reply, a bounce or a list's mail.
    pub automatic: bool,
    /// The text as sent, quotes and signature included.
    pub text: String,
    /// The subject, decoded (a new thread's title).
    pub subject: Option<String>,
    /// Every `Authentication-Results` value, topmost (added last) first.
    pub authentication_results: Vec<String>,
}

/// An HTML-only message as text: each block (a `div`, a list item, a heading, a quote, a rule)
/// on its own line, as a mail client shows it, then `mail-parser`'s conversion (tags dropped,
/// entities decoded, `<br>` and `</p>` as line breaks).
fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let lower = html.to_ascii_lowercase();
    let mut i = 0;
    while let Some(at) = lower[i..].find('<').map(|p| p + i) {
        out.push_str(&html[i..at]);
        let end = lower[at..].find('>').map_or(lower.len(), |p| p + at + 1);
        let tag = &lower[at..end];
        let name: String = tag
            .trim_start_matches(['<', '/'])
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        let block = matches!(
            name.as_str(),
            "div" | "li" | "tr" | "blockquote" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "ul" | "ol" | "table"
        );
        if (block && tag.starts_with("</")) || name == "hr" {
            out.push_str("<br>");
        } else {
            out.push_str(&html[at..end]);
        }
        i = end;
    }
    out.push_str(&html[i..]);
    mail_parser::decoders::html::html_to_text(&out)
}

/// Reads a message; `None` when it is not one.
pub fn parse(raw: &[u8]) -> Option<Inbound> {
    let message = MessageParser::default().parse(raw)?;
    let header = |name: &str| message.header_raw(name).map(|v| v.trim().to_owned());
    let mut automatic = weft_domain::inbound::is_automatic(header);
    let from = message
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .map(str::to_ascii_lowercase);
    if let Some(f) = &from {
        let local = f.split('@').next().unwrap_or_default();
        automatic |= matches!(local, "mailer-daemon" | "postmaster" | "noreply" | "no-reply");
    }
    let mut recipients: Vec<String> = Vec::new();
    let mut authentication_results = Vec::new();
    for list in [message.to(), message.cc()].into_iter().flatten() {
        recipients.extend(list.iter().filter_map(|a| a.address()).map(str::to_ascii_lowercase));
    }
    for (name, value) in message.headers_raw() {
        if ["Delivered-To", "X-Original-To", "Envelope-To"]
            .iter()
            .any(|n| n.eq_ignore_ascii_case(name))
        {
            recipients.push(value.trim().trim_matches(['<', '>']).to_ascii_lowercase());
        }
        if name.eq_ignore_ascii_case("Authentication-Results") {
            // Folded over several lines: one line again.
            authentication_results.push(value.split_whitespace().collect::<Vec<_>>().join(" "));
        }
    }
    recipients.sort();
    recipients.dedup();
    let text = match message.text_part(0).map(|p| &p.body) {
        Some(PartType::Text(t)) => t.to_string(),
        Some(PartType::Html(h)) => html_to_text(h),
        _ => String::new(),
    };
    Some(Inbound {
        from,
        recipients,
        automatic,
        text,
        subject: message.subject().map(|s| s.trim().to_owned()),
        authentication_results,
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use weft_domain::inbound::quotes::own_words;

    use super::parse;

    fn corpus(name: &str) -> Vec<u8> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/replies").join(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// Real replies' shapes from Gmail, Outlook, Apple Mail and Thunderbird in English, French,
    /// Spanish and German (attributions, Outlook's header block, phone sign-offs, "-- "
    /// signatures, quoted-printable and 8-bit bodies): what is left is exactly what Bob wrote.
    #[test]
    fn the_corpus_of_replies_keeps_only_what_was_written() {
        for lang in ["en", "fr", "es", "de"] {
            let expected = String::from_utf8(corpus(&format!("expected-{lang}.txt"))).unwrap();
            for client in ["gmail", "outlook", "apple", "thunderbird"] {
                let message = parse(&corpus(&format!("{client}-{lang}.eml"))).expect("a message");
                assert_eq!(message.from.as_deref(), Some("bob@example.org"));
                assert!(
                    message.recipients.contains(&"reply_address".to_owned()),
                    "{:?}",
                    message.recipients
                );
                assert!(!message.automatic, "{client}-{lang}");
                assert_eq!(
                    own_words(&message.text),
                    expected,
                    "{client}-{lang}: {:?}",
                    message.text
                );
            }
        }
    }

    /// Mail with only an HTML part is read as text.
    #[test]
    fn html_only_mail_becomes_text() {
        let message = parse(&corpus("outlook-html-only.eml")).expect("a message");
        let words = own_words(&message.text);
        let lines: Vec<&str> = words.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        assert_eq!(
            lines,
            [
                "Yes, I can take Mondays.",
                "I'll bring:",
                "- the hose",
                "- the **seeds**"
            ],
            "{:?}",
            message.text
        );
    }

    #[test]
    fn auto_replies_and_bounces_are_machines() {
        let reply = b"From: Bob <bob@example.org>\r\nTo: reply+x@r.example\r\nAuto-Submitted: auto-replied\r\nSubject: Out of office\r\n\r\nI am away.\r\n";
        assert!(parse(reply).unwrap().automatic);
        let bounce =
            b"From: MAILER-DAEMON@mx.example\r\nTo: reply+x@r.example\r\nSubject: Undelivered\r\n\r\nGone.\r\n";
        assert!(parse(bounce).unwrap().automatic);
        let person = b"From: Bob <bob@example.org>\r\nTo: reply+x@r.example\r\nSubject: Re\r\n\r\nHi\r\n";
        assert!(!parse(person).unwrap().automatic);
    }
}
