//! Caps on live event streams.
//!
//! - `MAX_STREAMS` bounds the streams of **one process** (its file descriptors and memory
//!   are per process): a counter in memory, checked first, without touching the database.
//! - `STREAMS_PER_VISITOR`, `STREAMS_PER_USER` (a user or an API key) and
//!   `STREAMS_PER_NETWORK` (an IPv4 address or IPv6 /64) hold **across every process**: each
//!   open stream holds a lease row in Postgres (`db::stream_leases`), taken under an
//!   advisory lock so two processes can't both give out the last slot. A process renews all
//!   of its leases with one statement every `RENEW`; a stream that ends gives its lease back;
//!   the leases of a process that died lapse after `LEASE_TTL`.
//!
//! Over a cap the stream is refused with 429 `too_many_streams` (and `Retry-After`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use prometheus::IntGauge;
use uuid::Uuid;

use crate::config::StreamLimits;
use crate::db::stream_leases::{self, NewLease, Over};
use crate::db::{self, Conn, Pool};
use crate::error::{ApiError, ApiResult};

/// How long a lease lives without renewal.
pub const LEASE_TTL: Duration = Duration::from_secs(60);
/// How often a process renews its leases (well inside `LEASE_TTL`).
pub const RENEW: Duration = Duration::from_secs(20);
/// Lapsed leases deleted per renewal round.
const PURGE_BATCH: i64 = 1000;

/// Who holds a stream, for its cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    Visitor(Uuid),
    User(Uuid),
    Key(Uuid),
}

impl Holder {
    fn key(&self) -> String {
        match self {
            Holder::Visitor(id) => format!("visitor:{id}"),
            Holder::User(id) => format!("user:{id}"),
            Holder::Key(id) => format!("key:{id}"),
        }
    }
}

struct Inner {
    pool: Pool,
    process_id: Uuid,
    limits: StreamLimits,
    open: AtomicUsize,
    gauge: IntGauge,
}

/// This process's streams and their leases.
#[derive(Clone)]
pub struct StreamSlots {
    inner: Arc<Inner>,
}

/// An open stream's place: released (counter and lease) when dropped, i.e. when the stream
/// ends, however it ends.
pub struct StreamSlot {
    inner: Arc<Inner>,
    lease: Option<Uuid>,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        self.inner.open.fetch_sub(1, Ordering::SeqCst);
        self.inner.gauge.dec();
        let Some(id) = self.lease.take() else { return };
        let pool = self.inner.pool.clone();
        // Without a runtime (process shutdown) the lease lapses on its own.
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                let released = match db::conn(&pool).await {
                    Ok(mut conn) => stream_leases::release(&mut conn, id)
                        .await
                        .map_err(anyhow::Error::from),
                    Err(e) => Err(anyhow::anyhow!("{e}")),
                };
                if let Err(e) = released {
                    tracing::debug!(error = %e, "releasing a stream lease; it lapses instead");
                }
            });
        }
    }
}

impl StreamSlot {
    /// `frames`, holding this place until the stream is dropped (its client went, or it
    /// ended).
    pub fn hold<S: futures_util::Stream>(
        self,
        frames: S,
    ) -> impl futures_util::Stream<Item = S::Item> {
        use futures_util::StreamExt;
        frames.map(move |frame| {
            let _held = &self;
            frame
        })
    }
}

impl StreamSlots {
    /// The slots and their renewal task (needs a Tokio runtime; it ends with the slots).
    pub fn new(pool: Pool, limits: StreamLimits, gauge: IntGauge) -> Self {
        let inner = Arc::new(Inner {
            pool,
            process_id: Uuid::now_v7(),
            limits,
            open: AtomicUsize::new(0),
            gauge,
        });
        tokio::spawn(renew_loop(Arc::downgrade(&inner)));
        StreamSlots { inner }
    }

    /// Streams open in this process now.
    pub fn open(&self) -> usize {
        self.inner.open.load(Ordering::SeqCst)
    }

    /// A place for one more stream of `holder` from `network`, or 429 when a cap is
    /// reached.
    pub async fn acquire(
        &self,
        conn: &mut Conn,
        holder: Holder,
        network: &str,
    ) -> ApiResult<StreamSlot> {
        let limits = self.inner.limits;
        let before = self.inner.open.fetch_add(1, Ordering::SeqCst);
        self.inner.gauge.inc();
        // From here on, dropping `slot` gives the place back.
        let mut slot = StreamSlot {
            inner: self.inner.clone(),
            lease: None,
        };
        if before >= limits.per_process {
            return Err(ApiError::TooManyStreams(
                "This server has as many live streams as it can hold; try again shortly.".into(),
            ));
        }
        let holder_cap = match holder {
            Holder::Visitor(_) => limits.per_visitor,
            Holder::User(_) | Holder::Key(_) => limits.per_user,
        };
        let id = Uuid::now_v7();
        let taken = stream_leases::take(
            conn,
            &NewLease {
                id,
                process_id: self.inner.process_id,
                holder: &holder.key(),
                holder_cap: i64::from(holder_cap),
                network,
                network_cap: i64::from(limits.per_network),
                ttl_secs: LEASE_TTL.as_secs() as i64,
            },
        )
        .await?;
        match taken {
            Ok(()) => {
                slot.lease = Some(id);
                Ok(slot)
            }
            Err(Over::Holder) => Err(ApiError::TooManyStreams(format!(
                "At most {holder_cap} live streams at once for this {}; close one first.",
                match holder {
                    Holder::Visitor(_) => "visitor",
                    Holder::User(_) => "user",
                    Holder::Key(_) => "API key",
                }
            ))),
            Err(Over::Network) => Err(ApiError::TooManyStreams(format!(
                "At most {} live streams at once from one network; close one first.",
                limits.per_network
            ))),
        }
    }
}

/// Renews this process's leases (while it has streams) and purges lapsed ones, every
/// `RENEW`, until the slots are gone.
async fn renew_loop(inner: Weak<Inner>) {
    let mut tick = tokio::time::interval(RENEW);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        tick.tick().await;
        let Some(inner) = inner.upgrade() else { return };
        let pool = inner.pool.clone();
        let (process_id, open) = (inner.process_id, inner.open.load(Ordering::SeqCst));
        drop(inner);
        let round = async {
            let mut conn = db::conn(&pool).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            if open > 0 {
                stream_leases::renew(&mut conn, process_id, LEASE_TTL.as_secs() as i64).await?;
            }
            stream_leases::purge_lapsed(&mut conn, PURGE_BATCH).await?;
            anyhow::Ok(())
        };
        if let Err(e) = round.await {
            tracing::warn!(error = %e, "renewing stream leases");
        }
    }
}
