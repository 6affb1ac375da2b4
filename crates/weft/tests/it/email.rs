//! The email outbox: written with the change that causes it, delivered by the worker, every
//! message with a working one-click unsubscribe (P15).

use crate::helpers::{Db, TestApp};
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
