//! The HTTP/1.1 accept loop, with what `axum::serve` lacks against slow or greedy clients
//! (issue 19.3): a deadline for a request's headers (also for an idle kept-alive connection), a
//! cap on open connections per client address, and back-off instead of a busy loop when the
//! process runs out of file descriptors. Behind a trusted reverse proxy every connection comes from
//! the proxy, so the per-client cap does not apply to it (the proxy limits its clients;
//! docs/SECURITY.md says what to configure there).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::sync::{Notify, watch};

use crate::AppState;

/// Limits on connections, from the configuration.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// A connection that has not sent a whole request head this long after opening (or after its
    /// previous response) is closed.
    pub header_read_timeout: Duration,
    /// Open connections per client address (not counting trusted proxies).
    pub per_client: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(15),
            per_client: 256,
        }
    }
}

/// The address a cap counts: an IPv4 address, or an IPv6 address's /64 (one host's usual
/// allocation: counting single IPv6 addresses would let one machine open a cap per address).
fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
    }
}

/// What one client holds at once, by client (`client_key`): open connections here, live streams
/// in `live.rs`. A `Held` counts until it is dropped.
#[derive(Default)]
pub(crate) struct PerClient {
    by_client: Mutex<HashMap<IpAddr, usize>>,
    none_left: Notify,
}

/// One connection or stream, counted until dropped.
pub(crate) struct Held {
    open: Arc<PerClient>,
    client: IpAddr,
}

impl PerClient {
    /// Counts one more for the client of `ip`, unless it already holds `cap` (`None`: no cap).
    pub(crate) fn take(self: &Arc<Self>, ip: IpAddr, cap: Option<usize>) -> Option<Held> {
        let client = client_key(ip);
        let mut by_client = self.by_client.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let n = by_client.entry(client).or_insert(0);
        if cap.is_some_and(|cap| *n >= cap) {
            return None;
        }
        *n += 1;
        Some(Held {
            open: Arc::clone(self),
            client,
        })
    }

    fn is_empty(&self) -> bool {
        self.by_client
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .is_empty()
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut by_client = self
            .open
            .by_client
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(n) = by_client.get_mut(&self.client) {
            *n -= 1;
            if *n == 0 {
                by_client.remove(&self.client);
            }
        }
        if by_client.is_empty() {
            self.open.none_left.notify_waiters();
        }
    }
}

/// Serves `state` on `listener` until `shutdown` completes, then lets open connections finish
/// their requests (at most `DRAIN`).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    const DRAIN: Duration = Duration::from_secs(30);
    let live = state.app.live.clone();
    let limits = state.web.connections.clone();
    let web = Arc::clone(&state.web);
    let router = crate::router(state);
    let open = Arc::new(PerClient::default());
    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors (or another passing error): wait for connections to
                    // close rather than spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let cap = (!web.trusted_proxies.trusts(peer.ip())).then_some(limits.per_client);
        let Some(admitted) = open.take(peer.ip(), cap) else {
            tracing::debug!("a client's connection cap was reached; connection refused");
            drop(stream);
            continue;
        };
        let service = tower::ServiceExt::map_request(router.clone(), move |mut req: axum::extract::Request| {
            req.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
            req
        });
        let mut stop = stop_rx.clone();
        let timeout = limits.header_read_timeout;
        tokio::spawn(async move {
            let _admitted = admitted;
            let _ = stream.set_nodelay(true);
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder.timer(TokioTimer::new()).header_read_timeout(timeout);
            let conn = builder.serve_connection(
                TokioIo::new(stream),
                TowerToHyperService::new(tower::ServiceExt::map_request(
                    service,
                    |req: hyper::Request<hyper::body::Incoming>| req.map(axum::body::Body::new),
                )),
            );
            tokio::pin!(conn);
            let finished = tokio::select! {
                r = conn.as_mut() => Some(r),
                _ = stop.wait_for(|s| *s) => None,
            };
            let result = match finished {
                Some(r) => r,
                None => {
                    conn.as_mut().graceful_shutdown();
                    conn.await
                }
            };
            if let Err(e) = result {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    let _ = stop_tx.send(true);
    // Live-update streams never end by themselves: end them so shutdown can finish.
    live.close();
    let drained = async {
        loop {
            // Registered before the check, so a last connection closing in between still wakes us.
            let notified = open.none_left.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if open.is_empty() {
                break;
            }
            notified.await;
        }
    };
    if tokio::time::timeout(DRAIN, drained).await.is_err() {
        tracing::warn!("connections still open after {DRAIN:?}; stopping anyway");
    }
    Ok(())
}

/// Raises this process's limit on open files to its hard limit, so that the connection caps, not
/// the operating system's default of 1 024, decide how many clients are served. Returns the
/// limit now in force.
#[cfg(unix)]
pub fn raise_open_file_limit() -> Option<u64> {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    // `None` is unlimited.
    if limit.current.is_some() && limit.current != limit.maximum {
        let raised = Rlimit {
            current: limit.maximum,
            maximum: limit.maximum,
        };
        if setrlimit(Resource::Nofile, raised).is_ok() {
            return raised.current.or(Some(u64::MAX));
        }
    }
    limit.current.or(Some(u64::MAX))
}

#[cfg(not(unix))]
pub fn raise_open_file_limit() -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_host_counts_as_its_64_and_ipv4_as_itself() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(client_key(a), client_key(b));
        assert_ne!(client_key(a), client_key(c));
        let v4: IpAddr = "198.51.100.7".parse().unwrap();
        assert_eq!(client_key(v4), v4);
        assert_ne!(client_key(v4), client_key("198.51.100.8".parse().unwrap()));
    }

    #[test]
    fn a_client_gets_its_cap_and_slots_come_back() {
        let open = Arc::new(PerClient::default());
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let held: Vec<_> = (0..3).map(|_| open.take(ip, Some(3)).unwrap()).collect();
        assert!(open.take(ip, Some(3)).is_none());
        assert!(
            open.take("192.0.2.2".parse().unwrap(), Some(3)).is_some(),
            "others unaffected"
        );
        assert!(open.take(ip, None).is_some(), "a trusted proxy is not capped");
        let v6: IpAddr = "2001:db8::1".parse().unwrap();
        let _one = open.take(v6, Some(1)).unwrap();
        assert!(
            open.take("2001:db8::2".parse().unwrap(), Some(1)).is_none(),
            "one /64 is one client"
        );
        drop(held);
        assert!(open.take(ip, Some(3)).is_some());
    }
}
