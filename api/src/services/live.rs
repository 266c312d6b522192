//! Live conversations: an agent takes a conversation over (the assistant falls silent),
//! replies in it (a ticket reply when it has a ticket), hands it back; a conversation left
//! taken over falls back to the assistant after `TAKEOVER_IDLE_MINUTES` (the periodic
//! sweep, `sweep_idle`, run by the worker of every server); typing indicators both ways;
//! the visitor's and the members' presence, kept in Postgres by their live streams so
//! every server sees it.
//!
//! Everything the visitor must see goes into the conversation as a system message
//! ("Sam joined the chat"), published like any message; typing and presence are ephemeral
//! bus events, never stored.

use std::time::Duration;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::db::models::{Conversation, Message, TicketEvent, Workspace};
use crate::db::{
    self, Conn, Pool, conversations, live as store, stream_leases, tickets as ticket_store,
};
use crate::domain::access::{Access, Principal};
use crate::domain::actor::Actor;
use crate::domain::enums::{ActorKind, Sender, TicketStatus};
use crate::domain::live::{self, AGENT_FALLBACK_NAME};
use crate::domain::ticket_number::TicketKey;
use crate::domain::tickets::reply_text;
use crate::error::{ApiError, ApiResult};
use crate::events::BusEvent;
use crate::events::bus::EventBus;
use crate::ratelimit::Rule;
use crate::services::Changed;
use crate::services::access::transact;
use crate::services::workspaces::load as load_workspace;
use crate::services::{attachments, tickets};
use crate::state::AppState;
use crate::views::conversations::{ConversationOut, ConversationReplyIn, TakeOverIn, TypingIn};
use crate::views::messages::MessageOut;
use crate::webhooks::{self, payloads};

/// Typing events per sender (an agent in a conversation, a visitor).
const AGENT_TYPING: Rule = Rule {
    name: "typing:agent",
    max: live::TYPING_MAX,
    window_secs: live::TYPING_WINDOW_SECS,
};
const VISITOR_TYPING: Rule = Rule {
    name: "typing:visitor",
    max: live::TYPING_MAX,
    window_secs: live::TYPING_WINDOW_SECS,
};

/// Conversations the idle sweep returns to the assistant per round and transaction.
const SWEEP_BATCH: i64 = 100;

fn agent_name(access: &Access) -> String {
    access
        .actor
        .name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| AGENT_FALLBACK_NAME.into())
}

async fn lock(conn: &mut Conn, ws: Uuid, id: Uuid) -> ApiResult<Conversation> {
    conversations::conversation(conn, ws, id, true)
        .await?
        .ok_or_else(|| ApiError::not_found("conversation"))
}

/// Stores a system message the visitor sees, with its webhooks; the event to publish.
async fn system_message(
    conn: &mut Conn,
    ws: Uuid,
    conv: Uuid,
    text: &str,
    ticket_id: Option<Uuid>,
) -> ApiResult<(Message, BusEvent)> {
    let m = conversations::append_message(conn, ws, conv, Sender::System, None, text, None, None)
        .await?;
    webhooks::dispatch(
        conn,
        ws,
        webhooks::CONVERSATION_MESSAGE,
        &payloads::ConversationMessage {
            conversation_id: conv,
            message: &MessageOut::from(m.clone()),
            ticket_id,
        },
    )
    .await?;
    let ev = BusEvent::message(ws, conv, m.id, ticket_id);
    Ok((m, ev))
}

/// The conversation's ticket for replies and the timeline: its newest, unless closed.
async fn current_ticket(
    conn: &mut Conn,
    ws: Uuid,
    conv: Uuid,
) -> ApiResult<Option<(Uuid, i64, TicketStatus)>> {
    Ok(conversations::latest_ticket(conn, ws, conv)
        .await?
        .filter(|(_, _, status)| *status != TicketStatus::Closed))
}

/// A line in the ticket's timeline (when the conversation has one).
async fn ticket_note(
    conn: &mut Conn,
    ws: Uuid,
    ticket: Option<(Uuid, i64, TicketStatus)>,
    kind: &str,
    actor: &Actor,
    data: serde_json::Value,
) -> ApiResult<()> {
    if let Some((ticket_id, _, _)) = ticket {
        ticket_store::insert_event(
            conn,
            TicketEvent {
                id: Uuid::now_v7(),
                workspace_id: ws,
                ticket_id,
                kind: kind.into(),
                actor_type: actor.kind,
                actor_id: actor.id,
                actor_name: actor.name.clone(),
                data,
                created_at: Utc::now(),
            },
        )
        .await?;
    }
    Ok(())
}

/// Takes the conversation over in the caller's transaction: the assistant stops answering
/// and the visitor sees "<name> joined the chat". `None` when `access` already has it.
async fn take_over_in(
    conn: &mut Conn,
    access: &Access,
    conv: &Conversation,
    force: bool,
) -> ApiResult<Option<(Conversation, Vec<BusEvent>)>> {
    let holder = conv.taken_over_at.map(|_| {
        (
            conv.taken_over_by,
            conv.taken_over_name
                .as_deref()
                .unwrap_or(AGENT_FALLBACK_NAME),
        )
    });
    if !live::may_take_over(holder, access.user_id, force)? {
        return Ok(None);
    }
    let ws = access.workspace_id;
    let name = agent_name(access);
    let now = Utc::now();
    let updated = store::take_over(conn, ws, conv.id, access.user_id, &name, now).await?;
    let ticket = current_ticket(conn, ws, conv.id).await?;
    let (_, ev) = system_message(
        conn,
        ws,
        conv.id,
        &live::joined_text(&name),
        ticket.map(|t| t.0),
    )
    .await?;
    ticket_note(
        conn,
        ws,
        ticket,
        "taken_over",
        &access.actor,
        serde_json::json!({"conversation_id": conv.id}),
    )
    .await?;
    Ok(Some((
        updated,
        vec![ev, BusEvent::conversation(ws, conv.id, Some(&name))],
    )))
}

fn out(state: &AppState, c: Conversation) -> ConversationOut {
    ConversationOut::of(c, state.config.takeover_idle_minutes, Utc::now())
}

/// `POST …/conversations/{id}/take-over`: the assistant stops answering; the visitor sees
/// "<agent> joined the chat". Taking over one's own is a no-op; another agent's needs
/// `force` (409 `already_taken_over`).
pub async fn take_over(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    id: Uuid,
    body: &TakeOverIn,
) -> ApiResult<ConversationOut> {
    let c = transact!(state, principal, ws, |conn, access| {
        let conv = lock(conn, access.workspace_id, id).await?;
        Ok(match take_over_in(conn, access, &conv, body.force).await? {
            Some((c, publish)) => Changed { value: c, publish },
            None => Changed::nothing(conv),
        })
    })?;
    Ok(out(state, c))
}

/// `POST …/conversations/{id}/hand-back`: the assistant answers again; the visitor sees a
/// system message. A no-op when nobody has the conversation.
pub async fn hand_back(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    id: Uuid,
) -> ApiResult<ConversationOut> {
    let c = transact!(state, principal, ws, |conn, access| {
        let ws = access.workspace_id;
        let conv = lock(conn, ws, id).await?;
        if conv.taken_over_at.is_none() {
            return Ok(Changed::nothing(conv));
        }
        let name = conv
            .taken_over_name
            .clone()
            .unwrap_or_else(|| AGENT_FALLBACK_NAME.into());
        let updated = store::hand_back(conn, ws, id).await?;
        let ticket = current_ticket(conn, ws, id).await?;
        let (_, ev) = system_message(
            conn,
            ws,
            id,
            &live::handed_back_text(&name),
            ticket.map(|t| t.0),
        )
        .await?;
        ticket_note(
            conn,
            ws,
            ticket,
            "handed_back",
            &access.actor,
            serde_json::json!({"conversation_id": id, "from": name}),
        )
        .await?;
        Ok(Changed {
            value: updated,
            publish: vec![ev, BusEvent::conversation(ws, id, None)],
        })
    })?;
    Ok(out(state, c))
}

/// `POST …/conversations/{id}/replies`: the agent's message to the visitor. With a ticket
/// (not closed) it is that ticket's reply (`services::tickets::reply_in`: the same
/// timeline, first-response time, status rule, webhooks and optional email copy);
/// without one, a plain agent message. Unless `take_over` is `false`, the agent takes the
/// conversation over first when nobody has it.
pub async fn reply(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    id: Uuid,
    body: &ConversationReplyIn,
) -> ApiResult<MessageOut> {
    let attachment_ids = attachments::requested(&body.attachment_ids)?;
    let text = reply_text(&body.body, !attachment_ids.is_empty())?.to_string();
    let config = state.config.clone();
    transact!(state, principal, ws, |conn, access| {
        let ws_id = access.workspace_id;
        let conv = lock(conn, ws_id, id).await?;
        let ticket = current_ticket(conn, ws_id, id).await?;
        if body.email_visitor && ticket.is_none() {
            return Err(ApiError::validation(
                "email_visitor",
                "this conversation has no ticket: only a ticket reply can be emailed",
            ));
        }
        let mut publish = vec![];
        let mut holder = conv.taken_over_at.map(|_| {
            conv.taken_over_name
                .clone()
                .unwrap_or_else(|| AGENT_FALLBACK_NAME.into())
        });
        if body.take_over.unwrap_or(true)
            && conv.taken_over_at.is_none()
            && let Some((taken, evs)) = take_over_in(conn, access, &conv, false).await?
        {
            holder = taken.taken_over_name;
            publish.extend(evs);
        }
        let ws: Workspace = load_workspace(conn, ws_id).await?;
        let message = match ticket {
            Some((ticket_id, _, _)) => {
                let done = tickets::reply_in(
                    conn,
                    &config,
                    &ws,
                    TicketKey::Id(ticket_id),
                    &text,
                    &attachment_ids,
                    body.email_visitor,
                    &access.actor,
                )
                .await?;
                publish.extend(done.publish);
                done.value
            }
            None => {
                let now = Utc::now();
                let author = agent_name(access);
                let m = ticket_store::insert_agent_message(
                    conn,
                    ws_id,
                    id,
                    access
                        .user_id
                        .filter(|_| access.actor.kind == ActorKind::User),
                    &author,
                    &text,
                    now,
                )
                .await?;
                let m = attachments::claim_for(
                    conn,
                    ws_id,
                    &attachment_ids,
                    attachments::uploader_of(&access.actor),
                    m,
                )
                .await?;
                ticket_store::touch_conversation_for_agent_message(conn, ws_id, id, now).await?;
                let m = MessageOut::from(m);
                webhooks::dispatch(
                    conn,
                    ws_id,
                    webhooks::CONVERSATION_MESSAGE,
                    &payloads::ConversationMessage {
                        conversation_id: id,
                        message: &m,
                        ticket_id: None,
                    },
                )
                .await?;
                publish.push(BusEvent::message(ws_id, id, m.id, None));
                m
            }
        };
        store::agent_replied(conn, ws_id, id, Utc::now()).await?;
        publish.push(BusEvent::conversation(ws_id, id, holder.as_deref()));
        Ok(Changed {
            value: message,
            publish,
        })
    })
}

/// `POST …/conversations/{id}/typing`: tells the visitor (and the other agents) that the
/// caller is typing. Ephemeral (a bus event, never stored); past `TYPING_MAX` events per
/// `TYPING_WINDOW_SECS` per agent and conversation the extra ones are dropped.
pub async fn agent_typing(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    id: Uuid,
    body: &TypingIn,
) -> ApiResult<()> {
    let (mut conn, access) = crate::services::access::access(state, principal, ws).await?;
    let ws = access.workspace_id;
    conversations::conversation(&mut conn, ws, id, false)
        .await?
        .ok_or_else(|| ApiError::not_found("conversation"))?;
    drop(conn);
    let who = access
        .user_id
        .map(|u| u.to_string())
        .unwrap_or_else(|| format!("{:?}", access.actor.id));
    if !under_limit(state, AGENT_TYPING.on(format!("{id}:{who}"))).await? {
        return Ok(());
    }
    state
        .events
        .publish(BusEvent::typing(
            ws,
            id,
            Some((access.user_id, agent_name(&access))),
            body.typing,
        ))
        .await;
    Ok(())
}

/// `POST /widget/typing`: tells the dashboard the visitor of `conv` is typing (same
/// limits).
pub async fn visitor_typing(
    state: &AppState,
    ws: Uuid,
    conv: Uuid,
    visitor: Uuid,
    body: &TypingIn,
) -> ApiResult<()> {
    if !under_limit(state, VISITOR_TYPING.on(visitor)).await? {
        return Ok(());
    }
    state
        .events
        .publish(BusEvent::typing(ws, conv, None, body.typing))
        .await;
    Ok(())
}

/// Counts an ephemeral event (typing, a viewer joining or leaving); `false` when its sender
/// is over the limit (the event is dropped quietly: an indicator is not worth an error).
pub(crate) async fn under_limit(
    state: &AppState,
    check: crate::ratelimit::Check,
) -> ApiResult<bool> {
    match state.limiter.check(&[check]).await {
        Ok(()) => Ok(true),
        Err(ApiError::RateLimited { .. }) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Returns conversations whose agent has been idle for `TAKEOVER_IDLE_MINUTES` to the
/// assistant, with a system message; one transaction per batch, rows locked with SKIP
/// LOCKED so the sweeps of several servers share the work. The number returned.
pub async fn sweep_idle(state: &AppState) -> ApiResult<usize> {
    let idle = state.config.takeover_idle_minutes;
    let mut total = 0;
    loop {
        let mut conn = db::conn(&state.pool).await?;
        let Changed { value, publish } =
            diesel_async::AsyncConnection::transaction::<_, ApiError, _>(&mut *conn, async |c| {
                let cutoff = live::idle_cutoff(Utc::now(), idle);
                let rows = store::idle_takeovers(c, cutoff, SWEEP_BATCH).await?;
                let mut publish = vec![];
                for conv in &rows {
                    let name = conv
                        .taken_over_name
                        .clone()
                        .unwrap_or_else(|| AGENT_FALLBACK_NAME.into());
                    store::hand_back(c, conv.workspace_id, conv.id).await?;
                    let ticket = current_ticket(c, conv.workspace_id, conv.id).await?;
                    let (_, ev) = system_message(
                        c,
                        conv.workspace_id,
                        conv.id,
                        &live::idle_fallback_text(&name, idle),
                        ticket.map(|t| t.0),
                    )
                    .await?;
                    ticket_note(
                        c,
                        conv.workspace_id,
                        ticket,
                        "handed_back",
                        &Actor::system(),
                        serde_json::json!({"conversation_id": conv.id, "from": name, "reason": "idle", "idle_minutes": idle}),
                    )
                    .await?;
                    publish.push(ev);
                    publish.push(BusEvent::conversation(conv.workspace_id, conv.id, None));
                }
                Ok(Changed {
                    value: rows.len(),
                    publish,
                })
            })
            .await?;
        drop(conn);
        state.publish_all(publish).await;
        total += value;
        if (value as i64) < SWEEP_BATCH {
            return Ok(total);
        }
    }
}

// ------------------------------------------------------------------------ presence

/// How often an open stream renews its presence mark (well inside `PRESENCE_TTL`).
pub const PRESENCE_EVERY: Duration = Duration::from_secs(30);
/// How long after a visitor's stream closed their other streams are looked for (lets the
/// closed stream's lease be given back first).
const GONE_CHECK_AFTER: Duration = Duration::from_secs(1);

/// Keeps a presence mark alive while a stream is open: renewed every `PRESENCE_EVERY`;
/// when dropped (the stream ended) the visitor is marked offline unless another of their
/// streams is still open on any server (their stream leases).
pub struct PresenceGuard {
    renew: Option<tokio::task::JoinHandle<()>>,
    on_drop: Option<Box<dyn FnOnce() + Send + Sync>>,
}

impl Drop for PresenceGuard {
    fn drop(&mut self) {
        if let Some(renew) = &self.renew {
            renew.abort();
        }
        if let Some(f) = self.on_drop.take() {
            f();
        }
    }
}

impl PresenceGuard {
    /// No presence to keep (an API key's stream).
    pub fn none() -> Self {
        PresenceGuard {
            renew: None,
            on_drop: None,
        }
    }

    /// `frames`, keeping the presence mark until the stream is dropped.
    pub fn hold<S: futures_util::Stream>(
        self,
        frames: S,
    ) -> impl futures_util::Stream<Item = S::Item> {
        use futures_util::StreamExt;
        frames.map(move |frame| {
            let _held = &self;
            frame
        })
    }
}

fn presence_until(now: DateTime<Utc>) -> DateTime<Utc> {
    now + live::PRESENCE_TTL
}

async fn mark_visitor(
    pool: &Pool,
    events: &EventBus,
    ws: Uuid,
    conv: Uuid,
    visitor: Uuid,
) -> anyhow::Result<()> {
    let mut conn = db::conn(pool).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let now = Utc::now();
    let before =
        store::visitor_present(&mut conn, ws, conv, visitor, now, presence_until(now)).await?;
    drop(conn);
    if let Some(before) = before
        && !live::is_online(before, now)
    {
        events
            .publish(BusEvent::visitor_presence(ws, conv, true))
            .await;
    }
    Ok(())
}

/// The visitor's widget is open (their stream): online now, and until the guard drops.
pub async fn visitor_online(
    state: &AppState,
    ws: Uuid,
    conv: Uuid,
    visitor: Uuid,
) -> ApiResult<PresenceGuard> {
    let (pool, events) = (state.pool.clone(), state.events.clone());
    mark_visitor(&pool, &events, ws, conv, visitor)
        .await
        .map_err(ApiError::internal)?;
    let renew = {
        let (pool, events) = (pool.clone(), events.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(PRESENCE_EVERY);
            tick.tick().await;
            loop {
                tick.tick().await;
                if let Err(e) = mark_visitor(&pool, &events, ws, conv, visitor).await {
                    tracing::debug!(error = %e, "renewing a visitor's presence");
                }
            }
        })
    };
    let on_drop = move || {
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                tokio::time::sleep(GONE_CHECK_AFTER).await;
                let gone = async {
                    let mut conn = db::conn(&pool).await.map_err(|e| anyhow::anyhow!("{e}"))?;
                    let holder = format!("visitor:{visitor}");
                    if stream_leases::live_count(&mut conn, &holder).await? > 0 {
                        return anyhow::Ok(false);
                    }
                    Ok(store::visitor_gone(&mut conn, ws, conv, Utc::now()).await? > 0)
                };
                match gone.await {
                    Ok(true) => {
                        events
                            .publish(BusEvent::visitor_presence(ws, conv, false))
                            .await
                    }
                    Ok(false) => {}
                    Err(e) => {
                        tracing::debug!(error = %e, "marking a visitor offline; it lapses instead")
                    }
                }
            });
        }
    };
    Ok(PresenceGuard {
        renew: Some(renew),
        on_drop: Some(Box::new(on_drop)),
    })
}

/// A member's dashboard stream is open: they count as "a human online" (the widget's
/// expectation) until the guard drops and the mark lapses (`PRESENCE_TTL`).
pub async fn member_online(state: &AppState, ws: Uuid, user: Uuid) -> ApiResult<PresenceGuard> {
    let pool = state.pool.clone();
    let mark = move |pool: Pool| async move {
        let mut conn = db::conn(&pool).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let now = Utc::now();
        store::member_present(&mut conn, ws, user, now, presence_until(now)).await?;
        anyhow::Ok(())
    };
    mark(pool.clone()).await.map_err(ApiError::internal)?;
    let renew = tokio::spawn(async move {
        let mut tick = tokio::time::interval(PRESENCE_EVERY);
        tick.tick().await;
        loop {
            tick.tick().await;
            if let Err(e) = mark(pool.clone()).await {
                tracing::debug!(error = %e, "renewing a member's presence");
            }
        }
    });
    Ok(PresenceGuard {
        renew: Some(renew),
        on_drop: None,
    })
}

/// Whether a human of the workspace is online now (a member's dashboard is open).
pub async fn humans_online(conn: &mut Conn, ws: Uuid) -> ApiResult<bool> {
    Ok(store::any_member_online(conn, ws, Utc::now()).await?)
}
