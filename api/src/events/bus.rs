//! The bus: publishing after commit (NOTIFY), the listener, and the renderer that turns
//! each announced event into a `LiveEvent` once per process.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use diesel::sql_types::Text;
use diesel_async::RunQueryDsl;
use futures_util::{Stream, StreamExt};
use tokio::sync::{broadcast, mpsc, watch};

use crate::db::{self, Pool};
use crate::events::render;
use crate::events::{BusEvent, CHANNEL, KNOWLEDGE_CHANGED, LiveEvent};

/// Events rendered at once while others wait (order is kept).
const RENDER_CONCURRENCY: usize = 8;

/// `application_name` of the listener's connection (seen in `pg_stat_activity`).
pub const LISTENER_NAME: &str = "handoff-listener";

/// Rendered events a stream may fall behind before it is closed.
const LIVE_CAPACITY: usize = 1024;

/// How long the listener waits for Postgres to answer its connect.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// TCP keepalive on the listener's socket: an idle connection a NAT or load balancer
/// dropped is found out by the kernel too, not only by the heartbeat.
const KEEPALIVE_IDLE: Duration = Duration::from_secs(30);

/// The bus's timings (from `NOTIFY_TIMEOUT_MS` and `LISTENER_HEARTBEAT_MS`).
#[derive(Debug, Clone, Copy)]
pub struct BusSettings {
    /// A NOTIFY that takes longer is given up: the change is delivered in this process
    /// only (its streams elsewhere resume when their listener reconnects).
    pub notify_timeout: Duration,
    /// The listener runs `SELECT 1` this often and reconnects when the answer doesn't come
    /// within the same time.
    pub heartbeat: Duration,
}

/// Knowledge-index changes: a workspace, or `None` for "maybe all" (the listener
/// reconnected and may have missed announcements).
pub type KnowledgeChanges = broadcast::Sender<Option<uuid::Uuid>>;

/// The listener's connection, shared for sending NOTIFY while it is up.
type Notifier = Arc<RwLock<Option<Arc<tokio_postgres::Client>>>>;

/// What reaches the renderer.
enum Announced {
    Event(Box<BusEvent>),
    /// The listener (re)connected: close every stream (see `Frames::Reset`).
    Reset,
}

/// What the bus counts (`metrics::Metrics` registers them).
#[derive(Clone)]
pub struct BusCounters {
    /// The listener (re)connected after losing its connection.
    pub reconnects: prometheus::IntCounter,
    /// Announced events rendered (once per process, however many streams watch).
    pub rendered: prometheus::IntCounter,
}

#[derive(Clone)]
pub struct EventBus {
    /// Announcements on their way to the renderer.
    announced: mpsc::UnboundedSender<Announced>,
    /// Rendered events, to every stream of this process.
    live: broadcast::Sender<Arc<LiveEvent>>,
    pool: Pool,
    notifier: Notifier,
    /// Whether the listener is LISTENing now.
    listening: Arc<watch::Sender<bool>>,
    knowledge: KnowledgeChanges,
    settings: BusSettings,
    counters: BusCounters,
}

impl EventBus {
    /// The bus and its renderer task (which reads announced rows with `pool`).
    pub fn new(pool: Pool, settings: BusSettings, counters: BusCounters) -> Self {
        let (announced, rx) = mpsc::unbounded_channel();
        let (live, _) = broadcast::channel(LIVE_CAPACITY);
        tokio::spawn(render_loop(
            rx,
            live.clone(),
            pool.clone(),
            counters.rendered.clone(),
        ));
        EventBus {
            announced,
            live,
            pool,
            notifier: Arc::new(RwLock::new(None)),
            listening: Arc::new(watch::channel(false).0),
            knowledge: broadcast::channel(LIVE_CAPACITY).0,
            settings,
            counters,
        }
    }

    /// Knowledge-index changes announced by any process (see `KnowledgeChanges`).
    pub fn knowledge_changes(&self) -> broadcast::Receiver<Option<uuid::Uuid>> {
        self.knowledge.subscribe()
    }

    /// Waits until the listener LISTENs (a process only sees the changes announced after
    /// that); `false` when it did not within `timeout`.
    pub async fn wait_listening(&self, timeout: Duration) -> bool {
        let mut rx = self.listening.subscribe();
        tokio::time::timeout(timeout, rx.wait_for(|up| *up))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// Rendered events from now on. The stream ends when this subscriber falls behind
    /// (the caller's client then resumes with `Last-Event-ID`).
    pub fn subscribe(&self) -> impl Stream<Item = Arc<LiveEvent>> + use<> {
        let rx = self.live.subscribe();
        futures_util::stream::unfold(rx, |mut rx| async move {
            match rx.recv().await {
                Ok(ev) => Some((ev, rx)),
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    tracing::warn!(skipped = n, "event stream fell behind; closing it");
                    None
                }
                Err(broadcast::error::RecvError::Closed) => None,
            }
        })
    }

    /// Announces committed changes to every server process. Call it after the commit: a
    /// NOTIFY inside a busy write transaction would serialise all commits.
    pub async fn publish_all(&self, events: Vec<BusEvent>) {
        for ev in events {
            self.publish(ev).await;
        }
    }

    /// Announces one committed change (see `publish_all`).
    pub async fn publish(&self, ev: BusEvent) {
        let payload = match serde_json::to_string(&ev) {
            Ok(p) => p,
            Err(e) => return tracing::error!(error = %e, "serialising bus event"),
        };
        // The listener's dedicated connection sends it, so publishing never takes a pool
        // connection (a handler still holding one can't starve the pool). Only while that
        // connection is down, or when it doesn't answer in time, does it borrow one from the
        // pool. Every attempt is bounded by `notify_timeout`: a write that committed never
        // hangs on announcing itself.
        let limit = self.settings.notify_timeout;
        let notifier = self.notifier.read().ok().and_then(|n| n.clone());
        let mut result = match notifier {
            Some(client) => match tokio::time::timeout(
                limit,
                tokio_postgres::Client::execute(
                    &client,
                    "SELECT pg_notify($1, $2)",
                    &[&CHANNEL, &payload.as_str()],
                ),
            )
            .await
            {
                Ok(sent) => sent.map(|_| ()).map_err(anyhow::Error::from),
                Err(_) => {
                    // Don't make the next publish wait too: the pool sends until the
                    // listener has reconnected (its heartbeat finds the dead connection).
                    if let Ok(mut slot) = self.notifier.write()
                        && slot.as_ref().is_some_and(|c| Arc::ptr_eq(c, &client))
                    {
                        *slot = None;
                    }
                    Err(anyhow::anyhow!(
                        "the listener's connection did not answer NOTIFY within {limit:?}"
                    ))
                }
            },
            None => Err(anyhow::anyhow!("the listener is not connected")),
        };
        if let Err(e) = &result {
            tracing::debug!(error = %e, "NOTIFY on the listener's connection failed; trying a pooled one");
            result = match tokio::time::timeout(limit, notify_with_pool(&self.pool, &payload)).await
            {
                Ok(sent) => sent,
                Err(_) => Err(anyhow::anyhow!("NOTIFY did not complete within {limit:?}")),
            };
        }
        if let Err(e) = result {
            tracing::warn!(error = %e, kind = %ev.kind, "NOTIFY failed; delivering locally only");
            deliver(&self.announced, &self.knowledge, ev);
        }
    }

    /// LISTENs on a dedicated connection, reconnecting with backoff, for the life of the
    /// process.
    pub fn spawn_listener(&self, database_url: String) -> tokio::task::JoinHandle<()> {
        let link = Link {
            announced: self.announced.clone(),
            knowledge: self.knowledge.clone(),
            notifier: self.notifier.clone(),
            listening: self.listening.clone(),
            heartbeat: self.settings.heartbeat,
        };
        let (notifier, listening) = (self.notifier.clone(), self.listening.clone());
        let reconnects = self.counters.reconnects.clone();
        tokio::spawn(async move {
            // The same TLS settings as the pool (`sslmode` in DATABASE_URL).
            let database = match crate::db::Database::from_url(&database_url) {
                Ok(d) => d,
                Err(e) => {
                    tracing::error!(error = %format!("{e:#}"), "the event listener cannot connect: bad DATABASE_URL");
                    return;
                }
            };
            let mut delay = Duration::from_millis(200);
            let mut connected_before = false;
            loop {
                let outcome =
                    listen_once(&database, &link, &mut connected_before, &reconnects).await;
                listening.send_replace(false);
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
                // At most 2 s between attempts, so the listener is back within that of its
                // database.
                delay = (delay * 2).min(Duration::from_secs(2));
            }
        })
    }
}

/// An announced change to where it goes: knowledge changes to the caches, the rest to the
/// renderer.
fn deliver(
    announced: &mpsc::UnboundedSender<Announced>,
    knowledge: &KnowledgeChanges,
    ev: BusEvent,
) {
    if ev.kind == KNOWLEDGE_CHANGED {
        let _ = knowledge.send(Some(ev.workspace_id));
    } else {
        let _ = announced.send(Announced::Event(Box::new(ev)));
    }
}

async fn notify_with_pool(pool: &Pool, payload: &str) -> anyhow::Result<()> {
    let mut conn = db::conn(pool).await?;
    diesel::sql_query("SELECT pg_notify($1, $2)")
        .bind::<Text, _>(CHANNEL)
        .bind::<Text, _>(payload)
        .execute(&mut conn)
        .await?;
    Ok(())
}

/// Renders each announced event once, in order, and broadcasts it; skips the work while
/// no stream of this process listens.
async fn render_loop(
    rx: mpsc::UnboundedReceiver<Announced>,
    live: broadcast::Sender<Arc<LiveEvent>>,
    pool: Pool,
    counted: prometheus::IntCounter,
) {
    let announced =
        futures_util::stream::unfold(
            rx,
            |mut rx| async move { rx.recv().await.map(|ev| (ev, rx)) },
        );
    let watched = live.clone();
    let rendered = announced
        .filter(move |_| std::future::ready(watched.receiver_count() > 0))
        .map(|announced| {
            let pool = pool.clone();
            let counted = counted.clone();
            async move {
                match announced {
                    Announced::Event(ev) => {
                        counted.inc();
                        render::render(&pool, *ev).await
                    }
                    Announced::Reset => LiveEvent::reset(),
                }
            }
        })
        .buffered(RENDER_CONCURRENCY);
    let mut rendered = std::pin::pin!(rendered);
    while let Some(ev) = rendered.next().await {
        // No receiver left is fine: nobody is watching.
        let _ = live.send(Arc::new(ev));
    }
}

/// What the listener feeds and reports to.
struct Link {
    announced: mpsc::UnboundedSender<Announced>,
    knowledge: KnowledgeChanges,
    notifier: Notifier,
    listening: Arc<watch::Sender<bool>>,
    heartbeat: Duration,
}

/// Aborts the connection's driver task when the listener gives the connection up (a socket
/// nobody answers on would otherwise keep it waiting forever).
struct AbortOnDrop(tokio::task::JoinHandle<anyhow::Result<()>>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// One LISTEN session: connects, LISTENs, then delivers notifications and checks the
/// connection every `heartbeat` until it fails (an error, or no answer within `heartbeat`).
async fn listen_once(
    database: &crate::db::Database,
    link: &Link,
    connected_before: &mut bool,
    reconnects: &prometheus::IntCounter,
) -> anyhow::Result<()> {
    let mut config = database.config();
    config
        .application_name(LISTENER_NAME)
        .connect_timeout(CONNECT_TIMEOUT)
        .keepalives(true)
        .keepalives_idle(KEEPALIVE_IDLE)
        // Unacknowledged writes (a heartbeat, a NOTIFY) fail the socket after this long.
        .tcp_user_timeout(link.heartbeat * 2);
    let (client, mut connection) =
        tokio::time::timeout(CONNECT_TIMEOUT, database.connect_with(&config))
            .await
            .map_err(|_| anyhow::anyhow!("connecting to {} timed out", database.describe()))?
            .map_err(|e| anyhow::anyhow!(database.explain(&e)))?;
    let (ntx, mut nrx) = mpsc::unbounded_channel();
    let driver = AbortOnDrop(tokio::spawn(async move {
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
    }));
    // Named (`application_name`), so operators (and tests) can tell the listener from pool
    // connections.
    tokio::time::timeout(
        link.heartbeat,
        client.batch_execute(&format!("LISTEN {CHANNEL}")),
    )
    .await
    .map_err(|_| anyhow::anyhow!("LISTEN timed out"))??;
    let client = Arc::new(client);
    if let Ok(mut slot) = link.notifier.write() {
        *slot = Some(client.clone());
    }
    if *connected_before {
        reconnects.inc();
    }
    *connected_before = true;
    // Whatever was announced while nobody listened is lost for live streams: they resume.
    let _ = link.announced.send(Announced::Reset);
    let _ = link.knowledge.send(None);
    link.listening.send_replace(true);
    tracing::debug!("listening for events");
    let mut beat = tokio::time::interval(link.heartbeat);
    beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    beat.tick().await;
    loop {
        tokio::select! {
            payload = nrx.recv() => {
                let Some(payload) = payload else { break };
                match serde_json::from_str::<BusEvent>(&payload) {
                    Ok(ev) => deliver(&link.announced, &link.knowledge, ev),
                    Err(e) => tracing::warn!(error = %e, "ignoring malformed event payload"),
                }
            }
            _ = beat.tick() => {
                match tokio::time::timeout(link.heartbeat, client.simple_query("SELECT 1")).await {
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => anyhow::bail!("listener heartbeat failed: {e}"),
                    Err(_) => anyhow::bail!(
                        "listener heartbeat: no answer within {:?}",
                        link.heartbeat
                    ),
                }
            }
        }
    }
    // The connection ended: its driver says why.
    let mut driver = driver;
    (&mut driver.0).await??;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{AccessEnded, BusEvent, Frames, StreamHolder};
    use actix_web::web::Bytes;
    use uuid::Uuid;

    fn ticket_event(ws: Uuid) -> Arc<LiveEvent> {
        Arc::new(LiveEvent {
            workspace_id: ws,
            conversation_id: None,
            message_id: None,
            frames: Frames::Ticket {
                dashboard: Bytes::from_static(b"event: ticket.updated\n\n"),
            },
        })
    }

    #[tokio::test]
    async fn a_stream_that_falls_behind_ends() -> anyhow::Result<()> {
        // The pool connects lazily: nothing here talks to a database.
        let bus = EventBus::new(
            db::pool("postgres://nobody@127.0.0.1:1/none", 1)?,
            BusSettings {
                notify_timeout: Duration::from_secs(1),
                heartbeat: Duration::from_secs(1),
            },
            BusCounters {
                reconnects: prometheus::IntCounter::new("reconnects", "test")?,
                rendered: prometheus::IntCounter::new("rendered", "test")?,
            },
        );
        let stream = bus.subscribe();
        let ws = Uuid::now_v7();
        for _ in 0..LIVE_CAPACITY + 10 {
            bus.live.send(ticket_event(ws))?;
        }
        // The subscriber never read: it lagged, so its stream ends instead of skipping.
        let got: Vec<_> = stream.collect().await;
        assert!(
            got.is_empty(),
            "a lagging stream yielded {} events",
            got.len()
        );
        Ok(())
    }

    const KEY: StreamHolder = StreamHolder::Key {
        key_id: Uuid::from_u128(1),
    };

    #[test]
    fn ended_access_ends_exactly_the_streams_that_relied_on_it() {
        let (ws, other_ws) = (Uuid::now_v7(), Uuid::now_v7());
        let (user, other_user) = (Uuid::now_v7(), Uuid::now_v7());
        let (sid, other_sid) = (Uuid::now_v7(), Uuid::now_v7());
        let holder = StreamHolder::User {
            workspace_id: ws,
            user_id: user,
            session_id: Some(sid),
        };
        let ended = |ev: BusEvent| {
            let access = AccessEnded::of(&ev).map(Frames::AccessEnded);
            LiveEvent {
                workspace_id: ev.workspace_id,
                conversation_id: None,
                message_id: None,
                frames: access.unwrap_or(Frames::Unrendered),
            }
        };
        let ends = |ev: BusEvent, h: &StreamHolder| ended(ev).ends_workspace_stream(ws, h);
        assert!(ends(BusEvent::member_removed(ws, user), &holder));
        assert!(!ends(BusEvent::member_removed(other_ws, user), &holder));
        assert!(!ends(BusEvent::member_removed(ws, other_user), &holder));
        assert!(ends(BusEvent::session_ended(sid), &holder));
        assert!(!ends(BusEvent::session_ended(other_sid), &holder));
        assert!(ends(BusEvent::user_sessions_ended(user, None), &holder));
        assert!(ends(
            BusEvent::user_sessions_ended(user, Some(other_sid)),
            &holder
        ));
        assert!(!ends(
            BusEvent::user_sessions_ended(user, Some(sid)),
            &holder
        ));
        assert!(!ends(
            BusEvent::user_sessions_ended(other_user, None),
            &holder
        ));
        assert!(ends(BusEvent::key_revoked(ws, Uuid::from_u128(1)), &KEY));
        assert!(!ends(BusEvent::key_revoked(ws, Uuid::from_u128(2)), &KEY));
        assert!(!ends(
            BusEvent::key_revoked(ws, Uuid::from_u128(1)),
            &holder
        ));
        // They survive the NOTIFY payload.
        let ev = BusEvent::user_sessions_ended(user, Some(sid));
        let back: BusEvent = serde_json::from_str(&serde_json::to_string(&ev).unwrap_or_default())
            .unwrap_or_else(|_| BusEvent::session_ended(Uuid::nil()));
        assert_eq!(back, ev);
    }

    #[test]
    fn resets_end_every_stream_and_failures_their_own() {
        let (ws, other, conv) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let reset = LiveEvent::reset();
        assert!(reset.ends_workspace_stream(ws, &KEY) && reset.ends_conversation_stream(ws, conv));
        let failed = LiveEvent {
            workspace_id: ws,
            conversation_id: Some(conv),
            message_id: Some(Uuid::now_v7()),
            frames: Frames::Unrendered,
        };
        assert!(failed.ends_workspace_stream(ws, &KEY));
        assert!(!failed.ends_workspace_stream(other, &KEY));
        assert!(failed.ends_conversation_stream(ws, conv));
        assert!(!failed.ends_conversation_stream(ws, Uuid::now_v7()));
        assert!(!ticket_event(ws).ends_workspace_stream(ws, &KEY));
    }
}
