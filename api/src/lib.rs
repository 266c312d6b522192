//! Handoff: an AI chat widget for websites that hands a visitor over to a human team through
//! a support ticket whenever the AI cannot help, and the API behind the team's dashboard.
//!
//! The layers, each importing only from the ones below it (docs/architecture.md; checked by
//! api/tests/layers.rs):
//!
//! ```text
//! main.rs → app.rs → routes/, mcp/, http/, worker.rs, inbound_smtp.rs, openapi.rs → services/
//!   → state.rs
//!   → adapters: assistant/ mail/ webhooks/ events/ outbox/ auth/ storage/ ratelimit.rs metrics.rs
//!   → views/ → db/ → config.rs error.rs telemetry.rs → domain/
//! ```

pub mod app;
pub mod assistant;
pub mod auth;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod events;
pub mod http;
pub mod inbound_smtp;
pub mod mail;
pub mod mcp;
pub mod metrics;
pub mod openapi;
pub mod outbox;
pub mod ratelimit;
pub mod routes;
pub mod services;
pub mod state;
pub mod storage;
pub mod telemetry;
pub mod views;
pub mod webhooks;
pub mod worker;
