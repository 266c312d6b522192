//! One visitor message, end to end: store it, gather what the engine may know, let the
//! engine answer, then apply the outcome (replies, flow state, ticket) in one
//! transaction and announce the new messages.
//!
//! No database connection is held while the engine thinks (a model call may take
//! seconds). The outcome is applied under a row lock on the conversation, re-checking
//! the conversation's ticket, so that a conversation never gets a second open ticket
//! even when two messages race.

use diesel_async::AsyncConnection;
use uuid::Uuid;

use crate::app::AppState;
use crate::assistant::retrieval::query_words;
use crate::assistant::{ArticleText, HistoryLine, Turn};
use crate::db::enums::{Sender, TicketCategory, TicketSource, TicketStatus};
use crate::db::models::{Conversation, Message, Visitor, Workspace};
use crate::db::{self, articles, conversations, tickets as tickets_store};
use crate::domain::Actor;
use crate::domain::email::Email;
use crate::domain::handoff::{self, Effect, FlowState, Reply, TicketRef};
use crate::domain::summary::{self, Line};
use crate::error::{ApiError, ApiResult};
use crate::events::{self, BusEvent};

pub const ASSISTANT_NAME: &str = "AI assistant";
/// Earlier messages given to the engine.
const HISTORY: i64 = 40;
/// Knowledge-base candidates given to the engine.
const CANDIDATES: i64 = 3;

pub struct TurnResult {
    /// The visitor's message, then the assistant's replies.
    pub messages: Vec<Message>,
    /// The conversation's ticket when this turn created or touched one: `(id, number)`.
    pub ticket: Option<(Uuid, i64)>,
}

fn ticket_ref(row: Option<(Uuid, i64, TicketStatus)>) -> Option<TicketRef> {
    row.map(|(id, number, status)| TicketRef {
        id,
        number,
        status: match status {
            TicketStatus::Open => handoff::TicketStatus::Open,
            TicketStatus::InProgress => handoff::TicketStatus::InProgress,
            TicketStatus::Resolved => handoff::TicketStatus::Resolved,
            TicketStatus::Closed => handoff::TicketStatus::Closed,
        },
    })
}

fn category(c: crate::assistant::intent::Category) -> TicketCategory {
    match c {
        crate::assistant::intent::Category::CannotPerformAction => {
            TicketCategory::CannotPerformAction
        }
        crate::assistant::intent::Category::NeedsHumanJudgment => {
            TicketCategory::NeedsHumanJudgment
        }
        crate::assistant::intent::Category::Other => TicketCategory::Other,
    }
}

pub fn tickets_enabled(ws: &Workspace) -> bool {
    ws.tickets_enabled && ws.plan.allows_tickets()
}

/// Queues the `conversation.message` webhook for a stored message, in the caller's
/// transaction (the same payload as agent replies: conversation, message, ticket).
async fn announce_message(
    conn: &mut db::Conn,
    ws_id: Uuid,
    m: &Message,
    ticket_id: Option<Uuid>,
) -> ApiResult<()> {
    crate::webhooks::dispatch(
        conn,
        ws_id,
        crate::webhooks::CONVERSATION_MESSAGE,
        serde_json::json!({
            "conversation_id": m.conversation_id,
            "message": crate::domain::message::MessageOut::from(m.clone()),
            "ticket_id": ticket_id,
        }),
    )
    .await?;
    Ok(())
}

/// Handles a visitor's message in their conversation.
pub async fn handle_visitor_message(
    state: &AppState,
    ws: &Workspace,
    visitor: &Visitor,
    conversation: &Conversation,
    body: &str,
) -> ApiResult<TurnResult> {
    let ws_id = ws.id;
    let conv_id = conversation.id;

    // 1. Store the visitor's message and read the context.
    let mut conn = db::conn(&state.pool).await?;
    // The message and its webhook deliveries commit together.
    let (visitor_message, ticket_row) = conn
        .transaction::<_, ApiError, _>(async |c| {
            let m =
                conversations::append_message(c, ws_id, conv_id, Sender::Visitor, None, body, None)
                    .await?;
            let ticket_row = conversations::latest_ticket(c, ws_id, conv_id).await?;
            announce_message(c, ws_id, &m, ticket_row.map(|t| t.0)).await?;
            Ok((m, ticket_row))
        })
        .await?;
    let history = conversations::messages(&mut conn, ws_id, conv_id, HISTORY + 1).await?;
    let candidates = articles::search_any(&mut conn, ws_id, &query_words(body), CANDIDATES).await?;
    let flow = FlowState::from_json(
        &conversations::conversation(&mut conn, ws_id, conv_id)
            .await?
            .flow,
    );
    drop(conn);
    state
        .events
        .publish(BusEvent::message(
            ws_id,
            conv_id,
            visitor_message.id,
            ticket_row.map(|t| t.0),
        ))
        .await;

    let turn = Turn {
        workspace_name: ws.name.clone(),
        instructions: ws.ai_instructions.clone(),
        tickets_enabled: tickets_enabled(ws),
        flow,
        ticket: ticket_ref(ticket_row),
        known_email: visitor.email.as_deref().and_then(|e| Email::parse(e).ok()),
        message: body.to_string(),
        history: history
            .iter()
            .filter(|m| m.id != visitor_message.id)
            .map(|m| HistoryLine {
                sender: m.sender,
                author_name: m.author_name.clone(),
                body: m.body.clone(),
            })
            .collect(),
        articles: candidates
            .into_iter()
            .map(|h| ArticleText {
                title: h.title,
                body: h.body,
            })
            .collect(),
    };

    // 2. The engine answers (no connection held).
    let outcome = state.assistant.respond(&turn).await;

    // 3. Apply the outcome atomically.
    let mut conn = db::conn(&state.pool).await?;
    let visitor_id = visitor.id;
    let ws_for_tx = ws.clone();
    let turn_message = turn.message.clone();
    let config = state.config.clone();
    let applied = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            conversations::lock_conversation(conn, ws_id, conv_id).await?;
            let mut replies: Vec<Reply> = outcome.replies;
            let mut flow = outcome.state;
            let mut ticket_out: Option<(Uuid, i64)> = None;
            let mut created: Option<Uuid> = None;
            let mut updated: Option<Uuid> = None;
            for effect in outcome.effects {
                match effect {
                    Effect::CreateTicket { email, category: cat, request, save_email, summary: model_summary } => {
                        let current = ticket_ref(conversations::latest_ticket(conn, ws_id, conv_id).await?);
                        if let Some(open) = current.filter(|t| {
                            matches!(t.status, handoff::TicketStatus::Open | handoff::TicketStatus::InProgress)
                        }) {
                            // One open ticket per conversation: add to it instead.
                            tickets_store::touch(conn, ws_id, open.id).await?;
                            replies.push(Reply::text(format!(
                                "Thanks, I've added this to your ticket {}. Our team will reply here.",
                                handoff::ticket_label(open.number)
                            )));
                            flow = FlowState::TicketOpen { ticket_id: open.id, number: open.number };
                            ticket_out = Some((open.id, open.number));
                            continue;
                        }
                        if save_email {
                            conversations::set_visitor_email(conn, ws_id, visitor_id, email.as_str()).await?;
                        }
                        let transcript = conversations::messages(conn, ws_id, conv_id, 200).await?;
                        let lines: Vec<Line<'_>> = transcript
                            .iter()
                            .map(|m| Line {
                                who: match m.sender {
                                    Sender::Visitor => "Visitor",
                                    Sender::Assistant => ASSISTANT_NAME,
                                    Sender::Agent => m.author_name.as_deref().unwrap_or("Agent"),
                                    Sender::System => "System",
                                },
                                body: &m.body,
                                from_visitor: m.sender == Sender::Visitor,
                            })
                            .collect();
                        let request = if request.trim().is_empty() { turn_message.clone() } else { request };
                        let (builtin_summary, description) = summary::summarise(&request, &lines);
                        // One way to create tickets: the tickets domain (number, event, mail, webhooks).
                        let ticket = crate::domain::tickets::create(
                            conn,
                            &config,
                            &ws_for_tx,
                            crate::domain::tickets::NewTicketInput {
                                visitor_email: email.to_string(),
                                summary: summary::truncate_chars(
                                    &model_summary.unwrap_or(builtin_summary),
                                    crate::domain::tickets::SUMMARY_MAX,
                                ),
                                description: summary::truncate_chars(
                                    &description,
                                    crate::domain::tickets::DESCRIPTION_MAX,
                                ),
                                category: category(cat),
                                source: TicketSource::Ai,
                                conversation_id: Some(conv_id),
                            },
                            &Actor::assistant(),
                        )
                        .await?
                        .value;
                        let number = crate::domain::ticket_number::TicketNumber::parse(&ticket.number)
                            .map_err(|_| ApiError::internal(anyhow::anyhow!("bad ticket number {}", ticket.number)))?
                            .value();
                        let done = handoff::ticket_created(ticket.id, number, &email);
                        replies.extend(done.replies);
                        flow = done.state;
                        ticket_out = Some((ticket.id, number));
                        created = Some(ticket.id);
                    }
                    Effect::AddToTicket { ticket_id } => {
                        tickets_store::touch(conn, ws_id, ticket_id).await?;
                        if let FlowState::TicketOpen { number, .. } = flow {
                            ticket_out = Some((ticket_id, number));
                        }
                    }
                    Effect::ReopenTicket { ticket_id } => {
                        // The tickets domain reopens it (event + `ticket.updated` webhook).
                        if let Some(reopened) =
                            crate::domain::tickets::on_visitor_message(conn, ws_id, conv_id).await?
                        {
                            updated = Some(reopened.value.id);
                        }
                        if let FlowState::TicketOpen { number, .. } = flow {
                            ticket_out = Some((ticket_id, number));
                        }
                    }
                }
            }
            let mut stored = Vec::with_capacity(replies.len());
            for r in replies {
                let action = r.action.and_then(|a| serde_json::to_value(a).ok());
                let m = conversations::append_message(
                    conn,
                    ws_id,
                    conv_id,
                    Sender::Assistant,
                    Some(ASSISTANT_NAME),
                    &r.body,
                    action,
                )
                .await?;
                announce_message(conn, ws_id, &m, ticket_out.map(|t| t.0)).await?;
                stored.push(m);
            }
            conversations::save_flow(conn, ws_id, conv_id, &flow.to_json()).await?;
            Ok((stored, ticket_out, created, updated))
        })
        .await?;
    let (stored, ticket_out, created, updated) = applied;
    // Give the connection back before announcing the change.
    drop(conn);

    // 4. Announce after the commit.
    if let Some(id) = created {
        state
            .events
            .publish(BusEvent::ticket(events::TICKET_CREATED, ws_id, id))
            .await;
    }
    if let Some(id) = updated {
        state
            .events
            .publish(BusEvent::ticket(events::TICKET_UPDATED, ws_id, id))
            .await;
    }
    for m in &stored {
        state
            .events
            .publish(BusEvent::message(
                ws_id,
                conv_id,
                m.id,
                ticket_out.map(|t| t.0),
            ))
            .await;
    }
    let mut messages = vec![visitor_message];
    messages.extend(stored);
    Ok(TurnResult {
        messages,
        ticket: ticket_out,
    })
}
