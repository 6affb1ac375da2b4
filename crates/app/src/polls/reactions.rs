//! Reactions on a poll, on a vote in it, or on its outcome: whoever takes part may react (the
//! poll's `React` action), and a vote can be reacted to only by those who may see it.

use weft_domain::permissions::PollAction;
use weft_domain::threads::Reaction;
use weft_store::polls::{self, PollReactionRow, ReactionTarget};

use crate::threads::ReactionSummary;
use crate::{App, AppError, SessionUser};

impl App {
    /// Adds or takes back a reaction. Returns whether it is there now.
    pub async fn react_in_poll(
        &self,
        who: &SessionUser,
        key: &str,
        target: ReactionTarget,
        reaction: &str,
    ) -> Result<bool, AppError> {
        let view = self
            .open_poll(&mut *self.store.reader().await?, Some(who), key, PollAction::React)
            .await?;
        let reaction = Reaction::parse(reaction).map_err(|e| AppError::field("reaction", e.message))?;
        let mut tx = self.store.begin().await?;
        let there = match target {
            ReactionTarget::Poll => true,
            // A vote is there to react to only for who may see who voted what.
            ReactionTarget::Vote(id) => {
                view.may.see_voters && polls::is_current_vote(&mut tx, view.poll.id, id).await?
            }
            ReactionTarget::Outcome(id) => polls::current_outcome(&mut tx, view.poll.id)
                .await?
                .is_some_and(|o| o.id.0 == id),
        };
        if !there {
            return Err(AppError::NotFound);
        }
        let on = polls::toggle_poll_reaction(
            &mut tx,
            view.poll.id,
            target,
            who.user.id,
            reaction.as_str(),
            self.clock.now(),
        )
        .await?;
        tx.commit().await?;
        self.publish_poll(&view, None).await;
        Ok(on)
    }
}

/// The reactions on `target`, summed up in the order the buttons are offered.
pub fn summarize_poll(
    rows: &[PollReactionRow],
    target: ReactionTarget,
    viewer: Option<weft_store::users::UserId>,
) -> Vec<ReactionSummary> {
    crate::threads::summarize_by(
        rows.iter()
            .filter(|r| r.target == target)
            .map(|r| (r.user_id, r.name.as_str(), r.emoji.as_str())),
        viewer,
    )
}
