//! `/groups/new` and `/g/{key}…`: a group's page, settings, members, requests, joining and leaving.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use weft_app::AppError;
use weft_app::groups::{EXPLORE_PER_PAGE, GroupInput, GroupView, MEMBERS_PER_PAGE, MemberView};
use weft_domain::ValidationErrors;
use weft_domain::groups::{GroupFlags, GroupPrivacy};
use weft_domain::permissions::{Action, Role};

use crate::AppState;
use crate::auth::signed_in_for;
use crate::auth::{MaybeUser, RequireUser};
use crate::error::WebError;
use crate::shell::Notice;
use crate::shell::{PageCtx, render};

/// The form's fields as typed (checkboxes are present or absent).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct GroupForm {
    name: String,
    handle: String,
    description: String,
    privacy: String,
    join_policy: String,
    thread_privacy: String,
    /// Present on the settings form: its checkboxes say which flags are on.
    settings: Option<String>,
    visible_to_parent_members: Option<String>,
    listed_in_explore: Option<String>,
    members_can_add_members: Option<String>,
    members_can_add_guests: Option<String>,
    members_can_announce: Option<String>,
    members_can_create_subgroups: Option<String>,
    members_can_start_threads: Option<String>,
    members_can_edit_threads: Option<String>,
    members_can_edit_comments: Option<String>,
    members_can_delete_comments: Option<String>,
    members_can_raise_polls: Option<String>,
    admins_can_edit_user_content: Option<String>,
    start_threads_by_email: Option<String>,
}

impl GroupForm {
    fn flags(&self) -> GroupFlags {
        GroupFlags {
            members_can_add_members: self.members_can_add_members.is_some(),
            members_can_add_guests: self.members_can_add_guests.is_some(),
            members_can_announce: self.members_can_announce.is_some(),
            members_can_create_subgroups: self.members_can_create_subgroups.is_some(),
            members_can_start_threads: self.members_can_start_threads.is_some(),
            members_can_edit_threads: self.members_can_edit_threads.is_some(),
            members_can_edit_comments: self.members_can_edit_comments.is_some(),
            members_can_delete_comments: self.members_can_delete_comments.is_some(),
            members_can_raise_polls: self.members_can_raise_polls.is_some(),
            admins_can_edit_user_content: self.admins_can_edit_user_content.is_some(),
            start_threads_by_email: self.start_threads_by_email.is_some(),
        }
    }

    fn input(&self) -> GroupInput {
        GroupInput {
            name: self.name.clone(),
            handle: self.handle.clone(),
            description: self.description.clone(),
            privacy: self.privacy.clone(),
            join_policy: self.join_policy.clone(),
            thread_privacy: self.thread_privacy.clone(),
            visible_to_parent_members: self.visible_to_parent_members.is_some(),
            listed_in_explore: self.listed_in_explore.is_some(),
            flags: self.settings.is_some().then(|| self.flags()),
        }
    }
}

/// The form as the template shows it.
pub struct FormView {
    name: String,
    handle: String,
    description: String,
    privacy: String,
    join_policy: String,
    thread_privacy: String,
    visible_to_parent_members: bool,
    listed_in_explore: bool,
}

impl From<&GroupForm> for FormView {
    fn from(f: &GroupForm) -> Self {
        Self {
            name: f.name.clone(),
            handle: f.handle.clone(),
            description: f.description.clone(),
            privacy: f.privacy.clone(),
            join_policy: f.join_policy.clone(),
            thread_privacy: f.thread_privacy.clone(),
            visible_to_parent_members: f.visible_to_parent_members.is_some(),
            listed_in_explore: f.listed_in_explore.is_some(),
        }
    }
}

fn flag_fields(f: &GroupFlags) -> Vec<(&'static str, &'static str, bool)> {
    vec![
        (
            "members_can_start_threads",
            "Start threads",
            f.members_can_start_threads,
        ),
        (
            "members_can_raise_polls",
            "Start proposals and polls",
            f.members_can_raise_polls,
        ),
        (
            "members_can_add_members",
            "Invite new members",
            f.members_can_add_members,
        ),
        (
            "members_can_add_guests",
            "Add guests to a thread",
            f.members_can_add_guests,
        ),
        ("members_can_announce", "Notify the whole group", f.members_can_announce),
        (
            "start_threads_by_email",
            "Start threads by email, writing to the group's address",
            f.start_threads_by_email,
        ),
        (
            "members_can_create_subgroups",
            "Create subgroups",
            f.members_can_create_subgroups,
        ),
        (
            "members_can_edit_threads",
            "Edit any thread's context",
            f.members_can_edit_threads,
        ),
        (
            "members_can_edit_comments",
            "Edit their own comments",
            f.members_can_edit_comments,
        ),
        (
            "members_can_delete_comments",
            "Delete their own comments",
            f.members_can_delete_comments,
        ),
        (
            "admins_can_edit_user_content",
            "Coordinators can edit what members wrote",
            f.admins_can_edit_user_content,
        ),
    ]
}

#[derive(Template)]
#[template(path = "groups/group_form.html")]
struct GroupFormPage {
    ctx: PageCtx,
    heading: &'static str,
    button: &'static str,
    action: String,
    parent_name: Option<String>,
    settings: bool,
    is_subgroup: bool,
    form: FormView,
    flag_fields: Vec<(&'static str, &'static str, bool)>,
    errors: ValidationErrors,
}

fn new_form_page(
    ctx: PageCtx,
    action: String,
    parent_name: Option<String>,
    form: &GroupForm,
    errors: ValidationErrors,
) -> GroupFormPage {
    let mut view = FormView::from(form);
    if view.privacy.is_empty() {
        view.privacy = "closed".into();
    }
    GroupFormPage {
        ctx,
        heading: if parent_name.is_some() {
            "Create a subgroup"
        } else {
            "Start a group"
        },
        button: "Create group",
        action,
        is_subgroup: parent_name.is_some(),
        parent_name,
        settings: false,
        form: view,
        flag_fields: flag_fields(&GroupFlags::default()),
        errors,
    }
}

pub async fn new_form(RequireUser(_): RequireUser, ctx: PageCtx) -> Response {
    render(
        StatusCode::OK,
        &new_form_page(
            ctx,
            "/groups".into(),
            None,
            &GroupForm::default(),
            ValidationErrors::new(),
        ),
    )
}

pub async fn create(
    State(state): State<AppState>,
    RequireUser(who): RequireUser,
    ctx: PageCtx,
    Form(form): Form<GroupForm>,
) -> Result<Response, WebError> {
    match state.app.create_group(&who, &form.input(), None).await {
        Ok(key) => Ok(Redirect::to(&Notice::GroupCreated.on(&format!("/g/{key}"))).into_response()),
        Err(AppError::Invalid(errors)) => Ok(render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &new_form_page(ctx, "/groups".into(), None, &form, errors),
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn new_subgroup_form(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    let who = signed_in_for(&state, who, &key, Action::CreateSubgroup).await?;
    let parent = state.app.group_for(Some(&who), &key, Action::CreateSubgroup).await?;
    let action = format!("/g/{key}/subgroups/new");
    Ok(render(
        StatusCode::OK,
        &new_form_page(
            ctx,
            action,
            Some(parent.group.name),
            &GroupForm::default(),
            ValidationErrors::new(),
        ),
    ))
}

pub async fn create_subgroup(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
    Path(key): Path<String>,
    Form(form): Form<GroupForm>,
) -> Result<Response, WebError> {
    let who = signed_in_for(&state, who, &key, Action::CreateSubgroup).await?;
    match state.app.create_group(&who, &form.input(), Some(&key)).await {
        Ok(sub) => Ok(Redirect::to(&Notice::GroupCreated.on(&format!("/g/{sub}"))).into_response()),
        Err(AppError::Invalid(errors)) => {
            let parent = state.app.group_for(Some(&who), &key, Action::CreateSubgroup).await?;
            let page = new_form_page(
                ctx,
                format!("/g/{key}/subgroups/new"),
                Some(parent.group.name),
                &form,
                errors,
            );
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

fn settings_page(
    ctx: PageCtx,
    view: &GroupView,
    form: &GroupForm,
    flags: &GroupFlags,
    errors: ValidationErrors,
) -> GroupFormPage {
    GroupFormPage {
        ctx,
        heading: "Group settings",
        button: "Save settings",
        action: format!("/g/{}/settings", view.group.key),
        parent_name: view.parent.as_ref().map(|p| p.name.clone()),
        settings: true,
        is_subgroup: view.group.parent_id.is_some(),
        form: FormView::from(form),
        flag_fields: flag_fields(flags),
        errors,
    }
}

pub async fn settings_form(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    let who = signed_in_for(&state, who, &key, Action::ChangeSettings).await?;
    let view = state.app.group_for(Some(&who), &key, Action::ChangeSettings).await?;
    let g = &view.group;
    let form = GroupForm {
        name: g.name.clone(),
        handle: g.handle.clone(),
        description: g.description.clone(),
        privacy: g.privacy.as_str().into(),
        join_policy: g.join_policy.as_str().into(),
        thread_privacy: g.thread_privacy.as_str().into(),
        visible_to_parent_members: g.visible_to_parent_members.then(String::new),
        listed_in_explore: g.listed_in_explore.then(String::new),
        ..GroupForm::default()
    };
    Ok(render(
        StatusCode::OK,
        &settings_page(ctx, &view, &form, &g.flags, ValidationErrors::new()),
    ))
}

pub async fn update_settings(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
    Path(key): Path<String>,
    Form(mut form): Form<GroupForm>,
) -> Result<Response, WebError> {
    let who = signed_in_for(&state, who, &key, Action::ChangeSettings).await?;
    form.settings = Some("1".into());
    match state.app.update_group(&who, &key, &form.input()).await {
        Ok(()) => Ok(Redirect::to(&Notice::GroupSaved.on(&format!("/g/{key}"))).into_response()),
        Err(AppError::Invalid(errors)) => {
            let view = state.app.group_for(Some(&who), &key, Action::ChangeSettings).await?;
            let flags = form.flags();
            Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &settings_page(ctx, &view, &form, &flags, errors),
            ))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn archive(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    let who = signed_in_for(&state, who, &key, Action::ChangeSettings).await?;
    state.app.set_group_archived(&who, &key, true).await?;
    Ok(Redirect::to(&Notice::GroupArchived.on(&format!("/g/{key}"))).into_response())
}

pub async fn restore(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    let who = signed_in_for(&state, who, &key, Action::ChangeSettings).await?;
    state.app.set_group_archived(&who, &key, false).await?;
    Ok(Redirect::to(&Notice::GroupRestored.on(&format!("/g/{key}"))).into_response())
}

#[derive(Template)]
#[template(path = "groups/group.html")]
struct GroupPage {
    ctx: PageCtx,
    v: GroupView,
    privacy_label: &'static str,
    /// Sanitised HTML from the markdown description.
    description_html: String,
    subgroups: Vec<weft_app::groups::Group>,
    can_join: bool,
    can_request: bool,
    request_pending: bool,
    login_to_join: bool,
    can_see_content: bool,
    can_see_members: bool,
    can_invite: bool,
    can_manage: bool,
    can_settings: bool,
    can_delete: bool,
    can_leave: bool,
    can_create_subgroup: bool,
    /// A member may ask the coordinators to delete their content here (P12).
    can_ask_deletion: bool,
    /// Coordinators and instance admins reach the support-access page (P13).
    can_support: bool,
    can_start_thread: bool,
    threads: weft_app::threads::ThreadListPage,
    /// Polls on their own in the group (polls in threads are on their threads).
    polls: Vec<weft_app::polls::ListedPoll>,
    can_raise_poll: bool,
    signed_in: bool,
    tags: Vec<(String, i64)>,
    filter: GroupQuery,
    filtered: bool,
    /// A member's volume for the group, for its form.
    volume: Option<weft_domain::notifications::Volume>,
    volumes: &'static [weft_domain::notifications::Volume],
    /// The viewer's own address for starting threads by email here, and the group's public one
    /// (when a trusted mail server vouches for senders).
    email_address: Option<String>,
    public_address: Option<String>,
    /// The viewer's own address (what they must write from), and whether their email threads
    /// are announced to the group.
    your_email: String,
    announces: bool,
}

/// The thread list's filters, as the group page's query string carries them.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct GroupQuery {
    tag: String,
    /// "open", "closed" or empty for both.
    status: String,
    unread: Option<String>,
    /// `activity` (default), `newest` or `unread` first.
    sort: String,
    /// 0-based.
    page: weft_domain::Page,
}

impl GroupQuery {
    /// This list's query string for another page (filters and order kept).
    pub fn page_href(&self, key: &str, page: i64) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        for (name, value) in [("tag", &self.tag), ("status", &self.status), ("sort", &self.sort)] {
            if !value.is_empty() {
                pairs.push((name, value.clone()));
            }
        }
        if self.unread.is_some() {
            pairs.push(("unread", "1".into()));
        }
        if page > 0 {
            pairs.push(("page", page.to_string()));
        }
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        if query.is_empty() {
            format!("/g/{key}#threads-heading")
        } else {
            format!("/g/{key}?{query}#threads-heading")
        }
    }

    fn filter(&self) -> weft_app::threads::ThreadFilter {
        weft_app::threads::ThreadFilter {
            tag: self.tag.trim().to_lowercase(),
            closed: match self.status.as_str() {
                "open" => Some(false),
                "closed" => Some(true),
                _ => None,
            },
            unread: self.unread.is_some(),
            sort: weft_app::threads::ThreadSort::parse(&self.sort),
        }
    }
}

pub async fn show(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
    Path(key): Path<String>,
    Query(q): Query<GroupQuery>,
) -> Result<Response, WebError> {
    let view = state.app.group_for(who.as_ref(), &key, Action::SeeGroup).await?;
    let subgroups = state.app.visible_subgroups(who.as_ref(), &view).await?;
    let filter = q.filter();
    let threads = state
        .app
        .group_threads(who.as_ref(), &view, &filter, q.page.get())
        .await?;
    let tags = state.app.group_tags(who.as_ref(), &view).await?;
    let polls = state.app.group_polls_beside_threads(&view).await?;
    let request_pending = match &who {
        Some(w) if view.may(Action::RequestToJoin) => state.app.has_pending_request(w, &view.group).await?,
        _ => false,
    };
    let volume = match &who {
        Some(w) if view.may(Action::Leave) => state.app.group_volume(w, &key).await?,
        _ => None,
    };
    let email_address = match &who {
        Some(w) => state.app.group_email_address(w, &view, false).await?,
        None => None,
    };
    let announces = view.may(Action::Announce);
    let public_address = email_address
        .as_ref()
        .and_then(|_| state.app.group_public_address(&view.group.handle));
    let privacy_label = match view.group.privacy {
        GroupPrivacy::Open => "Open group",
        GroupPrivacy::Closed => "Closed group",
        GroupPrivacy::Secret => "Secret group",
    };
    crate::markdown_cache::prepare([view.group.description.as_str()]).await;
    let page = GroupPage {
        ctx,
        privacy_label,
        description_html: crate::markdown_cache::to_html(&view.group.description).to_string(),
        subgroups,
        can_join: view.may(Action::Join),
        can_request: view.may(Action::RequestToJoin),
        request_pending,
        login_to_join: view.log_in_to_join(),
        can_see_content: view.may(Action::SeeContent),
        can_see_members: view.may(Action::SeeMembers),
        can_invite: view.may(Action::Invite),
        can_manage: view.may(Action::ManageMembers),
        can_settings: view.may(Action::ChangeSettings),
        can_delete: view.may(Action::Delete),
        can_leave: view.may(Action::Leave),
        can_create_subgroup: view.may(Action::CreateSubgroup),
        can_ask_deletion: view.may(Action::AskToDeleteContent),
        can_support: view.may(Action::SeeSupport),
        can_start_thread: view.may(Action::StartThread),
        can_raise_poll: weft_app::polls::may_raise_in_group(&view),
        threads,
        polls,
        signed_in: who.is_some(),
        tags,
        filtered: weft_app::threads::ThreadFilter {
            sort: weft_app::threads::ThreadSort::Activity,
            ..filter.clone()
        } != weft_app::threads::ThreadFilter::default(),
        filter: q,
        v: view,
        volume,
        volumes: weft_domain::notifications::Volume::ALL,
        email_address,
        public_address,
        your_email: who
            .as_ref()
            .map(|w| w.user.email.as_str().to_owned())
            .unwrap_or_default(),
        announces,
    };
    Ok(render(StatusCode::OK, &page))
}

/// "Make a new address": the member's own address for starting threads by email is replaced.
pub async fn renew_email_address(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    let who = signed_in_for(&state, who, &key, Action::StartThread).await?;
    let view = state.app.group_for(Some(&who), &key, Action::SeeGroup).await?;
    state.app.group_email_address(&who, &view, true).await?;
    Ok(Redirect::to(&Notice::EmailAddressRenewed.on(&format!("/g/{key}#by-email"))).into_response())
}

#[derive(Template)]
#[template(path = "groups/group_delete.html")]
struct DeletePage {
    ctx: PageCtx,
    v: GroupView,
    summary: weft_app::groups::DeletionSummary,
}

pub async fn delete_page(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    let who = signed_in_for(&state, who, &key, Action::Delete).await?;
    let v = state.app.group_for(Some(&who), &key, Action::Delete).await?;
    let summary = state.app.group_deletion_summary(&v).await?;
    Ok(render(StatusCode::OK, &DeletePage { ctx, v, summary }))
}

pub async fn delete(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    let who = signed_in_for(&state, who, &key, Action::Delete).await?;
    state.app.delete_group(&who, &key).await?;
    Ok(Redirect::to(&Notice::GroupDeleted.on("/")).into_response())
}

#[derive(Template)]
#[template(path = "groups/members.html")]
struct MembersPage {
    ctx: PageCtx,
    v: GroupView,
    members: Vec<MemberView>,
    show_emails: bool,
    can_manage: bool,
    page: i64,
    has_more: bool,
    /// "41–80 of 5 000".
    position: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageQuery {
    page: weft_domain::Page,
}

pub async fn members(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
    Path(key): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let (v, members) = state.app.group_members(who.as_ref(), &key, q.page.get()).await?;
    let page = MembersPage {
        ctx,
        show_emails: v.may(Action::SeeMemberEmails),
        can_manage: v.may(Action::ManageMembers),
        has_more: (q.page.get() + 1) * MEMBERS_PER_PAGE < v.member_count,
        page: q.page.get(),
        position: weft_domain::paging::position(q.page.offset(MEMBERS_PER_PAGE) + 1, members.len(), v.member_count),
        members,
        v,
    };
    Ok(render(StatusCode::OK, &page))
}

pub async fn join(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    let who = signed_in_for(&state, who, &key, Action::Join).await?;
    state.app.join_group(&who, &key).await?;
    Ok(Redirect::to(&Notice::Joined.on(&format!("/g/{key}"))).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RequestForm {
    introduction: String,
}

pub async fn request(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    Path(key): Path<String>,
    Form(form): Form<RequestForm>,
) -> Result<Response, WebError> {
    let who = signed_in_for(&state, who, &key, Action::RequestToJoin).await?;
    match state.app.request_membership(&who, &key, &form.introduction).await {
        Ok(()) => Ok(Redirect::to(&Notice::Requested.on(&format!("/g/{key}"))).into_response()),
        Err(AppError::Invalid(_)) => Ok(Redirect::to(&format!("/g/{key}")).into_response()),
        Err(e) => Err(e.into()),
    }
}

fn last_admin_or(e: AppError, key: &str, page: &str) -> Result<Response, WebError> {
    match e {
        AppError::Invalid(_) => Ok(Redirect::to(&Notice::LastAdmin.on(&format!("/g/{key}{page}"))).into_response()),
        other => Err(other.into()),
    }
}

pub async fn leave(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    let who = signed_in_for(&state, who, &key, Action::Leave).await?;
    match state.app.leave_group(&who, &key).await {
        Ok(()) => Ok(Redirect::to(&Notice::Left.on("/")).into_response()),
        Err(e) => last_admin_or(e, &key, ""),
    }
}

#[derive(Template)]
#[template(path = "groups/requests.html")]
struct RequestsPage {
    ctx: PageCtx,
    v: GroupView,
    requests: Vec<weft_app::groups::MembershipRequest>,
}

pub async fn requests(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    let who = signed_in_for(&state, who, &key, Action::ManageMembers).await?;
    let (v, requests) = state.app.membership_requests(&who, &key).await?;
    Ok(render(StatusCode::OK, &RequestsPage { ctx, v, requests }))
}

pub async fn answer_request(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    Path((key, id, answer)): Path<(String, i64, String)>,
) -> Result<Response, WebError> {
    let who = signed_in_for(&state, who, &key, Action::ManageMembers).await?;
    let approve = match answer.as_str() {
        "approve" => true,
        "ignore" => false,
        _ => return Err(AppError::NotFound.into()),
    };
    state.app.respond_to_request(&who, &key, id, approve).await?;
    let notice = if approve {
        Notice::RequestApproved
    } else {
        Notice::RequestIgnored
    };
    Ok(Redirect::to(&notice.on(&format!("/g/{key}/requests"))).into_response())
}

pub async fn change_member(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    Path((key, user, change)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let who = signed_in_for(&state, who, &key, Action::ManageMembers).await?;
    let result = match change.as_str() {
        "remove" => state.app.remove_member(&who, &key, &user).await,
        "promote" => state.app.set_member_role(&who, &key, &user, Role::Admin).await,
        "demote" => state.app.set_member_role(&who, &key, &user, Role::Member).await,
        _ => return Err(AppError::NotFound.into()),
    };
    match result {
        Ok(()) => {
            let notice = if change == "remove" {
                Notice::MemberRemoved
            } else {
                Notice::RoleChanged
            };
            Ok(Redirect::to(&notice.on(&format!("/g/{key}/members"))).into_response())
        }
        Err(e) => last_admin_or(e, &key, "/members"),
    }
}

#[derive(Template)]
#[template(path = "groups/explore.html")]
struct ExplorePage {
    ctx: PageCtx,
    q: String,
    /// Each group with its member count and its description as plain text.
    groups: Vec<(weft_app::groups::Group, i64, String)>,
    page: i64,
    has_more: bool,
    /// "Groups 21–40 of 57" (empty when none).
    position: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ExploreQuery {
    q: String,
    page: weft_domain::Page,
}

/// `/explore`: the directory of open groups that chose to be listed.
pub async fn explore(
    State(state): State<AppState>,
    ctx: PageCtx,
    Query(query): Query<ExploreQuery>,
) -> Result<Response, WebError> {
    let (mut groups, total) = state.app.explore(&query.q, query.page.get()).await?;
    let has_more = groups.len() > usize::try_from(EXPLORE_PER_PAGE).unwrap_or(usize::MAX);
    groups.truncate(usize::try_from(EXPLORE_PER_PAGE).unwrap_or(usize::MAX));
    let groups = groups
        .into_iter()
        .map(|(g, n)| {
            let summary = weft_domain::markdown::to_plain_text(&g.description);
            (g, n, summary)
        })
        .collect::<Vec<_>>();
    let first = query.page.get() * weft_app::groups::EXPLORE_PER_PAGE + 1;
    let position = weft_domain::paging::position(first, groups.len(), total);
    let page = ExplorePage {
        position: if position.is_empty() {
            position
        } else {
            format!("Groups {position}")
        },
        ctx,
        q: query.q,
        groups,
        page: query.page.get(),
        has_more,
    };
    Ok(render(StatusCode::OK, &page))
}
