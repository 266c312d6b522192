//! Structured logs with tracing; request ids come from tracing-actix-web.

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

/// `RUST_LOG` filters (default `info`); `LOG_FORMAT=json` for JSON lines.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("LOG_FORMAT")
        .map(|v| v == "json")
        .unwrap_or(false);
    let registry = tracing_subscriber::registry().with(filter);
    let _ = if json {
        registry
            .with(fmt::layer().json().with_current_span(false))
            .try_init()
    } else {
        registry.with(fmt::layer().with_target(false)).try_init()
    };
}
