//! Notifications and volumes over HTTP on both databases: who hears of what, in the app and by
//! email, for each event × effective volume (the table of `weft_domain::notifications`, here end
//! to end); the thread's and the poll's own volumes over the group's; a notification is never
//! shown for what its reader may no longer see; the bell counts live; reactions come grouped;
//! a reply reaches the comment's author; announcing needs the group's permission.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{Value, json};
use weft_domain::permissions::Role;

use crate::groups::{add_member, create, create_subgroup, user_key};
use crate::helpers::{Client, TestApp};
use crate::on_both;
use crate::polls::{option, raise, vote};
use crate::threads::{comment, start};

const PASSWORD: &str = "correct horse battery staple";
const WAIT: Duration = Duration::from_secs(10);

on_both!(
    who_hears_of_what_at_each_volume,
    the_poll_and_the_thread_choose_before_the_group,
    a_notification_is_never_shown_for_what_its_reader_can_no_longer_see,
    the_bell_counts_live_and_reading_clears_it,
    reactions_to_a_comment_are_one_notification_and_a_reply_reaches_its_author,
    announcing_to_the_whole_group_is_the_groups_to_allow,
    announcing_to_chosen_people_and_subgroups_reaches_only_them,
    a_poll_is_announced_to_everyone_chosen_people_or_subgroups_as_the_group_allows,
    coordinators_hear_of_requests_and_inviters_of_their_guests_joining,
    an_emails_link_changes_only_its_owners_email_settings,
);

/// One person of the table, with what they had before the step.
struct Person {
    name: &'static str,
    email: &'static str,
    client: Client,
    seen: BTreeSet<i64>,
    emails: usize,
}

impl Person {
    async fn new(app: &TestApp, name: &'static str, email: &'static str) -> Self {
        let client = app.signed_in_user(name, email, PASSWORD).await;
        Self {
            name,
            email,
            client,
            seen: BTreeSet::new(),
            // The sign-up's own emails are not news.
            emails: app.settled_emails_to(email).await.len(),
        }
    }

    /// What reached them since the last call: "-" nothing, "a" in the app, "ae" in the app and
    /// by email ("e" would be an email without a notification, which must never happen).
    async fn news(&mut self, app: &TestApp) -> &'static str {
        app.settle_jobs().await;
        let emails = app.settled_emails_to(self.email).await.len();
        let res = self.client.get("/api/v1/notifications").await;
        let ids: BTreeSet<i64> = if res.status == 401 {
            // A deactivated account cannot log in: what was written for it is read in the store.
            let mut conn = app.db_conn().await;
            weft_store::query("SELECT n.id FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.email = $1")
                .bind(self.email)
                .fetch_all(&mut conn, |r| r.try_get("id"))
                .await
                .unwrap()
                .into_iter()
                .collect()
        } else {
            res.json()["notifications"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["id"].as_i64().unwrap())
                .collect()
        };
        let new_app = ids.difference(&self.seen).count();
        let new_mail = emails - self.emails;
        assert!(
            new_app <= 1 && new_mail <= 1,
            "{}: {new_app} notifications, {new_mail} emails",
            self.name
        );
        self.seen = ids;
        self.emails = emails;
        match (new_app, new_mail) {
            (0, 0) => "-",
            (1, 0) => "a",
            (1, 1) => "ae",
            _ => "e",
        }
    }
}

/// Sets the "Garden" group's `members_can_announce` (the other flags as the tests want them).
async fn members_may_announce(coordinator: &Client, g: &str, announce: bool) {
    let body = json!({"name": "Garden", "privacy": "closed", "join_policy": "approval", "flags": {
        "members_can_raise_polls": true, "members_can_start_threads": true, "members_can_edit_threads": true,
        "members_can_edit_comments": true, "members_can_delete_comments": true, "members_can_add_guests": true,
        "members_can_announce": announce, "members_can_add_members": false, "members_can_create_subgroups": false}});
    let res = coordinator
        .request_json(reqwest::Method::PATCH, &format!("/api/v1/groups/{g}"), Some(&body))
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
}

/// Checks what reached each of `people` since the last step.
async fn step(app: &TestApp, people: &mut [Person], what: &str, expected: [&str; 5]) {
    for (p, want) in people.iter_mut().zip(expected) {
        assert_eq!(p.news(app).await, want, "{what}: {} ({})", p.name, p.email);
    }
}

async fn notifications(c: &Client) -> Value {
    let res = c.get("/api/v1/notifications").await;
    assert_eq!(res.status, 200, "{}", res.body);
    res.json()
}

async fn set_group_volume(c: &Client, group: &str, volume: &str) {
    let res = c
        .post_json(&format!("/api/v1/groups/{group}/volume"), &json!({"volume": volume}))
        .await;
    assert_eq!(res.status, 204, "{}", res.body);
}

async fn start_announced(c: &Client, group: &str, title: &str, notify: &str) -> crate::helpers::Response {
    c.post_json(
        &format!("/api/v1/groups/{group}/threads"),
        &json!({"title": title, "context": "Read me in your mail client.", "notify": notify}),
    )
    .await
}

/// The rule's table, end to end: four members at mute, quiet, normal and loud (and a loud one
/// who deactivated), and for each event what reached each of them.
async fn who_hears_of_what_at_each_volume(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let g = create(&ann, "Riverside Garden", "closed", "approval").await;
    let mut people = Vec::new();
    for (name, email, volume) in [
        ("Mo", "mute@example.org", "mute"),
        ("Qi", "quiet@example.org", "quiet"),
        ("Nor", "normal@example.org", "normal"),
        ("Lou", "loud@example.org", "loud"),
        ("Gone", "gone@example.org", "loud"),
    ] {
        let p = Person::new(app, name, email).await;
        add_member(app, &g, &p.client, Role::Member).await;
        set_group_volume(&p.client, &g, volume).await;
        people.push(p);
    }
    let mut gone = app.db_conn().await;
    weft_store::query("UPDATE users SET state = 'deactivated' WHERE email = 'gone@example.org'")
        .execute(&mut gone)
        .await
        .unwrap();
    drop(gone);
    let res = start_announced(&ann, &g, "Announced", "group").await;
    assert_eq!(res.status, 201, "{}", res.body);
    let announced = res.json()["key"].as_str().unwrap().to_owned();
    step(app, &mut people, "an announced thread", ["-", "a", "ae", "ae", "-"]).await;
    let res = start_announced(&ann, &g, "Quiet start", "nobody").await;
    assert_eq!(res.status, 201, "{}", res.body);
    let t = res.json()["key"].as_str().unwrap().to_owned();
    step(app, &mut people, "a thread not announced", ["-", "a", "a", "ae", "-"]).await;
    comment(&ann, &t, "Only the loud hear of every comment.", None).await;
    step(
        app,
        &mut people,
        "a comment where they took no part",
        ["-", "-", "-", "ae", "-"],
    )
    .await;
    let mut names = Vec::new();
    // (Gone can no longer log in: nobody can look their username up to mention them.)
    for p in people.iter().take(4) {
        names.push(format!("@{}", p.client.username().await));
    }
    comment(&ann, &t, &format!("{} what do you think?", names.join(" ")), None).await;
    step(app, &mut people, "a mention", ["-", "a", "ae", "ae", "-"]).await;
    // A mention in an email links to the person's page on this site, never a relative path.
    let mention = app.email_to_containing("loud@example.org", "what do you think?").await;
    assert!(
        mention.html.contains(&format!("href=\"{}/u/", app.base)),
        "{}",
        mention.html
    );
    assert!(!mention.html.contains("href=\"/u/"));
    raise(
        &ann,
        &t,
        json!({"kind": "proposal", "title": "Buy a greenhouse", "notify_on_open": true,
               "options": ["agree", "abstain", "disagree"]}),
    )
    .await;
    step(app, &mut people, "an announced poll", ["-", "a", "ae", "ae", "-"]).await;
    // Someone who took part hears of the next comment in the app (by email when loud).
    let qi = people[1].client.clone_cookies();
    comment(&qi, &t, "Qi was here.", None).await;
    step(app, &mut people, "Qi's comment", ["-", "-", "-", "ae", "-"]).await;
    let nor = people[2].client.clone_cookies();
    comment(&nor, &t, "Nor too.", None).await;
    step(
        app,
        &mut people,
        "Nor's comment, after Qi's",
        ["-", "a", "-", "ae", "-"],
    )
    .await;
    comment(&ann, &t, "Thanks both.", None).await;
    step(
        app,
        &mut people,
        "a comment where they took part",
        ["-", "a", "a", "ae", "-"],
    )
    .await;

    // What the emails say: the group and the thread named, the content kept.
    let mail = app.email_to_containing("normal@example.org", "Announced").await;
    assert!(
        mail.subject.contains("Announced") && mail.subject.contains("Riverside Garden"),
        "{}",
        mail.subject
    );
    assert!(mail.text.contains("Read me in your mail client."), "{}", mail.text);
    assert!(mail.header("list-unsubscribe").is_some());
    // From Ann, by way of the group; the thread's emails keep together in a mail client.
    let from = mail.header("From").unwrap();
    assert!(from.contains("Ann via Riverside Garden"), "{from}");
    let thread_ref = mail.header("References").expect("References");
    assert_eq!(mail.header("In-Reply-To").as_deref(), Some(thread_ref.as_str()));
    let mention = app
        .email_to_containing("normal@example.org", "what do you think?")
        .await;
    let comment_ref = mention.header("References").expect("References");
    assert_ne!(comment_ref, thread_ref, "each thread has its own");
    let poll = app.email_to_containing("normal@example.org", "Buy a greenhouse").await;
    assert_eq!(
        poll.header("References"),
        Some(comment_ref),
        "a poll's emails join its thread's"
    );
    // The security emails of one's own account come from the instance itself.
    let welcome = app
        .emails()
        .into_iter()
        .find(|e| e.to.contains("normal@example.org"))
        .unwrap();
    assert!(
        !welcome.header("From").unwrap().contains(" via "),
        "{:?}",
        welcome.header("From")
    );
    assert_eq!(welcome.header("References"), None);
    // The list reads as sentences and leads to the place.
    let list = notifications(&people[2].client).await;
    let texts: Vec<&str> = list["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["text"].as_str().unwrap())
        .collect();
    assert!(texts.contains(&"Ann started “Announced”"), "{texts:?}");
    assert!(texts.contains(&"Ann mentioned you in “Quiet start”"), "{texts:?}");
    assert!(texts.contains(&"Ann raised a poll: “Buy a greenhouse”"), "{texts:?}");
    let _ = announced;
}

/// A thread's own volume beats the group's; a poll's beats the thread's; "as the group" puts
/// the group's back.
async fn the_poll_and_the_thread_choose_before_the_group(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let cy = app.signed_in_user("Cy", "cy@example.org", PASSWORD).await;
    let g = create(&ann, "Garden", "closed", "approval").await;
    add_member(app, &g, &bob, Role::Member).await;
    add_member(app, &g, &cy, Role::Member).await;
    set_group_volume(&bob, &g, "loud").await;
    let t = start(&ann, &g, "Rota", "", "").await;
    let emails = async |who: &str| app.settled_emails_to(who).await.len();
    let base = emails("bob@example.org").await;

    // Loud by the group, muted for this thread: nothing.
    let res = bob
        .post_json(&format!("/api/v1/threads/{t}/volume"), &json!({"volume": "mute"}))
        .await;
    assert_eq!(res.status, 204);
    comment(&ann, &t, "Mondays?", None).await;
    app.settle_jobs().await;
    assert_eq!(emails("bob@example.org").await, base, "a muted thread sends nothing");
    assert_eq!(
        notifications(&bob).await["unread"],
        1,
        "only the new thread, before the mute"
    );

    // The poll's own choice beats the thread's mute: a vote on it reaches Bob.
    let poll = raise(
        &ann,
        &t,
        json!({"kind": "proposal", "title": "Hire a pump", "options": ["agree", "disagree"]}),
    )
    .await;
    let key = poll["key"].as_str().unwrap();
    let res = bob
        .post_json(&format!("/api/v1/polls/{key}/volume"), &json!({"volume": "loud"}))
        .await;
    assert_eq!(res.status, 204, "{}", res.body);
    assert_eq!(
        bob.get(&format!("/api/v1/polls/{key}/volume")).await.json()["volume"],
        "loud"
    );
    let res = vote(&cy, key, json!([{"option": option(&poll, "agree"), "value": 1}]), "").await;
    assert_eq!(res.status, 200, "{}", res.body);
    let mail = app.email_to_containing("bob@example.org", "voted in").await;
    assert_eq!(mail.subject, "Cy voted in “Hire a pump”");
    assert!(!mail.text.contains("agree"), "no email carries a choice: {}", mail.text);
    assert!(mail.header("From").unwrap().contains("Cy via Garden"));
    // An anonymous poll's vote names nobody: not in the list, not in the email, not in its From
    // line, not in the outbox row.
    let secret = raise(
        &ann,
        &t,
        json!({"kind": "proposal", "title": "Secret ballot", "anonymous": true, "options": ["agree", "disagree"]}),
    )
    .await;
    let secret_key = secret["key"].as_str().unwrap();
    let res = bob
        .post_json(
            &format!("/api/v1/polls/{secret_key}/volume"),
            &json!({"volume": "loud"}),
        )
        .await;
    assert_eq!(res.status, 204);
    let res = vote(
        &cy,
        secret_key,
        json!([{"option": option(&secret, "agree"), "value": 1}]),
        "",
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let mail = app
        .email_to_containing("bob@example.org", "voted in “Secret ballot”")
        .await;
    assert_eq!(mail.subject, "Someone voted in “Secret ballot”");
    assert!(
        !mail.header("From").unwrap().contains("Cy"),
        "{:?}",
        mail.header("From")
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox_emails WHERE kind = 'new_vote' AND sender_id IS NOT NULL AND subject LIKE '%Secret%'")
            .await,
        0
    );
    let list = notifications(&bob).await;
    let vote_note = list["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["text"].as_str().unwrap().contains("Secret ballot") && n["kind"] == "vote")
        .cloned()
        .expect("the vote's notification");
    assert_eq!(vote_note["text"], "Someone voted in “Secret ballot”");

    // Back to the group's volume: loud again for the thread's comments.
    let res = bob
        .post_json(&format!("/api/v1/threads/{t}/volume"), &json!({"volume": "group"}))
        .await;
    assert_eq!(res.status, 204);
    let before = emails("bob@example.org").await;
    comment(&ann, &t, "Tuesdays then.", None).await;
    app.settle_jobs().await;
    assert_eq!(emails("bob@example.org").await, before + 1);
    assert_eq!(bob.get(&format!("/api/v1/threads/{t}")).await.json()["volume"], "loud");

    // The group's volume for all one's groups at once, through the page's form.
    let g2 = create(&ann, "Orchard", "closed", "approval").await;
    add_member(app, &g2, &bob, Role::Member).await;
    let res = bob
        .post_form(&format!("/g/{g}/volume"), &[("volume", "quiet"), ("everywhere", "1")])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(
        bob.get(&format!("/api/v1/groups/{g2}/volume")).await.json()["volume"],
        "quiet"
    );
    let page = bob.get("/profile/notifications").await;
    assert!(
        page.body.contains("Orchard") && page.body.contains("Garden"),
        "{}",
        page.body
    );
    // Bad input is refused plainly, and only members choose a group's volume.
    let res = bob
        .post_json(&format!("/api/v1/groups/{g}/volume"), &json!({"volume": "shout"}))
        .await;
    assert_eq!(res.status, 422);
    assert!(res.json()["errors"]["volume"][0].is_string(), "{}", res.body);
    let outsider = app.signed_in_user("Out", "out@example.org", PASSWORD).await;
    let res = outsider
        .post_json(&format!("/api/v1/groups/{g}/volume"), &json!({"volume": "loud"}))
        .await;
    assert_eq!(res.status, 422, "{}", res.body);
    let secret = create(&ann, "Hidden", "secret", "invitation").await;
    let res = outsider
        .post_json(&format!("/api/v1/groups/{secret}/volume"), &json!({"volume": "loud"}))
        .await;
    assert_eq!(res.status, 404, "a secret group stays hidden: {}", res.body);
}

/// A mention in a private thread shows until its reader leaves the group; then the list, the
/// count and the link all behave as if it never happened (checked when listed, not only when
/// written).
async fn a_notification_is_never_shown_for_what_its_reader_can_no_longer_see(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let g = create(&ann, "Garden", "closed", "approval").await;
    add_member(app, &g, &bob, Role::Member).await;
    let t = start(&ann, &g, "Budget", "", "private").await;
    let bob_name = bob.username().await;
    comment(&ann, &t, &format!("@{bob_name} please check"), None).await;
    app.settle_jobs().await;
    let list = notifications(&bob).await;
    let mention = list["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "mention")
        .cloned()
        .expect("the mention");
    let id = mention["id"].as_i64().unwrap();
    assert!(mention["link"].as_str().unwrap().starts_with(&format!("/t/{t}?from=")));

    let bob_key = user_key(&bob).await;
    let res = ann.post_form(&format!("/g/{g}/members/{bob_key}/remove"), &[]).await;
    assert_eq!(res.status, 303);
    let list = notifications(&bob).await;
    assert_eq!(list["notifications"], json!([]), "{list}");
    assert_eq!(list["unread"], 0);
    assert_eq!(bob.get("/api/v1/notifications/unread").await.json()["unread"], 0);
    assert_eq!(bob.get(&format!("/notifications/{id}")).await.status, 404);
    let page = bob.get("/notifications").await;
    assert!(!page.body.contains("Budget"), "{}", page.body);
    // And someone else's notification is theirs alone.
    let cy = app.signed_in_user("Cy", "cy@example.org", PASSWORD).await;
    assert_eq!(cy.get(&format!("/notifications/{id}")).await.status, 404);
    let res = cy.post_json("/api/v1/notifications/read", &json!({"ids": [id]})).await;
    assert_eq!(res.status, 204);
    let mut conn = app.db_conn().await;
    let read: Option<i64> = weft_store::query("SELECT read_at FROM notifications WHERE id = $1")
        .bind(id)
        .fetch_one(&mut conn, |r| r.try_get("read_at"))
        .await
        .unwrap();
    assert_eq!(read, None, "Cy cannot mark Bob's notification read");
    drop(conn);
    // P20: notifications are news, kept 180 days.
    app.app.clock.advance(weft_domain::Duration::days(179));
    assert_eq!(app.app.purge_expired().await.unwrap().notifications, 0);
    app.app.clock.advance(weft_domain::Duration::days(2));
    assert!(app.app.purge_expired().await.unwrap().notifications >= 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM notifications").await, 0);
}

/// Waits until the bell's stream says `count`. A ring only says "the count may have changed":
/// one rung just before the stream opened can arrive late (PostgreSQL delivers through every
/// instance's listener), and repeats the count it already said. Fails loudly after `WAIT`.
async fn bell_reads(bell: &mut crate::helpers::EventStream, count: &str) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match bell.next(left).await {
            Some((name, data)) if name == "unread" && data == count => return,
            Some(_) => {}
            None => panic!("the bell never said {count} within {WAIT:?}"),
        }
    }
}

/// The header's bell: a plain link with the count on every page, and live through Server-Sent
/// Events; opening a notification, reading the thread or "mark all read" clears it.
async fn the_bell_counts_live_and_reading_clears_it(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let g = create(&ann, "Garden", "closed", "approval").await;
    add_member(app, &g, &bob, Role::Member).await;
    let t = start(&ann, &g, "Tools", "", "").await;
    app.settle_jobs().await;
    let res = bob.post_json("/api/v1/notifications/read", &json!({"all": true})).await;
    assert_eq!(res.status, 204);
    let mut bell = bob.events("/notifications/live").await;
    assert_eq!(bell.status, 200);
    bell_reads(&mut bell, "0").await;
    let bob_name = bob.username().await;
    comment(&ann, &t, &format!("@{bob_name} the shears?"), None).await;
    bell_reads(&mut bell, "1").await;
    let page = bob.get("/").await;
    assert!(
        page.body.contains("Notifications, 1 unread"),
        "the plain link counts too"
    );
    let id = notifications(&bob).await["notifications"][0]["id"].as_i64().unwrap();
    let res = bob.get(&format!("/notifications/{id}")).await;
    assert_eq!(res.status, 303);
    assert!(
        res.location().starts_with(&format!("/t/{t}?from=")),
        "{}",
        res.location()
    );
    bell_reads(&mut bell, "0").await;

    // Reading the thread reads what it was about.
    comment(&ann, &t, &format!("@{bob_name} and the rake?"), None).await;
    bell_reads(&mut bell, "1").await;
    assert_eq!(bob.get(&format!("/t/{t}")).await.status, 200);
    assert_eq!(bob.get("/api/v1/notifications/unread").await.json()["unread"], 0);

    // Mark all read, without JavaScript.
    comment(&ann, &t, &format!("@{bob_name} last one"), None).await;
    let res = bob.post_form("/notifications/read-all", &[]).await;
    assert_eq!(res.status, 303);
    assert_eq!(bob.get("/api/v1/notifications/unread").await.json()["unread"], 0);
    let page = bob.get("/notifications").await;
    assert!(page.body.contains("Nothing unread."), "{}", page.body);
    // Logged out, the bell is not there and its stream asks to log in.
    assert_eq!(app.client().get("/api/v1/notifications").await.status, 401);
}

/// Two reactions to Bob's comment are one notification naming the latest; Ann's reply reaches
/// Bob in the app and by email ("replied to you").
async fn reactions_to_a_comment_are_one_notification_and_a_reply_reaches_its_author(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let cy = app.signed_in_user("Cy", "cy@example.org", PASSWORD).await;
    let g = create(&ann, "Garden", "closed", "approval").await;
    add_member(app, &g, &bob, Role::Member).await;
    add_member(app, &g, &cy, Role::Member).await;
    let t = start(&ann, &g, "Harvest", "", "").await;
    comment(&bob, &t, "Pumpkins are ready.", None).await;
    app.settle_jobs().await;
    let id = bob.get(&format!("/api/v1/threads/{t}")).await.json()["comments"][0]["id"]
        .as_i64()
        .unwrap();
    bob.post_json("/api/v1/notifications/read", &json!({"all": true})).await;
    for (who, reaction) in [(&ann, "🎉"), (&cy, "❤️")] {
        let res = who
            .post_json(
                &format!("/api/v1/threads/{t}/comments/{id}/reactions"),
                &json!({"reaction": reaction}),
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
    }
    let list = notifications(&bob).await;
    let reactions: Vec<&Value> = list["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "reaction")
        .collect();
    assert_eq!(reactions.len(), 1, "{list}");
    assert_eq!(
        reactions[0]["text"],
        "Cy and 1 other reacted to your comment in “Harvest”"
    );
    let before = app.settled_emails_to("bob@example.org").await.len();
    let res = ann
        .post_json(
            &format!("/api/v1/threads/{t}/comments"),
            &json!({"body": "> Pumpkins are ready.\n\nWonderful, **thank you**!", "parent_id": id}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    app.settle_jobs().await;
    let mails = app.settled_emails_to("bob@example.org").await;
    assert_eq!(mails.len(), before + 1, "reactions never email; the reply does");
    let mail = mails.last().unwrap();
    assert_eq!(mail.subject, "Ann replied to you in “Harvest”");
    // What Ann wrote keeps its shape: as typed in the text part, rendered in the HTML part.
    assert!(
        mail.text.contains("> Pumpkins are ready.\n\nWonderful, **thank you**!"),
        "{}",
        mail.text
    );
    assert!(
        mail.html.contains("<blockquote>") && mail.html.contains("<strong>thank you</strong>"),
        "{}",
        mail.html
    );
    let list = notifications(&bob).await;
    assert_eq!(list["notifications"][0]["kind"], "reply", "{list}");
    // Cy, who took part by reacting only, hears nothing of the reply by email.
    assert!(
        app.settled_emails_to("cy@example.org")
            .await
            .iter()
            .all(|m| !m.subject.contains("replied"))
    );
}

/// "Notify the whole group" is offered as `members_can_announce` says: a member is refused with
/// the reason and nothing is written; a coordinator may.
async fn announcing_to_the_whole_group_is_the_groups_to_allow(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let g = create(&ann, "Garden", "closed", "approval").await;
    add_member(app, &g, &bob, Role::Member).await;
    members_may_announce(&ann, &g, false).await;
    let threads = app.count("SELECT COUNT(*) FROM threads").await;
    let res = start_announced(&bob, &g, "Everyone look", "group").await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(
        res.json()["errors"]["notify"][0]
            .as_str()
            .unwrap()
            .contains("coordinators"),
        "{}",
        res.body
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM threads").await,
        threads,
        "nothing half-written"
    );
    // The form offers only what is allowed.
    let form = bob.get(&format!("/g/{g}/threads/new")).await;
    assert!(!form.body.contains("value=\"group\""), "{}", form.body);
    assert!(
        ann.get(&format!("/g/{g}/threads/new"))
            .await
            .body
            .contains("value=\"group\"")
    );
    let res = start_announced(&ann, &g, "Everyone look", "group").await;
    assert_eq!(res.status, 201, "{}", res.body);
    let mail = app.last_email_to("bob@example.org").await;
    assert_eq!(mail.subject, "Ann started “Everyone look” in Garden");
    let res = start_announced(&ann, &g, "Typo", "everybody").await;
    assert_eq!(res.status, 422);
}

/// Emails about a new thread that reached `email` since `before` (subjects), after the fan-out.
async fn new_thread_mail(app: &TestApp, email: &str, title: &str) -> usize {
    app.settle_jobs().await;
    app.settled_emails_to(email)
        .await
        .iter()
        .filter(|m| m.subject.contains(&format!("“{title}”")))
        .count()
}

/// "Chosen people or subgroups": the chosen hear by email, the rest of the group in the app
/// only. Anyone who may start a thread may name people who may read it; subgroups take
/// `members_can_announce`, as the whole group does; a wrong name, someone who may not read the
/// thread, a subgroup of another group or an empty choice is refused by field with nothing
/// written, in the API and in the page (which works without JavaScript).
async fn announcing_to_chosen_people_and_subgroups_reaches_only_them(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let cy = app.signed_in_user("Cy", "cy@example.org", PASSWORD).await;
    let dee = app.signed_in_user("Dee", "dee@example.org", PASSWORD).await;
    let eve = app.signed_in_user("Eve", "eve@example.org", PASSWORD).await;
    let g = create(&ann, "Garden", "closed", "approval").await;
    for c in [&bob, &cy, &dee] {
        add_member(app, &g, c, Role::Member).await;
    }
    let beans = create_subgroup(&ann, json!({"name": "Beans", "privacy": "closed", "parent_key": g})).await;
    add_member(app, &beans, &dee, Role::Member).await;
    let elsewhere = create(&eve, "Orchard", "closed", "approval").await;
    members_may_announce(&ann, &g, false).await;
    let (bob_name, cy_name) = (bob.username().await, cy.username().await);
    let start = |c: &Client, title: &str, people: Value, subgroups: Value| {
        let body = json!({"title": title, "context": "Seeds are in.", "notify": "chosen",
                          "notify_people": people, "notify_subgroups": subgroups});
        let (c, g) = (c.clone_cookies(), g.clone());
        async move { c.post_json(&format!("/api/v1/groups/{g}/threads"), &body).await }
    };

    // A member may name people: only they are emailed, the rest hear in the app.
    let res = start(&bob, "Seed swap", json!([format!("@{cy_name}")]), json!([])).await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(new_thread_mail(app, "cy@example.org", "Seed swap").await, 1);
    for quiet in ["ann@example.org", "dee@example.org"] {
        assert_eq!(new_thread_mail(app, quiet, "Seed swap").await, 0, "{quiet}");
    }
    assert!(
        notifications(&dee).await["notifications"][0]["text"]
            .as_str()
            .unwrap()
            .contains("Seed swap"),
        "Dee hears in the app"
    );

    // What is refused, by field, with nothing written.
    let threads = app.count("SELECT COUNT(*) FROM threads").await;
    let cases = [
        (
            &bob,
            json!(["@eve", "nobody-here"]),
            json!([]),
            "notify_people",
            "@eve, @nobody-here",
        ),
        (&bob, json!([]), json!([beans]), "notify_subgroups", "coordinators"),
        (&bob, json!([]), json!([]), "notify_people", "at least one"),
        (
            &ann,
            json!([]),
            json!([elsewhere]),
            "notify_subgroups",
            "this group's subgroups",
        ),
        (
            &ann,
            json!((0..101).map(|i| format!("p{i}")).collect::<Vec<_>>()),
            json!([]),
            "notify_people",
            "At most 100",
        ),
    ];
    for (who, people, subgroups, field, says) in cases {
        let res = start(who, "Refused", people.clone(), subgroups.clone()).await;
        assert_eq!(res.status, 422, "{people} {subgroups}: {}", res.body);
        let message = res.json()["errors"][field][0].as_str().unwrap_or_default().to_owned();
        assert!(message.contains(says), "{people} {subgroups}: {}", res.body);
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM threads").await,
        threads,
        "nothing half-written"
    );

    // A coordinator may choose a subgroup, with people besides.
    let res = start(&ann, "Bean rows", json!([bob_name]), json!([beans])).await;
    assert_eq!(res.status, 201, "{}", res.body);
    for (email, expected) in [("bob@example.org", 1), ("dee@example.org", 1), ("cy@example.org", 0)] {
        assert_eq!(new_thread_mail(app, email, "Bean rows").await, expected, "{email}");
    }

    // The page offers it without JavaScript: the subgroups only to who may announce.
    let form = bob.get(&format!("/g/{g}/threads/new")).await.body;
    assert!(
        form.contains("value=\"chosen\"") && form.contains("name=\"notify_people\""),
        "{form}"
    );
    assert!(!form.contains("name=\"notify_subgroups\""), "{form}");
    let form = ann.get(&format!("/g/{g}/threads/new")).await.body;
    assert!(
        form.contains(&format!("name=\"notify_subgroups\" value=\"{beans}\"")),
        "{form}"
    );
    let res = ann
        .post_form(
            &format!("/g/{g}/threads"),
            &[
                ("title", "From the page"),
                ("context", "Hello"),
                ("notify", "chosen"),
                ("notify_people", ""),
                ("notify_subgroups", &beans),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(new_thread_mail(app, "dee@example.org", "From the page").await, 1);
    assert_eq!(new_thread_mail(app, "cy@example.org", "From the page").await, 0);
    let res = bob
        .post_form(
            &format!("/g/{g}/threads"),
            &[
                ("title", "Wrong name"),
                ("context", "Hi"),
                ("notify", "chosen"),
                ("notify_people", "@eve"),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(
        res.body
            .contains("Not among the people who may read this thread: @eve."),
        "{}",
        res.body
    );
    assert!(res.body.contains("value=\"@eve\""), "what was typed stays");
    assert!(res.body.contains("value=\"chosen\" checked"), "{}", res.body);
}

/// Raising a poll asks whom to email when it opens, as starting a thread does: everyone who may
/// vote (`members_can_announce`), chosen people among them and subgroups (their members among
/// the voters), or nobody; the rest of the voters hear in the app. What is not allowed or named
/// wrongly is refused by field with no poll written; a scheduled poll keeps the choice until it
/// opens (the edit form shows it), then forgets it; the page asks without JavaScript.
async fn a_poll_is_announced_to_everyone_chosen_people_or_subgroups_as_the_group_allows(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let cy = app.signed_in_user("Cy", "cy@example.org", PASSWORD).await;
    let dee = app.signed_in_user("Dee", "dee@example.org", PASSWORD).await;
    app.signed_in_user("Eve", "eve@example.org", PASSWORD).await;
    let g = create(&ann, "Garden", "closed", "approval").await;
    for c in [&bob, &cy, &dee] {
        add_member(app, &g, c, Role::Member).await;
    }
    let beans = create_subgroup(&ann, json!({"name": "Beans", "privacy": "closed", "parent_key": g})).await;
    add_member(app, &beans, &dee, Role::Member).await;
    members_may_announce(&ann, &g, false).await;
    let cy_name = cy.username().await;
    let raise_poll = |c: &Client, title: &str, extra: Value| {
        let mut body = json!({"template": "proposal", "title": title,
                              "closing_at": crate::polls::from_now(7 * 86_400)});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (c, g) = (c.clone_cookies(), g.clone());
        async move { c.post_json(&format!("/api/v1/groups/{g}/polls"), &body).await }
    };

    // A member names someone: only they are emailed; the other voters hear in the app.
    let res = raise_poll(&bob, "Seed budget", json!({"notify_people": [format!("@{cy_name}")]})).await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(new_thread_mail(app, "cy@example.org", "Seed budget").await, 1);
    for quiet in ["ann@example.org", "dee@example.org"] {
        assert_eq!(new_thread_mail(app, quiet, "Seed budget").await, 0, "{quiet}");
    }
    assert!(
        notifications(&dee).await["notifications"][0]["text"]
            .as_str()
            .unwrap()
            .contains("Seed budget"),
        "Dee hears in the app"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM poll_announced_people").await,
        0,
        "forgotten once sent"
    );

    // Refused by field, nothing written.
    let polls = app.count("SELECT COUNT(*) FROM polls").await;
    let cases = [
        (json!({"notify_on_open": true}), "notify", "coordinators"),
        (json!({"notify_subgroups": [beans]}), "notify_subgroups", "coordinators"),
        (
            json!({"notify_people": ["@eve", "nobody-here"]}),
            "notify_people",
            "who may vote: @eve, @nobody-here",
        ),
        (json!({"notify_people": [""]}), "notify_people", "at least one"),
    ];
    for (extra, field, says) in cases {
        let res = raise_poll(&bob, "Refused", extra.clone()).await;
        assert_eq!(res.status, 422, "{extra}: {}", res.body);
        let message = res.json()["errors"][field][0].as_str().unwrap_or_default().to_owned();
        assert!(message.contains(says), "{extra}: {}", res.body);
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM polls").await,
        polls,
        "nothing half-written"
    );

    // A coordinator chooses a subgroup for a poll that opens tomorrow: nobody is told before,
    // the edit form shows the choice, and Dee alone is emailed when it opens.
    let res = raise_poll(
        &ann,
        "Bean rows",
        json!({"notify_subgroups": [beans], "opening_at": crate::polls::from_now(3_600)}),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let key = res.json()["key"].as_str().unwrap().to_owned();
    assert_eq!(new_thread_mail(app, "dee@example.org", "Bean rows").await, 0, "not yet");
    let form = ann.get(&format!("/p/{key}/edit")).await.body;
    assert!(
        form.contains("value=\"chosen\" checked")
            && form.contains(&format!("name=\"notify_subgroups\" value=\"{beans}\" checked")),
        "{form}"
    );
    app.app.clock.advance(weft_domain::Duration::hours(2));
    for (email, expected) in [("dee@example.org", 1), ("cy@example.org", 0), ("bob@example.org", 0)] {
        assert_eq!(new_thread_mail(app, email, "Bean rows").await, expected, "{email}");
    }

    // The page asks without JavaScript: everyone and subgroups only to who may announce.
    let form = bob.get(&format!("/g/{g}/polls/new")).await.body;
    assert!(
        form.contains("value=\"chosen\"") && form.contains("name=\"notify_people\""),
        "{form}"
    );
    assert!(
        !form.contains("name=\"notify\" value=\"voters\"") && !form.contains("name=\"notify_subgroups\""),
        "{form}"
    );
    let form = ann.get(&format!("/g/{g}/polls/new")).await.body;
    assert!(
        form.contains("name=\"notify\" value=\"voters\" checked"),
        "everyone, by default, where allowed"
    );
    let closing = app
        .app
        .clock
        .now()
        .plus(weft_domain::Duration::days(3))
        .local_input_utc();
    let res = ann
        .post_form(
            &format!("/g/{g}/polls/new"),
            &[
                ("template", "proposal"),
                ("title", "From the page"),
                ("closing_at", &closing),
                ("notify", "chosen"),
                ("notify_people", ""),
                ("notify_subgroups", &beans),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(new_thread_mail(app, "dee@example.org", "From the page").await, 1);
    assert_eq!(new_thread_mail(app, "cy@example.org", "From the page").await, 0);
    let res = bob
        .post_form(
            &format!("/g/{g}/polls/new"),
            &[
                ("template", "proposal"),
                ("title", "Wrong name"),
                ("closing_at", &closing),
                ("notify", "chosen"),
                ("notify_people", "@eve"),
            ],
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(
        res.body.contains("Not among the people who may vote: @eve."),
        "{}",
        res.body
    );
    assert!(res.body.contains("value=\"@eve\"") && res.body.contains("value=\"chosen\" checked"));
}

/// A request to join reaches the coordinators (never by email); an accepted invitation reaches
/// whoever sent it.
async fn coordinators_hear_of_requests_and_inviters_of_their_guests_joining(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let g = create(&ann, "Garden", "closed", "approval").await;
    let res = bob
        .post_form(&format!("/g/{g}/request"), &[("introduction", "I grow beans")])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let list = notifications(&ann).await;
    assert_eq!(list["notifications"][0]["kind"], "request", "{list}");
    assert_eq!(list["notifications"][0]["text"], "Bob asks to join Garden");
    assert_eq!(list["notifications"][0]["link"], format!("/g/{g}/requests"));
    assert!(
        app.settled_emails_to("ann@example.org")
            .await
            .iter()
            .all(|m| !m.subject.contains("join"))
    );

    let cy = app.signed_in_user("Cy", "cy@example.org", PASSWORD).await;
    let res = ann
        .post_form(
            &format!("/g/{g}/invite"),
            &[("emails", "cy@example.org"), ("message", "")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let link = app.last_email_to("cy@example.org").await.link("/invitations/");
    let res = cy.post_form(&link, &[]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let list = notifications(&ann).await;
    assert_eq!(
        list["notifications"][0]["text"], "Cy accepted your invitation to Garden",
        "{list}"
    );
}

/// The link at the bottom of an email opens its person's email settings without logging in: each
/// group's volume, unsubscribe and its undo. It changes nothing of anyone else's.
async fn an_emails_link_changes_only_its_owners_email_settings(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let g = create(&ann, "Garden", "closed", "approval").await;
    let only_bobs = create(&bob, "Bob's own", "closed", "approval").await;
    add_member(app, &g, &bob, Role::Member).await;
    let res = start_announced(&ann, &g, "Rota", "group").await;
    assert_eq!(res.status, 201, "{}", res.body);
    let mail = app.email_to_containing("bob@example.org", "Rota").await;
    let link = mail
        .header("List-Unsubscribe")
        .unwrap()
        .trim_matches(|c| c == '<' || c == '>')
        .trim_start_matches(&app.base)
        .to_owned();
    // A browser that never logged in (a mail client's).
    let stranger = app.client();
    let page = stranger.get(&link).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Garden") && page.body.contains("Bob&#39;s own"),
        "{}",
        page.body
    );
    assert!(page.body.contains("These settings belong to Bob"));
    let res = stranger
        .post_form(&format!("{link}/groups/{g}"), &[("volume", "quiet")])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(
        bob.get(&format!("/api/v1/groups/{g}/volume")).await.json()["volume"],
        "quiet"
    );
    assert_eq!(
        ann.get(&format!("/api/v1/groups/{g}/volume")).await.json()["volume"],
        "normal",
        "Ann's is hers"
    );
    // A group the link's person is not in is not found; bad input is refused.
    let anns_own = create(&ann, "Ann's own", "closed", "approval").await;
    assert_eq!(
        stranger
            .post_form(&format!("{link}/groups/{anns_own}"), &[("volume", "mute")])
            .await
            .status,
        404
    );
    assert_eq!(
        ann.get(&format!("/api/v1/groups/{anns_own}/volume")).await.json()["volume"],
        "normal"
    );
    assert_eq!(
        stranger
            .post_form(&format!("{link}/groups/{g}"), &[("volume", "shout")])
            .await
            .status,
        422
    );
    let _ = only_bobs;
    // A made-up link changes nothing.
    let bogus = format!("/unsubscribe/{}", "ab".repeat(32));
    assert_eq!(
        stranger
            .post_form(&format!("{bogus}/groups/{g}"), &[("volume", "mute")])
            .await
            .status,
        400
    );
    // Unsubscribe, then undo it from the same page.
    let res = stranger.post_form(&link, &[]).await;
    assert_eq!(res.status, 200);
    assert!(
        res.body.contains("You are unsubscribed") && res.body.contains("Email me again"),
        "{}",
        res.body
    );
    let unsubscribed = async || app.is_unsubscribed("bob@example.org").await;
    assert!(unsubscribed().await);
    let res = stranger.post_form(&format!("{link}/resubscribe"), &[]).await;
    assert_eq!(res.status, 303);
    assert!(!unsubscribed().await);
}
