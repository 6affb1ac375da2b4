//! Privacy promises kept so far (PRIVACY.md), each proven over HTTP on a real database.

use crate::helpers::{Db, TestApp};
use crate::on_both;

const PASSWORD: &str = "correct horse battery staple";
const RAW_IP: &str = "203.0.113.77";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p4_no_raw_ip_is_stored_sqlite() {
    p4_no_raw_ip_is_stored(Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p4_no_raw_ip_is_stored_postgres() {
    if crate::helpers::postgres_url().is_none() {
        eprintln!("skipped: WEFT_TEST_POSTGRES_URL is not set");
        return;
    }
    p4_no_raw_ip_is_stored(Db::Postgres).await;
}

/// P4: after sign-up, verification and log-ins from a client behind our trusted proxy, no table
/// and no file in the data folder holds the client's raw address; the masked one is there.
async fn p4_no_raw_ip_is_stored(db: Db) {
    let app = TestApp::spawn_with(db, |c| c.trusted_proxies = "127.0.0.1".parse().unwrap())
        .await
        .unwrap();
    let via_proxy = |c: &crate::helpers::Client, path: &str, fields: &[(&str, &str)]| {
        let mut all: Vec<(String, String)> = fields.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        all.push(("csrf_token".into(), c.csrf()));
        c.http()
            .post(format!("{}{path}", app.base))
            .header("x-forwarded-for", RAW_IP)
            .form(&all)
    };
    let c = app.client();
    c.get("/").await;
    c.send(via_proxy(
        &c,
        "/signup",
        &[("name", "Ip"), ("email", "ip@example.org"), ("password", PASSWORD)],
    ))
    .await;
    let link = app.nth_email_to("ip@example.org", 1).await.link("/verify/");
    assert_eq!(c.send(via_proxy(&c, &link, &[])).await.status, 303);
    let res = c
        .send(via_proxy(
            &c,
            "/login",
            &[("email", "ip@example.org"), ("password", PASSWORD)],
        ))
        .await;
    assert_eq!(res.status, 303);
    c.send(
        c.http()
            .get(format!("{}/profile", app.base))
            .header("x-forwarded-for", RAW_IP),
    )
    .await;

    let mut conn = app.db_conn().await;
    let values = weft_store::schema::all_text_values(&mut conn, app.app.store.backend())
        .await
        .unwrap();
    drop(conn);
    let leaks: Vec<_> = values.iter().filter(|(_, _, v)| v.contains(RAW_IP)).collect();
    assert!(leaks.is_empty(), "raw IP stored in {leaks:?}");
    assert!(
        values
            .iter()
            .any(|(t, c, v)| t == "sessions" && c == "ip_masked" && v == "203.0.113.0"),
        "masked IP kept"
    );
    let page = c.get("/profile/sessions").await.body;
    assert!(page.contains("203.0.113.0") && !page.contains(RAW_IP));

    // The files in the data folder too (the SQLite database and its WAL, the outbox).
    for entry in walk(&app.data.0) {
        let bytes = std::fs::read(&entry).unwrap();
        assert!(!contains(&bytes, RAW_IP.as_bytes()), "raw IP in {}", entry.display());
    }
    app.finish().await;
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().filter_map(Result::ok) {
        let p = e.path();
        if p.is_dir() { out.extend(walk(&p)) } else { out.push(p) }
    }
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

on_both!(
    p5_pseudonyms_are_fine,
    p20_expired_data_is_purged,
    p14_secrets_are_stored_only_as_hashes
);

async fn p5_pseudonyms_are_fine(app: &TestApp) {
    let c = app.signed_in_user("🦊 Night Owl", "owl@example.org", PASSWORD).await;
    assert!(c.get("/").await.body.contains("Welcome back, 🦊 Night Owl"));
}

async fn p14_secrets_are_stored_only_as_hashes(app: &TestApp) {
    app.signed_in_user("Sec", "sec@example.org", PASSWORD).await;
    let c = app.client();
    c.post_form("/login/link", &[("link-email", "sec@example.org")]).await;
    let mail = app.nth_email_to("sec@example.org", 2).await;
    let token = mail.link("/login/token/").rsplit('/').next().unwrap().to_owned();
    let mut conn = app.db_conn().await;
    let values = weft_store::schema::all_text_values(&mut conn, app.app.store.backend())
        .await
        .unwrap();
    let outside_outbox = |t: &str| t != "outbox_emails";
    assert!(
        !values.iter().any(|(t, _, v)| outside_outbox(t) && v.contains(&token)),
        "raw log-in token stored"
    );
    assert!(
        !values.iter().any(|(_, _, v)| v.contains(PASSWORD)),
        "raw password stored"
    );
    let hash = values
        .iter()
        .find(|(t, c, _)| t == "users" && c == "password_hash")
        .unwrap();
    assert!(hash.2.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
}

async fn p20_expired_data_is_purged(app: &TestApp) {
    app.signed_in_user("Old", "old@example.org", PASSWORD).await;
    let c = app.client();
    c.post_form("/login/link", &[("link-email", "old@example.org")]).await;
    app.client()
        .post_form(
            "/signup",
            &[
                ("name", "Never"),
                ("email", "never@example.org"),
                ("password", PASSWORD),
            ],
        )
        .await;
    app.settled_emails_to("never@example.org").await;
    assert!(app.count("SELECT COUNT(*) FROM login_tokens").await > 0);
    assert!(
        app.count("SELECT COUNT(*) FROM outbox_emails WHERE body_text <> ''")
            .await
            > 0
    );

    let nothing_yet = app.app.purge_expired().await.unwrap();
    assert_eq!(nothing_yet.unverified_accounts, 0);
    assert_eq!(nothing_yet.sessions, 0);

    app.app.clock.advance(weft_domain::Duration::days(8));
    let purged = app.app.purge_expired().await.unwrap();
    assert!(purged.login_tokens >= 2, "{purged:?}");
    assert_eq!(purged.unverified_accounts, 1, "{purged:?}");
    assert!(purged.email_bodies >= 3, "{purged:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM login_tokens").await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE email = 'never@example.org'")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox_emails WHERE body_text <> '' OR body_html <> ''")
            .await,
        0
    );
    assert!(
        app.count("SELECT COUNT(*) FROM outbox_emails").await > 0,
        "who and when stay for the export"
    );

    app.app.clock.advance(weft_domain::Duration::days(90));
    let purged = app.app.purge_expired().await.unwrap();
    assert_eq!(purged.sessions, 1, "{purged:?}");
    assert!(purged.unsubscribe_tokens >= 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
}
