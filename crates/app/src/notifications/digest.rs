//! The catch-up digest: each person's choice (how often, which day, at six in the morning in
//! their zone), and the one recurring `digests` job that sends every digest that is due. What a
//! digest holds is read per person with the permission rule applied to each thread and poll, and
//! only what they have not read and that came after their last digest; with nothing new, nothing
//! is sent. Moving a person's schedule on and queueing their email are one transaction guarded by
//! the due time it read, so each period is sent exactly once across instances and restarts.

use weft_domain::Timestamp;
use weft_domain::notifications::digest::{Cadence, Day, Schedule};
use weft_domain::permissions::{PollPlace, ThreadAction, ThreadFacts, can_thread, poll_visible};
use weft_domain::polls::meeting::Zone;
use weft_mail::digest::{Item, Section};
use weft_mail::wording::{self as w, Line, Wording};
use weft_store::jobs::{self, Job};
use weft_store::notifications::digest::{self as store, DigestItem, DigestThread, Due, ItemKind};
use weft_store::outbox;

use crate::emails::Kind;
use crate::groups::{facts, person_actor};
use crate::jobs::Digests;
use crate::{App, AppError, SessionUser};

/// The one key of the digest job.
const KEY: &str = "digests";
/// People handled per transaction.
const BATCH: i64 = 100;
/// Threads per digest, and new items shown per thread.
const THREADS: i64 = 20;
const PER_THREAD: i64 = 5;
/// With nobody due, the job still looks once a day (a schedule set by an older version).
const IDLE: weft_domain::Duration = weft_domain::Duration::hours(24);

/// Someone's digest settings, for their page and the API.
#[derive(Debug, Clone)]
pub struct DigestSettings {
    pub cadence: Cadence,
    pub day: Day,
    /// When the next one comes, in their zone ("Fri 2026-12-04 06:00 CET"), if any.
    pub next: Option<String>,
    pub next_at: Option<Timestamp>,
    pub zone: String,
}

fn zone_of(user: &weft_store::users::User) -> Zone {
    Zone::or_utc(user.time_zone.as_deref().unwrap_or("UTC"))
}

fn cadence_words(cadence: Cadence, day: Day) -> String {
    match cadence {
        Cadence::Off => "never".into(),
        Cadence::Daily => "every day".into(),
        Cadence::EveryOtherDay => "every other day".into(),
        Cadence::Weekly => format!("every {}", day.label()),
    }
}

/// What people wrote, rendered once per batch: by thread and timeline item (0: the context).
type Written = std::collections::HashMap<(weft_store::threads::ThreadId, i64), weft_mail::compose::Formatted>;

/// What one person's digest says, if anything is new.
struct Content {
    sections: Vec<Section>,
    items: usize,
    groups: Vec<weft_store::groups::GroupId>,
    authors: Vec<weft_store::users::UserId>,
}

fn thread_visible(reader: &weft_store::users::User, t: &DigestThread) -> (bool, ThreadFacts) {
    let mut actor = person_actor(reader, t.role, t.parent_role, false);
    actor.guest = t.role.is_none() && t.guest;
    let thread = ThreadFacts {
        group: facts(&t.group),
        private: t.private,
        closed: t.closed,
        by_actor: false,
        others_commented: false,
    };
    (can_thread(&actor, ThreadAction::See, &thread).allowed(), thread)
}

impl App {
    /// The reader's digest settings.
    pub async fn digest_settings(&self, who: &SessionUser) -> Result<DigestSettings, AppError> {
        let stored = store::schedule_of(&mut *self.store.reader().await?, who.user.id).await?;
        let zone = zone_of(&who.user);
        Ok(DigestSettings {
            cadence: stored.cadence,
            day: stored.day,
            next: stored.due_at.map(|t| zone.label(t)),
            next_at: stored.due_at,
            zone: zone.name().to_owned(),
        })
    }

    /// Chooses how often the reader's digest comes (and on which day, weekly). The first covers
    /// what happens from now on.
    pub async fn set_digest(&self, who: &SessionUser, cadence: &str, day: &str) -> Result<DigestSettings, AppError> {
        let schedule = Schedule::choose(cadence, day, zone_of(&who.user))
            .map_err(|(field, e)| AppError::field(field, e.message))?;
        let now = self.clock.now();
        let due = schedule.first(now);
        let mut tx = self.store.begin().await?;
        store::set_schedule(&mut tx, who.user.id, schedule.cadence, schedule.day, due, now).await?;
        if let Some(due) = due {
            self.schedule_job(&mut tx, KEY, &Digests {}, due).await?;
        }
        tx.commit().await?;
        self.digest_settings(who).await
    }

    /// Makes sure the digest job runs at `at` at the latest (start-up calls it with now).
    pub(crate) async fn schedule_digests(&self, at: Timestamp) -> Result<(), AppError> {
        self.schedule_job(&mut *self.store.writer().await?, KEY, &Digests {}, at)
            .await
    }

    /// Sends every digest due, a batch at a time, then comes back when the next is due. Returns
    /// how many were sent.
    pub(crate) async fn run_digests(&self, job: &Job) -> Result<usize, AppError> {
        let mut sent = 0;
        loop {
            let now = self.clock.now();
            let due = store::due(&mut *self.store.reader().await?, now, BATCH).await?;
            if due.is_empty() {
                break;
            }
            sent += self.send_digests(&due, now).await?;
        }
        let next = store::next_due(&mut *self.store.reader().await?).await?;
        let idle = self.clock.now().plus(IDLE);
        jobs::reschedule(
            &mut *self.store.writer().await?,
            job,
            next.map_or(idle, |n| n.min(idle)),
        )
        .await?;
        Ok(sent)
    }

    /// One batch: each person's content is read, then one transaction moves every schedule on
    /// and queues the emails of those whose period was not handled by someone else meanwhile.
    async fn send_digests(&self, due: &[Due], now: Timestamp) -> Result<usize, AppError> {
        let mut contents = Vec::with_capacity(due.len());
        {
            let mut conn = self.store.reader().await?;
            // Many people read the same comments: each is rendered once per batch.
            let mut written = Written::default();
            for d in due {
                contents.push(self.digest_content(&mut conn, d, &mut written).await?);
            }
        }
        let mut sent = 0;
        let mut tx = self.store.begin().await?;
        for (d, content) in due.iter().zip(contents) {
            let schedule = Schedule {
                cadence: d.cadence,
                day: d.day,
                zone: zone_of(&d.user),
            };
            let next = schedule.after(d.due_at, now);
            if !store::advance(&mut tx, d.user.id, d.due_at, next, now).await? {
                continue;
            }
            if let Some(content) = content
                && self.queue_digest(&mut tx, d, &content).await?
            {
                sent += 1;
            }
        }
        tx.commit().await?;
        if sent > 0 {
            self.wake_mailer();
        }
        Ok(sent)
    }

    /// What is new for one person: their threads with activity since their last digest, each
    /// they may still see, with its latest unread items (polls they may see).
    async fn digest_content(
        &self,
        conn: &mut weft_store::Conn,
        d: &Due,
        written: &mut Written,
    ) -> Result<Option<Content>, AppError> {
        if d.user.state != weft_domain::UserState::Active || d.user.emails_unsubscribed_at.is_some() {
            return Ok(None);
        }
        let threads: Vec<(DigestThread, ThreadFacts)> = store::threads(conn, d.user.id, d.since, THREADS)
            .await?
            .into_iter()
            .filter_map(|t| {
                let (visible, facts) = thread_visible(&d.user, &t);
                visible.then_some((t, facts))
            })
            .collect();
        let ids: Vec<_> = threads.iter().map(|(t, _)| t.id).collect();
        let items = store::items(conn, d.user.id, &ids, d.since, PER_THREAD).await?;
        let mut content = Content {
            sections: Vec::new(),
            items: 0,
            groups: Vec::new(),
            authors: Vec::new(),
        };
        for (t, thread_facts) in &threads {
            let mut actor = person_actor(&d.user, t.role, t.parent_role, false);
            actor.guest = t.role.is_none() && t.guest;
            let place = PollPlace::Thread(*thread_facts);
            let mine: Vec<&DigestItem> = items.iter().filter(|i| i.thread_id == t.id).collect();
            let total = mine.first().map_or(0, |i| i.of);
            let mut shown: Vec<Item> = Vec::new();
            // Oldest first, as the thread reads.
            for i in mine.iter().rev() {
                let who = i.author_name.as_deref().unwrap_or("Someone");
                let item = match &i.what {
                    ItemKind::Comment { body } => Item {
                        lead: format!("{who} wrote:"),
                        link: self.config.url(&format!("/t/{}?from={}#c{}", t.key, i.seq, i.seq)),
                        written: Some(
                            written
                                .entry((t.id, i.seq))
                                .or_insert_with(|| self.written(body))
                                .clone(),
                        ),
                    },
                    ItemKind::PollRaised { key, title, named, .. } => {
                        if !poll_visible(&actor, &place, *named) {
                            continue;
                        }
                        Item {
                            lead: format!("{who} raised a poll: “{title}”"),
                            link: self.config.url(&format!("/p/{key}")),
                            written: None,
                        }
                    }
                    ItemKind::Outcome { key, title, named, .. } => {
                        if !poll_visible(&actor, &place, *named) {
                            continue;
                        }
                        Item {
                            lead: format!("“{title}” has an outcome"),
                            link: self.config.url(&format!("/p/{key}")),
                            written: None,
                        }
                    }
                };
                content.authors.extend(i.author_id);
                shown.push(item);
            }
            if t.new {
                content.authors.extend(t.author_id);
                let who = t.author_name.as_deref().unwrap_or("Someone");
                shown.insert(
                    0,
                    Item {
                        lead: format!("{who} started this thread:"),
                        link: self.config.url(&format!("/t/{}", t.key)),
                        written: (!t.context.trim().is_empty()).then(|| {
                            written
                                .entry((t.id, 0))
                                .or_insert_with(|| self.written(&t.context))
                                .clone()
                        }),
                    },
                );
            }
            if shown.is_empty() {
                continue;
            }
            let first = mine.last().map(|i| i.seq);
            content.items += shown.len();
            content.sections.push(Section {
                title: t.title.clone(),
                group: t.group.name.clone(),
                link: self.config.url(&match first {
                    Some(seq) => format!("/t/{}?from={seq}#c{seq}", t.key),
                    None => format!("/t/{}", t.key),
                }),
                more: (total - i64::try_from(mine.len()).unwrap_or(0)).max(0),
                items: shown,
            });
            content.groups.push(t.group.id);
        }
        content.groups.sort_unstable_by_key(|g| g.0);
        content.groups.dedup();
        content.authors.sort_unstable_by_key(|a| a.0);
        content.authors.dedup();
        Ok((!content.sections.is_empty()).then_some(content))
    }

    /// Queues one digest, recording every group it quotes so that erasing one erases it.
    async fn queue_digest(&self, conn: &mut weft_store::Conn, d: &Due, content: &Content) -> Result<bool, AppError> {
        let threads = content.sections.len();
        let more: i64 = content.sections.iter().map(|s| s.more).sum();
        let items = i64::try_from(content.items).unwrap_or(0) + more;
        let places = match content.groups.len() {
            1 => format!(" of {}", content.sections[0].group),
            n => format!(" in {n} groups"),
        };
        let summary = format!(
            "{items} new in {threads} thread{}{places}",
            if threads == 1 { "" } else { "s" }
        );
        let email = w::Digest {
            name: Line::new(&d.user.name),
            summary: Line::new(summary),
            cadence: Line::new(cadence_words(d.cadence, d.day)),
            link: Line::new(self.config.url("/dashboard")),
            settings: Line::new(self.config.url("/profile/notifications#digest")),
        }
        .content()
        .with_formatted(weft_mail::digest::formatted(&content.sections));
        let unsubscribe_url = self.unsubscribe_url(conn, &d.user).await?;
        let composed = self.compose(&email, &unsubscribe_url);
        outbox::enqueue_with_sources(
            conn,
            &outbox::NewEmail {
                user_id: Some(d.user.id),
                sender_id: None,
                group_id: None,
                kind: Kind::Digest.as_str(),
                to_address: d.user.email.as_str(),
                subject: &composed.subject,
                body_text: &composed.text,
                body_html: &composed.html,
                unsubscribe_url: &unsubscribe_url,
                now: self.clock.now(),
                from_name: None,
                thread_id: None,
                reply_to: None,
            },
            &content.groups,
            &content.authors,
        )
        .await?;
        Ok(true)
    }
}
