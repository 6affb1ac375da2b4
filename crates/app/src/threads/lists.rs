//! Thread lists: a group's threads and tags, a person's recent threads.

use weft_domain::permissions::Action;
use weft_store::threads::{self};

use super::*;
use crate::groups::GroupView;
use crate::{App, AppError, SessionUser};

impl App {
    /// One page of a group's threads the viewer may read, filtered, with unread counts and tags.
    pub async fn group_threads(
        &self,
        who: Option<&SessionUser>,
        view: &GroupView,
        filter: &ThreadFilter,
        page: i64,
    ) -> Result<Vec<ListedThread>, AppError> {
        if !self
            .may_read(who, view, Action::SeeContent, "the list of threads")
            .await?
        {
            return Ok(Vec::new());
        }
        let private_too = view.may(Action::SeePrivateThreads);
        let mut conn = self.store.reader().await?;
        let mut list = threads::for_group(
            &mut conn,
            view.group.id,
            who.map(|w| w.user.id),
            private_too,
            filter,
            THREADS_PER_PAGE + 1,
            weft_domain::Page::from(page).offset(THREADS_PER_PAGE),
        )
        .await?;
        let ids: Vec<ThreadId> = list.iter().map(|lt| lt.thread.id).collect();
        for (thread_id, name) in threads::tags_of(&mut conn, &ids).await? {
            if let Some(lt) = list.iter_mut().find(|lt| lt.thread.id == thread_id) {
                lt.tags.push(name);
            }
        }
        Ok(list)
    }

    /// The group's tags in use on threads the viewer may list, with counts.
    pub async fn group_tags(
        &self,
        who: Option<&SessionUser>,
        view: &GroupView,
    ) -> Result<Vec<(String, i64)>, AppError> {
        if !self
            .may_read(who, view, Action::SeeContent, "the list of threads")
            .await?
        {
            return Ok(Vec::new());
        }
        Ok(threads::group_tags(
            &mut *self.store.reader().await?,
            view.group.id,
            view.may(Action::SeePrivateThreads),
        )
        .await?)
    }

    /// A thread's tags, for its edit form.
    pub async fn thread_tags(&self, view: &ThreadView) -> Result<Vec<String>, AppError> {
        Ok(threads::tags_of(&mut *self.store.reader().await?, &[view.thread.id])
            .await?
            .into_iter()
            .map(|(_, name)| name)
            .collect())
    }

    /// The latest threads in the signed-in person's groups, for the dashboard.
    pub async fn recent_threads(&self, who: &SessionUser) -> Result<Vec<ListedThread>, AppError> {
        Ok(threads::recent_for_user(&mut *self.store.reader().await?, who.user.id, 20).await?)
    }
}
