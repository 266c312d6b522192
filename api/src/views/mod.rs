//! The API's JSON shapes, in and out (`ToSchema`, so openapi.yaml documents them), with
//! their conversions from database rows. No I/O.

pub mod accounts;
pub mod articles;
pub mod attachments;
pub mod conversations;
pub mod identity;
pub mod inbound;
pub mod merge;
pub mod messages;
pub mod notes;
pub mod notifications;
pub mod ops;
pub mod privacy;
pub mod saved_replies;
pub mod settings;
pub mod streams;
pub mod tags;
pub mod team;
pub mod tickets;
pub mod viewers;
pub mod webhooks;
pub mod widget;
pub mod workspaces;
