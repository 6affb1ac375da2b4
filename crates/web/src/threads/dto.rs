//! The thread API's response shapes, built from the app layer's views. Each field is what a client
//! reads; permissions come decided from the view, never recomputed here.

use serde::Serialize;
use weft_app::threads::{
    CommentEntry, CommentId, ListedThread, ReactionRow, ThreadPage, ThreadPermissions, ThreadView, summarize,
};

/// A group as a thread names it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GroupRef {
    pub key: String,
    pub name: String,
}

/// A person as content names them: never their email.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PersonRef {
    pub name: Option<String>,
    pub username: Option<String>,
}

/// `GET /threads/{key}` without its timeline, and what creating or editing a thread answers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ThreadDto {
    pub key: String,
    pub group: GroupRef,
    pub title: String,
    pub context: String,
    pub context_html: String,
    pub private: bool,
    pub author: Option<String>,
    pub pinned: bool,
    pub closed: bool,
    pub comment_count: i64,
    pub last_seq: i64,
    pub created_at: String,
    pub edited_at: Option<String>,
    pub last_activity_at: String,
    /// What the viewer may do: comment, edit, pin, close, delete, move, add_guests, remove_guests.
    pub permissions: Vec<&'static str>,
}

impl ThreadDto {
    /// The context's HTML must be in the markdown cache already (`markdown_cache::prepare`).
    pub fn from_view(v: &ThreadView) -> Self {
        Self::with_permissions(v, &v.permissions())
    }

    /// As `from_view`, with the permissions the page already decided.
    fn with_permissions(v: &ThreadView, may: &ThreadPermissions) -> Self {
        let t = &v.thread;
        Self {
            key: t.key.clone(),
            group: GroupRef {
                key: v.group.key.clone(),
                name: v.group.name.clone(),
            },
            title: t.title.clone(),
            context: t.context.clone(),
            context_html: crate::markdown_cache::to_html(&t.context).to_string(),
            private: t.private,
            author: t.author_name.clone(),
            pinned: t.pinned_at.is_some(),
            closed: t.closed_at.is_some(),
            comment_count: t.comment_count,
            last_seq: t.last_seq,
            created_at: t.created_at.rfc3339(),
            edited_at: t.edited_at.map(weft_domain::Timestamp::rfc3339),
            last_activity_at: t.last_activity_at.rfc3339(),
            permissions: may.names(),
        }
    }
}

/// `GET /threads/{key}?from=`: the thread and one page of its timeline.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ThreadPageDto {
    #[serde(flatten)]
    pub thread: ThreadDto,
    pub comments: Vec<CommentDto>,
    /// The timeline's other items on this page (a poll raised, a vote, an outcome, the thread
    /// edited, closed, reopened or moved), numbered in the same sequence as the comments.
    pub events: Vec<EventDto>,
    pub from: i64,
    pub read_before: Option<i64>,
    pub tags: Vec<String>,
    /// How loudly the signed-in viewer follows the thread; absent for visitors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume: Option<&'static str>,
}

impl ThreadPageDto {
    /// Every text's HTML must be in the markdown cache already.
    pub fn from_page(p: &ThreadPage, signed_in: bool) -> Self {
        Self {
            thread: ThreadDto::with_permissions(&p.view, &p.may),
            comments: p
                .comments
                .iter()
                .map(|c| CommentDto::from_entry(&p.view, c, &p.reactions))
                .collect(),
            events: p.events.iter().map(EventDto::new).collect(),
            from: p.from,
            read_before: p.read_before,
            tags: p.tags.clone(),
            volume: signed_in.then(|| p.volume.as_str()),
        }
    }
}

/// One item of a timeline that is not a comment.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EventDto {
    pub seq: i64,
    /// `poll_raised`, `voted`, `poll_closed`, `poll_reopened`, `outcome_written`,
    /// `thread_edited`, `thread_closed`, `thread_reopened` or `thread_moved`.
    pub kind: &'static str,
    /// Who did it; `null` for the server (a poll closing on time) or a former member.
    pub actor: Option<String>,
    /// The poll it is about, if any.
    pub poll_key: Option<String>,
    pub poll_title: Option<String>,
    pub created_at: String,
}

impl EventDto {
    pub fn new(e: &weft_app::polls::TimelineEvent) -> Self {
        let poll = !e.poll_key.is_empty();
        Self {
            seq: e.seq,
            kind: e.kind.as_str(),
            actor: e.actor_name.clone(),
            poll_key: poll.then(|| e.poll_key.clone()),
            poll_title: poll.then(|| e.poll_title.clone()),
            created_at: e.created_at.rfc3339(),
        }
    }
}

/// One comment of a timeline page.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CommentDto {
    #[schema(value_type = i64)]
    pub id: CommentId,
    pub seq: i64,
    #[schema(value_type = Option<i64>)]
    pub parent_id: Option<CommentId>,
    /// The timeline place of the poll, vote or outcome it answers.
    pub about_seq: Option<i64>,
    /// `null` once the comment is deleted.
    pub author: Option<PersonRef>,
    pub body: String,
    pub body_html: String,
    pub deleted: bool,
    pub created_at: String,
    pub edited_at: Option<String>,
    /// What the viewer may do with it: edit, delete, react.
    pub permissions: Vec<&'static str>,
    pub reactions: Vec<ReactionDto>,
}

impl CommentDto {
    pub fn from_entry(v: &ThreadView, e: &CommentEntry, reactions: &[ReactionRow]) -> Self {
        let c = &e.comment;
        let deleted = c.deleted_at.is_some();
        Self {
            id: c.id,
            seq: c.seq,
            parent_id: c.parent_id,
            about_seq: c.about.as_ref().map(|a| a.seq),
            author: (!deleted).then(|| PersonRef {
                name: c.author_name.clone(),
                username: c.author_username.clone(),
            }),
            body: c.body.clone(),
            body_html: crate::markdown_cache::to_html(&c.body).to_string(),
            deleted,
            created_at: c.created_at.rfc3339(),
            edited_at: c.edited_at.map(weft_domain::Timestamp::rfc3339),
            permissions: e.may.names(),
            reactions: summarize(reactions, c.id, v.viewer)
                .iter()
                .map(|r| ReactionDto {
                    reaction: r.reaction.as_str(),
                    emoji: r.reaction.emoji(),
                    count: r.count(),
                    names: r.names.clone(),
                    mine: r.mine,
                })
                .collect(),
        }
    }
}

/// One kind of reaction on a comment, summed up.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReactionDto {
    pub reaction: &'static str,
    pub emoji: &'static str,
    pub count: usize,
    pub names: Vec<String>,
    pub mine: bool,
}

/// A thread in a group's list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ListedThreadDto {
    pub key: String,
    pub title: String,
    pub group: GroupRef,
    pub private: bool,
    pub pinned: bool,
    pub closed: bool,
    pub comment_count: i64,
    pub last_activity_at: String,
    /// Comments the viewer has not read; `null` for visitors.
    pub unread: Option<i64>,
    pub tags: Vec<String>,
}

impl ListedThreadDto {
    pub fn from_listed(lt: &ListedThread, signed_in: bool) -> Self {
        let t = &lt.thread;
        Self {
            key: t.key.clone(),
            title: t.title.clone(),
            group: GroupRef {
                key: lt.group_key.clone(),
                name: lt.group_name.clone(),
            },
            private: t.private,
            pinned: t.pinned_at.is_some(),
            closed: t.closed_at.is_some(),
            comment_count: t.comment_count,
            last_activity_at: t.last_activity_at.rfc3339(),
            unread: signed_in.then(|| lt.unread()),
            tags: lt.tags.clone(),
        }
    }
}
