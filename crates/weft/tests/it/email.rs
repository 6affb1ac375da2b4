//! The email outbox: written with the change that causes it, delivered by the worker, every
//! message with a working one-click unsubscribe (P15).

use crate::helpers::{Db, SmtpMode, SmtpStandIn, TestApp};
use crate::on_both;

const PASSWORD: &str = "correct horse battery staple";

on_both!(
    every_email_has_text_html_and_one_click_unsubscribe,
    one_click_unsubscribe_works_without_cookies_and_only_for_its_owner,
    signed_unsubscribe_links_need_no_row_and_survive_key_rotation,
);

async fn every_email_has_text_html_and_one_click_unsubscribe(app: &TestApp) {
    app.signed_in_user("Em", "em@example.org", PASSWORD).await;
    let c = app.client();
    c.post_form("/login/link", &[("link-email", "em@example.org")]).await;
    c.post_form("/password/forgot", &[("email", "em@example.org")]).await;
    let emails = app.settled_emails_to("em@example.org").await;
    assert_eq!(emails.len(), 3);
    for e in &emails {
        let unsubscribe = e.header("List-Unsubscribe").expect("List-Unsubscribe header");
        assert!(
            unsubscribe.starts_with(&format!("<{}/unsubscribe/", app.base)),
            "{unsubscribe}"
        );
        assert_eq!(
            e.header("List-Unsubscribe-Post").as_deref(),
            Some("List-Unsubscribe=One-Click")
        );
        let url = unsubscribe.trim_matches(|c| c == '<' || c == '>');
        assert!(e.text.contains(url), "the text part has the unsubscribe link");
        assert!(e.html.contains(url), "the HTML part has the unsubscribe link");
        assert!(e.header("Message-ID").is_some());
        assert!(
            !e.html.contains("http://") || !e.html.contains("<img"),
            "no remote images"
        );
    }
}

async fn one_click_unsubscribe_works_without_cookies_and_only_for_its_owner(app: &TestApp) {
    app.signed_in_user("Un", "un@example.org", PASSWORD).await;
    app.signed_in_user("Other", "other@example.org", PASSWORD).await;
    let mail = app.nth_email_to("un@example.org", 1).await;
    let url = mail
        .header("List-Unsubscribe")
        .unwrap()
        .trim_matches(|c| c == '<' || c == '>')
        .to_owned();
    // What a mail provider does (RFC 8058): POST, this body, no cookies, no CSRF token.
    let res = reqwest::Client::new()
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE email = 'un@example.org' AND emails_unsubscribed_at IS NOT NULL")
            .await,
        1
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM users WHERE email = 'other@example.org' AND emails_unsubscribed_at IS NOT NULL"
        )
        .await,
        0
    );
    // The link in the body opens its person's email settings: already unsubscribed, with a way
    // back.
    let page = app.client().get(&url).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("You unsubscribed") && page.body.contains("Email me again"),
        "{}",
        page.body
    );
    // A made-up token does nothing.
    let bogus = format!("{}/unsubscribe/{}", app.base, "ab".repeat(32));
    let res = reqwest::Client::new()
        .post(&bogus)
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
}

/// Issue 20: unsubscribe links are signed, not stored one row per email. A signed link works
/// without a row, only unchanged, only for the account it names, through key rotations, until it
/// expires; and nothing is written per email.
async fn signed_unsubscribe_links_need_no_row_and_survive_key_rotation(app: &TestApp) {
    let link_of = |mail: &crate::helpers::Email| {
        mail.header("List-Unsubscribe")
            .unwrap()
            .trim_matches(|c| c == '<' || c == '>')
            .to_owned()
    };
    async fn one_click(url: &str) -> u16 {
        reqwest::Client::new()
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("List-Unsubscribe=One-Click")
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }
    app.signed_in_user("Una", "una@example.org", PASSWORD).await;
    app.signed_in_user("Ola", "ola@example.org", PASSWORD).await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM unsubscribe_tokens").await,
        0,
        "no row per email"
    );
    let una = link_of(&app.nth_email_to("una@example.org", 1).await);
    let ola = link_of(&app.nth_email_to("ola@example.org", 1).await);
    assert!(una.contains("/unsubscribe/v1."), "{una}");
    // Tampered: another account's key with Una's signature, or a changed expiry, does nothing.
    let token = una.rsplit('/').next().unwrap().to_owned();
    let parts: Vec<&str> = token.split('.').collect();
    let ola_key = ola.rsplit('/').next().unwrap().split('.').nth(1).unwrap().to_owned();
    let mut forged = parts.clone();
    forged[1] = &ola_key;
    assert_eq!(
        one_click(&format!("{}/unsubscribe/{}", app.base, forged.join("."))).await,
        400
    );
    let later = (parts[3].parse::<i64>().unwrap() + 86_400).to_string();
    let mut stretched = parts.clone();
    stretched[3] = &later;
    assert_eq!(
        one_click(&format!("{}/unsubscribe/{}", app.base, stretched.join("."))).await,
        400
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE emails_unsubscribed_at IS NOT NULL")
            .await,
        0
    );
    // A month on, the purge makes a new key; new emails use it, the old link still works.
    let keys_before = app.count("SELECT COUNT(*) FROM signing_keys").await;
    app.app.clock.advance(weft_domain::Duration::days(31));
    app.app.purge_expired().await.unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM signing_keys").await, keys_before + 1);
    let fresh = app.client();
    fresh
        .post_form("/password/forgot", &[("email", "ola@example.org")])
        .await;
    let newer = link_of(&app.last_email_to("ola@example.org").await);
    assert_ne!(
        newer.rsplit('/').next().unwrap().split('.').nth(4),
        ola.rsplit('/').next().unwrap().split('.').nth(4),
        "signed with the new key"
    );
    assert_eq!(one_click(&una).await, 200, "a link signed before the rotation");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE email = 'una@example.org' AND emails_unsubscribed_at IS NOT NULL")
            .await,
        1
    );
    // 90 days after it was sent, Ola's first link has expired.
    app.app.clock.advance(weft_domain::Duration::days(60));
    assert_eq!(one_click(&ola).await, 400, "expired");
    assert_eq!(one_click(&newer).await, 200, "the newer one has not");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_delivery_is_retried_with_backoff_sqlite() {
    failed_delivery_is_retried_with_backoff(Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_delivery_is_retried_with_backoff_postgres() {
    if crate::helpers::postgres_url().is_none() {
        eprintln!("skipped: WEFT_TEST_POSTGRES_URL is not set");
        return;
    }
    failed_delivery_is_retried_with_backoff(Db::Postgres).await;
}

/// An SMTP server that refuses connections: the email stays queued with its error and a later
/// retry time, and is never lost.
async fn failed_delivery_is_retried_with_backoff(db: Db) {
    let closed_port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let app = TestApp::spawn_with(db, |c| {
        c.smtp = Some(weft_mail::SmtpSettings {
            host: "127.0.0.1".into(),
            port: closed_port,
            tls: weft_mail::SmtpTls::None,
            username: None,
            password: None,
            ca_file: None,
        });
    })
    .await
    .unwrap();
    let c = app.client();
    c.post_form(
        "/signup",
        &[("name", "Re"), ("email", "re@example.org"), ("password", PASSWORD)],
    )
    .await;
    let mut tries = 0;
    while app
        .count("SELECT COUNT(*) FROM outbox_emails WHERE attempts >= 1 AND last_error IS NOT NULL")
        .await
        == 0
    {
        tries += 1;
        assert!(tries < 200, "the worker never tried");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox_emails WHERE status = 'pending'")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox_emails WHERE status = 'sent'")
            .await,
        0
    );
    let now = app.app.clock.now().micros();
    let mut conn = app.db_conn().await;
    let next: i64 = weft_store::query("SELECT next_attempt_at FROM outbox_emails")
        .fetch_scalar(&mut conn)
        .await
        .unwrap();
    assert!(next > now + 20_000_000, "retried later, not in a tight loop");
    assert!(
        !std::fs::exists(app.data.0.join("outbox")).unwrap(),
        "SMTP configured: no files written"
    );
    drop(conn);
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivery_uses_starttls_and_authentication_on_a_real_smtp_server_sqlite() {
    delivery_uses_starttls_and_authentication_on_a_real_smtp_server(Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivery_uses_starttls_and_authentication_on_a_real_smtp_server_postgres() {
    if crate::helpers::postgres_url().is_none() {
        eprintln!("skipped: WEFT_TEST_POSTGRES_URL is not set");
        return;
    }
    delivery_uses_starttls_and_authentication_on_a_real_smtp_server(Db::Postgres).await;
}

/// A real SMTP server (Python's aiosmtpd) that refuses mail before STARTTLS and AUTH before TLS,
/// and takes only one user's password: an email it received came over TLS, authenticated.
const SMTP_SERVER: &str = r#"
import os, pathlib, ssl, sys, time
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
cert, key, out, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)
class Keep:
    async def handle_DATA(self, server, session, envelope):
        n = len(os.listdir(out))
        pathlib.Path(out, f"{n:04}.eml").write_bytes(envelope.original_content or envelope.content)
        pathlib.Path(out, f"{n:04}.who").write_text(session.auth_data.login.decode())
        return "250 OK"
def check(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"weft" and auth_data.password == b"s3cret-pass"
    # handled=False: aiosmtpd answers 535 itself (the default, handled, would answer nothing)
    return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)
c = Controller(Keep(), hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
               authenticator=check, auth_require_tls=True, auth_exclude_mechanism=["LOGIN"])
c.start()
print("ready", flush=True)
time.sleep(3600)
"#;

async fn delivery_uses_starttls_and_authentication_on_a_real_smtp_server(db: Db) {
    let Some(python) = std::env::var_os("WEFT_TEST_PYTHON") else {
        eprintln!("skipped: WEFT_TEST_PYTHON is not set (.ci/run sets it, with aiosmtpd installed)");
        return;
    };
    let dir = crate::helpers::TempDir::new();
    let (cert, key, out) = (dir.0.join("cert.pem"), dir.0.join("key.pem"), dir.0.join("received"));
    std::fs::create_dir_all(&out).unwrap();
    // A private CA and the server's certificate signed by it (what WEFT_SMTP_CA_FILE is for).
    let ca_key = dir.0.join("ca-key.pem");
    let csr = dir.0.join("server.csr");
    let ext = dir.0.join("server.ext");
    std::fs::write(&ext, "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n").unwrap();
    let ca = dir.0.join("ca.pem");
    let openssl = |args: &[&std::ffi::OsStr]| {
        let made = std::process::Command::new("openssl")
            .args(args)
            .output()
            .expect("openssl runs");
        assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    };
    let os = |s: &str| std::ffi::OsString::from(s);
    openssl(&[
        &os("req"),
        &os("-x509"),
        &os("-newkey"),
        &os("rsa:2048"),
        &os("-nodes"),
        &os("-days"),
        &os("2"),
        &os("-subj"),
        &os("/CN=Weft test CA"),
        &os("-keyout"),
        ca_key.as_os_str(),
        &os("-out"),
        ca.as_os_str(),
    ]);
    openssl(&[
        &os("req"),
        &os("-newkey"),
        &os("rsa:2048"),
        &os("-nodes"),
        &os("-subj"),
        &os("/CN=127.0.0.1"),
        &os("-keyout"),
        key.as_os_str(),
        &os("-out"),
        csr.as_os_str(),
    ]);
    openssl(&[
        &os("x509"),
        &os("-req"),
        &os("-in"),
        csr.as_os_str(),
        &os("-CA"),
        ca.as_os_str(),
        &os("-CAkey"),
        ca_key.as_os_str(),
        &os("-CAcreateserial"),
        &os("-days"),
        &os("2"),
        &os("-extfile"),
        ext.as_os_str(),
        &os("-out"),
        cert.as_os_str(),
    ]);
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut server = tokio::process::Command::new(&python)
        .arg("-c")
        .arg(SMTP_SERVER)
        .arg(&cert)
        .arg(&key)
        .arg(&out)
        .arg(port.to_string())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("python runs");
    let mut ready = tokio::io::BufReader::new(server.stdout.take().unwrap());
    let mut line = String::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(20),
        tokio::io::AsyncBufReadExt::read_line(&mut ready, &mut line),
    )
    .await
    .expect("the SMTP server starts within 20 s")
    .unwrap();
    assert_eq!(line.trim(), "ready");

    let good = weft_mail::SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        tls: weft_mail::SmtpTls::StartTls,
        username: Some("weft".into()),
        password: Some("s3cret-pass".into()),
        ca_file: Some(ca.clone()),
    };
    let good_again = good.clone();
    let app = TestApp::spawn_with(db, move |c| c.smtp = Some(good)).await.unwrap();
    app.client()
        .post_form(
            "/signup",
            &[("name", "Tess"), ("email", "tess@example.org"), ("password", PASSWORD)],
        )
        .await;
    let mut delivered = None;
    for _ in 0..200 {
        if let Some(entry) = std::fs::read_dir(&out)
            .unwrap()
            .filter_map(Result::ok)
            .find(|e| e.path().extension().is_some_and(|x| x == "eml"))
        {
            delivered = Some(entry.path());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let Some(delivered) = delivered else {
        let mut conn = app.db_conn().await;
        let errors: Vec<Option<String>> = weft_store::query("SELECT last_error FROM outbox_emails")
            .fetch_all(&mut conn, |r| r.try_get("last_error"))
            .await
            .unwrap();
        panic!("the email did not reach the SMTP server within 10 s: {errors:?}");
    };
    let raw = std::fs::read_to_string(&delivered).unwrap();
    assert!(raw.contains("To: tess@example.org"), "{raw}");
    assert!(
        raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
        "{raw}"
    );
    assert_eq!(
        std::fs::read_to_string(delivered.with_extension("who")).unwrap(),
        "weft"
    );
    for _ in 0..200 {
        if app
            .count("SELECT COUNT(*) FROM outbox_emails WHERE status = 'sent'")
            .await
            == 1
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox_emails WHERE status = 'sent'")
            .await,
        1
    );
    app.finish().await;

    // The wrong password: refused at AUTH, the email stays queued with the server's answer
    // (found in the time a retry takes, not after a timeout) and leaves nothing behind.
    let wrong = weft_mail::SmtpSettings {
        password: Some("not-the-password".into()),
        ..good_again
    };
    let app = TestApp::spawn_with(db, move |c| c.smtp = Some(wrong)).await.unwrap();
    let asked = std::time::Instant::now();
    app.client()
        .post_form(
            "/signup",
            &[("name", "Uma"), ("email", "uma@example.org"), ("password", PASSWORD)],
        )
        .await;
    let mut error = None;
    for _ in 0..400 {
        let mut conn = app.db_conn().await;
        error = weft_store::query("SELECT last_error FROM outbox_emails WHERE to_address = 'uma@example.org'")
            .fetch_one(&mut conn, |r| r.try_get::<Option<String>, _>("last_error"))
            .await
            .unwrap();
        drop(conn);
        if error.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let error = error.expect("the refused attempt is recorded within 20 s");
    eprintln!("wrong password refused after {:?}: {error}", asked.elapsed());
    assert!(
        error.contains("535") || error.to_lowercase().contains("auth"),
        "{error}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox_emails WHERE status = 'pending'")
            .await,
        1,
        "kept for a retry"
    );
    let files = std::fs::read_dir(&out).unwrap().count();
    assert_eq!(files, 2, "the server received nothing more (one .eml and its .who)");
    app.finish().await;

    let _ = server.kill().await;
}

// ---- dead letters, and exactly once across a crash ----

/// Emails to the stand-in server's (plain) address.
fn stand_in(standin: &SmtpStandIn) -> impl FnOnce(&mut weft::ServeConfig) {
    let settings = standin.settings();
    move |c| c.smtp = Some(settings)
}

/// The outbox row of the email to `to`: (id, status, attempts), the status `sending` while a
/// worker holds it (claimed, its outcome not yet written).
async fn outbox_row(app: &TestApp, to: &str) -> (i64, String, i64) {
    let mut conn = app.db_conn().await;
    weft_store::query(
        "SELECT id, CASE WHEN status = 'pending' AND locked_until IS NOT NULL THEN 'sending' ELSE status END AS status, \
         attempts FROM outbox_emails WHERE to_address = $1",
    )
        .bind(to)
        .fetch_one(&mut conn, |r| {
            Ok((r.try_get("id")?, r.try_get("status")?, r.try_get("attempts")?))
        })
        .await
        .expect("the email is in the outbox")
}

/// Waits (10 s at most, then fails) until the email to `to` is as `done` says.
async fn wait_for_email(app: &TestApp, to: &str, what: &str, done: impl Fn(&str, i64) -> bool) -> (i64, String, i64) {
    let mut last = (0, String::new(), 0);
    for _ in 0..200 {
        last = outbox_row(app, to).await;
        if done(&last.1, last.2) {
            return last;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("after 10 s the email to {to} is not {what}: {last:?}");
}

async fn undelivered_emails_wait_for_the_instance_admin_who_sends_them_again(db: Db) {
    let standin = SmtpStandIn::start(SmtpMode::Refuse).await;
    let Some(app) = TestApp::spawn_with(db, stand_in(&standin)).await else {
        eprintln!("skipped: WEFT_TEST_POSTGRES_URL is not set");
        return;
    };
    let admin = crate::privacy_centre::staff(&app).await;
    let group = crate::groups::create(&admin, "Staff room", "closed", "approval").await;
    let member = app.members_signed_in(&group, 1).await.remove(0);
    let to = "lost.person@far-away.example";
    app.client()
        .post_form("/signup", &[("name", "Lou"), ("email", to), ("password", PASSWORD)])
        .await;
    // The relay refuses the recipient at every attempt, each one later than the last; after the
    // eighth the email is dead and not tried again by itself.
    wait_for_email(&app, to, "tried once", |s, a| s == "pending" && a >= 1).await;
    for n in 2..=8 {
        app.app.clock.advance(weft_domain::Duration::hours(1));
        app.app.mail_wakeup.notify_one();
        wait_for_email(&app, to, "tried again", |s, a| s != "sending" && a >= n).await;
    }
    let (id, status, attempts) = wait_for_email(&app, to, "dead", |s, _| s == "dead").await;
    assert_eq!((status.as_str(), attempts), ("dead", 8));
    app.app.clock.advance(weft_domain::Duration::hours(3));
    app.app.mail_wakeup.notify_one();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(outbox_row(&app, to).await.2, 8, "a dead email waits");
    assert!(standin.received().iter().all(|m| !m.contains(to)));

    // The administrator sees it, with the relay's answer, the recipient's domain only.
    let page = admin.get("/admin/emails").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("…@far-away.example"), "{}", page.body);
    assert!(page.body.contains("no such mailbox here"), "{}", page.body);
    assert!(!page.body.contains("lost.person"), "the address stays hidden");
    let index = admin.get("/admin").await.body;
    assert!(index.contains("/admin/emails"), "{index}");
    let listed = admin.get("/api/v1/admin/emails").await.json();
    let emails = listed["emails"].as_array().unwrap();
    assert_eq!(emails.len(), 1, "{listed}");
    assert_eq!(emails[0]["id"], id);
    assert_eq!(emails[0]["to_domain"], "far-away.example");
    assert_eq!(emails[0]["attempts"], 8);
    assert_eq!(emails[0]["retryable"], true);
    assert!(!listed.to_string().contains("lost.person"));

    // Nobody else learns of it or can send it; the signed out are asked to log in.
    let anonymous = app.client();
    let res = anonymous.get("/admin/emails").await;
    assert_eq!(res.status, 303);
    assert!(res.location().starts_with("/login"), "{}", res.location());
    assert_eq!(anonymous.get("/api/v1/admin/emails").await.status, 401);
    assert_eq!(member.get("/admin/emails").await.status, 404);
    assert_eq!(member.get("/api/v1/admin/emails").await.status, 404);
    for path in [
        format!("/api/v1/admin/emails/{id}/retry"),
        "/api/v1/admin/emails/retry".into(),
    ] {
        assert_eq!(
            member.post_json(&path, &serde_json::json!({})).await.status,
            404,
            "{path}"
        );
    }
    assert_eq!(
        member.post_form(&format!("/admin/emails/{id}/retry"), &[]).await.status,
        404
    );
    assert_eq!(outbox_row(&app, to).await.1, "dead");

    // The cause fixed, the administrator sends it again: it leaves at once, once.
    assert_eq!(
        admin
            .post_json("/api/v1/admin/emails/999999/retry", &serde_json::json!({}))
            .await
            .status,
        404
    );
    standin.set_mode(SmtpMode::Accept);
    let res = admin.post_form(&format!("/admin/emails/{id}/retry"), &[]).await;
    assert_eq!(res.status, 303);
    assert!(res.location().contains("notice=emails_retried"), "{}", res.location());
    wait_for_email(&app, to, "sent", |s, _| s == "sent").await;
    let delivered: Vec<String> = standin.received().into_iter().filter(|m| m.contains(to)).collect();
    assert_eq!(delivered.len(), 1);
    assert!(
        delivered[0].contains(&format!("<weft.{id}@")),
        "its Message-ID is the same"
    );
    let again = admin
        .post_json("/api/v1/admin/emails/retry", &serde_json::json!({}))
        .await;
    assert_eq!(
        (again.status, again.json()["retried"].clone()),
        (200, serde_json::json!(0))
    );
    assert!(
        admin
            .get("/admin/emails")
            .await
            .body
            .contains("None: every email left.")
    );
    app.finish().await;
}

/// `kill -9` after the email was committed and while it was being handed to the relay (the
/// message was transferred, its final dot never answered, so it was not accepted), with a
/// second email committed behind it: after a restart each is delivered exactly once — the
/// second at once, the first once its lease runs out.
async fn emails_committed_before_a_crash_are_delivered_exactly_once_after_restart(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        eprintln!("skipped: WEFT_TEST_POSTGRES_URL is not set");
        return;
    };
    let url = app.database_url.clone();
    let kept = app.stop_keeping_data().await;
    let standin = SmtpStandIn::start(SmtpMode::Stall).await;
    let server = crate::helpers::Server::start(&kept.0.0, &url, &standin.env()).await;
    let first = crate::helpers::Client::new(&server.base);
    first
        .post_form(
            "/signup",
            &[("name", "Ida"), ("email", "ida@example.org"), ("password", PASSWORD)],
        )
        .await;
    for _ in 0..200 {
        if standin.stalled.load(std::sync::atomic::Ordering::SeqCst) >= 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        standin.stalled.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "the relay holds the first email within 10 s"
    );
    crate::helpers::Client::new(&server.base)
        .post_form(
            "/signup",
            &[("name", "Jo"), ("email", "jo@example.org"), ("password", PASSWORD)],
        )
        .await;
    server.kill();
    assert!(standin.received().is_empty());

    standin.set_mode(SmtpMode::Accept);
    let again = TestApp::restart_on_with(kept, db, &url, stand_in(&standin)).await;
    let (jo, _, _) = wait_for_email(&again, "jo@example.org", "sent", |s, _| s == "sent").await;
    let (ida, status, _) = outbox_row(&again, "ida@example.org").await;
    assert_eq!(
        status, "sending",
        "the first one is still under the dead process's lease"
    );
    again.app.clock.advance(weft_domain::Duration::minutes(6));
    again.app.mail_wakeup.notify_one();
    wait_for_email(&again, "ida@example.org", "sent", |s, _| s == "sent").await;
    // Nothing goes twice, however long we wait.
    again.app.clock.advance(weft_domain::Duration::hours(2));
    again.app.mail_wakeup.notify_one();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let received = standin.received();
    let count = |id: i64| received.iter().filter(|m| m.contains(&format!("<weft.{id}@"))).count();
    assert_eq!((count(ida), count(jo), received.len()), (1, 1, 2), "{received:#?}");
    again.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undelivered_emails_wait_for_the_instance_admin_who_sends_them_again_sqlite() {
    undelivered_emails_wait_for_the_instance_admin_who_sends_them_again(Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undelivered_emails_wait_for_the_instance_admin_who_sends_them_again_postgres() {
    undelivered_emails_wait_for_the_instance_admin_who_sends_them_again(Db::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emails_committed_before_a_crash_are_delivered_exactly_once_after_restart_sqlite() {
    emails_committed_before_a_crash_are_delivered_exactly_once_after_restart(Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emails_committed_before_a_crash_are_delivered_exactly_once_after_restart_postgres() {
    emails_committed_before_a_crash_are_delivered_exactly_once_after_restart(Db::Postgres).await;
}
