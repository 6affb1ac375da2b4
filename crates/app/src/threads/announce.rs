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
use weft_store::groups::{self, GroupId};
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
                let mut errors = ValidationErrors::new();
                let names = names_in(&input.notify_people);
                let mut people = Vec::new();
                if names.len() > MAX_PEOPLE {
                    errors.add(
                        "notify_people",
                        format!("At most {MAX_PEOPLE} people: notify the whole group or a subgroup instead."),
                    );
                } else if !names.is_empty() {
                    let readers = self
                        .readers_among(tx, thread, &view.group, threads::Audience::Usernames(&names))
                        .await?;
                    let missing: Vec<String> = names
                        .iter()
                        .filter(|n| !readers.iter().any(|r| r.user.username.as_str() == n.as_str()))
                        .map(|n| format!("@{n}"))
                        .collect();
                    if missing.is_empty() {
                        people = readers.iter().map(|r| r.user.id).collect();
                    } else {
                        errors.add(
                            "notify_people",
                            format!("Not among the people who may read this thread: {}.", missing.join(", ")),
                        );
                    }
                }
                let mut subgroups = Vec::new();
                let wanted: Vec<&str> = input
                    .notify_subgroups
                    .iter()
                    .map(|k| k.trim())
                    .filter(|k| !k.is_empty())
                    .collect();
                if !wanted.is_empty() {
                    if !view.may(Action::Announce) {
                        return Err(needs_announce("notify_subgroups", "subgroups"));
                    }
                    let choices = self.subgroup_choices(tx, view, who).await?;
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
                if errors.is_empty() && people.is_empty() && subgroups.is_empty() {
                    errors.add("notify_people", "Name at least one person, or choose a subgroup.");
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
            _ => Err(AppError::field(
                "notify",
                "Choose the whole group, chosen people or nobody.",
            )),
        }
    }

    /// The subgroups of `view`'s group its author can see (a member of it, or it is visible to
    /// the parent's members), by name.
    async fn subgroup_choices(
        &self,
        tx: &mut Conn,
        view: &GroupView,
        who: &SessionUser,
    ) -> Result<Vec<(GroupId, SubgroupChoice)>, AppError> {
        Ok(groups::subgroups_with_role(tx, view.group.id, Some(who.user.id))
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
            .subgroup_choices(&mut conn, view, who)
            .await?
            .into_iter()
            .map(|(_, c)| c)
            .collect())
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
