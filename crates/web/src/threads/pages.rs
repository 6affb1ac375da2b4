//! `/g/{key}/threads/new` and `/t/{key}…`: a thread's page (context, paged timeline, comment
//! form), editing with history, pin, close, delete; comments, replies, their edits and deletion.

use crate::markdown_cache::{prepare, to_html};
use crate::shell::Notice;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use weft_app::AppError;
use weft_app::threads::{
    COMMENTS_PER_PAGE, Comment, CommentEntry, CommentId, ReactionSummary, Revision, SubgroupChoice, ThreadInput,
    ThreadPage, ThreadView, summarize,
};
use weft_domain::ValidationErrors;
use weft_domain::groups::ThreadPrivacy;
use weft_domain::permissions::{Action, ThreadAction};
use weft_domain::polls::templates::ThreadTemplate as StartingPoint;
use weft_domain::threads::Reaction;

use crate::AppState;
use crate::auth::MaybeUser;
use crate::auth::signed_in_for;
use crate::auth::signed_in_on;
use crate::error::WebError;
use crate::shell::{PageCtx, render};

// ---- starting and editing ----

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ThreadForm {
    title: String,
    context: String,
    privacy: String,
    tags: String,
    /// From a thread template: the poll that follows (a built-in poll template's word), raised
    /// next when `raise_poll` is ticked.
    then_poll: String,
    raise_poll: Option<String>,
    /// "group", "chosen" or "nobody" (a new thread).
    notify: String,
    /// With "chosen": usernames as typed ("@ada, bob").
    notify_people: String,
    /// With "chosen": the subgroups ticked (repeated field: read by `from_fields`).
    #[serde(skip)]
    notify_subgroups: Vec<String>,
    /// The Preview button: show the context as it would read, save nothing.
    preview: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewThreadQuery {
    /// A built-in thread template's word.
    template: String,
}

impl ThreadForm {
    fn input(&self) -> ThreadInput {
        ThreadInput {
            title: self.title.clone(),
            context: self.context.clone(),
            privacy: self.privacy.clone(),
            tags: Some(self.tags.clone()),
            notify: self.notify.clone(),
            notify_people: vec![self.notify_people.clone()],
            notify_subgroups: self.notify_subgroups.clone(),
        }
    }

    /// The form from its fields as posted: the subgroup checkboxes repeat one name, which a
    /// struct cannot take.
    fn from_fields(fields: &[(String, String)]) -> Self {
        let mut form = Self::default();
        for (name, value) in fields {
            let value = value.clone();
            match name.as_str() {
                "title" => form.title = value,
                "context" => form.context = value,
                "privacy" => form.privacy = value,
                "tags" => form.tags = value,
                "then_poll" => form.then_poll = value,
                "raise_poll" => form.raise_poll = Some(value),
                "notify" => form.notify = value,
                "notify_people" => form.notify_people = value,
                "notify_subgroups" => form.notify_subgroups.push(value),
                "preview" => form.preview = Some(value),
                _ => {}
            }
        }
        form
    }

    /// Is this subgroup ticked (the form shown again)?
    fn ticked(&self, key: &str) -> bool {
        self.notify_subgroups.iter().any(|k| k == key)
    }
}

#[derive(Template)]
#[template(path = "threads/form.html")]
struct ThreadFormPage {
    ctx: PageCtx,
    heading: String,
    button: &'static str,
    action: String,
    back: String,
    group_name: String,
    /// Offer the public/private choice only where the group allows both.
    choose_privacy: bool,
    form: ThreadForm,
    errors: ValidationErrors,
    /// Starting a thread: the templates to start from (none when editing).
    templates: &'static [StartingPoint],
    /// The poll template that follows the chosen thread template, by label.
    then_poll_label: String,
    /// Starting a thread: whom to notify is asked; `may_announce`: the whole group is offered,
    /// and `subgroups` (those the author can see).
    choose_notify: bool,
    may_announce: bool,
    subgroups: Vec<SubgroupChoice>,
    /// The context as it would read (the Preview button).
    preview: Option<String>,
}

/// What a form's Preview button asked for: the text rendered, and a 200 (nothing was refused);
/// or the refusal's 422 with no preview.
async fn previewed(asked: bool, markdown: &str, errors: &ValidationErrors) -> (StatusCode, Option<String>) {
    if errors.is_empty() {
        let html = if asked {
            Some(crate::markdown_cache::preview(markdown).await)
        } else {
            None
        };
        (StatusCode::OK, html)
    } else {
        (StatusCode::UNPROCESSABLE_ENTITY, None)
    }
}

/// A form's answer when its Preview button was pressed: nothing is saved.
fn preview_only<T>(asked: bool) -> Option<Result<T, AppError>> {
    asked.then(|| Err(AppError::Invalid(ValidationErrors::new())))
}

pub async fn new_form(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
    Path(key): Path<String>,
    Query(q): Query<NewThreadQuery>,
) -> Result<Response, WebError> {
    let who = signed_in_for(&state, who, &key, Action::StartThread).await?;
    let v = state.app.group_for(Some(&who), &key, Action::StartThread).await?;
    let template = StartingPoint::parse(&q.template).ok();
    let then_poll = template.and_then(StartingPoint::poll);
    let may_announce = v.may(Action::Announce);
    let subgroups = state.app.announceable_subgroups(&who, &v).await?;
    let page = ThreadFormPage {
        preview: None,
        choose_notify: true,
        may_announce,
        subgroups,
        templates: StartingPoint::ALL,
        then_poll_label: then_poll.map(|p| p.label().to_owned()).unwrap_or_default(),
        ctx,
        heading: "Start a thread".into(),
        button: "Start thread",
        action: format!("/g/{key}/threads"),
        back: format!("/g/{key}"),
        group_name: v.group.name.clone(),
        choose_privacy: v.group.thread_privacy == ThreadPrivacy::Either,
        form: ThreadForm {
            privacy: if v.group.thread_privacy == ThreadPrivacy::PublicOnly {
                "public"
            } else {
                "private"
            }
            .into(),
            title: template.map(|t| t.title().to_owned()).unwrap_or_default(),
            context: template.map(|t| t.context().to_owned()).unwrap_or_default(),
            then_poll: then_poll.map(|p| p.as_str().to_owned()).unwrap_or_default(),
            raise_poll: then_poll.map(|_| "1".to_owned()),
            notify: if may_announce { "group" } else { "nobody" }.into(),
            ..ThreadForm::default()
        },
        errors: ValidationErrors::new(),
    };
    Ok(render(StatusCode::OK, &page))
}

pub async fn create(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
    Path(key): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = ThreadForm::from_fields(&fields);
    let who = signed_in_for(&state, who, &key, Action::StartThread).await?;
    let started = match preview_only(form.preview.is_some()) {
        Some(nothing) => nothing,
        None => state.app.start_thread(&who, &key, &form.input()).await,
    };
    match started {
        Ok(thread) => {
            // A thread template's poll comes next, ready to raise (the form it opens is checked
            // as any other: who may raise a poll there decides).
            let next = match weft_domain::polls::PollTemplate::parse(&form.then_poll) {
                Ok(poll) if form.raise_poll.is_some() => {
                    Notice::ThreadStarted.on(&format!("/t/{thread}/polls/new?template={}", poll.as_str()))
                }
                _ => Notice::ThreadStarted.on(&format!("/t/{thread}")),
            };
            Ok(Redirect::to(&next).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let v = state.app.group_for(Some(&who), &key, Action::StartThread).await?;
            let then_poll_label = weft_domain::polls::PollTemplate::parse(&form.then_poll)
                .map(|p| p.label().to_owned())
                .unwrap_or_default();
            let subgroups = state.app.announceable_subgroups(&who, &v).await?;
            let (status, preview) = previewed(form.preview.is_some(), &form.context, &errors).await;
            let page = ThreadFormPage {
                preview,
                choose_notify: true,
                may_announce: v.may(Action::Announce),
                subgroups,
                templates: StartingPoint::ALL,
                then_poll_label,
                ctx,
                heading: "Start a thread".into(),
                button: "Start thread",
                action: format!("/g/{key}/threads"),
                back: format!("/g/{key}"),
                group_name: v.group.name.clone(),
                choose_privacy: v.group.thread_privacy == ThreadPrivacy::Either,
                form,
                errors,
            };
            Ok(render(status, &page))
        }
        Err(e) => Err(e.into()),
    }
}

fn edit_page(ctx: PageCtx, v: &ThreadView, form: ThreadForm, errors: ValidationErrors) -> ThreadFormPage {
    ThreadFormPage {
        ctx,
        heading: format!("Edit “{}”", v.thread.title),
        button: "Save changes",
        action: format!("/t/{}/edit", v.thread.key),
        back: format!("/t/{}", v.thread.key),
        group_name: v.group.name.clone(),
        choose_privacy: false,
        form,
        errors,
        templates: &[],
        then_poll_label: String::new(),
        choose_notify: false,
        may_announce: false,
        subgroups: Vec::new(),
        preview: None,
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    let who = signed_in_on(&state, who, &key, ThreadAction::Edit).await?;
    let v = state.app.thread_for(Some(&who), &key, ThreadAction::Edit).await?;
    let form = ThreadForm {
        title: v.thread.title.clone(),
        context: v.thread.context.clone(),
        privacy: String::new(),
        tags: state.app.thread_tags(&v).await?.join(", "),
        ..ThreadForm::default()
    };
    Ok(render(
        StatusCode::OK,
        &edit_page(ctx, &v, form, ValidationErrors::new()),
    ))
}

pub async fn edit(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
    Path(key): Path<String>,
    Form(form): Form<ThreadForm>,
) -> Result<Response, WebError> {
    let who = signed_in_on(&state, who, &key, ThreadAction::Edit).await?;
    let v = state.app.thread_for(Some(&who), &key, ThreadAction::Edit).await?;
    // Privacy is not changed by an edit: keep the thread's own.
    let input = ThreadInput {
        privacy: if v.thread.private { "private" } else { "public" }.into(),
        ..form.input()
    };
    let saved = match preview_only(form.preview.is_some()) {
        Some(nothing) => nothing,
        None => state.app.update_thread(&who, &key, &input).await,
    };
    match saved {
        Ok(()) => Ok(Redirect::to(&Notice::ThreadSaved.on(&format!("/t/{key}"))).into_response()),
        Err(AppError::Invalid(errors)) => {
            let (status, preview) = previewed(form.preview.is_some(), &form.context, &errors).await;
            let mut page = edit_page(ctx, &v, form, errors);
            page.preview = preview;
            Ok(render(status, &page))
        }
        Err(e) => Err(e.into()),
    }
}

// ---- reading ----

/// A comment as the page shows it.
pub struct CommentItem {
    c: Comment,
    html: std::sync::Arc<str>,
    can_edit: bool,
    can_delete: bool,
    /// The viewer deleted it a moment ago and may bring it back.
    can_restore: bool,
    reactions: Vec<ReactionSummary>,
    /// The reactions the viewer may add (all of them, or none).
    offer: &'static [Reaction],
    /// The author's initials and colour (none for a deleted comment or account).
    avatar: Option<weft_domain::avatars::Avatar>,
}

impl CommentItem {
    /// The start of what it says, as plain text (what a reply form quotes).
    pub fn excerpt(&self) -> String {
        let text = weft_domain::markdown::to_plain_text(&self.c.body);
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        match text.char_indices().nth(80) {
            Some((cut, _)) => format!("{}…", text[..cut].trim_end()),
            None => text,
        }
    }
}

/// One item of the timeline: a comment, or an event (a poll raised, a vote, an outcome…).
pub struct TimelineEntry {
    /// The first item the viewer has not read: "new since your last visit" goes before it.
    new_marker: bool,
    comment: Option<CommentItem>,
    event: Option<weft_app::polls::TimelineEvent>,
}

impl TimelineEntry {
    fn seq(&self) -> i64 {
        self.comment
            .as_ref()
            .map_or_else(|| self.event.as_ref().map_or(0, |e| e.seq), |c| c.c.seq)
    }
}

/// Comments and events in one sequence, with the "new" marker before the first unread item.
fn timeline(
    items: Vec<CommentItem>,
    events: &[weft_app::polls::TimelineEvent],
    read_before: Option<i64>,
) -> Vec<TimelineEntry> {
    let mut entries: Vec<TimelineEntry> = items
        .into_iter()
        .map(|c| TimelineEntry {
            new_marker: false,
            comment: Some(c),
            event: None,
        })
        .chain(events.iter().map(|e| TimelineEntry {
            new_marker: false,
            comment: None,
            event: Some(e.clone()),
        }))
        .collect();
    entries.sort_by_key(TimelineEntry::seq);
    if let Some(read) = read_before
        && let Some(first) = entries.iter_mut().find(|e| e.seq() > read)
    {
        first.new_marker = true;
    }
    entries
}

#[derive(Template)]
#[template(path = "threads/page.html")]
struct ThreadTemplate {
    ctx: PageCtx,
    p: ThreadPage,
    context_html: std::sync::Arc<str>,
    entries: Vec<TimelineEntry>,
    reply_to: Option<CommentItem>,
    /// Answering a poll, a vote or an outcome (an event on this page).
    reply_about: Option<weft_app::polls::TimelineEvent>,
    body: String,
    errors: ValidationErrors,
    /// What the comment form's text would read as (the form's Preview button).
    preview: Option<String>,
    can_comment: bool,
    login_to_comment: bool,
    can_edit: bool,
    can_pin: bool,
    can_close: bool,
    can_delete: bool,
    can_move: bool,
    signed_in: bool,
    prev_from: Option<i64>,
    next_from: Option<i64>,
    /// Where this page is in the timeline, and the jumps a long thread offers.
    jumps: Jumps,
    description: String,
    per_page: i64,
    guests: Vec<weft_app::guests::Guest>,
    can_add_guests: bool,
    can_remove_guests: bool,
    sees_group: bool,
    guest_emails: String,
    guest_message: String,
    /// The four volumes, for the thread's volume form.
    volumes: &'static [weft_domain::notifications::Volume],
}

/// A long thread's position and jumps: the first page, the first unread, the latest; each
/// `None` where it is this page (or, for unread, when nothing is).
pub struct Jumps {
    /// "51–100 of 1 000" (empty when the thread fits one page).
    pub position: String,
    pub first: Option<i64>,
    pub unread: Option<i64>,
    pub latest: Option<i64>,
}

impl Jumps {
    fn of(from: i64, last: i64, read_before: Option<i64>) -> Self {
        use weft_app::threads::page_start;
        use weft_domain::paging::grouped;
        let here = |f: i64| (f != from).then_some(f);
        let to = (from + COMMENTS_PER_PAGE - 1).min(last);
        Self {
            position: if last > COMMENTS_PER_PAGE {
                format!("{}–{} of {}", grouped(from), grouped(to), grouped(last))
            } else {
                String::new()
            },
            first: if last > COMMENTS_PER_PAGE { here(1) } else { None },
            unread: read_before.filter(|r| *r < last).and_then(|r| here(page_start(r + 1))),
            latest: if last > COMMENTS_PER_PAGE {
                here(page_start(last))
            } else {
                None
            },
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ThreadQuery {
    from: Option<i64>,
    reply_to: Option<CommentId>,
    /// Answer the poll, vote or outcome at this place in the timeline.
    reply_about: Option<i64>,
}

/// What the comment form replies to: a comment, or a poll's event.
#[derive(Clone, Copy, Default)]
struct ReplyTarget {
    comment: Option<CommentId>,
    about: Option<i64>,
}

fn item(p: &ThreadPage, e: &CommentEntry) -> CommentItem {
    let c = &e.comment;
    CommentItem {
        reactions: summarize(&p.reactions, c.id, p.view.viewer),
        offer: if e.may.react { &Reaction::ALL } else { &[] },
        html: to_html(&c.body),
        can_edit: e.may.edit,
        can_delete: e.may.delete,
        can_restore: e.may.restore,
        avatar: match (&c.author_name, &c.author_username, c.deleted_at) {
            (Some(name), Some(username), None) => Some(weft_domain::avatars::Avatar::of(name, username)),
            _ => None,
        },
        c: c.clone(),
    }
}

async fn thread_template(
    ctx: PageCtx,
    p: ThreadPage,
    reply: ReplyTarget,
    body: String,
    errors: ValidationErrors,
) -> ThreadTemplate {
    let reply_to = reply.comment;
    let reply_about = reply
        .about
        .and_then(|seq| p.events.iter().find(|e| e.seq == seq && e.kind.answerable()).cloned());
    prepare(std::iter::once(p.view.thread.context.as_str()).chain(p.comments.iter().map(|c| c.comment.body.as_str())))
        .await;
    let items: Vec<CommentItem> = p.comments.iter().map(|c| item(&p, c)).collect();
    let reply_to = reply_to.and_then(|id| {
        p.comments
            .iter()
            .find(|e| e.comment.id == id && e.comment.parent_id.is_none() && e.comment.deleted_at.is_none())
            .map(|c| item(&p, c))
    });
    let last = p.view.thread.last_seq;
    let signed_in = ctx.user.is_some();
    ThreadTemplate {
        volumes: weft_domain::notifications::Volume::ALL,
        context_html: to_html(&p.view.thread.context),
        description: weft_domain::markdown::to_plain_text(&p.view.thread.context)
            .chars()
            .take(200)
            .collect(),
        can_comment: p.may.comment,
        login_to_comment: p.may.log_in_to_comment,
        can_edit: p.may.edit,
        can_pin: p.may.pin,
        can_close: p.may.close,
        can_delete: p.may.delete,
        can_move: p.may.move_thread,
        prev_from: (p.from > 1).then(|| (p.from - COMMENTS_PER_PAGE).max(1)),
        next_from: (p.from + COMMENTS_PER_PAGE <= last).then_some(p.from + COMMENTS_PER_PAGE),
        jumps: Jumps::of(p.from, last, p.read_before),
        signed_in,
        per_page: COMMENTS_PER_PAGE,
        guests: p.guests.clone(),
        can_add_guests: p.may.add_guests,
        can_remove_guests: p.may.remove_guests,
        sees_group: p.view.sees_group(),
        guest_emails: String::new(),
        guest_message: String::new(),
        entries: timeline(items, &p.events, p.read_before),
        reply_to,
        reply_about,
        body,
        errors,
        preview: None,
        ctx,
        p,
    }
}

pub async fn show(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
    Path(key): Path<String>,
    Query(q): Query<ThreadQuery>,
) -> Result<Response, WebError> {
    let p = state.app.thread_page(who.as_ref(), &key, q.from).await?;
    let reply = ReplyTarget {
        comment: q.reply_to,
        about: q.reply_about,
    };
    let page = thread_template(ctx, p, reply, String::new(), ValidationErrors::new()).await;
    Ok(render(StatusCode::OK, &page))
}

#[derive(Template)]
#[template(path = "threads/comment_fragment.html")]
struct CommentFragment {
    ctx: PageCtx,
    i: CommentItem,
    t: weft_app::threads::Thread,
    from: i64,
    can_comment: bool,
}

/// One timeline item as HTML, for the live-update script. 404 once the item is gone.
pub async fn item_fragment(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
    Path((key, seq)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let (view, c, reactions) = state.app.thread_item(who.as_ref(), &key, seq).await?;
    let page = ThreadPage {
        may: view.permissions(),
        view,
        comments: Vec::new(),
        from: ((seq.max(1) - 1) / COMMENTS_PER_PAGE) * COMMENTS_PER_PAGE + 1,
        read_before: None,
        reactions,
        tags: Vec::new(),
        volume_choice: None,
        volume: weft_domain::threads::Volume::Normal,
        guests: Vec::new(),
        events: Vec::new(),
        polls: Vec::new(),
    };
    prepare([c.comment.body.as_str()]).await;
    let fragment = CommentFragment {
        i: item(&page, &c),
        can_comment: page.may.comment,
        t: page.view.thread.clone(),
        from: page.from,
        ctx,
    };
    let mut res = render(StatusCode::OK, &fragment);
    res.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(res)
}

#[derive(Template)]
#[template(path = "threads/history.html")]
struct HistoryPage {
    ctx: PageCtx,
    v: ThreadView,
    heading: String,
    current_title: Option<String>,
    current_html: String,
    revisions: Vec<(Revision, String)>,
}

pub async fn history(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    let (v, list) = state.app.thread_history(who.as_ref(), &key).await?;
    prepare(std::iter::once(v.thread.context.as_str()).chain(list.iter().map(|r| r.body.as_str()))).await;
    let page = HistoryPage {
        ctx,
        heading: format!("History of “{}”", v.thread.title),
        current_title: Some(v.thread.title.clone()),
        current_html: to_html(&v.thread.context).to_string(),
        revisions: with_html(list),
        v,
    };
    Ok(render(StatusCode::OK, &page))
}

/// Each earlier version with its rendered text.
fn with_html(list: Vec<Revision>) -> Vec<(Revision, String)> {
    list.into_iter()
        .map(|r| {
            let html = to_html(&r.body).to_string();
            (r, html)
        })
        .collect()
}

pub async fn comment_history(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
    Path((key, id)): Path<(String, CommentId)>,
) -> Result<Response, WebError> {
    let (v, c, list) = state.app.comment_history(who.as_ref(), &key, id).await?;
    prepare(std::iter::once(c.body.as_str()).chain(list.iter().map(|r| r.body.as_str()))).await;
    let page = HistoryPage {
        ctx,
        heading: format!(
            "History of a comment by {}",
            c.author_name.as_deref().unwrap_or(if c.author_deactivated {
                "a deactivated member"
            } else {
                "a deleted member"
            })
        ),
        current_title: None,
        current_html: to_html(&c.body).to_string(),
        revisions: with_html(list),
        v,
    };
    Ok(render(StatusCode::OK, &page))
}

// ---- thread actions ----

/// Pin, unpin, close, reopen, or mark as read.
pub async fn change(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    Path((key, change)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let action = match change.as_str() {
        "pin" | "unpin" => ThreadAction::Pin,
        "close" | "reopen" => ThreadAction::Close,
        "read" => ThreadAction::See,
        _ => return Err(AppError::NotFound.into()),
    };
    let who = signed_in_on(&state, who, &key, action).await?;
    let notice = match change.as_str() {
        "pin" => state
            .app
            .set_thread_pinned(&who, &key, true)
            .await
            .map(|()| Notice::ThreadPinned),
        "unpin" => state
            .app
            .set_thread_pinned(&who, &key, false)
            .await
            .map(|()| Notice::ThreadUnpinned),
        "close" => state
            .app
            .set_thread_closed(&who, &key, true)
            .await
            .map(|()| Notice::ThreadClosed),
        "reopen" => state
            .app
            .set_thread_closed(&who, &key, false)
            .await
            .map(|()| Notice::ThreadReopened),
        _ => state
            .app
            .mark_thread_read(&who, &key)
            .await
            .map(|()| Notice::ThreadRead),
    }?;
    Ok(Redirect::to(&notice.on(&format!("/t/{key}"))).into_response())
}

#[derive(Template)]
#[template(path = "threads/delete.html")]
struct DeletePage {
    ctx: PageCtx,
    v: ThreadView,
}

pub async fn delete_page(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    let who = signed_in_on(&state, who, &key, ThreadAction::Delete).await?;
    let v = state.app.thread_for(Some(&who), &key, ThreadAction::Delete).await?;
    Ok(render(StatusCode::OK, &DeletePage { ctx, v }))
}

pub async fn delete(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    let who = signed_in_on(&state, who, &key, ThreadAction::Delete).await?;
    let group = state.app.delete_thread(&who, &key).await?;
    Ok(Redirect::to(&Notice::ThreadDeleted.on(&format!("/g/{group}"))).into_response())
}

// ---- comments ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CommentForm {
    body: String,
    parent: Option<CommentId>,
    about: Option<i64>,
    /// The Preview button: show what it would read as, post nothing.
    preview: Option<String>,
}

pub async fn comment(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
    Path(key): Path<String>,
    Form(form): Form<CommentForm>,
) -> Result<Response, WebError> {
    let who = signed_in_on(&state, who, &key, ThreadAction::Comment).await?;
    let posted = match preview_only(form.preview.is_some()) {
        Some(nothing) => nothing,
        None => {
            state
                .app
                .add_comment_about(&who, &key, &form.body, form.parent, form.about)
                .await
        }
    };
    match posted {
        Ok(seq) => Ok(Redirect::to(&format!("/t/{key}?from={seq}#c{seq}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            // Show the page again with what was typed and the reason, at the end of the thread.
            let last = state
                .app
                .thread_for(Some(&who), &key, ThreadAction::See)
                .await?
                .thread
                .last_seq;
            let p = state.app.thread_page(Some(&who), &key, Some(last.max(1))).await?;
            let reply = ReplyTarget {
                comment: form.parent,
                about: form.about,
            };
            let (status, preview) = previewed(form.preview.is_some(), &form.body, &errors).await;
            let mut page = thread_template(ctx, p, reply, form.body, errors).await;
            page.preview = preview;
            Ok(render(status, &page))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "threads/comment_edit.html")]
struct CommentEditPage {
    ctx: PageCtx,
    v: ThreadView,
    c: Comment,
    body: String,
    errors: ValidationErrors,
    preview: Option<String>,
}

pub async fn edit_comment_form(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
    Path((key, id)): Path<(String, CommentId)>,
) -> Result<Response, WebError> {
    let who = signed_in_on(&state, who, &key, ThreadAction::See).await?;
    let (v, c) = state.app.comment_to_edit(&who, &key, id).await?;
    let body = c.body.clone();
    let page = CommentEditPage {
        ctx,
        v,
        c,
        body,
        errors: ValidationErrors::new(),
        preview: None,
    };
    Ok(render(StatusCode::OK, &page))
}

pub async fn edit_comment(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
    Path((key, id)): Path<(String, CommentId)>,
    Form(form): Form<CommentForm>,
) -> Result<Response, WebError> {
    let who = signed_in_on(&state, who, &key, ThreadAction::See).await?;
    let saved = match preview_only(form.preview.is_some()) {
        Some(nothing) => nothing,
        None => state.app.edit_comment(&who, &key, id, &form.body).await,
    };
    match saved {
        Ok(seq) => Ok(Redirect::to(&format!("/t/{key}?from={seq}#c{seq}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let (v, c) = state.app.comment_to_edit(&who, &key, id).await?;
            let (status, preview) = previewed(form.preview.is_some(), &form.body, &errors).await;
            let page = CommentEditPage {
                ctx,
                v,
                c,
                body: form.body,
                errors,
                preview,
            };
            Ok(render(status, &page))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "threads/comment_delete.html")]
struct CommentDeletePage {
    ctx: PageCtx,
    v: ThreadView,
    c: Comment,
    html: std::sync::Arc<str>,
    has_replies: bool,
    /// How long it can be brought back.
    undo_minutes: i64,
}

/// `GET /t/{key}/comments/{id}/delete`: what deleting would erase, and the button that does.
pub async fn delete_comment_form(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
    Path((key, id)): Path<(String, CommentId)>,
) -> Result<Response, WebError> {
    let who = signed_in_on(&state, who, &key, ThreadAction::See).await?;
    let (v, c, has_replies) = state.app.comment_to_delete(&who, &key, id).await?;
    prepare([c.body.as_str()]).await;
    let page = CommentDeletePage {
        html: to_html(&c.body),
        ctx,
        v,
        c,
        has_replies,
        undo_minutes: weft_domain::threads::UNDO_DELETE.micros() / 60_000_000,
    };
    Ok(render(StatusCode::OK, &page))
}

pub async fn delete_comment(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    Path((key, id)): Path<(String, CommentId)>,
) -> Result<Response, WebError> {
    let who = signed_in_on(&state, who, &key, ThreadAction::See).await?;
    let (seq, _) = state.app.delete_comment(&who, &key, id).await?;
    Ok(Redirect::to(&Notice::CommentDeleted.on(&format!("/t/{key}?from={seq}#c{seq}"))).into_response())
}

/// `POST /t/{key}/comments/{id}/restore`: brings back a comment its deleter deleted a moment ago.
pub async fn restore_comment(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    Path((key, id)): Path<(String, CommentId)>,
) -> Result<Response, WebError> {
    let who = signed_in_on(&state, who, &key, ThreadAction::See).await?;
    let seq = state.app.restore_comment(&who, &key, id).await?;
    Ok(Redirect::to(&Notice::CommentRestored.on(&format!("/t/{key}?from={seq}#c{seq}"))).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReactForm {
    reaction: String,
}

/// Adds or takes back a reaction, then back to the comment.
pub async fn react(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    Path((key, id)): Path<(String, CommentId)>,
    Form(form): Form<ReactForm>,
) -> Result<Response, WebError> {
    let who = signed_in_on(&state, who, &key, ThreadAction::Comment).await?;
    let (seq, _) = state.app.toggle_reaction(&who, &key, id, &form.reaction).await?;
    Ok(Redirect::to(&format!("/t/{key}?from={seq}#c{seq}")).into_response())
}

#[derive(Template)]
#[template(path = "threads/move.html")]
struct MovePage {
    ctx: PageCtx,
    v: ThreadView,
    targets: Vec<weft_app::groups::Group>,
    errors: ValidationErrors,
}

pub async fn move_form(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
    Path(key): Path<String>,
) -> Result<Response, WebError> {
    let who = signed_in_on(&state, who, &key, ThreadAction::Move).await?;
    let v = state.app.thread_for(Some(&who), &key, ThreadAction::Move).await?;
    let targets = state.app.move_targets(&who, &v).await?;
    let page = MovePage {
        ctx,
        v,
        targets,
        errors: ValidationErrors::new(),
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MoveForm {
    group: String,
}

pub async fn move_thread(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
    Path(key): Path<String>,
    Form(form): Form<MoveForm>,
) -> Result<Response, WebError> {
    let who = signed_in_on(&state, who, &key, ThreadAction::Move).await?;
    match state.app.move_thread(&who, &key, &form.group).await {
        Ok(()) => Ok(Redirect::to(&Notice::ThreadMoved.on(&format!("/t/{key}"))).into_response()),
        Err(AppError::Invalid(errors)) => {
            let v = state.app.thread_for(Some(&who), &key, ThreadAction::Move).await?;
            let targets = state.app.move_targets(&who, &v).await?;
            let page = MovePage {
                ctx,
                v,
                targets,
                errors,
            };
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

// ---- guests ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct GuestForm {
    emails: String,
    message: String,
}

/// Invites guests into the thread by email.
pub async fn invite_guests(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    ctx: PageCtx,
    Path(key): Path<String>,
    Form(form): Form<GuestForm>,
) -> Result<Response, WebError> {
    let who = signed_in_on(&state, who, &key, ThreadAction::AddGuests).await?;
    let input = weft_app::invitations::InviteInput {
        emails: form.emails.clone(),
        message: form.message.clone(),
    };
    match state.app.invite_guests(&who, &key, &input).await {
        Ok(_) => Ok(Redirect::to(&Notice::GuestsInvited.on(&format!("/t/{key}#guests"))).into_response()),
        Err(AppError::Invalid(errors)) => {
            let p = state.app.thread_page(Some(&who), &key, None).await?;
            let mut page = thread_template(ctx, p, ReplyTarget::default(), String::new(), errors).await;
            page.guest_emails = form.emails;
            page.guest_message = form.message;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn remove_guest(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    Path((key, user)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let who = signed_in_on(&state, who, &key, ThreadAction::Pin).await?;
    state.app.remove_guest(&who, &key, &user).await?;
    Ok(Redirect::to(&Notice::GuestRemoved.on(&format!("/t/{key}#guests"))).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct VolumeForm {
    volume: String,
}

/// Follow, normal or mute.
pub async fn volume(
    State(state): State<AppState>,
    MaybeUser(who): MaybeUser,
    Path(key): Path<String>,
    Form(form): Form<VolumeForm>,
) -> Result<Response, WebError> {
    let who = signed_in_on(&state, who, &key, ThreadAction::See).await?;
    state.app.set_thread_volume(&who, &key, &form.volume).await?;
    Ok(Redirect::to(&Notice::VolumeSaved.on(&format!("/t/{key}#volume"))).into_response())
}

/// A poll's state as the page is rendered (its decision card).
pub fn poll_state(now: &weft_domain::Timestamp, poll: &weft_app::polls::Poll) -> weft_domain::polls::PollState {
    weft_domain::polls::PollState::at(*now, poll.opening_at, poll.closing_at, poll.closed_at)
}
