//! The privacy centre: deactivating (P9) and deleting (P10) one's account. Personal-data export
//! (P8) joins this module next.

use weft_domain::{SecretToken, Timestamp, UserState};
use weft_mail::EmailContent;
use weft_store::{StoreError, groups, guests, invitations, outbox, sessions, unsubscribe, users};

use crate::emails::Kind;
use crate::{App, AppError, SessionUser};

/// What deleting an account removed and what it kept, shown and emailed at that moment (P10).
#[derive(Debug, Clone)]
pub struct DeletionReceipt {
    pub at: Timestamp,
    pub deleted: Vec<&'static str>,
    pub kept: Vec<&'static str>,
}

impl DeletionReceipt {
    /// What deleting now would do, for the warning page.
    pub fn preview(at: Timestamp) -> Self {
        Self::new(at)
    }

    fn new(at: Timestamp) -> Self {
        Self {
            at,
            deleted: vec![
                "your profile: name, username, email address and password",
                "your sessions, log-in links and unsubscribe links, with the masked IP addresses they held",
                "your memberships, membership requests and guest access",
                "your reactions and how far you had read each thread",
                "invitations sent to your address, and the emails we sent you",
            ],
            kept: vec![
                "the threads and comments you wrote, and their earlier versions, now shown as by “a deleted member”, so the discussions they belong to still make sense; ask a group's coordinators to delete your content there",
                "invitations you sent that are still pending, without your name",
            ],
        }
    }

    fn email(&self, instance: &str) -> EmailContent {
        let mut paragraphs = vec![format!(
            "Your account on {instance} was deleted on {}. It cannot be restored.",
            self.at.display_utc()
        )];
        paragraphs.push("Deleted:".into());
        paragraphs.extend(self.deleted.iter().map(|d| format!("– {d}")));
        paragraphs.push("Kept:".into());
        paragraphs.extend(self.kept.iter().map(|k| format!("– {k}")));
        EmailContent {
            subject: format!("Your account on {instance} is deleted"),
            greeting_name: "there".into(),
            paragraphs,
            action: None,
            code: None,
            closing: vec!["This is the last email we send to this address. We keep no copy of it.".into()],
            footer_reason: "You deleted your account.".into(),
        }
    }
}

impl App {
    /// P9: hides the person's name from their content, stops all email, ends every session. A
    /// log-in through an emailed link brings everything back.
    pub async fn deactivate_account(&self, who: &SessionUser, current_password: &str) -> Result<(), AppError> {
        self.reauthenticate(who, current_password).await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        users::set_state(&mut tx, who.user.id, UserState::Deactivated, now).await?;
        sessions::delete_all_for_user(&mut tx, who.user.id, None).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// P10: deletes the account for good. Content stays, attributed to "a deleted member"; every
    /// personal row goes. The receipt is shown and emailed to the address before it is erased. The
    /// only coordinator of a group must hand over (or delete the group) first.
    pub async fn delete_account(&self, who: &SessionUser, current_password: &str) -> Result<DeletionReceipt, AppError> {
        self.reauthenticate(who, current_password).await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let sole = groups::solely_coordinated(&mut tx, who.user.id).await?;
        if !sole.is_empty() {
            return Err(AppError::field(
                "account",
                format!(
                    "You are the only coordinator of {}. Make someone else a coordinator, or delete the group, first.",
                    sole.join(", ")
                ),
            ));
        }
        let email = who.user.email.clone();
        invitations::delete_for_address(&mut tx, &email).await?;
        guests::delete_invitations_for_address(&mut tx, &email).await?;
        outbox::delete_for_account(&mut tx, who.user.id, email.as_str()).await?;
        outbox::erase_sent_by(&mut tx, who.user.id).await?;
        users::delete(&mut tx, who.user.id).await?;
        let receipt = DeletionReceipt::new(now);
        // The receipt row holds the address until it is delivered, then goes (outbox::mark_sent).
        // Its unsubscribe link works like any other (P15) and knows only a fingerprint.
        let token = SecretToken::generate();
        unsubscribe::insert_for_address(
            &mut tx,
            &token.hash(),
            &email.fingerprint(),
            now,
            now.plus(self.config.retention.unsubscribe_links),
        )
        .await?;
        self.enqueue(
            &mut tx,
            None,
            None,
            &email,
            Kind::DeletionReceipt,
            &receipt.email(&self.config.instance_name),
            &token,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        self.wake_mailer();
        Ok(receipt)
    }
}
