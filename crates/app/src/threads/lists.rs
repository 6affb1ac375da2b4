//! Thread lists: a group's threads and tags, a person's recent threads.

use weft_domain::permissions::Action;
use weft_store::threads::{self};

use super::*;
use crate::groups::GroupView;
use crate::{App, AppError, SessionUser};

/// Threads per page of the dashboard, and how many pages it offers (the rest are in the groups).
pub const DASHBOARD_PER_PAGE: i64 = 20;
pub const DASHBOARD_PAGES: i64 = 25;

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
    /// One page of the dashboard's latest threads (`DASHBOARD_PER_PAGE` each, at most
    /// `DASHBOARD_PAGES` pages: the statement reads the latest `(page + 1) × per page + 1`), and
    /// whether there are more.
    pub async fn recent_threads(&self, who: &SessionUser, page: i64) -> Result<(Vec<ListedThread>, bool), AppError> {
        let page = page.clamp(0, DASHBOARD_PAGES - 1);
        let skip = usize::try_from(page * DASHBOARD_PER_PAGE).unwrap_or(0);
        let per_page = usize::try_from(DASHBOARD_PER_PAGE).unwrap_or(20);
        let mut list = threads::recent_for_user(
            &mut *self.store.reader().await?,
            who.user.id,
            (page + 1) * DASHBOARD_PER_PAGE + 1,
        )
        .await?;
        let more = list.len() > skip + per_page && page + 1 < DASHBOARD_PAGES;
        list.truncate(skip + per_page);
        Ok((list.split_off(skip.min(list.len())), more))
    }
}
