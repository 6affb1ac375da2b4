//! What a notification says and where it leads, written when it is read.

use weft_domain::notifications::Kind;
use weft_store::notifications::Listed;

use super::Notification;

/// The sentence and link of one listed notification.
pub(super) fn shown(n: &Listed) -> Notification {
    let who = n.actor_name.as_deref().unwrap_or("Someone");
    let thread = n.thread.as_ref().map_or("a thread", |t| t.title.as_str());
    let poll = n.poll.as_ref().map_or("a poll", |p| p.title.as_str());
    let group = n.group.name.as_str();
    let others = match n.count - 1 {
        0 => String::new(),
        1 => " and 1 other".to_owned(),
        more => format!(" and {more} others"),
    };
    let text = match n.kind {
        Kind::Mention => format!("{who} mentioned you in “{thread}”"),
        Kind::Reply => format!("{who} replied to your comment in “{thread}”"),
        Kind::Comment => format!("{who} commented in “{thread}”"),
        Kind::Thread => format!("{who} started “{thread}”"),
        Kind::Poll => format!("{who} raised a poll: “{poll}”"),
        Kind::Vote => format!("{who}{others} voted in “{poll}”"),
        Kind::ClosingSoon => format!("“{poll}” closes within a day"),
        Kind::Reminder => format!("{who} reminds you to vote in “{poll}”"),
        Kind::Outcome => format!("“{poll}” has an outcome"),
        Kind::Reaction => format!("{who}{others} reacted to your comment in “{thread}”"),
        Kind::Joined => format!("{who} accepted your invitation to {group}"),
        Kind::Request => format!("{who} asks to join {group}"),
    };
    let link = match (&n.thread, &n.poll, n.kind) {
        (Some(t), _, _) if n.seq > 0 => format!("/t/{}?from={}#c{}", t.key, n.seq, n.seq),
        (_, Some(p), _) => format!("/p/{}", p.key),
        (Some(t), None, _) => format!("/t/{}", t.key),
        (None, None, Kind::Request) => format!("/g/{}/requests", n.group.key),
        (None, None, _) => format!("/g/{}/members", n.group.key),
    };
    Notification {
        id: n.id,
        kind: n.kind,
        text,
        link,
        group_name: n.group.name.clone(),
        at: n.created_at,
        unread: n.read_at.is_none(),
    }
}
