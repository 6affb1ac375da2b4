//! Lists of groups: the Explore directory, my groups, the subgroups a viewer may see.

use super::*;

impl App {
    /// One page of the Explore directory: open groups whose coordinators chose to list them.
    /// Anyone may look, signed in or not.
    /// One page of Explore (with one more group when there is a next page) and how many groups
    /// it lists in all for this search.
    pub async fn explore(&self, search: &str, page: i64) -> Result<(Vec<(Group, i64)>, i64), AppError> {
        let search: String = search.trim().chars().take(100).collect();
        let offset = weft_domain::Page::from(page.min(1_000)).offset(EXPLORE_PER_PAGE);
        let mut conn = self.store.reader().await?;
        let mut listed = groups::explore(&mut conn, &search, EXPLORE_PER_PAGE + 1, offset).await?;
        let total = groups::count_explore(&mut conn, &search).await?;
        // The query already keeps to what the public may see; the rule has the last word.
        listed.retain(|(g, _)| can(&Actor::ANONYMOUS, Action::SeeGroup, &facts(g)).allowed());
        Ok((listed, total))
    }

    pub async fn my_groups(&self, who: &SessionUser) -> Result<Vec<(Group, Role)>, AppError> {
        Ok(groups::for_user(&mut *self.store.reader().await?, who.user.id).await?)
    }

    /// Subgroups of a group the viewer may see.
    pub async fn visible_subgroups(&self, who: Option<&SessionUser>, view: &GroupView) -> Result<Vec<Group>, AppError> {
        let mut conn = self.store.reader().await?;
        let subs = groups::subgroups_with_role(&mut conn, view.group.id, who.map(|w| w.user.id)).await?;
        Ok(subs
            .into_iter()
            .filter(|(sub, role)| {
                let actor = Actor {
                    role: *role,
                    parent_role: view.actor.role,
                    support_access: false,
                    ..view.actor
                };
                can(&actor, Action::SeeGroup, &facts(sub)).allowed()
            })
            .map(|(sub, _)| sub)
            .collect())
    }
}
