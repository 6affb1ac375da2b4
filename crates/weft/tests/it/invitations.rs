//! Invitations over HTTP: by email (single use, expiring, re-send, revoke, unsubscribe), pending
//! invitations that become memberships at sign-up and link log-in, the shareable link, who may
//! see invited addresses (P6), bad input, the daily quota, and the Explore directory.

use serde_json::json;
use weft_domain::Duration;

use crate::groups::create;
use crate::helpers::{Client, TestApp};
use crate::on_both;

const PASSWORD: &str = "correct horse battery staple";

on_both!(
    an_invitee_signs_up_from_the_emailed_link,
    invitation_links_work_once_and_expire,
    waiting_invitations_become_memberships_at_sign_up_and_link_log_in,
    coordinators_resend_and_revoke,
    only_coordinators_see_invited_addresses,
    bad_invitations_are_explained_and_nothing_is_stored,
    an_address_can_refuse_further_invitations,
    the_shareable_link_can_be_reset_and_switched_off,
    explore_lists_only_open_groups_that_opt_in,
);

async fn invite(c: &Client, group: &str, emails: &str, message: &str) {
    let res = c
        .post_form(
            &format!("/g/{group}/invite"),
            &[("emails", emails), ("message", message)],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(res.location().contains("notice=invited"), "{}", res.location());
}

async fn members_of(c: &Client, group: &str) -> Vec<String> {
    let res = c.get(&format!("/api/v1/groups/{group}/members")).await;
    assert_eq!(res.status, 200, "{}", res.body);
    res.json()["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn an_invitee_signs_up_from_the_emailed_link(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let g = create(&ann, "Secret Garden", "secret", "invitation").await;
    invite(
        &ann,
        &g,
        "Dee Doe <dee@example.org>",
        "Come and help us plan the harvest.",
    )
    .await;

    let mail = app.last_email_to("dee@example.org").await;
    assert!(
        mail.subject.contains("Ann invited you to Secret Garden"),
        "{}",
        mail.subject
    );
    assert!(
        mail.text.contains("Come and help us plan the harvest."),
        "{}",
        mail.text
    );
    assert!(
        mail.header("List-Unsubscribe").is_some(),
        "P15: every email can be unsubscribed from"
    );
    let link = mail.link("/invitations/");

    let dee = app.client();
    let page = dee.get(&link).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Join Secret Garden") && page.body.contains("dee@example.org"));
    // A weak password is refused next to its field; no account is half-made.
    let res = dee
        .post_form(&format!("{link}/signup"), &[("name", "Dee"), ("password", "short")])
        .await;
    assert_eq!(res.status, 422);
    assert!(
        res.body.contains("At least 8 characters") || res.body.contains("at least 8"),
        "{}",
        res.body
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 1);

    let res = dee
        .post_form(&format!("{link}/signup"), &[("name", "Dee"), ("password", PASSWORD)])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(res.location(), format!("/g/{g}?notice=joined"));
    assert!(dee.is_signed_in().await);
    assert_eq!(members_of(&ann, &g).await, ["Ann", "Dee"]);
    // The address is confirmed (the link came to it) and the invitation, with its address, is gone.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE email_verified_at IS NOT NULL")
            .await,
        2
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM invitations").await, 0);
    assert_eq!(app.client().get(&link).await.status, 400);
}

async fn invitation_links_work_once_and_expire(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let cy = app.signed_in_user("Cy", "cy@example.org", PASSWORD).await;
    let g = create(&ann, "Closed Circle", "closed", "approval").await;
    invite(&ann, &g, "bob@example.org, later@example.org", "").await;
    let link = app.last_email_to("bob@example.org").await.link("/invitations/");

    // Whoever holds the link accepts it, once: Bob forwards it and Cy uses it first.
    let res = cy.post_form(&link, &[]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let res = bob.post_form(&link, &[]).await;
    assert_eq!(res.status, 400, "a used invitation link must not work again");
    assert_eq!(members_of(&ann, &g).await, ["Ann", "Cy"]);

    // Thirty days later the other invitation has expired, and the purge forgets its address.
    let later = app.last_email_to("later@example.org").await.link("/invitations/");
    assert_eq!(app.client().get(&later).await.status, 200);
    app.app.clock.advance(Duration::days(31));
    assert_eq!(app.client().get(&later).await.status, 400);
    let purged = app.app.purge_expired().await.unwrap();
    assert!(purged.invitations >= 1, "{purged:?}");
    assert_eq!(app.count("SELECT COUNT(*) FROM invitations").await, 0);
}

async fn waiting_invitations_become_memberships_at_sign_up_and_link_log_in(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let g = create(&ann, "Garden", "secret", "invitation").await;
    let h = create(&ann, "Harvest", "closed", "approval").await;
    invite(&ann, &g, "eve@example.org", "").await;
    // Eve ignores the email and signs up the ordinary way: confirming her address lets her in.
    let eve = app.signed_in_user("Eve", "eve@example.org", PASSWORD).await;
    assert_eq!(members_of(&ann, &g).await, ["Ann", "Eve"]);
    assert_eq!(members_of(&eve, &g).await, ["Ann", "Eve"]);

    // Fay has an account already; an invitation waits on her dashboard until she answers...
    let fay = app.signed_in_user("Fay", "fay@example.org", PASSWORD).await;
    invite(&ann, &g, "fay@example.org", "We need you!").await;
    invite(&ann, &h, "fay@example.org", "").await;
    let home = fay.get("/").await;
    assert!(
        home.body.contains("Invitations for you") && home.body.contains("We need you!"),
        "{}",
        home.body
    );
    let mine = fay.get("/api/v1/me/invitations").await.json();
    let list = mine["invitations"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    let id_of = |name: &str| {
        list.iter().find(|i| i["group"]["name"] == name).unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let (garden, harvest) = (id_of("Garden"), id_of("Harvest"));
    // ...and nobody else can answer it for her.
    assert_eq!(
        eve.post_form(&format!("/me/invitations/{garden}/accept"), &[])
            .await
            .status,
        404
    );
    let res = fay.post_form(&format!("/me/invitations/{harvest}/decline"), &[]).await;
    assert_eq!(res.status, 303);
    assert_eq!(members_of(&ann, &h).await, ["Ann"]);
    let res = fay.post_form(&format!("/me/invitations/{garden}/accept"), &[]).await;
    assert_eq!(res.location(), format!("/g/{g}?notice=joined"));
    assert_eq!(members_of(&ann, &g).await, ["Ann", "Eve", "Fay"]);

    // Gus has an account; logging in by emailed link proves his address and accepts at once.
    let gus = app.signed_in_user("Gus", "gus@example.org", PASSWORD).await;
    gus.post_form("/logout", &[]).await;
    invite(&ann, &h, "gus@example.org", "").await;
    let gus = app.client();
    gus.get("/login").await;
    gus.post_form("/login/link", &[("link-email", "gus@example.org")]).await;
    let link = app.last_email_to("gus@example.org").await.link("/login/token/");
    assert_eq!(gus.post_form(&link, &[]).await.status, 303);
    assert_eq!(members_of(&ann, &h).await, ["Ann", "Gus"]);
    assert_eq!(app.count("SELECT COUNT(*) FROM invitations").await, 0);
}

async fn coordinators_resend_and_revoke(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let g = create(&ann, "Garden", "closed", "approval").await;
    invite(&ann, &g, "hal@example.org, ida@example.org", "").await;
    let first = app.last_email_to("hal@example.org").await.link("/invitations/");
    let list = ann.get(&format!("/api/v1/groups/{g}/invitations")).await.json();
    let id_of = |email: &str| {
        list["invitations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["email"] == email)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let (hal, ida) = (id_of("hal@example.org"), id_of("ida@example.org"));

    // Too soon: the first email may still be on its way.
    let res = ann.post_form(&format!("/g/{g}/invitations/{hal}/resend"), &[]).await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("less than an hour ago"), "{}", res.body);
    // Inviting the same address again within the hour sends nothing either.
    let res = ann
        .post_json(
            &format!("/api/v1/groups/{g}/invitations"),
            &json!({"emails": ["hal@example.org"]}),
        )
        .await;
    assert_eq!(res.json(), json!({"sent": 0, "skipped": 1}));
    assert_eq!(app.settled_emails_to("hal@example.org").await.len(), 1);

    app.app.clock.advance(Duration::hours(2));
    let res = ann.post_form(&format!("/g/{g}/invitations/{hal}/resend"), &[]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let emails = app.settled_emails_to("hal@example.org").await;
    assert_eq!(emails.len(), 2);
    let second = emails[1].link("/invitations/");
    assert_ne!(first, second);
    assert_eq!(
        app.client().get(&first).await.status,
        400,
        "re-sending voids the old link"
    );
    assert_eq!(app.client().get(&second).await.status, 200);

    let ida_link = app.last_email_to("ida@example.org").await.link("/invitations/");
    let res = ann.post_form(&format!("/g/{g}/invitations/{ida}/revoke"), &[]).await;
    assert_eq!(res.status, 303);
    assert_eq!(
        app.client().get(&ida_link).await.status,
        400,
        "a revoked invitation's link is dead"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM invitations").await, 1);
}

async fn only_coordinators_see_invited_addresses(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let outsider = app.signed_in_user("Oz", "oz@example.org", PASSWORD).await;
    let g = create(&ann, "Garden", "secret", "invitation").await;
    // Members may invite when the coordinators allow it.
    let res = ann
        .request_json(
            reqwest::Method::PATCH,
            &format!("/api/v1/groups/{g}"),
            Some(
                &json!({"name": "Garden", "privacy": "secret", "join_policy": "invitation",
                    "flags": {"members_can_add_members": true, "members_can_start_threads": true}}),
            ),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    invite(&ann, &g, "bob@example.org", "").await;
    bob.post_form(&app.last_email_to("bob@example.org").await.link("/invitations/"), &[])
        .await;
    invite(&bob, &g, "secret-friend@example.org", "").await;

    let page = ann.get(&format!("/g/{g}/invite")).await;
    assert!(
        page.body.contains("secret-friend@example.org"),
        "coordinators manage invitations"
    );
    let page = bob.get(&format!("/g/{g}/invite")).await;
    assert_eq!(page.status, 200);
    assert!(
        !page.body.contains("secret-friend@example.org"),
        "P6: members do not see addresses"
    );
    assert_eq!(bob.get(&format!("/api/v1/groups/{g}/invitations")).await.status, 403);
    assert_eq!(
        outsider.get(&format!("/api/v1/groups/{g}/invitations")).await.status,
        404
    );
    let res = outsider
        .post_json(
            &format!("/api/v1/groups/{g}/invitations"),
            &json!({"emails": "x@example.org"}),
        )
        .await;
    assert_eq!(res.status, 404, "a secret group stays hidden from outsiders");
    // Members who may not invite are refused, in a group they know.
    let c = create(&ann, "Closed", "closed", "approval").await;
    crate::groups::add_member(app, &c, &bob, weft_domain::permissions::Role::Member).await;
    let res = bob
        .post_json(
            &format!("/api/v1/groups/{c}/invitations"),
            &json!({"emails": "x@example.org"}),
        )
        .await;
    assert_eq!(res.status, 403);
    assert_eq!(app.count("SELECT COUNT(*) FROM invitations").await, 1);
}

async fn bad_invitations_are_explained_and_nothing_is_stored(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let g = create(&ann, "Garden", "closed", "approval").await;
    let res = ann
        .post_form(
            &format!("/g/{g}/invite"),
            &[("emails", "ok@example.org, nope, also@bad"), ("message", "hi")],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(
        res.body.contains("“nope”") && res.body.contains("“also@bad”"),
        "{}",
        res.body
    );
    assert!(
        res.body.contains("ok@example.org, nope, also@bad"),
        "what was typed is kept"
    );
    let res = ann
        .post_form(&format!("/g/{g}/invite"), &[("emails", ""), ("message", "")])
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("Enter at least one email address"));
    let many: Vec<String> = (0..101).map(|i| format!("p{i}@example.org")).collect();
    let res = ann
        .post_json(
            &format!("/api/v1/groups/{g}/invitations"),
            &json!({"emails": many, "message": "m".repeat(2_001)}),
        )
        .await;
    assert_eq!(res.status, 422);
    let errors = &res.json()["errors"];
    assert!(
        errors["emails"][0].as_str().unwrap().contains("at most 100"),
        "{errors}"
    );
    assert!(
        errors["message"][0].as_str().unwrap().contains("at most 2000"),
        "{errors}"
    );

    // The daily quota: 200 invitation emails per person. Over it, nothing at all is sent.
    {
        let mut conn = app.db_conn().await;
        let ann_id =
            weft_store::users::find_by_email(&mut conn, &weft_domain::EmailAddress::parse("ann@example.org").unwrap())
                .await
                .unwrap()
                .unwrap()
                .id;
        assert!(
            weft_store::invitations::take_quota(&mut conn, ann_id, app.app.clock.now(), 199, 200)
                .await
                .unwrap()
        );
    }
    let res = ann
        .post_form(
            &format!("/g/{g}/invite"),
            &[("emails", "one@example.org, two@example.org"), ("message", "")],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("at most 200 invitations a day"), "{}", res.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM invitations").await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox_emails WHERE kind = 'invitation'")
            .await,
        0
    );
    invite(&ann, &g, "one@example.org", "").await;
}

async fn an_address_can_refuse_further_invitations(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let g = create(&ann, "Garden", "closed", "approval").await;
    let h = create(&ann, "Harvest", "closed", "approval").await;
    invite(&ann, &g, "nobody@example.org", "").await;
    let mail = app.last_email_to("nobody@example.org").await;
    let unsubscribe = mail.link("/unsubscribe/");
    let page = app.client().get(&unsubscribe).await;
    assert_eq!(page.status, 200);
    let res = app
        .client()
        .post_form_raw(&unsubscribe, &[])
        .await
        .send()
        .await
        .unwrap();
    assert!(
        res.status().is_success() || res.status().is_redirection(),
        "{}",
        res.status()
    );
    invite(&ann, &h, "nobody@example.org", "").await;
    assert_eq!(
        app.settled_emails_to("nobody@example.org").await.len(),
        1,
        "no second email"
    );
    // What is remembered is a fingerprint, not the address.
    let mut conn = app.db_conn().await;
    let stored: Vec<String> = weft_store::query("SELECT address_hash FROM email_suppressions")
        .fetch_all(&mut conn, |r| r.try_get(0))
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].contains('@') && stored[0].len() == 64, "{stored:?}");
}

async fn the_shareable_link_can_be_reset_and_switched_off(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let g = create(&ann, "Secret Garden", "secret", "invitation").await;
    assert_eq!(bob.get(&format!("/g/{g}")).await.status, 404);
    let res = ann.post_form(&format!("/g/{g}/invite-link/create"), &[]).await;
    assert_eq!(res.status, 303);
    let url = ann.get(&format!("/api/v1/groups/{g}/invite-link")).await.json()["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let link = url.trim_start_matches(&app.base).to_owned();
    assert!(ann.get(&format!("/g/{g}/invite")).await.body.contains(&url));

    // A visitor sees where the link leads and is asked to log in or sign up, coming back after.
    let page = app.client().get(&link).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Join Secret Garden") && page.body.contains("/signup?next="));
    let res = bob.post_form(&link, &[]).await;
    assert_eq!(res.location(), format!("/g/{g}?notice=joined"));

    let cal = app.client();
    cal.get(&format!("/signup?next={link}")).await;
    let res = cal
        .post_form(
            "/signup",
            &[
                ("name", "Cal"),
                ("email", "cal@example.org"),
                ("password", PASSWORD),
                ("next", &link),
            ],
        )
        .await;
    assert_eq!(res.status, 200);
    let verify = app.last_email_to("cal@example.org").await.link("/verify/");
    assert!(verify.contains("?next=/join/"), "{verify}");
    let res = cal.post_form(&verify, &[]).await;
    assert_eq!(res.location(), link, "back to the invitation after confirming");
    assert_eq!(cal.post_form(&link, &[]).await.status, 303);
    assert_eq!(members_of(&ann, &g).await, ["Ann", "Bob", "Cal"]);

    // Only coordinators make a new link or switch it off; either kills the old one.
    assert_eq!(
        bob.post_form(&format!("/g/{g}/invite-link/reset"), &[]).await.status,
        403
    );
    let res = ann
        .post_json(&format!("/api/v1/groups/{g}/invite-link"), &json!({"reset": true}))
        .await;
    let new_url = res.json()["url"].as_str().unwrap().to_owned();
    assert_ne!(new_url, url);
    assert_eq!(app.client().get(&link).await.status, 400);
    let new_link = new_url.trim_start_matches(&app.base).to_owned();
    assert_eq!(app.client().get(&new_link).await.status, 200);
    assert_eq!(
        ann.post_form(&format!("/g/{g}/invite-link/disable"), &[]).await.status,
        303
    );
    assert_eq!(app.client().get(&new_link).await.status, 400);
    assert_eq!(
        ann.get(&format!("/api/v1/groups/{g}/invite-link")).await.json()["url"],
        serde_json::Value::Null
    );
}

async fn explore_lists_only_open_groups_that_opt_in(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    for (name, privacy, listed) in [
        ("Bakers Guild", "open", true),
        ("Quiet Bakers", "open", false),
        ("Closed Bakers", "closed", true),
        ("Secret Bakers", "secret", true),
        ("100% Rye", "open", true),
    ] {
        let res = ann
            .post_json(
                "/api/v1/groups",
                &json!({"name": name, "privacy": privacy, "listed_in_explore": listed,
                        "description": "We **bake** bread. <script>alert(1)</script>"}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.body);
    }
    let page = app.client().get("/explore").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Bakers Guild") && page.body.contains("100% Rye"));
    for hidden in ["Quiet Bakers", "Closed Bakers", "Secret Bakers"] {
        assert!(!page.body.contains(hidden), "{hidden} must not be listed");
    }
    assert!(
        page.body.contains("We bake bread."),
        "descriptions are previewed as plain text"
    );
    assert!(!page.body.contains("<script>alert"), "{}", page.body);
    let found = app.client().get("/api/v1/explore?q=BAKERS").await.json();
    let names: Vec<&str> = found["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Bakers Guild"]);
    let percent = app.client().get("/api/v1/explore?q=%25").await.json();
    assert_eq!(
        percent["groups"].as_array().unwrap().len(),
        1,
        "% is searched for, not a wildcard"
    );
    assert!(
        app.client()
            .get("/explore?q=zzz")
            .await
            .body
            .contains("No listed group matches")
    );

    // The group page renders the markdown description, safely.
    let key = found["groups"][0]["key"].as_str().unwrap();
    let page = app.client().get(&format!("/g/{key}")).await;
    assert!(page.body.contains("<strong>bake</strong>"), "{}", page.body);
    assert!(page.body.contains("&lt;script&gt;") && !page.body.contains("<script>alert"));
}
