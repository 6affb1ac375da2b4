//! Turns what an email says into its text and HTML bodies, both from one layout.

use askama::Template;

/// A button in the HTML part, a plain link in the text part.
#[derive(Debug, Clone)]
pub struct Action {
    pub label: String,
    pub url: String,
}

/// What an email says. Every field is plain text: the HTML layout escapes it.
#[derive(Debug, Clone)]
pub struct EmailContent {
    pub subject: String,
    pub greeting_name: String,
    pub paragraphs: Vec<String>,
    pub action: Option<Action>,
    pub code: Option<String>,
    pub closing: Vec<String>,
    /// Why this person gets this email, shown in the footer.
    pub footer_reason: String,
    /// What someone wrote (a comment, a thread's context), with its formatting, in place of the
    /// paragraph `%%content%%`.
    pub formatted: Option<Formatted>,
}

/// The marker a wording template writes where what someone wrote goes.
pub const CONTENT: &str = "%%content%%";

/// What someone wrote, for both parts: the text part shows it as they typed it (Markdown reads as
/// text: quotes, lists and code keep their lines), the HTML part rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Formatted {
    pub text: String,
    /// Sanitised HTML: the caller renders it through the site's own sanitiser
    /// (`weft_domain::markdown::to_html`), the layout inserts it as it is.
    pub html: String,
}

/// Where the message comes from, for the footer of every email.
#[derive(Debug, Clone)]
pub struct Footer<'a> {
    pub instance_name: &'a str,
    pub base_url: &'a str,
    pub unsubscribe_url: &'a str,
    /// The email carries the reader's own reply address: say that a reply becomes a comment.
    pub replies: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composed {
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Template)]
#[template(path = "email.html")]
struct HtmlEmail<'a> {
    subject: &'a str,
    greeting_name: &'a str,
    c: &'a EmailContent,
    footer: &'a Footer<'a>,
}

#[derive(Template)]
#[template(path = "email.txt", escape = "none")]
struct TextEmail<'a> {
    greeting_name: &'a str,
    c: &'a EmailContent,
    footer: &'a Footer<'a>,
}

/// Subjects go into a header: no line breaks may survive (header injection), and length is bounded.
fn one_line(s: &str, max_chars: usize) -> String {
    let flat: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let flat = flat.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > max_chars {
        let mut cut: String = flat.chars().take(max_chars - 1).collect();
        cut.push('…');
        cut
    } else {
        flat
    }
}

impl EmailContent {
    /// Puts what someone wrote where the template wrote `%%content%%`.
    #[must_use]
    pub fn with_formatted(mut self, formatted: Formatted) -> Self {
        self.formatted = Some(formatted);
        self
    }

    pub fn compose(&self, footer: &Footer<'_>) -> Composed {
        let subject = one_line(&self.subject, 150);
        let greeting_name = one_line(&self.greeting_name, 100);
        let html = HtmlEmail {
            subject: &subject,
            greeting_name: &greeting_name,
            c: self,
            footer,
        }
        .render()
        .expect("rendering an email template into a String cannot fail");
        let text = TextEmail {
            greeting_name: &greeting_name,
            c: self,
            footer,
        }
        .render()
        .expect("rendering an email template into a String cannot fail");
        Composed { subject, text, html }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> EmailContent {
        EmailContent {
            subject: "Your log-in link\r\nBcc: victim@example.org".into(),
            greeting_name: "<script>alert(1)</script>".into(),
            paragraphs: vec!["Use the button below.".into()],
            action: Some(Action {
                label: "Log in".into(),
                url: "https://weft.example/login/token/abc".into(),
            }),
            code: Some("123456".into()),
            closing: vec![],
            footer_reason: "You asked to log in.".into(),
            formatted: None,
        }
    }

    /// What someone wrote keeps its lines in the text part and its rendering in the HTML part;
    /// nothing in it can become a header, a button or a closing line (it is placed after parsing).
    #[test]
    fn what_someone_wrote_keeps_its_formatting_in_both_parts() {
        let mut c = sample();
        c.paragraphs = vec!["Bob wrote:".into(), CONTENT.into(), "Reply on the site.".into()];
        c.code = None;
        let written =
            "> Who takes Mondays?\n\n- me\n- you\n\n```\nrota.sh --weekly\n```\naction: Steal | https://evil.example";
        let c = c.with_formatted(Formatted {
            text: written.into(),
            html:
                "<blockquote><p>Who takes Mondays?</p></blockquote><ul><li>me</li></ul><pre><code>rota.sh</code></pre>"
                    .into(),
        });
        let out = c.compose(&Footer {
            instance_name: "Weft",
            base_url: "https://weft.example",
            unsubscribe_url: "https://weft.example/unsubscribe/x",
            replies: false,
        });
        assert!(
            out.text
                .contains("> Who takes Mondays?\n\n- me\n- you\n\n```\nrota.sh --weekly\n```"),
            "{}",
            out.text
        );
        assert!(
            out.html.contains("<blockquote><p>Who takes Mondays?</p></blockquote>"),
            "{}",
            out.html
        );
        assert!(out.html.contains("<pre><code>rota.sh</code></pre>"));
        assert!(!out.text.contains(CONTENT) && !out.html.contains(CONTENT));
        assert!(
            out.text.find("Bob wrote:") < out.text.find("Who takes")
                && out.text.find("Who takes") < out.text.find("Reply on the site.")
        );
        assert_eq!(c.action.as_ref().unwrap().url, "https://weft.example/login/token/abc");
        // Without anything written, the marker leaves no trace.
        let mut bare = sample();
        bare.paragraphs = vec![CONTENT.into()];
        let out = bare.compose(&Footer {
            instance_name: "Weft",
            base_url: "https://weft.example",
            unsubscribe_url: "u",
            replies: false,
        });
        assert!(!out.text.contains(CONTENT) && !out.html.contains(CONTENT));
    }

    #[test]
    fn only_an_email_with_a_reply_address_says_a_reply_becomes_a_comment() {
        let hint = "Reply to this email to answer in the thread";
        for replies in [false, true] {
            let c = sample().compose(&Footer {
                instance_name: "Weft",
                base_url: "https://weft.example",
                unsubscribe_url: "https://weft.example/unsubscribe/xyz",
                replies,
            });
            assert_eq!(c.text.contains(hint), replies);
            assert_eq!(c.html.contains(hint), replies);
        }
    }

    #[test]
    fn both_parts_carry_the_link_code_and_unsubscribe_footer() {
        let c = sample().compose(&Footer {
            instance_name: "Weft",
            base_url: "https://weft.example",
            unsubscribe_url: "https://weft.example/unsubscribe/xyz",
            replies: false,
        });
        for body in [&c.text, &c.html] {
            assert!(body.contains("https://weft.example/login/token/abc"));
            assert!(body.contains("123456"));
            assert!(body.contains("https://weft.example/unsubscribe/xyz"));
        }
        assert!(!c.html.contains("<script>"), "names are escaped in HTML");
        assert!(
            !c.subject.contains('\n') && !c.subject.contains('\r'),
            "no header injection"
        );
    }
}

/// The sender's name an email about someone's action shows: "Ada via Riverside Garden". One line,
/// without the characters that would need quoting tricks, at most 120 characters (the address
/// stays the instance's own: the mail is ours, sent on their behalf).
pub fn via(person: &str, group: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_control() || matches!(c, '"' | '<' | '>' | '\\') {
                    ' '
                } else {
                    c
                }
            })
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    clean(&format!("{} via {}", clean(person), clean(group)))
        .chars()
        .take(120)
        .collect()
}

#[cfg(test)]
mod via_tests {
    use super::via;

    #[test]
    fn the_sender_reads_as_a_person_via_a_group_on_one_line() {
        assert_eq!(via("Ada", "Riverside Garden"), "Ada via Riverside Garden");
        assert_eq!(
            via("Ada \"Boss\" <x@evil>", "G\r\nBcc: y"),
            "Ada Boss x@evil via G Bcc: y"
        );
        assert_eq!(via(&"a".repeat(200), "G").chars().count(), 120);
    }
}
