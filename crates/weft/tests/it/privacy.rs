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

/// Issue 19.6: after an account was deleted, `grep -a` still found its address, name, username
/// and password hash in the SQLite file and its WAL (deleted cells left in free pages) and in the
/// outbox's `.eml` files, which were never purged; a deleted group's email subjects survived.
/// Now SQLite zeroes deleted cells (`secure_delete`) and checkpoints and truncates its WAL after an
/// erasure; PostgreSQL vacuums what the erasure touched; outbox files go with what they are about,
/// and all of them after the email-body retention (the deletion receipt too, which is the delivery).
async fn p10_p11_erasure_reaches_the_bytes_of_every_file(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let zeb = app
        .signed_in_user("Zebediah Quince", "zebediah@example.org", PASSWORD)
        .await;
    let zeb_username = zeb.get("/api/v1/me").await.json()["username"]
        .as_str()
        .unwrap()
        .to_owned();
    let ann_username = ann.get("/api/v1/me").await.json()["username"]
        .as_str()
        .unwrap()
        .to_owned();
    let hash: String = {
        let mut conn = app.db_conn().await;
        weft_store::query("SELECT password_hash FROM users WHERE email = 'zebediah@example.org'")
            .fetch_scalar(&mut conn)
            .await
            .unwrap()
    };
    let hash_tail = hash.rsplit('$').next().unwrap().to_owned();
    assert!(hash_tail.len() > 20, "{hash}");
    // A group with a name to look for, a thread, a mention each way and an invitation by email.
    let g = crate::groups::create(&ann, "Xanadu Cooperative", "closed", "approval").await;
    crate::groups::add_member(app, &g, &zeb, weft_domain::permissions::Role::Member).await;
    let t = ann
        .post_json(
            &format!("/api/v1/groups/{g}/threads"),
            &serde_json::json!({"title": "Quarterly Marmalade Ledger", "context": format!("Over to @{zeb_username}")}),
        )
        .await
        .json()["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = zeb
        .post_json(
            &format!("/api/v1/threads/{t}/comments"),
            &serde_json::json!({"body": format!("Thank you @{ann_username}")}),
        )
        .await;
    assert_eq!(res.status, 201);
    ann.post_form(
        &format!("/g/{g}/invite"),
        &[("emails", "newcomer@example.org"), ("message", "")],
    )
    .await;
    app.settle_mail().await;
    let person = [
        "zebediah@example.org",
        "Zebediah Quince",
        zeb_username.as_str(),
        hash_tail.as_str(),
    ];
    let files_holding = |needles: &[&str]| -> Vec<(String, String)> {
        let mut found = Vec::new();
        for path in walk(&app.data.0) {
            let Ok(bytes) = std::fs::read(&path) else { continue };
            for needle in needles {
                if contains(&bytes, needle.as_bytes()) {
                    found.push((path.display().to_string(), (*needle).to_owned()));
                }
            }
        }
        found
    };
    assert!(
        !files_holding(&person[..3]).is_empty(),
        "the set-up wrote them to the files: the test can see them"
    );

    // The account goes.
    let res = zeb
        .post_form("/profile/delete", &[("current_password", PASSWORD)])
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let mut delivered = false;
    for _ in 0..200 {
        if app
            .count("SELECT COUNT(*) FROM outbox_emails WHERE kind = 'deletion_receipt'")
            .await
            == 0
        {
            delivered = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(delivered, "the deletion receipt was not delivered within 10 s");
    // Only the receipt itself, delivered to the address, holds it; nothing holds the rest (but
    // Ann's thread, which mentions his username: her content stays until the group goes).
    let without_username = [person[0], person[1], person[3]];
    let only_the_receipt = |left: &[(String, String)]| {
        let files: std::collections::BTreeSet<_> = left.iter().map(|(p, _)| p.clone()).collect();
        files.len() <= 1
            && left
                .iter()
                .all(|(p, n)| p.ends_with(".eml") && n == "zebediah@example.org")
    };
    // The mailer scrubs the files just after the receipt's row goes: wait for it (10 s at most).
    let mut left = files_holding(&without_username);
    for _ in 0..200 {
        if only_the_receipt(&left) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        left = files_holding(&without_username);
    }
    assert!(only_the_receipt(&left), "still in the files after 10 s: {left:?}");
    if let Some((receipt, _)) = left.first() {
        let text = std::fs::read_to_string(receipt).unwrap();
        assert!(text.contains("is deleted"), "only the receipt: {receipt}");
    }

    // The group goes.
    assert_eq!(ann.post_form(&format!("/g/{g}/delete"), &[]).await.status, 303);
    let group = ["Xanadu Cooperative", "Quarterly Marmalade Ledger"];
    assert_eq!(
        files_holding(&group),
        vec![],
        "the group's name and thread title are gone from every file"
    );
    let left = files_holding(&person);
    assert!(
        only_the_receipt(&left),
        "with the thread, the last mention of him: {left:?}"
    );

    if app.db == crate::helpers::Db::Postgres {
        // PostgreSQL's files are its own; what Weft can do is vacuum at once, and it did.
        let mut vacuumed = false;
        for _ in 0..100 {
            let n = app
                .count(
                    "SELECT COUNT(*) FROM pg_stat_user_tables WHERE relname IN ('users', 'outbox_emails', 'groups') \
                     AND last_vacuum IS NOT NULL",
                )
                .await;
            if n == 3 {
                vacuumed = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(vacuumed, "the erased tables were vacuumed");
    }

    // After the email-body retention, the outbox folder holds nothing of them at all.
    app.app.clock.advance(weft_domain::Duration::days(8));
    let purged = app.app.purge_expired().await.unwrap();
    assert!(purged.outbox_files >= 1, "{purged:?}");
    assert_eq!(files_holding(&person), vec![]);
    let outbox_files = walk(&app.data.0)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .count();
    assert_eq!(outbox_files, 0, "every delivered file older than the retention is gone");
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
    p14_secrets_are_stored_only_as_hashes,
    p9_a_deactivated_account_is_hidden_silent_and_can_come_back,
    p9_deactivated_people_are_not_named_in_member_guest_or_request_lists,
    p10_a_deleted_account_leaves_no_trace_but_its_content,
    p10_p11_erasure_reaches_the_bytes_of_every_file,
    p8_the_export_holds_everything_about_you_and_nothing_of_others,
    p8_every_table_about_a_person_is_exported_or_explained,
    p9_the_mail_layer_itself_sends_nothing_to_a_deactivated_account,
    p16_third_parties_are_listed,
    p19_policy_changes_are_announced,
    p2_only_aggregate_usage_is_counted,
);

async fn p5_pseudonyms_are_fine(app: &TestApp) {
    let c = app.signed_in_user("🦊 Night Owl", "owl@example.org", PASSWORD).await;
    assert!(c.get("/").await.body.contains("Welcome, 🦊 Night Owl"));
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
    assert_eq!(
        app.count("SELECT COUNT(*) FROM unsubscribe_tokens").await,
        0,
        "unsubscribe links are signed: no row per email"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 0);
}

pub(crate) async fn thread_with_comment_by(
    app: &TestApp,
    ann: &crate::helpers::Client,
    bob: &crate::helpers::Client,
) -> String {
    let g = crate::groups::create(ann, "Garden", "closed", "approval").await;
    crate::groups::add_member(app, &g, bob, weft_domain::permissions::Role::Member).await;
    let res = bob
        .post_json(
            &format!("/api/v1/groups/{g}/threads"),
            &serde_json::json!({"title": "Seeds", "context": "Which seeds?"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let t = res.json()["key"].as_str().unwrap().to_owned();
    let res = bob
        .post_json(
            &format!("/api/v1/threads/{t}/comments"),
            &serde_json::json!({"body": "Tomatoes first."}),
        )
        .await;
    assert_eq!(res.status, 201);
    let id = bob.get(&format!("/api/v1/threads/{t}")).await.json()["comments"][0]["id"]
        .as_i64()
        .unwrap();
    let res = ann
        .post_json(
            &format!("/api/v1/threads/{t}/comments/{id}/reactions"),
            &serde_json::json!({"reaction": "heart"}),
        )
        .await;
    assert_eq!(res.status, 200);
    bob.post_json(
        &format!("/api/v1/threads/{t}/comments/{id}/reactions"),
        &serde_json::json!({"reaction": "tada"}),
    )
    .await;
    t
}

/// Issue 19.8: members pages and API, guest lists and pending requests still named deactivated
/// people. They show as "A deactivated member" (no username, no address), a pending request waits
/// unlisted, and all of it comes back with the account.
async fn p9_deactivated_people_are_not_named_in_member_guest_or_request_lists(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob Brightside", "bob@example.org", PASSWORD).await;
    let cat = app.signed_in_user("Cat Catalina", "cat@example.org", PASSWORD).await;
    let dan = app.signed_in_user("Dan Dandelion", "dan@example.org", PASSWORD).await;
    let g = crate::groups::create(&ann, "Garden", "closed", "approval").await;
    crate::groups::add_member(app, &g, &bob, weft_domain::permissions::Role::Member).await;
    let res = ann
        .post_json(
            &format!("/api/v1/groups/{g}/threads"),
            &serde_json::json!({"title": "Seeds", "context": "Which seeds?"}),
        )
        .await;
    let t = res.json()["key"].as_str().unwrap().to_owned();
    {
        let mut conn = app.db_conn().await;
        let thread = weft_store::threads::find_by_key(&mut conn, &t).await.unwrap().unwrap();
        let cat_user =
            weft_store::users::find_by_email(&mut conn, &weft_domain::EmailAddress::parse("cat@example.org").unwrap())
                .await
                .unwrap()
                .unwrap();
        weft_store::guests::add(&mut conn, thread.id, cat_user.id, None, app.app.clock.now())
            .await
            .unwrap();
    }
    let res = dan
        .post_form(&format!("/g/{g}/request"), &[("introduction", "I grow beans")])
        .await;
    assert_eq!(res.status, 303);
    let mut names = Vec::new();
    for c in [&bob, &cat, &dan] {
        let me = c.get("/api/v1/me").await.json();
        names.push(me["name"].as_str().unwrap().to_owned());
        names.push(format!("@{}", me["username"].as_str().unwrap()));
        names.push(me["username"].as_str().unwrap().to_owned());
        names.push(me["email"].as_str().unwrap().to_owned());
    }
    let lists = [
        format!("/g/{g}/members"),
        format!("/api/v1/groups/{g}/members"),
        format!("/t/{t}"),
        format!("/api/v1/threads/{t}/guests"),
        format!("/g/{g}/requests"),
        format!("/api/v1/groups/{g}/requests"),
    ];
    // Before: named, as they should be.
    for path in &lists {
        let body = ann.get(path).await.body;
        assert!(
            ["Bob Brightside", "Cat Catalina", "Dan Dandelion"]
                .iter()
                .any(|n| body.contains(n)),
            "{path}"
        );
    }
    for c in [&bob, &cat, &dan] {
        let res = c
            .post_form("/profile/deactivate", &[("current_password", PASSWORD)])
            .await;
        assert_eq!(res.status, 303);
    }
    for viewer in [&ann] {
        for path in &lists {
            let res = viewer.get(path).await;
            assert_eq!(res.status, 200, "{path}");
            for name in &names {
                assert!(!res.body.contains(name.as_str()), "{path} names {name}");
            }
        }
    }
    let members = ann.get(&format!("/g/{g}/members")).await.body;
    assert!(members.contains("A deactivated member"));
    let api = ann.get(&format!("/api/v1/groups/{g}/members")).await.json();
    let bob_row = api["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["deactivated"] == true)
        .expect("still a member, unnamed");
    assert_eq!(bob_row["name"], serde_json::Value::Null);
    assert!(bob_row.get("email").is_none_or(serde_json::Value::is_null));
    assert!(ann.get(&format!("/t/{t}")).await.body.contains("A deactivated member"));
    let requests = ann.get(&format!("/api/v1/groups/{g}/requests")).await.json();
    assert_eq!(requests["requests"].as_array().unwrap().len(), 0, "waits unlisted");

    // Coming back by an emailed link restores every list.
    for email in ["bob@example.org", "dan@example.org"] {
        let back = app.client();
        back.get("/login").await;
        back.post_form("/login/link", &[("link-email", email)]).await;
        let link = app.last_email_to(email).await.link("/login/token/");
        assert_eq!(back.post_form(&link, &[]).await.status, 303);
    }
    assert!(
        ann.get(&format!("/g/{g}/members"))
            .await
            .body
            .contains("Bob Brightside")
    );
    assert!(
        ann.get(&format!("/g/{g}/requests"))
            .await
            .body
            .contains("Dan Dandelion")
    );
}

async fn p9_a_deactivated_account_is_hidden_silent_and_can_come_back(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob Brightside", "bob@example.org", PASSWORD).await;
    let t = thread_with_comment_by(app, &ann, &bob).await;
    let bob_username = bob.get("/api/v1/me").await.json()["username"]
        .as_str()
        .unwrap()
        .to_owned();
    let other_device = bob.clone_cookies();

    let res = bob
        .post_form("/profile/deactivate", &[("current_password", "wrong password")])
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("not your current password"));
    let res = bob
        .post_form("/profile/deactivate", &[("current_password", PASSWORD)])
        .await;
    assert_eq!(res.status, 303);
    assert!(
        !bob.is_signed_in().await && !other_device.is_signed_in().await,
        "every session ended"
    );

    // The name disappears from the content; the content stays.
    let page = ann.get(&format!("/t/{t}")).await;
    assert!(page.body.contains("Tomatoes first.") && page.body.contains("A deactivated member"));
    assert!(page.body.contains("Started by a deactivated member"));
    assert!(!page.body.contains("Bob Brightside"), "{}", page.body);
    // No email of any kind: not a mention, not a password reset.
    let sent_before = app.settled_emails_to("bob@example.org").await.len();
    ann.post_json(
        &format!("/api/v1/threads/{t}/comments"),
        &serde_json::json!({"body": format!("@{bob_username} are you there?")}),
    )
    .await;
    app.client()
        .post_form("/password/forgot", &[("email", "bob@example.org")])
        .await;
    assert_eq!(app.settled_emails_to("bob@example.org").await.len(), sent_before);
    // Password log-in does not bring the account back; an emailed link does, with everything.
    let res = app
        .client()
        .post_form("/login", &[("email", "bob@example.org"), ("password", PASSWORD)])
        .await;
    assert_ne!(res.status, 303, "a password does not reactivate");
    let back = app.client();
    back.get("/login").await;
    back.post_form("/login/link", &[("link-email", "bob@example.org")])
        .await;
    let link = app.last_email_to("bob@example.org").await.link("/login/token/");
    assert_eq!(back.post_form(&link, &[]).await.status, 303);
    assert!(back.is_signed_in().await);
    let page = ann.get(&format!("/t/{t}")).await;
    assert!(page.body.contains("Bob Brightside") && page.body.contains("Started by Bob Brightside"));
    let comments = back.get(&format!("/api/v1/threads/{t}")).await.json();
    assert_eq!(
        comments["comments"][0]["reactions"].as_array().unwrap().len(),
        2,
        "reactions restored"
    );
}

async fn p10_a_deleted_account_leaves_no_trace_but_its_content(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob Brightside", "bob@example.org", PASSWORD).await;
    let t = thread_with_comment_by(app, &ann, &bob).await;
    let me = bob.get("/api/v1/me").await.json();
    let (bob_id_key, bob_username) = (
        me["key"].as_str().unwrap().to_owned(),
        me["username"].as_str().unwrap().to_owned(),
    );
    let bob_id: i64 = {
        let mut conn = app.db_conn().await;
        weft_store::query("SELECT id FROM users WHERE email = 'bob@example.org'")
            .fetch_scalar(&mut conn)
            .await
            .unwrap()
    };
    // Bob coordinates a group of his own and invites someone; he also waits on an invitation.
    let own = crate::groups::create(&bob, "Bob's allotment", "closed", "approval").await;
    bob.post_form(
        &format!("/g/{own}/invite"),
        &[("emails", "friend@example.org"), ("message", "")],
    )
    .await;
    ann.post_form(
        &format!(
            "/g/{}/invite",
            crate::groups::create(&ann, "Orchard", "closed", "approval").await
        ),
        &[("emails", "bob@example.org"), ("message", "")],
    )
    .await;

    // The only coordinator of a group must hand over first; nothing is deleted meanwhile.
    let res = bob
        .post_form("/profile/delete", &[("current_password", PASSWORD)])
        .await;
    assert_eq!(res.status, 422);
    assert!(
        res.body.contains("only coordinator of Bob&#39;s allotment"),
        "{}",
        res.body
    );
    assert!(bob.is_signed_in().await);
    assert_eq!(bob.post_form(&format!("/g/{own}/delete"), &[]).await.status, 303);

    let res = bob
        .post_form("/profile/delete", &[("current_password", PASSWORD)])
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(res.body.contains("Your account is deleted") && res.body.contains("a deleted member"));
    assert!(!bob.is_signed_in().await);
    let receipt = app.last_email_to("bob@example.org").await;
    assert!(receipt.subject.contains("is deleted") && receipt.header("List-Unsubscribe").is_some());
    for _ in 0..100 {
        if app
            .count("SELECT COUNT(*) FROM outbox_emails WHERE kind = 'deletion_receipt'")
            .await
            == 0
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    // No row anywhere holds his address, name, username or key…
    let mut conn = app.db_conn().await;
    let values = weft_store::schema::all_text_values(&mut conn, app.app.store.backend())
        .await
        .unwrap();
    for needle in [
        "bob@example.org",
        "Bob Brightside",
        bob_username.as_str(),
        bob_id_key.as_str(),
    ] {
        let found: Vec<_> = values.iter().filter(|(_, _, v)| v.contains(needle)).collect();
        assert!(found.is_empty(), "{needle:?} is still stored: {found:?}");
    }
    // …nor his id in any column that points at a person.
    let columns = weft_store::schema::columns(&mut conn, app.app.store.backend())
        .await
        .unwrap();
    for c in columns.iter().filter(|c| {
        c.family == "integer"
            && (c.name.ends_with("user_id")
                || ["author_id", "editor_id", "inviter_id", "responder_id", "created_by"].contains(&c.name.as_str()))
    }) {
        let sql = format!("SELECT COUNT(*) FROM \"{}\" WHERE \"{}\" = $1", c.table, c.name);
        let n: i64 = weft_store::query(sql)
            .bind(bob_id)
            .fetch_scalar(&mut conn)
            .await
            .unwrap();
        assert_eq!(n, 0, "{}.{} still points at the deleted account", c.table, c.name);
    }
    drop(conn);
    // The discussion keeps its integrity.
    let page = ann.get(&format!("/t/{t}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Tomatoes first.") && page.body.contains("A deleted member"));
    assert!(page.body.contains("Started by a deleted member"));
    // It cannot come back: the address is free, as if never used.
    let res = app
        .client()
        .post_form("/login", &[("email", "bob@example.org"), ("password", PASSWORD)])
        .await;
    assert_ne!(res.status, 303);
}

/// The files of a ZIP made of stored entries, as (name, bytes).
pub(crate) fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let mut at = 0;
    while at + 30 <= bytes.len() && bytes[at..at + 4] == [0x50, 0x4b, 0x03, 0x04] {
        let u16_at = |i: usize| usize::from(u16::from_le_bytes([bytes[i], bytes[i + 1]]));
        let u32_at = |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]) as usize;
        assert_eq!(u16_at(at + 8), 0, "stored entries");
        let size = u32_at(at + 18);
        let (name_len, extra_len) = (u16_at(at + 26), u16_at(at + 28));
        let name = String::from_utf8(bytes[at + 30..at + 30 + name_len].to_vec()).unwrap();
        let start = at + 30 + name_len + extra_len;
        files.push((name, bytes[start..start + size].to_vec()));
        at = start + size;
    }
    assert_eq!(
        &bytes[at..at + 4],
        &[0x50, 0x4b, 0x01, 0x02],
        "the central directory follows"
    );
    files
}

async fn p8_the_export_holds_everything_about_you_and_nothing_of_others(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob Brightside", "bob@example.org", PASSWORD).await;
    let t = thread_with_comment_by(app, &ann, &bob).await;
    let g = crate::groups::create(&bob, "Bob's allotment", "closed", "approval").await;
    bob.post_form(
        &format!("/g/{g}/invite"),
        &[("emails", "friend@example.org"), ("message", "")],
    )
    .await;
    // Bob mutes the thread, and Ann invites him into another group of hers.
    assert_eq!(
        bob.post_form(&format!("/t/{t}/volume"), &[("volume", "mute")])
            .await
            .status,
        303
    );
    let ann_g = crate::groups::create(&ann, "Ann's orchard", "closed", "approval").await;
    let res = ann
        .post_form(
            &format!("/g/{ann_g}/invite"),
            &[("emails", "bob@example.org"), ("message", "Come and prune with us")],
        )
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(
        app.client().get("/profile/data/export.zip").await.status,
        303,
        "yours only, after log-in"
    );
    let res = bob
        .request_json(
            reqwest::Method::PATCH,
            "/api/v1/me",
            Some(&serde_json::json!({"time_zone": "Europe/Lisbon"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let page = bob.get("/profile/data").await;
    assert!(page.body.contains("Your comments") && page.body.contains("Download everything"));

    let res = bob
        .send(bob.http().get(format!("{}/profile/data/export.zip", app.base)))
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.headers["content-type"], "application/zip");
    assert_eq!(res.headers["cache-control"], "no-store");
    let raw = bob
        .http()
        .get(format!("{}/api/v1/me/export", app.base))
        .header(
            "cookie",
            format!("__Host-weft_session={}", bob.cookie("__Host-weft_session").unwrap()),
        )
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let files = unzip(&raw);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    for kind in weft_store::export::KINDS {
        assert!(names.contains(&format!("{}.json", kind.name).as_str()), "{names:?}");
        assert!(names.contains(&format!("{}.csv", kind.name).as_str()), "{names:?}");
    }
    assert!(names.contains(&"index.html"));
    let file = |name: &str| {
        let bytes = &files.iter().find(|(n, _)| n == name).unwrap().1;
        serde_json::from_slice::<serde_json::Value>(bytes).unwrap()
    };
    let comments = file("comments.json");
    assert_eq!(comments["schema_version"], 1);
    assert_eq!(comments["items"][0]["body"], "Tomatoes first.");
    assert_eq!(comments["items"][0]["thread_key"], t.as_str());
    assert!(
        comments["items"][0]["created_at"].as_str().unwrap().ends_with('Z'),
        "UTC timestamps"
    );
    assert_eq!(file("profile.json")["items"][0]["email"], "bob@example.org");
    assert_eq!(
        file("profile.json")["items"][0]["time_zone"],
        "Europe/Lisbon",
        "the time zone is theirs"
    );
    assert!(file("sessions.json")["items"][0]["ip_masked"].is_string());
    assert_eq!(file("reactions.json")["items"][0]["emoji"], "tada");
    assert_eq!(file("memberships.json")["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        file("invitations_sent.json")["items"][0]["group_name"],
        "Bob's allotment"
    );
    assert_eq!(file("read_marks.json")["items"][0]["volume"], "mute", "thread volume");
    let received = file("invitations_received.json");
    assert_eq!(received["items"][0]["group_name"], "Ann's orchard", "{received}");
    assert_eq!(received["items"][0]["message"], "Come and prune with us");
    let csv = String::from_utf8(files.iter().find(|(n, _)| n == "comments.csv").unwrap().1.clone()).unwrap();
    assert!(csv.starts_with("thread_key,thread_title,seq,body,") && csv.contains("Tomatoes first."));
    // Never another person's address.
    let everything = String::from_utf8_lossy(&raw);
    assert!(!everything.contains("ann@example.org") && !everything.contains("friend@example.org"));
    let index = String::from_utf8(files.iter().find(|(n, _)| n == "index.html").unwrap().1.clone()).unwrap();
    assert!(
        index.contains("Your comments") && !index.contains("http://") && !index.contains("https://"),
        "opens offline"
    );
}

async fn p8_every_table_about_a_person_is_exported_or_explained(app: &TestApp) {
    let mut conn = app.db_conn().await;
    let columns = weft_store::schema::columns(&mut conn, app.app.store.backend())
        .await
        .unwrap();
    let person_columns = [
        "user_id",
        "author_id",
        "editor_id",
        "inviter_id",
        "responder_id",
        "created_by",
        "sender_id",
        "requester_id",
        "staff_id",
        "voter_id",
        "added_by",
        "actor_id",
    ];
    let mut tables: Vec<&str> = columns
        .iter()
        .filter(|c| person_columns.contains(&c.name.as_str()) || c.table == "users")
        .map(|c| c.table.as_str())
        .collect();
    tables.sort_unstable();
    tables.dedup();
    let exported: Vec<&str> = weft_store::export::KINDS
        .iter()
        .flat_map(|k| k.tables.iter().copied())
        .collect();
    let explained: Vec<&str> = weft_store::export::NOT_EXPORTED.iter().map(|(t, _)| *t).collect();
    for table in &tables {
        assert!(
            exported.contains(table) || explained.contains(table),
            "table {table} holds data about a person: add it to store::export::KINDS or explain it in NOT_EXPORTED"
        );
    }
    assert!(tables.len() >= 15, "{tables:?}");
}

async fn p9_the_mail_layer_itself_sends_nothing_to_a_deactivated_account(app: &TestApp) {
    app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let before = app.settled_emails_to("bob@example.org").await.len();
    let mut conn = app.db_conn().await;
    let bob =
        weft_store::users::find_by_email(&mut conn, &weft_domain::EmailAddress::parse("bob@example.org").unwrap())
            .await
            .unwrap()
            .unwrap();
    weft_store::users::set_state(
        &mut conn,
        bob.id,
        weft_domain::UserState::Deactivated,
        app.app.clock.now(),
    )
    .await
    .unwrap();
    // An email queued by any path at all, as if a caller forgot the rule.
    for kind in ["mention", "log_in_link"] {
        weft_store::outbox::enqueue(
            &mut conn,
            &weft_store::outbox::NewEmail {
                reply_to: None,
                user_id: Some(bob.id),
                sender_id: None,
                group_id: None,
                kind,
                to_address: "bob@example.org",
                subject: &format!("Queued anyway: {kind}"),
                body_text: "text",
                body_html: "<p>html</p>",
                unsubscribe_url: "http://127.0.0.1/unsubscribe/x",
                now: app.app.clock.now(),
                from_name: None,
                thread_id: None,
            },
        )
        .await
        .unwrap();
    }
    drop(conn);
    app.app.mail_wakeup.notify_one();
    let subjects: Vec<String> = app
        .settled_emails_to("bob@example.org")
        .await
        .iter()
        .map(|e| e.subject.clone())
        .collect();
    assert_eq!(subjects.len(), before + 1, "{subjects:?}");
    assert!(
        subjects.iter().any(|s| s.contains("log_in_link")),
        "the way back still works"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox_emails WHERE status = 'cancelled'")
            .await,
        1
    );
}

async fn p16_third_parties_are_listed(app: &TestApp) {
    // A fresh instance uses none.
    let page = app.client().get("/third-parties").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("None. Everything stays on this server"));
    assert!(
        app.client().get("/").await.body.contains("href=\"/third-parties\""),
        "linked from every page"
    );
    // What the operator declares, and the SMTP server by itself.
    let other = TestApp::spawn_with(Db::Sqlite, |c| {
        c.third_parties = vec![("Hetzner".into(), "Hosting: all data, encrypted at rest".into())];
        c.smtp = Some(weft_mail::SmtpSettings {
            host: "smtp.example.net".into(),
            port: 587,
            tls: weft_mail::SmtpTls::StartTls,
            username: None,
            password: None,
            ca_file: None,
        });
    })
    .await
    .unwrap();
    let page = other.client().get("/third-parties").await;
    assert!(page.body.contains("Hetzner") && page.body.contains("Hosting: all data"));
    assert!(page.body.contains("Email server smtp.example.net"));
    other.finish().await;
}

async fn p19_policy_changes_are_announced(app: &TestApp) {
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let staff = app.client();
    let link = app.app.create_admin("staff@example.org", Some("Staff")).await.unwrap();
    staff.post_form(link.trim_start_matches(&app.base), &[]).await;
    // A fresh instance has a policy and terms, version 1.
    let page = app.client().get("/privacy").await;
    assert!(page.body.contains("Version 1") && page.body.contains("What we keep"));
    assert!(app.client().get("/terms").await.body.contains("Terms of use"));
    assert!(!bob.get("/").await.body.contains("policy-notice"));

    assert_eq!(
        bob.get("/admin/policies/privacy").await.status,
        403,
        "administrators only"
    );
    let res = staff
        .post_form(
            "/admin/policies/privacy",
            &[("body", "New text."), ("summary", ""), ("email", "1")],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("Say in a sentence or two what changed"));
    let res = staff
        .post_form(
            "/admin/policies/privacy",
            &[
                ("body", "## New\n\nWe now keep less."),
                ("summary", "We keep email texts 3 days instead of 7."),
                ("email", "1"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);

    // Bob sees the notice on his next visit, and an email told him too.
    let home = bob.get("/").await;
    assert!(home.body.contains("The privacy policy changed on") && home.body.contains("3 days instead of 7"));
    let mail = app.last_email_to("bob@example.org").await;
    assert!(mail.subject.contains("Privacy policy") && mail.text.contains("3 days instead of 7"));
    assert_eq!(
        bob.post_form("/policies/seen", &[("next", "/profile")])
            .await
            .location(),
        "/profile"
    );
    assert!(
        !bob.get("/").await.body.contains("policy-notice"),
        "seen once is enough"
    );
    // Someone who joins later is not told about what came before.
    let cy = app.signed_in_user("Cy", "cy@example.org", PASSWORD).await;
    assert!(!cy.get("/").await.body.contains("policy-notice"));
    // Every version stays readable.
    let page = app.client().get("/privacy").await;
    assert!(page.body.contains("Version 2") && page.body.contains("We now keep less."));
    let old = app.client().get("/privacy?version=1").await;
    assert!(old.body.contains("What we keep") && old.body.contains("an earlier version"));
    assert_eq!(app.client().get("/privacy?version=9").await.status, 404);
}

async fn p2_only_aggregate_usage_is_counted(app: &TestApp) {
    let mut visitor = app.client();
    visitor.user_agent = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0".into();
    for path in ["/", "/explore", "/explore", "/api/v1/explore", "/no/such/page"] {
        visitor
            .send(
                visitor
                    .http()
                    .get(format!("{}{path}", app.base))
                    .header("accept-language", "fr-FR,fr;q=0.9")
                    .header("referer", "https://news.example.com/item?id=42"),
            )
            .await;
    }
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    assert_eq!(bob.get("/admin/usage").await.status, 403, "administrators only");
    let staff = app.client();
    let link = app.app.create_admin("staff@example.org", Some("Staff")).await.unwrap();
    staff.post_form(link.trim_start_matches(&app.base), &[]).await;
    let report = staff.get("/admin/usage").await;
    assert_eq!(report.status, 200);
    for shown in ["/explore", "Firefox", ">fr<", "news.example.com"] {
        assert!(report.body.contains(shown), "{shown} in the report");
    }
    // The table holds counts per value: no address, no person, no visit.
    let mut conn = app.db_conn().await;
    let rows: Vec<(String, String, i64)> = weft_store::query("SELECT dimension, value, count FROM usage_daily")
        .fetch_all(&mut conn, |r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .await
        .unwrap();
    let count = |d: &str, v: &str| rows.iter().find(|(dd, vv, _)| dd == d && vv == v).map_or(0, |r| r.2);
    assert_eq!(count("page", "/explore"), 2, "{rows:?}");
    assert_eq!(
        count("referrer", "news.example.com"),
        3,
        "the home page, Explore twice; not the API, not the 404"
    );
    assert_eq!(count("page", "/api/v1/explore"), 0);
    for (_, value, _) in &rows {
        assert!(
            !value.contains("127.0.0.1") && !value.contains('@') && !value.contains("?id="),
            "{value}"
        );
    }
    let columns = weft_store::schema::columns(&mut conn, app.app.store.backend())
        .await
        .unwrap();
    let usage_columns: Vec<&str> = columns
        .iter()
        .filter(|c| c.table == "usage_daily")
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(usage_columns, ["count", "day", "dimension", "value"]);
}
