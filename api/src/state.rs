//! What every request and job may use: the database pool, the configuration, the event
//! bus, metrics, rate limits, the assistant engine and the mailer. Built once per process
//! (`AppState::new`), shared by the HTTP workers and the outbox worker.

use std::sync::Arc;

use crate::assistant::{self, Assistant};
use crate::config::{AiProvider, Config};
use crate::db::{self, Pool};
use crate::events::BusEvent;
use crate::events::bus::EventBus;
use crate::mail::Mailer;
use crate::metrics::Metrics;
use crate::ratelimit::Limiter;
use crate::webhooks::{AddressPolicy, Outbound};

pub struct AppState {
    pub pool: Pool,
    pub config: Arc<Config>,
    pub events: EventBus,
    pub metrics: Arc<Metrics>,
    pub limiter: Limiter,
    pub assistant: Arc<dyn Assistant>,
    pub mailer: Arc<Mailer>,
    /// The webhook HTTP client, with its address policy.
    pub webhooks: Outbound,
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
        Ok(AppState {
            events: EventBus::new(pool.clone()),
            limiter: Limiter::new(pool.clone(), config.rate_limits),
            assistant,
            metrics,
            mailer: Arc::new(Mailer::from_config(&config)?),
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
