//! Writing notifications: for each person concerned, the rule (`delivery`) says from the event
//! and their effective volume whether it shows in the app and whether it is emailed. The caller
//! has already kept only people who may see the thing; it queues the emails `deliver` returns
//! and rings the bells once its transaction commits.

use weft_domain::UserState;
use weft_domain::notifications::{Event, Volume, delivery};
use weft_store::Conn;
use weft_store::groups::GroupId;
use weft_store::notifications::{self, NewNotification};
use weft_store::polls::PollId;
use weft_store::threads::ThreadId;
use weft_store::users::{User, UserId};

use crate::{App, AppError};

/// What a batch of notifications is about.
#[derive(Debug, Clone, Copy)]
pub(crate) struct About {
    pub group: GroupId,
    pub thread: Option<ThreadId>,
    pub poll: Option<PollId>,
    /// The timeline item (0: the thread or poll itself).
    pub seq: i64,
    /// Who did it (`None`: nobody to name, as for an anonymous vote or a poll closing).
    pub actor: Option<UserId>,
}

/// What `deliver` did: whom to email (with the event as it concerns them), whose bell to ring
/// after the commit.
#[derive(Debug, Default)]
pub(crate) struct Delivered {
    pub email: Vec<(User, Event)>,
    pub notified: Vec<UserId>,
}

impl App {
    /// Writes the in-app notifications of `people` (each with their effective volume and the
    /// event as it concerns them), never to the one who acted nor to an inactive account, and
    /// answers whom the rule says to email. In the caller's transaction.
    pub(crate) async fn deliver(
        &self,
        tx: &mut Conn,
        about: &About,
        people: Vec<(User, Volume, Event)>,
    ) -> Result<Delivered, AppError> {
        let mut rows = Vec::new();
        let mut done = Delivered::default();
        for (user, volume, event) in people {
            if Some(user.id) == about.actor || user.state != UserState::Active {
                continue;
            }
            let d = delivery(event, volume);
            if d.in_app {
                rows.push(NewNotification {
                    user_id: user.id,
                    kind: event.kind(),
                    group_id: about.group,
                    thread_id: about.thread,
                    poll_id: about.poll,
                    seq: about.seq,
                    actor_id: about.actor,
                });
                done.notified.push(user.id);
            }
            if d.email {
                done.email.push((user, event));
            }
        }
        notifications::insert_many(tx, &rows, self.clock.now()).await?;
        Ok(done)
    }

    /// A reaction to `author`'s comment: one notification per comment, counting who reacted.
    pub(crate) async fn deliver_reaction(
        &self,
        tx: &mut Conn,
        about: &About,
        author: &User,
        volume: Volume,
    ) -> Result<bool, AppError> {
        if Some(author.id) == about.actor
            || author.state != UserState::Active
            || !delivery(Event::Reaction, volume).in_app
        {
            return Ok(false);
        }
        let n = NewNotification {
            user_id: author.id,
            kind: Event::Reaction.kind(),
            group_id: about.group,
            thread_id: about.thread,
            poll_id: about.poll,
            seq: about.seq,
            actor_id: about.actor,
        };
        notifications::add_reaction(tx, &n, self.clock.now()).await?;
        Ok(true)
    }
}

impl App {
    /// News of the group itself for these people (a request to join, for its coordinators; an
    /// accepted invitation, for its inviter), at their volume for the group. Answers whose bell
    /// to ring once the transaction commits.
    pub(crate) async fn notify_group_news(
        &self,
        tx: &mut Conn,
        group: GroupId,
        event: Event,
        actor: UserId,
        people: &[UserId],
    ) -> Result<Vec<UserId>, AppError> {
        let people = notifications::with_group_volume(tx, group, people)
            .await?
            .into_iter()
            .map(|(u, v)| (u, v, event))
            .collect();
        let about = About {
            group,
            thread: None,
            poll: None,
            seq: 0,
            actor: Some(actor),
        };
        Ok(self.deliver(tx, &about, people).await?.notified)
    }
}
