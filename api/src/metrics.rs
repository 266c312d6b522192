//! Prometheus metrics: requests by route and status, latency, pool usage, outbox depth,
//! assistant failures, tokens and budget refusals, live event streams, event renders and
//! event-listener reconnects. Labels come from fixed sets only: the per-workspace AI usage is
//! a database counter (`ai_usage`, shown by the AI settings API), not a label.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};

pub struct Metrics {
    pub registry: Registry,
    pub http_requests: IntCounterVec,
    pub http_latency: HistogramVec,
    pub db_pool: IntGaugeVec,
    pub outbox_depth: IntGaugeVec,
    pub assistant_failures: IntCounterVec,
    /// Provider tokens used (`usage.total_tokens`), by provider.
    pub assistant_tokens: IntCounterVec,
    /// Turns the builtin engine answered because the workspace's daily AI budget was spent.
    pub assistant_over_budget: prometheus::IntCounter,
    /// Event streams open in this process.
    pub sse_streams: IntGauge,
    /// Times the event listener (re)connected after losing its connection.
    pub listener_reconnects: IntCounter,
    /// Announced events rendered: once per process and event, however many streams watch.
    pub events_rendered: IntCounter,
}

impl Metrics {
    pub fn new() -> anyhow::Result<Self> {
        let registry = Registry::new();
        let http_requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by route, method and status",
            ),
            &["route", "method", "status"],
        )?;
        let http_latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "HTTP request latency by route",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
            &["route", "method"],
        )?;
        let db_pool = IntGaugeVec::new(
            Opts::new("db_pool_connections", "Database pool connections by state"),
            &["state"],
        )?;
        let outbox_depth =
            IntGaugeVec::new(Opts::new("outbox_jobs", "Outbox jobs by state"), &["state"])?;
        let assistant_failures = IntCounterVec::new(
            Opts::new(
                "assistant_failures_total",
                "Assistant provider failures by provider and reason",
            ),
            &["provider", "reason"],
        )?;
        let sse_streams = IntGauge::new("sse_streams", "Event streams open in this process")?;
        let listener_reconnects = IntCounter::new(
            "event_listener_reconnects_total",
            "Times the LISTEN connection was lost and opened again",
        )?;
        let events_rendered = IntCounter::new(
            "events_rendered_total",
            "Announced events read and encoded for this process's streams",
        )?;
        registry.register(Box::new(events_rendered.clone()))?;
        registry.register(Box::new(sse_streams.clone()))?;
        registry.register(Box::new(listener_reconnects.clone()))?;
        registry.register(Box::new(http_requests.clone()))?;
        registry.register(Box::new(http_latency.clone()))?;
        registry.register(Box::new(db_pool.clone()))?;
        registry.register(Box::new(outbox_depth.clone()))?;
        let assistant_tokens = IntCounterVec::new(
            Opts::new(
                "assistant_tokens_total",
                "Assistant provider tokens used, by provider",
            ),
            &["provider"],
        )?;
        let assistant_over_budget = prometheus::IntCounter::new(
            "assistant_over_budget_total",
            "Visitor messages the builtin engine answered because the workspace's daily AI budget was spent",
        )?;
        registry.register(Box::new(assistant_failures.clone()))?;
        registry.register(Box::new(assistant_tokens.clone()))?;
        registry.register(Box::new(assistant_over_budget.clone()))?;
        Ok(Metrics {
            registry,
            http_requests,
            http_latency,
            db_pool,
            outbox_depth,
            assistant_failures,
            assistant_tokens,
            assistant_over_budget,
            sse_streams,
            listener_reconnects,
            events_rendered,
        })
    }

    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut buf);
        String::from_utf8(buf).unwrap_or_default()
    }
}
