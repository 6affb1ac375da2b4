//! The rest of the privacy centre (PRIVACY.md): deletion requests (P12), support access and the
//! access log (P13), backups (P17), the optional security log (P20), background exports (P8) and
//! the public usage report (P2). Each proven over HTTP on both databases.

use std::process::Command;

use crate::helpers::{Client, Db, TestApp};
use crate::privacy::thread_with_comment_by;
use crate::{on_both, on_both_with};

const PASSWORD: &str = "correct horse battery staple";

fn configured(c: &mut weft::config::ServeConfig) {
    c.dpo_contact = Some("dpo@example.org".into());
    c.export_inline_limit = 20;
    c.security_log = true;
    c.public_usage = true;
}

on_both_with!(super::configured;
    p12_a_member_asks_the_coordinators_to_delete_their_content,
    p12_anyone_can_ask_the_data_protection_officer,
    p13_instance_admins_read_private_content_only_with_support_access_and_every_read_is_logged,
    p13_every_route_to_private_content_logs_a_support_read,
    p8_a_large_account_gets_its_archive_in_the_background,
    p20_the_security_log_when_on_keeps_full_addresses_seven_days,
    p2_the_usage_report_can_be_public,
);

on_both!(
    p12_the_request_form_is_rate_limited,
    p20_the_security_log_is_off_by_default,
    p2_the_usage_report_is_private_by_default,
    p8_the_profile_says_who_can_see_what,
);

pub(crate) async fn staff(app: &TestApp) -> Client {
    let c = app.client();
    let link = app.app.create_admin("staff@example.org", Some("Staff")).await.unwrap();
    assert_eq!(c.post_form(link.trim_start_matches(&app.base), &[]).await.status, 303);
    c
}

async fn group_of(c: &Client, thread: &str) -> String {
    c.get(&format!("/api/v1/threads/{thread}")).await.json()["group"]["key"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn p12_a_member_asks_the_coordinators_to_delete_their_content(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let t = thread_with_comment_by(app, &ann, &bob).await;
    let g = group_of(&bob, &t).await;
    // Ann replies in Bob's thread, so the thread itself must stay for her words.
    ann.post_json(
        &format!("/api/v1/threads/{t}/comments"),
        &serde_json::json!({"body": "Ann's reply stays."}),
    )
    .await;
    let ann_reaction_before = app.count("SELECT COUNT(*) FROM reactions").await;
    assert_eq!(ann_reaction_before, 2);

    // The page names the door; an empty request is refused next to the field, nothing stored.
    assert!(
        bob.get(&format!("/g/{g}"))
            .await
            .body
            .contains("Ask to delete my content here")
    );
    let res = bob
        .post_form(&format!("/g/{g}/delete-my-content"), &[("body", "  ")])
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("Say what you would like deleted."));
    assert_eq!(app.count("SELECT COUNT(*) FROM deletion_requests").await, 0);
    let res = bob
        .post_form(
            &format!("/g/{g}/delete-my-content"),
            &[("body", "Everything I wrote here, please.")],
        )
        .await;
    assert_eq!(res.status, 303);

    // The coordinator is emailed, and the queue shows the one-month deadline.
    let mail = app
        .email_to_containing("ann@example.org", "Everything I wrote here")
        .await;
    assert!(mail.text.contains("Please answer by"));
    let queue = ann.get(&format!("/g/{g}/deletion-requests")).await;
    assert_eq!(queue.status, 200);
    assert!(
        queue.body.contains("Everything I wrote here, please.") && queue.body.contains("30 days left")
            || queue.body.contains("29 days left")
    );
    // Only coordinators see the queue; only members may ask.
    assert_eq!(bob.get(&format!("/g/{g}/deletion-requests")).await.status, 403);
    let outsider = app.signed_in_user("Out", "out@example.org", PASSWORD).await;
    assert_eq!(
        outsider
            .post_form(&format!("/g/{g}/delete-my-content"), &[("body", "x")])
            .await
            .status,
        403
    );
    let list = ann.get(&format!("/api/v1/groups/{g}/deletion-requests")).await.json();
    let key = list["requests"][0]["key"].as_str().unwrap().to_owned();
    assert_eq!(list["requests"][0]["status"], "open");
    assert!(
        list["requests"][0]["reply_email"].is_null(),
        "coordinators need no address to answer"
    );

    // Refusing needs a reason; the request stays open.
    let res = ann
        .post_form(
            &format!("/g/{g}/deletion-requests/{key}"),
            &[("resolution", "refuse"), ("outcome", "")],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("Say why"));
    // Deleting carries it out at once: Bob's comment, his reaction, and his thread's title and
    // text go; Ann's reply and reaction stay.
    let res = ann
        .post_form(
            &format!("/g/{g}/deletion-requests/{key}"),
            &[("resolution", "delete"), ("outcome", "Done, sorry to see you go.")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let thread = ann.get(&format!("/api/v1/threads/{t}")).await.json();
    assert_eq!(thread["title"], "Deleted thread");
    let page = ann.get(&format!("/t/{t}")).await.body;
    assert!(!page.contains("Tomatoes first.") && !page.contains("Which seeds?"));
    assert!(page.contains("Ann's reply stays."));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM reactions").await,
        0,
        "Bob's reaction went; Ann's was on his deleted comment"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM revisions").await,
        0,
        "no earlier version of his words remains"
    );
    let outcome = app.email_to_containing("bob@example.org", "was carried out").await;
    assert!(outcome.text.contains("Deleted 1 comment(s)") && outcome.text.contains("sorry to see you go"));
    // Answered once only; the record shows who answered.
    let again = ann
        .post_form(
            &format!("/g/{g}/deletion-requests/{key}"),
            &[("resolution", "refuse"), ("outcome", "Changed my mind")],
        )
        .await;
    assert_eq!(again.status, 422);
    assert!(again.body.contains("already answered"));
    assert!(
        bob.get("/profile/data")
            .await
            .body
            .contains("Done, sorry to see you go.")
    );
}

async fn p12_anyone_can_ask_the_data_protection_officer(app: &TestApp) {
    let admin = staff(app).await;
    let visitor = app.client();
    let form = visitor.get("/privacy/request").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("dpo@example.org"), "the configured contact is shown");
    assert!(app.client().get("/privacy").await.body.contains("dpo@example.org"));
    let res = visitor
        .post_form(
            "/privacy/request",
            &[("name", "Zoe"), ("email", "not an address"), ("body", "")],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("id=\"email-error\"") && res.body.contains("id=\"body-error\""));
    assert_eq!(app.count("SELECT COUNT(*) FROM deletion_requests").await, 0);
    let res = visitor
        .post_form(
            "/privacy/request",
            &[
                ("name", "Zoe"),
                ("email", "zoe@example.net"),
                ("body", "Please delete the comment quoting me in the Garden group."),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    app.email_to_containing("dpo@example.org", "quoting me").await;
    app.email_to_containing("staff@example.org", "quoting me").await;

    let member = app.signed_in_user("Mia", "mia@example.org", PASSWORD).await;
    assert_eq!(member.get("/admin/deletion-requests").await.status, 404);
    assert_eq!(member.get("/api/v1/admin/deletion-requests").await.status, 404);
    let queue = admin.get("/admin/deletion-requests").await;
    assert!(queue.body.contains("Zoe") && queue.body.contains("zoe@example.net"));
    let list = admin.get("/api/v1/admin/deletion-requests").await.json();
    let r = &list["requests"][0];
    let created = r["created_at"].as_str().unwrap();
    let due = r["due_at"].as_str().unwrap();
    assert_ne!(created, due);
    let key = r["key"].as_str().unwrap().to_owned();
    // The deadline is one month; overdue requests say so.
    app.app.clock.advance(weft_domain::Duration::days(31));
    let admin = staff(app).await; // sessions end after 14 idle days
    assert!(admin.get("/admin/deletion-requests").await.body.contains("Overdue"));
    assert!(admin.get("/admin").await.body.contains("1 open"));
    let res = admin
        .post_json(
            &format!("/api/v1/admin/deletion-requests/{key}"),
            &serde_json::json!({"resolution": "done", "outcome": ""}),
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.json()["errors"]["outcome"].is_array());
    let res = admin
        .post_json(
            &format!("/api/v1/admin/deletion-requests/{key}"),
            &serde_json::json!({"resolution": "done", "outcome": "The comment was removed by its group."}),
        )
        .await;
    assert_eq!(res.status, 204);
    let answer = app.email_to_containing("zoe@example.net", "was carried out").await;
    assert!(answer.text.contains("removed by its group"));
    assert!(
        answer.header("List-Unsubscribe").is_some(),
        "P15 for addresses without an account"
    );

    // A year after the answer, the request and the address it held are gone (P20).
    app.app.clock.advance(weft_domain::Duration::days(366));
    let purged = app.app.purge_expired().await.unwrap();
    assert_eq!(purged.deletion_requests, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM deletion_requests").await, 0);
}

/// The form is open to anyone and emails the administrators: it shares the account doors' budget.
async fn p12_the_request_form_is_rate_limited(app: &TestApp) {
    let visitor = app.client();
    // Ten attempts per address per hour (the default), as at the log-in doors.
    for _ in 0..10 {
        let res = visitor
            .post_form(
                "/privacy/request",
                &[("name", "Spam"), ("email", "spam@example.net"), ("body", "")],
            )
            .await;
        assert_eq!(res.status, 422);
    }
    let res = visitor
        .post_form(
            "/privacy/request",
            &[("name", "Spam"), ("email", "spam@example.net"), ("body", "x")],
        )
        .await;
    assert_eq!(res.status, 429);
    assert_eq!(app.count("SELECT COUNT(*) FROM deletion_requests").await, 0);
}

async fn p13_instance_admins_read_private_content_only_with_support_access_and_every_read_is_logged(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let t = thread_with_comment_by(app, &ann, &bob).await;
    let g = group_of(&bob, &t).await;
    let admin = staff(app).await;

    // Closed by default: the group exists for them, its content does not.
    assert_eq!(admin.get(&format!("/t/{t}")).await.status, 404);
    assert_eq!(admin.get(&format!("/api/v1/threads/{t}")).await.status, 404);
    assert_eq!(admin.get(&format!("/g/{g}/members")).await.status, 403);
    assert!(!admin.get(&format!("/g/{g}")).await.body.contains("Seeds"));
    // Members cannot open it; the coordinator can.
    assert_eq!(
        bob.post_form(&format!("/g/{g}/support"), &[("hours", "1")])
            .await
            .status,
        403
    );
    let res = ann.post_form(&format!("/g/{g}/support"), &[("hours", "5")]).await;
    assert_eq!(res.status, 422, "only the offered durations");
    assert_eq!(
        ann.post_form(&format!("/g/{g}/support"), &[("hours", "24")])
            .await
            .status,
        303
    );

    // Now the administrator reads, and only reads; each read is logged once per ten minutes.
    let page = admin.get(&format!("/t/{t}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Tomatoes first."));
    admin.get(&format!("/t/{t}")).await;
    assert!(admin.get(&format!("/g/{g}")).await.body.contains("Seeds"));
    assert_eq!(admin.get(&format!("/g/{g}/members")).await.status, 200);
    let comment = admin
        .post_json(
            &format!("/api/v1/threads/{t}/comments"),
            &serde_json::json!({"body": "Staff writing"}),
        )
        .await;
    assert_eq!(comment.status, 403, "support access never writes");
    let log = ann.get(&format!("/api/v1/groups/{g}/support")).await.json();
    let entries = log["access_log"].as_array().unwrap();
    let whats: Vec<&str> = entries.iter().map(|e| e["what"].as_str().unwrap()).collect();
    assert_eq!(whats.iter().filter(|w| w.contains("Seeds")).count(), 1, "{whats:?}");
    assert!(
        whats.contains(&"the member list") && whats.contains(&"the list of threads"),
        "{whats:?}"
    );
    assert_eq!(entries[0]["administrator"], "Staff");
    assert!(
        entries[0]["reason"]
            .as_str()
            .unwrap()
            .contains("support access opened by Ann")
    );
    assert!(
        ann.get(&format!("/g/{g}/support"))
            .await
            .body
            .contains("the member list")
    );
    // Members do not read the log.
    assert_eq!(bob.get(&format!("/api/v1/groups/{g}/support")).await.status, 403);

    // Closing ends it at once; expiry too.
    assert_eq!(ann.post_form(&format!("/g/{g}/support/end"), &[]).await.status, 303);
    assert_eq!(admin.get(&format!("/t/{t}")).await.status, 404);

    // Maintenance access: a stated reason, one hour, the coordinators are emailed.
    let res = admin
        .post_form(&format!("/g/{g}/maintenance"), &[("reason", "fix")])
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("Give the reason in a sentence"));
    assert_eq!(
        bob.post_form(&format!("/g/{g}/maintenance"), &[("reason", "I am curious about it")])
            .await
            .status,
        404
    );
    let res = admin
        .post_form(
            &format!("/g/{g}/maintenance"),
            &[("reason", "Repairing a broken attachment reported by Ann")],
        )
        .await;
    assert_eq!(res.status, 303);
    let mail = app
        .email_to_containing("ann@example.org", "Repairing a broken attachment")
        .await;
    assert!(mail.subject.contains("maintenance access"));
    assert_eq!(admin.get(&format!("/t/{t}")).await.status, 200);
    let log = ann.get(&format!("/api/v1/groups/{g}/support")).await.json();
    assert!(
        log["access_log"][0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("maintenance: Repairing")
    );
    app.app.clock.advance(weft_domain::Duration::minutes(61));
    assert_eq!(admin.get(&format!("/t/{t}")).await.status, 404, "an hour, no more");
}

/// Issue 19.5: the timeline item fragment and comment history read private content through
/// support access without a trace. The log is written by the access check itself, so every route
/// that reads a private thread or a non-public member list leaves one, whichever it is.
async fn p13_every_route_to_private_content_logs_a_support_read(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let t = thread_with_comment_by(app, &ann, &bob).await;
    let g = group_of(&bob, &t).await;
    let id = bob.get(&format!("/api/v1/threads/{t}")).await.json()["comments"][0]["id"]
        .as_i64()
        .unwrap();
    let admin = staff(app).await;
    assert_eq!(
        ann.post_form(&format!("/g/{g}/support"), &[("hours", "24")])
            .await
            .status,
        303
    );
    let poll = ann
        .post_json(
            &format!("/api/v1/groups/{g}/polls"),
            &serde_json::json!({"template": "proposal", "title": "On its own", "closing_at": crate::polls::from_now(86_400)}),
        )
        .await;
    assert_eq!(poll.status, 201, "{}", poll.body);
    let poll = poll.json()["key"].as_str().unwrap().to_owned();
    let routes = [
        format!("/p/{poll}"),
        format!("/p/{poll}/results.csv"),
        format!("/p/{poll}/print"),
        format!("/api/v1/polls/{poll}"),
        format!("/t/{t}"),
        format!("/t/{t}/items/1"),
        format!("/t/{t}/history"),
        format!("/t/{t}/comments/{id}/history"),
        format!("/api/v1/threads/{t}"),
        format!("/api/v1/threads/{t}/history"),
        format!("/api/v1/groups/{g}/threads"),
        format!("/api/v1/groups/{g}/polls"),
        format!("/g/{g}"),
        format!("/g/{g}/members"),
        format!("/api/v1/groups/{g}/members"),
    ];
    for path in &routes {
        weft_store::query("DELETE FROM access_log")
            .execute(&mut *app.db_conn().await)
            .await
            .unwrap();
        let res = admin.get(path).await;
        assert_eq!(res.status, 200, "{path}");
        assert_eq!(
            app.count("SELECT COUNT(*) FROM access_log").await,
            1,
            "{path}: a read through support access leaves one entry"
        );
    }
    // Members read without a trace: the log is about staff.
    weft_store::query("DELETE FROM access_log")
        .execute(&mut *app.db_conn().await)
        .await
        .unwrap();
    for path in &routes {
        assert_eq!(bob.get(path).await.status, 200, "{path}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM access_log").await, 0);
}

async fn p8_a_large_account_gets_its_archive_in_the_background(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let t = thread_with_comment_by(app, &ann, &bob).await;
    for i in 0..25 {
        bob.post_json(
            &format!("/api/v1/threads/{t}/comments"),
            &serde_json::json!({"body": format!("Comment number {i}")}),
        )
        .await;
    }
    let page = bob.get("/profile/data").await.body;
    assert!(page.contains("Prepare my archive"), "over the limit of 20 items");
    assert!(!page.contains("export.zip"));
    assert!(
        ann.get("/profile/data").await.body.contains("export.zip"),
        "small accounts download at once"
    );

    assert_eq!(bob.post_form("/profile/data/export", &[]).await.status, 303);
    let mail = app.email_to_containing("bob@example.org", "is ready").await;
    let link = mail.link("/profile/data/exports/");
    let page = bob.get("/profile/data").await.body;
    assert!(page.contains("Your archive is ready"), "{page}");
    let zip = bob.get(&link).await;
    assert_eq!(zip.status, 200);
    assert_eq!(zip.header("content-type").as_deref(), Some("application/zip"));
    assert!(zip.body.contains("comments.json") && zip.body.contains("index.html"));
    // Only its owner, and only until it expires.
    assert_eq!(ann.get(&link).await.status, 400);
    assert_eq!(app.client().get(&link).await.status, 303, "log in first");
    app.app.clock.advance(weft_domain::Duration::days(3));
    assert_eq!(bob.get(&link).await.status, 400);
    let purged = app.app.purge_expired().await.unwrap();
    assert_eq!(purged.data_exports, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM data_exports").await, 0);
}

async fn p20_the_security_log_when_on_keeps_full_addresses_seven_days(app: &TestApp) {
    let admin = staff(app).await;
    app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let res = app
        .client()
        .post_form(
            "/login",
            &[("email", "ann@example.org"), ("password", "wrong password!")],
        )
        .await;
    assert_eq!(res.status, 401);
    let log = admin.get("/admin/security-log").await;
    assert_eq!(log.status, 200);
    assert!(log.body.contains("log_in_failed") && log.body.contains("127.0.0.1"));
    let ann = app.signed_in_user("Ann2", "ann2@example.org", PASSWORD).await;
    assert_eq!(ann.get("/admin/security-log").await.status, 404);
    // It is part of the person's own export.
    assert!(app.count("SELECT COUNT(*) FROM security_log").await >= 3);
    app.app.clock.advance(weft_domain::Duration::days(8));
    let purged = app.app.purge_expired().await.unwrap();
    assert!(purged.security_log >= 3, "{purged:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM security_log").await, 0);
}

async fn p20_the_security_log_is_off_by_default(app: &TestApp) {
    let admin = staff(app).await;
    app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    app.client()
        .post_form(
            "/login",
            &[("email", "ann@example.org"), ("password", "wrong password!")],
        )
        .await;
    assert_eq!(app.count("SELECT COUNT(*) FROM security_log").await, 0);
    assert_eq!(admin.get("/admin/security-log").await.status, 404);
    assert!(!admin.get("/admin").await.body.contains("Security log"));
}

async fn p2_the_usage_report_can_be_public(app: &TestApp) {
    app.client().get("/explore").await;
    let page = app.client().get("/usage").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Page views per day"));
}

async fn p2_the_usage_report_is_private_by_default(app: &TestApp) {
    assert_eq!(app.client().get("/usage").await.status, 404);
    let admin = staff(app).await;
    let index = admin.get("/admin").await;
    assert!(index.body.contains("/admin/usage") && index.body.contains("/admin/policies/privacy"));
    assert!(
        admin.get("/").await.body.contains("href=\"/admin\""),
        "the header links to it"
    );
    let member = app.signed_in_user("Mia", "mia@example.org", PASSWORD).await;
    assert!(!member.get("/").await.body.contains("href=\"/admin\""));
    assert_eq!(member.get("/admin").await.status, 404);
}

async fn p8_the_profile_says_who_can_see_what(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    thread_with_comment_by(app, &ann, &bob).await;
    for page in ["/profile", "/profile/data"] {
        let body = bob.get(page).await.body;
        assert!(
            body.contains("Your email address (bob@example.org)") && body.contains("the coordinators of Garden"),
            "{page}"
        );
        assert!(body.contains("What you write in Garden"));
    }
    let api = bob.get("/api/v1/me/visibility").await.json();
    assert!(
        api["audiences"][0]["who"]
            .as_str()
            .unwrap()
            .contains("never other members")
    );
}

// ---- P17: backups ----

fn weft() -> Command {
    Command::new(env!("CARGO_BIN_EXE_weft"))
}

/// Backs up while serving, writes more, restores into the data folder, and finds exactly the
/// state at backup time.
async fn p17_backup_and_restore_round_trip(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        eprintln!("skipped: WEFT_TEST_POSTGRES_URL is not set");
        return;
    };
    if db == Db::Postgres && Command::new("pg_dump").arg("--version").output().is_err() {
        eprintln!("skipped: pg_dump is not installed");
        app.finish().await;
        return;
    }
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let g = crate::groups::create(&ann, "Before backup", "closed", "approval").await;
    let dir = crate::helpers::TempDir::new();
    let file = dir.0.join("weft.backup");
    let data_dir = app.data.0.clone();
    let url = app.database_url.clone();
    let run = |args: &[&str]| {
        let out = weft()
            .args(args)
            .arg("--data-dir")
            .arg(&data_dir)
            .env("WEFT_DATABASE_URL", &url)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    run(&["backup", "--to", file.to_str().unwrap()]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "a backup is readable by its owner only");
    }
    crate::groups::create(&ann, "After backup", "closed", "approval").await;
    assert_eq!(app.count("SELECT COUNT(*) FROM groups").await, 2);
    let kept = app.stop_keeping_data().await;

    run(&["restore", "--from", file.to_str().unwrap()]);
    let mut again = TestApp::spawn_with(db, |c| {
        c.data_dir.clone_from(&data_dir);
        c.database_url.clone_from(&url);
    })
    .await
    .unwrap();
    again.adopt(kept);
    assert_eq!(again.count("SELECT COUNT(*) FROM groups").await, 1);
    let back = again.client();
    back.post_form("/login", &[("email", "ann@example.org"), ("password", PASSWORD)])
        .await;
    assert_eq!(
        back.get(&format!("/g/{g}")).await.status,
        200,
        "the account and its group came back"
    );
    again.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p17_backup_and_restore_round_trip_sqlite() {
    p17_backup_and_restore_round_trip(Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p17_backup_and_restore_round_trip_postgres() {
    p17_backup_and_restore_round_trip(Db::Postgres).await;
}
