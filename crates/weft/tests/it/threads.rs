//! Threads over HTTP: the life of a thread (start, comment, reply, edit with history, pin, close,
//! delete), the thread permission table exercised route by route, read state across devices and
//! long timelines, public threads for visitors (P7), bad input, and an XSS corpus.

use serde_json::json;
use weft_domain::groups::{GroupFlags, GroupPrivacy, JoinPolicy};
use weft_domain::permissions::{Actor, Decision, GroupFacts, Role, ThreadAction, ThreadFacts, can_thread};

use crate::groups::{add_member, create};
use crate::helpers::{Client, Db, TestApp, redacted_json};
use crate::on_both;

const PASSWORD: &str = "correct horse battery staple";

on_both!(
    the_api_says_what_each_viewer_may_do,
    a_thread_from_start_to_deletion,
    bad_comments_are_explained_and_nothing_is_stored,
    every_thread_denial_answers_as_the_rule_says,
    unread_counts_hold_across_two_devices_and_long_threads,
    public_threads_are_readable_without_an_account,
    an_xss_corpus_stays_inert,
    watchers_see_comments_as_they_happen,
    a_watcher_on_one_instance_hears_a_comment_posted_on_another,
    reactions_toggle_and_say_who_reacted,
    mentions_notify_only_people_who_can_read_the_thread,
    mention_suggestions_name_only_people_who_may_read_the_thread,
    tags_and_filters_narrow_the_thread_list,
    a_groups_threads_come_in_pages_that_say_where_you_are_in_the_order_you_choose,
    each_reader_sees_times_in_their_own_zone_and_recent_ones_as_how_long_ago,
    coordinators_move_threads_between_their_groups,
    guests_take_part_in_one_thread_only,
    follow_normal_and_mute_decide_the_email,
    a_comment_emails_each_follower_who_may_read_it_once,
    the_dashboard_lists_the_latest_unmuted_threads_of_all_my_groups,
    what_happens_to_a_thread_is_in_its_timeline,
    a_deleted_comment_can_be_brought_back_for_a_short_while_then_it_is_erased,
    writing_previews_and_posts_in_place_through_the_forms_that_work_without_javascript,
);

pub(crate) async fn start(c: &Client, group: &str, title: &str, context: &str, privacy: &str) -> String {
    let res = c
        .post_json(
            &format!("/api/v1/groups/{group}/threads"),
            &json!({"title": title, "context": context, "privacy": privacy}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    res.json()["key"].as_str().unwrap().to_owned()
}

pub(crate) async fn comment(c: &Client, thread: &str, body: &str, parent: Option<i64>) -> serde_json::Value {
    let res = c
        .post_json(
            &format!("/api/v1/threads/{thread}/comments"),
            &json!({"body": body, "parent_id": parent}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    res.json()
}

async fn comments_of(c: &Client, thread: &str, from: i64) -> Vec<serde_json::Value> {
    let res = c.get(&format!("/api/v1/threads/{thread}?from={from}")).await;
    assert_eq!(res.status, 200, "{}", res.body);
    res.json()["comments"].as_array().unwrap().clone()
}

async fn a_thread_from_start_to_deletion(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let g = create(&ann, "Garden", "closed", "approval").await;
    add_member(app, &g, &bob, Role::Member).await;

    // Ann starts a thread through the form.
    let res = ann
        .post_form(
            &format!("/g/{g}/threads"),
            &[("title", "Spring planting"), ("context", "What do we **sow** first?")],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let t = res
        .location()
        .trim_start_matches("/t/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let page = bob.get(&format!("/g/{g}")).await;
    assert!(
        page.body.contains("Spring planting") && page.body.contains(">new<"),
        "{}",
        page.body
    );
    let page = bob.get(&format!("/t/{t}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<strong>sow</strong>") && page.body.contains("Started by Ann"));

    // Bob comments; Ann replies to him; a reply to the reply is refused.
    let res = bob.post_form(&format!("/t/{t}/comments"), &[("body", "Peas!")]).await;
    assert_eq!(res.status, 303);
    assert_eq!(res.location(), format!("/t/{t}?from=1#c1"));
    let bobs = comments_of(&ann, &t, 1).await[0]["id"].as_i64().unwrap();
    let reply = ann
        .post_form(
            &format!("/t/{t}/comments"),
            &[("body", "Agreed."), ("parent", &bobs.to_string())],
        )
        .await;
    assert_eq!(reply.status, 303);
    let anns = comments_of(&ann, &t, 1).await[1]["id"].as_i64().unwrap();
    let res = bob
        .post_form(
            &format!("/t/{t}/comments"),
            &[("body", "Deeper"), ("parent", &anns.to_string())],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("Replies go one level deep"), "{}", res.body);
    assert!(res.body.contains("Deeper"), "what was typed is kept");
    let page = ann.get(&format!("/t/{t}")).await;
    assert!(page.body.contains("replying to <a"), "{}", page.body);

    // Edits keep the earlier versions, with who changed them.
    let res = bob
        .post_form(
            &format!("/t/{t}/edit"),
            &[("title", "Spring planting 2027"), ("context", "Peas or beans?")],
        )
        .await;
    assert_eq!(res.status, 303, "members may edit threads by default");
    let history = ann.get(&format!("/t/{t}/history")).await;
    assert!(history.body.contains("Spring planting 2027") && history.body.contains("What do we"));
    assert!(history.body.contains("Changed by Bob"), "{}", history.body);
    let res = bob
        .request_json(
            reqwest::Method::PATCH,
            &format!("/api/v1/threads/{t}/comments/{bobs}"),
            Some(&json!({"body": "Peas, then beans."})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(res.json()["edited_at"].is_string());
    let history = ann.get(&format!("/t/{t}/comments/{bobs}/history")).await;
    assert!(history.body.contains("Peas, then beans.") && history.body.contains("Peas!"));
    assert_eq!(
        ann.request_json(
            reqwest::Method::PATCH,
            &format!("/api/v1/threads/{t}/comments/{bobs}"),
            Some(&json!({"body": "Ann's words"})),
        )
        .await
        .status,
        403,
        "coordinators do not edit others' comments unless the group allows it"
    );

    // Pin and close; a closed thread takes no comments; reopen.
    assert_eq!(bob.post_form(&format!("/t/{t}/pin"), &[]).await.status, 403);
    assert_eq!(ann.post_form(&format!("/t/{t}/pin"), &[]).await.status, 303);
    assert_eq!(ann.post_form(&format!("/t/{t}/close"), &[]).await.status, 303);
    let page = bob.get(&format!("/t/{t}")).await;
    assert!(page.body.contains("This thread is closed") && !page.body.contains("id=\"comment-form\""));
    assert_eq!(
        bob.post_form(&format!("/t/{t}/comments"), &[("body", "Late")])
            .await
            .status,
        403
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM comments").await, 2);
    assert_eq!(ann.post_form(&format!("/t/{t}/reopen"), &[]).await.status, 303);

    // Deleting asks first, on a page that works without JavaScript: the comment, what goes and
    // what stays, and the button; nothing is deleted by looking. Ann may not delete Bob's.
    let thread_page = bob.get(&format!("/t/{t}")).await.body;
    assert!(
        thread_page.contains(&format!("href=\"/t/{t}/comments/{bobs}/delete\">Delete")),
        "a link, not a button"
    );
    let confirm = bob.get(&format!("/t/{t}/comments/{bobs}/delete")).await;
    assert_eq!(confirm.status, 200);
    assert!(confirm.body.contains("Delete this comment?") && confirm.body.contains("Peas, then beans."));
    assert!(confirm.body.contains("Its replies stay") && confirm.body.contains("Delete the comment</button>"));
    assert!(
        ann.get(&format!("/t/{t}")).await.body.contains("Peas, then beans."),
        "still there"
    );
    // Deleting a comment with a reply leaves a placeholder; its text and history go (from
    // every page at once, from the database when the undo time is over).
    assert_eq!(
        bob.post_form(&format!("/t/{t}/comments/{bobs}/delete"), &[])
            .await
            .location(),
        format!("/t/{t}?from=1&notice=comment_deleted#c1")
    );
    let page = ann.get(&format!("/t/{t}")).await;
    assert!(page.body.contains("Comment deleted.") && !page.body.contains("Peas, then beans."));
    assert_eq!(ann.get(&format!("/t/{t}/comments/{bobs}/history")).await.status, 404);
    app.app.clock.advance(weft_domain::Duration::minutes(3));
    app.settle_jobs().await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM revisions WHERE comment_id IS NOT NULL")
            .await,
        0
    );
    // Bob cannot delete the thread: someone else has spoken. Ann (coordinator) can.
    assert_eq!(bob.get(&format!("/t/{t}/delete")).await.status, 403);
    assert_eq!(
        ann.post_form(&format!("/t/{t}/delete"), &[]).await.location(),
        format!("/g/{g}?notice=thread_deleted")
    );
    assert_eq!(ann.get(&format!("/t/{t}")).await.status, 404);
    for table in ["threads", "comments", "revisions", "thread_reads"] {
        let mut conn = app.db_conn().await;
        let n: i64 = weft_store::query(format!("SELECT COUNT(*) FROM {table}"))
            .fetch_scalar(&mut conn)
            .await
            .unwrap();
        assert_eq!(n, 0, "{table} still holds rows of the deleted thread");
    }
}

async fn bad_comments_are_explained_and_nothing_is_stored(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let g = create(&ann, "Garden", "closed", "approval").await;
    let res = ann
        .post_form(&format!("/g/{g}/threads"), &[("title", " "), ("context", "")])
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("Give the thread a title"));
    let res = ann
        .post_json(
            &format!("/api/v1/groups/{g}/threads"),
            &json!({"title": "t".repeat(151), "privacy": "public"}),
        )
        .await;
    assert_eq!(res.status, 422);
    let errors = &res.json()["errors"];
    assert!(errors["title"].is_array() && errors["privacy"][0].as_str().unwrap().contains("only holds private"));
    assert_eq!(app.count("SELECT COUNT(*) FROM threads").await, 0);

    let t = start(&ann, &g, "Budget", "", "").await;
    let res = ann.post_form(&format!("/t/{t}/comments"), &[("body", "  \n ")]).await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("Write something first"));
    let huge = "x".repeat(100_000);
    let res = ann
        .post_json(&format!("/api/v1/threads/{t}/comments"), &json!({"body": huge}))
        .await;
    assert_eq!(res.status, 422);
    assert!(
        res.json()["errors"]["body"][0]
            .as_str()
            .unwrap()
            .contains("at most 20000")
    );
    let res = ann
        .post_json(
            &format!("/api/v1/threads/{t}/comments"),
            &json!({"body": "hi", "parent_id": 999}),
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.json()["errors"]["parent"].is_array());
    assert_eq!(app.count("SELECT COUNT(*) FROM comments").await, 0);
    assert_eq!(
        app.count("SELECT last_seq FROM threads").await,
        0,
        "no number was used up"
    );
}

/// What a route answers for a decision: reads 200, writes 303 (pages), 404 hides, 403 refuses,
/// visitors go to log in.
fn expected(decision: Decision, read: bool) -> u16 {
    match decision {
        Decision::Allow if read => 200,
        Decision::Allow | Decision::LogIn => 303,
        Decision::Hidden => 404,
        Decision::Forbidden => 403,
    }
}

async fn every_thread_denial_answers_as_the_rule_says(app: &TestApp) {
    let admin = app.signed_in_user("Admin", "admin@example.org", PASSWORD).await;
    let member = app.signed_in_user("Member", "member@example.org", PASSWORD).await;
    let outsider = app.signed_in_user("Outsider", "outsider@example.org", PASSWORD).await;
    let anonymous = app.client();
    let staff = app.client();
    let link = app.app.create_admin("staff@example.org", Some("Staff")).await.unwrap();
    staff.post_form(link.trim_start_matches(&app.base), &[]).await;

    // A member whose account was deactivated: their session no longer counts (P9).
    let deactivated = app.signed_in_user("Dee", "dee@example.org", PASSWORD).await;
    let open = create(&admin, "Open", "open", "anyone").await;
    let res = admin
        .request_json(
            reqwest::Method::PATCH,
            &format!("/api/v1/groups/{open}"),
            Some(&json!({"name": "Open", "privacy": "open", "join_policy": "anyone", "thread_privacy": "public_or_private"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let closed = create(&admin, "Closed", "closed", "approval").await;
    let secret = create(&admin, "Secret", "secret", "invitation").await;
    for g in [&open, &closed, &secret] {
        add_member(app, g, &member, Role::Member).await;
        add_member(app, g, &deactivated, Role::Member).await;
    }
    {
        let mut conn = app.db_conn().await;
        weft_store::query("UPDATE users SET state = 'deactivated' WHERE email = 'dee@example.org'")
            .execute(&mut conn)
            .await
            .unwrap();
    }
    let facts_of = |privacy, join_policy| GroupFacts {
        privacy,
        join_policy,
        flags: GroupFlags::default(),
        is_subgroup: false,
        visible_to_parent_members: false,
        parent_secret: false,
        archived: false,
    };
    let threads = [
        (
            "public/open",
            start(&admin, &open, "Public", "", "public").await,
            facts_of(GroupPrivacy::Open, JoinPolicy::Anyone),
            false,
        ),
        (
            "private/open",
            start(&admin, &open, "Private open", "", "private").await,
            facts_of(GroupPrivacy::Open, JoinPolicy::Anyone),
            true,
        ),
        (
            "private/closed",
            start(&admin, &closed, "Private closed", "", "").await,
            facts_of(GroupPrivacy::Closed, JoinPolicy::Approval),
            true,
        ),
        (
            "private/secret",
            start(&admin, &secret, "Private secret", "", "").await,
            facts_of(GroupPrivacy::Secret, JoinPolicy::Invitation),
            true,
        ),
    ];
    let signed_in = Actor {
        signed_in: true,
        ..Actor::ANONYMOUS
    };
    let actors: [(&str, &Client, Actor, bool); 6] = [
        ("anonymous", &anonymous, Actor::ANONYMOUS, false),
        ("deactivated member", &deactivated, Actor::ANONYMOUS, false),
        ("outsider", &outsider, signed_in, false),
        (
            "member",
            &member,
            Actor {
                role: Some(Role::Member),
                ..signed_in
            },
            false,
        ),
        (
            "admin",
            &admin,
            Actor {
                role: Some(Role::Admin),
                ..signed_in
            },
            true,
        ),
        (
            "staff",
            &staff,
            Actor {
                instance_admin: true,
                ..signed_in
            },
            false,
        ),
    ];
    let mut checked = 0;
    for (tname, key, group, private) in &threads {
        for (aname, client, actor, author) in &actors {
            let facts = ThreadFacts {
                group: *group,
                private: *private,
                closed: false,
                by_actor: *author,
                others_commented: false,
            };
            let ctx = format!("{aname} × {tname}");
            for (action, path) in [
                (ThreadAction::See, format!("/t/{key}")),
                (ThreadAction::See, format!("/t/{key}/history")),
                (ThreadAction::Edit, format!("/t/{key}/edit")),
                (ThreadAction::Delete, format!("/t/{key}/delete")),
            ] {
                let want = expected(can_thread(actor, action, &facts), true);
                let res = client.get(&path).await;
                assert_eq!(res.status, want, "{ctx} GET {path} ({action:?})");
                if want == 404 {
                    assert!(!res.body.contains("Private"), "{ctx}: a 404 leaks nothing");
                }
                checked += 1;
            }
            let api = client.get(&format!("/api/v1/threads/{key}")).await;
            let want = match can_thread(actor, ThreadAction::See, &facts) {
                Decision::Hidden => 404,
                _ => 200,
            };
            assert_eq!(api.status, want, "{ctx} API");
            checked += 1;
            for (action, path) in [
                (ThreadAction::Comment, format!("/t/{key}/comments")),
                (ThreadAction::Edit, format!("/t/{key}/edit")),
                (ThreadAction::Pin, format!("/t/{key}/pin")),
                (ThreadAction::Close, format!("/t/{key}/close")),
                (ThreadAction::Delete, format!("/t/{key}/delete")),
            ] {
                let decision = can_thread(actor, action, &facts);
                if decision.allowed() {
                    continue;
                }
                let res = client
                    .post_form(&path, &[("body", "Hijacked"), ("title", "Hijacked")])
                    .await;
                assert_eq!(res.status, expected(decision, false), "{ctx} POST {path} ({action:?})");
                if res.status == 303 {
                    assert!(res.location().starts_with("/login"), "{ctx} {path}");
                }
                checked += 1;
            }
        }
    }
    eprintln!("thread permission cases checked over HTTP: {checked}");
    assert!(checked >= 180, "{checked}");
    assert_eq!(app.count("SELECT COUNT(*) FROM comments").await, 0);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM threads WHERE title = 'Hijacked'").await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM threads WHERE pinned_at IS NOT NULL OR closed_at IS NOT NULL")
            .await,
        0
    );
}

async fn unread_counts_hold_across_two_devices_and_long_threads(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let phone = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let laptop = app.client();
    laptop.get("/login").await;
    let res = laptop
        .post_form("/login", &[("email", "bob@example.org"), ("password", PASSWORD)])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let g = create(&ann, "Garden", "closed", "approval").await;
    add_member(app, &g, &phone, Role::Member).await;
    let t = start(&ann, &g, "Long one", "", "").await;
    for i in 1..=120 {
        comment(&ann, &t, &format!("Comment number {i}"), None).await;
    }
    let unread = |c: &Client| {
        let c = c.clone();
        let g = g.clone();
        async move {
            c.get(&format!("/api/v1/groups/{g}/threads")).await.json()["threads"][0]["unread"]
                .as_i64()
                .unwrap()
        }
    };
    assert_eq!(unread(&phone).await, 120);
    assert_eq!(unread(&ann).await, 0, "your own comments are read");

    // Pages hold 50 items, found by sequence number.
    let first = phone.get(&format!("/t/{t}?from=1")).await;
    assert!(first.body.contains("Comment number 1<") && first.body.contains("Comment number 50<"));
    assert!(!first.body.contains("Comment number 51<") && first.body.contains("?from=51"));
    assert_eq!(comments_of(&ann, &t, 101).await.len(), 20);
    assert_eq!(unread(&laptop).await, 70, "the phone's reading counts on the laptop");

    // A long thread says where you are and jumps: first, first unread, latest.
    assert!(
        first
            .body
            .contains("<span class=\"muted\" id=\"timeline-position\">1–50 of 120</span>"),
        "{}",
        first.body
    );
    assert!(
        first
            .body
            .contains(&format!("href=\"/t/{t}?from=101#comment-form\">Latest</a>"))
    );
    assert!(
        !first.body.contains(">First</a>") && !first.body.contains(">First unread</a>"),
        "nothing read before"
    );
    let listed = phone.get(&format!("/g/{g}")).await.body;
    assert!(
        listed.contains(&format!("href=\"/t/{t}#new\"")),
        "the list opens it at the new comments: {listed}"
    );
    let end = phone.get(&format!("/t/{t}?from=101")).await.body;
    assert!(end.contains("101–120 of 120"), "{end}");
    assert!(end.contains(&format!("href=\"/t/{t}?from=1#timeline-heading\">First</a>")));
    assert!(
        end.contains(&format!("href=\"/t/{t}?from=51#new\">First unread</a>")),
        "{end}"
    );
    assert!(!end.contains(">Latest</a>"), "this is the latest");

    // The laptop reads the end; the phone then opens an older page: the mark does not go back.
    laptop.get(&format!("/t/{t}?from=101")).await;
    assert_eq!(unread(&phone).await, 0);
    phone.get(&format!("/t/{t}?from=51")).await;
    assert_eq!(unread(&laptop).await, 0);

    // New comments show as new, and the page opens where they start.
    comment(&ann, &t, "Fresh news", None).await;
    assert_eq!(unread(&laptop).await, 1);
    let page = phone.get(&format!("/t/{t}")).await;
    assert!(page.body.contains("New since your last visit") && page.body.contains("Fresh news"));
    assert!(page.body.contains("Comment number 120<") && !page.body.contains("Comment number 100<"));
    let home = laptop.get("/").await;
    assert!(home.body.contains("Long one"));
    assert_eq!(unread(&laptop).await, 0);
    comment(&ann, &t, "Another", None).await;
    assert_eq!(laptop.post_form(&format!("/t/{t}/read"), &[]).await.status, 303);
    assert_eq!(unread(&phone).await, 0);
}

async fn public_threads_are_readable_without_an_account(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let g = create(&ann, "Open Garden", "open", "anyone").await;
    let res = ann
        .request_json(
            reqwest::Method::PATCH,
            &format!("/api/v1/groups/{g}"),
            Some(&json!({"name": "Open Garden", "privacy": "open", "join_policy": "anyone", "thread_privacy": "public_or_private"})),
        )
        .await;
    assert_eq!(res.status, 200);
    let public = start(&ann, &g, "Seed swap on Saturday", "Bring **seeds**.", "public").await;
    let private = start(&ann, &g, "Treasurer matters", "", "private").await;
    let c = comment(&ann, &public, "See you there", None).await;
    assert_eq!(c["seq"], 1);
    comment(&ann, &private, "Secret sums", None).await;

    let visitor = app.client();
    let page = visitor.get(&format!("/t/{public}")).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("<title>Seed swap on Saturday · Open Garden"),
        "good titles"
    );
    assert!(page.body.contains("content=\"Bring seeds.\""), "and descriptions");
    assert!(page.body.contains("See you there") && page.body.contains("Started by Ann"));
    assert!(!page.body.contains("ann@example.org"), "names, never emails");
    assert!(page.body.contains("Log in to comment"));
    let group_page = visitor.get(&format!("/g/{g}")).await;
    assert!(group_page.body.contains("Seed swap") && !group_page.body.contains("Treasurer"));
    for path in [
        format!("/t/{private}"),
        format!("/t/{private}/history"),
        format!("/api/v1/threads/{private}"),
        format!("/api/v1/threads/{private}/history"),
    ] {
        let res = visitor.get(&path).await;
        assert_eq!(res.status, 404, "{path}");
        assert!(!res.body.contains("Treasurer") && !res.body.contains("Secret sums"));
    }
    let api = visitor.get(&format!("/api/v1/threads/{public}")).await.json();
    assert!(!api.to_string().contains("@example.org"), "{api}");
    let list = visitor.get(&format!("/api/v1/groups/{g}/threads")).await.json();
    assert_eq!(list["threads"].as_array().unwrap().len(), 1);
    assert_eq!(list["threads"][0]["unread"], serde_json::Value::Null);
}

/// Tags and attributes that must never come out of user content.
fn dangerous_markup(html: &str) -> Vec<String> {
    let main = html
        .split_once("<main")
        .map_or(html, |(_, rest)| rest.split_once("</main>").map_or(rest, |(m, _)| m));
    let mut found = Vec::new();
    let mut rest = main;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let tag = &rest[..rest.find('>').unwrap_or(rest.len())];
        let name: String = tag
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_lowercase();
        if name.is_empty() {
            continue;
        }
        if [
            "script", "iframe", "object", "embed", "style", "svg", "math", "img", "base", "meta", "link", "frame",
            "video", "audio", "template",
        ]
        .contains(&name.as_str())
        {
            found.push(format!("<{tag}>"));
        }
        let lower = tag.to_lowercase();
        for attr in lower.split_whitespace().skip(1) {
            let attr_name = attr.split('=').next().unwrap_or("");
            if attr_name.starts_with("on") || attr_name == "style" || attr_name == "srcdoc" || attr_name == "formaction"
            {
                found.push(format!("<{tag}>"));
            }
        }
        for scheme in ["javascript:", "vbscript:", "data:"] {
            if lower.contains(&format!("href=\"{scheme}")) || lower.contains(&format!("src=\"{scheme}")) {
                found.push(format!("<{tag}>"));
            }
        }
    }
    found
}

async fn an_xss_corpus_stays_inert(app: &TestApp) {
    const CORPUS: [&str; 34] = [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        "<img src=x onerror=alert(1)>",
        "<svg onload=alert(1)>",
        "<svg><script>alert(1)</script></svg>",
        "<iframe src=\"javascript:alert(1)\"></iframe>",
        "<body onload=alert(1)>",
        "<a href=\"javascript:alert(1)\">click</a>",
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](vbscript:msgbox(1))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![x](javascript:alert(1))",
        "![x](https://evil.example/pixel.png)",
        "<a href=\"#\" onclick=\"alert(1)\">x</a>",
        "<div style=\"background:url(javascript:alert(1))\">x</div>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "<details open ontoggle=alert(1)>",
        "<input autofocus onfocus=alert(1)>",
        "<video><source onerror=alert(1)></video>",
        "<object data=\"javascript:alert(1)\"></object>",
        "<embed src=\"javascript:alert(1)\">",
        "<base href=\"https://evil.example/\">",
        "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">",
        "<link rel=stylesheet href=https://evil.example/x.css>",
        "<form action=\"https://evil.example\"><button formaction=javascript:alert(1)>x</button></form>",
        "\"><script>alert(1)</script>",
        "'><img src=x onerror=alert(1)>",
        "<scr<script>ipt>alert(1)</scr</script>ipt>",
        "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
        "[x](&#106;avascript:alert(1))",
        "<template><script>alert(1)</script></template>",
        "<!--<img src=x onerror=alert(1)>-->",
        "`<script>alert(1)</script>` and ```\n<script>alert(1)</script>\n```",
    ];
    // The detector itself catches what it must.
    for bad in [
        "<main><img src=x onerror=alert(1)></main>",
        "<main><a href=\"javascript:alert(1)\">x</a></main>",
        "<main><p onclick=\"x()\">x</p></main>",
        "<main><script>alert(1)</script></main>",
    ] {
        assert!(!dangerous_markup(bad).is_empty(), "{bad}");
    }
    assert!(dangerous_markup("<main><p>&lt;script&gt;alert(1)&lt;/script&gt;</p></main>").is_empty());
    let ann = app
        .signed_in_user("Ann <script>alert(1)</script>", "ann@example.org", PASSWORD)
        .await;
    let g = create(&ann, "Garden <img src=x onerror=alert(1)>", "open", "anyone").await;
    let mut checked = 0;
    for (i, payload) in CORPUS.iter().enumerate() {
        let title: String = format!("{i} {payload}").replace('\n', " ").chars().take(150).collect();
        let t = start(&ann, &g, &title, payload, "").await;
        comment(&ann, &t, payload, None).await;
        for path in [
            format!("/t/{t}"),
            format!("/g/{g}"),
            "/".to_owned(),
            format!("/t/{t}/history"),
        ] {
            let page = ann.get(&path).await;
            assert_eq!(page.status, 200, "{path}");
            let bad = dangerous_markup(&page.body);
            assert!(bad.is_empty(), "payload {i} {payload:?} on {path}: {bad:?}");
            checked += 1;
        }
        let api = ann.get(&format!("/api/v1/threads/{t}")).await.json();
        for html in [&api["context_html"], &api["comments"][0]["body_html"]] {
            let bad = dangerous_markup(html.as_str().unwrap());
            assert!(bad.is_empty(), "payload {i} {payload:?} in API HTML: {bad:?}");
        }
    }
    assert_eq!(checked, CORPUS.len() * 4);
}

const WAIT: std::time::Duration = std::time::Duration::from_secs(10);

async fn watchers_see_comments_as_they_happen(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let oz = app.signed_in_user("Oz", "oz@example.org", PASSWORD).await;
    let g = create(&ann, "Garden", "closed", "approval").await;
    add_member(app, &g, &bob, Role::Member).await;
    let t = start(&ann, &g, "Live one", "", "").await;

    // Only people who may read the thread may watch it.
    assert_eq!(oz.events(&format!("/t/{t}/live")).await.status, 404);
    assert_eq!(app.client().events(&format!("/t/{t}/live")).await.status, 404);
    let mut stream = bob.events(&format!("/t/{t}/live")).await;
    assert_eq!(stream.status, 200);
    assert!(
        stream.content_type.starts_with("text/event-stream"),
        "{}",
        stream.content_type
    );

    comment(&ann, &t, "Hello, *live* world", None).await;
    assert_eq!(stream.next(WAIT).await, Some(("comment".into(), "1".into())));
    let item = bob.get(&format!("/t/{t}/items/1")).await;
    assert_eq!(item.status, 200);
    assert!(
        item.body.contains("id=\"c1\"") && item.body.contains("<em>live</em>"),
        "{}",
        item.body
    );
    assert_eq!(
        oz.get(&format!("/t/{t}/items/1")).await.status,
        404,
        "items are checked like pages"
    );

    let id = comments_of(&ann, &t, 1).await[0]["id"].as_i64().unwrap();
    let res = ann
        .request_json(
            reqwest::Method::PATCH,
            &format!("/api/v1/threads/{t}/comments/{id}"),
            Some(&json!({"body": "Hello again"})),
        )
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(stream.next(WAIT).await, Some(("comment".into(), "1".into())));
    assert_eq!(ann.post_form(&format!("/t/{t}/pin"), &[]).await.status, 303);
    assert_eq!(stream.next(WAIT).await, Some(("thread".into(), "changed".into())));
    assert_eq!(
        ann.post_form(&format!("/t/{t}/comments/{id}/delete"), &[]).await.status,
        303
    );
    assert_eq!(stream.next(WAIT).await, Some(("comment".into(), "1".into())));
    assert_eq!(
        bob.get(&format!("/t/{t}/items/1")).await.status,
        404,
        "a deleted item is gone"
    );

    // Another thread's news does not reach this watcher.
    let other = start(&ann, &g, "Other", "", "").await;
    comment(&ann, &other, "Elsewhere", None).await;
    assert_eq!(stream.next(std::time::Duration::from_millis(500)).await, None);
    assert!(app.app.live.watchers() >= 1);
}

async fn a_watcher_on_one_instance_hears_a_comment_posted_on_another(app: &TestApp) {
    if app.db != Db::Postgres {
        // One SQLite database has one instance; the scenario above covers it.
        return;
    }
    let second = app.second_instance().await;
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let g = create(&ann, "Garden", "closed", "approval").await;
    add_member(app, &g, &bob, Role::Member).await;
    let t = start(&ann, &g, "Across instances", "", "").await;
    let mut on_first = bob.events(&format!("/t/{t}/live")).await;
    assert_eq!(on_first.status, 200);
    // Ann's session lives in the shared database: her cookies work on the second instance.
    let ann_on_second = Client::new(&second.base);
    *ann_on_second.jar.lock().unwrap() = ann.jar.lock().unwrap().clone();
    for n in 1..=3 {
        comment(&ann_on_second, &t, &format!("From the other instance, {n}"), None).await;
        assert_eq!(on_first.next(WAIT).await, Some(("comment".into(), n.to_string())));
    }
    let item = bob.get(&format!("/t/{t}/items/3")).await;
    assert!(item.body.contains("From the other instance, 3"));
    second.finish().await;
}

/// An open live stream must not hold up a clean shutdown (streams never end by themselves).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_ends_open_live_streams() {
    let app = TestApp::spawn(Db::Sqlite).await.expect("sqlite");
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let g = create(&ann, "Garden", "closed", "approval").await;
    let t = start(&ann, &g, "Watched", "", "").await;
    let mut stream = ann.events(&format!("/t/{t}/live")).await;
    assert_eq!(stream.status, 200);
    let started = std::time::Instant::now();
    app.finish().await;
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        stream.next(std::time::Duration::from_secs(2)).await,
        None,
        "the stream ended"
    );
}

async fn reactions_toggle_and_say_who_reacted(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let oz = app.signed_in_user("Oz", "oz@example.org", PASSWORD).await;
    let g = create(&ann, "Garden", "open", "anyone").await;
    add_member(app, &g, &bob, Role::Member).await;
    let t = start(&ann, &g, "Reactions", "", "").await;
    comment(&ann, &t, "We did it!", None).await;
    let id = comments_of(&ann, &t, 1).await[0]["id"].as_i64().unwrap();
    let mut stream = ann.events(&format!("/t/{t}/live")).await;

    let res = bob
        .post_form(&format!("/t/{t}/comments/{id}/react"), &[("reaction", "tada")])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(
        stream.next(WAIT).await,
        Some(("comment".into(), "1".into())),
        "reactions are live"
    );
    let res = ann
        .post_json(
            &format!("/api/v1/threads/{t}/comments/{id}/reactions"),
            &json!({"reaction": "🎉"}),
        )
        .await;
    assert_eq!(res.json(), json!({"reacted": true}));
    let reactions = comments_of(&bob, &t, 1).await[0]["reactions"].clone();
    assert_eq!(
        reactions,
        json!([{"reaction": "tada", "emoji": "🎉", "count": 2, "names": ["Bob", "Ann"], "mine": true}])
    );
    let page = bob.get(&format!("/t/{t}")).await;
    assert!(
        page.body.contains("aria-pressed=\"true\"") && page.body.contains("celebrate: Bob, Ann"),
        "{}",
        page.body
    );

    // Toggling again takes it back; unknown reactions are refused; outsiders of a private thread see nothing.
    let res = bob
        .post_json(
            &format!("/api/v1/threads/{t}/comments/{id}/reactions"),
            &json!({"reaction": "tada"}),
        )
        .await;
    assert_eq!(res.json(), json!({"reacted": false}));
    let res = bob
        .post_json(
            &format!("/api/v1/threads/{t}/comments/{id}/reactions"),
            &json!({"reaction": "💩"}),
        )
        .await;
    assert_eq!(res.status, 422);
    assert_eq!(app.count("SELECT COUNT(*) FROM reactions").await, 1);
    let res = oz
        .post_json(
            &format!("/api/v1/threads/{t}/comments/{id}/reactions"),
            &json!({"reaction": "heart"}),
        )
        .await;
    assert_eq!(res.status, 403, "a public thread: an outsider may read but not react");
    let visitor = app.client().get(&format!("/t/{t}")).await;
    assert!(
        visitor.body.contains("celebrate: Ann") && !visitor.body.contains("/react\""),
        "counts without buttons"
    );
    assert_eq!(ann.post_form(&format!("/t/{t}/close"), &[]).await.status, 303);
    let res = bob
        .post_form(&format!("/t/{t}/comments/{id}/react"), &[("reaction", "heart")])
        .await;
    assert_eq!(res.status, 403, "a closed thread takes no reactions");
    assert_eq!(app.count("SELECT COUNT(*) FROM reactions").await, 1);
}

async fn mentions_notify_only_people_who_can_read_the_thread(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let cy = app.signed_in_user("Cy", "cy@example.org", PASSWORD).await;
    let oz = app.signed_in_user("Oz", "oz@example.org", PASSWORD).await;
    let username = |c: Client| async move {
        c.get("/api/v1/me").await.json()["username"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (ann_u, bob_u, cy_u, oz_u) = (
        username(ann.clone()).await,
        username(bob.clone()).await,
        username(cy.clone()).await,
        username(oz.clone()).await,
    );
    let g = create(&ann, "Garden", "closed", "approval").await;
    add_member(app, &g, &bob, Role::Member).await;
    add_member(app, &g, &cy, Role::Member).await;
    let t = start(&ann, &g, "Private plans", "", "").await;
    let before = app
        .count("SELECT COUNT(*) FROM outbox_emails WHERE kind = 'mention'")
        .await;
    assert_eq!(before, 0);

    // Bob can read the thread: he hears about it. Oz cannot: nothing is sent, nothing revealed.
    let text = format!("Hi @{bob_u} and @{oz_u}, and @nobody-here, and me @{ann_u}. Not `@{cy_u}`.");
    comment(&ann, &t, &text, None).await;
    let mail = app.last_email_to("bob@example.org").await;
    assert!(
        mail.subject.contains("Ann mentioned you in “Private plans”"),
        "{}",
        mail.subject
    );
    assert!(mail.text.contains("/t/") && mail.header("List-Unsubscribe").is_some());
    assert!(
        app.settled_emails_to("oz@example.org")
            .await
            .iter()
            .all(|m| !m.subject.contains("mentioned"))
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox_emails WHERE kind = 'mention'")
            .await,
        1
    );

    // The mention links to the profile, which shows name and username, never the address.
    let page = bob.get(&format!("/t/{t}")).await;
    assert!(page.body.contains(&format!("href=\"/u/{bob_u}\"")), "{}", page.body);
    let profile = oz.get(&format!("/u/{bob_u}")).await;
    assert_eq!(profile.status, 200);
    assert!(profile.body.contains("Bob") && !profile.body.contains("bob@example.org"));
    assert_eq!(
        app.client().get(&format!("/u/{bob_u}")).await.status,
        303,
        "visitors log in first"
    );

    // Editing tells only the newly mentioned.
    let id = comments_of(&ann, &t, 1).await[0]["id"].as_i64().unwrap();
    let res = ann
        .request_json(
            reqwest::Method::PATCH,
            &format!("/api/v1/threads/{t}/comments/{id}"),
            Some(&json!({"body": format!("{text} Also @{cy_u}.")})),
        )
        .await;
    assert_eq!(res.status, 200);
    assert!(
        app.last_email_to("cy@example.org")
            .await
            .subject
            .contains("mentioned you")
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox_emails WHERE kind = 'mention'")
            .await,
        2
    );

    // Someone who unsubscribed from email is not written to.
    let unsubscribe = mail.link("/unsubscribe/");
    bob.post_form(&unsubscribe, &[]).await;
    comment(&ann, &t, &format!("@{bob_u} one more thing"), None).await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox_emails WHERE kind = 'mention'")
            .await,
        2
    );
}

/// Times on pages are read in the reader's own zone (UTC for a visitor or who has not chosen
/// one), relative when within a week, always in a `<time>` that carries the instant and the
/// exact local time; an email names a poll's closing time in its recipient's zone.
async fn each_reader_sees_times_in_their_own_zone_and_recent_ones_as_how_long_ago(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let kiri = app.signed_in_user("Kiri", "kiri@example.org", PASSWORD).await;
    let res = kiri
        .request_json(
            reqwest::Method::PATCH,
            "/api/v1/me",
            Some(&json!({"time_zone": "Pacific/Auckland"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let g = create(&ann, "Co-op", "open", "anyone").await;
    add_member(app, &g, &kiri, Role::Member).await;
    let t = start(&ann, &g, "Harvest", "When?", "public").await;
    let instant = ann.get(&format!("/api/v1/threads/{t}")).await.json()["created_at"]
        .as_str()
        .unwrap()
        .to_owned();
    let created = weft_domain::Timestamp::parse_rfc3339(&instant).unwrap();
    let label = |zone: &str| weft_domain::polls::meeting::Zone::or_utc(zone).label(created);
    for (who, zone) in [(&ann, "UTC"), (&kiri, "Pacific/Auckland")] {
        let page = who.get(&format!("/t/{t}")).await.body;
        let expected = format!("title=\"{}\">just now</time>", label(zone));
        assert!(page.contains(&expected), "{zone}: {expected} in {page}");
    }
    assert!(label("Pacific/Auckland").ends_with("NZDT") || label("Pacific/Auckland").ends_with("NZST"));

    // A week on, the exact time is shown instead of "8 days ago".
    app.app.clock.advance(weft_domain::Duration::days(8));
    let page = kiri.get(&format!("/t/{t}")).await.body;
    let exact = label("Pacific/Auckland");
    assert!(page.contains(&format!("title=\"{exact}\">{exact}</time>")), "{page}");

    // An email: the poll's closing time in Kiri's zone.
    let closing = app.app.clock.now().plus(weft_domain::Duration::days(3));
    let res = ann
        .post_json(
            &format!("/api/v1/threads/{t}/polls"),
            &json!({"template": "proposal", "title": "Pick a day", "notify_on_open": true, "closing_at": closing.rfc3339()}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let mail = app.email_to_containing("kiri@example.org", "Pick a day").await;
    let closes = weft_domain::polls::meeting::Zone::or_utc("Pacific/Auckland").label(closing);
    assert!(mail.text.contains(&format!("It closes {closes}.")), "{}", mail.text);
}

/// The comment box's `@` suggestions: only people who may read the thread, by username or
/// name prefix, never the one asking, no wildcards; only for someone who may comment there.
async fn mention_suggestions_name_only_people_who_may_read_the_thread(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let adam = app.signed_in_user("Adam Smith", "adam@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob Adler", "bob@example.org", PASSWORD).await;
    let adele = app.signed_in_user("Adele", "adele@example.org", PASSWORD).await;
    let g = create(&ann, "Garden", "closed", "approval").await;
    add_member(app, &g, &adam, Role::Member).await;
    add_member(app, &g, &bob, Role::Member).await;
    let t = start(&ann, &g, "Seeds", "Which?", "").await;
    let suggest = |c: &Client, q: &str| {
        let (c, url) = (
            c.clone_cookies(),
            format!("/api/v1/threads/{t}/mentionable?q={}", urlencode(q)),
        );
        async move {
            let res = c.get(&url).await;
            assert_eq!(res.status, 200, "{}", res.body);
            res.json()["people"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["name"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    let adam_name = adam.username().await;
    assert_eq!(suggest(&ann, "ad").await, ["Adam Smith"], "Adele cannot read it");
    assert_eq!(
        suggest(&ann, &format!("@{}", adam_name.to_uppercase())).await,
        ["Adam Smith"]
    );
    assert_eq!(suggest(&ann, "bob").await, ["Bob Adler"], "by name too");
    assert!(suggest(&adam, "ad").await.is_empty(), "never yourself");
    for nothing in ["", "@", "%", "_", "zz"] {
        assert!(suggest(&ann, nothing).await.is_empty(), "{nothing:?}");
    }
    // Someone who may not read the thread learns nothing; a visitor must log in.
    assert_eq!(
        adele.get(&format!("/api/v1/threads/{t}/mentionable?q=a")).await.status,
        404
    );
    assert_eq!(
        app.client()
            .get(&format!("/api/v1/threads/{t}/mentionable?q=a"))
            .await
            .status,
        401
    );
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The titles of the thread list on a group's page, in order.
fn listed_titles(page: &str) -> Vec<String> {
    page.split(">Topic ")
        .skip(1)
        .map(|rest| format!("Topic {}", &rest[..2]))
        .collect()
}

/// A group's thread list pages 30 at a time and says where the reader is ("31–60 of 64"),
/// counting only what this reader may list (a visitor's count leaves private threads out); the
/// next and previous links keep the filters and the order; the order is latest activity,
/// newest threads, or unread first; a page beyond the end says so, and the API gives the total.
async fn a_groups_threads_come_in_pages_that_say_where_you_are_in_the_order_you_choose(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let g = create(&ann, "Co-op", "open", "anyone").await;
    let res = ann
        .request_json(
            reqwest::Method::PATCH,
            &format!("/api/v1/groups/{g}"),
            Some(&json!({"name": "Co-op", "privacy": "open", "join_policy": "anyone", "thread_privacy": "public_or_private"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    add_member(app, &g, &bob, Role::Member).await;
    let mut keys = Vec::new();
    for i in 0..64 {
        let privacy = if i % 4 == 0 { "private" } else { "public" };
        keys.push(start(&ann, &g, &format!("Topic {i:02}"), "Hello", privacy).await);
    }
    // A member: 64 in all, newest activity first, 30 a page.
    let first = ann.get(&format!("/g/{g}")).await.body;
    assert!(first.contains("Threads 1–30 of 64"), "{first}");
    let titles = listed_titles(&first);
    assert_eq!(titles.len(), 30);
    assert_eq!((titles[0].as_str(), titles[29].as_str()), ("Topic 63", "Topic 34"));
    assert!(
        first.contains(&format!("href=\"/g/{g}?page=1#threads-heading\" rel=\"next\"")),
        "{first}"
    );
    assert!(!first.contains("rel=\"prev\""));
    let last = ann.get(&format!("/g/{g}?page=2")).await.body;
    assert!(last.contains("Threads 61–64 of 64"), "{last}");
    assert_eq!(listed_titles(&last), ["Topic 03", "Topic 02", "Topic 01", "Topic 00"]);
    assert!(
        last.contains(&format!("href=\"/g/{g}?page=1#threads-heading\" rel=\"prev\""))
            && !last.contains("rel=\"next\"")
    );
    let beyond = ann.get(&format!("/g/{g}?page=99999999999")).await;
    assert_eq!(beyond.status, 200);
    assert!(beyond.body.contains("No threads on this page."), "{}", beyond.body);

    // A visitor counts only the public ones.
    let visitor = app.client().get(&format!("/g/{g}?page=1")).await.body;
    assert!(visitor.contains("Threads 31–48 of 48"), "{visitor}");
    let numbers: Vec<u32> = listed_titles(&visitor)
        .iter()
        .map(|t| t["Topic ".len()..].parse().unwrap())
        .collect();
    assert!(numbers.iter().all(|n| n % 4 != 0), "no private thread: {numbers:?}");

    // The order: activity moves a thread up, newest does not; filters and order stay in the links.
    comment(&ann, &keys[0], "Still here", None).await;
    assert_eq!(listed_titles(&ann.get(&format!("/g/{g}")).await.body)[0], "Topic 00");
    let newest = ann.get(&format!("/g/{g}?sort=newest&status=open")).await.body;
    assert_eq!(listed_titles(&newest)[0], "Topic 63");
    assert!(
        newest.contains(&format!(
            "href=\"/g/{g}?status=open&#38;sort=newest&#38;page=1#threads-heading\""
        )),
        "{newest}"
    );
    assert!(newest.contains("<option value=\"newest\" selected>"));
    // Unread first: Bob has read Topic 00 (the latest activity), so others come before it.
    assert_eq!(bob.get(&format!("/t/{}", keys[0])).await.status, 200);
    assert_eq!(listed_titles(&bob.get(&format!("/g/{g}")).await.body)[0], "Topic 00");
    let unread = listed_titles(&bob.get(&format!("/g/{g}?sort=unread")).await.body);
    assert_eq!(unread[0], "Topic 63");
    assert!(!unread.contains(&"Topic 00".to_owned()), "read, so on a later page");

    // The API: the same page, with the total.
    let api = ann.get(&format!("/api/v1/groups/{g}/threads?page=2")).await.json();
    assert_eq!(
        (api["total"].as_i64(), api["has_more"].as_bool()),
        (Some(64), Some(false))
    );
    assert_eq!(api["threads"].as_array().unwrap().len(), 4);
    let api = ann.get(&format!("/api/v1/groups/{g}/threads?sort=newest")).await.json();
    assert_eq!(api["threads"][0]["title"], "Topic 63");
}

async fn tags_and_filters_narrow_the_thread_list(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let oz = app.signed_in_user("Oz", "oz@example.org", PASSWORD).await;
    let g = create(&ann, "Co-op", "open", "anyone").await;
    let res = ann
        .request_json(
            reqwest::Method::PATCH,
            &format!("/api/v1/groups/{g}"),
            Some(&json!({"name": "Co-op", "privacy": "open", "join_policy": "anyone", "thread_privacy": "public_or_private"})),
        )
        .await;
    assert_eq!(res.status, 200);
    add_member(app, &g, &bob, Role::Member).await;
    let res = ann
        .post_form(
            &format!("/g/{g}/threads"),
            &[
                ("title", "Budget 2027"),
                ("privacy", "public"),
                ("tags", "Budget, finance"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let budget = res
        .location()
        .trim_start_matches("/t/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let res = ann
        .post_json(
            &format!("/api/v1/groups/{g}/threads"),
            &json!({"title": "Summer party", "privacy": "public", "tags": ["events"]}),
        )
        .await;
    let party = res.json()["key"].as_str().unwrap().to_owned();
    ann.post_json(
        &format!("/api/v1/groups/{g}/threads"),
        &json!({"title": "Salaries", "privacy": "private", "tags": "budget, hr"}),
    )
    .await;
    let titles = |c: Client, query: &'static str| {
        let g = g.clone();
        async move {
            let list = c.get(&format!("/api/v1/groups/{g}/threads{query}")).await.json();
            let mut titles: Vec<String> = list["threads"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["title"].as_str().unwrap().to_owned())
                .collect();
            titles.sort();
            titles
        }
    };
    assert_eq!(titles(bob.clone(), "?tag=budget").await, ["Budget 2027", "Salaries"]);
    assert_eq!(
        titles(oz.clone(), "?tag=budget").await,
        ["Budget 2027"],
        "private threads stay private"
    );
    let page = oz.get(&format!("/g/{g}")).await;
    assert!(
        page.body.contains(">budget (1)<") && !page.body.contains(">hr ("),
        "tags of private threads stay unknown"
    );
    let page = bob.get(&format!("/g/{g}?tag=budget")).await;
    assert!(page.body.contains("Salaries") && !page.body.contains("Summer party"));

    assert_eq!(ann.post_form(&format!("/t/{party}/close"), &[]).await.status, 303);
    assert_eq!(titles(bob.clone(), "?status=closed").await, ["Summer party"]);
    assert_eq!(titles(bob.clone(), "?status=open").await, ["Budget 2027", "Salaries"]);
    bob.get(&format!("/t/{budget}")).await;
    assert_eq!(titles(bob.clone(), "?unread=true").await, ["Salaries", "Summer party"]);

    // Editing the tags; bad tags are explained and change nothing.
    let form = ann.get(&format!("/t/{budget}/edit")).await;
    assert!(form.body.contains("value=\"budget, finance\""), "{}", form.body);
    let res = ann
        .post_form(
            &format!("/t/{budget}/edit"),
            &[("title", "Budget 2027"), ("context", ""), ("tags", "a;b")],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("letters, digits, spaces and - only"));
    let res = ann
        .post_form(
            &format!("/t/{budget}/edit"),
            &[("title", "Budget 2027"), ("context", ""), ("tags", "finance")],
        )
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(titles(bob.clone(), "?tag=budget").await, ["Salaries"]);
    let shown = bob.get(&format!("/api/v1/threads/{budget}")).await.json();
    assert_eq!(shown["tags"], json!(["finance"]));
}

async fn coordinators_move_threads_between_their_groups(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let from = create(&ann, "Old home", "closed", "approval").await;
    let to = create(&ann, "New home", "closed", "approval").await;
    let public_only = create(&ann, "Town square", "open", "anyone").await;
    let bobs = create(&bob, "Bob's group", "closed", "approval").await;
    add_member(app, &from, &bob, Role::Member).await;
    let t = start(&ann, &from, "Moving on", "", "").await;
    ann.request_json(
        reqwest::Method::PATCH,
        &format!("/api/v1/threads/{t}"),
        Some(&json!({"tags": "keep"})),
    )
    .await;

    assert_eq!(
        bob.get(&format!("/t/{t}/move")).await.status,
        403,
        "members do not move threads"
    );
    let form = ann.get(&format!("/t/{t}/move")).await;
    assert!(
        form.body.contains(&format!("<option value=\"{to}\">New home")),
        "{}",
        form.body
    );
    assert!(
        !form.body.contains(&format!("<option value=\"{bobs}\""))
            && !form.body.contains(&format!("<option value=\"{from}\""))
    );
    // Not into a group Ann does not coordinate, nor a private thread into a public-only group.
    let res = ann.post_form(&format!("/t/{t}/move"), &[("group", &bobs)]).await;
    assert_eq!(res.status, 422);
    let res = ann
        .post_json(&format!("/api/v1/threads/{t}/move"), &json!({"group_key": public_only}))
        .await;
    assert_eq!(res.status, 422);
    assert!(
        res.json()["errors"]["group"][0]
            .as_str()
            .unwrap()
            .contains("only public threads")
    );

    let res = ann.post_form(&format!("/t/{t}/move"), &[("group", &to)]).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let shown = ann.get(&format!("/api/v1/threads/{t}")).await.json();
    assert_eq!(shown["group"]["key"], to);
    assert_eq!(shown["tags"], json!([]), "tags belonged to the old group");
    assert_eq!(
        bob.get(&format!("/t/{t}")).await.status,
        404,
        "Bob is not in the new group"
    );
}

async fn guests_take_part_in_one_thread_only(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let oz = app.signed_in_user("Oz", "oz@example.org", PASSWORD).await;
    let g = create(&ann, "Board", "secret", "invitation").await;
    let t1 = start(&ann, &g, "Hiring a coordinator", "", "").await;
    let t2 = start(&ann, &g, "Salaries", "", "").await;

    assert_eq!(
        oz.post_form(&format!("/t/{t1}/guests"), &[("emails", "x@example.org")])
            .await
            .status,
        404
    );
    let res = ann
        .post_form(
            &format!("/t/{t1}/guests"),
            &[
                ("emails", "gina@example.org, bob@example.org"),
                ("message", "Your advice, please"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let mail = app.last_email_to("gina@example.org").await;
    assert!(
        mail.subject.contains("Ann invited you to Hiring a coordinator"),
        "{}",
        mail.subject
    );
    assert!(mail.text.contains("You do not need to join the group") && mail.text.contains("Your advice, please"));
    let link = mail.link("/guest/");

    // Gina has no account: she makes one from the link and lands in the thread.
    let gina = app.client();
    assert!(
        gina.get(&link)
            .await
            .body
            .contains("Take part in “Hiring a coordinator”")
    );
    let res = gina
        .post_form(&format!("{link}/signup"), &[("name", "Gina"), ("password", PASSWORD)])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(res.location(), format!("/t/{t1}?notice=guest_welcome"));
    let page = gina.get(&format!("/t/{t1}")).await;
    assert_eq!(page.status, 200);
    assert!(
        !page.body.contains(&format!("href=\"/g/{g}\"")),
        "a guest does not see the secret group"
    );
    comment(&gina, &t1, "Happy to help.", None).await;
    assert_eq!(gina.get(&format!("/t/{t2}")).await.status, 404, "one thread only");
    assert_eq!(gina.get(&format!("/g/{g}")).await.status, 404);
    assert_eq!(gina.get(&format!("/api/v1/threads/{t2}")).await.status, 404);
    assert!(
        gina.get("/").await.body.contains("Hiring a coordinator"),
        "the thread is on her dashboard"
    );
    assert_eq!(app.client().get(&link).await.status, 400, "the link worked once");
    let names: Vec<String> = ann.get(&format!("/api/v1/threads/{t1}/guests")).await.json()["guests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["Gina"]);

    // Bob has an account: the emailed link, accepted while logged in.
    let bob_link = app.last_email_to("bob@example.org").await.link("/guest/");
    assert_eq!(bob.post_form(&bob_link, &[]).await.status, 303);
    assert_eq!(bob.get(&format!("/t/{t1}")).await.status, 200);

    // Guests can be mentioned; a coordinator can end their access.
    let gina_u = gina.get("/api/v1/me").await.json()["username"]
        .as_str()
        .unwrap()
        .to_owned();
    comment(&ann, &t1, &format!("Thanks @{gina_u}!"), None).await;
    assert!(
        app.last_email_to("gina@example.org")
            .await
            .subject
            .contains("mentioned you")
    );
    let gina_key = gina.get("/api/v1/me").await.json()["key"].as_str().unwrap().to_owned();
    assert_eq!(
        bob.post_form(&format!("/t/{t1}/guests/{gina_key}/remove"), &[])
            .await
            .status,
        403
    );
    assert_eq!(
        ann.post_form(&format!("/t/{t1}/guests/{gina_key}/remove"), &[])
            .await
            .status,
        303
    );
    assert_eq!(gina.get(&format!("/t/{t1}")).await.status, 404);
}

async fn follow_normal_and_mute_decide_the_email(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let cy = app.signed_in_user("Cy", "cy@example.org", PASSWORD).await;
    let dee = app.signed_in_user("Dee", "dee@example.org", PASSWORD).await;
    let g = create(&ann, "Garden", "closed", "approval").await;
    for member in [&bob, &cy, &dee] {
        add_member(app, &g, member, Role::Member).await;
    }
    let t = start(&ann, &g, "Watering rota", "", "").await;
    assert_eq!(
        bob.post_form(&format!("/t/{t}/volume"), &[("volume", "follow")])
            .await
            .status,
        303
    );
    let res = dee
        .post_json(&format!("/api/v1/threads/{t}/volume"), &json!({"volume": "mute"}))
        .await;
    assert_eq!(res.status, 204);
    assert_eq!(
        dee.post_json(&format!("/api/v1/threads/{t}/volume"), &json!({"volume": "shout"}))
            .await
            .status,
        422
    );
    // "follow", the word before issue 24, is loud.
    assert_eq!(bob.get(&format!("/api/v1/threads/{t}")).await.json()["volume"], "loud");
    let count = |kind: &'static str| async move {
        app.settle_mail().await;
        app.count(match kind {
            "new_comment" => "SELECT COUNT(*) FROM outbox_emails WHERE kind = 'new_comment'",
            _ => "SELECT COUNT(*) FROM outbox_emails WHERE kind = 'mention'",
        })
        .await
    };

    comment(&ann, &t, "Who takes Mondays?", None).await;
    let mail = app.email_to_containing("bob@example.org", "Who takes Mondays?").await;
    assert!(mail.subject.contains("Ann commented on"), "{}", mail.subject);
    assert!(mail.text.contains("Who takes Mondays?"));
    assert_eq!(
        count("new_comment").await,
        1,
        "only the loud one: not Cy (normal, who took no part), not Dee (mute)"
    );

    // A muted thread stays quiet even for a mention, and leaves the dashboard.
    let dee_u = dee.get("/api/v1/me").await.json()["username"]
        .as_str()
        .unwrap()
        .to_owned();
    comment(&ann, &t, &format!("@{dee_u} can you?"), None).await;
    assert_eq!(count("mention").await, 0);
    assert!(!dee.get("/").await.body.contains("Watering rota"));
    assert!(bob.get("/").await.body.contains("Watering rota"));

    // A mention of a follower is one email, not two; one's own comment is none.
    let bob_u = bob.get("/api/v1/me").await.json()["username"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = app.settled_emails_to("bob@example.org").await.len();
    comment(&ann, &t, &format!("@{bob_u} and you?"), None).await;
    comment(&bob, &t, "Tuesdays suit me.", None).await;
    assert_eq!(app.settled_emails_to("bob@example.org").await.len(), before + 1);

    // Someone who left the group hears nothing more.
    let bob_key = bob.get("/api/v1/me").await.json()["key"].as_str().unwrap().to_owned();
    assert_eq!(
        ann.post_form(&format!("/g/{g}/members/{bob_key}/remove"), &[])
            .await
            .status,
        303
    );
    let before = count("new_comment").await;
    comment(&ann, &t, "Rota done.", None).await;
    assert_eq!(count("new_comment").await, before);
}

/// A comment's followers are emailed together (one statement for all of them): each one who may
/// still read the thread gets exactly one email with an unsubscribe link of their own; a follower
/// who left, was deactivated or lost guest access gets none.
async fn a_comment_emails_each_follower_who_may_read_it_once(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let cy = app.signed_in_user("Cy", "cy@example.org", PASSWORD).await;
    let dee = app.signed_in_user("Dee", "dee@example.org", PASSWORD).await;
    let eve = app.signed_in_user("Eve", "eve@example.org", PASSWORD).await;
    let fay = app.signed_in_user("Fay", "fay@example.org", PASSWORD).await;
    let g = create(&ann, "Orchard", "closed", "approval").await;
    for member in [&bob, &cy, &dee, &fay] {
        add_member(app, &g, member, Role::Member).await;
    }
    let t = start(&ann, &g, "Pruning day", "", "").await;
    let res = ann
        .post_form(&format!("/t/{t}/guests"), &[("emails", "eve@example.org")])
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let invite = app.last_email_to("eve@example.org").await.link("/guest/");
    assert_eq!(eve.post_form(&invite, &[]).await.status, 303);
    for follower in [&bob, &cy, &dee, &eve, &fay] {
        let res = follower
            .post_json(&format!("/api/v1/threads/{t}/volume"), &json!({"volume": "follow"}))
            .await;
        assert_eq!(res.status, 204);
    }
    let dee_key = dee.get("/api/v1/me").await.json()["key"].as_str().unwrap().to_owned();
    assert_eq!(
        ann.post_form(&format!("/g/{g}/members/{dee_key}/remove"), &[])
            .await
            .status,
        303
    );
    assert_eq!(
        fay.post_form("/profile/deactivate", &[("current_password", PASSWORD)])
            .await
            .status,
        303
    );
    let new_comments_to = |to: &'static str| async move {
        app.settled_emails_to(to)
            .await
            .into_iter()
            .filter(|m| m.subject.contains("commented on"))
            .collect::<Vec<_>>()
    };

    comment(&ann, &t, "The ladders are in the shed.", None).await;
    let (to_bob, to_cy, to_eve) = (
        new_comments_to("bob@example.org").await,
        new_comments_to("cy@example.org").await,
        new_comments_to("eve@example.org").await,
    );
    assert_eq!((to_bob.len(), to_cy.len(), to_eve.len()), (1, 1, 1), "one each");
    assert!(to_eve[0].text.contains("The ladders are in the shed."));
    assert!(new_comments_to("dee@example.org").await.is_empty(), "left the group");
    assert!(new_comments_to("fay@example.org").await.is_empty(), "deactivated");
    let links: std::collections::HashSet<String> = [&to_bob, &to_cy, &to_eve]
        .iter()
        .map(|m| m[0].link("/unsubscribe/"))
        .collect();
    assert_eq!(links.len(), 3, "an unsubscribe link each");

    // Each link unsubscribes its own recipient and no one else; a guest whose access ended hears
    // nothing more.
    assert!(cy.post_form(&to_cy[0].link("/unsubscribe/"), &[]).await.status < 400);
    let eve_key = eve.get("/api/v1/me").await.json()["key"].as_str().unwrap().to_owned();
    assert_eq!(
        ann.post_form(&format!("/t/{t}/guests/{eve_key}/remove"), &[])
            .await
            .status,
        303
    );
    comment(&ann, &t, "Bring gloves.", None).await;
    assert_eq!(new_comments_to("bob@example.org").await.len(), 2);
    assert_eq!(new_comments_to("cy@example.org").await.len(), 1, "Cy unsubscribed");
    assert_eq!(new_comments_to("eve@example.org").await.len(), 1, "no longer a guest");
}

/// The dashboard merges the groups' latest threads: twenty, by latest activity, muted ones left
/// out. The quiet group's threads must surface between the busy group's, and muting the busy
/// group's latest threads must bring older ones in (the per-group bound counts unmuted threads).
async fn the_dashboard_lists_the_latest_unmuted_threads_of_all_my_groups(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let busy = create(&ann, "Busy", "closed", "approval").await;
    let quiet = create(&ann, "Quiet", "closed", "approval").await;
    let mut keys = std::collections::HashMap::new();
    for i in 1..=25 {
        let title = format!("Busy topic {i:02}");
        keys.insert(title.clone(), start(&ann, &busy, &title, "", "").await);
        if i == 10 {
            start(&ann, &quiet, "Quiet topic 1", "", "").await;
        }
    }
    start(&ann, &quiet, "Quiet topic 2", "", "").await;
    for i in [23, 24, 25] {
        let t = &keys[&format!("Busy topic {i}")];
        let res = ann
            .post_json(&format!("/api/v1/threads/{t}/volume"), &json!({"volume": "mute"}))
            .await;
        assert_eq!(res.status, 204);
    }
    comment(&ann, &keys["Busy topic 01"], "Still open?", None).await;

    let page = ann.get("/").await.body;
    let mut listed: Vec<(usize, String)> = (1..=25)
        .map(|i| format!("Busy topic {i:02}"))
        .chain(["Quiet topic 1".to_owned(), "Quiet topic 2".to_owned()])
        .filter_map(|title| page.find(&format!(">{title}<")).map(|at| (at, title)))
        .collect();
    listed.sort();
    let listed: Vec<String> = listed.into_iter().map(|(_, title)| title).collect();
    let mut expected = vec!["Busy topic 01".to_owned(), "Quiet topic 2".to_owned()];
    expected.extend((11..=22).rev().map(|i| format!("Busy topic {i:02}")));
    expected.push("Quiet topic 1".to_owned());
    expected.extend((6..=10).rev().map(|i| format!("Busy topic {i:02}")));
    assert_eq!(listed, expected);

    // It does not stop at 20: older activity is on the next page, which says where it is.
    assert!(
        page.contains("(1–20)") && page.contains("href=\"/?page=1#activity-heading\" rel=\"next\""),
        "{page}"
    );
    let older = ann.get("/?page=1").await.body;
    let titles: Vec<String> = (1..=5)
        .map(|i| format!("Busy topic {i:02}"))
        .filter(|title| older.contains(&format!(">{title}<")))
        .collect();
    assert_eq!(
        titles,
        ["Busy topic 02", "Busy topic 03", "Busy topic 04", "Busy topic 05"]
    );
    assert!(
        older.contains("(21–24)") && older.contains("rel=\"prev\"") && !older.contains("rel=\"next\""),
        "{older}"
    );
    assert_eq!(
        ann.get("/?page=99999").await.status,
        200,
        "a page beyond is the last one offered"
    );
}

/// The API offers every action the page offers, decided by the same rule: the permission names
/// of a thread and its comments for a coordinator, a member, a guest and a visitor; and the shape
/// of a thread page as a snapshot (timestamps and keys redacted).
async fn the_api_says_what_each_viewer_may_do(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let g = create(&ann, "Garden", "open", "anyone").await;
    add_member(app, &g, &bob, Role::Member).await;
    let t = start(&ann, &g, "Watering rota", "Who waters **when**?", "").await;
    comment(&ann, &t, "I take Mondays.", None).await;
    let visitor = app.client();
    let names = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap().to_owned())
            .collect()
    };
    #[rustfmt::skip]
    let table: [(&str, &Client, &[&str], &[&str]); 3] = [
        ("coordinator", &ann, &["comment", "edit", "pin", "close", "delete", "move", "add_guests", "remove_guests", "raise_poll"], &["edit", "delete", "react"]),
        ("member", &bob, &["comment", "edit", "add_guests", "raise_poll"], &["react"]),
        ("visitor", &visitor, &[], &[]),
    ];
    for (who, client, thread_may, comment_may) in table {
        let res = client.get(&format!("/api/v1/threads/{t}")).await;
        assert_eq!(res.status, 200, "{who}: {}", res.body);
        let body = res.json();
        assert_eq!(names(&body["permissions"]), *thread_may, "{who}: thread");
        assert_eq!(
            names(&body["comments"][0]["permissions"]),
            *comment_may,
            "{who}: comment"
        );
    }
    // What the list says is denied, is denied.
    let guests = ann.get(&format!("/api/v1/threads/{t}/guests")).await;
    assert_eq!(guests.status, 200, "{}", guests.body);
    let res = bob
        .request_json(
            reqwest::Method::DELETE,
            &format!("/api/v1/threads/{t}/guests/nobody"),
            None,
        )
        .await;
    assert_eq!(res.status, 403, "a member may not remove guests: {}", res.body);

    let page = bob.get(&format!("/api/v1/threads/{t}")).await.json();
    insta::assert_snapshot!("thread_page_as_member", redacted_json(&page));
}

/// Issue 22.1: the timeline is one numbered sequence of comments and events — a poll raised, a
/// vote, the thread edited, closed, reopened, moved — on the page and in the API alike.
async fn what_happens_to_a_thread_is_in_its_timeline(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let from = create(&ann, "Old home", "closed", "approval").await;
    let to = create(&ann, "New home", "closed", "approval").await;
    let t = start(&ann, &from, "Moving on", "First draft", "").await;
    comment(&ann, &t, "One", None).await;
    let res = ann
        .request_json(
            reqwest::Method::PATCH,
            &format!("/api/v1/threads/{t}"),
            Some(&json!({"title": "Moving on", "context": "Second draft"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let poll = crate::polls::raise(&ann, &t, json!({"template": "proposal", "title": "Go?"})).await;
    assert_eq!(ann.post_form(&format!("/t/{t}/close"), &[]).await.status, 303);
    assert_eq!(
        ann.post_form(&format!("/t/{t}/close"), &[]).await.status,
        303,
        "closing a closed thread"
    );
    assert_eq!(ann.post_form(&format!("/t/{t}/reopen"), &[]).await.status, 303);
    assert_eq!(
        ann.post_form(&format!("/t/{t}/move"), &[("group", &to)]).await.status,
        303
    );
    comment(&ann, &t, "Two", None).await;

    let page = ann.get(&format!("/api/v1/threads/{t}")).await.json();
    let mut items: Vec<(i64, String)> = page["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["seq"].as_i64().unwrap(),
                format!("comment {}", c["body"].as_str().unwrap()),
            )
        })
        .chain(
            page["events"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| (e["seq"].as_i64().unwrap(), e["kind"].as_str().unwrap().to_owned())),
        )
        .collect();
    items.sort();
    let seqs: Vec<i64> = items.iter().map(|(s, _)| *s).collect();
    assert_eq!(seqs, (1..=7).collect::<Vec<_>>(), "one sequence, no gaps: {items:?}");
    let kinds: Vec<&str> = items.iter().map(|(_, k)| k.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "comment One",
            "thread_edited",
            "poll_raised",
            "thread_closed",
            "thread_reopened",
            "thread_moved",
            "comment Two"
        ],
        "a second close is no event"
    );
    assert_eq!(page["last_seq"], 7);
    // Its poll moved with it: it belongs to the new group (its voters, its emails, its deletion).
    let key = poll["key"].as_str().unwrap();
    assert_eq!(
        ann.get(&format!("/api/v1/polls/{key}")).await.json()["group_key"],
        to.as_str()
    );
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    add_member(app, &from, &bob, Role::Member).await;
    let voters = ann.get(&format!("/p/{key}")).await.body;
    assert!(
        voters.contains("Not voted yet: 1") && !voters.contains(">Bob<") && !voters.contains("Bob,"),
        "a member of the old group is not among its voters: {voters}"
    );
    let html = ann.get(&format!("/t/{t}")).await.body;
    for said in [
        "Ann edited the thread",
        "Ann raised",
        "Ann closed the thread",
        "Ann reopened the thread",
        "Ann moved the thread into this group",
    ] {
        assert!(html.contains(said), "{said:?} on the page");
    }
}

/// Deleting a comment can be undone by whoever deleted it, for `UNDO_DELETE`; meanwhile nobody
/// reads its text anywhere; then its text and history are erased by its job, or by the purge if
/// the job is gone. A comment deleted again after coming back is erased on its new time.
async fn a_deleted_comment_can_be_brought_back_for_a_short_while_then_it_is_erased(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let g = create(&ann, "Garden", "closed", "approval").await;
    add_member(app, &g, &bob, Role::Member).await;
    let t = start(&ann, &g, "Compost", "", "").await;
    comment(&ann, &t, "First things first.", None).await;
    comment(&bob, &t, "Turn it **weekly**.", None).await;
    let id = comments_of(&bob, &t, 1).await[1]["id"].as_i64().unwrap();
    let res = bob
        .request_json(
            reqwest::Method::PATCH,
            &format!("/api/v1/threads/{t}/comments/{id}"),
            Some(&json!({"body": "Turn it **every week**."})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(
        bob.post_json(
            &format!("/api/v1/threads/{t}/comments/{id}/reactions"),
            &json!({"reaction": "heart"})
        )
        .await
        .status,
        200
    );
    let count = |c: Client| {
        let t = t.clone();
        async move { c.get(&format!("/api/v1/threads/{t}")).await.json()["comment_count"].clone() }
    };
    assert_eq!(count(ann.clone_cookies()).await, 2);

    // Bob deletes it with the form: he sees where it was, with Undo; Ann sees nothing of it.
    let res = bob.post_form(&format!("/t/{t}/comments/{id}/delete"), &[]).await;
    assert_eq!(res.location(), format!("/t/{t}?from=2&notice=comment_deleted#c2"));
    let page = bob.get(&res.location()).await.body;
    assert!(page.contains("For two minutes you can bring it back"), "{page}");
    assert!(
        page.contains(&format!("action=\"/t/{t}/comments/{id}/restore\"")),
        "{page}"
    );
    assert!(!page.contains("every week"), "{page}");
    let page = ann.get(&format!("/t/{t}")).await.body;
    assert!(!page.contains("every week") && !page.contains("Comment deleted.") && !page.contains("/restore\""));
    assert_eq!(count(ann.clone_cookies()).await, 1);
    assert_eq!(ann.get(&format!("/t/{t}/items/2")).await.status, 404, "gone for others");
    let item = bob.get(&format!("/t/{t}/items/2")).await;
    assert!(item.status == 200 && item.body.contains("Undo"), "{}", item.body);
    let theirs = comments_of(&bob, &t, 1).await;
    assert_eq!(theirs.len(), 2);
    assert_eq!(theirs[1]["deleted"], true);
    assert_eq!(theirs[1]["body"], "", "no text while deleted, even for its author");
    assert_eq!(theirs[1]["permissions"], json!(["restore"]));
    assert_eq!(comments_of(&ann, &t, 1).await.len(), 1);
    assert_eq!(bob.get(&format!("/t/{t}/comments/{id}/history")).await.status, 404);
    // Nobody answers a deleted comment, and only its deleter brings it back.
    let res = ann
        .post_form(
            &format!("/t/{t}/comments"),
            &[("body", "Too late?"), ("parent", &id.to_string())],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("not in this thread any more"), "{}", res.body);
    assert_eq!(
        ann.post_json(&format!("/api/v1/threads/{t}/comments/{id}/restore"), &json!({}))
            .await
            .status,
        403
    );

    // Undo: it is back as it was, with its history and reaction.
    let res = bob.post_form(&format!("/t/{t}/comments/{id}/restore"), &[]).await;
    assert_eq!(res.location(), format!("/t/{t}?from=2&notice=comment_restored#c2"));
    let page = ann.get(&format!("/t/{t}")).await.body;
    assert!(
        page.contains("<strong>every week</strong>") && page.contains("❤"),
        "{page}"
    );
    assert_eq!(count(ann.clone_cookies()).await, 2);
    assert!(
        ann.get(&format!("/t/{t}/comments/{id}/history"))
            .await
            .body
            .contains("weekly")
    );

    // A coordinator's deletion is hers to undo, not the author's.
    let res = ann
        .request_json(
            reqwest::Method::DELETE,
            &format!("/api/v1/threads/{t}/comments/{id}"),
            None,
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["seq"], 2);
    assert!(res.json()["restorable_until"].is_string());
    assert_eq!(
        bob.post_form(&format!("/t/{t}/comments/{id}/restore"), &[])
            .await
            .status,
        403
    );
    assert!(!bob.get(&format!("/t/{t}")).await.body.contains("/restore\""));
    assert_eq!(
        ann.post_json(&format!("/api/v1/threads/{t}/comments/{id}/restore"), &json!({}))
            .await
            .status,
        200
    );

    // Deleted, brought back, deleted again a minute later: the first erasure time passes and
    // nothing is erased; the second erases it (no replies: the row goes, with its history).
    assert_eq!(
        bob.post_form(&format!("/t/{t}/comments/{id}/delete"), &[]).await.status,
        303
    );
    app.app.clock.advance(weft_domain::Duration::seconds(60));
    assert_eq!(
        bob.post_form(&format!("/t/{t}/comments/{id}/restore"), &[])
            .await
            .status,
        303
    );
    assert_eq!(
        bob.post_form(&format!("/t/{t}/comments/{id}/delete"), &[]).await.status,
        303
    );
    app.app.clock.advance(weft_domain::Duration::seconds(90));
    app.settle_jobs().await;
    let held = || async {
        (
            app.count_where("SELECT COUNT(*) FROM comments WHERE id = $1", id).await,
            app.count_where("SELECT COUNT(*) FROM revisions WHERE comment_id = $1", id)
                .await,
        )
    };
    assert_eq!(held().await, (1, 1), "kept for its second undo time");
    app.app.clock.advance(weft_domain::Duration::seconds(60));
    app.settle_jobs().await;
    assert_eq!(held().await, (0, 0), "erased with its history");
    assert_eq!(
        bob.post_form(&format!("/t/{t}/comments/{id}/restore"), &[])
            .await
            .status,
        404
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM reactions").await, 0);

    // A comment whose erasure job is gone (given up) is erased by the next purge.
    comment(&bob, &t, "Another thought.", None).await;
    let other = comments_of(&bob, &t, 1).await[1]["id"].as_i64().unwrap();
    assert_eq!(
        bob.post_form(&format!("/t/{t}/comments/{other}/delete"), &[])
            .await
            .status,
        303
    );
    {
        let mut conn = app.db_conn().await;
        weft_store::query("DELETE FROM jobs WHERE kind = 'comment_erasure'")
            .execute(&mut conn)
            .await
            .unwrap();
    }
    app.app.clock.advance(weft_domain::Duration::minutes(3));
    let purged = app.app.purge_expired().await.expect("a purge");
    assert_eq!(purged.comments, 1);
    assert_eq!(
        app.count_where("SELECT COUNT(*) FROM comments WHERE id = $1", other)
            .await,
        0
    );
}

/// Preview (the API, and each form's Preview button without JavaScript) renders with the
/// posting sanitiser and saves nothing; a form posted by the page's script gets the redirect's
/// target as JSON and is checked as any other post; a reply form quotes plain text.
async fn writing_previews_and_posts_in_place_through_the_forms_that_work_without_javascript(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let g = create(&ann, "Garden", "closed", "approval").await;
    let t = start(&ann, &g, "Beds", "", "").await;

    // The API preview: the sanitised HTML, for people signed in, bounded like a context.
    let res = ann
        .post_json(
            "/api/v1/preview",
            &json!({"markdown": "**Peas** <script>alert(1)</script> https://example.org"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let html = res.json()["html"].as_str().unwrap().to_owned();
    assert!(
        html.contains("<strong>Peas</strong>") && !html.contains("<script"),
        "{html}"
    );
    assert!(
        html.contains("href=\"https://example.org\""),
        "bare addresses become links: {html}"
    );
    assert_eq!(
        Client::new(&app.base)
            .post_json("/api/v1/preview", &json!({"markdown": "x"}))
            .await
            .status,
        401
    );
    let res = ann
        .post_json("/api/v1/preview", &json!({"markdown": "x".repeat(50_001)}))
        .await;
    assert_eq!(res.status, 422);
    assert!(res.json()["errors"]["markdown"].is_array(), "{}", res.body);

    // Preview without JavaScript: the page again with the preview and the text; nothing posted.
    let res = ann
        .post_form(
            &format!("/t/{t}/comments"),
            &[("body", "Sow **peas** first"), ("preview", "1")],
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(res.body.contains("not posted yet") && res.body.contains("Sow <strong>peas</strong> first"));
    assert!(
        res.body.contains(">Sow **peas** first</textarea>"),
        "what was typed stays in the box"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM comments").await, 0);
    let res = ann
        .post_form(
            &format!("/g/{g}/threads"),
            &[("title", "Sheds"), ("context", "_Two_ sheds"), ("preview", "1")],
        )
        .await;
    assert_eq!(res.status, 200);
    assert!(res.body.contains("<em>Two</em> sheds") && res.body.contains("value=\"Sheds\""));
    assert_eq!(app.count("SELECT COUNT(*) FROM threads").await, 1);
    let res = ann
        .post_form(
            &format!("/t/{t}/edit"),
            &[("title", "Beds"), ("context", "_Raised_ beds"), ("preview", "1")],
        )
        .await;
    assert!(res.status == 200 && res.body.contains("<em>Raised</em> beds"));
    assert_eq!(app.count("SELECT COUNT(*) FROM revisions").await, 0, "not saved");

    // Posted by the page's script: the redirect's target as JSON; refusals answer as the page.
    let res = ann
        .post_form_inline(
            &format!("/t/{t}/comments"),
            &[("body", "**Peas** and [beans](https://example.org/beans)")],
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.json()["location"], format!("/t/{t}?from=1#c1"));
    let res = ann
        .post_form_inline(&format!("/t/{t}/comments"), &[("body", " ")])
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("Write something first"), "{}", res.body);
    let res = ann
        .send(
            ann.post_form_raw(&format!("/t/{t}/comments"), &[("body", "no token")])
                .await
                .header("x-weft-inline", "1"),
        )
        .await;
    assert_eq!(res.status, 403, "the header does not stand in for the CSRF check");
    assert_eq!(app.count("SELECT COUNT(*) FROM comments").await, 1);

    // The edit form previews in place of saving; the reply form quotes what the comment says.
    let id = comments_of(&ann, &t, 1).await[0]["id"].as_i64().unwrap();
    let res = ann
        .post_form(
            &format!("/t/{t}/comments/{id}/edit"),
            &[("body", "~~Peas~~ beans"), ("preview", "1")],
        )
        .await;
    assert!(
        res.status == 200 && res.body.contains("<del>Peas</del> beans"),
        "{}",
        res.body
    );
    assert!(comments_of(&ann, &t, 1).await[0]["edited_at"].is_null());
    let page = ann.get(&format!("/t/{t}?reply_to={id}")).await.body;
    assert!(page.contains("“Peas and beans”"), "plain text, not markdown: {page}");
    let res = ann.post_form_inline(&format!("/t/{t}/comments/{id}/delete"), &[]).await;
    assert_eq!(
        res.json()["location"],
        format!("/t/{t}?from=1&notice=comment_deleted#c1")
    );
}
