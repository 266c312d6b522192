//! Use cases: each opens its transaction, applies the domain's rules, calls `db`, queues
//! side effects (mail, webhooks) in the same transaction through the outbox, and returns
//! what to announce after the commit. Routes, the worker and the CLI call these; nothing
//! here knows about HTTP.

pub mod access;
pub mod accounts;
pub mod ai_budget;
pub mod articles;
pub mod attachments;
pub mod audit;
pub mod bulk;
pub mod conversations;
pub mod dashboard_events;
pub mod identity;
pub mod inbound;
pub mod kb_search;
pub mod knowledge;
pub mod live;
pub mod merge;
pub mod notes;
pub mod notifications;
pub mod operator;
pub mod ops;
pub mod privacy;
pub mod reply_stream;
pub mod retention;
pub mod saved_replies;
pub mod seed;
pub mod settings;
pub mod streams;
pub mod tags;
pub mod team;
pub mod templated_mail;
pub mod ticket_edit;
pub mod tickets;
pub mod viewers;
pub mod visitor_turn;
pub mod webhooks;
pub mod widget;
pub mod workspaces;

use crate::events::BusEvent;

/// The outcome of a change and the bus events to publish after the commit (empty when
/// nothing changed).
#[derive(Debug)]
#[must_use = "publish the events after the commit"]
pub struct Changed<T> {
    pub value: T,
    pub publish: Vec<BusEvent>,
}

impl<T> Changed<T> {
    pub fn nothing(value: T) -> Self {
        Changed {
            value,
            publish: vec![],
        }
    }
}
