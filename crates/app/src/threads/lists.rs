//! Thread lists: a group's threads and tags, a person's recent threads.

use weft_domain::permissions::Action;
use weft_store::threads::{self};

use super::*;
use crate::groups::GroupView;
use crate::{App, AppError, SessionUser};

/// One page of a group's threads.
#[derive(Debug, Clone)]
pub struct ThreadListPage {
    pub threads: Vec<ListedThread>,
    /// How many the viewer may list with these filters, in all.
    pub total: i64,
    /// The position of the first one on this page (1-based), and the page (0-based).
    pub first: i64,
    pub page: i64,
    pub has_more: bool,
}

impl ThreadListPage {
    /// "31–60 of 3 466" (empty when there are none).
    pub fn position(&self) -> String {
        if self.threads.is_empty() {
            return String::new();
        }
        weft_domain::paging::position(self.first, self.threads.len(), self.total)
    }
}

impl App {
    /// One page of a group's threads the viewer may read, filtered and sorted, with unread
    /// counts and tags, and how many there are in all.
    pub async fn group_threads(
        &self,
        who: Option<&SessionUser>,
        view: &GroupView,
        filter: &ThreadFilter,
        page: i64,
    ) -> Result<ThreadListPage, AppError> {
        let page = weft_domain::Page::from(page);
        let mut found = ThreadListPage {
            threads: Vec::new(),
            total: 0,
            first: page.offset(THREADS_PER_PAGE) + 1,
            page: page.get(),
            has_more: false,
        };
        if !self
            .may_read(who, view, Action::SeeContent, "the list of threads")
            .await?
        {
            return Ok(found);
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
            page.offset(THREADS_PER_PAGE),
        )
        .await?;
        found.has_more = list.len() > usize::try_from(THREADS_PER_PAGE).unwrap_or(usize::MAX);
        list.truncate(usize::try_from(THREADS_PER_PAGE).unwrap_or(usize::MAX));
        found.total =
            threads::count_for_group(&mut conn, view.group.id, who.map(|w| w.user.id), private_too, filter).await?;
        let ids: Vec<ThreadId> = list.iter().map(|lt| lt.thread.id).collect();
        for (thread_id, name) in threads::tags_of(&mut conn, &ids).await? {
            if let Some(lt) = list.iter_mut().find(|lt| lt.thread.id == thread_id) {
                lt.tags.push(name);
            }
        }
        found.threads = list;
        Ok(found)
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
