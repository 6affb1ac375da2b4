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
        let last = self.first + i64::try_from(self.threads.len()).unwrap_or(0) - 1;
        format!("{}–{} of {}", grouped(self.first), grouped(last), grouped(self.total))
    }
}

/// 3466 as "3 466" (a thin space between thousands: unambiguous in every language).
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
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

#[cfg(test)]
mod tests {
    #[test]
    fn counts_read_in_groups_of_three() {
        for (n, shown) in [
            (0, "0"),
            (64, "64"),
            (999, "999"),
            (3_466, "3\u{202f}466"),
            (1_234_567, "1\u{202f}234\u{202f}567"),
        ] {
            assert_eq!(super::grouped(n), shown);
        }
    }
}
