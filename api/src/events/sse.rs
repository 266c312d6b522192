//! Server-sent events responses with heartbeats.

use std::time::Duration;

use actix_web::HttpResponse;
use actix_web::web::Bytes;
use futures_util::{Stream, StreamExt};

/// One event on the wire: `event: <name>\nid: <id>\ndata: <json>\n\n`.
#[derive(Debug, Clone)]
pub struct SseEvent {
    pub event: String,
    pub id: Option<String>,
    pub data: serde_json::Value,
}

impl SseEvent {
    pub fn encode(&self) -> Bytes {
        let mut out = format!("event: {}\n", self.event);
        if let Some(id) = &self.id {
            out.push_str(&format!("id: {id}\n"));
        }
        // serde_json never emits raw newlines, so the data is one line.
        out.push_str(&format!("data: {}\n\n", self.data));
        Bytes::from(out)
    }
}

pub const HEARTBEAT: Duration = Duration::from_secs(15);

/// `frames` until `ends_at` (when the credential behind the stream expires): then the
/// stream ends and the client mints a new ticket, with a fresh credential, to go on.
pub fn until<S: Stream>(
    frames: S,
    ends_at: chrono::DateTime<chrono::Utc>,
) -> impl Stream<Item = S::Item> {
    let left = (ends_at - chrono::Utc::now())
        .to_std()
        .unwrap_or(Duration::ZERO);
    frames.take_until(tokio::time::sleep(left))
}

/// An SSE response: a `retry` hint first, then the encoded frames of `frames`, and a
/// comment line every 15 s so proxies and browsers keep the connection open. The response
/// ends when `frames` ends (the client reconnects after the `retry` delay).
pub fn response<S>(frames: S) -> HttpResponse
where
    S: Stream<Item = Bytes> + 'static,
{
    enum Part {
        Frame(Bytes),
        End,
    }
    let heartbeat = futures_util::stream::unfold(
        tokio::time::interval_at(tokio::time::Instant::now() + HEARTBEAT, HEARTBEAT),
        |mut iv| async move {
            iv.tick().await;
            Some((Part::Frame(Bytes::from_static(b": heartbeat\n\n")), iv))
        },
    );
    let frames = frames
        .map(Part::Frame)
        .chain(futures_util::stream::once(async { Part::End }));
    let first = futures_util::stream::once(async { Bytes::from_static(b"retry: 3000\n\n") });
    let body = first
        .chain(
            futures_util::stream::select(frames, heartbeat)
                .take_while(|p| std::future::ready(matches!(p, Part::Frame(_))))
                .filter_map(|p| {
                    std::future::ready(match p {
                        Part::Frame(b) => Some(b),
                        Part::End => None,
                    })
                }),
        )
        .map(Ok::<_, actix_web::Error>);
    HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("Cache-Control", "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_one_event() {
        let e = SseEvent {
            event: "ticket.created".into(),
            id: Some("7".into()),
            data: serde_json::json!({"a": "x\ny"}),
        };
        assert_eq!(
            &e.encode()[..],
            b"event: ticket.created\nid: 7\ndata: {\"a\":\"x\\ny\"}\n\n"
        );
    }
}
