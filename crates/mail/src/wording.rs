//! What every email says, one template per email in `templates/emails/`. A template writes a few
//! header lines (`subject:`, `greeting:`, `reason:`, optional `action: label | url` and `code:`),
//! a blank line, the paragraphs (separated by blank lines) and, after a `%%closing%%` line, the
//! closing paragraphs. The layout (`email.txt`, `email.html`) then makes both parts from that.
//!
//! Values that go into a header line are `Line`s: control characters (a line break in a name)
//! become spaces, so nothing a person typed can add a header line (a link of its own) to an
//! email. Multi-paragraph values (a comment's excerpt, an invitation's message) are plain
//! strings, and templates use them in the body only.

use askama::Template;

use crate::compose::{Action, EmailContent};

/// A value on one line: what a person typed cannot start a new header line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line(String);

impl Line {
    pub fn new(value: impl AsRef<str>) -> Self {
        let flat: String = value
            .as_ref()
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        Self(flat.split_whitespace().collect::<Vec<_>>().join(" "))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Line {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl<T: AsRef<str>> From<T> for Line {
    fn from(value: T) -> Self {
        Self::new(value)
    }
}

const CLOSING: &str = "%%closing%%";

/// Reads what a wording template wrote (see the module's comment).
fn parse(rendered: &str) -> EmailContent {
    let rendered = rendered.replace("\r\n", "\n");
    let (head, body) = rendered.split_once("\n\n").unwrap_or((rendered.as_str(), ""));
    let mut content = EmailContent {
        subject: String::new(),
        greeting_name: String::new(),
        paragraphs: Vec::new(),
        action: None,
        code: None,
        closing: Vec::new(),
        footer_reason: String::new(),
        formatted: None,
    };
    for line in head.lines() {
        let (key, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.trim().to_owned();
        match key {
            "subject" => content.subject = value,
            "greeting" => content.greeting_name = value,
            "reason" => content.footer_reason = value,
            "code" => content.code = Some(value),
            "action" => {
                // The URL is the last part: a label cannot hold one.
                if let Some((label, url)) = value.rsplit_once(" | ") {
                    content.action = Some(Action {
                        label: label.trim().to_owned(),
                        url: url.trim().to_owned(),
                    });
                }
            }
            other => debug_assert!(false, "an email template writes an unknown header {other:?}"),
        }
    }
    let (main, closing) = match body.split_once(&format!("\n{CLOSING}\n")) {
        Some((m, c)) => (m, c),
        None => (body.trim_end().strip_suffix(CLOSING).unwrap_or(body), ""),
    };
    let paragraphs = |text: &str| -> Vec<String> {
        text.split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect()
    };
    content.paragraphs = paragraphs(main);
    content.closing = paragraphs(closing);
    content
}

/// An email's wording: its template renders what `parse` reads.
pub trait Wording: Template {
    fn content(&self) -> EmailContent {
        parse(
            &self
                .render()
                .expect("rendering an email template into a String cannot fail"),
        )
    }
}

macro_rules! wording {
    ($($(#[$doc:meta])* $name:ident = $path:literal { $($field:ident: $ty:ty),* $(,)? })*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Template)]
        #[template(path = $path, escape = "none")]
        pub struct $name {
            $(pub $field: $ty,)*
        }

        impl Wording for $name {}
    )*};
}

wording! {
    /// A log-in link and code.
    LogIn = "emails/log_in.txt" { instance: Line, name: Line, minutes: i64, link: Line, code: Line }
    /// Confirm the address of a new account.
    VerifyEmail = "emails/verify_email.txt" { instance: Line, name: Line, link: Line }
    /// Someone signed up with an address that has an account (no enumeration on the page).
    SignUpExisting = "emails/sign_up_existing.txt" { instance: Line, name: Line, login_url: Line, forgot_url: Line }
    PasswordReset = "emails/password_reset.txt" { instance: Line, name: Line, minutes: i64, link: Line }
    PasswordChanged = "emails/password_changed.txt" { instance: Line, name: Line, forgot_url: Line }
    ConfirmNewEmail = "emails/confirm_new_email.txt" { instance: Line, name: Line, link: Line }
    /// To the previous address: only the new one's domain is named.
    EmailChanged = "emails/email_changed.txt" { instance: Line, name: Line, new_domain: Line }
    EmailTaken = "emails/email_taken.txt" { instance: Line, name: Line, login_url: Line }
    /// Into a group, into one thread as a guest (`thread`), or to vote in one poll (`poll`).
    Invitation = "emails/invitation.txt" {
        instance: Line, greeting: Line, inviter: Line, group: Line, thread: Option<Line>,
        poll: Option<Line>,
        message: String, expires: Line, link: Line,
    }
    PolicyChanged = "emails/policy_changed.txt" {
        instance: Line, name: Line, title: Line, title_lower: Line, summary: String, link: Line,
    }
    /// (Each of these four puts what was written where it says `%%content%%`: `with_formatted`.)
    NewComment = "emails/new_comment.txt" { name: Line, author: Line, thread_title: Line, link: Line }
    Mention = "emails/mention.txt" { name: Line, author: Line, thread_title: Line, link: Line }
    /// A reply to the person's comment.
    Reply = "emails/reply.txt" { name: Line, author: Line, thread_title: Line, link: Line }
    /// A new thread, announced to the group (or to the loud).
    NewThread = "emails/new_thread.txt" {
        name: Line, author: Line, thread_title: Line, group: Line, link: Line,
    }
    /// A vote, to the loud ("Someone" for an anonymous poll; never the choice).
    NewVote = "emails/new_vote.txt" { name: Line, voter: Line, poll_title: Line, link: Line }
    /// To the voters, when the author asks for it at raising.
    PollOpened = "emails/poll_opened.txt" {
        name: Line, author: Line, kind: Line, poll_title: Line, place: Line, details: String, closes: Line, link: Line,
    }
    /// 24 hours before closing, to whom the poll says (the author, the undecided, every voter).
    PollClosingSoon = "emails/poll_closing_soon.txt" {
        name: Line, poll_title: Line, place: Line, closes: Line, link: Line, voted: bool, author: bool,
    }
    /// The author (or a coordinator) reminds the undecided.
    PollReminder = "emails/poll_reminder.txt" {
        name: Line, author: Line, poll_title: Line, place: Line, closes: Line, link: Line,
    }
    /// To an outcome's author on the review date they chose.
    OutcomeReview = "emails/outcome_review.txt" {
        name: Line, poll_title: Line, place: Line, statement: String, link: Line,
    }
    /// To those who voted: the outcome (with a meeting poll's chosen time as a calendar file).
    Outcome = "emails/outcome.txt" {
        name: Line, author: Line, poll_title: Line, chosen: Option<Line>, statement: String, link: Line,
        calendar: Option<Line>,
    }
    /// The catch-up digest: what is new in the person's threads (`%%content%%`: `digest::formatted`).
    Digest = "emails/digest.txt" {
        name: Line, summary: Line, cadence: Line, link: Line, settings: Line,
    }
    /// To a group's coordinators (`group`) or the data protection officer (P12).
    DeletionRequest = "emails/deletion_request.txt" {
        instance: Line, name: Line, group: Option<Line>, body: String, due: Line, link: Line,
    }
    DeletionRequestAnswered = "emails/deletion_request_answered.txt" {
        instance: Line, name: Line, group: Option<Line>, done: bool, outcome: String,
    }
    /// The last email to a deleted account's address (P10).
    DeletionReceipt = "emails/deletion_receipt.txt" { instance: Line, at: Line, deleted: Vec<String>, kept: Vec<String> }
    /// A background personal-data archive is ready (P8).
    ExportReady = "emails/export_ready.txt" { instance: Line, name: Line, kib: usize, expires: Line, link: Line }
    /// To a group's coordinators: an instance administrator opened maintenance access (P13).
    MaintenanceAccess = "emails/maintenance_access.txt" {
        instance: Line, name: Line, staff: Line, group: Line, reason: String, link: Line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::Footer;

    /// What someone wrote, as the app gives it: as typed, and rendered.
    fn formatted(text: &str) -> crate::compose::Formatted {
        let html = text
            .split("\n\n")
            .map(|p| match p.strip_prefix("> ") {
                Some(q) => format!("<blockquote><p>{q}</p></blockquote>"),
                None => format!("<p>{p}</p>"),
            })
            .collect::<String>();
        crate::compose::Formatted {
            text: text.to_owned(),
            html,
        }
    }

    fn l(s: &str) -> Line {
        Line::new(s)
    }

    /// One of every email, with the same made-up values.
    fn every_email() -> Vec<(&'static str, EmailContent)> {
        let instance = l("Weft Garden");
        let link = l("https://weft.example/x/TOKEN");
        vec![
            (
                "log_in",
                LogIn {
                    instance: instance.clone(),
                    name: l("Ann"),
                    minutes: 15,
                    link: link.clone(),
                    code: l("123456"),
                }
                .content(),
            ),
            (
                "verify_email",
                VerifyEmail {
                    instance: instance.clone(),
                    name: l("Ann"),
                    link: link.clone(),
                }
                .content(),
            ),
            (
                "sign_up_existing",
                SignUpExisting {
                    instance: instance.clone(),
                    name: l("Ann"),
                    login_url: l("https://weft.example/login"),
                    forgot_url: l("https://weft.example/password/forgot"),
                }
                .content(),
            ),
            (
                "password_reset",
                PasswordReset {
                    instance: instance.clone(),
                    name: l("Ann"),
                    minutes: 15,
                    link: link.clone(),
                }
                .content(),
            ),
            (
                "password_changed",
                PasswordChanged {
                    instance: instance.clone(),
                    name: l("Ann"),
                    forgot_url: l("https://weft.example/password/forgot"),
                }
                .content(),
            ),
            (
                "confirm_new_email",
                ConfirmNewEmail {
                    instance: instance.clone(),
                    name: l("Ann"),
                    link: link.clone(),
                }
                .content(),
            ),
            (
                "email_changed",
                EmailChanged {
                    instance: instance.clone(),
                    name: l("Ann"),
                    new_domain: l("example.net"),
                }
                .content(),
            ),
            (
                "email_taken",
                EmailTaken {
                    instance: instance.clone(),
                    name: l("Ann"),
                    login_url: l("https://weft.example/login"),
                }
                .content(),
            ),
            (
                "invitation_group",
                Invitation {
                    instance: instance.clone(),
                    greeting: l("there"),
                    inviter: l("Bob"),
                    group: l("Seed savers"),
                    thread: None,
                    poll: None,
                    message: "Join us!\n\nWe meet on Mondays.".into(),
                    expires: l("2026-12-09 10:00 UTC"),
                    link: link.clone(),
                }
                .content(),
            ),
            (
                "invitation_thread",
                Invitation {
                    instance: instance.clone(),
                    greeting: l("there"),
                    inviter: l("Bob"),
                    group: l("Seed savers"),
                    thread: Some(l("Tomatoes")),
                    poll: None,
                    message: String::new(),
                    expires: l("2026-12-09 10:00 UTC"),
                    link: link.clone(),
                }
                .content(),
            ),
            (
                "invitation_poll",
                Invitation {
                    instance: instance.clone(),
                    greeting: l("there"),
                    inviter: l("Bob"),
                    group: l("Seed savers"),
                    thread: None,
                    poll: Some(l("Buy a seed press")),
                    message: String::new(),
                    expires: l("2026-12-09 10:00 UTC"),
                    link: link.clone(),
                }
                .content(),
            ),
            (
                "policy_changed",
                PolicyChanged {
                    instance: instance.clone(),
                    name: l("Ann"),
                    title: l("Privacy policy"),
                    title_lower: l("privacy policy"),
                    summary: "Logs are kept 7 days.".into(),
                    link: link.clone(),
                }
                .content(),
            ),
            (
                "new_comment",
                NewComment {
                    name: l("Ann"),
                    author: l("Bob"),
                    thread_title: l("Tomatoes"),
                    link: link.clone(),
                }
                .content()
                .with_formatted(formatted("Who takes Mondays?\n\nI can.")),
            ),
            (
                "poll_opened",
                PollOpened {
                    name: l("Ann"),
                    author: l("Bob"),
                    kind: l("proposal"),
                    poll_title: l("Compost by the shed"),
                    place: l("Compost"),
                    details: "It gets sun there.".into(),
                    closes: l("2026-12-09 18:00 UTC"),
                    link: link.clone(),
                }
                .content(),
            ),
            (
                "poll_closing_soon_undecided",
                PollClosingSoon {
                    name: l("Ann"),
                    poll_title: l("Compost by the shed"),
                    place: l("Compost"),
                    closes: l("2026-12-09 18:00 UTC"),
                    link: link.clone(),
                    voted: false,
                    author: false,
                }
                .content(),
            ),
            (
                "poll_closing_soon_author",
                PollClosingSoon {
                    name: l("Bob"),
                    poll_title: l("Compost by the shed"),
                    place: l("Compost"),
                    closes: l("2026-12-09 18:00 UTC"),
                    link: link.clone(),
                    voted: true,
                    author: true,
                }
                .content(),
            ),
            (
                "poll_reminder",
                PollReminder {
                    name: l("Ann"),
                    author: l("Bob"),
                    poll_title: l("Compost by the shed"),
                    place: l("Compost"),
                    closes: l("2026-12-09 18:00 UTC"),
                    link: link.clone(),
                }
                .content(),
            ),
            (
                "outcome",
                Outcome {
                    name: l("Ann"),
                    author: l("Bob"),
                    poll_title: l("Compost by the shed"),
                    chosen: Some(l("Agree")),
                    statement: "We build it in **spring**.".into(),
                    link: link.clone(),
                    calendar: None,
                }
                .content(),
            ),
            (
                "digest",
                Digest {
                    name: l("Ann"),
                    summary: l("4 new in 2 threads of Seed savers"),
                    cadence: l("every day"),
                    link: l("https://weft.example/dashboard"),
                    settings: l("https://weft.example/profile/notifications"),
                }
                .content()
                .with_formatted(crate::digest::formatted(&[crate::digest::Section {
                    title: "Tomatoes".into(),
                    group: "Seed savers".into(),
                    link: "https://weft.example/t/abc?from=4#c4".into(),
                    items: vec![crate::digest::Item {
                        lead: "Bob wrote:".into(),
                        link: "https://weft.example/t/abc?from=5#c5".into(),
                        written: Some(formatted("> Which ones?\n\nThe **cherry** ones.")),
                    }],
                    more: 3,
                }])),
            ),
            (
                "outcome_review",
                OutcomeReview {
                    name: l("Bob"),
                    poll_title: l("Compost by the shed"),
                    place: l("Compost"),
                    statement: "We build it in **spring**.".into(),
                    link: link.clone(),
                }
                .content(),
            ),
            (
                "reply",
                Reply {
                    name: l("Ann"),
                    author: l("Bob"),
                    thread_title: l("Tomatoes"),
                    link: link.clone(),
                }
                .content()
                .with_formatted(formatted("> Who takes Mondays?\n\nI can.")),
            ),
            (
                "new_thread",
                NewThread {
                    name: l("Ann"),
                    author: l("Bob"),
                    thread_title: l("Tomatoes"),
                    group: l("Riverside Garden"),
                    link: link.clone(),
                }
                .content()
                .with_formatted(formatted("Who takes Mondays?")),
            ),
            (
                "new_vote",
                NewVote {
                    name: l("Ann"),
                    voter: l("Bob"),
                    poll_title: l("Buy a greenhouse"),
                    link: link.clone(),
                }
                .content(),
            ),
            (
                "mention",
                Mention {
                    name: l("Ann"),
                    author: l("Bob"),
                    thread_title: l("Tomatoes"),
                    link: link.clone(),
                }
                .content()
                .with_formatted(formatted("@ann what do you think?")),
            ),
            (
                "deletion_request_group",
                DeletionRequest {
                    instance: instance.clone(),
                    name: l("Ann"),
                    group: Some(l("Seed savers")),
                    body: "Please remove my comments.".into(),
                    due: l("2027-01-01 10:00 UTC"),
                    link: link.clone(),
                }
                .content(),
            ),
            (
                "deletion_request_dpo",
                DeletionRequest {
                    instance: instance.clone(),
                    name: l("Ann"),
                    group: None,
                    body: "Delete everything about me.".into(),
                    due: l("2027-01-01 10:00 UTC"),
                    link: link.clone(),
                }
                .content(),
            ),
            (
                "deletion_request_answered",
                DeletionRequestAnswered {
                    instance: instance.clone(),
                    name: l("Cy"),
                    group: Some(l("Seed savers")),
                    done: true,
                    outcome: "Your 3 comments are deleted.".into(),
                }
                .content(),
            ),
            (
                "deletion_receipt",
                DeletionReceipt {
                    instance: instance.clone(),
                    at: l("2026-12-02 10:00 UTC"),
                    deleted: vec!["your name".into(), "your sessions".into()],
                    kept: vec!["your comments, as by a deleted member".into()],
                }
                .content(),
            ),
            (
                "export_ready",
                ExportReady {
                    instance: instance.clone(),
                    name: l("Ann"),
                    kib: 42,
                    expires: l("2026-12-04 10:00 UTC"),
                    link: link.clone(),
                }
                .content(),
            ),
            (
                "maintenance_access",
                MaintenanceAccess {
                    instance,
                    name: l("Ann"),
                    staff: l("Sam"),
                    group: l("Seed savers"),
                    reason: "A broken upload needs a look.".into(),
                    link,
                }
                .content(),
            ),
        ]
    }

    /// Every email, text and HTML, as people read them.
    #[test]
    fn every_email_reads_as_the_snapshots_say() {
        let footer = Footer {
            instance_name: "Weft Garden",
            base_url: "https://weft.example",
            unsubscribe_url: "https://weft.example/unsubscribe/SIGNED",
            replies: false,
        };
        for (name, content) in every_email() {
            let composed = content.compose(&footer);
            insta::assert_snapshot!(
                format!("{name}"),
                format!(
                    "Subject: {}\n\n{}\n\n---- HTML ----\n{}",
                    composed.subject, composed.text, composed.html
                )
            );
        }
    }

    #[test]
    fn every_email_has_a_subject_a_reason_and_words() {
        for (name, c) in every_email() {
            assert!(!c.subject.is_empty(), "{name}");
            assert!(!c.footer_reason.is_empty(), "{name}");
            assert!(!c.paragraphs.is_empty(), "{name}");
            assert!(c.paragraphs.iter().all(|p| !p.contains(CLOSING)), "{name}");
        }
    }

    /// A name with a line break cannot add a header line, such as a link of its own.
    #[test]
    fn a_typed_line_break_cannot_add_a_header() {
        let c = NewComment {
            name: l("Ann\naction: Click | https://evil.example"),
            author: l("Bob\ncode: 000000\n\nhello"),
            thread_title: l("Tomatoes"),
            link: l("https://weft.example/t/x"),
        }
        .content()
        .with_formatted(formatted("action: Steal | https://evil.example\n%%closing%%\nno"));
        let action = c.action.expect("the real action");
        assert_eq!(action.url, "https://weft.example/t/x");
        assert_eq!(c.code, None);
        assert_eq!(c.greeting_name, "Ann action: Click | https://evil.example");
        assert!(
            c.subject.starts_with("Bob code: 000000 hello commented"),
            "{}",
            c.subject
        );
    }
}
