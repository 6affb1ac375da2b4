//! Poll templates: the built-in ones and a group's own (a poll's settings saved under a name by
//! a coordinator), in the order the group's coordinators arranged, some hidden. Choosing a saved
//! template fills what the poll's author leaves empty.

use weft_domain::permissions::{Action, PollAction};
use weft_domain::polls::PollTemplate;
use weft_domain::polls::templates::{SAVED_MAX, SavedSettings, TemplateRef, parse_name};
use weft_domain::{Timestamp, random_key};
use weft_store::Conn;
use weft_store::groups::GroupId;
use weft_store::polls::{self, Poll, PollOption};

use crate::groups::{GroupView, decide};
use crate::{App, AppError, SessionUser};

/// One template as the chooser lists it.
#[derive(Debug, Clone)]
pub struct TemplateEntry {
    /// What the form submits: a built-in word, or `saved:<key>`.
    pub value: String,
    pub label: String,
    pub summary: String,
    pub hidden: bool,
    /// A group's own (it can be deleted), not a built-in one.
    pub saved: bool,
}

/// A change to the arrangement, by a coordinator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrange {
    Up,
    Down,
    Hide,
    Show,
    Delete,
}

impl Arrange {
    pub fn parse(word: &str) -> Option<Self> {
        Some(match word {
            "up" => Self::Up,
            "down" => Self::Down,
            "hide" => Self::Hide,
            "show" => Self::Show,
            "delete" => Self::Delete,
            _ => return None,
        })
    }
}

/// What a saved template keeps of `poll`: its settings, not its title, times or voters.
fn settings_of(poll: &Poll, options: &[PollOption]) -> SavedSettings {
    let mut ordered: Vec<&PollOption> = options.iter().collect();
    ordered.sort_by_key(|o| o.position);
    let r = &poll.rules;
    let days = (poll.closing_at.micros() - poll.created_at.micros()) / 86_400_000_000;
    SavedSettings {
        kind: poll.kind.as_str().to_owned(),
        details: poll.details.clone(),
        // A meeting poll's times are its own occasion's: the template keeps none.
        options: if poll.kind == weft_domain::polls::PollKind::Meeting {
            Vec::new()
        } else {
            ordered.iter().map(|o| o.name.clone()).collect()
        },
        anonymous: poll.anonymous,
        hide_results: poll.hide_results.as_str().to_owned(),
        reason: r.reason.as_str().to_owned(),
        reason_prompt: poll.reason_prompt.clone(),
        min_choices: Some(r.min_choices),
        max_choices: Some(r.max_choices),
        none_of_the_above: r.none_of_the_above,
        shuffle_options: poll.shuffle_options,
        voters_can_add_options: poll.voters_can_add_options,
        dots_per_person: Some(r.dots_per_person).filter(|d| *d > 0),
        score_min: Some(r.score_min),
        score_max: Some(r.score_max).filter(|_| r.score_max > r.score_min),
        target: poll.target,
        closing_soon: poll.closing_soon.as_str().to_owned(),
        notify_on_open: poll.notify_on_open,
        counting: poll.counting.as_str().to_owned(),
        seats: Some(poll.seats),
        quorum_percent: poll.quorum_percent,
        pass_tests: ordered
            .iter()
            .filter_map(|o| {
                o.pass_test.map(|t| {
                    (
                        o.name.clone(),
                        t.operator.as_str().to_owned(),
                        t.percent,
                        t.of.as_str().to_owned(),
                    )
                })
            })
            .collect(),
        time_zone: poll.time_zone.clone(),
        slot_minutes: Some(poll.slot_minutes).filter(|m| *m > 0),
        days: days.max(1),
    }
}

impl App {
    /// Every template of the group in its arrangement, hidden ones included.
    async fn arranged(&self, conn: &mut Conn, group_id: GroupId) -> Result<Vec<TemplateEntry>, AppError> {
        let mut all: Vec<TemplateEntry> = PollTemplate::ALL
            .iter()
            .map(|t| TemplateEntry {
                value: t.as_str().to_owned(),
                label: t.label().to_owned(),
                summary: t.summary().to_owned(),
                hidden: false,
                saved: false,
            })
            .collect();
        for s in polls::saved_templates(conn, group_id).await? {
            all.push(TemplateEntry {
                value: format!("saved:{}", s.key),
                label: s.name,
                summary: "This group's own template.".to_owned(),
                hidden: false,
                saved: true,
            });
        }
        let order = polls::template_order(conn, group_id).await?;
        let place = |value: &str, default: usize| {
            order
                .iter()
                .find(|(entry, _, _)| entry == value)
                .map_or((1, i64::try_from(default).unwrap_or(i64::MAX)), |(_, p, _)| (0, *p))
        };
        let mut keyed: Vec<((i64, i64), TemplateEntry)> = all
            .into_iter()
            .enumerate()
            .map(|(i, mut e)| {
                e.hidden = order.iter().any(|(entry, _, hidden)| *entry == e.value && *hidden);
                (place(&e.value, i), e)
            })
            .collect();
        keyed.sort_by_key(|(k, _)| *k);
        Ok(keyed.into_iter().map(|(_, e)| e).collect())
    }

    /// The templates someone raising a poll in the group chooses from: the shown ones, in
    /// order. The caller opened the group (or a thread of it) through its access check.
    pub async fn poll_templates_in(&self, group_id: GroupId) -> Result<Vec<TemplateEntry>, AppError> {
        let mut conn = self.store.reader().await?;
        Ok(self
            .arranged(&mut conn, group_id)
            .await?
            .into_iter()
            .filter(|e| !e.hidden)
            .collect())
    }

    /// The group's templates for its coordinators to arrange: all of them.
    pub async fn manage_templates(
        &self,
        who: &SessionUser,
        group_key: &str,
    ) -> Result<(GroupView, Vec<TemplateEntry>), AppError> {
        let group = self.group_for(Some(who), group_key, Action::ChangeSettings).await?;
        let entries = self.arranged(&mut *self.store.reader().await?, group.group.id).await?;
        Ok((group, entries))
    }

    /// Moves, hides, shows or deletes one of the group's templates (its coordinators).
    pub async fn arrange_template(
        &self,
        who: &SessionUser,
        group_key: &str,
        entry: &str,
        change: Arrange,
    ) -> Result<(), AppError> {
        let group = self.group_for(Some(who), group_key, Action::ChangeSettings).await?;
        let mut tx = self.store.begin().await?;
        let mut entries = self.arranged(&mut tx, group.group.id).await?;
        let at = entries
            .iter()
            .position(|e| e.value == entry)
            .ok_or_else(|| AppError::field("entry", "That template is not one of this group's."))?;
        match change {
            Arrange::Up if at > 0 => entries.swap(at, at - 1),
            Arrange::Down if at + 1 < entries.len() => entries.swap(at, at + 1),
            Arrange::Up | Arrange::Down => {}
            Arrange::Hide => {
                if entries.iter().filter(|e| !e.hidden).count() <= 1 {
                    return Err(AppError::field("entry", "Keep at least one template shown."));
                }
                entries[at].hidden = true;
            }
            Arrange::Show => entries[at].hidden = false,
            Arrange::Delete => {
                let Some(key) = entries[at].value.strip_prefix("saved:") else {
                    return Err(AppError::field(
                        "entry",
                        "A built-in template can be hidden, not deleted.",
                    ));
                };
                polls::delete_template(&mut tx, group.group.id, key).await?;
                entries.remove(at);
            }
        }
        let order: Vec<(String, bool)> = entries.into_iter().map(|e| (e.value, e.hidden)).collect();
        polls::set_template_order(&mut tx, group.group.id, &order).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Saves a poll's settings as a template of its group, under `name` (its coordinators).
    /// Returns the template's value (`saved:<key>`).
    pub async fn save_poll_as_template(
        &self,
        who: &SessionUser,
        poll_key: &str,
        name: &str,
    ) -> Result<String, AppError> {
        let mut conn = self.store.reader().await?;
        let view = self.open_poll(&mut conn, Some(who), poll_key, PollAction::See).await?;
        let group = self.load_group(&mut conn, Some(who), &view.group.key).await?;
        decide(group.decide(Action::ChangeSettings))?;
        let name = parse_name(name).map_err(|e| AppError::field("name", e.message))?;
        // The options as stored (the view names a meeting poll's slots for its reader).
        let options = polls::options_of(&mut conn, view.poll.id).await?;
        drop(conn);
        let settings = serde_json::to_string(&settings_of(&view.poll, &options))
            .map_err(|e| AppError::internal(format!("template settings: {e}")))?;
        let key = random_key();
        let mut tx = self.store.begin().await?;
        if polls::count_saved_templates(&mut tx, group.group.id).await? >= SAVED_MAX {
            return Err(AppError::field(
                "name",
                format!("A group keeps at most {SAVED_MAX} templates: delete one first."),
            ));
        }
        polls::save_template(
            &mut tx,
            &key,
            group.group.id,
            who.user.id,
            &name,
            &settings,
            self.clock.now(),
        )
        .await?;
        tx.commit().await?;
        Ok(format!("saved:{key}"))
    }

    /// A group's saved template's settings, to fill a form with.
    pub(crate) async fn saved_settings(
        &self,
        conn: &mut Conn,
        group_id: GroupId,
        key: &str,
    ) -> Result<SavedSettings, AppError> {
        let saved = polls::saved_templates(conn, group_id)
            .await?
            .into_iter()
            .find(|t| t.key == key)
            .ok_or_else(|| AppError::field("template", "That template is not one of this group's."))?;
        serde_json::from_str(&saved.settings).map_err(|e| AppError::internal(format!("template {key}: {e}")))
    }

    /// Fills `input` from the group's saved template it names, if it names one.
    pub(crate) async fn apply_template(
        &self,
        conn: &mut Conn,
        group_id: GroupId,
        input: &mut weft_domain::polls::PollInput,
        now: Timestamp,
    ) -> Result<(), AppError> {
        let chosen = TemplateRef::parse(&input.template).map_err(|e| AppError::field("template", e.message))?;
        if let Some(TemplateRef::Saved(key)) = chosen {
            self.saved_settings(conn, group_id, &key).await?.fill(input, now);
        }
        Ok(())
    }

    /// The settings of a group's saved template, for the poll form. The caller opened the group
    /// (or a thread of it) through its access check.
    pub async fn saved_template_in(&self, group_id: GroupId, key: &str) -> Result<SavedSettings, AppError> {
        self.saved_settings(&mut *self.store.reader().await?, group_id, key)
            .await
    }
}
