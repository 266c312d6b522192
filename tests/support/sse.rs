//! A server-sent events client for tests. Opening a stream waits for its first chunk,
//! which the server always sends as `retry: 3000` once the handler has subscribed to the
//! event bus: after `open` returns, every change made is seen by the stream.

use std::pin::Pin;
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use reqwest::StatusCode;
use serde_json::Value;

/// How long a read waits for the server before the test fails. Longer than the server's
/// heartbeat (15 s): a client that went away is noticed at the server's next write to it,
/// so an event caused by that (visitor.presence offline) can take a whole heartbeat to come.
pub const READ_TIMEOUT: Duration = Duration::from_secs(25);

/// The first block of every stream.
const FIRST_BLOCK: &str = "retry: 3000";

type Chunks = Pin<Box<dyn Stream<Item = reqwest::Result<Vec<u8>>> + Send>>;

/// One event: `event: <name>`, an optional `id: <id>`, `data: <json>`.
#[derive(Debug, Clone)]
pub struct Event {
    pub name: String,
    pub id: Option<String>,
    pub data: Value,
}

/// An open event stream whose subscription is known to exist.
pub struct EventStream {
    /// The response's `Content-Type`.
    pub content_type: String,
    chunks: Chunks,
    /// Bytes read but not yet consumed as events.
    buf: Vec<u8>,
}

impl EventStream {
    /// Sends `request`, checks for `200 text/event-stream` and waits for the `retry` block.
    pub async fn open(request: reqwest::RequestBuilder) -> EventStream {
        let resp = match request.send().await {
            Ok(resp) => resp,
            Err(e) => panic!("event stream: request failed: {e}"),
        };
        let status = resp.status();
        if status != StatusCode::OK {
            let body = resp.text().await.unwrap_or_else(|e| e.to_string());
            panic!("event stream: status {status}: {body}");
        }
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        assert!(
            content_type.starts_with("text/event-stream"),
            "event stream: content-type {content_type:?}"
        );
        let mut stream = EventStream {
            content_type,
            chunks: Box::pin(resp.bytes_stream().map(|c| c.map(|b| b.to_vec()))),
            buf: Vec::new(),
        };
        let first = stream.next_block().await;
        assert_eq!(
            first, FIRST_BLOCK,
            "event stream: the first block is the retry hint"
        );
        stream
    }

    /// Reads one more chunk into the buffer; panics on timeout or end of stream.
    async fn read_chunk(&mut self, deadline: tokio::time::Instant) {
        match tokio::time::timeout_at(deadline, self.chunks.next()).await {
            Ok(Some(Ok(bytes))) => self.buf.extend_from_slice(&bytes),
            Ok(Some(Err(e))) => panic!("event stream: {e}; read so far:\n{}", self.text()),
            Ok(None) => panic!("event stream ended; read so far:\n{}", self.text()),
            Err(_) => panic!(
                "event stream: nothing more after {READ_TIMEOUT:?}; read so far:\n{}",
                self.text()
            ),
        }
    }

    /// The next complete block (the text before a blank line), consumed.
    async fn next_block(&mut self) -> String {
        let deadline = tokio::time::Instant::now() + READ_TIMEOUT;
        loop {
            if let Some(end) = self.buf.windows(2).position(|w| w == b"\n\n") {
                let block: Vec<u8> = self.buf.drain(..end + 2).collect();
                return String::from_utf8_lossy(&block).trim_end().to_string();
            }
            self.read_chunk(deadline).await;
        }
    }

    /// Reads until the server ends the stream; returns what came before the end. Panics when
    /// the stream is still open after `READ_TIMEOUT`.
    pub async fn ends(&mut self) -> String {
        let deadline = tokio::time::Instant::now() + READ_TIMEOUT;
        loop {
            match tokio::time::timeout_at(deadline, self.chunks.next()).await {
                Ok(Some(Ok(bytes))) => self.buf.extend_from_slice(&bytes),
                Ok(Some(Err(_))) | Ok(None) => return self.text(),
                Err(_) => panic!(
                    "event stream: still open after {READ_TIMEOUT:?}; read:\n{}",
                    self.text()
                ),
            }
        }
    }

    /// What has been read and not consumed yet, as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.buf).into_owned()
    }

    /// Reads until `done(text)` holds for the text read since the stream opened (minus the
    /// events `next_event` consumed); returns that text.
    pub async fn read_until(&mut self, done: impl Fn(&str) -> bool) -> String {
        let deadline = tokio::time::Instant::now() + READ_TIMEOUT;
        loop {
            let text = self.text();
            if done(&text) {
                return text;
            }
            self.read_chunk(deadline).await;
        }
    }

    /// Reads events until `want(event)` holds and returns that event; events before it are
    /// consumed, comments (heartbeats) skipped.
    pub async fn next_event(&mut self, want: impl Fn(&Event) -> bool) -> Event {
        loop {
            let block = self.next_block().await;
            let mut name = String::new();
            let mut id = None;
            let mut data = String::new();
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event: ") {
                    name = v.to_string();
                } else if let Some(v) = line.strip_prefix("id: ") {
                    id = Some(v.to_string());
                } else if let Some(v) = line.strip_prefix("data: ") {
                    data.push_str(v);
                }
            }
            if name.is_empty() {
                continue;
            }
            let data: Value = match serde_json::from_str(&data) {
                Ok(v) => v,
                Err(e) => panic!("event stream: `{name}` data is not JSON ({e}): {block}"),
            };
            let event = Event { name, id, data };
            if want(&event) {
                return event;
            }
        }
    }
}
