//! A recording SMTP server for tests: speaks enough SMTP for lettre (EHLO/HELO, MAIL,
//! RCPT, DATA, RSET, NOOP, QUIT), keeps every accepted message, and can be told to
//! refuse the next N transactions with `451` so outbox retries can be tested.
//!
//! ```ignore
//! let smtp = SmtpServer::start().await;
//! let app = TestApp::builder().env("SMTP_URL", smtp.url()).spawn().await;
//! smtp.fail_next(2);                       // the first two deliveries get 451
//! let mail = smtp.wait_for_to("ops@example.com", Duration::from_secs(10)).await;
//! assert!(mail.subject().contains("TKT-10001"));
//! assert!(mail.text().contains("Refund"));
//! ```

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

/// One message accepted by the server.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    /// The envelope sender (`MAIL FROM`).
    pub from: String,
    /// The envelope recipients (`RCPT TO`).
    pub to: Vec<String>,
    /// The raw message (headers and body) as sent after `DATA`, dot-unstuffed.
    pub data: String,
    /// When the server accepted it (to order it against other events).
    pub received_at: std::time::Instant,
}

#[derive(Default)]
struct Shared {
    /// Transactions whose DATA ended (counted before any delay): what clients sent.
    data_ended: AtomicUsize,
    messages: Mutex<Vec<ReceivedMail>>,
    fail_remaining: AtomicUsize,
    refused: AtomicUsize,
    /// Milliseconds to wait after the end of DATA before answering.
    data_delay_ms: std::sync::atomic::AtomicU64,
    notify: Notify,
}

/// The server; it stops when dropped.
pub struct SmtpServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SmtpServer {
    /// Listens on 127.0.0.1 on a free port.
    pub async fn start() -> Self {
        Self::start_on(0).await
    }

    /// Listens on 127.0.0.1:`port` (an SMTP server coming back where it was).
    pub async fn start_on(port: u16) -> Self {
        let listener = match TcpListener::bind(("127.0.0.1", port)).await {
            Ok(listener) => listener,
            Err(err) => panic!("smtp test server: bind failed: {err}"),
        };
        let addr = match listener.local_addr() {
            Ok(addr) => addr,
            Err(err) => panic!("smtp test server: no local address: {err}"),
        };
        let shared = Arc::new(Shared::default());
        let accept_shared = shared.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let shared = accept_shared.clone();
                tokio::spawn(async move {
                    let _ = session(stream, shared).await;
                });
            }
        });
        SmtpServer { addr, shared, task }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `smtp://127.0.0.1:<port>`: plain SMTP, the form SMTP_URL takes.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.addr.port())
    }

    /// Answers the next `n` transactions with `451` at the end of DATA (not recorded).
    pub fn fail_next(&self, n: usize) {
        self.shared.fail_remaining.store(n, Ordering::SeqCst);
    }

    /// Answers every DATA only `delay` after its end (a slow server: the client waits for
    /// the reply that says whether the message was accepted). A client that disconnects
    /// meanwhile has sent nothing: the message is not recorded.
    pub fn delay_data(&self, delay: Duration) {
        let ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        self.shared.data_delay_ms.store(ms, Ordering::SeqCst);
    }

    /// How many transactions sent their whole message so far (accepted, refused, or
    /// waiting for the delayed reply).
    pub fn data_ended(&self) -> usize {
        self.shared.data_ended.load(Ordering::SeqCst)
    }

    /// Waits until `n` transactions sent their whole message; panics after `timeout`.
    pub async fn wait_for_data_ended(&self, n: usize, timeout: Duration) {
        if self
            .wait_until(timeout, |_| (self.data_ended() >= n).then_some(()))
            .await
            .is_none()
        {
            panic!(
                "smtp: expected {n} messages sent, got {}",
                self.data_ended()
            );
        }
    }

    /// How many transactions were refused with 451 so far.
    pub fn refused(&self) -> usize {
        self.shared.refused.load(Ordering::SeqCst)
    }

    /// Every message accepted so far, in arrival order.
    pub fn messages(&self) -> Vec<ReceivedMail> {
        // A session task that panicked while recording leaves the list intact: read it anyway.
        match self.shared.messages.lock() {
            Ok(m) => m.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Messages whose envelope recipients include `addr` (case-insensitive).
    pub fn messages_to(&self, addr: &str) -> Vec<ReceivedMail> {
        self.messages()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(addr)))
            .collect()
    }

    /// Waits until at least `count` messages arrived; panics after `timeout`.
    pub async fn wait_for(&self, count: usize, timeout: Duration) -> Vec<ReceivedMail> {
        self.wait_until(timeout, |all| (all.len() >= count).then(|| all.to_vec()))
            .await
            .unwrap_or_else(|| {
                panic!(
                    "smtp: expected {count} messages, got {:?}",
                    self.messages().len()
                )
            })
    }

    /// Waits for the first message to `addr`; panics after `timeout`.
    pub async fn wait_for_to(&self, addr: &str, timeout: Duration) -> ReceivedMail {
        self.wait_until(timeout, |all| {
            all.iter()
                .find(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(addr)))
                .cloned()
        })
        .await
        .unwrap_or_else(|| {
            let got: Vec<_> = self.messages().into_iter().map(|m| m.to).collect();
            panic!("smtp: no message to {addr} (got messages to {got:?})")
        })
    }

    async fn wait_until<T>(
        &self,
        timeout: Duration,
        check: impl Fn(&[ReceivedMail]) -> Option<T>,
    ) -> Option<T> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.shared.notify.notified();
            if let Some(found) = check(&self.messages()) {
                return Some(found);
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return check(&self.messages());
            }
        }
    }
}

async fn session(stream: TcpStream, shared: Arc<Shared>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write
        .write_all(b"220 localhost ESMTP handoff-test\r\n")
        .await?;
    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end_matches(['\r', '\n']);
        let upper = command.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-localhost\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 PIPELINING\r\n"
        } else if upper.starts_with("HELO") {
            b"250 localhost\r\n"
        } else if let Some(arg) = strip_prefix_ignore_case(command, "MAIL FROM:") {
            from = Some(address(arg));
            to.clear();
            b"250 2.1.0 OK\r\n"
        } else if let Some(arg) = strip_prefix_ignore_case(command, "RCPT TO:") {
            if from.is_none() {
                b"503 5.5.1 MAIL first\r\n"
            } else {
                to.push(address(arg));
                b"250 2.1.5 OK\r\n"
            }
        } else if upper == "DATA" {
            if from.is_none() || to.is_empty() {
                b"503 5.5.1 RCPT first\r\n"
            } else {
                write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let data = read_data(&mut lines).await?;
                shared.data_ended.fetch_add(1, Ordering::SeqCst);
                shared.notify.notify_waiters();
                let delay = shared.data_delay_ms.load(Ordering::SeqCst);
                if delay > 0 {
                    // A client that goes away before the reply (killed) never learns
                    // whether the message was accepted: it isn't, like a server that
                    // drops a transaction it could not confirm.
                    let mut probe = String::new();
                    tokio::select! {
                        () = tokio::time::sleep(Duration::from_millis(delay)) => {}
                        read = lines.read_line(&mut probe) => {
                            if matches!(read, Ok(0) | Err(_)) {
                                return Ok(());
                            }
                        }
                    }
                }
                let fail = shared
                    .fail_remaining
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                    .is_ok();
                let mail = ReceivedMail {
                    from: from.take().unwrap_or_default(),
                    to: std::mem::take(&mut to),
                    data,
                    received_at: std::time::Instant::now(),
                };
                if fail {
                    shared.refused.fetch_add(1, Ordering::SeqCst);
                    b"451 4.3.0 Temporary failure, try again later\r\n"
                } else {
                    match shared.messages.lock() {
                        Ok(mut messages) => messages.push(mail),
                        Err(poisoned) => poisoned.into_inner().push(mail),
                    }
                    shared.notify.notify_waiters();
                    b"250 2.0.0 OK queued\r\n"
                }
            }
        } else if upper == "RSET" {
            from = None;
            to.clear();
            b"250 2.0.0 OK\r\n"
        } else if upper.starts_with("NOOP") {
            b"250 2.0.0 OK\r\n"
        } else if upper == "QUIT" {
            write.write_all(b"221 2.0.0 Bye\r\n").await?;
            return Ok(());
        } else {
            b"502 5.5.2 Command not implemented\r\n"
        };
        write.write_all(reply).await?;
    }
}

async fn read_data(
    lines: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
) -> std::io::Result<String> {
    let mut data = String::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let content = line.trim_end_matches(['\r', '\n']);
        if content == "." {
            return Ok(data);
        }
        let content = content
            .strip_prefix('.')
            .filter(|_| content.starts_with(".."))
            .unwrap_or(content);
        data.push_str(content);
        data.push_str("\r\n");
    }
}

/// `command` without `prefix`, compared ASCII-case-insensitively (`mail from:` is `MAIL FROM:`).
fn strip_prefix_ignore_case<'a>(command: &'a str, prefix: &str) -> Option<&'a str> {
    let head = command.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| command.get(prefix.len()..))
        .flatten()
}

/// `<a@b>` plus optional parameters → `a@b`.
fn address(arg: &str) -> String {
    let arg = arg.trim();
    if let Some((_, rest)) = arg.split_once('<')
        && let Some((inside, _)) = rest.split_once('>')
    {
        return inside.to_string();
    }
    arg.split_whitespace().next().unwrap_or("").to_string()
}

impl ReceivedMail {
    /// The value of a top-level header (first occurrence, unfolded, RFC 2047 decoded).
    pub fn header(&self, name: &str) -> Option<String> {
        let (head, _) = split_head_body(&self.data);
        header_in(head, name).map(|v| decode_words(&v))
    }

    pub fn subject(&self) -> String {
        self.header("Subject").unwrap_or_default()
    }

    /// The decoded `text/plain` part (or the whole body of a single-part message).
    pub fn text(&self) -> String {
        self.part("text/plain").unwrap_or_default()
    }

    /// The decoded `text/html` part.
    pub fn html(&self) -> String {
        self.part("text/html").unwrap_or_default()
    }

    /// The first part (at any depth) whose Content-Type starts with `content_type`, decoded.
    pub fn part(&self, content_type: &str) -> Option<String> {
        find_part(&self.data, content_type)
    }
}

fn split_head_body(raw: &str) -> (&str, &str) {
    raw.split_once("\r\n\r\n")
        .or_else(|| raw.split_once("\n\n"))
        .unwrap_or((raw, ""))
}

fn header_in(head: &str, name: &str) -> Option<String> {
    let mut value: Option<String> = None;
    for line in head.lines() {
        if let Some(v) = value.as_mut() {
            if line.starts_with(' ') || line.starts_with('\t') {
                v.push(' ');
                v.push_str(line.trim());
                continue;
            }
            return value;
        }
        if let Some((key, rest)) = line.split_once(':')
            && key.eq_ignore_ascii_case(name)
        {
            value = Some(rest.trim().to_string());
        }
    }
    value
}

fn find_part(entity: &str, wanted: &str) -> Option<String> {
    let (head, body) = split_head_body(entity);
    let content_type = header_in(head, "Content-Type").unwrap_or_else(|| "text/plain".into());
    let lower = content_type.to_ascii_lowercase();
    if lower.starts_with("multipart/") {
        let boundary = param(&content_type, "boundary")?;
        let delimiter = format!("--{boundary}");
        for chunk in body.split(&delimiter).skip(1) {
            if chunk.starts_with("--") {
                break;
            }
            let chunk = chunk.trim_start_matches(['\r', '\n']);
            if let Some(found) = find_part(chunk, wanted) {
                return Some(found);
            }
        }
        return None;
    }
    if !lower.starts_with(&wanted.to_ascii_lowercase()) {
        return None;
    }
    let encoding = header_in(head, "Content-Transfer-Encoding")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let bytes = match encoding.as_str() {
        "base64" => {
            let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            base64::engine::general_purpose::STANDARD
                .decode(compact)
                .ok()?
        }
        "quoted-printable" => decode_qp(body, false),
        _ => body.as_bytes().to_vec(),
    };
    Some(
        String::from_utf8_lossy(&bytes)
            .replace("\r\n", "\n")
            .trim_end()
            .to_string(),
    )
}

fn param(header: &str, name: &str) -> Option<String> {
    header.split(';').skip(1).find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.eq_ignore_ascii_case(name)
            .then(|| v.trim().trim_matches('"').to_string())
    })
}

fn decode_qp(text: &str, underscore_is_space: bool) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'=' if bytes.get(i + 1) == Some(&b'\r') && bytes.get(i + 2) == Some(&b'\n') => i += 3,
            b'=' if bytes.get(i + 1) == Some(&b'\n') => i += 2,
            b'=' if i + 2 < bytes.len() => {
                match std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                    }
                    None => {
                        out.push(b'=');
                        i += 1;
                    }
                }
            }
            b'_' if underscore_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// Decodes RFC 2047 encoded words (`=?utf-8?b?...?=`, `=?utf-8?q?...?=`).
fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    let mut last_was_word = false;
    while let Some((before, after)) = rest.split_once("=?") {
        // `after` is `charset?encoding?text?=` and whatever follows the word.
        let word = after.split_once('?').and_then(|(_charset, tail)| {
            let (encoding, tail) = tail.split_once('?')?;
            let (text, tail) = tail.split_once("?=")?;
            Some((encoding, text, tail))
        });
        if let Some((encoding, text, tail)) = word {
            let bytes = if encoding.eq_ignore_ascii_case("b") {
                base64::engine::general_purpose::STANDARD
                    .decode(text)
                    .unwrap_or_default()
            } else {
                decode_qp(text, true)
            };
            if !(last_was_word && before.trim().is_empty()) {
                out.push_str(before);
            }
            out.push_str(&String::from_utf8_lossy(&bytes));
            rest = tail;
            last_was_word = true;
            continue;
        }
        out.push_str(before);
        out.push_str("=?");
        rest = after;
        last_was_word = false;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    async fn expect(stream: &mut TcpStream, code: &str) {
        let mut buf = vec![0u8; 1024];
        let n = stream.read(&mut buf).await.unwrap();
        let got = String::from_utf8_lossy(&buf[..n]).to_string();
        assert!(got.starts_with(code), "expected {code}, got {got:?}");
    }

    async fn send(stream: &mut TcpStream, line: &str, code: &str) {
        stream.write_all(line.as_bytes()).await.unwrap();
        expect(stream, code).await;
    }

    async fn transaction(stream: &mut TcpStream, to: &str, final_code: &str) {
        send(stream, "MAIL FROM:<from@x.test> SIZE=100\r\n", "250").await;
        send(stream, &format!("RCPT TO:<{to}>\r\n"), "250").await;
        send(stream, "DATA\r\n", "354").await;
        let body = "Subject: =?utf-8?b?SMOpbGxv?= TKT-10001\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nCaf=C3=A9 =\r\nline\r\n..dot\r\n.\r\n";
        send(stream, body, final_code).await;
    }

    #[tokio::test]
    async fn records_messages_and_fails_on_request() {
        let smtp = SmtpServer::start().await;
        smtp.fail_next(1);
        let mut s = TcpStream::connect(smtp.addr()).await.unwrap();
        expect(&mut s, "220").await;
        send(&mut s, "EHLO test\r\n", "250").await;
        send(&mut s, "NOOP\r\n", "250").await;
        transaction(&mut s, "a@x.test", "451").await;
        send(&mut s, "RSET\r\n", "250").await;
        transaction(&mut s, "b@x.test", "250").await;
        send(&mut s, "QUIT\r\n", "221").await;
        assert_eq!(smtp.refused(), 1);
        let mail = smtp.wait_for_to("B@x.test", Duration::from_secs(2)).await;
        assert_eq!(mail.from, "from@x.test");
        assert_eq!(mail.subject(), "Héllo TKT-10001");
        assert_eq!(mail.text(), "Café line\n.dot");
        assert_eq!(smtp.messages().len(), 1);
        assert!(smtp.messages_to("a@x.test").is_empty());
    }

    #[test]
    fn finds_parts_of_multipart_alternative() {
        let raw = "Subject: hi\r\nContent-Type: multipart/alternative; boundary=\"XyZ\"\r\n\r\n--XyZ\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\nSGVsbG8g\r\nd29ybGQ=\r\n--XyZ\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n<p>Hello &amp; world</p>\r\n--XyZ--\r\n";
        let mail = ReceivedMail {
            from: String::new(),
            to: vec![],
            data: raw.into(),
            received_at: std::time::Instant::now(),
        };
        assert_eq!(mail.text(), "Hello world");
        assert_eq!(mail.html(), "<p>Hello &amp; world</p>");
    }
}
