//! The inbound mail endpoint's JSON (`POST /api/v1/inbound/email`).

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// What became of a delivered mail.
#[derive(Debug, Serialize, ToSchema)]
pub struct InboundOut {
    /// `appended` (a new message in the ticket's conversation), `duplicate` (this
    /// Message-ID was delivered before: nothing changed) or `auto_reply` (an out-of-office
    /// or other automatic answer: recorded in the ticket's timeline, nothing reopened).
    pub result: String,
    pub ticket_id: Uuid,
    /// `TKT-10001`
    pub ticket_number: String,
    /// The message the mail became (`appended`, and `duplicate` of an appended mail).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<Uuid>,
    /// The ticket was resolved and the reply reopened it.
    pub reopened: bool,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct InboundQuery {
    /// The envelope recipient (`reply+<token>@INBOUND_DOMAIN`), when the provider passes
    /// it; otherwise the message's `Delivered-To`, `X-Original-To`, `To` and `Cc` are
    /// searched for a reply address.
    pub recipient: Option<String>,
}
