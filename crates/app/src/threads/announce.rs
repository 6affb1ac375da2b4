//! Whom a new thread is announced to (an email to those who did not choose quiet, the loud
//! always): the whole group, chosen people and subgroups, or nobody (everyone hears of it in the
//! app). The whole group and subgroups take `members_can_announce` (`Action::Announce`); chosen
//! people are open to anyone who may start the thread, at most `MAX_PEOPLE`, each someone who may
//! read it. A subgroup is one the author can see; its members are reached among the thread's
//! readers.

use std::collections::HashSet;

use weft_domain::ValidationErrors;
use weft_domain::permissions::Action;
use weft_store::Conn;
use weft_store::groups::{self, Group, GroupId};
use weft_store::threads::{self, Thread};
use weft_store::users::UserId;

use super::ThreadInput;
use crate::groups::GroupView;
use crate::{App, AppError, SessionUser};

/// People one thread may name to notify (more: notify the whole group).
pub const MAX_PEOPLE: usize = 100;
/// Subgroups one thread may name.
pub const MAX_SUBGROUPS: usize = 20;

/// Whom the author chose, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Announcement {
    /// Everyone in the group (`announced` in jobs queued before chosen people existed).
    #[serde(default, alias = "announced")]
    pub group: bool,
    /// Chosen people, each one who may read the thread.
    #[serde(default)]
    pub people: Vec<UserId>,
    /// The members of these subgroups (among the thread's readers).
    #[serde(default)]
    pub subgroups: Vec<GroupId>,
}

/// A subgroup the author may name, for the form.
#[derive(Debug, Clone)]
pub struct SubgroupChoice {
    pub key: String,
    pub name: String,
}

/// The names in what people typed ("@ada, bob  carla"): lowercase, without `@`, each once.
pub fn names_in(typed: &[String]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for part in typed
        .iter()
        .flat_map(|t| t.split(|c: char| c == ',' || c.is_whitespace()))
    {
        let name = part.trim().trim_start_matches('@').to_lowercase();
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

impl App {
    /// Checks whom `input` asks to notify of `thread` (inserted in `tx`, not committed): a field
    /// error for anything it may not do or names wrongly, so nothing is written.
    pub(super) async fn announcement(
        &self,
        tx: &mut Conn,
        view: &GroupView,
        who: &SessionUser,
        thread: &Thread,
        input: &ThreadInput,
    ) -> Result<Announcement, AppError> {
        let needs_announce = |field: &str, what: &str| {
            AppError::field(field, format!("Only the group's coordinators may notify {what} here."))
        };
        match input.notify.trim() {
            "" | "nobody" => Ok(Announcement::default()),
            "group" => {
                if !view.may(Action::Announce) {
                    return Err(needs_announce("notify", "the whole group"));
                }
                Ok(Announcement {
                    group: true,
                    ..Announcement::default()
                })
            }
            "chosen" => {
                let announcement = self
                    .chosen(
                        tx,
                        (&view.group, view.may(Action::Announce)),
                        who,
                        (&input.notify_people, &input.notify_subgroups),
                        "who may read this thread",
                        async |tx: &mut Conn, names: &[String]| {
                            let readers = self
                                .readers_among(tx, thread, &view.group, threads::Audience::Usernames(names))
                                .await?;
                            Ok(readers
                                .into_iter()
                                .map(|r| (r.user.id, r.user.username.as_str().to_owned()))
                                .collect())
                        },
                    )
                    .await?;
                if announcement.people.is_empty() && announcement.subgroups.is_empty() {
                    return Err(AppError::field(
                        "notify_people",
                        "Name at least one person, or choose a subgroup.",
                    ));
                }
                Ok(announcement)
            }
            _ => Err(AppError::field(
                "notify",
                "Choose the whole group, chosen people or nobody.",
            )),
        }
    }

    /// Checks chosen people (`typed.0`, usernames as typed, each one of those `readers` finds
    /// by name, `among` naming them in the error) and subgroups (`typed.1`, by key, which take `may_announce`): a field error for
    /// anyone not found, too many, or a subgroup that is not one of `group`'s. Shared by threads
    /// and polls, whose readers differ.
    pub(crate) async fn chosen(
        &self,
        tx: &mut Conn,
        (group, may_announce): (&Group, bool),
        who: &SessionUser,
        typed: (&[String], &[String]),
        among: &str,
        readers: impl AsyncFnOnce(&mut Conn, &[String]) -> Result<Vec<(UserId, String)>, AppError>,
    ) -> Result<Announcement, AppError> {
        let mut errors = ValidationErrors::new();
        let names = names_in(typed.0);
        let mut people = Vec::new();
        if names.len() > MAX_PEOPLE {
            errors.add(
                "notify_people",
                format!("At most {MAX_PEOPLE} people: notify the whole group or a subgroup instead."),
            );
        } else if !names.is_empty() {
            let found = readers(tx, &names).await?;
            let missing: Vec<String> = names
                .iter()
                .filter(|n| !found.iter().any(|(_, name)| name == *n))
                .map(|n| format!("@{n}"))
                .collect();
            if missing.is_empty() {
                people = found.iter().map(|(id, _)| *id).collect();
            } else {
                errors.add(
                    "notify_people",
                    format!("Not among the people {among}: {}.", missing.join(", ")),
                );
            }
        }
        let mut subgroups = Vec::new();
        let wanted: Vec<&str> = typed.1.iter().map(|k| k.trim()).filter(|k| !k.is_empty()).collect();
        if !wanted.is_empty() {
            if !may_announce {
                return Err(AppError::field(
                    "notify_subgroups",
                    "Only the group's coordinators may notify subgroups here.",
                ));
            }
            let choices = self.subgroup_choices(tx, group, who).await?;
            for key in &wanted {
                match choices.iter().find(|(_, c)| c.key == *key) {
                    Some((id, _)) if !subgroups.contains(id) => subgroups.push(*id),
                    Some(_) => {}
                    None => {
                        errors.add("notify_subgroups", "Choose among this group's subgroups.");
                        break;
                    }
                }
            }
            if subgroups.len() > MAX_SUBGROUPS {
                errors.add("notify_subgroups", format!("At most {MAX_SUBGROUPS} subgroups."));
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        Ok(Announcement {
            group: false,
            people,
            subgroups,
        })
    }

    /// The subgroups of `group` its author can see (a member of it, or it is visible to the
    /// parent's members), by name.
    async fn subgroup_choices(
        &self,
        tx: &mut Conn,
        group: &Group,
        who: &SessionUser,
    ) -> Result<Vec<(GroupId, SubgroupChoice)>, AppError> {
        Ok(groups::subgroups_with_role(tx, group.id, Some(who.user.id))
            .await?
            .into_iter()
            .filter(|(g, role)| role.is_some() || g.visible_to_parent_members)
            .map(|(g, _)| {
                (
                    g.id,
                    SubgroupChoice {
                        key: g.key,
                        name: g.name,
                    },
                )
            })
            .collect())
    }

    /// The subgroups a new thread in `view`'s group may be announced to by `who`: none unless
    /// they may announce there.
    pub async fn announceable_subgroups(
        &self,
        who: &SessionUser,
        view: &GroupView,
    ) -> Result<Vec<SubgroupChoice>, AppError> {
        if !view.may(Action::Announce) {
            return Ok(Vec::new());
        }
        let mut conn = self.store.reader().await?;
        Ok(self
            .subgroup_choices(&mut conn, &view.group, who)
            .await?
            .into_iter()
            .map(|(_, c)| c)
            .collect())
    }

    /// What `who` may announce in the group `group_key`, for a poll's form: everyone (and
    /// subgroups, these) or only chosen people (a guest who cannot open the group: that only).
    pub async fn announce_choices(
        &self,
        who: &SessionUser,
        group_key: &str,
    ) -> Result<(bool, Vec<SubgroupChoice>), AppError> {
        let view = match self
            .load_group(&mut *self.store.reader().await?, Some(who), group_key)
            .await
        {
            Ok(view) => view,
            Err(AppError::NotFound | AppError::Forbidden) => return Ok((false, Vec::new())),
            Err(e) => return Err(e),
        };
        self.announce_choices_in(who, &view).await
    }

    /// `announce_choices` for a group the caller loaded already.
    pub async fn announce_choices_in(
        &self,
        who: &SessionUser,
        view: &GroupView,
    ) -> Result<(bool, Vec<SubgroupChoice>), AppError> {
        Ok((
            view.may(Action::Announce),
            self.announceable_subgroups(who, view).await?,
        ))
    }

    /// Of the thread's readers, who is announced to: everyone (`group`), or the chosen people and
    /// the members of the chosen subgroups.
    pub(crate) async fn announced_to(
        &self,
        tx: &mut Conn,
        announcement: &Announcement,
    ) -> Result<Option<HashSet<UserId>>, AppError> {
        if announcement.group {
            return Ok(None);
        }
        let mut reached: HashSet<UserId> = announcement.people.iter().copied().collect();
        reached.extend(groups::user_ids_in(tx, &announcement.subgroups).await?);
        Ok(Some(reached))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_read_from_what_people_type() {
        let typed = vec!["@Ada, bob  @carla".to_owned(), "ada\n@dan,,".to_owned()];
        assert_eq!(names_in(&typed), ["ada", "bob", "carla", "dan"]);
        assert!(names_in(&[" , @ ".to_owned()]).is_empty());
    }
}
