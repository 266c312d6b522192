//! Handoff: an AI chat widget for websites that hands a visitor over to a human team through
//! a support ticket whenever the AI cannot help, and the API behind the team's dashboard.

pub mod app;
pub mod assistant;
pub mod auth;
pub mod config;
pub mod cors;
pub mod db;
pub mod domain;
pub mod error;
pub mod events;
pub mod mail;
pub mod metrics;
pub mod openapi;
pub mod outbox;
pub mod ratelimit;
pub mod routes;
pub mod seed;
pub mod telemetry;
pub mod webhooks;
