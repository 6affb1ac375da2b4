//! Account pre-hijack: anyone can sign up with someone else's address and a password of their
//! choosing. Whatever way the real owner later proves the address, that password (and anything
//! else set before the proof) must stop working. One scenario per way of proving it, and the
//! honest sign-up, which keeps its password in the browser that chose it.

use crate::groups::create;
use crate::helpers::{Client, TestApp};
use crate::on_both;

const VICTIM: &str = "vic@example.org";
const ATTACKER_PASSWORD: &str = "attacker knows this one";
const OWNER_PASSWORD: &str = "the owner's own secret";

on_both!(
    a_log_in_link_drops_a_password_set_before_the_address_was_proven,
    a_log_in_code_drops_a_password_set_before_the_address_was_proven,
    the_attackers_own_confirmation_email_opened_by_the_owner_drops_the_password,
    the_owners_own_sign_up_starts_over,
    an_invitation_sign_up_replaces_an_unproven_account,
    admin_create_never_trusts_an_unproven_password,
    an_honest_sign_up_keeps_its_password_in_the_browser_that_chose_it,
    a_confirmation_opened_in_another_browser_confirms_but_drops_the_password,
);

/// The attacker signs up with the victim's address, in their own browser, and never sees the
/// victim's mail.
async fn pre_register(app: &TestApp) {
    let attacker = app.client();
    attacker.get("/signup").await;
    let res = attacker
        .post_form(
            "/signup",
            &[("name", "Not Vic"), ("email", VICTIM), ("password", ATTACKER_PASSWORD)],
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    app.nth_email_to(VICTIM, 1).await;
}

/// Whether `password` logs in as the victim, from a fresh browser.
async fn password_works(app: &TestApp, password: &str) -> bool {
    let c = app.client();
    let res = c
        .post_form("/login", &[("email", VICTIM), ("password", password)])
        .await;
    assert!(
        res.status == 303 || res.status == 401 || res.status == 200,
        "{}: {}",
        res.status,
        res.body
    );
    c.is_signed_in().await
}

async fn log_in_by_link(app: &TestApp, owner: &Client, nth: usize) {
    let res = owner.post_form("/login/link", &[("link-email", VICTIM)]).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let link = app.nth_email_to(VICTIM, nth).await.link("/login/token/");
    let res = owner.post_form(&link, &[]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(
        res.location().contains("notice=welcome_no_password"),
        "the owner is told why there is no password: {}",
        res.location()
    );
}

async fn a_log_in_link_drops_a_password_set_before_the_address_was_proven(app: &TestApp) {
    pre_register(app).await;
    let owner = app.client();
    log_in_by_link(app, &owner, 2).await;
    assert!(owner.is_signed_in().await);
    assert!(
        !password_works(app, ATTACKER_PASSWORD).await,
        "the attacker's password was dropped"
    );
    // The attacker's confirmation link, still in the owner's inbox, is void too.
    let first = app.nth_email_to(VICTIM, 1).await.link("/verify/");
    assert_eq!(app.client().post_form(&first, &[]).await.status, 400);
}

async fn a_log_in_code_drops_a_password_set_before_the_address_was_proven(app: &TestApp) {
    pre_register(app).await;
    let owner = app.client();
    owner.post_form("/login/link", &[("link-email", VICTIM)]).await;
    let code = app.nth_email_to(VICTIM, 2).await.code();
    let res = owner
        .post_form("/login/code", &[("email", VICTIM), ("code", &code)])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(owner.is_signed_in().await);
    assert!(!password_works(app, ATTACKER_PASSWORD).await);
}

async fn the_attackers_own_confirmation_email_opened_by_the_owner_drops_the_password(app: &TestApp) {
    pre_register(app).await;
    let owner = app.client();
    let link = app.nth_email_to(VICTIM, 1).await.link("/verify/");
    assert_eq!(owner.get(&link).await.status, 200);
    let res = owner.post_form(&link, &[]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(
        res.location().contains("notice=welcome_no_password"),
        "{}",
        res.location()
    );
    assert!(owner.is_signed_in().await);
    assert!(!password_works(app, ATTACKER_PASSWORD).await);
    // The owner sets their own password from the fresh session, and it works.
    let res = owner
        .post_form(
            "/profile/password",
            &[("current_password", ""), ("new_password", OWNER_PASSWORD)],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(password_works(app, OWNER_PASSWORD).await);
}

async fn the_owners_own_sign_up_starts_over(app: &TestApp) {
    pre_register(app).await;
    let owner = app.client();
    owner.get("/signup").await;
    let res = owner
        .post_form(
            "/signup",
            &[("name", "Vic"), ("email", VICTIM), ("password", OWNER_PASSWORD)],
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let mail = app.nth_email_to(VICTIM, 2).await;
    assert!(
        mail.subject.contains("Confirm your email address"),
        "a new sign-up on an unproven address is confirmed like a first one: {}",
        mail.subject
    );
    // The attacker's confirmation link stopped working when the owner started over.
    let first = app.nth_email_to(VICTIM, 1).await.link("/verify/");
    assert_eq!(app.client().post_form(&first, &[]).await.status, 400);
    let res = owner.post_form(&mail.link("/verify/"), &[]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(res.location().contains("notice=welcome"), "{}", res.location());
    assert!(!res.location().contains("no_password"), "{}", res.location());
    assert_eq!(owner.get("/api/v1/me").await.json()["name"], "Vic");
    assert!(password_works(app, OWNER_PASSWORD).await);
    assert!(!password_works(app, ATTACKER_PASSWORD).await);
}

async fn an_invitation_sign_up_replaces_an_unproven_account(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", OWNER_PASSWORD).await;
    let g = create(&ann, "Garden", "closed", "approval").await;
    pre_register(app).await;
    let res = ann
        .post_form(&format!("/g/{g}/invite"), &[("emails", VICTIM), ("message", "")])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let link = app
        .email_to_containing(VICTIM, "/invitations/")
        .await
        .link("/invitations/");
    let owner = app.client();
    let res = owner
        .post_form(
            &format!("{link}/signup"),
            &[("name", "Vic"), ("password", OWNER_PASSWORD)],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(owner.is_signed_in().await);
    assert_eq!(owner.get("/api/v1/me").await.json()["name"], "Vic");
    assert!(password_works(app, OWNER_PASSWORD).await);
    assert!(!password_works(app, ATTACKER_PASSWORD).await);
}

async fn admin_create_never_trusts_an_unproven_password(app: &TestApp) {
    pre_register(app).await;
    let link = app.app.create_admin(VICTIM, None).await.unwrap();
    assert!(
        !password_works(app, ATTACKER_PASSWORD).await,
        "an instance admin with the attacker's password"
    );
    let owner = app.client();
    let path = &link[link.find("/login/token/").unwrap()..];
    let res = owner.post_form(path, &[]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(owner.is_signed_in().await);
    assert_eq!(owner.get("/admin").await.status, 200);
}

async fn an_honest_sign_up_keeps_its_password_in_the_browser_that_chose_it(app: &TestApp) {
    let vic = app.client();
    vic.get("/signup").await;
    vic.post_form(
        "/signup",
        &[("name", "Vic"), ("email", VICTIM), ("password", OWNER_PASSWORD)],
    )
    .await;
    let link = app.nth_email_to(VICTIM, 1).await.link("/verify/");
    let res = vic.post_form(&link, &[]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(!res.location().contains("no_password"), "{}", res.location());
    assert!(password_works(app, OWNER_PASSWORD).await);
}

async fn a_confirmation_opened_in_another_browser_confirms_but_drops_the_password(app: &TestApp) {
    // Signing up on a laptop and confirming on a phone: the phone cannot tell the owner from
    // someone who typed the address, so the address is confirmed and the password is not kept.
    let laptop = app.client();
    laptop.get("/signup").await;
    laptop
        .post_form(
            "/signup",
            &[("name", "Vic"), ("email", VICTIM), ("password", OWNER_PASSWORD)],
        )
        .await;
    let link = app.nth_email_to(VICTIM, 1).await.link("/verify/");
    let phone = app.client();
    let res = phone.post_form(&link, &[]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(
        res.location().contains("notice=welcome_no_password"),
        "{}",
        res.location()
    );
    assert!(phone.is_signed_in().await);
    assert!(!password_works(app, OWNER_PASSWORD).await);
}
