//! Thin HTTP handlers, one file per resource: parse → domain/db → response.

pub mod ai_settings;
pub mod articles;
pub mod attachments;
pub mod auth;
pub mod conversations;
pub mod events;
pub mod health;
pub mod identity;
pub mod inbound;
pub mod notes;
pub mod notifications;
pub mod operator;
pub mod privacy;
pub mod saved_replies;
pub mod tags;
pub mod team;
pub mod ticket_settings;
pub mod tickets;
pub mod viewers;
pub mod web;
pub mod webhooks;
pub mod widget;
pub mod workspaces;
