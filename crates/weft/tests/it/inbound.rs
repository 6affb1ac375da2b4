//! Replies by email on both databases: a notification carries its reader's own reply address; a
//! reply sent from Gmail (quoted history and all) through `weft mail receive` becomes exactly
//! the words Bob wrote, as his comment; every case that must be refused is refused with nothing
//! posted and nothing sent back (no mail loop), each recorded by outcome only — never content —
//! and forgotten after 60 days.

use std::io::Write;
use std::process::{Command, Stdio};

use weft_domain::Duration;
use weft_domain::inbound::Refusal;
use weft_domain::permissions::Role;

use crate::groups::{add_member, create};
use crate::helpers::{Db, TestApp};
use crate::on_both_with;
use crate::threads::{comment, start};

const PASSWORD: &str = "correct horse battery staple";
const DOMAIN: &str = "reply.weft.test";

fn replies_on(c: &mut weft::config::ServeConfig) {
    c.reply_domain = Some(DOMAIN.into());
}

fn replies_by_smtp(c: &mut weft::config::ServeConfig) {
    c.reply_domain = Some(DOMAIN.into());
    c.smtp_inbound_bind = Some("127.0.0.1:0".into());
}

on_both_with!(super::replies_by_smtp; a_reply_over_smtp_becomes_a_comment_and_nothing_else_is_relayed);

/// Replies by email, the built-in listener, and `mx.weft.test` as the receiving server whose
/// DMARC verdicts are believed.
fn threads_by_email(c: &mut weft::config::ServeConfig) {
    replies_by_smtp(c);
    c.inbound_authserv_id = Some("mx.weft.test".into());
}

on_both_with!(super::threads_by_email; a_member_starts_a_thread_by_email_where_the_group_allows_it);

on_both_with!(super::replies_on;
    a_reply_by_email_becomes_the_comment_bob_wrote,
    what_must_be_refused_is_refused_silently_and_recorded_without_content,
);

fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../mail/tests/replies")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Runs `weft mail receive` against the test's database, as a mail server's pipe would.
fn receive(app: &TestApp, raw: &str, recipient: &str) -> (i32, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_weft"));
    cmd.args(["mail", "receive", "--reply-domain", DOMAIN, "--recipient", recipient])
        .arg("--data-dir")
        .arg(&app.data.0)
        .env_remove("WEFT_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if app.db == Db::Postgres {
        cmd.args(["--database-url", &app.database_url]);
    }
    let mut child = cmd.spawn().expect("weft runs");
    child.stdin.take().unwrap().write_all(raw.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// Bob's reply address for a thread, from the email a mention sent him.
async fn reply_address(
    app: &TestApp,
    ann: &crate::helpers::Client,
    bob: &crate::helpers::Client,
    thread: &str,
) -> String {
    let handle = bob.username().await;
    comment(ann, thread, &format!("@{handle} who takes Mondays?"), None).await;
    let mail = app.email_to_containing("bob@example.org", "who takes Mondays?").await;
    let reply_to = mail.header("Reply-To").expect("a reply address");
    assert!(
        mail.text.contains("Reply to this email to answer in the thread"),
        "{}",
        mail.text
    );
    assert!(mail.html.contains("Reply to this email to answer in the thread"));
    let address = reply_to.trim().trim_matches(['<', '>']).to_owned();
    assert!(
        address.starts_with("reply+") && address.ends_with(&format!("@{DOMAIN}")),
        "{address}"
    );
    assert!(address.split('@').next().unwrap().len() <= 64, "{address}");
    address
}

async fn bodies(app: &TestApp, ann: &crate::helpers::Client, thread: &str) -> Vec<String> {
    app.settle_jobs().await;
    let res = ann.get(&format!("/api/v1/threads/{thread}?from=1")).await;
    assert_eq!(res.status, 200, "{}", res.body);
    res.json()["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["body"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Ann's group with Bob in it, her thread, and Bob's reply address for it.
struct Garden {
    ann: crate::helpers::Client,
    thread: String,
    address: String,
}

async fn garden(app: &TestApp) -> Garden {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let g = create(&ann, "Riverside Garden", "closed", "approval").await;
    add_member(app, &g, &bob, Role::Member).await;
    let thread = start(&ann, &g, "Watering rota", "", "private").await;
    let address = reply_address(app, &ann, &bob, &thread).await;
    Garden { ann, thread, address }
}

async fn a_reply_by_email_becomes_the_comment_bob_wrote(app: &TestApp) {
    let Garden {
        ann,
        thread: t,
        address,
    } = garden(app).await;

    let raw = fixture("gmail-en.eml").replace("REPLY_ADDRESS", &address);
    let (code, out) = receive(app, &raw, &address);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("comment "), "{out}");
    let expected = fixture("expected-en.txt");
    let posted = bodies(app, &ann, &t).await;
    assert_eq!(posted.last(), Some(&expected), "{posted:?}");
    // By Bob, under the comment the email was about (Ann's, which mentioned him).
    let res = ann.get(&format!("/api/v1/threads/{t}?from=1")).await.json();
    let comments = res["comments"].as_array().unwrap().clone();
    let last = comments.last().unwrap().clone();
    assert_eq!(last["author"]["name"], "Bob", "{last}");
    let asked = comments
        .iter()
        .find(|c| c["body"].as_str().unwrap_or_default().contains("who takes Mondays?"))
        .unwrap();
    assert_eq!(last["parent_id"], asked["id"], "{res}");

    // Replying to the email of a reply lands under the same top-level comment (one level deep),
    // and a reply whose comment is gone lands in the thread itself.
    let bob_reply = app.last_email_to("ann@example.org").await;
    assert!(bob_reply.text.contains("Yes, I can take Mondays"), "{}", bob_reply.text);
    let ann_address = bob_reply.header("Reply-To").expect("a reply address");
    let ann_address = ann_address.trim().trim_matches(['<', '>']).to_owned();
    let raw = fixture("gmail-en.eml")
        .replace("REPLY_ADDRESS", &ann_address)
        .replace("Bob Builder <bob@example.org>", "Ann <ann@example.org>")
        .replace("Return-Path: <bob@example.org>", "Return-Path: <ann@example.org>");
    assert_eq!(receive(app, &raw, &ann_address).0, 0);
    let res = ann.get(&format!("/api/v1/threads/{t}?from=1")).await.json();
    let last = res["comments"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["author"]["name"].as_str(), &last["parent_id"]),
        (Some("Ann"), &asked["id"]),
        "{res}"
    );
    let mut conn = app.db_conn().await;
    weft_store::query(format!("DELETE FROM comments WHERE id = {}", asked["id"]))
        .execute(&mut conn)
        .await
        .unwrap();
    drop(conn);
    let (code, out) = receive(app, &raw.replace("Message-ID: <", "Message-ID: <again."), &ann_address);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("comment "), "{out}");
    let res = ann.get(&format!("/api/v1/threads/{t}?from=1")).await.json();
    let last = res["comments"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["author"]["name"].as_str(), &last["parent_id"]),
        (Some("Ann"), &serde_json::Value::Null),
        "{res}"
    );
    let outcomes = app
        .count("SELECT COUNT(*) FROM inbound_emails WHERE outcome = 'comment' AND user_id IS NOT NULL")
        .await;
    assert_eq!(outcomes, 3);
}

async fn what_must_be_refused_is_refused_silently_and_recorded_without_content(app: &TestApp) {
    let Garden {
        ann,
        thread: t,
        address,
    } = garden(app).await;
    let base = fixture("gmail-en.eml").replace("REPLY_ADDRESS", &address);
    let before = bodies(app, &ann, &t).await.len();
    app.settle_mail().await;
    let emails_before = app.emails().len();

    let (local, _) = address.split_once('@').unwrap();
    let mut altered = local.to_owned();
    let last = altered.pop().unwrap();
    altered.push(if last == '0' { '1' } else { '0' });
    let altered = format!("{altered}@{DOMAIN}");
    let huge = base.replace("Yes, I can take Mondays.", &"x".repeat(11 * 1024 * 1024));
    let cases: Vec<(&str, String, String, Refusal)> = vec![
        (
            "another sender",
            base.replace(
                "From: Bob Builder <bob@example.org>",
                "From: Mallory <mallory@example.org>",
            ),
            address.clone(),
            Refusal::WrongSender,
        ),
        (
            "an altered address",
            base.replace(&address, &altered),
            altered.clone(),
            Refusal::BadAddress,
        ),
        (
            "an auto-reply",
            base.replace(
                "MIME-Version: 1.0\r\n",
                "MIME-Version: 1.0\r\nAuto-Submitted: auto-replied\r\n",
            ),
            address.clone(),
            Refusal::Automatic,
        ),
        (
            "a bounce",
            base.replace("Return-Path: <bob@example.org>", "Return-Path: <>"),
            address.clone(),
            Refusal::Automatic,
        ),
        (
            "another domain",
            base.replace(&address, "someone@elsewhere.example"),
            "someone@elsewhere.example".into(),
            Refusal::NotForUs,
        ),
        (
            "only quotes",
            base.replace(
                "Yes, I can take Mondays.\r\n\r\nI'll bring:\r\n- the hose\r\n- the **seeds**",
                "",
            ),
            address.clone(),
            Refusal::Empty,
        ),
        ("too large", huge, address.clone(), Refusal::TooLarge),
        (
            "not a message",
            "\u{0}\u{1}".into(),
            address.clone(),
            Refusal::Unreadable,
        ),
    ];
    for (what, raw, to, refusal) in &cases {
        let outcome = app
            .app
            .receive_email(raw.as_bytes(), std::slice::from_ref(to))
            .await
            .unwrap();
        assert_eq!(outcome, weft_app::inbound::Received::Refused(*refusal), "{what}");
    }
    // The pipe says the same, and exits 0: the mail server sends no bounce either.
    let (code, out) = receive(app, &cases[0].1, &address);
    assert_eq!((code, out.trim()), (0, "dropped: wrong_sender"));

    // Bob leaves the group: his address no longer lets him in.
    let mut conn = app.db_conn().await;
    weft_store::query("DELETE FROM memberships WHERE user_id = (SELECT id FROM users WHERE email = 'bob@example.org')")
        .execute(&mut conn)
        .await
        .unwrap();
    drop(conn);
    let outcome = app
        .app
        .receive_email(base.as_bytes(), std::slice::from_ref(&address))
        .await
        .unwrap();
    assert_eq!(outcome, weft_app::inbound::Received::Refused(Refusal::NotAllowed));
    assert_eq!(bodies(app, &ann, &t).await.len(), before, "nothing was posted");
    app.settle_mail().await;
    assert_eq!(app.emails().len(), emails_before, "nothing was sent back to anyone");
    // Past its time (90 days), the address is refused as expired.
    app.app.clock.advance(Duration::days(91));
    let outcome = app
        .app
        .receive_email(base.as_bytes(), std::slice::from_ref(&address))
        .await
        .unwrap();
    assert_eq!(outcome, weft_app::inbound::Received::Refused(Refusal::Expired));

    // Each is recorded by its outcome; nothing of the messages is kept.
    let mut conn = app.db_conn().await;
    let rows: Vec<(String, Option<i64>)> = weft_store::query("SELECT outcome, user_id FROM inbound_emails ORDER BY id")
        .fetch_all(&mut conn, |r| Ok((r.try_get("outcome")?, r.try_get("user_id")?)))
        .await
        .unwrap();
    drop(conn);
    let words: Vec<&str> = rows.iter().map(|(o, _)| o.as_str()).collect();
    assert_eq!(
        words,
        [
            "wrong_sender",
            "bad_address",
            "automatic",
            "automatic",
            "not_for_us",
            "empty",
            "too_large",
            "unreadable",
            "wrong_sender",
            "not_allowed",
            "expired"
        ]
    );
    // Only a genuine address names its person.
    assert!(rows[1].1.is_none() && rows[4].1.is_none() && rows[0].1.is_some());
    let columns = app
        .count("SELECT COUNT(*) FROM inbound_emails WHERE outcome LIKE '%Mondays%' OR outcome LIKE '%@%'")
        .await;
    assert_eq!(columns, 0);
    // Forgotten after 60 days.
    app.app.clock.advance(Duration::days(61));
    app.app.purge_expired().await.unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM inbound_emails").await, 0);
}

/// One SMTP exchange, line by line: what the listener answered to each command.
async fn smtp_exchange(addr: std::net::SocketAddr, commands: &[&str]) -> Vec<String> {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    let mut answers = Vec::new();
    let mut line = String::new();
    let mut next = async |read: &mut BufReader<tokio::net::tcp::OwnedReadHalf>| -> String {
        // A multi-line answer ends with "ddd " (a space after the code).
        let mut all = String::new();
        loop {
            line.clear();
            let n = tokio::time::timeout(std::time::Duration::from_secs(10), read.read_line(&mut line))
                .await
                .expect("the listener answers within 10 s")
                .unwrap();
            all.push_str(&line);
            if n == 0 || line.as_bytes().get(3) == Some(&b' ') {
                return all;
            }
        }
    };
    answers.push(next(&mut read).await);
    for c in commands {
        write.write_all(c.as_bytes()).await.unwrap();
        write.write_all(b"\r\n").await.unwrap();
        answers.push(next(&mut read).await);
    }
    answers
}

async fn a_reply_over_smtp_becomes_a_comment_and_nothing_else_is_relayed(app: &TestApp) {
    let Garden {
        ann,
        thread: t,
        address,
    } = garden(app).await;
    let smtp = app.smtp_inbound.expect("the listener is on");

    // A real SMTP client (lettre) delivers Outlook's German reply.
    let raw = fixture("outlook-de.eml").replace("REPLY_ADDRESS", &address);
    let envelope =
        lettre::address::Envelope::new(Some("bob@example.org".parse().unwrap()), vec![address.parse().unwrap()])
            .unwrap();
    let client = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(smtp.port())
        .build();
    use lettre::AsyncTransport;
    let sent = client.send_raw(&envelope, raw.as_bytes()).await;
    assert!(sent.is_ok(), "{sent:?}");
    let posted = bodies(app, &ann, &t).await;
    assert_eq!(posted.last(), Some(&fixture("expected-de.txt")), "{posted:?}");

    // No relay: only reply addresses of the reply domain are taken.
    let answers = smtp_exchange(
        smtp,
        &[
            "EHLO mx.example.org",
            "MAIL FROM:<spammer@example.net>",
            "RCPT TO:<victim@example.com>",
            "RCPT TO:<bob.smith@reply.weft.test>",
            "RCPT TO:<reply+abc@reply.weft.test.example.com>",
            "DATA",
            "MAIL FROM:<a@example.net> SIZE=999999999",
            "QUIT",
        ],
    )
    .await;
    assert!(answers[0].starts_with("220 "), "{answers:?}");
    assert!(answers[1].contains("SIZE 10485760"), "{answers:?}");
    assert!(answers[2].starts_with("250"), "{answers:?}");
    for refused in &answers[3..6] {
        assert!(refused.starts_with("550 5.7.1"), "{answers:?}");
    }
    assert!(answers[6].starts_with("554"), "DATA without a recipient: {answers:?}");
    assert!(answers[7].starts_with("552"), "too large, said up front: {answers:?}");
    assert!(answers[8].starts_with("221"), "{answers:?}");

    // A forged reply over SMTP is taken (250: no bounce to the forged sender) and dropped.
    let before = bodies(app, &ann, &t).await.len();
    let forged = fixture("gmail-en.eml").replace("REPLY_ADDRESS", &address).replace(
        "From: Bob Builder <bob@example.org>",
        "From: Mallory <mallory@example.org>",
    );
    let envelope = lettre::address::Envelope::new(
        Some("mallory@example.org".parse().unwrap()),
        vec![address.parse().unwrap()],
    )
    .unwrap();
    assert!(client.send_raw(&envelope, forged.as_bytes()).await.is_ok());
    assert_eq!(bodies(app, &ann, &t).await.len(), before);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM inbound_emails WHERE outcome = 'wrong_sender'")
            .await,
        1
    );
}

// ---- starting a thread by email ----

/// A message from `from` to `to` with `subject` (none when empty) and `body`, with `extra`
/// headers on top (as a receiving server adds them).
fn message(extra: &str, from: &str, to: &str, subject: &str, body: &str) -> String {
    let subject = if subject.is_empty() {
        String::new()
    } else {
        format!("Subject: {subject}\r\n")
    };
    format!(
        "{extra}Return-Path: <{from}>\r\nFrom: {from}\r\nTo: {to}\r\n{subject}Date: Thu, 3 Dec 2026 09:00:00 +0000\r\n\
         Message-ID: <m{}@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n",
        weft_domain::random_key()
    )
}

const PASSED: &str = "Authentication-Results: mx.weft.test;\r\n spf=pass smtp.mailfrom=example.org;\r\n \
                      dkim=pass header.d=example.org; dmarc=pass (p=reject) header.from=example.org\r\n";

async fn threads_in(app: &TestApp, group: &str) -> Vec<(String, String, String)> {
    app.settle_jobs().await;
    let mut conn = app.db_conn().await;
    weft_store::query(
        "SELECT t.title, t.context, u.name FROM threads t JOIN groups g ON g.id = t.group_id \
         JOIN users u ON u.id = t.author_id WHERE g.key = $1 ORDER BY t.id",
    )
    .bind(group)
    .fetch_all(&mut conn, |r| {
        Ok((r.try_get("title")?, r.try_get("context")?, r.try_get("name")?))
    })
    .await
    .unwrap()
}

async fn set_email_threads(ann: &crate::helpers::Client, group: &str, on: bool) {
    let res = ann
        .request_json(
            reqwest::Method::PATCH,
            &format!("/api/v1/groups/{group}"),
            Some(
                &serde_json::json!({"name": "Riverside Garden", "privacy": "closed", "join_policy": "approval",
                "flags": {"members_can_start_threads": true, "members_can_announce": true,
                          "members_can_raise_polls": true, "start_threads_by_email": on}}),
            ),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
}

/// Mail to a group's addresses starts a thread by its sender, only where the coordinators allow
/// it and only when the sender is proven: by the member's own address (its secret, and the
/// sender must still be them), or on the group's public address by the receiving server's
/// DMARC pass for the sender's domain. Everything else is refused with nothing written or sent
/// back; through the API, the page, `weft mail receive` and the SMTP listener.
async fn a_member_starts_a_thread_by_email_where_the_group_allows_it(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    app.signed_in_user("Eve", "eve@example.org", PASSWORD).await;
    let g = create(&ann, "Riverside Garden", "closed", "approval").await;
    add_member(app, &g, &bob, Role::Member).await;
    let handle = ann.get(&format!("/api/v1/groups/{g}")).await.json()["handle"]
        .as_str()
        .unwrap()
        .to_owned();
    let public = format!("{handle}@{DOMAIN}");

    // Off by default: no address offered, and mail to the public one starts nothing.
    assert_eq!(bob.get(&format!("/api/v1/groups/{g}/email-address")).await.status, 404);
    assert!(
        !bob.get(&format!("/g/{g}"))
            .await
            .body
            .contains("Start a thread by email")
    );
    let receive_one =
        async |raw: String, to: &str| app.app.receive_email(raw.as_bytes(), &[to.to_owned()]).await.unwrap();
    let refused = |r: Refusal| weft_app::inbound::Received::Refused(r);
    let bob_public = message(
        PASSED,
        "Bob <bob@example.org>",
        &public,
        "Tool shed",
        "Who has the key?",
    );
    assert_eq!(
        receive_one(bob_public.clone(), &public).await,
        refused(Refusal::NotAllowed)
    );

    set_email_threads(&ann, &g, true).await;
    let res = bob.get(&format!("/api/v1/groups/{g}/email-address")).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let address = res.json()["address"].as_str().unwrap().to_owned();
    assert!(
        address.starts_with("group+") && address.ends_with(&format!("@{DOMAIN}")),
        "{address}"
    );
    assert!(address.split('@').next().unwrap().len() <= 64);
    assert_eq!(res.json()["public_address"], public.as_str());
    assert_eq!(
        bob.get(&format!("/api/v1/groups/{g}/email-address")).await.json()["address"],
        address.as_str(),
        "the same address each time"
    );
    let page = bob.get(&format!("/g/{g}")).await.body;
    assert!(
        page.contains("Start a thread by email") && page.contains(&address),
        "{page}"
    );
    let ann_address = ann.get(&format!("/api/v1/groups/{g}/email-address")).await.json()["address"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(ann_address, address, "each member's own");

    // Bob's own address, through the mail server's pipe: his thread, signature cut, announced.
    let raw = message(
        "",
        "Bob Builder <bob@example.org>",
        &address,
        "Compost bins",
        "Shall we buy **two**?\r\n\r\n-- \r\nBob\r\nSent from my phone",
    );
    let (code, out) = receive(app, &raw, &address);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("thread "), "{out}");
    let threads = threads_in(app, &g).await;
    assert_eq!(
        threads,
        [(
            "Compost bins".to_owned(),
            "Shall we buy **two**?".to_owned(),
            "Bob".to_owned()
        )]
    );
    let mail = app.email_to_containing("ann@example.org", "Compost bins").await;
    assert_eq!(mail.subject, "Bob started “Compost bins” in Riverside Garden");

    // What is refused, with nothing written and nothing sent back.
    app.settle_mail().await;
    let emails_before = app.emails().len();
    let mut wrong_secret = address.clone();
    let at = wrong_secret.find('@').unwrap();
    let last = wrong_secret.remove(at - 1);
    wrong_secret.insert(at - 1, if last == '0' { '1' } else { '0' });
    let other_server = PASSED.replace("mx.weft.test", "mx.attacker.example");
    let failed = PASSED.replace("dmarc=pass", "dmarc=fail");
    let cases: Vec<(&str, String, String, Refusal)> = vec![
        (
            "another sender on Bob's address",
            message("", "mallory@example.org", &address, "Hi", "Hello"),
            address.clone(),
            Refusal::WrongSender,
        ),
        (
            "an altered secret",
            message("", "bob@example.org", &wrong_secret, "Hi", "Hello"),
            wrong_secret.clone(),
            Refusal::BadAddress,
        ),
        (
            "Ann's address from Bob",
            message("", "bob@example.org", &ann_address, "Hi", "Hello"),
            ann_address.clone(),
            Refusal::WrongSender,
        ),
        (
            "public, nobody vouches",
            message("", "bob@example.org", &public, "Hi", "Hello"),
            public.clone(),
            Refusal::Unverified,
        ),
        (
            "public, another server vouches",
            message(&other_server, "bob@example.org", &public, "Hi", "Hello"),
            public.clone(),
            Refusal::Unverified,
        ),
        (
            "public, DMARC failed",
            message(&failed, "bob@example.org", &public, "Hi", "Hello"),
            public.clone(),
            Refusal::Unverified,
        ),
        (
            "public, not a member",
            message(PASSED, "eve@example.org", &public, "Hi", "Hello"),
            public.clone(),
            Refusal::NotAllowed,
        ),
        (
            "public, no such group",
            message(
                PASSED,
                "bob@example.org",
                &format!("no-such-group@{DOMAIN}"),
                "Hi",
                "Hello",
            ),
            format!("no-such-group@{DOMAIN}"),
            Refusal::NotAllowed,
        ),
        (
            "no subject",
            message("", "bob@example.org", &address, "", "Hello"),
            address.clone(),
            Refusal::Invalid,
        ),
        (
            "an auto-reply",
            message(
                "Auto-Submitted: auto-replied\r\n",
                "bob@example.org",
                &address,
                "Out of office",
                "Away",
            ),
            address.clone(),
            Refusal::Automatic,
        ),
    ];
    for (what, raw, to, refusal) in cases {
        assert_eq!(receive_one(raw, &to).await, refused(refusal), "{what}");
    }
    assert_eq!(threads_in(app, &g).await.len(), 1, "nothing was started");
    app.settle_mail().await;
    assert_eq!(app.emails().len(), emails_before, "nothing was sent back");

    // The public address, vouched for, over a real SMTP session to the built-in listener.
    let smtp = app.smtp_inbound.expect("the listener is on");
    let client = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(smtp.port())
        .build();
    use lettre::AsyncTransport;
    let envelope =
        lettre::address::Envelope::new(Some("bob@example.org".parse().unwrap()), vec![public.parse().unwrap()])
            .unwrap();
    let sent = client.send_raw(&envelope, bob_public.as_bytes()).await;
    assert!(sent.is_ok(), "{sent:?}");
    let threads = threads_in(app, &g).await;
    assert_eq!(threads.len(), 2, "{threads:?}");
    assert_eq!(
        threads[1],
        ("Tool shed".to_owned(), "Who has the key?".to_owned(), "Bob".to_owned())
    );

    // A new address: the old one stops working at once.
    let res = bob.post_form(&format!("/g/{g}/email-address"), &[]).await;
    assert_eq!(res.status, 303);
    assert!(
        res.location().contains("notice=email_address_renewed"),
        "{}",
        res.location()
    );
    let renewed = bob.get(&format!("/api/v1/groups/{g}/email-address")).await.json()["address"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(renewed, address);
    let again = message("", "bob@example.org", &address, "Old address", "Hello");
    assert_eq!(receive_one(again, &address).await, refused(Refusal::BadAddress));

    // Turned off again by the coordinators: Bob's address starts nothing.
    set_email_threads(&ann, &g, false).await;
    let off = message("", "bob@example.org", &renewed, "After", "Hello");
    assert_eq!(receive_one(off, &renewed).await, refused(Refusal::NotAllowed));
    assert_eq!(bob.get(&format!("/api/v1/groups/{g}/email-address")).await.status, 404);
    assert_eq!(threads_in(app, &g).await.len(), 2);
    let outcomes = app
        .count("SELECT COUNT(*) FROM inbound_emails WHERE outcome = 'thread' AND thread_id IS NOT NULL")
        .await;
    assert_eq!(outcomes, 2);
}
