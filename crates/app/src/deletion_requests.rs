//! P12: deletion requests. A member asks a group's coordinators to delete their content in that
//! group; anyone asks the instance's data protection officer. Both land in a queue with the legal
//! deadline (one month) and end with a recorded outcome that the requester is told.

use weft_domain::permissions::Action;
use weft_domain::{DisplayName, Duration, EmailAddress, ValidationErrors, random_key};
use weft_mail::EmailContent;
use weft_mail::Line;
pub use weft_store::deletion_requests::DeletionRequest;
use weft_store::deletion_requests::{self as requests, NewRequest};
use weft_store::{Conn, groups, threads, users};

use crate::emails::{Cause, Kind};
use crate::groups::GroupView;
use crate::{App, AppError, SessionUser};

/// GDPR article 12(3): an answer within one month.
pub const DEADLINE: Duration = Duration::days(30);
const BODY_MAX: usize = 5_000;
const OUTCOME_MAX: usize = 2_000;

/// What a coordinator or the data protection officer decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// For a group request: delete the requester's content in the group now. For the instance
    /// queue: the admin did what was asked (and says what in the outcome).
    Done,
    /// Refused, with the reason in the outcome.
    Refused,
}

impl Resolution {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "done" | "delete" => Some(Self::Done),
            "refuse" | "refused" => Some(Self::Refused),
            _ => None,
        }
    }

    /// The request's status once resolved so.
    fn status(self) -> weft_domain::deletion_requests::RequestStatus {
        match self {
            Self::Done => weft_domain::deletion_requests::RequestStatus::Done,
            Self::Refused => weft_domain::deletion_requests::RequestStatus::Refused,
        }
    }
}

/// What someone without an account types to reach the data protection officer.
#[derive(Debug, Clone, Default)]
pub struct DpoRequestInput {
    pub name: String,
    pub email: String,
    pub body: String,
}

fn parse_body(body: &str, errors: &mut ValidationErrors) -> Option<String> {
    let body = body.trim();
    if body.is_empty() {
        errors.add("body", "Say what you would like deleted.");
        None
    } else if body.chars().count() > BODY_MAX {
        errors.add("body", format!("At most {BODY_MAX} characters."));
        None
    } else {
        Some(body.to_owned())
    }
}

fn parse_outcome(outcome: &str, resolution: Resolution) -> Result<String, AppError> {
    let outcome = outcome.trim();
    if outcome.chars().count() > OUTCOME_MAX {
        return Err(AppError::field("outcome", format!("At most {OUTCOME_MAX} characters.")));
    }
    if resolution == Resolution::Refused && outcome.is_empty() {
        return Err(AppError::field("outcome", "Say why: the person asking will read it."));
    }
    Ok(outcome.to_owned())
}

impl App {
    /// A member asks the coordinators of a group to delete their content there.
    pub async fn ask_group_to_delete(&self, who: &SessionUser, key: &str, body: &str) -> Result<String, AppError> {
        let view = self.group_for(Some(who), key, Action::AskToDeleteContent).await?;
        let mut errors = ValidationErrors::new();
        let body = parse_body(body, &mut errors);
        errors.into_result()?;
        let body = body.unwrap_or_default();
        let now = self.clock.now();
        let request_key = random_key();
        let mut tx = self.store.begin().await?;
        requests::insert(
            &mut tx,
            &NewRequest {
                key: &request_key,
                group_id: Some(view.group.id),
                requester_id: Some(who.user.id),
                reply_name: "",
                reply_email: None,
                body: &body,
                now,
                due_at: now.plus(DEADLINE),
            },
        )
        .await?;
        let link = self.config.url(&format!("/g/{key}/deletion-requests"));
        for admin_id in groups::admin_ids(&mut tx, view.group.id).await? {
            if let Some(admin) = users::find(&mut tx, admin_id).await? {
                let content =
                    self.new_request_email(&admin.name, Some(&view.group.name), &body, now.plus(DEADLINE), &link);
                self.queue_email_from(
                    &mut tx,
                    Cause::by(who.user.id).about(view.group.id),
                    &admin,
                    None,
                    Kind::DeletionRequest,
                    &content,
                )
                .await?;
            }
        }
        tx.commit().await?;
        self.wake_mailer();
        Ok(request_key)
    }

    /// Anyone, signed in or not, writes to the instance's data protection officer. Someone
    /// without an account gives a name and an address to answer to.
    pub async fn ask_dpo(&self, who: Option<&SessionUser>, input: &DpoRequestInput) -> Result<String, AppError> {
        let mut errors = ValidationErrors::new();
        let body = parse_body(&input.body, &mut errors);
        let reply = match who {
            Some(_) => None,
            None => {
                let name = errors.check("name", DisplayName::parse(&input.name));
                let email = errors.check("email", EmailAddress::parse(&input.email));
                name.zip(email)
            }
        };
        errors.into_result()?;
        let body = body.unwrap_or_default();
        let now = self.clock.now();
        let due = now.plus(DEADLINE);
        let request_key = random_key();
        let mut tx = self.store.begin().await?;
        requests::insert(
            &mut tx,
            &NewRequest {
                key: &request_key,
                group_id: None,
                requester_id: who.map(|w| w.user.id),
                reply_name: reply.as_ref().map_or("", |(n, _)| n.as_str()),
                reply_email: reply.as_ref().map(|(_, e)| e.as_str()),
                body: &body,
                now,
                due_at: due,
            },
        )
        .await?;
        let link = self.config.url("/admin/deletion-requests");
        for admin in users::instance_admins(&mut tx).await? {
            let content = self.new_request_email(&admin.name, None, &body, due, &link);
            self.queue_email(&mut tx, &admin, None, Kind::DeletionRequest, &content)
                .await?;
        }
        if let Some(dpo) = self
            .config
            .dpo_contact
            .as_deref()
            .and_then(|c| EmailAddress::parse(c).ok())
        {
            let content = self.new_request_email("there", None, &body, due, &link);
            self.queue_email_to_address(&mut tx, Cause::NONE, &dpo, Kind::DeletionRequest, &content)
                .await?;
        }
        tx.commit().await?;
        self.wake_mailer();
        Ok(request_key)
    }

    /// A group's queue, for its coordinators.
    pub async fn group_deletion_requests(
        &self,
        who: &SessionUser,
        key: &str,
    ) -> Result<(GroupView, Vec<DeletionRequest>), AppError> {
        let view = self.group_for(Some(who), key, Action::ManageMembers).await?;
        let list = requests::list(&mut *self.store.reader().await?, Some(view.group.id)).await?;
        Ok((view, list))
    }

    /// The instance's queue, for instance administrators.
    pub async fn instance_deletion_requests(&self, who: &SessionUser) -> Result<Vec<DeletionRequest>, AppError> {
        self.require_instance_admin(who, weft_domain::permissions::InstanceAction::ResolveDeletionRequests)?;
        Ok(requests::list(&mut *self.store.reader().await?, None).await?)
    }

    /// How many requests to the data protection officer wait for an answer (instance admins).
    pub async fn open_instance_deletion_requests(&self, who: &SessionUser) -> Result<i64, AppError> {
        self.require_instance_admin(who, weft_domain::permissions::InstanceAction::ResolveDeletionRequests)?;
        Ok(requests::count_open(&mut *self.store.reader().await?, None).await?)
    }

    /// The requests a person made, for their personal-data page.
    pub async fn my_deletion_requests(&self, who: &SessionUser) -> Result<Vec<DeletionRequest>, AppError> {
        Ok(requests::by_requester(&mut *self.store.reader().await?, who.user.id).await?)
    }

    /// A coordinator answers a request in their group. `Done` deletes the requester's content
    /// there at once: their comments (a comment with replies stays as "deleted"), their reactions,
    /// the threads they started (blanked, not removed, where others have commented), and the
    /// outcome records what went.
    pub async fn resolve_group_deletion_request(
        &self,
        who: &SessionUser,
        key: &str,
        request_key: &str,
        resolution: Resolution,
        note: &str,
    ) -> Result<(), AppError> {
        let view = self.group_for(Some(who), key, Action::ManageMembers).await?;
        let note = parse_outcome(note, resolution)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let request = requests::find_by_key(&mut tx, request_key)
            .await?
            .filter(|r| r.group_id == Some(view.group.id))
            .ok_or(AppError::NotFound)?;
        let outcome = match (resolution, request.requester_id) {
            (Resolution::Done, Some(requester)) => {
                let summary = delete_content_in_group(&mut tx, view.group.id, requester, now).await?;
                join_outcome(&summary, &note)
            }
            (Resolution::Done, None) => join_outcome("The account that asked no longer exists.", &note),
            (Resolution::Refused, _) => note,
        };
        if !requests::resolve(&mut tx, request.id, resolution.status(), &outcome, who.user.id, now).await? {
            return Err(AppError::field("outcome", "This request was already answered."));
        }
        self.tell_requester(&mut tx, &request, resolution, &outcome, Some(&view.group.name))
            .await?;
        tx.commit().await?;
        self.wake_mailer();
        Ok(())
    }

    /// An instance administrator records the outcome of a request to the data protection officer.
    pub async fn resolve_instance_deletion_request(
        &self,
        who: &SessionUser,
        request_key: &str,
        resolution: Resolution,
        outcome: &str,
    ) -> Result<(), AppError> {
        self.require_instance_admin(who, weft_domain::permissions::InstanceAction::ResolveDeletionRequests)?;
        let outcome = parse_outcome(outcome, resolution)?;
        if outcome.is_empty() {
            return Err(AppError::field(
                "outcome",
                "Say what was done: the person asking will read it.",
            ));
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let request = requests::find_by_key(&mut tx, request_key)
            .await?
            .filter(|r| r.group_id.is_none())
            .ok_or(AppError::NotFound)?;
        if !requests::resolve(&mut tx, request.id, resolution.status(), &outcome, who.user.id, now).await? {
            return Err(AppError::field("outcome", "This request was already answered."));
        }
        self.tell_requester(&mut tx, &request, resolution, &outcome, None)
            .await?;
        tx.commit().await?;
        self.wake_mailer();
        Ok(())
    }

    fn new_request_email(
        &self,
        to_name: &str,
        group: Option<&str>,
        body: &str,
        due: weft_domain::Timestamp,
        link: &str,
    ) -> EmailContent {
        weft_mail::wording::Wording::content(&weft_mail::wording::DeletionRequest {
            instance: Line::new(&self.config.instance_name),
            name: Line::new(to_name),
            group: group.map(Line::new),
            body: body.to_owned(),
            due: Line::new(due.display_utc()),
            link: Line::new(link),
        })
    }

    async fn tell_requester(
        &self,
        conn: &mut Conn,
        request: &DeletionRequest,
        resolution: Resolution,
        outcome: &str,
        group: Option<&str>,
    ) -> Result<(), AppError> {
        let content = weft_mail::wording::Wording::content(&weft_mail::wording::DeletionRequestAnswered {
            instance: Line::new(&self.config.instance_name),
            name: Line::new(if request.requester_name.is_empty() {
                "there"
            } else {
                request.requester_name.as_str()
            }),
            group: group.map(Line::new),
            done: resolution == Resolution::Done,
            outcome: outcome.to_owned(),
        });
        match request.requester_id {
            Some(id) => {
                if let Some(user) = users::find(conn, id).await? {
                    self.queue_email(conn, &user, None, Kind::DeletionRequestAnswered, &content)
                        .await?;
                }
            }
            None => {
                if let Some(address) = request.reply_email.as_deref().and_then(|a| EmailAddress::parse(a).ok()) {
                    self.queue_email_to_address(conn, Cause::NONE, &address, Kind::DeletionRequestAnswered, &content)
                        .await?;
                }
            }
        }
        Ok(())
    }
}

fn join_outcome(summary: &str, note: &str) -> String {
    if note.is_empty() {
        summary.to_owned()
    } else {
        format!("{summary} {note}")
    }
}

/// Deletes one person's content in one group, in the caller's transaction; says what went.
async fn delete_content_in_group(
    conn: &mut Conn,
    group_id: weft_store::groups::GroupId,
    user_id: weft_store::users::UserId,
    now: weft_domain::Timestamp,
) -> Result<String, AppError> {
    let (comments, started) = threads::content_by_in_group(conn, group_id, user_id).await?;
    for (thread_id, comment_id) in &comments {
        threads::erase_comment_now(conn, *thread_id, *comment_id, user_id, now).await?;
    }
    let reactions = threads::delete_reactions_in_group(conn, group_id, user_id).await?;
    let (mut removed, mut blanked) = (0, 0);
    for (thread_id, others) in &started {
        if *others {
            threads::blank(conn, *thread_id, "Deleted thread", now).await?;
            blanked += 1;
        } else {
            threads::delete(conn, *thread_id).await?;
            removed += 1;
        }
    }
    Ok(format!(
        "Deleted {} comment(s), {} reaction(s) and {} thread(s); {} thread(s) where others had replied now have no title or text.",
        comments.len(),
        reactions,
        removed,
        blanked
    ))
}
