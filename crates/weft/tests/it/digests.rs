//! The catch-up digest over HTTP on both databases: chosen on the settings page or the API (bad
//! choices refused with nothing changed), due at six in the morning in the reader's zone, holding
//! exactly what the reader may see and has not read since the last digest (not another group's
//! thread, not a read or muted thread, not a deleted comment), nothing when nothing is new, one
//! per period even with two instances, and erased with a group it quotes (P11).

use serde_json::json;
use weft_domain::Duration;
use weft_domain::permissions::Role;

use crate::groups::{add_member, create};
use crate::helpers::{Db, TestApp};
use crate::on_both;
use crate::threads::{comment, start};

const PASSWORD: &str = "correct horse battery staple";

on_both!(
    the_digest_holds_what_its_reader_may_see_and_has_not_read,
    choosing_a_digest_refuses_bad_choices_and_tells_when_the_next_comes,
    a_digest_period_is_sent_once_and_erased_with_a_group_it_quotes,
);

async fn digests_to(app: &TestApp, to: &str) -> Vec<crate::helpers::Email> {
    app.settle_jobs().await;
    app.settle_mail().await;
    app.emails()
        .into_iter()
        .filter(|e| e.to.contains(to) && e.subject.starts_with("Catch up"))
        .collect()
}

/// Moves the clock past the next six in the morning in every zone of these tests.
async fn next_morning(app: &TestApp) {
    app.app.clock.advance(Duration::hours(25));
    app.settle_jobs().await;
}

async fn the_digest_holds_what_its_reader_may_see_and_has_not_read(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let garden = create(&ann, "Garden", "closed", "approval").await;
    let secret = create(&ann, "Ann's circle", "secret", "invitation").await;
    add_member(app, &garden, &bob, Role::Member).await;
    let res = bob.post_json("/api/v1/me/digest", &json!({"digest": "daily"})).await;
    assert_eq!(res.status, 200, "{}", res.body);

    // What happens after choosing.
    let tomatoes = start(&ann, &garden, "Tomatoes", "Which **varieties**?", "private").await;
    comment(&ann, &tomatoes, "> Which ones?\n\n- cherry\n- plum", None).await;
    comment(&ann, &tomatoes, "A comment taken back", None).await;
    let deleted = app
        .count("SELECT id AS n FROM comments WHERE body = 'A comment taken back'")
        .await;
    let res = ann
        .request_json(
            reqwest::Method::DELETE,
            &format!("/api/v1/threads/{tomatoes}/comments/{deleted}"),
            None,
        )
        .await;
    assert!(res.status < 300, "{}", res.body);
    let read = start(&ann, &garden, "Already read", "", "private").await;
    comment(&ann, &read, "Bob saw this one", None).await;
    assert_eq!(bob.get(&format!("/api/v1/threads/{read}")).await.status, 200);
    let muted = start(&ann, &garden, "Muted rota", "", "private").await;
    comment(&ann, &muted, "Bob muted this", None).await;
    let res = bob
        .post_json(&format!("/api/v1/threads/{muted}/volume"), &json!({"volume": "mute"}))
        .await;
    assert_eq!(res.status, 204, "{}", res.body);
    let hidden = start(&ann, &secret, "Surprise party", "", "private").await;
    comment(&ann, &hidden, "Bob must not know", None).await;

    next_morning(app).await;
    let digests = digests_to(app, "bob@example.org").await;
    assert_eq!(digests.len(), 1, "one digest");
    let d = &digests[0];
    assert!(d.subject.contains("of Garden"), "{}", d.subject);
    for part in [&d.text, &d.html] {
        assert!(part.contains("Tomatoes"), "{part}");
        for absent in [
            "Already read",
            "Muted rota",
            "Surprise party",
            "Bob must not know",
            "taken back",
        ] {
            assert!(!part.contains(absent), "{absent:?} in {part}");
        }
    }
    // What was written keeps its form in both parts.
    assert!(d.text.contains("> Which ones?\n\n- cherry\n- plum"), "{}", d.text);
    assert!(
        d.html.contains("<blockquote>") && d.html.contains("<li>cherry</li>"),
        "{}",
        d.html
    );
    assert!(d.text.contains("Ann started this thread:") && d.text.contains("Which **varieties**?"));
    // The email's own link stops the digest, without logging in.
    let link = d
        .header("List-Unsubscribe")
        .expect("every email can unsubscribe")
        .trim_matches(|c| c == '<' || c == '>')
        .trim_start_matches(&app.base)
        .to_owned();
    let stranger = app.client();
    let page = stranger.get(&link).await;
    assert!(page.body.contains("Stop the catch-up digest"), "{}", page.body);
    // (Stopped at the end, so that the rest of this scenario still gets digests.)
    // Ann chose no digest.
    assert!(digests_to(app, "ann@example.org").await.is_empty());

    // Nothing new: no digest the next morning.
    next_morning(app).await;
    assert_eq!(
        digests_to(app, "bob@example.org").await.len(),
        1,
        "nothing new, nothing sent"
    );

    // Bob reads Tomatoes; a new comment there comes in the next digest, without the old ones.
    assert_eq!(bob.get(&format!("/api/v1/threads/{tomatoes}")).await.status, 200);
    comment(&ann, &tomatoes, "Plum it is", None).await;
    next_morning(app).await;
    let digests = digests_to(app, "bob@example.org").await;
    assert_eq!(digests.len(), 2);
    let second = digests
        .iter()
        .find(|e| e.text.contains("Plum it is"))
        .expect("the second digest");
    assert!(!second.text.contains("Which ones?"), "{}", second.text);
    assert!(!second.text.contains("started this thread"), "{}", second.text);

    // Once Bob leaves the group, its threads are no longer his to read.
    let mut conn = app.db_conn().await;
    weft_store::query("DELETE FROM memberships WHERE user_id = (SELECT id FROM users WHERE email = $1)")
        .bind("bob@example.org")
        .execute(&mut conn)
        .await
        .unwrap();
    drop(conn);
    comment(&ann, &tomatoes, "After Bob left", None).await;
    next_morning(app).await;
    assert!(
        digests_to(app, "bob@example.org")
            .await
            .iter()
            .all(|e| !e.text.contains("After Bob left"))
    );

    assert_eq!(stranger.post_form(&format!("{link}/digest"), &[]).await.status, 303);
    assert_eq!(bob.get("/api/v1/me/digest").await.json()["digest"], "off");
    assert!(!stranger.get(&link).await.body.contains("Stop the catch-up digest"));
}

async fn choosing_a_digest_refuses_bad_choices_and_tells_when_the_next_comes(app: &TestApp) {
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let res = bob
        .request_json(
            reqwest::Method::PATCH,
            "/api/v1/me",
            Some(&json!({"time_zone": "Pacific/Auckland"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let before = bob.get("/api/v1/me/digest").await.json();
    assert_eq!(before["digest"], "off");
    assert_eq!(before["next_at"], serde_json::Value::Null);
    for (body, field) in [
        (json!({"digest": "hourly"}), "digest"),
        (json!({"digest": "weekly", "day": "caturday"}), "digest_day"),
    ] {
        let res = bob.post_json("/api/v1/me/digest", &body).await;
        assert_eq!(res.status, 422, "{}", res.body);
        assert!(res.body.contains(field), "{}", res.body);
    }
    assert_eq!(bob.get("/api/v1/me/digest").await.json(), before, "nothing changed");

    let res = bob
        .post_json("/api/v1/me/digest", &json!({"digest": "weekly", "day": "friday"}))
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let chosen = res.json();
    assert_eq!(chosen["digest"], "weekly");
    assert_eq!(chosen["time_zone"], "Pacific/Auckland");
    // Friday 06:00 in Auckland (NZDT, +13) is Thursday 17:00 UTC.
    let next = chosen["next_at"].as_str().unwrap();
    assert!(next.contains("T17:00:00"), "{next}");
    let next: jiff::Timestamp = next.parse().unwrap();
    let local = next.to_zoned(jiff::tz::db().get("Pacific/Auckland").unwrap());
    assert_eq!((local.weekday(), local.hour()), (jiff::civil::Weekday::Friday, 6));

    // The page, without JavaScript: the form shows the choice and saves another.
    let page = bob.get("/profile/notifications").await;
    assert!(page.body.contains("value=\"weekly\" checked"), "{}", page.body);
    assert!(page.body.contains("id=\"digest-next\""));
    let res = bob
        .post_form("/profile/digest", &[("digest", "off"), ("digest_day", "friday")])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(
        bob.get("/api/v1/me/digest").await.json()["next_at"],
        serde_json::Value::Null
    );
}

async fn a_digest_period_is_sent_once_and_erased_with_a_group_it_quotes(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let garden = create(&ann, "Garden", "closed", "approval").await;
    add_member(app, &garden, &bob, Role::Member).await;
    bob.post_json("/api/v1/me/digest", &json!({"digest": "every_other_day"}))
        .await;
    let t = start(&ann, &garden, "Compost rota", "Who turns it?", "private").await;
    comment(&ann, &t, "I take Mondays", None).await;
    // A second instance on the same database runs its own job runner: still one digest.
    let second = if app.db == Db::Postgres {
        let second = app.second_instance().await;
        second.app.clock.advance(Duration::hours(25));
        Some(second)
    } else {
        None
    };
    app.app.clock.advance(Duration::hours(25));
    app.settle_jobs().await;
    if let Some(second) = &second {
        second.settle_jobs().await;
    }
    assert_eq!(digests_to(app, "bob@example.org").await.len(), 1);
    assert_eq!(
        app.count("SELECT COUNT(*) AS n FROM outbox_emails WHERE kind = 'digest'")
            .await,
        1
    );
    if let Some(second) = second {
        second.finish().await;
    }
    // The group goes: what its digest said goes with it.
    let res = ann
        .request_json(
            reqwest::Method::DELETE,
            &format!("/api/v1/groups/{garden}"),
            Some(&json!({})),
        )
        .await;
    assert!(res.status < 300, "{}", res.body);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) AS n FROM outbox_emails WHERE kind = 'digest' AND (body_text <> '' OR subject <> '')"
        )
        .await,
        0,
        "the digest's words are erased with the group"
    );
}
