//! The built-in SMTP listener for replies by email (`WEFT_SMTP_INBOUND_BIND`): an MX for the reply
//! domain only. Commands are read by `smtp-proto` (Stalwart's SMTP protocol crate); a recipient
//! is accepted only when it is a reply address of the reply domain (no relay, ever); a message
//! larger than the limit is refused at `MAIL FROM` (its declared `SIZE`) or while it arrives.
//! An accepted message is handed to `App::receive_email`, and answered 250 whatever became of it:
//! a refusal is dropped, never bounced (no backscatter, no loop). Only a failure that may pass
//! (the database) answers 451, so the sender tries again.

use std::sync::Arc;
use std::time::Duration;

use smtp_proto::Request;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use weft_app::App;
use weft_domain::inbound::address::PREFIX;

/// Sessions at once; more wait in the kernel's queue.
const SESSIONS: usize = 64;
/// A command, or a chunk of the message, must arrive within this.
const IDLE: Duration = Duration::from_secs(300);
/// Recipients per message.
const RECIPIENTS: usize = 20;
/// The longest command line accepted (RFC 5321 says 512; extensions make them longer).
const LINE: usize = 4096;

/// Serves until `shutdown` turns true.
pub async fn serve(listener: TcpListener, app: App, host: String, mut shutdown: watch::Receiver<bool>) {
    let permits = Arc::new(Semaphore::new(SESSIONS));
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let Ok(permit) = permits.clone().acquire_owned().await else { return };
                let (app, host) = (app.clone(), host.clone());
                tokio::spawn(async move {
                    let _permit = permit;
                    if let Err(e) = session(stream, &app, &host).await {
                        tracing::debug!(error = %e, "an inbound SMTP session ended early");
                    }
                });
            }
            _ = shutdown.changed() => return,
        }
    }
}

async fn reply(w: &mut (impl AsyncWriteExt + Unpin), line: &str) -> std::io::Result<()> {
    w.write_all(line.as_bytes()).await?;
    w.write_all(b"\r\n").await?;
    w.flush().await
}

async fn read_line(r: &mut (impl tokio::io::AsyncBufRead + Unpin), buf: &mut Vec<u8>) -> std::io::Result<usize> {
    buf.clear();
    let mut limited = tokio::io::AsyncReadExt::take(&mut *r, u64::try_from(LINE).unwrap_or(u64::MAX));
    let n = tokio::time::timeout(IDLE, limited.read_until(b'\n', buf))
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "idle"))??;
    Ok(n)
}

/// Whether `address` is one of this instance's: a reply address, or one shaped as a group's
/// (whether such a group exists is decided later, so that no one learns the handles of secret
/// groups by trying them here).
fn ours(address: &str, domain: &str) -> bool {
    let lower = address.to_ascii_lowercase();
    lower.rsplit_once('@').is_some_and(|(local, d)| {
        d == domain && (local.starts_with(PREFIX) || weft_domain::inbound::group_address::parse(local).is_some())
    })
}

async fn session(stream: TcpStream, app: &App, host: &str) -> std::io::Result<()> {
    let Some(domain) = app.config.reply_domain.clone() else {
        return Ok(());
    };
    let max = app.config.inbound_max_bytes;
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    reply(&mut write, &format!("220 {host} ESMTP Weft")).await?;
    let mut line = Vec::with_capacity(256);
    let mut greeted = false;
    let mut sender = false;
    let mut recipients: Vec<String> = Vec::new();
    loop {
        if read_line(&mut read, &mut line).await? == 0 {
            return Ok(());
        }
        if !line.ends_with(b"\n") {
            reply(&mut write, "500 5.5.2 Line too long").await?;
            return Ok(());
        }
        let request = Request::parse(&mut line.iter());
        match request {
            Ok(Request::Ehlo { .. }) => {
                greeted = true;
                (sender, recipients) = (false, Vec::new());
                reply(&mut write, &format!("250-{host}")).await?;
                reply(&mut write, &format!("250-SIZE {max}")).await?;
                reply(&mut write, "250-8BITMIME").await?;
                reply(&mut write, "250 ENHANCEDSTATUSCODES").await?;
            }
            Ok(Request::Helo { .. }) => {
                greeted = true;
                (sender, recipients) = (false, Vec::new());
                reply(&mut write, &format!("250 {host}")).await?;
            }
            Ok(Request::Mail { from }) => {
                if !greeted {
                    reply(&mut write, "503 5.5.1 Say EHLO first").await?;
                } else if from.size > max {
                    reply(&mut write, "552 5.3.4 Message too large").await?;
                } else {
                    (sender, recipients) = (true, Vec::new());
                    reply(&mut write, "250 2.1.0 OK").await?;
                }
            }
            Ok(Request::Rcpt { to }) => {
                if !sender {
                    reply(&mut write, "503 5.5.1 MAIL FROM first").await?;
                } else if !ours(&to.address, &domain) {
                    reply(
                        &mut write,
                        "550 5.7.1 Relaying denied: not a reply address of this instance",
                    )
                    .await?;
                } else if recipients.len() >= RECIPIENTS {
                    reply(&mut write, "452 4.5.3 Too many recipients").await?;
                } else {
                    recipients.push(to.address.to_ascii_lowercase());
                    reply(&mut write, "250 2.1.5 OK").await?;
                }
            }
            Ok(Request::Data) => {
                if recipients.is_empty() {
                    reply(&mut write, "554 5.5.1 No valid recipients").await?;
                    continue;
                }
                reply(&mut write, "354 End data with <CR><LF>.<CR><LF>").await?;
                let message = match data(&mut read, max).await? {
                    Some(m) => m,
                    None => {
                        reply(&mut write, "552 5.3.4 Message too large").await?;
                        (sender, recipients) = (false, Vec::new());
                        continue;
                    }
                };
                match app.receive_email(&message, &recipients).await {
                    Ok(_) => reply(&mut write, "250 2.0.0 OK").await?,
                    Err(e) => {
                        tracing::warn!(error = %e, "an inbound message could not be taken; the sender will retry");
                        reply(&mut write, "451 4.3.0 Try again later").await?;
                    }
                }
                (sender, recipients) = (false, Vec::new());
            }
            Ok(Request::Rset) => {
                (sender, recipients) = (false, Vec::new());
                reply(&mut write, "250 2.0.0 OK").await?;
            }
            Ok(Request::Noop { .. }) => reply(&mut write, "250 2.0.0 OK").await?,
            Ok(Request::Vrfy { .. }) => reply(&mut write, "252 2.1.5 Cannot verify").await?,
            Ok(Request::Quit) => {
                reply(&mut write, "221 2.0.0 Bye").await?;
                return Ok(());
            }
            Ok(_) => reply(&mut write, "502 5.5.1 Not implemented").await?,
            Err(_) => reply(&mut write, "500 5.5.2 Syntax error").await?,
        }
    }
}

/// The message after DATA, dot-unstuffed, up to the lone "." line; `None` when it grew past
/// `max` (the rest is read and dropped, so the session can go on).
async fn data(read: &mut (impl tokio::io::AsyncBufRead + Unpin), max: usize) -> std::io::Result<Option<Vec<u8>>> {
    let mut message = Vec::new();
    let mut line = Vec::with_capacity(1024);
    let mut too_large = false;
    loop {
        line.clear();
        // A line is capped too: a sender that never ends one cannot grow it past the limit.
        let cap = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(2);
        let mut limited = tokio::io::AsyncReadExt::take(&mut *read, cap);
        let n = tokio::time::timeout(IDLE, limited.read_until(b'\n', &mut line))
            .await
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "idle"))??;
        if n == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "closed during DATA",
            ));
        }
        if line == b".\r\n" || line == b".\n" {
            return Ok((!too_large).then_some(message));
        }
        let content = line.strip_prefix(b".").unwrap_or(&line);
        if message.len() + content.len() > max {
            too_large = true;
            message.clear();
        }
        if !too_large {
            message.extend_from_slice(content);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ours;

    #[test]
    fn only_our_addresses_of_the_reply_domain_are_ours() {
        assert!(ours("reply+abc@reply.weft.test", "reply.weft.test"));
        assert!(ours("REPLY+ABC@REPLY.WEFT.TEST", "reply.weft.test"));
        assert!(
            ours("riverside-garden@reply.weft.test", "reply.weft.test"),
            "a group's address"
        );
        assert!(ours("group+1-2-0123456789abcdef@reply.weft.test", "reply.weft.test"));
        assert!(!ours("bob.smith@reply.weft.test", "reply.weft.test"));
        assert!(!ours("group+1-2-short@reply.weft.test", "reply.weft.test"));
        assert!(!ours("riverside-garden@elsewhere.example", "reply.weft.test"));
        assert!(!ours("reply+abc@elsewhere.example", "reply.weft.test"));
        assert!(!ours("reply+abc@reply.weft.test.evil.example", "reply.weft.test"));
    }
}
