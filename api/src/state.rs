//! What every request and job may use: the database pool, the configuration, the event
//! bus, metrics, rate limits, the assistant engine and the mailer. Built once per process
//! (`AppState::new`), shared by the HTTP workers and the outbox worker.

use crate::storage::Storage;
use std::sync::Arc;

use crate::assistant::embed::{BuiltinEmbedder, Embedder, OpenAiEmbedder};
use crate::assistant::knowledge::Knowledge;
use crate::assistant::{self, Assistant};
use crate::config::{AiProvider, Config, Embeddings};
use crate::db::{self, Pool};
use crate::events::BusEvent;
use crate::events::bus::{BusCounters, BusSettings, EventBus};
use crate::events::slots::StreamSlots;
use crate::mail::Mailer;
use crate::metrics::Metrics;
use crate::ratelimit::Limiter;
use crate::webhooks::{AddressPolicy, Outbound};

pub struct AppState {
    pub pool: Pool,
    pub config: Arc<Config>,
    pub events: EventBus,
    /// The caps on live event streams (this process's count, everyone's leases).
    pub streams: StreamSlots,
    pub metrics: Arc<Metrics>,
    pub limiter: Limiter,
    pub assistant: Arc<dyn Assistant>,
    pub mailer: Arc<Mailer>,
    /// The webhook HTTP client, with its address policy.
    pub webhooks: Outbound,
    /// Semantic retrieval (passage cache, embedder, intent examples).
    pub knowledge: Arc<Knowledge>,
    /// Why the configured embeddings are not in use (shown on `/readyz`), if so.
    pub embeddings_warning: Option<String>,
    /// Where attachments are kept (`STORAGE_URL`).
    pub storage: Storage,
}

/// The configured embedder; `Err` with the reason when it falls back to lexical
/// retrieval (the server starts anyway).
pub fn embedder(config: &Config) -> Result<Option<Arc<dyn Embedder>>, String> {
    match config.embeddings {
        Embeddings::Off => Ok(None),
        Embeddings::OpenAi => Ok(Some(Arc::new(OpenAiEmbedder::new(
            &config.embeddings_base_url,
            config.openai_api_key.clone(),
            &config.openai_embeddings_model,
            config.ai_timeout,
        )))),
        Embeddings::Builtin => {
            let dir = &config.embeddings_model_dir;
            match BuiltinEmbedder::load(dir) {
                Ok(e) => Ok(Some(Arc::new(e))),
                Err(e) => Err(format!(
                    "EMBEDDINGS=builtin but the model in {} could not be loaded ({e:#}); answering with word matching only. Run scripts/fetch-model.sh {} (make run does) or set EMBEDDINGS_MODEL_DIR.",
                    dir.display(),
                    dir.display()
                )),
            }
        }
    }
}

impl AppState {
    /// Needs a Tokio runtime (the event bus starts its renderer).
    pub fn new(config: Config) -> anyhow::Result<Self> {
        let pool = db::pool(&config.database_url, config.database_pool_size)?;
        let metrics = Arc::new(Metrics::new()?);
        let assistant: Arc<dyn Assistant> = match config.ai_provider {
            AiProvider::Builtin => Arc::new(assistant::builtin::Builtin),
            AiProvider::OpenAi => {
                Arc::new(assistant::openai::OpenAi::new(&config, metrics.clone())?)
            }
        };
        let (embedder, embeddings_warning) = match embedder(&config) {
            Ok(e) => (e, None),
            Err(warning) => {
                tracing::warn!("{warning}");
                (None, Some(warning))
            }
        };
        if let Some(e) = &embedder {
            tracing::info!(model = e.model(), "semantic retrieval on");
        }
        let knowledge = Arc::new(Knowledge::new(embedder));
        let events = EventBus::new(
            pool.clone(),
            BusSettings {
                notify_timeout: config.notify_timeout,
                heartbeat: config.listener_heartbeat,
            },
            BusCounters {
                reconnects: metrics.listener_reconnects.clone(),
                rendered: metrics.events_rendered.clone(),
            },
        );
        let mut changes = events.knowledge_changes();
        let cache = knowledge.clone();
        tokio::spawn(async move {
            loop {
                match changes.recv().await {
                    Ok(ws) => cache.invalidate(ws),
                    // Missed some: drop everything.
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        cache.invalidate(None)
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                }
            }
        });
        let streams = StreamSlots::new(
            pool.clone(),
            config.stream_limits,
            metrics.sse_streams.clone(),
        );
        Ok(AppState {
            events,
            streams,
            knowledge,
            embeddings_warning,
            limiter: Limiter::new(pool.clone(), config.rate_limits),
            assistant,
            metrics,
            mailer: Arc::new(Mailer::from_config(&config)?),
            storage: Storage::from_config(&config)?,
            webhooks: Outbound::new(AddressPolicy::new(
                config.webhook_allow_private_networks.clone(),
            ))?,
            config: Arc::new(config),
            pool,
        })
    }

    /// Announces committed changes (after the transaction, with no connection held).
    pub async fn publish_all(&self, events: Vec<BusEvent>) {
        self.events.publish_all(events).await;
    }
}
