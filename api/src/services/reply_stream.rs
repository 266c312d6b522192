//! A streaming engine's reply on its way to the widget: the pieces the engine writes are
//! announced on the event bus as `message.delta` (in order, numbered), and the reply is
//! then stored under the id the deltas carried, so its `message.created` replaces what
//! the widget showed. When the engine failed half-way, what is stored under that id is
//! the fallback (the ticket offer), never the half answer.

use tokio::sync::mpsc;
use uuid::Uuid;

use crate::assistant::Deltas;
use crate::events::BusEvent;
use crate::events::bus::EventBus;

/// Characters of one announcement at most (a NOTIFY payload must stay under 8,000 bytes).
const PIECE_CHARS: usize = 1_000;

pub struct ReplyStream {
    /// The id the reply will be stored with.
    pub id: Uuid,
    forwarder: tokio::task::JoinHandle<u32>,
}

impl ReplyStream {
    /// Starts forwarding; give the engine the returned sender.
    pub fn start(events: &EventBus, workspace_id: Uuid, conversation_id: Uuid) -> (Self, Deltas) {
        let id = Uuid::now_v7();
        let (tx, mut rx) = mpsc::unbounded_channel::<String>();
        let events = events.clone();
        let forwarder = tokio::spawn(async move {
            let mut seq = 0u32;
            while let Some(first) = rx.recv().await {
                // Whatever queued up while the last one was announced goes in one piece.
                let mut text = first;
                while let Ok(more) = rx.try_recv() {
                    text.push_str(&more);
                }
                for piece in pieces(&text) {
                    events
                        .publish(BusEvent::delta(
                            workspace_id,
                            conversation_id,
                            id,
                            seq,
                            piece,
                        ))
                        .await;
                    seq += 1;
                }
            }
            seq
        });
        (ReplyStream { id, forwarder }, tx)
    }

    /// Waits until every piece is announced (the engine has dropped its sender); the id
    /// to store the reply under when anything was streamed.
    pub async fn finish(self) -> Option<Uuid> {
        match self.forwarder.await {
            Ok(0) => None,
            Ok(_) => Some(self.id),
            Err(e) => {
                tracing::warn!(error = %e, "the reply stream's forwarder failed");
                Some(self.id)
            }
        }
    }
}

/// `text` in pieces of at most `PIECE_CHARS` characters (none when it is empty).
fn pieces(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars
        .chunks(PIECE_CHARS)
        .map(|c| c.iter().collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_goes_in_bounded_pieces() {
        assert!(pieces("").is_empty());
        assert_eq!(pieces("Hello"), vec!["Hello".to_string()]);
        let long = "é".repeat(2_500);
        let p = pieces(&long);
        assert_eq!(p.len(), 3);
        assert!(p.iter().all(|x| x.chars().count() <= PIECE_CHARS));
        assert_eq!(p.concat(), long);
    }
}
