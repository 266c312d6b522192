//! Settings JSON: the Tickets page setup and the AI Instructions with their lint.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::db::models::Workspace;
use crate::domain::lint::{self, Warning};

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketSettings {
    pub enabled: bool,
    pub notification_email: Option<String>,
    /// Whether an agent's reply moves an open ticket to in_progress.
    pub reply_sets_in_progress: bool,
    /// Sentences of the AI Instructions that send visitors elsewhere for help, which stops
    /// the AI from creating tickets.
    pub instruction_warnings: Vec<Warning>,
    /// The display name of ticket mail's sender (null: the workspace's name).
    pub sender_name: Option<String>,
    /// The address ticket mail is sent from (null: the server's `MAIL_FROM` address).
    pub sender_address: Option<String>,
    /// The `From` of ticket mail, as the visitor sees it.
    pub sender: String,
    /// Whether the visitor's answers to ticket mail come back into the ticket (Pro).
    pub email_replies: bool,
    /// Whether this server accepts replies by email at all (`INBOUND_DOMAIN` is set).
    pub email_replies_available: bool,
    /// Whether ticket mail carries the reply address now: switched on, on the Pro plan,
    /// on a server that accepts mail.
    pub email_replies_active: bool,
    /// Whether the visitor gets "We got your request TKT-10001 …" by email when a ticket
    /// is created (from the workspace's sender, in the ticket's mail thread).
    pub acknowledge_tickets: bool,
}

impl TicketSettings {
    pub fn of(ws: Workspace, sender: String, inbound_available: bool) -> Self {
        TicketSettings {
            email_replies_active: ws.email_replies
                && ws.plan.allows_email_replies()
                && inbound_available,
            instruction_warnings: lint::lint(&ws.ai_instructions),
            enabled: ws.tickets_enabled,
            notification_email: ws.notification_email,
            reply_sets_in_progress: ws.reply_sets_in_progress,
            sender_name: ws.mail_sender_name,
            sender_address: ws.mail_sender_address,
            sender,
            email_replies: ws.email_replies,
            email_replies_available: inbound_available,
            acknowledge_tickets: ws.acknowledge_tickets,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateTicketSettings {
    pub enabled: bool,
    /// Required to enable; where new-ticket notifications go.
    #[serde(default)]
    pub notification_email: Option<String>,
    /// Unchanged when absent.
    #[serde(default)]
    pub reply_sets_in_progress: Option<bool>,
    /// The display name of ticket mail (at most 80 characters); unchanged when absent,
    /// `""` goes back to the workspace's name.
    #[serde(default)]
    pub sender_name: Option<String>,
    /// The address ticket mail is sent from; unchanged when absent, `""` goes back to the
    /// server's `MAIL_FROM`. Its domain must let this server send for it (SPF/DKIM).
    #[serde(default)]
    pub sender_address: Option<String>,
    /// Replies by email come back into the ticket: needs the Pro plan (402
    /// `plan_required`) and a server with `INBOUND_DOMAIN` (422). Unchanged when absent.
    #[serde(default)]
    pub email_replies: Option<bool>,
    /// The visitor's acknowledgement mail on ticket creation. Unchanged when absent.
    #[serde(default)]
    pub acknowledge_tickets: Option<bool>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct InstructionsIn {
    #[validate(length(max = 20000, message = "must be at most 20000 characters"))]
    pub instructions: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AiSettings {
    pub instructions: String,
    /// Sentences that send visitors elsewhere for help (see the lint endpoint).
    pub warnings: Vec<Warning>,
    /// Today's AI usage against the daily budget.
    pub usage: AiUsage,
}

/// The workspace's AI usage today (UTC) against the instance's daily budget. Budgets apply
/// to the `openai` engine; past either one the builtin engine answers (from the knowledge
/// base, offering tickets) until the day ends.
#[derive(Debug, Serialize, ToSchema)]
pub struct AiUsage {
    /// The engine answering visitors: `builtin` or `openai`.
    pub engine: String,
    /// Whether the engine costs per call, so that the budget applies.
    pub metered: bool,
    #[schema(value_type = String, format = Date)]
    pub day: chrono::NaiveDate,
    /// Visitor messages the provider was asked about today.
    pub messages: i64,
    /// Provider tokens used today.
    pub tokens: i64,
    /// Visitor messages the builtin engine answered today because the budget was spent.
    pub over_budget_messages: i64,
    /// Messages per day; null: no limit.
    pub messages_budget: Option<u64>,
    /// Tokens per day; null: no limit.
    pub tokens_budget: Option<u64>,
    /// The budget is spent: the builtin engine answers until the day ends.
    pub exhausted: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LintOut {
    pub warnings: Vec<Warning>,
}
