//! P13: instance administrators read a private group's content only through support access that
//! the group's coordinators open for a limited time, or through maintenance access an
//! administrator opens with a stated reason (the coordinators are emailed at once). Either way,
//! every read is written to the group's access log, which its coordinators read.

use weft_domain::Duration;
use weft_domain::permissions::Action;
pub use weft_store::support::{Access, Grant};
use weft_store::{groups, support, users};

use crate::emails::{Cause, Kind};
use crate::groups::GroupView;
use crate::{App, AppError, SessionUser};

/// How long coordinators may open support access for.
pub const SUPPORT_DURATIONS: [(i64, &str); 3] = [(1, "one hour"), (24, "one day"), (168, "one week")];
/// Maintenance access lasts one hour; opening it again is logged again.
pub const MAINTENANCE: Duration = Duration::hours(1);
/// Reloads of the same page within this window are one entry in the log.
const LOG_WINDOW: Duration = Duration::minutes(10);

/// The support-access state of a group, for its coordinators and the instance admins.
#[derive(Debug, Clone)]
pub struct SupportState {
    pub grant: Option<Grant>,
    pub log: Vec<Access>,
}

impl App {
    /// A coordinator opens support access for `hours` (one of `SUPPORT_DURATIONS`).
    pub async fn grant_support_access(&self, who: &SessionUser, key: &str, hours: i64) -> Result<(), AppError> {
        let view = self.group_for(Some(who), key, Action::GrantSupport).await?;
        if !SUPPORT_DURATIONS.iter().any(|(h, _)| *h == hours) {
            return Err(AppError::field("hours", "Choose one hour, one day or one week."));
        }
        let now = self.clock.now();
        let mut conn = self.store.writer().await?;
        support::grant(
            &mut conn,
            view.group.id,
            who.user.id,
            "",
            false,
            now,
            now.plus(Duration::hours(hours)),
        )
        .await?;
        Ok(())
    }

    /// A coordinator ends every open grant (support or maintenance) at once.
    pub async fn end_support_access(&self, who: &SessionUser, key: &str) -> Result<(), AppError> {
        let view = self.group_for(Some(who), key, Action::GrantSupport).await?;
        support::end_all(&mut *self.store.writer().await?, view.group.id, self.clock.now()).await?;
        Ok(())
    }

    /// An instance administrator opens one hour of maintenance access with a reason the
    /// coordinators read in their email and in the access log.
    pub async fn open_maintenance_access(&self, who: &SessionUser, key: &str, reason: &str) -> Result<(), AppError> {
        self.require_instance_admin(who, weft_domain::permissions::InstanceAction::OpenMaintenanceAccess)?;
        let view = self.group_for(Some(who), key, Action::SeeGroup).await?;
        let reason = reason.trim();
        if reason.chars().count() < 10 {
            return Err(AppError::field(
                "reason",
                "Give the reason in a sentence: the group's coordinators will read it.",
            ));
        }
        if reason.chars().count() > 500 {
            return Err(AppError::field("reason", "At most 500 characters."));
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        support::grant(
            &mut tx,
            view.group.id,
            who.user.id,
            reason,
            true,
            now,
            now.plus(MAINTENANCE),
        )
        .await?;
        let content = weft_mail::wording::Wording::content(&weft_mail::wording::MaintenanceAccess {
            instance: weft_mail::Line::new(&self.config.instance_name),
            name: weft_mail::Line::new(""),
            staff: weft_mail::Line::new(&who.user.name),
            group: weft_mail::Line::new(&view.group.name),
            reason: reason.to_owned(),
            link: weft_mail::Line::new(self.config.url(&format!("/g/{key}/support"))),
        });
        for admin_id in groups::admin_ids(&mut tx, view.group.id).await? {
            if let Some(admin) = users::find(&mut tx, admin_id).await? {
                let mut c = content.clone();
                c.greeting_name.clone_from(&admin.name);
                self.queue_email_from(
                    &mut tx,
                    Cause::by(who.user.id).about(view.group.id),
                    &admin,
                    None,
                    Kind::SupportAccess,
                    &c,
                )
                .await?;
            }
        }
        tx.commit().await?;
        self.wake_mailer();
        Ok(())
    }

    /// The open grant and the access log: for the group's coordinators (and, without the log,
    /// for instance admins, so they know whether they may read).
    pub async fn support_state(&self, who: &SessionUser, key: &str) -> Result<(GroupView, SupportState), AppError> {
        let view = self.group_for(Some(who), key, Action::SeeGroup).await?;
        crate::groups::decide(view.decide(Action::SeeSupport))?;
        let coordinator = view.may(Action::GrantSupport);
        let mut conn = self.store.reader().await?;
        let grant = support::active(&mut conn, view.group.id, self.clock.now()).await?;
        let log = if coordinator {
            support::log_for_group(&mut conn, view.group.id).await?
        } else {
            Vec::new()
        };
        Ok((view, SupportState { grant, log }))
    }

    /// Writes an instance admin's read of private content to the group's access log. Called by
    /// every use case that shows private content, whenever the reader reads through support.
    pub(crate) async fn log_support_read(
        &self,
        who: Option<&SessionUser>,
        actor: &weft_domain::permissions::Actor,
        group_id: weft_store::groups::GroupId,
        what: &str,
    ) -> Result<(), AppError> {
        let Some(who) = who else { return Ok(()) };
        if !actor.reads_as_support() {
            return Ok(());
        }
        let now = self.clock.now();
        let mut conn = self.store.writer().await?;
        let reason = match support::active(&mut conn, group_id, now).await? {
            Some(g) if g.maintenance => format!("maintenance: {}", g.reason),
            Some(g) => match g.granted_by_name {
                Some(name) => format!("support access opened by {name}"),
                None => "support access".to_owned(),
            },
            None => "support access".to_owned(),
        };
        support::log_access(
            &mut conn,
            group_id,
            who.user.id,
            what,
            &reason,
            now,
            now.minus(LOG_WINDOW),
        )
        .await?;
        Ok(())
    }
}
