//! Live updates: who is watching which thread, and telling them something changed. One in-process
//! fan-out (`LiveHub`); on PostgreSQL every change goes through `NOTIFY` first, so that all
//! instances on the database, this one included, deliver it to their own watchers. Events carry
//! only a thread id, a kind and a sequence number: watchers fetch the content through the normal,
//! permission-checked routes.

use std::collections::HashMap;
use std::sync::Mutex;
use weft_store::threads::ThreadId;
use weft_store::users::UserId;

use tokio::sync::{broadcast, watch};
use weft_store::{Backend, live};

use crate::App;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveKind {
    /// A comment was added, edited or deleted: `seq` says which.
    Comment,
    /// The thread itself changed (title, context, pinned, closed).
    Thread,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveEvent {
    pub thread_id: ThreadId,
    pub kind: LiveKind,
    pub seq: i64,
}

impl LiveEvent {
    fn encode(self) -> String {
        let kind = match self.kind {
            LiveKind::Comment => "c",
            LiveKind::Thread => "t",
        };
        format!("{} {kind} {}", self.thread_id, self.seq)
    }

    fn decode(payload: &str) -> Option<Self> {
        let mut parts = payload.split(' ');
        let thread_id = ThreadId(parts.next()?.parse().ok()?);
        let kind = match parts.next()? {
            "c" => LiveKind::Comment,
            "t" => LiveKind::Thread,
            _ => return None,
        };
        let seq = parts.next()?.parse().ok()?;
        Some(Self { thread_id, kind, seq })
    }
}

/// Events waiting per watcher before it is told it fell behind (and reloads).
const BACKLOG: usize = 64;

/// People per bell payload: a PostgreSQL notification holds under 8 000 bytes.
const BELLS_PER_PAYLOAD: usize = 350;

/// The watchers of each thread, and the open bells of each person, on this instance.
pub struct LiveHub {
    threads: Mutex<HashMap<ThreadId, broadcast::Sender<LiveEvent>>>,
    /// A person's notification count may have changed: their open pages refetch it.
    bells: Mutex<HashMap<UserId, broadcast::Sender<()>>>,
    /// Set when the server shuts down, so open streams end and shutdown does not wait on them.
    closing: watch::Sender<bool>,
}

impl Default for LiveHub {
    fn default() -> Self {
        Self {
            threads: Mutex::new(HashMap::new()),
            bells: Mutex::new(HashMap::new()),
            closing: watch::channel(false).0,
        }
    }
}

impl LiveHub {
    /// Ends every open stream (server shutdown).
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Changes to `true` when the server shuts down.
    pub fn closing(&self) -> watch::Receiver<bool> {
        self.closing.subscribe()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ThreadId, broadcast::Sender<LiveEvent>>> {
        self.threads.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn subscribe(&self, thread_id: ThreadId) -> broadcast::Receiver<LiveEvent> {
        let mut threads = self.lock();
        threads
            .entry(thread_id)
            .or_insert_with(|| broadcast::channel(BACKLOG).0)
            .subscribe()
    }

    /// Hands the event to this instance's watchers of its thread.
    pub fn deliver(&self, event: LiveEvent) {
        let mut threads = self.lock();
        if let Some(sender) = threads.get(&event.thread_id)
            && sender.send(event).is_err()
        {
            // Nobody is watching any more.
            threads.remove(&event.thread_id);
        }
    }

    /// Listens for changes to `user`'s notifications.
    pub fn subscribe_bell(&self, user: UserId) -> broadcast::Receiver<()> {
        let mut bells = self.bells.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        bells.entry(user).or_insert_with(|| broadcast::channel(4).0).subscribe()
    }

    /// Rings `user`'s open bells on this instance.
    pub fn ring(&self, user: UserId) {
        let mut bells = self.bells.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(sender) = bells.get(&user)
            && sender.send(()).is_err()
        {
            bells.remove(&user);
        }
    }

    /// Open watcher connections on this instance.
    pub fn watchers(&self) -> usize {
        self.lock().values().map(broadcast::Sender::receiver_count).sum()
    }
}

impl App {
    /// Announces a committed change. Best effort: a lost event costs a watcher a reload, never data.
    pub(crate) async fn publish(&self, event: LiveEvent) {
        match self.store.backend() {
            Backend::Sqlite => self.live.deliver(event),
            Backend::Postgres => {
                let sent = match self.store.writer().await {
                    Ok(mut conn) => live::notify(&mut conn, &event.encode()).await,
                    Err(e) => Err(e),
                };
                if let Err(e) = sent {
                    tracing::warn!(error = %e, "live update not sent to other instances");
                    self.live.deliver(event);
                }
            }
        }
    }

    /// Tells these people's open pages, on every instance, that their notifications changed.
    /// After the change commits; best effort like `publish`.
    pub(crate) async fn ring_bells(&self, users: &[UserId]) {
        if users.is_empty() {
            return;
        }
        match self.store.backend() {
            Backend::Sqlite => users.iter().for_each(|u| self.live.ring(*u)),
            Backend::Postgres => {
                let mut conn = match self.store.writer().await {
                    Ok(conn) => conn,
                    Err(e) => {
                        tracing::warn!(error = %e, "notification bells not rung on other instances");
                        users.iter().for_each(|u| self.live.ring(*u));
                        return;
                    }
                };
                for chunk in users.chunks(BELLS_PER_PAYLOAD) {
                    if let Err(e) = live::notify(&mut conn, &encode_bells(chunk)).await {
                        tracing::warn!(error = %e, "notification bells not rung on other instances");
                        chunk.iter().for_each(|u| self.live.ring(*u));
                    }
                }
            }
        }
    }

    /// On PostgreSQL, delivers every instance's events to this instance's watchers until `shutdown`.
    pub async fn run_live_listener(self, mut shutdown: watch::Receiver<bool>) {
        let mut listener = match self.store.listener().await {
            Ok(Some(listener)) => listener,
            Ok(None) => return,
            Err(e) => {
                tracing::error!(error = %e, "live updates: cannot listen; watchers see only this instance's changes");
                return;
            }
        };
        loop {
            tokio::select! {
                received = listener.recv() => match received {
                    Ok(payload) => match (decode_bells(&payload), LiveEvent::decode(&payload)) {
                        (Some(users), _) => users.into_iter().for_each(|u| self.live.ring(u)),
                        (None, Some(event)) => self.live.deliver(event),
                        (None, None) => tracing::warn!("live updates: unreadable notification"),
                    },
                    Err(e) => {
                        tracing::warn!(error = %e, "live updates: listener error");
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    }
                },
                _ = shutdown.changed() => return,
            }
        }
    }
}

/// "b 3 17 42": these people's bells.
fn encode_bells(users: &[UserId]) -> String {
    let mut out = String::from("b");
    for u in users {
        out.push(' ');
        out.push_str(&u.0.to_string());
    }
    out
}

fn decode_bells(payload: &str) -> Option<Vec<UserId>> {
    let rest = payload.strip_prefix("b ")?;
    rest.split(' ').map(|id| id.parse().ok().map(UserId)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bells_round_trip_and_fit_a_notification() {
        // The longest ids there can be: PostgreSQL takes payloads under 8 000 bytes.
        let users: Vec<UserId> = (i64::MAX - 999..=i64::MAX).map(UserId).collect();
        let chunk = &users[..BELLS_PER_PAYLOAD];
        let payload = encode_bells(chunk);
        assert!(payload.len() < 8000, "{} bytes", payload.len());
        assert_eq!(decode_bells(&payload).as_deref(), Some(chunk));
        assert_eq!(decode_bells("7 c 1"), None, "a thread event is not a bell");
        assert_eq!(LiveEvent::decode("b 1 2"), None, "a bell is not a thread event");
    }

    #[test]
    fn events_round_trip() {
        for event in [
            LiveEvent {
                thread_id: ThreadId(7),
                kind: LiveKind::Comment,
                seq: 42,
            },
            LiveEvent {
                thread_id: ThreadId(1),
                kind: LiveKind::Thread,
                seq: 0,
            },
        ] {
            assert_eq!(LiveEvent::decode(&event.encode()), Some(event));
        }
        assert_eq!(LiveEvent::decode("7 x 1"), None);
        assert_eq!(LiveEvent::decode("garbage"), None);
    }

    #[tokio::test]
    async fn watchers_get_only_their_thread() {
        let hub = LiveHub::default();
        let mut a = hub.subscribe(ThreadId(1));
        let mut b = hub.subscribe(ThreadId(2));
        assert_eq!(hub.watchers(), 2);
        let event = LiveEvent {
            thread_id: ThreadId(1),
            kind: LiveKind::Comment,
            seq: 3,
        };
        hub.deliver(event);
        assert_eq!(a.recv().await.unwrap(), event);
        assert!(b.try_recv().is_err());
        drop(a);
        hub.deliver(event);
        assert_eq!(hub.watchers(), 1, "a thread nobody watches is forgotten");
    }
}
