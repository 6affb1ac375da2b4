//! Accounts over HTTP: sign-up, verification, every way in, reset, profile changes, sessions.

use crate::helpers::TestApp;
use crate::on_both;
use serde_json::json;

const PASSWORD: &str = "correct horse battery staple";

on_both!(
    sign_up_verify_log_out_and_back_in_every_way,
    wrong_password_is_refused,
    expired_link_is_refused,
    used_link_cannot_be_used_again,
    same_link_used_concurrently_gives_exactly_one_session,
    wrong_codes_void_the_code_after_five_tries,
    password_reset_replaces_password_and_ends_sessions,
    bad_sign_up_input_is_explained_and_nothing_is_stored,
    profile_changes_name_and_username,
    a_short_bio_is_written_on_the_profile_and_read_on_the_profile_page,
    email_change_needs_confirmation_and_tells_the_old_address,
    password_change_needs_current_password_unless_fresh,
    sessions_page_lists_sessions_and_logs_out_everywhere,
    unverified_account_is_asked_to_confirm_first,
);

async fn sign_up_verify_log_out_and_back_in_every_way(app: &TestApp) {
    let ada = app.client();
    let res = ada
        .post_form(
            "/signup",
            &[("name", "Ada"), ("email", "Ada@Example.org"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status, 200);
    assert!(res.body.contains("Check your email"));
    assert!(!ada.is_signed_in().await, "not signed in before verification");

    let verify = app.nth_email_to("ada@example.org", 1).await;
    assert!(verify.subject.contains("Confirm your email address"));
    let link = verify.link("/verify/");
    assert_eq!(
        ada.get(&link).await.status,
        200,
        "the link opens a confirmation page without using it"
    );
    let res = ada.post_form(&link, &[]).await;
    assert_eq!(res.status, 303);
    assert!(ada.is_signed_in().await);
    let home = ada.get("/").await.body;
    assert!(
        home.contains("Welcome, Ada"),
        "a new account is welcomed, not welcomed back: {home}"
    );

    // Log out, then in with the password.
    let res = ada.post_form("/logout", &[]).await;
    assert_eq!(res.status, 303);
    assert!(!ada.is_signed_in().await);
    let res = ada
        .post_form(
            "/login",
            &[
                ("email", "ada@example.org"),
                ("password", PASSWORD),
                ("next", "/profile"),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(res.location(), "/profile");
    assert!(ada.is_signed_in().await);

    // Log out, then in with an emailed link.
    ada.post_form("/logout", &[]).await;
    let res = ada.post_form("/login/link", &[("link-email", "ada@example.org")]).await;
    assert_eq!(res.status, 200);
    assert!(res.body.contains("6-digit code"));
    let mail = app.nth_email_to("ada@example.org", 2).await;
    assert!(mail.subject.contains("log-in link"));
    let res = ada.post_form(&mail.link("/login/token/"), &[]).await;
    assert_eq!(res.status, 303);
    assert!(ada.is_signed_in().await);

    // Log out, then in with the 6-digit code on "another device".
    ada.post_form("/logout", &[]).await;
    let phone = app.client();
    phone
        .post_form("/login/link", &[("link-email", "ada@example.org")])
        .await;
    let mail = app.nth_email_to("ada@example.org", 3).await;
    let res = phone
        .post_form("/login/code", &[("email", "ada@example.org"), ("code", &mail.code())])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(phone.is_signed_in().await);
}

async fn wrong_password_is_refused(app: &TestApp) {
    app.signed_in_user("Bo", "bo@example.org", PASSWORD).await;
    let c = app.client();
    let res = c
        .post_form(
            "/login",
            &[("email", "bo@example.org"), ("password", "not the password")],
        )
        .await;
    assert_eq!(res.status, 401);
    assert!(res.body.contains("email address or password is not right"));
    assert!(res.body.contains("value=\"bo@example.org\""), "the address is kept");
    assert!(!res.body.contains("not the password"), "the password is never echoed");
    assert!(!c.is_signed_in().await);
}

async fn expired_link_is_refused(app: &TestApp) {
    app.signed_in_user("Cy", "cy@example.org", PASSWORD).await;
    let c = app.client();
    c.post_form("/login/link", &[("link-email", "cy@example.org")]).await;
    let link = app.nth_email_to("cy@example.org", 2).await.link("/login/token/");
    app.app.clock.advance(weft_domain::Duration::minutes(16));
    assert_eq!(c.get(&link).await.status, 400);
    let res = c.post_form(&link, &[]).await;
    assert_eq!(res.status, 400);
    assert!(res.body.contains("This link has expired"));
    assert!(!c.is_signed_in().await);
}

async fn used_link_cannot_be_used_again(app: &TestApp) {
    app.signed_in_user("Di", "di@example.org", PASSWORD).await;
    let c = app.client();
    c.post_form("/login/link", &[("link-email", "di@example.org")]).await;
    let mail = app.nth_email_to("di@example.org", 2).await;
    let link = mail.link("/login/token/");
    assert_eq!(c.post_form(&link, &[]).await.status, 303);
    let other = app.client();
    assert_eq!(other.post_form(&link, &[]).await.status, 400);
    assert!(!other.is_signed_in().await);
    // Its code went with it.
    let res = other
        .post_form("/login/code", &[("email", "di@example.org"), ("code", &mail.code())])
        .await;
    assert_eq!(res.status, 400);

    // A newer link makes older unused ones void.
    c.post_form("/login/link", &[("link-email", "di@example.org")]).await;
    let older = app.nth_email_to("di@example.org", 3).await.link("/login/token/");
    c.post_form("/login/link", &[("link-email", "di@example.org")]).await;
    let newer = app.nth_email_to("di@example.org", 4).await.link("/login/token/");
    assert_eq!(app.client().post_form(&older, &[]).await.status, 400);
    assert_eq!(app.client().post_form(&newer, &[]).await.status, 303);
}

async fn same_link_used_concurrently_gives_exactly_one_session(app: &TestApp) {
    app.signed_in_user("Ed", "ed@example.org", PASSWORD).await;
    let c = app.client();
    c.post_form("/login/link", &[("link-email", "ed@example.org")]).await;
    let link = app.nth_email_to("ed@example.org", 2).await.link("/login/token/");
    let before = app.count("SELECT COUNT(*) FROM sessions").await;
    let attempts = (0..8).map(|_| {
        let browser = app.client();
        let link = link.clone();
        tokio::spawn(async move { browser.post_form(&link, &[]).await.status })
    });
    let statuses: Vec<u16> = futures_join(attempts).await;
    assert_eq!(statuses.iter().filter(|s| **s == 303).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 400).count(), 7, "{statuses:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, before + 1);
}

pub async fn futures_join<T: Send + 'static>(handles: impl Iterator<Item = tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::new();
    for h in handles.collect::<Vec<_>>() {
        out.push(h.await.unwrap());
    }
    out
}

async fn wrong_codes_void_the_code_after_five_tries(app: &TestApp) {
    app.signed_in_user("Fa", "fa@example.org", PASSWORD).await;
    let c = app.client();
    c.post_form("/login/link", &[("link-email", "fa@example.org")]).await;
    let code = app.nth_email_to("fa@example.org", 2).await.code();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        let res = c
            .post_form("/login/code", &[("email", "fa@example.org"), ("code", wrong)])
            .await;
        assert_eq!(res.status, 400);
        assert!(res.body.contains("That code is not right"));
    }
    let res = c
        .post_form("/login/code", &[("email", "fa@example.org"), ("code", &code)])
        .await;
    assert_eq!(res.status, 400, "the right code no longer works after five wrong ones");
}

async fn password_reset_replaces_password_and_ends_sessions(app: &TestApp) {
    let laptop = app.signed_in_user("Gil", "gil@example.org", PASSWORD).await;
    let c = app.client();
    let res = c.post_form("/password/forgot", &[("email", "gil@example.org")]).await;
    assert_eq!(res.status, 200);
    let link = app.nth_email_to("gil@example.org", 2).await.link("/password/reset/");
    assert_eq!(c.get(&link).await.status, 200);
    let res = c.post_form(&link, &[("password", "short")]).await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("at least 8 characters"));
    let res = c.post_form(&link, &[("password", "a brand new passphrase")]).await;
    assert_eq!(res.status, 303);
    assert!(c.is_signed_in().await);
    assert!(!laptop.is_signed_in().await, "other sessions end");
    let notice = app.nth_email_to("gil@example.org", 3).await;
    assert!(notice.subject.contains("password"), "{}", notice.subject);
    let old = app
        .client()
        .post_form("/login", &[("email", "gil@example.org"), ("password", PASSWORD)])
        .await;
    assert_eq!(old.status, 401);
    let new = app
        .client()
        .post_form(
            "/login",
            &[("email", "gil@example.org"), ("password", "a brand new passphrase")],
        )
        .await;
    assert_eq!(new.status, 303);
    assert_eq!(
        c.post_form(&link, &[("password", "yet another passphrase")])
            .await
            .status,
        400,
        "single use"
    );
}

async fn bad_sign_up_input_is_explained_and_nothing_is_stored(app: &TestApp) {
    let c = app.client();
    let long_name = "n".repeat(10_000);
    let cases: [(&str, &str, &str, &[&str]); 4] = [
        (
            "",
            "not-an-email",
            "short",
            &["Enter a name", "Enter an email address like", "at least 8 characters"],
        ),
        (&long_name, "x@example.org", PASSWORD, &["at most 100 characters"]),
        ("Hal", "hal@example.org", "password123", &["most common"]),
        (
            "<script>alert(1)</script>",
            "hal@",
            PASSWORD,
            &["Enter an email address like"],
        ),
    ];
    for (name, email, password, messages) in cases {
        let res = c
            .post_form("/signup", &[("name", name), ("email", email), ("password", password)])
            .await;
        assert_eq!(res.status, 422);
        for m in messages {
            assert!(res.body.contains(m), "missing {m:?}");
        }
        assert!(!res.body.contains("<script>alert(1)</script>"), "escaped");
        assert!(
            !res.body.contains(&format!("value=\"{password}\"")),
            "password not re-displayed"
        );
        assert!(res.body.contains("aria-invalid=\"true\""));
    }
    let res = c
        .post_form(
            "/signup",
            &[("name", "Keep Me"), ("email", "nope"), ("password", PASSWORD)],
        )
        .await;
    assert!(res.body.contains("value=\"Keep Me\""), "what was typed is kept");
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox_emails").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM login_tokens").await, 0);
}

async fn profile_changes_name_and_username(app: &TestApp) {
    let ivy = app.signed_in_user("Ivy", "ivy@example.org", PASSWORD).await;
    app.signed_in_user("Joan", "joan@example.org", PASSWORD).await;
    let res = ivy
        .post_form("/profile", &[("name", "Ivy Q"), ("username", "ivy_q")])
        .await;
    assert_eq!(res.status, 303);
    let page = ivy.get("/profile").await.body;
    assert!(page.contains("value=\"Ivy Q\"") && page.contains("value=\"ivy_q\""));
    let res = ivy
        .post_form("/profile", &[("name", "Ivy"), ("username", "joan")])
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("This username is taken"));
    let res = ivy.post_form("/profile", &[("name", " "), ("username", "a b")]).await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("Enter a name") && res.body.contains("Use only letters"));
    let page = ivy.get("/profile").await.body;
    assert!(page.contains("value=\"ivy_q\""), "nothing half-saved");
}

/// A short bio: written on the profile (form or API), shown as plain text on the profile page
/// to signed-in people, refused next to the field when too long (nothing saved), in the
/// personal-data export and in "who can see what".
async fn a_short_bio_is_written_on_the_profile_and_read_on_the_profile_page(app: &TestApp) {
    let ivy = app.signed_in_user("Ivy", "ivy@example.org", PASSWORD).await;
    let joan = app.signed_in_user("Joan", "joan@example.org", PASSWORD).await;
    let username = ivy.username().await;
    let res = ivy
        .post_form(
            "/profile",
            &[
                ("name", "Ivy"),
                ("username", &username),
                ("bio", "Grows <b>tomatoes</b>.\r\nKeeps bees."),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let page = joan.get(&format!("/u/{username}")).await.body;
    assert!(
        page.contains("<p class=\"bio\">Grows &#60;b&#62;tomatoes&#60;/b&#62;.\nKeeps bees.</p>"),
        "plain text, line break kept: {page}"
    );
    assert!(
        ivy.get("/profile").await.body.contains("Your short bio"),
        "who can see it"
    );
    let res = ivy
        .post_form(
            "/profile",
            &[("name", "Ivy"), ("username", &username), ("bio", &"b".repeat(301))],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("Use at most 300 characters."), "{}", res.body);
    assert!(
        joan.get(&format!("/u/{username}")).await.body.contains("Keeps bees."),
        "unchanged"
    );
    // The API reads and writes it; a client that leaves it out leaves it.
    let res = ivy
        .request_json(reqwest::Method::PATCH, "/api/v1/me", Some(&json!({"name": "Ivy Q"})))
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["bio"], "Grows <b>tomatoes</b>.\nKeeps bees.");
    let res = ivy
        .request_json(reqwest::Method::PATCH, "/api/v1/me", Some(&json!({"bio": "Seeds."})))
        .await;
    assert_eq!(res.json()["bio"], "Seeds.");
    let res = ivy
        .request_json(reqwest::Method::PATCH, "/api/v1/me", Some(&json!({"bio": "\u{0007}"})))
        .await;
    assert_eq!(res.status, 422);
    assert!(res.json()["errors"]["bio"].is_array());
    let export = ivy.get("/api/v1/me/export").await;
    assert_eq!(export.status, 200, "{}", export.body);
    assert!(export.body.contains("Seeds."), "in the export: {}", export.body);
}

async fn email_change_needs_confirmation_and_tells_the_old_address(app: &TestApp) {
    let kim = app.signed_in_user("Kim", "kim@example.org", PASSWORD).await;
    app.app.clock.advance(weft_domain::Duration::minutes(11));
    let res = kim
        .post_form(
            "/profile/email",
            &[("email", "kim@new.example"), ("email-current-password", "")],
        )
        .await;
    assert_eq!(res.status, 422, "no longer a fresh log-in: the password is needed");
    let res = kim
        .post_form(
            "/profile/email",
            &[("email", "kim@new.example"), ("email-current-password", "wrong one")],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("not your current password"));
    let res = kim
        .post_form(
            "/profile/email",
            &[("email", "kim@new.example"), ("email-current-password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status, 303);
    let confirm = app.nth_email_to("kim@new.example", 1).await;
    let res = kim.post_form(&confirm.link("/profile/email/confirm/"), &[]).await;
    assert_eq!(res.status, 303);
    let notice = app.last_email_to("kim@example.org").await;
    assert!(notice.subject.contains("email address"), "{}", notice.subject);
    assert!(notice.text.contains("new.example"));
    assert!(
        !notice.text.contains("kim@new.example"),
        "the old address is told the domain, not the new address"
    );
    let res = app
        .client()
        .post_form("/login", &[("email", "kim@new.example"), ("password", PASSWORD)])
        .await;
    assert_eq!(res.status, 303);

    // Asking for an address that has an account changes nothing and tells that address.
    app.signed_in_user("Lu", "lu@example.org", PASSWORD).await;
    let res = kim
        .post_form(
            "/profile/email",
            &[("email", "lu@example.org"), ("email-current-password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status, 303, "same answer as for a free address");
    let told = app.last_email_to("lu@example.org").await;
    assert!(told.subject.contains("already has an account"), "{}", told.subject);
}

async fn password_change_needs_current_password_unless_fresh(app: &TestApp) {
    let mo = app.signed_in_user("Mo", "mo@example.org", PASSWORD).await;
    let other = app.client();
    other
        .post_form("/login", &[("email", "mo@example.org"), ("password", PASSWORD)])
        .await;
    assert!(other.is_signed_in().await);
    app.app.clock.advance(weft_domain::Duration::minutes(11));
    let res = mo
        .post_form(
            "/profile/password",
            &[("current_password", ""), ("new_password", "another passphrase")],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("Enter your current password"));
    let res = mo
        .post_form(
            "/profile/password",
            &[("current_password", PASSWORD), ("new_password", "another passphrase")],
        )
        .await;
    assert_eq!(res.status, 303);
    assert!(mo.is_signed_in().await, "this session stays");
    assert!(!other.is_signed_in().await, "other sessions end");
}

async fn sessions_page_lists_sessions_and_logs_out_everywhere(app: &TestApp) {
    let a = app.signed_in_user("Ned", "ned@example.org", PASSWORD).await;
    let mut b = app.client();
    b.user_agent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36".into();
    b.post_form("/login", &[("email", "ned@example.org"), ("password", PASSWORD)])
        .await;
    let page = a.get("/profile/sessions").await.body;
    assert!(page.contains("Firefox") && page.contains("Chrome"), "{page}");
    assert!(page.contains("127.0.0.0"), "masked address shown");
    assert!(page.contains("(this browser)"));
    let sessions = a.get("/api/v1/me/sessions").await.json();
    let chrome = sessions
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["browser"] == "Chrome")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let res = a.post_form(&format!("/profile/sessions/{chrome}/end"), &[]).await;
    assert_eq!(res.status, 303);
    assert!(!b.is_signed_in().await);
    assert!(a.is_signed_in().await);
    // Another user's session id cannot be ended.
    let c = app.signed_in_user("Oz", "oz@example.org", PASSWORD).await;
    let oz_session = c.get("/api/v1/me/sessions").await.json()[0]["id"].as_i64().unwrap();
    assert_eq!(
        a.post_form(&format!("/profile/sessions/{oz_session}/end"), &[])
            .await
            .status,
        404
    );
    assert!(c.is_signed_in().await);
    let res = a.post_form("/profile/sessions/end-all", &[]).await;
    assert_eq!(res.status, 303);
    assert!(!a.is_signed_in().await);
}

async fn unverified_account_is_asked_to_confirm_first(app: &TestApp) {
    let c = app.client();
    c.post_form(
        "/signup",
        &[("name", "Pia"), ("email", "pia@example.org"), ("password", PASSWORD)],
    )
    .await;
    app.nth_email_to("pia@example.org", 1).await;
    let res = c
        .post_form("/login", &[("email", "pia@example.org"), ("password", PASSWORD)])
        .await;
    assert_eq!(res.status, 200);
    assert!(res.body.contains("Confirm your address first"));
    assert!(!c.is_signed_in().await);
    let second = app.nth_email_to("pia@example.org", 2).await;
    assert_eq!(c.post_form(&second.link("/verify/"), &[]).await.status, 303);
    assert!(c.is_signed_in().await);
}
