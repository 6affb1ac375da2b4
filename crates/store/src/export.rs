//! What the personal-data export (P8) reads: one statement per kind of data, each selecting the
//! rows that belong to one person (`$1` is their id). Never another member's email address.
//!
//! `KINDS` is the single list of what is exported. `NOT_EXPORTED` names the tables that point at
//! a person but are deliberately left out, with the reason. A test fails when a table with a
//! person column is in neither list.

use crate::{Conn, Result, Row, query};

/// One kind of data in the export.
pub struct Kind {
    /// The file name without extension: `comments` → `comments.json`, `comments.csv`.
    pub name: &'static str,
    pub title: &'static str,
    /// The tables this kind covers (for the completeness test).
    pub tables: &'static [&'static str],
    pub sql: &'static str,
}

pub const KINDS: &[Kind] = &[
    Kind {
        name: "profile",
        title: "Your profile",
        tables: &["users"],
        sql: "SELECT key, name, username, email, time_zone, bio, state, is_admin, email_verified_at, emails_unsubscribed_at, \
              digest, digest_day, digest_due_at, created_at, updated_at FROM users WHERE id = $1",
    },
    Kind {
        name: "poll_templates",
        title: "Poll templates you saved for your groups",
        tables: &["poll_templates"],
        sql: "SELECT t.name, g.name AS group_name, t.settings, t.created_at FROM poll_templates t \
              JOIN groups g ON g.id = t.group_id WHERE t.author_id = $1 ORDER BY t.created_at",
    },
    Kind {
        name: "sessions",
        title: "Your sessions (IP addresses masked)",
        tables: &["sessions"],
        sql: "SELECT created_at, authenticated_at, last_seen_at, expires_at, browser, ip_masked FROM sessions \
              WHERE user_id = $1 ORDER BY created_at",
    },
    Kind {
        name: "memberships",
        title: "Groups you belong to",
        tables: &["memberships"],
        sql: "SELECT g.name AS group_name, g.key AS group_key, m.role, m.volume, m.created_at AS joined_at FROM memberships m \
              JOIN groups g ON g.id = m.group_id WHERE m.user_id = $1 ORDER BY m.created_at",
    },
    Kind {
        name: "inbound_emails",
        title: "Emails you sent to Weft (what became of each; their content is not kept)",
        tables: &["inbound_emails"],
        sql: "SELECT i.received_at, i.outcome, t.title AS thread_title, i.size_bytes FROM inbound_emails i \
              LEFT JOIN threads t ON t.id = i.thread_id WHERE i.user_id = $1 ORDER BY i.received_at",
    },
    Kind {
        name: "notifications",
        title: "Your notifications",
        tables: &["notifications"],
        // What each was about, never who acted: that is someone else's data.
        sql: "SELECT n.kind, g.name AS group_name, t.title AS thread_title, p.title AS poll_title, n.seq, n.count, \
              n.created_at, n.read_at FROM notifications n JOIN groups g ON g.id = n.group_id \
              LEFT JOIN threads t ON t.id = n.thread_id LEFT JOIN polls p ON p.id = n.poll_id \
              WHERE n.user_id = $1 ORDER BY n.id",
    },
    Kind {
        name: "poll_volumes",
        title: "How you chose to hear of polls",
        tables: &["poll_volumes"],
        sql: "SELECT p.title AS poll_title, v.volume FROM poll_volumes v JOIN polls p ON p.id = v.poll_id \
              WHERE v.user_id = $1 ORDER BY p.id",
    },
    Kind {
        name: "membership_requests",
        title: "Your requests to join groups",
        tables: &["membership_requests"],
        sql: "SELECT g.name AS group_name, r.introduction, r.status, r.created_at, r.responded_at \
              FROM membership_requests r JOIN groups g ON g.id = r.group_id WHERE r.user_id = $1 ORDER BY r.created_at",
    },
    Kind {
        name: "groups_started",
        title: "Groups you started",
        tables: &["groups"],
        sql: "SELECT name, key, handle, privacy, created_at FROM groups WHERE created_by = $1 ORDER BY created_at",
    },
    Kind {
        name: "threads",
        title: "Threads you started",
        tables: &["threads"],
        sql: "SELECT t.key, g.name AS group_name, t.title, t.context, t.private, t.created_at, t.edited_at, t.closed_at \
              FROM threads t JOIN groups g ON g.id = t.group_id WHERE t.author_id = $1 ORDER BY t.created_at",
    },
    Kind {
        name: "comments",
        title: "Your comments",
        tables: &["comments"],
        sql: "SELECT t.key AS thread_key, t.title AS thread_title, c.seq, c.body, c.created_at, c.edited_at, c.deleted_at \
              FROM comments c JOIN threads t ON t.id = c.thread_id WHERE c.author_id = $1 ORDER BY c.created_at, c.id",
    },
    Kind {
        name: "edits",
        title: "Earlier versions you replaced",
        tables: &["revisions"],
        sql: "SELECT t.key AS thread_key, r.comment_id, r.title, r.body, r.created_at AS replaced_at FROM revisions r \
              JOIN threads t ON t.id = r.thread_id WHERE r.editor_id = $1 ORDER BY r.created_at",
    },
    Kind {
        name: "reactions",
        title: "Your reactions",
        tables: &["reactions"],
        sql: "SELECT t.key AS thread_key, c.seq AS comment_seq, r.emoji, r.created_at FROM reactions r \
              JOIN comments c ON c.id = r.comment_id JOIN threads t ON t.id = c.thread_id WHERE r.user_id = $1 \
              ORDER BY r.created_at",
    },
    Kind {
        name: "poll_reactions",
        title: "Your reactions on polls, votes and outcomes",
        tables: &["poll_reactions"],
        sql: "SELECT p.key AS poll_key, p.title AS poll_title, r.target_kind AS reacted_to, r.emoji, r.created_at \
              FROM poll_reactions r JOIN polls p ON p.id = r.poll_id WHERE r.user_id = $1 ORDER BY r.created_at",
    },
    Kind {
        name: "read_marks",
        title: "How far you have read each thread, and how closely you follow it (follow, normal or mute)",
        tables: &["thread_reads"],
        sql: "SELECT t.key AS thread_key, t.title AS thread_title, r.read_seq, r.read_at, r.chosen_volume AS volume FROM thread_reads r \
              JOIN threads t ON t.id = r.thread_id WHERE r.user_id = $1 ORDER BY r.read_at",
    },
    Kind {
        name: "guest_access",
        title: "Threads you take part in as a guest",
        tables: &["thread_guests"],
        sql: "SELECT t.key AS thread_key, t.title AS thread_title, g.created_at AS since FROM thread_guests g \
              JOIN threads t ON t.id = g.thread_id WHERE g.user_id = $1 ORDER BY g.created_at",
    },
    Kind {
        name: "invitations_sent",
        title: "Invitations you sent that are still pending (the invited addresses are not repeated here)",
        tables: &["invitations", "guest_invitations", "poll_invitations"],
        sql: "SELECT g.name AS group_name, NULL AS thread_title, NULL AS poll_title, i.created_at, i.expires_at FROM invitations i \
              JOIN groups g ON g.id = i.group_id WHERE i.inviter_id = $1 \
              UNION ALL SELECT g.name, t.title, NULL, i.created_at, i.expires_at FROM guest_invitations i \
              JOIN threads t ON t.id = i.thread_id JOIN groups g ON g.id = t.group_id WHERE i.inviter_id = $1 \
              UNION ALL SELECT g.name, NULL, p.title, i.created_at, i.expires_at FROM poll_invitations i \
              JOIN polls p ON p.id = i.poll_id JOIN groups g ON g.id = p.group_id WHERE i.inviter_id = $1",
    },
    Kind {
        name: "invitations_received",
        title: "Pending invitations addressed to you, into groups, threads and polls",
        tables: &["invitations", "guest_invitations", "poll_invitations"],
        sql: "SELECT g.name AS group_name, NULL AS thread_title, NULL AS poll_title, i.message, i.created_at, i.expires_at \
              FROM invitations i JOIN groups g ON g.id = i.group_id WHERE i.email = (SELECT email FROM users WHERE id = $1) \
              UNION ALL SELECT g.name, t.title, NULL, i.message, i.created_at, i.expires_at FROM guest_invitations i \
              JOIN threads t ON t.id = i.thread_id JOIN groups g ON g.id = t.group_id \
              WHERE i.email = (SELECT email FROM users WHERE id = $1) \
              UNION ALL SELECT g.name, NULL, p.title, '', i.created_at, i.expires_at FROM poll_invitations i \
              JOIN polls p ON p.id = i.poll_id JOIN groups g ON g.id = p.group_id \
              WHERE i.email = (SELECT email FROM users WHERE id = $1)",
    },
    Kind {
        name: "policy_versions_seen",
        title: "Policy versions you have seen",
        tables: &["policy_acks"],
        sql: "SELECT kind, version, seen_at FROM policy_acks WHERE user_id = $1 ORDER BY kind",
    },
    Kind {
        name: "policies_published",
        title: "Policy versions you published (as an administrator)",
        tables: &["policies"],
        sql: "SELECT kind, version, summary, published_at FROM policies WHERE published_by = $1 ORDER BY published_at",
    },
    Kind {
        name: "deletion_requests",
        title: "Deletion requests you made",
        tables: &["deletion_requests"],
        sql: "SELECT g.name AS group_name, r.body, r.status, r.outcome, r.created_at, r.due_at, r.resolved_at \
              FROM deletion_requests r LEFT JOIN groups g ON g.id = r.group_id WHERE r.requester_id = $1 ORDER BY r.created_at",
    },
    Kind {
        name: "private_content_read_as_admin",
        title: "Private group content you read as an instance administrator (the access log)",
        tables: &["access_log"],
        sql: "SELECT g.name AS group_name, a.what, a.reason, a.at FROM access_log a JOIN groups g ON g.id = a.group_id \
              WHERE a.staff_id = $1 ORDER BY a.at",
    },
    Kind {
        name: "security_log",
        title: "Security events about your account (only if the operator keeps a security log: 7 days, with full IP addresses)",
        tables: &["security_log"],
        sql: "SELECT event, ip, at FROM security_log WHERE user_id = $1 ORDER BY at",
    },
    Kind {
        name: "polls_raised",
        title: "Polls you raised",
        tables: &["polls"],
        sql: "SELECT p.key, g.name AS group_name, p.kind, p.title, p.details, p.anonymous, p.opening_at, p.closing_at, \
              p.closed_at, p.created_at, p.edited_at FROM polls p JOIN groups g ON g.id = p.group_id \
              WHERE p.author_id = $1 ORDER BY p.created_at",
    },
    Kind {
        name: "votes",
        title: "Your votes, every version (the current one marked), with their choices and reasons (anonymous votes are in no file: nothing ties them to you)",
        tables: &["votes", "vote_choices"],
        sql: "SELECT p.key AS poll_key, p.title AS poll_title, v.current, v.reason, v.created_at, v.replaced_at, \
              o.name AS option_name, c.value FROM votes v JOIN polls p ON p.id = v.poll_id \
              LEFT JOIN vote_choices c ON c.vote_id = v.id LEFT JOIN poll_options o ON o.id = c.option_id \
              WHERE v.voter_id = $1 ORDER BY v.created_at, v.id, o.position",
    },
    Kind {
        name: "polls_voted_in",
        title: "Polls you voted in (that you voted, not what)",
        tables: &["vote_receipts"],
        sql: "SELECT p.key AS poll_key, p.title AS poll_title, p.anonymous FROM vote_receipts r \
              JOIN polls p ON p.id = r.poll_id WHERE r.user_id = $1 ORDER BY p.created_at",
    },
    Kind {
        name: "polls_naming_you",
        title: "Polls that named you as one of their voters",
        tables: &["poll_voters"],
        sql: "SELECT p.key AS poll_key, p.title AS poll_title FROM poll_voters v JOIN polls p ON p.id = v.poll_id \
              WHERE v.user_id = $1 ORDER BY p.created_at",
    },
    Kind {
        name: "poll_options_added",
        title: "Options you added to polls",
        tables: &["poll_options"],
        sql: "SELECT p.key AS poll_key, o.name, o.created_at FROM poll_options o JOIN polls p ON p.id = o.poll_id \
              WHERE o.added_by = $1 ORDER BY o.created_at",
    },
    Kind {
        name: "outcomes",
        title: "Outcomes you wrote, every version",
        tables: &["outcomes"],
        sql: "SELECT p.key AS poll_key, p.title AS poll_title, o.statement, o.review_at, o.current, o.created_at \
              FROM outcomes o JOIN polls p ON p.id = o.poll_id WHERE o.author_id = $1 ORDER BY o.created_at",
    },
    Kind {
        name: "emails_to_you",
        title: "Emails we sent you (bodies are erased after the retention period)",
        tables: &["outbox_emails"],
        sql: "SELECT kind, to_address, subject, status, created_at, sent_at FROM outbox_emails WHERE user_id = $1 \
              ORDER BY created_at",
    },
];

/// Tables with a column pointing at a person that the export leaves out, and why.
pub const NOT_EXPORTED: &[(&str, &str)] = &[
    ("login_tokens", "hashes of short-lived secrets; nothing readable"),
    (
        "outbox_email_sources",
        "ids of the groups and authors a digest quotes, so that erasing them erases it; the email itself is in emails",
    ),
    ("unsubscribe_tokens", "hashes of secrets; nothing readable"),
    (
        "poll_announced_people",
        "that a poll's author chose to email you when it opens, kept only until it opens; the email itself is in emails",
    ),
    ("invitation_quota", "a count of invitations per day, kept two days"),
    (
        "events",
        "timeline entries that point at a poll, vote or outcome of yours, all in the files above",
    ),
    (
        "data_exports",
        "earlier copies of this very export, kept until their download link expires",
    ),
];

/// A value as read from any backend.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
}

/// One kind's rows for `user_id`, as (column, value) pairs in select order.
pub async fn rows(conn: &mut Conn, kind: &Kind, user_id: crate::users::UserId) -> Result<Vec<Vec<(String, Value)>>> {
    query(kind.sql)
        .bind(user_id)
        .fetch_all(&mut *conn, |r| Ok(row_values(r)))
        .await
}

fn row_values(row: &Row<'_>) -> Vec<(String, Value)> {
    row.column_names()
        .into_iter()
        .enumerate()
        .map(|(i, column)| {
            let value = match row.try_get::<Option<i64>, _>(i) {
                Ok(Some(n)) => Value::Int(n),
                Ok(None) => Value::Null,
                Err(_) => match row.try_get::<Option<String>, _>(i) {
                    Ok(Some(s)) => Value::Text(s),
                    _ => Value::Null,
                },
            };
            (column, value)
        })
        .collect()
}
