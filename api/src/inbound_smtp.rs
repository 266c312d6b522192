//! The built-in SMTP listener (`INBOUND_SMTP_BIND`, off by default): point a domain's MX
//! at it and visitors' replies to ticket mail come back into their tickets.
//!
//! The protocol is `mailin`'s state machine (the core of `mailin-embedded`); the I/O is
//! ours, so that everything a client sends is bounded: lines (`MAX_LINE`), the message
//! (`INBOUND_MAX_BYTES`, refused with 552 as soon as it is over), the session's length
//! (`SESSION_MAX`), idle reads (`READ_TIMEOUT`) and concurrent sessions (`MAX_SESSIONS`,
//! then 421). It is not a relay: at RCPT only a working reply address of this server
//! (`reply+<token>@INBOUND_DOMAIN`) is accepted; anything else is refused with 550 and a
//! sentence saying why, which the sending server puts in its bounce. The message is
//! delivered before the end of DATA is answered, so a 250 means it is in the ticket and
//! a failure of ours is a 451 (the sender retries): nothing is accepted and then lost.
//! No STARTTLS and no AUTH: it receives mail for its own domain only (terminate TLS in
//! front of it if you need it).

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mailin::{Action, Handler, Response, SessionBuilder};
use tokio::sync::Semaphore;

use crate::services::inbound::{self as service, Outcome, Recipient, Via};
use crate::state::AppState;

/// Concurrent SMTP sessions per server; more are told 421 (try later).
const MAX_SESSIONS: usize = 32;
/// The longest line accepted (RFC 5321 allows 1,000 octets; generous for odd clients).
const MAX_LINE: usize = 64 * 1024;
/// How long a read may wait for the client.
const READ_TIMEOUT: Duration = Duration::from_secs(60);
/// How long one session may last, whatever the client does.
const SESSION_MAX: Duration = Duration::from_secs(10 * 60);
/// How long a delivery may take before the client is told to retry.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(60);

/// Binds `INBOUND_SMTP_BIND` and serves SMTP sessions in the background; returns the
/// address it listens on.
pub async fn spawn(
    state: actix_web::web::Data<AppState>,
    bind: &str,
) -> anyhow::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(bind).await.map_err(|e| {
        anyhow::anyhow!("cannot listen on {bind} for inbound mail (INBOUND_SMTP_BIND): {e}")
    })?;
    let addr = listener.local_addr()?;
    if state.config.inbound_domain.is_none() {
        tracing::warn!(%addr, "INBOUND_SMTP_BIND is set but INBOUND_DOMAIN is not: every recipient is refused");
    }
    let slots = Arc::new(Semaphore::new(MAX_SESSIONS));
    let rt = tokio::runtime::Handle::current();
    tokio::spawn(async move {
        loop {
            let (stream, peer) = match listener.accept().await {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(error = %e, "inbound SMTP accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            let stream = match stream.into_std().and_then(|s| {
                s.set_nonblocking(false)?;
                Ok(s)
            }) {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(error = %e, "inbound SMTP connection setup failed");
                    continue;
                }
            };
            let permit = slots.clone().try_acquire_owned();
            let state = state.clone();
            let rt = rt.clone();
            tokio::task::spawn_blocking(move || {
                let mut stream = stream;
                match permit {
                    Ok(_permit) => {
                        if let Err(e) = session(&mut stream, peer, state, rt) {
                            tracing::debug!(%peer, error = %e, "inbound SMTP session ended");
                        }
                    }
                    Err(_) => {
                        let _ = stream
                            .write_all(b"421 4.3.2 Too many connections, try again later\r\n");
                    }
                }
            });
        }
    });
    tracing::info!(%addr, "inbound SMTP listening");
    Ok(addr)
}

/// Runs `fut` on the server's runtime and waits for it from this (blocking) thread.
fn block_on<T: Send + 'static>(
    rt: &tokio::runtime::Handle,
    fut: impl std::future::Future<Output = T> + Send + 'static,
) -> Option<T> {
    let (tx, rx) = std::sync::mpsc::channel();
    rt.spawn(async move {
        let _ = tx.send(fut.await);
    });
    rx.recv_timeout(DELIVERY_TIMEOUT).ok()
}

fn temporary() -> Response {
    Response::custom(
        451,
        "4.3.0 Temporary failure, please try again later".into(),
    )
}

/// One session's decisions: the recipient it accepted, the message it is receiving.
#[derive(Clone)]
struct Inbound {
    state: actix_web::web::Data<AppState>,
    rt: tokio::runtime::Handle,
    recipient: Option<String>,
    data: Vec<u8>,
    over: bool,
}

impl Handler for Inbound {
    fn mail(&mut self, _ip: std::net::IpAddr, _domain: &str, _from: &str) -> Response {
        self.recipient = None;
        self.data.clear();
        self.over = false;
        mailin::response::OK
    }

    fn rcpt(&mut self, to: &str) -> Response {
        if self.recipient.is_some() {
            // One ticket per message: the client sends again for the next one.
            return Response::custom(
                452,
                "4.5.3 One reply address per message, please send again".into(),
            );
        }
        let state = self.state.clone();
        let address = to.to_string();
        match block_on(&self.rt, async move {
            service::check_recipient(&state, &address).await
        }) {
            Some(Ok(Recipient::Ticket { .. })) => {
                self.recipient = Some(to.to_string());
                mailin::response::OK
            }
            Some(Ok(Recipient::Expired { reason, .. })) => {
                Response::custom(550, format!("5.7.1 {reason}"))
            }
            Some(Ok(Recipient::Unknown)) => {
                Response::custom(550, format!("5.1.1 {}", service::UNKNOWN_TEXT))
            }
            Some(Err(e)) => {
                tracing::warn!(error = %e, "inbound SMTP: could not check a recipient");
                temporary()
            }
            None => temporary(),
        }
    }

    fn data_start(
        &mut self,
        _domain: &str,
        _from: &str,
        _is8bit: bool,
        _to: &[String],
    ) -> Response {
        self.data.clear();
        self.over = false;
        mailin::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if self.over || self.data.len() + buf.len() > self.state.config.inbound_max_bytes {
            self.over = true;
            self.data = Vec::new();
        } else {
            self.data.extend_from_slice(buf);
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let recipient = self.recipient.take();
        let data = std::mem::take(&mut self.data);
        if std::mem::take(&mut self.over) {
            return Response::custom(
                552,
                format!(
                    "5.3.4 Message too big: {} bytes at most",
                    self.state.config.inbound_max_bytes
                ),
            );
        }
        let state = self.state.clone();
        let delivered = block_on(&self.rt, async move {
            service::deliver(&state, Via::Smtp, recipient.as_deref(), &data).await
        });
        match delivered {
            Some(Ok(Ok(outcome))) => {
                let number = match outcome {
                    Outcome::Appended { number, .. }
                    | Outcome::Duplicate { number, .. }
                    | Outcome::AutoReply { number, .. } => number,
                };
                Response::custom(
                    250,
                    format!(
                        "2.0.0 Delivered to {}",
                        crate::domain::ticket_number::TicketNumber::new(number)
                    ),
                )
            }
            Some(Ok(Err(refusal))) => Response::custom(550, refusal.smtp_text()),
            Some(Err(e)) => {
                tracing::warn!(error = %e, "inbound SMTP: could not deliver a message");
                temporary()
            }
            None => temporary(),
        }
    }
}

/// Reads one line (up to and including `\n`), at most `MAX_LINE` bytes; `Ok(None)` at
/// the end of the stream, an error for a longer line.
fn read_line(
    reader: &mut BufReader<&TcpStream>,
    line: &mut Vec<u8>,
) -> std::io::Result<Option<()>> {
    line.clear();
    loop {
        let available = reader.fill_buf()?;
        if available.is_empty() {
            return Ok(if line.is_empty() { None } else { Some(()) });
        }
        let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (&available[..=i], true),
            None => (available, false),
        };
        if line.len() + chunk.len() > MAX_LINE {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "line too long",
            ));
        }
        line.extend_from_slice(chunk);
        let n = chunk.len();
        reader.consume(n);
        if done {
            return Ok(Some(()));
        }
    }
}

fn session(
    stream: &mut TcpStream,
    peer: SocketAddr,
    state: actix_web::web::Data<AppState>,
    rt: tokio::runtime::Handle,
) -> anyhow::Result<()> {
    stream.set_read_timeout(Some(READ_TIMEOUT))?;
    stream.set_write_timeout(Some(READ_TIMEOUT))?;
    let name = state
        .config
        .inbound_domain
        .clone()
        .unwrap_or_else(|| "handoff".into());
    let handler = Inbound {
        state,
        rt,
        recipient: None,
        data: Vec::new(),
        over: false,
    };
    let mut session = SessionBuilder::new(name).build(peer.ip(), handler);
    let mut writer = stream.try_clone()?;
    session.greeting().write_to(&mut writer)?;
    let started = Instant::now();
    let reader_stream: &TcpStream = &*stream;
    let mut reader = BufReader::new(reader_stream);
    let mut line = Vec::with_capacity(256);
    loop {
        if started.elapsed() > SESSION_MAX {
            writer.write_all(b"421 4.4.2 Session too long, closing\r\n")?;
            return Ok(());
        }
        match read_line(&mut reader, &mut line) {
            Ok(Some(())) => {}
            Ok(None) => return Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                writer.write_all(b"500 5.5.2 Line too long, closing\r\n")?;
                return Ok(());
            }
            Err(e) => return Err(e.into()),
        }
        let res = session.process(&line);
        match res.action {
            Action::Reply => {
                res.write_to(&mut writer)?;
                writer.flush()?;
            }
            Action::Close | Action::UpgradeTls => {
                res.write_to(&mut writer)?;
                writer.flush()?;
                return Ok(());
            }
            Action::NoReply => {}
        }
    }
}
