//! Groups over HTTP: the permission table exercised route by route, validation, joining,
//! requests, roles, the last-coordinator rule, emails only for coordinators (P6), deletion (P11).

use reqwest::Method;
use serde_json::json;
use weft_domain::permissions::{Action, Actor, Decision, Role, can};

use crate::helpers::{Client, TestApp, redacted_json};
use crate::on_both;

const PASSWORD: &str = "correct horse battery staple";

on_both!(
    every_denial_answers_over_http_as_the_permission_rule_says,
    bad_group_input_is_explained_and_nothing_is_stored,
    joining_asking_approving_and_leaving,
    the_last_coordinator_cannot_leave_or_be_demoted,
    member_emails_are_shown_only_to_coordinators,
    deleting_a_group_deletes_its_data,
    subgroups_follow_their_parent,
    a_secret_parent_is_not_revealed_by_its_subgroups,
    member_counts_stay_true_through_every_change,
    an_unknown_stored_role_or_account_state_fails_closed,
    the_group_api_answers_in_its_documented_shapes,
    a_new_group_says_what_to_do_next_and_keeps_destructive_actions_apart,
);

pub(crate) async fn create(c: &Client, name: &str, privacy: &str, join_policy: &str) -> String {
    let res = c
        .post_json(
            "/api/v1/groups",
            &json!({"name": name, "privacy": privacy, "join_policy": join_policy, "description": "About us"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    res.json()["key"].as_str().unwrap().to_owned()
}

pub(crate) async fn user_key(c: &Client) -> String {
    c.get("/api/v1/me").await.json()["key"].as_str().unwrap().to_owned()
}

/// Creates a subgroup as `c` (the body names its `parent_key`) and returns its key.
pub(crate) async fn create_subgroup(c: &Client, body: serde_json::Value) -> String {
    let res = c.post_json("/api/v1/groups", &body).await;
    assert_eq!(res.status, 201, "{}", res.body);
    res.json()["key"].as_str().unwrap().to_owned()
}

/// Adds a member directly through the store: set-up is not what these tests examine (invitations
/// have their own scenarios in `invitations.rs`).
pub(crate) async fn add_member(app: &TestApp, group_key: &str, member: &Client, role: Role) {
    let mut conn = app.db_conn().await;
    let group = weft_store::groups::find_by_key(&mut conn, group_key)
        .await
        .unwrap()
        .unwrap();
    let user = weft_store::users::find_by_key(&mut conn, &user_key(member).await)
        .await
        .unwrap()
        .unwrap();
    weft_store::groups::add_member(&mut conn, group.id, user.id, role, None, app.app.clock.now())
        .await
        .unwrap();
}

/// What a page route answers for a decision: 404 hides, 403 refuses, anonymous goes to log in.
fn expected_status(decision: Decision, read: bool) -> u16 {
    match decision {
        Decision::Allow => {
            if read {
                200
            } else {
                303
            }
        }
        Decision::Hidden => 404,
        Decision::Forbidden => 403,
        Decision::LogIn => 303,
    }
}

async fn every_denial_answers_over_http_as_the_permission_rule_says(app: &TestApp) {
    let admin = app.signed_in_user("Admin", "admin@example.org", PASSWORD).await;
    let member = app.signed_in_user("Member", "member@example.org", PASSWORD).await;
    let outsider = app.signed_in_user("Outsider", "outsider@example.org", PASSWORD).await;
    let anonymous = app.client();
    let staff = app.client();
    let link = app.app.create_admin("staff@example.org", Some("Staff")).await.unwrap();
    staff.post_form(link.trim_start_matches(&app.base), &[]).await;
    assert!(staff.is_signed_in().await);

    let groups = [
        ("open", create(&admin, "Open Garden", "open", "anyone").await),
        (
            "open-approval",
            create(&admin, "Open Approval", "open", "approval").await,
        ),
        ("closed", create(&admin, "Closed Circle", "closed", "approval").await),
        ("secret", create(&admin, "Secret Society", "secret", "invitation").await),
    ];
    for (_, key) in &groups {
        add_member(app, key, &member, Role::Member).await;
    }
    // Subgroup variants: secret subgroups of the closed group, one shown to the parent's members.
    // The member belongs to the parent only; the admin created them and coordinates both.
    let mut subgroups = Vec::new();
    for (name, shown) in [("secret-sub-shown", true), ("secret-sub-hidden", false)] {
        subgroups.push((
            name,
            create_subgroup(
                &admin,
                json!({"name": name, "privacy": "secret", "parent_key": groups[2].1,
                        "visible_to_parent_members": shown}),
            )
            .await,
        ));
    }
    // Open and closed subgroups of the secret group: hidden from everyone outside the parent.
    for (name, privacy, policy) in [
        ("open-sub-of-secret", "open", "anyone"),
        ("closed-sub-of-secret", "closed", "approval"),
    ] {
        subgroups.push((
            name,
            create_subgroup(
                &admin,
                json!({"name": name, "privacy": privacy, "join_policy": policy, "parent_key": groups[3].1}),
            )
            .await,
        ));
    }
    let groups: Vec<(&str, String)> = groups.into_iter().chain(subgroups).collect();
    let actors: [(&str, &Client, Actor); 5] = [
        ("anonymous", &anonymous, Actor::ANONYMOUS),
        (
            "outsider",
            &outsider,
            Actor {
                signed_in: true,
                ..Actor::ANONYMOUS
            },
        ),
        (
            "member",
            &member,
            Actor {
                signed_in: true,
                role: Some(Role::Member),
                ..Actor::ANONYMOUS
            },
        ),
        (
            "admin",
            &admin,
            Actor {
                signed_in: true,
                role: Some(Role::Admin),
                ..Actor::ANONYMOUS
            },
        ),
        (
            "staff",
            &staff,
            Actor {
                signed_in: true,
                instance_admin: true,
                ..Actor::ANONYMOUS
            },
        ),
    ];
    let mut checked = 0;
    for (gname, key) in &groups {
        let view = app.app.group_for(None, key, Action::SeeGroup).await;
        let facts = {
            let mut conn = app.db_conn().await;
            weft_app::groups::facts(&weft_store::groups::find_by_key(&mut conn, key).await.unwrap().unwrap())
        };
        drop(view);
        for (aname, client, actor) in &actors {
            let ctx = format!("{aname} × {gname}");
            // In a subgroup the member is only a member of the parent.
            let actor = &if gname.contains("sub") {
                match *aname {
                    "member" => Actor {
                        role: None,
                        parent_role: Some(Role::Member),
                        ..*actor
                    },
                    "admin" => Actor {
                        parent_role: Some(Role::Admin),
                        ..*actor
                    },
                    _ => *actor,
                }
            } else {
                *actor
            };
            // Reads: every outcome, allowed or not.
            for (action, path) in [
                (Action::SeeGroup, format!("/g/{key}")),
                (Action::SeeMembers, format!("/g/{key}/members")),
                (Action::ChangeSettings, format!("/g/{key}/settings")),
                (Action::ManageMembers, format!("/g/{key}/requests")),
                (Action::Delete, format!("/g/{key}/delete")),
                (Action::CreateSubgroup, format!("/g/{key}/subgroups/new")),
                (Action::Invite, format!("/g/{key}/invite")),
            ] {
                let want = expected_status(can(actor, action, &facts), true);
                let res = client.get(&path).await;
                assert_eq!(res.status, want, "{ctx} GET {path} ({action:?})");
                if want == 303 {
                    assert!(res.location().starts_with("/login"), "{ctx} {path}: {}", res.location());
                }
                if want == 404 {
                    assert!(!res.body.contains("Secret Society"), "{ctx}: a 404 leaks nothing");
                }
                checked += 1;
            }
            let api = client.get(&format!("/api/v1/groups/{key}")).await;
            assert_eq!(
                api.status,
                if can(actor, Action::SeeGroup, &facts) == Decision::Hidden {
                    404
                } else {
                    200
                },
                "{ctx} API"
            );
            // Writes: only denials are exercised here (allowed ones change state; see the scenarios).
            for (action, path) in [
                (Action::Join, format!("/g/{key}/join")),
                (Action::RequestToJoin, format!("/g/{key}/request")),
                (Action::Leave, format!("/g/{key}/leave")),
                (Action::ChangeSettings, format!("/g/{key}/settings")),
                (Action::ManageMembers, format!("/g/{key}/requests/1/approve")),
                (Action::Delete, format!("/g/{key}/delete")),
                (Action::Invite, format!("/g/{key}/invite")),
                (Action::Invite, format!("/g/{key}/invite-link/create")),
                (Action::ManageMembers, format!("/g/{key}/invite-link/reset")),
                (Action::ManageMembers, format!("/g/{key}/invitations/1/revoke")),
            ] {
                let decision = can(actor, action, &facts);
                if decision.allowed() {
                    continue;
                }
                let res = client
                    .post_form(&path, &[("name", "Hijacked"), ("privacy", "open")])
                    .await;
                assert_eq!(
                    res.status,
                    expected_status(decision, false),
                    "{ctx} POST {path} ({action:?})"
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 250, "{checked} HTTP cases");
    eprintln!("permission cases checked over HTTP: {checked}");
    // Nothing was changed by any refused request.
    let open = admin.get(&format!("/api/v1/groups/{}", groups[0].1)).await.json();
    assert_eq!(open["name"], "Open Garden");
    assert_eq!(app.count("SELECT COUNT(*) FROM groups").await, 8);
    assert_eq!(app.count("SELECT COUNT(*) FROM memberships").await, 12);
}

async fn bad_group_input_is_explained_and_nothing_is_stored(app: &TestApp) {
    let c = app.signed_in_user("Gina", "gina@example.org", PASSWORD).await;
    let res = c.post_form("/groups", &[("name", ""), ("privacy", "")]).await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("Give the group a name") && res.body.contains("Choose open, closed or secret"));
    let long = "n".repeat(10_000);
    let res = c.post_form("/groups", &[("name", &long), ("privacy", "closed")]).await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("at most 250 characters"));
    let res = c
        .post_json(
            "/api/v1/groups",
            &json!({"name": "Hidden", "privacy": "secret", "join_policy": "anyone"}),
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.json()["errors"]["join_policy"].is_array());
    let res = c
        .post_json(
            "/api/v1/groups",
            &json!({"name": "Closed", "privacy": "closed", "thread_privacy": "public_only"}),
        )
        .await;
    assert_eq!(
        res.json()["errors"]["thread_privacy"][0],
        "Only an open group can hold public threads."
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM groups").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM memberships").await, 0);

    let res = c
        .post_form(
            "/groups",
            &[
                ("name", "Garden <script>alert(1)</script>"),
                ("handle", "garden"),
                ("privacy", "open"),
                ("description", "<script>alert(2)</script>"),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    let page = c.get(&res.location()).await.body;
    assert!(!page.contains("<script>alert"), "escaped");
    assert!(page.contains("alert(2)"), "shown as text");
    let res = c
        .post_form(
            "/groups",
            &[("name", "Garden two"), ("handle", "Garden"), ("privacy", "open")],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("This handle is taken"));
    assert!(res.body.contains("value=\"Garden two\""), "what was typed is kept");
    assert_eq!(app.count("SELECT COUNT(*) FROM groups").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM memberships").await, 1);
}

async fn joining_asking_approving_and_leaving(app: &TestApp) {
    let admin = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let open = create(&admin, "Open", "open", "anyone").await;
    let closed = create(&admin, "Closed", "closed", "approval").await;

    let res = bob.post_form(&format!("/g/{open}/join"), &[]).await;
    assert_eq!(res.status, 303);
    assert!(bob.get(&format!("/g/{open}")).await.body.contains("you are a member"));
    assert_eq!(
        bob.post_form(&format!("/g/{open}/join"), &[]).await.status,
        403,
        "already a member"
    );

    assert_eq!(
        bob.post_form(&format!("/g/{closed}/join"), &[]).await.status,
        403,
        "closed groups need approval"
    );
    let res = bob
        .post_form(&format!("/g/{closed}/request"), &[("introduction", "I grow tomatoes")])
        .await;
    assert_eq!(res.status, 303);
    bob.post_form(&format!("/g/{closed}/request"), &[("introduction", "again")])
        .await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM membership_requests").await,
        1,
        "one pending request per person"
    );
    assert!(
        bob.get(&format!("/g/{closed}"))
            .await
            .body
            .contains("waiting for a coordinator")
    );
    assert_eq!(bob.get(&format!("/g/{closed}/members")).await.status, 403);

    let requests = admin.get(&format!("/g/{closed}/requests")).await.body;
    assert!(requests.contains("Bob") && requests.contains("I grow tomatoes"));
    let mut conn = app.db_conn().await;
    let id: i64 = weft_store::query("SELECT id FROM membership_requests")
        .fetch_scalar(&mut conn)
        .await
        .unwrap();
    drop(conn);
    let res = admin
        .post_form(&format!("/g/{closed}/requests/{id}/approve"), &[])
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(bob.get(&format!("/g/{closed}/members")).await.status, 200);
    assert_eq!(
        admin
            .post_form(&format!("/g/{closed}/requests/{id}/approve"), &[])
            .await
            .status,
        404,
        "answered once"
    );

    let dashboard = bob.get("/").await.body;
    assert!(dashboard.contains("Open") && dashboard.contains("Closed"));
    assert_eq!(bob.post_form(&format!("/g/{closed}/leave"), &[]).await.status, 303);
    assert_eq!(bob.get(&format!("/g/{closed}/members")).await.status, 403);
    let mine = bob.get("/api/v1/groups").await.json();
    assert_eq!(mine["groups"].as_array().unwrap().len(), 1);
}

async fn the_last_coordinator_cannot_leave_or_be_demoted(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let g = create(&ann, "Team", "closed", "approval").await;
    let ann_key = user_key(&ann).await;
    let bob_key = user_key(&bob).await;
    let res = ann.post_form(&format!("/g/{g}/leave"), &[]).await;
    assert_eq!(res.location(), format!("/g/{g}?notice=last_admin"));
    let res = ann.post_form(&format!("/g/{g}/members/{ann_key}/demote"), &[]).await;
    assert!(res.location().ends_with("notice=last_admin"));
    let api = ann
        .request_json(Method::POST, &format!("/api/v1/groups/{g}/leave"), None)
        .await;
    assert_eq!(api.status, 422);
    assert!(
        api.json()["errors"]["membership"][0]
            .as_str()
            .unwrap()
            .contains("needs a coordinator")
    );

    add_member(app, &g, &bob, Role::Member).await;
    assert_eq!(
        bob.post_form(&format!("/g/{g}/members/{ann_key}/demote"), &[])
            .await
            .status,
        403,
        "members cannot manage"
    );
    ann.post_form(&format!("/g/{g}/members/{bob_key}/promote"), &[]).await;
    let list = ann.get(&format!("/g/{g}/members")).await.body;
    assert!(list.matches("Coordinator").count() >= 2);
    // Where the page is, and each member's initials on their own colour.
    assert!(list.contains("Members 1–2 of 2"), "{list}");
    for (name, username) in [("Ann", ann.username().await), ("Bob", bob.username().await)] {
        let a = weft_domain::avatars::Avatar::of(name, &username);
        let drawn = format!(
            "<span class=\"avatar avatar-{}\" aria-hidden=\"true\">{}</span>{name}",
            a.hue, a.initials
        );
        assert!(list.contains(&drawn), "{drawn} in {list}");
    }
    assert_eq!(
        ann.post_form(&format!("/g/{g}/leave"), &[]).await.status,
        303,
        "another coordinator exists now"
    );
    let res = bob.post_form(&format!("/g/{g}/members/{bob_key}/demote"), &[]).await;
    assert!(res.location().ends_with("notice=last_admin"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM memberships WHERE role = 'admin'").await,
        1
    );
}

async fn member_emails_are_shown_only_to_coordinators(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let eve = app.signed_in_user("Eve", "eve@example.org", PASSWORD).await;
    let g = create(&ann, "Open house", "open", "anyone").await;
    add_member(app, &g, &bob, Role::Member).await;
    let anonymous = app.client();
    // P6: viewer × surface → does bob's address appear?
    for (viewer, client, sees) in [
        ("coordinator", &ann, true),
        ("member", &bob, false),
        ("outsider", &eve, false),
        ("anonymous", &anonymous, false),
    ] {
        let page = client.get(&format!("/g/{g}/members")).await;
        assert_eq!(page.status, 200, "{viewer}: open group members are public");
        assert_eq!(page.body.contains("bob@example.org"), sees, "{viewer}: members page");
        let api = client.get(&format!("/api/v1/groups/{g}/members")).await;
        assert_eq!(api.body.contains("bob@example.org"), sees, "{viewer}: members API");
        let group = client.get(&format!("/api/v1/groups/{g}")).await;
        assert!(!group.body.contains("@example.org"), "{viewer}: group API");
        assert!(
            page.body.contains("Bob") && page.body.contains("@bob"),
            "{viewer}: names and usernames are visible"
        );
    }
}

async fn deleting_a_group_deletes_its_data(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let g = create(&ann, "Doomed", "closed", "approval").await;
    let keep = create(&ann, "Kept", "closed", "approval").await;
    let sub = create_subgroup(
        &ann,
        json!({"name": "Doomed sub", "privacy": "closed", "parent_key": g}),
    )
    .await;
    add_member(app, &sub, &bob, Role::Member).await;
    bob.post_form(&format!("/g/{g}/request"), &[("introduction", "hi")])
        .await;
    let invited = ann
        .post_form(
            &format!("/g/{g}/invite"),
            &[("emails", "carol@example.org"), ("message", "")],
        )
        .await;
    assert_eq!(invited.status, 303, "{}", invited.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM invitations").await, 1);
    assert_eq!(bob.post_form(&format!("/g/{g}/delete"), &[]).await.status, 403);
    let t = ann
        .post_json(
            &format!("/api/v1/groups/{sub}/threads"),
            &json!({"title": "In the subgroup"}),
        )
        .await
        .json()["key"]
        .as_str()
        .unwrap()
        .to_owned();
    ann.post_json(&format!("/api/v1/threads/{t}/comments"), &json!({"body": "Soon gone"}))
        .await;
    let confirm = ann.get(&format!("/g/{g}/delete")).await;
    assert!(confirm.body.contains("cannot be undone"));
    // The dry run counts what goes, subgroups included.
    for line in [
        "1 subgroup<",
        "3 memberships<",
        "1 thread and 1 comment,",
        "1 pending invitation<",
    ] {
        assert!(confirm.body.contains(line), "{line} in {}", confirm.body);
    }
    let res = ann.post_form(&format!("/g/{g}/delete"), &[]).await;
    assert_eq!(res.status, 303);
    assert_eq!(ann.get(&format!("/g/{g}")).await.status, 404);
    assert_eq!(ann.get(&format!("/g/{sub}")).await.status, 404);
    // P11: no row refers to the group or its subgroup any more.
    assert_eq!(app.count("SELECT COUNT(*) FROM groups").await, 1);
    let kept_id = {
        let mut conn = app.db_conn().await;
        weft_store::groups::find_by_key(&mut conn, &keep)
            .await
            .unwrap()
            .unwrap()
            .id
    };
    assert_eq!(app.count("SELECT COUNT(*) FROM threads").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM comments").await, 0);
    for table in ["memberships", "membership_requests", "invitations"] {
        let mut conn = app.db_conn().await;
        let n: i64 = weft_store::query(format!("SELECT COUNT(*) FROM {table} WHERE group_id <> $1"))
            .bind(kept_id)
            .fetch_scalar(&mut conn)
            .await
            .unwrap();
        assert_eq!(n, 0, "{table} still refers to the deleted group");
    }
}

async fn subgroups_follow_their_parent(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let parent = create(&ann, "Parent", "closed", "approval").await;
    add_member(app, &parent, &bob, Role::Member).await;
    let hidden = create_subgroup(
        &ann,
        json!({"name": "Hidden sub", "privacy": "secret", "parent_key": parent}),
    )
    .await;
    let shown = create_subgroup(
        &ann,
        json!({"name": "Shown sub", "privacy": "secret", "parent_key": parent, "visible_to_parent_members": true}),
    )
    .await;
    assert_eq!(bob.get(&format!("/g/{hidden}")).await.status, 404);
    assert_eq!(bob.get(&format!("/g/{shown}")).await.status, 200);
    assert_eq!(
        bob.get(&format!("/g/{shown}/members")).await.status,
        403,
        "seeing a subgroup is not reading it"
    );
    let page = bob.get(&format!("/g/{parent}")).await.body;
    assert!(page.contains("Shown sub") && !page.contains("Hidden sub"));
    let res = bob
        .post_json(
            "/api/v1/groups",
            &json!({"name": "Not allowed", "privacy": "closed", "parent_key": parent}),
        )
        .await;
    assert_eq!(res.status, 403, "members cannot create subgroups by default");
    let res = ann
        .post_json(
            "/api/v1/groups",
            &json!({"name": "Too deep", "privacy": "closed", "parent_key": shown}),
        )
        .await;
    assert_eq!(res.status, 403, "one level of subgroups");
    // Leaving the parent leaves its subgroups too.
    add_member(app, &shown, &bob, Role::Member).await;
    bob.post_form(&format!("/g/{parent}/leave"), &[]).await;
    assert_eq!(bob.get(&format!("/g/{shown}")).await.status, 404);
}

/// Issue 19.4: an open or closed subgroup of a secret group named its parent to anyone (breadcrumb,
/// `parent_key`, Explore). Now the subgroup itself is visible to the parent's members at most, and
/// its own members who are not in the parent learn nothing of it.
async fn a_secret_parent_is_not_revealed_by_its_subgroups(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let sub_only = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let parent_member = app.signed_in_user("Cat", "cat@example.org", PASSWORD).await;
    let outsider = app.signed_in_user("Dan", "dan@example.org", PASSWORD).await;
    let anonymous = app.client();
    let parent = create(&ann, "Hush Parent", "secret", "invitation").await;
    add_member(app, &parent, &parent_member, Role::Member).await;
    let mut subs = Vec::new();
    for (name, privacy, policy) in [("Open Child", "open", "anyone"), ("Closed Child", "closed", "approval")] {
        let key = create_subgroup(
            &ann,
            json!({"name": name, "privacy": privacy, "join_policy": policy, "parent_key": parent,
                   "listed_in_explore": true}),
        )
        .await;
        add_member(app, &key, &sub_only, Role::Member).await;
        subs.push((name, key));
    }
    for (name, sub) in &subs {
        for (who, client) in [("anonymous", &anonymous), ("outsider", &outsider)] {
            for path in [format!("/g/{sub}"), format!("/api/v1/groups/{sub}")] {
                let res = client.get(&path).await;
                assert_eq!(res.status, 404, "{who} {name} {path}");
                assert!(
                    !res.body.contains("Hush Parent") && !res.body.contains(&parent),
                    "{who} {path}"
                );
            }
            for path in ["/explore", "/api/v1/explore", "/explore?q=child"] {
                let res = client.get(path).await;
                assert_eq!(res.status, 200, "{path}");
                assert!(
                    !res.body.contains(name) && !res.body.contains(sub.as_str()),
                    "{who} {path} lists {name}"
                );
            }
        }
        // A member of the subgroup only reads it, and is not told about the parent.
        let page = sub_only.get(&format!("/g/{sub}")).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains(name));
        assert!(
            !page.body.contains("Hush Parent") && !page.body.contains(&parent),
            "{name}: breadcrumb"
        );
        let api = sub_only.get(&format!("/api/v1/groups/{sub}")).await;
        assert_eq!(api.status, 200);
        assert_eq!(api.json()["parent_key"], serde_json::Value::Null, "{name}");
        assert!(!api.body.contains("Hush Parent"));
        // The parent's members see the subgroup and its parent.
        let page = parent_member.get(&format!("/g/{sub}")).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Hush Parent") && page.body.contains(&format!("/g/{parent}")));
        let api = parent_member.get(&format!("/api/v1/groups/{sub}")).await.json();
        assert_eq!(api["parent_key"], parent.as_str());
    }
    // Once the parent is no longer secret, the open child is as public as it says.
    let res = ann
        .request_json(
            Method::PATCH,
            &format!("/api/v1/groups/{parent}"),
            Some(&json!({"name": "Hush Parent", "privacy": "closed", "join_policy": "approval"})),
        )
        .await;
    assert!(res.status < 300, "{} {}", res.status, res.body);
    let res = anonymous.get(&format!("/g/{}", subs[0].1)).await;
    assert_eq!(res.status, 200);
    assert!(res.body.contains("Hush Parent"), "a closed parent may be named");
    assert!(anonymous.get("/explore").await.body.contains("Open Child"));
}

/// Issue 20: each group keeps its member count (triggers on `memberships`, migration 0019), which
/// Explore sorts by and pages show. It must equal the memberships after every kind of change:
/// joining, approval, leaving a parent (and so its subgroups), removal, deleting an account,
/// deleting a subgroup.
async fn member_counts_stay_true_through_every_change(app: &TestApp) {
    async fn counts_are_true(app: &TestApp, step: &str) {
        let wrong = app
            .count(
                "SELECT COUNT(*) FROM groups g WHERE g.member_count <> \
                 (SELECT COUNT(*) FROM memberships m WHERE m.group_id = g.id)",
            )
            .await;
        assert_eq!(wrong, 0, "after {step}");
    }
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let cat = app.signed_in_user("Cat", "cat@example.org", PASSWORD).await;
    let open = create(&ann, "Open Field", "open", "anyone").await;
    let closed = create(&ann, "Closed Barn", "closed", "approval").await;
    counts_are_true(app, "creating groups").await;
    assert_eq!(bob.post_form(&format!("/g/{open}/join"), &[]).await.status, 303);
    assert_eq!(cat.post_form(&format!("/g/{open}/join"), &[]).await.status, 303);
    counts_are_true(app, "joining").await;
    bob.post_form(&format!("/g/{closed}/request"), &[("introduction", "Hi")])
        .await;
    let requests = ann.get(&format!("/api/v1/groups/{closed}/requests")).await.json();
    let id = requests["requests"][0]["id"].as_i64().unwrap();
    assert_eq!(
        ann.post_form(&format!("/g/{closed}/requests/{id}/approve"), &[])
            .await
            .status,
        303
    );
    counts_are_true(app, "approval").await;
    let sub = create_subgroup(
        &ann,
        json!({"name": "Barn loft", "privacy": "closed", "parent_key": closed}),
    )
    .await;
    add_member(app, &sub, &bob, Role::Member).await;
    counts_are_true(app, "a subgroup").await;
    assert_eq!(bob.post_form(&format!("/g/{closed}/leave"), &[]).await.status, 303);
    counts_are_true(app, "leaving a parent and its subgroup").await;
    let cat_key = user_key(&cat).await;
    assert_eq!(
        ann.post_form(&format!("/g/{open}/members/{cat_key}/remove"), &[])
            .await
            .status,
        303
    );
    counts_are_true(app, "removal").await;
    let res = bob
        .post_form("/profile/delete", &[("current_password", PASSWORD)])
        .await;
    assert_eq!(res.status, 200);
    counts_are_true(app, "deleting an account").await;
    assert_eq!(ann.post_form(&format!("/g/{sub}/delete"), &[]).await.status, 303);
    counts_are_true(app, "deleting a subgroup").await;
    let api = ann.get(&format!("/api/v1/groups/{open}")).await.json();
    assert_eq!(api["member_count"], 1, "Ann alone is left in the open group");
    let explore = app.client().get("/api/v1/explore").await;
    assert_eq!(explore.status, 200);
}

on_both!(archived_groups_are_read_only_until_restored);

async fn archived_groups_are_read_only_until_restored(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let g = create(&ann, "Seasonal", "open", "anyone").await;
    assert_eq!(bob.post_form(&format!("/g/{g}/archive"), &[]).await.status, 403);
    assert_eq!(ann.post_form(&format!("/g/{g}/archive"), &[]).await.status, 303);
    assert!(bob.get(&format!("/g/{g}")).await.body.contains("Archived"));
    assert_eq!(
        bob.post_form(&format!("/g/{g}/join"), &[]).await.status,
        403,
        "no joining an archived group"
    );
    assert_eq!(ann.post_form(&format!("/g/{g}/restore"), &[]).await.status, 303);
    assert_eq!(bob.post_form(&format!("/g/{g}/join"), &[]).await.status, 303);
}

/// A role or account state this version does not know (written by a newer version, or by hand)
/// is an error, never "member" or "active": the request fails instead of opening anything.
async fn an_unknown_stored_role_or_account_state_fails_closed(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let g = create(&ann, "Back room", "secret", "invitation").await;
    add_member(app, &g, &bob, Role::Member).await;
    assert_eq!(
        bob.get(&format!("/g/{g}")).await.status,
        200,
        "a member reads the secret group"
    );
    let bob_key = user_key(&bob).await;
    let mut conn = app.db_conn().await;
    weft_store::query("UPDATE memberships SET role = 'owner' WHERE user_id = (SELECT id FROM users WHERE key = $1)")
        .bind(bob_key.as_str())
        .execute(&mut conn)
        .await
        .unwrap();
    drop(conn);
    for path in [format!("/g/{g}"), format!("/api/v1/groups/{g}")] {
        let res = bob.get(&path).await;
        assert_eq!(res.status, 500, "{path}: an unknown role is an error");
        assert!(
            !res.body.contains("Back room") && !res.body.contains("About us"),
            "{path}: {}",
            res.body
        );
    }
    let mut conn = app.db_conn().await;
    weft_store::query("UPDATE users SET state = 'suspended' WHERE key = $1")
        .bind(bob_key.as_str())
        .execute(&mut conn)
        .await
        .unwrap();
    drop(conn);
    let me = bob.get("/api/v1/me").await;
    assert_eq!(
        me.status, 500,
        "an unknown account state is an error, not an active account: {}",
        me.body
    );
    assert!(!me.body.contains("bob@example.org"), "{}", me.body);
}

/// Every JSON shape of the group API, as a client reads it (keys and times redacted); both
/// databases answer the same snapshot.
async fn the_group_api_answers_in_its_documented_shapes(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let g = create(&ann, "Garden", "open", "anyone").await;
    let listed = ann
        .request_json(Method::PATCH, &format!("/api/v1/groups/{g}"), Some(&json!({"name": "Garden", "privacy": "open", "join_policy": "anyone", "description": "About *us*", "listed_in_explore": true})))
        .await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    add_member(app, &g, &bob, Role::Member).await;
    let closed = create(&ann, "Orchard", "closed", "approval").await;
    let ask = bob
        .post_json(
            &format!("/api/v1/groups/{closed}/requests"),
            &json!({"introduction": "I prune."}),
        )
        .await;
    assert_eq!(ask.status, 202, "{}", ask.body);

    let shapes = [
        ("group_as_coordinator", ann.get(&format!("/api/v1/groups/{g}")).await),
        (
            "group_as_visitor",
            app.client().get(&format!("/api/v1/groups/{g}")).await,
        ),
        ("my_groups", ann.get("/api/v1/groups").await),
        (
            "members_as_coordinator",
            ann.get(&format!("/api/v1/groups/{g}/members")).await,
        ),
        (
            "members_as_member",
            bob.get(&format!("/api/v1/groups/{g}/members")).await,
        ),
        (
            "join_requests",
            ann.get(&format!("/api/v1/groups/{closed}/requests")).await,
        ),
        ("explore", app.client().get("/api/v1/explore").await),
    ];
    for (name, res) in shapes {
        assert_eq!(res.status, 200, "{name}: {}", res.body);
        insta::assert_snapshot!(name, redacted_json(&res.json()));
    }
}

/// The section of `page` that starts at `id="<id>"` and ends with its element (a `</section>`
/// or `</nav>`), or "" when there is none.
fn section<'a>(page: &'a str, id: &str) -> &'a str {
    let Some(at) = page.find(&format!("id=\"{id}\"")) else {
        return "";
    };
    let rest = &page[at..];
    let end = ["</section>", "</nav>"]
        .iter()
        .filter_map(|e| rest.find(e))
        .min()
        .unwrap_or(rest.len());
    &rest[..end]
}

/// After creating a group its coordinator sees a checklist (invite, describe, first thread),
/// each ticked as it is done, gone when all are. Coordinating is apart from everyday links, and
/// leaving, archiving and deleting sit in a danger zone, each behind a confirmation that works
/// without JavaScript (a disclosure holding the button; deleting its own page). A member sees
/// only what they may do.
async fn a_new_group_says_what_to_do_next_and_keeps_destructive_actions_apart(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    let bob = app.signed_in_user("Bob", "bob@example.org", PASSWORD).await;
    let g = create(&ann, "Allotment", "closed", "approval").await;
    let describe = |description: &'static str| {
        let (ann, g) = (ann.clone_cookies(), g.clone());
        async move {
            let body = json!({"name": "Allotment", "description": description, "privacy": "closed", "join_policy": "approval"});
            let res = ann
                .request_json(Method::PATCH, &format!("/api/v1/groups/{g}"), Some(&body))
                .await;
            assert_eq!(res.status, 200, "{}", res.body);
        }
    };
    describe("").await;
    let page = ann.get(&format!("/g/{g}")).await.body;
    let list = section(&page, "getting-started");
    for todo in [
        format!("<a href=\"/g/{g}/invite\">Invite the first people</a>"),
        format!("<a href=\"/g/{g}/settings#description\">Write the description</a>"),
        format!("<a href=\"/g/{g}/threads/new\">Start the first thread</a>"),
    ] {
        assert!(list.contains(&todo), "{todo} in {list}");
    }
    add_member(app, &g, &bob, Role::Member).await;
    let list = ann.get(&format!("/g/{g}")).await.body;
    let list = section(&list, "getting-started");
    assert!(
        list.contains("<s>Invite people</s><span class=\"visually-hidden\"> (done)</span>"),
        "{list}"
    );
    crate::threads::start(&ann, &g, "First", "Hello", "").await;
    describe("We grow food.").await;
    let page = ann.get(&format!("/g/{g}")).await.body;
    assert!(section(&page, "getting-started").is_empty(), "all done: gone");
    assert!(
        section(&bob.get(&format!("/g/{g}")).await.body, "getting-started").is_empty(),
        "coordinators only"
    );

    // The coordinator: tools apart, destructive actions in the danger zone behind a confirmation.
    let coordinating = section(&page, "coordinating");
    assert!(coordinating.contains(&format!("/g/{g}/settings")) && coordinating.contains(&format!("/g/{g}/requests")));
    let danger = section(&page, "danger-zone");
    assert!(danger.contains("<summary>Archive Allotment…</summary>"), "{danger}");
    assert!(danger.contains(&format!("<a href=\"/g/{g}/delete\">Delete Allotment…</a>")));
    assert!(danger.contains("<summary>Leave Allotment…</summary>"));
    let everyday = section(&page, "volume");
    assert!(!everyday.contains("/archive") && !everyday.contains("/leave"));
    // A member: no coordinating, only leaving.
    let page = bob.get(&format!("/g/{g}")).await.body;
    assert!(section(&page, "coordinating").is_empty());
    let danger = section(&page, "danger-zone");
    assert!(
        danger.contains("<summary>Leave Allotment…</summary>")
            && !danger.contains("/archive")
            && !danger.contains("/delete"),
        "{danger}"
    );
    assert!(danger.contains("To come back you need to be let in again."));
}

on_both!(explore_comes_in_pages_that_say_where_you_are);

/// Explore lists 30 groups a page and says where the reader is, counting only what it lists
/// (a search narrows the count; an unlisted or closed group is not counted).
async fn explore_comes_in_pages_that_say_where_you_are(app: &TestApp) {
    let ann = app.signed_in_user("Ann", "ann@example.org", PASSWORD).await;
    for n in 1..=33 {
        create_subgroup(
            &ann,
            json!({"name": format!("Orchard {n:02}"), "privacy": "open", "join_policy": "anyone", "listed_in_explore": true}),
        )
        .await;
    }
    create_subgroup(
        &ann,
        json!({"name": "Orchard hidden", "privacy": "open", "join_policy": "anyone"}),
    )
    .await;
    create_subgroup(
        &ann,
        json!({"name": "Orchard closed", "privacy": "closed", "listed_in_explore": true}),
    )
    .await;
    let visitor = app.client();
    let page = visitor.get("/explore").await.body;
    assert!(page.contains("Groups 1–30 of 33"), "{page}");
    let page = visitor.get("/explore?page=1").await.body;
    assert!(
        page.contains("Groups 31–33 of 33") && !page.contains("Next page"),
        "{page}"
    );
    let page = visitor.get("/explore?q=orchard+0").await.body;
    assert!(page.contains("Groups 1–9 of 9"), "{page}");
    assert!(
        !visitor
            .get("/explore?q=zzz")
            .await
            .body
            .contains("explore-position\">G")
    );
    let api = visitor.get("/api/v1/explore?page=1").await.json();
    assert_eq!(api["total"], 33);
    assert_eq!(api["groups"].as_array().unwrap().len(), 3);
}
