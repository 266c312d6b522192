//! Realtime fan-out across server processes: a change is announced with Postgres NOTIFY
//! after its transaction commits (payload = ids only); every process LISTENs on one
//! dedicated connection and rebroadcasts in-process; SSE handlers re-read from the DB.

pub mod sse;

use std::sync::{Arc, RwLock};
use std::time::Duration;

use diesel::sql_types::Text;
use diesel_async::RunQueryDsl;
use futures_util::{Stream, StreamExt};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::db::{self, Pool};

pub const CHANNEL: &str = "handoff_events";

pub const TICKET_CREATED: &str = "ticket.created";
pub const TICKET_UPDATED: &str = "ticket.updated";
pub const MESSAGE_CREATED: &str = "message.created";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusEvent {
    pub kind: String,
    pub workspace_id: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<Uuid>,
}

impl BusEvent {
    pub fn ticket(kind: &str, workspace_id: Uuid, ticket_id: Uuid) -> Self {
        BusEvent {
            kind: kind.into(),
            workspace_id,
            ticket_id: Some(ticket_id),
            conversation_id: None,
            message_id: None,
        }
    }
    pub fn message(
        workspace_id: Uuid,
        conversation_id: Uuid,
        message_id: Uuid,
        ticket_id: Option<Uuid>,
    ) -> Self {
        BusEvent {
            kind: MESSAGE_CREATED.into(),
            workspace_id,
            ticket_id,
            conversation_id: Some(conversation_id),
            message_id: Some(message_id),
        }
    }
}

/// The listener's connection, shared for sending NOTIFY while it is up.
type Notifier = Arc<RwLock<Option<Arc<tokio_postgres::Client>>>>;

#[derive(Clone)]
pub struct EventBus {
    tx: broadcast::Sender<BusEvent>,
    pool: Pool,
    notifier: Notifier,
}

impl EventBus {
    pub fn new(pool: Pool) -> Self {
        let (tx, _) = broadcast::channel(1024);
        EventBus {
            tx,
            pool,
            notifier: Arc::new(RwLock::new(None)),
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<BusEvent> {
        self.tx.subscribe()
    }

    /// The bus as a stream; a slow consumer that lags skips what it missed.
    pub fn stream(&self) -> impl Stream<Item = BusEvent> + use<> {
        let rx = self.tx.subscribe();
        futures_util::stream::unfold(rx, |mut rx| async move {
            loop {
                match rx.recv().await {
                    Ok(ev) => return Some((ev, rx)),
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        tracing::warn!(skipped = n, "event subscriber lagged");
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                }
            }
        })
    }

    /// Announces a committed change to every server process. Call it after the commit:
    /// a NOTIFY inside a busy write transaction would serialise all commits.
    pub async fn publish(&self, ev: BusEvent) {
        let payload = match serde_json::to_string(&ev) {
            Ok(p) => p,
            Err(e) => return tracing::error!(error = %e, "serialising bus event"),
        };
        // The listener's dedicated connection sends it, so publishing never takes a pool
        // connection (a handler still holding one can't starve the pool). Only while that
        // connection is down does it borrow one from the pool.
        let notifier = self.notifier.read().ok().and_then(|n| n.clone());
        let result = match notifier {
            Some(client) => tokio_postgres::Client::execute(
                &client,
                "SELECT pg_notify($1, $2)",
                &[&CHANNEL, &payload.as_str()],
            )
            .await
            .map(|_| ())
            .map_err(anyhow::Error::from),
            None => {
                async {
                    let mut conn = db::conn(&self.pool)
                        .await
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                    diesel::sql_query("SELECT pg_notify($1, $2)")
                        .bind::<Text, _>(CHANNEL)
                        .bind::<Text, _>(&payload)
                        .execute(&mut conn)
                        .await?;
                    anyhow::Ok(())
                }
                .await
            }
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, kind = %ev.kind, "NOTIFY failed; delivering locally only");
            let _ = self.tx.send(ev);
        }
    }

    /// LISTENs on a dedicated connection, reconnecting with backoff, for the life of the
    /// process.
    pub fn spawn_listener(&self, database_url: String) -> tokio::task::JoinHandle<()> {
        let tx = self.tx.clone();
        let notifier = self.notifier.clone();
        tokio::spawn(async move {
            let mut delay = Duration::from_millis(200);
            loop {
                let outcome = listen_once(&database_url, &tx, &notifier).await;
                if let Ok(mut slot) = notifier.write() {
                    *slot = None;
                }
                match outcome {
                    Ok(()) => delay = Duration::from_millis(200),
                    Err(e) => {
                        tracing::warn!(error = %e, "event listener disconnected; reconnecting");
                    }
                }
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(10));
            }
        })
    }
}

async fn listen_once(
    database_url: &str,
    tx: &broadcast::Sender<BusEvent>,
    notifier: &Notifier,
) -> anyhow::Result<()> {
    let (client, mut connection) =
        tokio_postgres::connect(database_url, tokio_postgres::NoTls).await?;
    let (ntx, mut nrx) = tokio::sync::mpsc::unbounded_channel();
    let driver = tokio::spawn(async move {
        let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(msg) = messages.next().await {
            match msg {
                Ok(tokio_postgres::AsyncMessage::Notification(n)) => {
                    if ntx.send(n.payload().to_string()).is_err() {
                        break;
                    }
                }
                Ok(_) => {}
                Err(e) => return Err(anyhow::Error::from(e)),
            }
        }
        anyhow::Ok(())
    });
    client.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
    if let Ok(mut slot) = notifier.write() {
        *slot = Some(Arc::new(client));
    }
    tracing::debug!("listening for events");
    while let Some(payload) = nrx.recv().await {
        match serde_json::from_str::<BusEvent>(&payload) {
            Ok(ev) => {
                let _ = tx.send(ev);
            }
            Err(e) => tracing::warn!(error = %e, "ignoring malformed event payload"),
        }
    }
    driver.await??;
    Ok(())
}
