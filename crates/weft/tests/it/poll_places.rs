//! Where a poll lives and who votes in it, over HTTP on both databases: a poll on its own in a
//! group (its page, its timeline, its emails, the group flag), a poll that names its voters
//! (members by username or address, people from outside invited by email who vote as guests),
//! "it is open" sent at a scheduled opening, not before; reactions on a poll, its votes and
//! its outcome.

use reqwest::Method;
use serde_json::{Value, json};
use weft_domain::permissions::Role;

use crate::groups::{add_member, create};
use crate::helpers::{Client, TestApp};
use crate::on_both;
use crate::polls::{from_now, option, raise, vote};
use crate::threads::start;

const PASSWORD: &str = "correct horse battery staple";

on_both!(
    a_poll_on_its_own_lives_in_its_group,
    a_poll_names_its_voters_and_invites_outsiders_by_email,
    voters_hear_of_a_poll_when_it_opens,
    people_react_to_a_poll_its_votes_and_its_outcome,
    comments_answer_a_poll_a_vote_or_an_outcome,
);

async fn raise_in_group(c: &Client, group: &str, body: Value) -> crate::helpers::Response {
    let mut body = body;
    if body.get("closing_at").is_none() {
        body["closing_at"] = json!(from_now(7 * 24 * 3600));
    }
    c.post_json(&format!("/api/v1/groups/{group}/polls"), &body).await
}

async fn polls_stored(app: &TestApp) -> i64 {
    let mut conn = app.db_conn().await;
    weft_store::query("SELECT COUNT(*) FROM polls")
        .fetch_scalar(&mut conn)
        .await
        .unwrap()
}

async fn a_poll_on_its_own_lives_in_its_group(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let oz = app.signed_in_user("Oz", "oz@example.org", PASSWORD).await;
    let g = create(&ann, "Garden", "closed", "approval").await;
    add_member(app, &g, &bob, Role::Member).await;

    let res = raise_in_group(
        &ann,
        &g,
        json!({"template": "proposal", "title": "Buy a shredder", "details": "It is **loud**.", "notify_on_open": true}),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let poll = res.json();
    let key = poll["key"].as_str().unwrap().to_owned();
    assert_eq!(poll["thread_key"], Value::Null, "no thread: {poll}");
    assert_eq!(poll["group_key"], g.as_str());

    // It is listed on the group's page and in the API, and its page leads back to the group.
    let listed = bob.get(&format!("/api/v1/groups/{g}/polls")).await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.json()["polls"][0]["key"], key.as_str());
    let group_page = bob.get(&format!("/g/{g}")).await.body;
    assert!(group_page.contains(&format!("href=\"/p/{key}\"")), "{group_page}");
    let page = bob.get(&format!("/p/{key}")).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains(&format!("href=\"/g/{g}\">Garden</a>")),
        "{}",
        page.body
    );
    assert!(page.body.contains("<strong>loud</strong>"));

    // Its voters hear of it, named by the group: there is no thread.
    let opened = app.email_to_containing("bob@example.org", "raised a proposal in").await;
    assert!(opened.text.contains("in “Garden”: Buy a shredder"), "{}", opened.text);

    // Someone outside the closed group does not see it at all.
    assert_eq!(oz.get(&format!("/p/{key}")).await.status, 404);
    assert_eq!(oz.get(&format!("/api/v1/polls/{key}")).await.status, 404);
    assert_eq!(
        vote(&oz, &key, json!([{"option": option(&poll, "Agree")}]), "")
            .await
            .status,
        404
    );
    assert_eq!(
        app.client().get(&format!("/p/{key}")).await.status,
        404,
        "nor a visitor"
    );

    // Bob votes; the poll's own timeline tells what happened.
    assert_eq!(
        vote(
            &bob,
            &key,
            json!([{"option": option(&poll, "Agree")}]),
            "Quiet ones exist"
        )
        .await
        .status,
        200
    );
    assert_eq!(
        ann.post_json(&format!("/api/v1/polls/{key}/close"), &json!({}))
            .await
            .status,
        200
    );
    let res = ann
        .post_json(
            &format!("/api/v1/polls/{key}/outcome"),
            &json!({"statement": "We buy the quiet one.", "option": option(&poll, "Agree")}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let page = bob.get(&format!("/p/{key}")).await.body;
    let timeline = &page[page.find("What happened").expect("the poll's own timeline")..];
    for said in [
        "Ann raised",
        "Bob voted on",
        "closed (Ann closed it early)",
        "Ann wrote the outcome",
    ] {
        assert!(timeline.contains(said), "{said:?} in {timeline}");
    }
    let outcome = app
        .email_to_containing("bob@example.org", "We buy the quiet one.")
        .await;
    assert!(outcome.text.contains(&format!("/p/{key}")), "{}", outcome.text);

    // The group flag decides whether members raise polls here too.
    let bob_raises = raise_in_group(&bob, &g, json!({"title": "Mine"})).await;
    assert_eq!(bob_raises.status, 201, "members may, by default: {}", bob_raises.body);
    let res = ann
        .request_json(Method::PATCH, &format!("/api/v1/groups/{g}"), Some(&json!({"name": "Garden", "privacy": "closed", "join_policy": "approval", "flags": {"members_can_raise_polls": false, "members_can_start_threads": true, "members_can_edit_threads": true, "members_can_edit_comments": true, "members_can_delete_comments": true, "members_can_add_guests": true, "members_can_announce": true, "members_can_add_members": false, "members_can_create_subgroups": false}})))
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let before = polls_stored(app).await;
    let denied = raise_in_group(&bob, &g, json!({"title": "Mine again"})).await;
    assert_eq!(denied.status, 403, "{}", denied.body);
    assert_eq!(bob.get(&format!("/g/{g}/polls/new")).await.status, 403);
    assert!(!bob.get(&format!("/g/{g}")).await.body.contains("/polls/new"));
    assert_eq!(raise_in_group(&oz, &g, json!({"title": "Not mine"})).await.status, 404);
    assert_eq!(polls_stored(app).await, before, "nothing stored by a refusal");

    // Bad input on the page: the field says why, nothing is stored.
    let res = ann
        .post_form(
            &format!("/g/{g}/polls/new"),
            &[("template", "proposal"), ("title", ""), ("closing_at", "")],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(
        res.body.contains("href=\"/g/") && res.body.contains("field-error"),
        "{}",
        res.body
    );
    assert_eq!(polls_stored(app).await, before);

    // The form raises it without JavaScript, and deleting it leads back to the group.
    let closing =
        weft_domain::Timestamp::from_micros((crate::polls::chrono_now() + 86_400) * 1_000_000).local_input_utc();
    let res = ann
        .post_form(
            &format!("/g/{g}/polls/new"),
            &[
                ("template", "sense_check"),
                ("title", "Paint the shed"),
                ("closing_at", &closing),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let shed = res
        .location()
        .trim_start_matches("/p/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let res = ann.post_form(&format!("/p/{shed}/delete"), &[]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(res.location(), format!("/g/{g}?notice=poll_deleted"));
    assert_eq!(ann.get(&format!("/p/{shed}")).await.status, 404);
}

async fn a_poll_names_its_voters_and_invites_outsiders_by_email(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let cat = app.signed_in_user("Cat", "cat@example.org", PASSWORD).await;
    let zed = app.signed_in_user("Zed", "zed@example.org", PASSWORD).await;
    let g = create(&ann, "Garden", "closed", "approval").await;
    add_member(app, &g, &bob, Role::Member).await;
    add_member(app, &g, &cat, Role::Member).await;
    let thread = start(&ann, &g, "Compost", "Where does the heap go?", "private").await;
    let bob_name = bob.get("/api/v1/me").await.json()["username"]
        .as_str()
        .unwrap()
        .to_owned();

    // Someone who is not here cannot be named by username (unknown reads the same), and a
    // refusal stores nothing: no poll, no named voter, no invitation, no email.
    let before = polls_stored(app).await;
    let zed_name = zed.get("/api/v1/me").await.json()["username"]
        .as_str()
        .unwrap()
        .to_owned();
    for voters in [
        json!([zed_name]),
        json!(["nobody-here"]),
        json!(["not an address@"]),
        json!([]),
    ] {
        let res = ann
            .post_json(
                &format!("/api/v1/threads/{thread}/polls"),
                &json!({"template": "proposal", "title": "Who?", "electorate": "specified", "voters": voters, "closing_at": from_now(86_400)}),
            )
            .await;
        assert_eq!(res.status, 422, "{voters}: {}", res.body);
        assert!(res.body.contains("\"voters\""), "{}", res.body);
    }
    assert_eq!(polls_stored(app).await, before);
    app.settle_mail().await;
    assert!(
        app.emails().iter().all(|e| !e.subject.contains("to vote on")),
        "no invitation went out"
    );

    // Bob by username, Cat not at all, Zed (an account, not a member) and Yan (no account) by email.
    let poll = raise(
        &ann,
        &thread,
        json!({"template": "proposal", "title": "Move the heap", "electorate": "specified", "voters": [format!("@{bob_name}"), "zed@example.org", "yan@example.org"]}),
    )
    .await;
    let key = poll["key"].as_str().unwrap().to_owned();
    let agree = json!([{"option": option(&poll, "Agree")}]);
    assert_eq!(
        vote(&bob, &key, agree.clone(), "").await.status,
        200,
        "named by username"
    );
    let cat_votes = vote(&cat, &key, agree.clone(), "").await;
    assert_eq!(
        cat_votes.status, 403,
        "a member who is not named reads but does not vote: {}",
        cat_votes.body
    );
    assert!(
        !cat.get(&format!("/api/v1/polls/{key}")).await.json()["permissions"]
            .as_array()
            .unwrap()
            .contains(&json!("vote"))
    );

    // Zed cannot reach it before accepting; the invitation makes him a voter and a guest of the thread.
    assert_eq!(zed.get(&format!("/p/{key}")).await.status, 404);
    let mail = app
        .email_to_containing("zed@example.org", "invited you to vote on")
        .await;
    assert!(
        mail.subject.contains("Ann invited you to vote on “Move the heap”"),
        "{}",
        mail.subject
    );
    assert!(mail.header("List-Unsubscribe").is_some());
    let link = mail.link("/vote/");
    assert!(zed.get(&link).await.body.contains("Vote on “Move the heap”"));
    let res = zed.post_form(&link, &[]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(res.location(), format!("/p/{key}?notice=voter_welcome"));
    assert_eq!(vote(&zed, &key, agree.clone(), "From outside").await.status, 200);
    assert_eq!(
        zed.get(&format!("/t/{thread}")).await.status,
        200,
        "he reads what he votes on"
    );
    assert_eq!(
        zed.get(&format!("/g/{g}")).await.status,
        200,
        "a closed group is seen from outside…"
    );
    assert_eq!(
        zed.get(&format!("/api/v1/groups/{g}/polls")).await.status,
        403,
        "…but its content is not"
    );
    let again = zed.post_form(&link, &[]).await;
    assert_ne!(again.status, 303, "a link works once: {}", again.body);
    assert!(!app.client().get(&link).await.body.contains("Vote on “Move the heap”"));

    // Yan has no account: she signs up from the link and lands on the poll, able to vote.
    let yan_mail = app
        .email_to_containing("yan@example.org", "invited you to vote on")
        .await;
    let yan_link = yan_mail.link("/vote/");
    let yan = app.client();
    let res = yan
        .post_form(
            &format!("{yan_link}/signup"),
            &[("name", "Yan"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(res.location(), format!("/p/{key}?notice=voter_welcome"));
    assert_eq!(vote(&yan, &key, agree, "").await.status, 200);

    let page = ann.get(&format!("/api/v1/polls/{key}")).await.json();
    assert_eq!(page["voter_count"], 3, "Bob, Zed and Yan: {page}");
    assert_eq!(page["results"]["voters"], 3);

    // Bob is no coordinator: he does not see members' addresses, so naming Cat's address must not
    // tell him it is hers. It is an invitation like any other; she shows as a voter once she
    // accepts it. Ann, a coordinator, names a member's address at once.
    let bobs = raise(
        &bob,
        &thread,
        json!({"template": "proposal", "title": "Bob asks", "electorate": "specified", "voters": ["cat@example.org"]}),
    )
    .await;
    let bobs = bobs["key"].as_str().unwrap().to_owned();
    let page = bob.get(&format!("/p/{bobs}")).await.body;
    assert!(page.contains("Not voted yet: 0") && !page.contains("Cat"), "{page}");
    let invite = app.email_to_containing("cat@example.org", "Bob asks").await;
    let res = cat.post_form(&invite.link("/vote/"), &[]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(bob.get(&format!("/p/{bobs}")).await.body.contains("Not voted yet: 1"));
    let anns = raise(
        &ann,
        &thread,
        json!({"template": "proposal", "title": "Ann asks", "electorate": "specified", "voters": ["cat@example.org"]}),
    )
    .await;
    let anns = anns["key"].as_str().unwrap().to_owned();
    assert!(ann.get(&format!("/p/{anns}")).await.body.contains("Not voted yet: 1"));
    app.settle_mail().await;
    assert!(
        app.emails().iter().all(|e| !e.subject.contains("Ann asks")),
        "no invitation needed"
    );
}

async fn voters_hear_of_a_poll_when_it_opens(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let g = create(&ann, "Garden", "closed", "approval").await;
    add_member(app, &g, &bob, Role::Member).await;
    let res = raise_in_group(
        &ann,
        &g,
        json!({"template": "proposal", "title": "Tomorrow's question", "notify_on_open": true, "opening_at": from_now(3_600), "closing_at": from_now(86_400)}),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.json()["state"], "scheduled");
    app.settle_jobs().await;
    app.settle_mail().await;
    let told = |app: &TestApp| {
        app.emails()
            .iter()
            .filter(|e| e.to.contains("bob@example.org") && e.subject.contains("Tomorrow's question"))
            .count()
    };
    assert_eq!(told(app), 0, "not before it opens");
    app.app.clock.advance(weft_domain::Duration::hours(2));
    app.settle_jobs().await;
    let mail = app.email_to_containing("bob@example.org", "raised a proposal in").await;
    assert!(mail.subject.contains("Tomorrow's question"), "{}", mail.subject);
    app.settle_jobs().await;
    app.settle_mail().await;
    assert_eq!(told(app), 1, "once");

    // Changed once open (no vote yet): nobody is told again.
    let key = res.json()["key"].as_str().unwrap().to_owned();
    let changed = ann
        .request_json(
            Method::PATCH,
            &format!("/api/v1/polls/{key}"),
            Some(&json!({"title": "Tomorrow's question, clearer", "notify_on_open": true, "closing_at": from_now(86_400)})),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    app.settle_jobs().await;
    app.settle_mail().await;
    assert_eq!(told(app), 1, "an edit does not announce it again");
}

async fn react(c: &Client, poll: &str, body: Value) -> crate::helpers::Response {
    c.post_json(&format!("/api/v1/polls/{poll}/reactions"), &body).await
}

async fn people_react_to_a_poll_its_votes_and_its_outcome(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let cat = app.signed_in_user("Cat", "cat@example.org", PASSWORD).await;
    let oz = app.signed_in_user("Oz", "oz@example.org", PASSWORD).await;
    let g = create(&ann, "Garden", "closed", "approval").await;
    add_member(app, &g, &bob, Role::Member).await;
    add_member(app, &g, &cat, Role::Member).await;
    let thread = start(&ann, &g, "Compost", "Where?", "private").await;
    let poll = raise(
        &ann,
        &thread,
        json!({"template": "proposal", "title": "Move the heap", "hide_results": "until_voted"}),
    )
    .await;
    let key = poll["key"].as_str().unwrap().to_owned();
    let agree = json!([{"option": option(&poll, "Agree")}]);
    assert_eq!(vote(&bob, &key, agree.clone(), "Closer to the beds").await.status, 200);
    let bobs_vote = bob.get(&format!("/api/v1/polls/{key}")).await.json()["my_vote"]["id"]
        .as_i64()
        .unwrap();

    // On the poll: a toggle, by whoever takes part; a reaction not on offer is explained.
    let res = react(&cat, &key, json!({"reaction": "heart"})).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["reacted"], true);
    let bad = react(&cat, &key, json!({"reaction": "flower"})).await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("\"reaction\""), "{}", bad.body);
    assert_eq!(
        react(&oz, &key, json!({"reaction": "heart"})).await.status,
        404,
        "an outsider"
    );
    assert_eq!(
        app.client()
            .post_json(&format!("/api/v1/polls/{key}/reactions"), &json!({"reaction": "heart"}))
            .await
            .status,
        401
    );

    // On a vote: only for who may see it — Cat has not voted, so the votes are hidden from her.
    assert_eq!(
        react(&cat, &key, json!({"reaction": "thumbs_up", "vote_id": bobs_vote}))
            .await
            .status,
        404,
        "a hidden vote cannot be reacted to (nor found out)"
    );
    assert!(
        !cat.get(&format!("/p/{key}")).await.body.contains("to this vote"),
        "nor offered"
    );
    assert_eq!(vote(&cat, &key, agree, "").await.status, 200);
    assert_eq!(
        react(&cat, &key, json!({"reaction": "thumbs_up", "vote_id": bobs_vote}))
            .await
            .status,
        200
    );
    assert_eq!(
        react(&cat, &key, json!({"reaction": "thumbs_up", "vote_id": 999_999}))
            .await
            .status,
        404,
        "not a vote of this poll"
    );
    // Ann has not voted: Bob's vote, and so the reactions on it, stay hidden from her.
    let hidden = ann.get(&format!("/api/v1/polls/{key}")).await.json();
    assert!(
        hidden["reactions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["on"] != "vote"),
        "{hidden}"
    );
    let shown = cat.get(&format!("/api/v1/polls/{key}")).await.json();
    let mut seen: Vec<(String, String, Value)> = shown["reactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["on"].as_str().unwrap().to_owned(),
                r["reaction"].as_str().unwrap().to_owned(),
                r["names"].clone(),
            )
        })
        .collect();
    seen.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    assert_eq!(
        seen,
        [
            ("poll".to_owned(), "heart".to_owned(), json!(["Cat"])),
            ("vote".to_owned(), "thumbs_up".to_owned(), json!(["Cat"]))
        ]
    );
    // Without JavaScript: the page's buttons post a form; pressing again takes it back.
    let page = cat.get(&format!("/p/{key}")).await.body;
    assert!(
        page.contains("aria-pressed=\"true\"") && page.contains("heart: Cat"),
        "{page}"
    );
    let res = cat
        .post_form(&format!("/p/{key}/react"), &[("reaction", "heart")])
        .await;
    assert_eq!(res.status, 303);
    assert!(
        ann.get(&format!("/api/v1/polls/{key}")).await.json()["reactions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["on"] != "poll"),
        "taken back"
    );

    // On the outcome.
    assert_eq!(
        ann.post_json(&format!("/api/v1/polls/{key}/close"), &json!({}))
            .await
            .status,
        200
    );
    let res = ann
        .post_json(
            &format!("/api/v1/polls/{key}/outcome"),
            &json!({"statement": "We move it."}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let outcome = res.json()["outcome"]["id"].as_i64().unwrap();
    let res = bob
        .post_form(
            &format!("/p/{key}/react"),
            &[("reaction", "tada"), ("outcome", &outcome.to_string())],
        )
        .await;
    assert_eq!(res.status, 303);
    let shown = ann.get(&format!("/api/v1/polls/{key}")).await.json();
    assert!(
        shown["reactions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["on"] == "outcome" && r["id"] == outcome && r["names"] == json!(["Bob"])),
        "{shown}"
    );

    // In the personal-data export.
    let files = crate::polls::export_of(app, &cat).await;
    let (_, data) = files
        .iter()
        .find(|(name, _)| name.contains("poll_reactions"))
        .expect("poll reactions in the export");
    assert!(data.contains("Move the heap") && data.contains("thumbs_up"), "{data}");
}

async fn comment_count(app: &TestApp) -> i64 {
    let mut conn = app.db_conn().await;
    weft_store::query("SELECT COUNT(*) FROM comments")
        .fetch_scalar(&mut conn)
        .await
        .unwrap()
}

async fn comments_answer_a_poll_a_vote_or_an_outcome(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let g = create(&ann, "Garden", "closed", "approval").await;
    add_member(app, &g, &bob, Role::Member).await;
    let thread = start(&ann, &g, "Compost", "Where?", "private").await;
    let first = crate::threads::comment(&ann, &thread, "Before the poll", None).await;
    let poll = raise(&ann, &thread, json!({"template": "proposal", "title": "Go?"})).await;
    let key = poll["key"].as_str().unwrap().to_owned();
    assert_eq!(
        vote(&bob, &key, json!([{"option": option(&poll, "Agree")}]), "Yes")
            .await
            .status,
        200
    );
    assert_eq!(
        ann.post_json(&format!("/api/v1/polls/{key}/close"), &json!({}))
            .await
            .status,
        200
    );
    assert_eq!(
        ann.post_json(&format!("/api/v1/polls/{key}/outcome"), &json!({"statement": "We go."}))
            .await
            .status,
        200
    );
    let events = ann.get(&format!("/api/v1/threads/{thread}")).await.json()["events"].clone();
    let seq_of = |kind: &str| {
        events
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind} in {events}"))["seq"]
            .as_i64()
            .unwrap()
    };
    let (raised, voted, closed, outcome) = (
        seq_of("poll_raised"),
        seq_of("voted"),
        seq_of("poll_closed"),
        seq_of("outcome_written"),
    );

    // Over the API: answering the vote.
    let res = ann
        .post_json(
            &format!("/api/v1/threads/{thread}/comments"),
            &json!({"body": "Why yes, Bob?", "about_seq": voted}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let page = bob.get(&format!("/api/v1/threads/{thread}")).await.json();
    let answer = page["comments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["body"] == "Why yes, Bob?")
        .unwrap();
    assert_eq!(answer["about_seq"], voted);
    let html = bob.get(&format!("/t/{thread}")).await.body;
    assert!(
        html.contains("answering <a href=") && html.contains("Bob’s vote on “Go?”"),
        "{html}"
    );

    // What cannot be answered this way is explained, and nothing is stored.
    let before = comment_count(app).await;
    let first_seq = first["seq"].as_i64().unwrap();
    let first_id = page["comments"][0]["id"].clone();
    assert_eq!(page["comments"][0]["seq"], first_seq);
    for (body, why) in [
        (
            json!({"body": "x", "about_seq": first_seq}),
            "a comment is replied to by parent_id",
        ),
        (
            json!({"body": "x", "about_seq": closed}),
            "a poll closing is not answered",
        ),
        (json!({"body": "x", "about_seq": 9_999}), "nothing there"),
        (
            json!({"body": "x", "about_seq": raised, "parent_id": first_id}),
            "not both",
        ),
    ] {
        let res = ann
            .post_json(&format!("/api/v1/threads/{thread}/comments"), &body)
            .await;
        assert_eq!(res.status, 422, "{why}: {}", res.body);
        assert!(res.body.contains("\"about\""), "{why}: {}", res.body);
    }
    assert_eq!(comment_count(app).await, before);

    // Without JavaScript: the poll's timeline item offers a reply; the form answers the poll.
    let html = bob.get(&format!("/t/{thread}")).await.body;
    assert!(html.contains(&format!("reply_about={raised}#comment-form")), "{html}");
    assert!(html.contains(&format!("reply_about={outcome}#comment-form")));
    assert!(
        !html.contains(&format!("reply_about={closed}#")),
        "closing is not answered"
    );
    let form = bob.get(&format!("/t/{thread}?reply_about={outcome}")).await.body;
    assert!(
        form.contains("Answer the outcome of “Go?”") && form.contains(&format!("name=\"about\" value=\"{outcome}\"")),
        "{form}"
    );
    let res = bob
        .post_form(
            &format!("/t/{thread}/comments"),
            &[("body", "Glad we go."), ("about", &outcome.to_string())],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(
        bob.get(&format!("/t/{thread}"))
            .await
            .body
            .contains("answering <a href")
    );

    // The poll deleted, the answers stay, answering nothing in particular.
    assert_eq!(ann.post_form(&format!("/p/{key}/delete"), &[]).await.status, 303);
    let page = bob.get(&format!("/api/v1/threads/{thread}")).await.json();
    let answers: Vec<&Value> = page["comments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["body"] == "Why yes, Bob?" || c["body"] == "Glad we go.")
        .collect();
    assert_eq!(answers.len(), 2);
    assert!(answers.iter().all(|c| c["about_seq"].is_null()), "{answers:?}");
}
