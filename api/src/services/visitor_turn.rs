//! One visitor message, end to end: store it, gather what the engine may know, let the
//! engine answer, then apply the outcome (replies, flow state, ticket) in one
//! transaction and announce the new messages.
//!
//! No database connection is held while the engine thinks (a model call may take
//! seconds). The outcome is applied under a row lock on the conversation. The flow state
//! and the conversation's ticket are read again under that lock: when another message of
//! the conversation was applied meanwhile, the flow steps again from where it is now. And
//! creating the ticket goes through `tickets::create_in`, which refuses a second open
//! ticket in a conversation whatever the caller believed.
//!
//! A message sent with an idempotency key (`Idempotency-Key`, per visitor conversation) is
//! stored with its key in one transaction, and the answer is stored with the key in the
//! transaction that applies it. A retry with the same key gets that answer again; a retry
//! after a turn that failed (or whose process died) answers the stored message without
//! storing it twice; a different message under the same key is refused.

use diesel_async::AsyncConnection;
use uuid::Uuid;

use crate::assistant::builtin::Builtin;
use crate::assistant::retrieval::{follow_up_query, query_words};
use crate::assistant::{ArticleText, HistoryLine, Turn, TurnLanguage, language};
use crate::db::live as live_store;
use crate::db::models::{Conversation, Message, Visitor, Workspace};
use crate::db::widget_message_keys::{self as message_keys, KeyOf};
use crate::db::{self, Conn, articles, conversations};
use crate::domain::actor::Actor;
use crate::domain::attachments::Uploader;
use crate::domain::email::Email;
use crate::domain::enums::{Sender, TicketSource, TicketStatus};
use crate::domain::handoff::{self, Effect, FlowState, Outcome, Reply};
use crate::domain::live::{self, Answerer};
use crate::domain::locale;
use crate::domain::summary::{self, Line};
use crate::domain::ticket_number::TicketNumber;
use crate::domain::tickets::{DESCRIPTION_MAX, SUMMARY_MAX, TicketRef};
use crate::error::{ApiError, ApiResult};
use crate::events::BusEvent;
use crate::services::reply_stream::ReplyStream;
use crate::services::tickets::{self, NewTicketInput};
use crate::services::{Changed, ai_budget, attachments, notifications};
use crate::state::AppState;
use crate::views::messages::{MessageOut, Source};
use crate::views::widget::{PostMessageOut, TicketBrief};
use crate::webhooks::{self, payloads};

pub const ASSISTANT_NAME: &str = "AI assistant";
/// Earlier messages given to the engine.
const HISTORY: i64 = 40;
/// Knowledge-base candidates given to the engine.
const CANDIDATES: i64 = 3;
/// Messages the ticket's description is summarised from.
const TRANSCRIPT: i64 = 200;

/// How long a turn holds its idempotency key beyond the model's timeout (a retry meanwhile
/// is told to wait).
const KEY_HOLD_MARGIN: std::time::Duration = std::time::Duration::from_secs(30);

/// A visitor message's idempotency key and what it was sent with.
#[derive(Debug, Clone)]
pub struct MessageKey {
    pub key: String,
    /// SHA-256 (hex) of the message text.
    pub body_sha256: String,
}

/// What a visitor's message got.
pub enum Posted {
    /// This request's turn.
    Answered(TurnResult),
    /// A retry: the answer the first request got (the stored response, as it was sent).
    Again(serde_json::Value),
}

/// The answer as the widget API sends it.
pub fn answer_out(messages: &[Message], ticket: Option<(Uuid, i64)>) -> PostMessageOut {
    PostMessageOut {
        messages: messages.iter().cloned().map(MessageOut::from).collect(),
        ticket: ticket.map(|(id, number)| TicketBrief {
            id,
            number: TicketNumber::new(number).to_string(),
        }),
    }
}

fn key_reused() -> ApiError {
    ApiError::conflict(
        "idempotency_key_reused",
        "This Idempotency-Key was used for a different message; use a new key for a new message.",
    )
}

fn key_in_progress() -> ApiError {
    ApiError::conflict(
        "idempotency_in_progress",
        "A message with this Idempotency-Key is still being answered; retry shortly.",
    )
}

/// What a key says before the turn: nothing yet (`None`), the stored answer, or a stored
/// message whose turn must be run again (claimed for this request).
async fn resolve_key(
    state: &AppState,
    k: KeyOf<'_>,
    body_sha256: &str,
) -> ApiResult<Option<Result<serde_json::Value, Message>>> {
    let mut conn = db::conn(&state.pool).await?;
    let Some(row) = message_keys::find(&mut conn, k).await? else {
        return Ok(None);
    };
    if row.body_sha256 != body_sha256 {
        return Err(key_reused());
    }
    if let Some(response) = row.response {
        return Ok(Some(Ok(response)));
    }
    let now = chrono::Utc::now();
    if !message_keys::claim(&mut conn, k, now, hold_until(state, now)).await? {
        return Err(key_in_progress());
    }
    let message =
        conversations::message(&mut conn, k.workspace_id, k.conversation_id, row.message_id)
            .await?
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("a keyed message vanished")))?;
    Ok(Some(Err(message)))
}

fn hold_until(
    state: &AppState,
    now: chrono::DateTime<chrono::Utc>,
) -> chrono::DateTime<chrono::Utc> {
    now + chrono::Duration::from_std(state.config.ai_timeout + KEY_HOLD_MARGIN)
        .unwrap_or(chrono::Duration::minutes(1))
}

pub struct TurnResult {
    /// The visitor's message, then the assistant's replies.
    pub messages: Vec<Message>,
    /// The conversation's ticket when this turn created or touched one: `(id, number)`.
    pub ticket: Option<(Uuid, i64)>,
}

/// Stores a message (under `id` when it was chosen beforehand) and queues its
/// `conversation.message` webhooks, in the caller's transaction; returns the event to
/// publish after the commit.
#[allow(clippy::too_many_arguments)]
async fn append(
    conn: &mut Conn,
    id: Option<Uuid>,
    ws_id: Uuid,
    conv_id: Uuid,
    sender: Sender,
    reply: Option<&Reply>,
    body: &str,
    ticket_id: Option<Uuid>,
    files: Option<(&[Uuid], Uploader)>,
) -> ApiResult<(Message, BusEvent)> {
    let action = reply
        .and_then(|r| r.action)
        .and_then(|a| serde_json::to_value(a).ok());
    let sources = reply
        .filter(|r| !r.sources.is_empty())
        .map(|r| {
            r.sources
                .iter()
                .map(|s| Source {
                    passage_id: s.passage_id,
                    article_id: s.article_id,
                    title: s.title.clone(),
                    url: s.url.clone(),
                })
                .collect::<Vec<_>>()
        })
        .and_then(|s| serde_json::to_value(s).ok());
    let author = (sender == Sender::Assistant).then_some(ASSISTANT_NAME);
    let id = id.unwrap_or_else(Uuid::now_v7);
    let mut m = conversations::append_message_as(
        conn, id, ws_id, conv_id, sender, author, body, action, sources,
    )
    .await?;
    if let Some((ids, uploader)) = files {
        m = attachments::claim_for(conn, ws_id, ids, uploader, m).await?;
    }
    webhooks::dispatch(
        conn,
        ws_id,
        webhooks::CONVERSATION_MESSAGE,
        &payloads::ConversationMessage {
            conversation_id: m.conversation_id,
            message: &MessageOut::from(m.clone()),
            ticket_id,
        },
    )
    .await?;
    let ev = BusEvent::message(ws_id, conv_id, m.id, ticket_id);
    Ok((m, ev))
}

/// The conversation, locked until the transaction ends.
async fn locked_conversation(
    conn: &mut Conn,
    ws_id: Uuid,
    conv_id: Uuid,
) -> ApiResult<Conversation> {
    conversations::conversation(conn, ws_id, conv_id, true)
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("conversation {conv_id} vanished")))
}

/// Whether a human has the conversation (the assistant then neither answers nor
/// acknowledges).
fn human_has(c: &Conversation) -> bool {
    !Answerer::of(c.taken_over_at, c.taken_over_name.as_deref()).assistant_answers()
}

/// A visitor message in a taken-over conversation: it waits for the human, and the
/// ticket rules hold as they do when the assistant answers (a resolved ticket reopens, an
/// open one counts as updated). The conversation's ticket, and what to publish.
async fn while_taken_over(
    conn: &mut Conn,
    ws_id: Uuid,
    conv_id: Uuid,
    ticket: Option<TicketRef>,
) -> ApiResult<(Option<(Uuid, i64)>, Vec<BusEvent>)> {
    live_store::visitor_waits(conn, ws_id, conv_id, chrono::Utc::now()).await?;
    let mut publish = vec![];
    let ticket = match ticket {
        Some(t) if t.status == TicketStatus::Resolved => {
            if let Some(reopened) =
                tickets::reopen_on_visitor_message_in(conn, ws_id, conv_id).await?
            {
                publish.extend(reopened.publish);
            }
            Some((t.id, t.number))
        }
        Some(t) if t.status.is_open() => {
            tickets::touch_in(conn, ws_id, t.id).await?;
            Some((t.id, t.number))
        }
        _ => None,
    };
    Ok((ticket, publish))
}

/// Stores the answer with the message's idempotency key (when it has one).
async fn complete_key(
    conn: &mut Conn,
    key_of: Option<KeyOf<'_>>,
    messages: &[Message],
    ticket: Option<(Uuid, i64)>,
) -> ApiResult<()> {
    if let Some(of) = key_of {
        let out = serde_json::to_value(answer_out(messages, ticket)).map_err(ApiError::internal)?;
        message_keys::complete(conn, of, &out).await?;
    }
    Ok(())
}

/// Handles a visitor's message in their conversation (see the module's note on `key`).
pub async fn handle_visitor_message(
    state: &AppState,
    ws: &Workspace,
    visitor: &Visitor,
    conversation: &Conversation,
    body: &str,
    files: &[Uuid],
    key: Option<&MessageKey>,
) -> ApiResult<Posted> {
    let key_of = key.map(|k| KeyOf {
        workspace_id: ws.id,
        conversation_id: conversation.id,
        visitor_id: visitor.id,
        key: &k.key,
    });
    let resumed = match (key, key_of) {
        (Some(k), Some(of)) => match resolve_key(state, of, &k.body_sha256).await? {
            Some(Ok(response)) => return Ok(Posted::Again(response)),
            Some(Err(message)) => Some(message),
            None => None,
        },
        _ => None,
    };
    let result = turn(
        state,
        ws,
        visitor,
        conversation,
        body,
        files,
        key,
        key_of,
        resumed,
    )
    .await;
    if result.is_err()
        && let Some(of) = key_of
    {
        // Let a retry answer the stored message at once.
        if let Ok(mut conn) = db::conn(&state.pool).await
            && let Err(e) = message_keys::release(&mut conn, of).await
        {
            tracing::warn!(error = %e, "releasing an idempotency key; it frees itself later");
        }
    }
    result.map(Posted::Answered)
}

#[allow(clippy::too_many_arguments)]
async fn turn(
    state: &AppState,
    ws: &Workspace,
    visitor: &Visitor,
    conversation: &Conversation,
    body: &str,
    files: &[Uuid],
    key: Option<&MessageKey>,
    key_of: Option<KeyOf<'_>>,
    resumed: Option<Message>,
) -> ApiResult<TurnResult> {
    let ws_id = ws.id;
    let conv_id = conversation.id;

    // 1. Store the visitor's message (with its webhooks and its key) and read the context;
    // a resumed turn's message is stored already.
    let mut conn = db::conn(&state.pool).await?;
    let (visitor_message, ticket, announce, silent) = match resumed {
        Some(m) => {
            let first = m.clone();
            conn.transaction::<_, ApiError, _>(async |c| {
                let locked = locked_conversation(c, ws_id, conv_id).await?;
                let ticket = conversations::latest_ticket(c, ws_id, conv_id)
                    .await?
                    .map(TicketRef::from);
                let mut publish = vec![];
                let silent = if human_has(&locked) {
                    let (t, evs) = while_taken_over(c, ws_id, conv_id, ticket).await?;
                    publish.extend(evs);
                    complete_key(c, key_of, std::slice::from_ref(&first), t).await?;
                    Some(t)
                } else {
                    None
                };
                Ok((first.clone(), ticket, publish, silent))
            })
            .await?
        }
        None => {
            let hold = hold_until(state, chrono::Utc::now());
            conn.transaction::<_, ApiError, _>(async |c| {
                let locked = locked_conversation(c, ws_id, conv_id).await?;
                let ticket = conversations::latest_ticket(c, ws_id, conv_id)
                    .await?
                    .map(TicketRef::from);
                let (m, ev) = append(
                    c,
                    None,
                    ws_id,
                    conv_id,
                    Sender::Visitor,
                    None,
                    body,
                    ticket.map(|t| t.id),
                    Some((files, Uploader::Visitor(visitor.id))),
                )
                .await?;
                if let (Some(k), Some(of)) = (key, key_of)
                    && !message_keys::insert(c, of, &k.body_sha256, m.id, hold).await?
                {
                    // The same key arrived twice at once: this one stores nothing.
                    return Err(key_in_progress());
                }
                // Whoever the message is for (the agent who has the conversation, the
                // ticket's assignee or team) gets their reminder mail scheduled.
                notifications::visitor_wrote_in(c, ws_id, conv_id, m.created_at).await?;
                let mut publish = vec![ev];
                let silent = if human_has(&locked) {
                    // A human has the conversation: the assistant says nothing, not even
                    // an acknowledgement; the ticket rules still hold.
                    let (t, evs) = while_taken_over(c, ws_id, conv_id, ticket).await?;
                    publish.extend(evs);
                    complete_key(c, key_of, std::slice::from_ref(&m), t).await?;
                    Some(t)
                } else {
                    if live::visitor_waits_for_human(false, ticket.map(|t| t.status)) {
                        live_store::visitor_waits(c, ws_id, conv_id, chrono::Utc::now()).await?;
                    }
                    None
                };
                Ok((m, ticket, publish, silent))
            })
            .await?
        }
    };
    if let Some(ticket) = silent {
        drop(conn);
        state.publish_all(announce).await;
        return Ok(TurnResult {
            messages: vec![visitor_message],
            ticket,
        });
    }
    let history = conversations::messages(&mut conn, ws_id, conv_id, HISTORY + 1).await?;
    drop(conn);
    state.publish_all(announce).await;
    let previous_visitor_turn = history
        .iter()
        .rev()
        .filter(|m| m.id != visitor_message.id)
        .find(|m| m.sender == Sender::Visitor)
        .map(|m| m.body.as_str());
    let query = follow_up_query(body, previous_visitor_turn);

    // Semantic retrieval: embed (no connection held: an endpoint may take a while), then
    // the hybrid search. Lexical when there is no embedder or embedding failed.
    // The query's spelling is corrected against the workspace's vocabulary first.
    // A message of files only has nothing to look up (the flow hands it to the team).
    let has_text = !body.trim().is_empty();
    let mut semantic = None;
    let corrected = match state.knowledge.embedder() {
        Some(_) if has_text => {
            let mut conn = db::conn(&state.pool).await?;
            Some((
                state
                    .knowledge
                    .correct_query(&mut conn, ws_id, &query)
                    .await,
                state.knowledge.correct_query(&mut conn, ws_id, body).await,
            ))
        }
        _ => None,
    };
    let (search_query, search_message) =
        corrected.unwrap_or_else(|| (query.clone(), body.to_string()));
    if has_text
        && let Some(vectors) = state
            .knowledge
            .embed_query(&search_query, &search_message)
            .await
    {
        let mut conn = db::conn(&state.pool).await?;
        match state
            .knowledge
            .search(
                &mut conn,
                ws_id,
                &search_query,
                &vectors,
                CANDIDATES as usize,
            )
            .await
        {
            Ok(hits) => {
                let intent = state.knowledge.intent(&vectors.message).await;
                semantic = Some((hits, intent));
            }
            Err(e) => tracing::warn!(error = %e, "semantic search failed; using word matching"),
        }
    }
    let candidates = match semantic {
        Some(_) => vec![],
        None if !has_text => vec![],
        None => {
            let mut conn = db::conn(&state.pool).await?;
            articles::search_any(&mut conn, ws_id, &query_words(body), CANDIDATES).await?
        }
    };
    let (passages, intent) = semantic.clone().unwrap_or_default();
    let detected = if has_text {
        language::of_message(body, &passages)
    } else {
        None
    };
    let language = TurnLanguage {
        detected,
        reply: locale::reply_language(
            detected,
            conversation.language.as_deref(),
            visitor.locale.as_deref(),
            ws.default_lang(),
        ),
    };
    let ticket_language = detected
        .or(conversation.language.as_deref())
        .unwrap_or(language.reply.code())
        .to_string();

    let turn = Turn {
        workspace_name: ws.name.clone(),
        instructions: ws.ai_instructions.clone(),
        tickets_enabled: ws.tickets_available().is_ok(),
        // The flow as the caller read it with the conversation; it is read again under the
        // lock before the outcome is applied.
        flow: FlowState::from_json(&conversation.flow),
        ticket,
        known_email: visitor.email.as_deref().and_then(|e| Email::parse(e).ok()),
        message: body.to_string(),
        files: crate::views::attachments::stored(visitor_message.attachments.as_ref())
            .into_iter()
            .map(|a| a.filename)
            .collect(),
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
                url: h.url,
            })
            .collect(),
        semantic: semantic.is_some(),
        passages,
        intent,
        language,
    };

    // 2. The engine answers (no connection held). A metered engine (`openai`) answers
    //    within the workspace's daily AI budget; past it the builtin engine does. What a
    //    streaming engine writes reaches the widget meanwhile (`message.delta`); its reply
    //    is then stored under the id the deltas carried.
    let (outcome, streamed) = if !has_text {
        // Only files: no engine reads them; the flow hands them to the team.
        (Builtin::respond_now(&turn), None)
    } else if state.assistant.metered() && !ai_budget::allows(state, ws_id).await? {
        tracing::info!(workspace = %ws_id, "daily AI budget spent; the builtin engine answers");
        ai_budget::record_over_budget(state, ws_id).await?;
        (Builtin::respond_now(&turn), None)
    } else {
        let (stream, deltas) = ReplyStream::start(&state.events, ws_id, conv_id);
        let answer = state.assistant.answer_streaming(&turn, deltas).await;
        let streamed = stream.finish().await;
        ai_budget::record(state, ws_id, answer.usage).await?;
        (answer.outcome, streamed)
    };

    // 3. Apply the outcome atomically, under the conversation's row lock.
    let mut conn = db::conn(&state.pool).await?;
    let visitor_id = visitor.id;
    let config = state.config.clone();
    let turn = &turn;
    let mut visitor_message = visitor_message;
    if let Some(code) = detected {
        visitor_message.language = Some(code.to_string());
    }
    let first = &visitor_message;
    let ticket_language = &ticket_language;
    let Changed { value, publish } = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let locked = conversations::conversation(conn, ws_id, conv_id, true)
                .await?
                .ok_or_else(|| {
                    ApiError::internal(anyhow::anyhow!("conversation {conv_id} vanished"))
                })?;
            let flow = FlowState::from_json(&locked.flow);
            let ticket = conversations::latest_ticket(conn, ws_id, conv_id)
                .await?
                .map(TicketRef::from);
            if human_has(&locked) {
                // Taken over while the engine thought: its answer is dropped unsaid.
                let (t, evs) = while_taken_over(conn, ws_id, conv_id, ticket).await?;
                complete_key(conn, key_of, std::slice::from_ref(first), t).await?;
                return Ok(Changed {
                    value: (vec![], t),
                    publish: evs,
                });
            }
            if let Some(code) = detected {
                conversations::set_message_language(conn, ws_id, conv_id, first.id, code).await?;
            }
            let outcome = if flow == turn.flow && ticket == turn.ticket {
                outcome
            } else {
                // Another message of this conversation was applied while the engine
                // thought: step the flow again from where it is now (the builtin flow,
                // no second model call).
                Builtin::respond_now(&Turn {
                    flow,
                    ticket,
                    ..turn.clone()
                })
            };
            let mut applied = Applied::new(outcome);
            while let Some(effect) = applied.effects.pop() {
                applied
                    .apply(
                        conn,
                        &config,
                        ws,
                        (visitor_id, conv_id),
                        turn,
                        ticket_language,
                        effect,
                    )
                    .await?;
            }
            let mut stored = Vec::with_capacity(applied.replies.len());
            let ticket_id = applied.ticket.map(|t| t.0);
            for (i, r) in applied.replies.iter().enumerate() {
                let (m, ev) = append(
                    conn,
                    // The first reply replaces what was streamed (the answer, or the
                    // fallback when the stream broke).
                    streamed.filter(|_| i == 0),
                    ws_id,
                    conv_id,
                    Sender::Assistant,
                    Some(r),
                    &r.body,
                    ticket_id,
                    None,
                )
                .await?;
                applied.publish.push(ev);
                stored.push(m);
            }
            // The message's language becomes the conversation's, with the flow.
            conversations::save_flow(conn, ws_id, conv_id, &applied.state.to_json(), detected)
                .await?;
            if applied.ticket.is_some() {
                // A ticket was opened or written into: a human is expected now.
                live_store::visitor_waits(conn, ws_id, conv_id, chrono::Utc::now()).await?;
            }
            // The answer, stored with the key in this transaction: a retry gets it.
            let mut all = vec![first.clone()];
            all.extend(stored.iter().cloned());
            complete_key(conn, key_of, &all, applied.ticket).await?;
            Ok(Changed {
                value: (stored, applied.ticket),
                publish: applied.publish,
            })
        })
        .await?;
    // Give the connection back before announcing the change.
    drop(conn);

    // 4. Announce after the commit.
    state.publish_all(publish).await;
    let (stored, ticket) = value;
    let mut messages = vec![visitor_message];
    messages.extend(stored);
    Ok(TurnResult { messages, ticket })
}

/// The engine's outcome while its effects are applied.
struct Applied {
    state: FlowState,
    replies: Vec<Reply>,
    /// Still to apply, last first.
    effects: Vec<Effect>,
    ticket: Option<(Uuid, i64)>,
    publish: Vec<BusEvent>,
}

impl Applied {
    fn new(outcome: Outcome) -> Self {
        let mut effects = outcome.effects;
        effects.reverse();
        Applied {
            state: outcome.state,
            replies: outcome.replies,
            effects,
            ticket: None,
            publish: vec![],
        }
    }

    /// Adopts what the flow said instead (a later step of the same message).
    fn follow(&mut self, outcome: Outcome) {
        self.state = outcome.state;
        self.replies.extend(outcome.replies);
        self.effects.extend(outcome.effects.into_iter().rev());
    }

    fn note_ticket(&mut self, ticket_id: Uuid) {
        if let FlowState::TicketOpen { number, .. } = self.state {
            self.ticket = Some((ticket_id, number));
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn apply(
        &mut self,
        conn: &mut Conn,
        config: &crate::config::Config,
        ws: &Workspace,
        (visitor_id, conv_id): (Uuid, Uuid),
        turn: &Turn,
        ticket_language: &str,
        effect: Effect,
    ) -> ApiResult<()> {
        let lang = turn.language.reply;
        match effect {
            Effect::CreateTicket {
                email,
                category,
                request,
                save_email,
                summary: model_summary,
            } => {
                let transcript = conversations::messages(conn, ws.id, conv_id, TRANSCRIPT).await?;
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
                let request = if request.trim().is_empty() {
                    turn.message.clone()
                } else {
                    request
                };
                let language = locale::english_name(ticket_language).unwrap_or("unknown");
                let (builtin_summary, description) = summary::summarise(
                    &request,
                    &lines,
                    summary::Context {
                        category: Some(category),
                        topic: crate::domain::intent::classify(&request).topic,
                        language: Some(language),
                    },
                );
                let input = NewTicketInput {
                    visitor_email: email.to_string(),
                    summary: summary::truncate_chars(
                        &model_summary.unwrap_or(builtin_summary),
                        SUMMARY_MAX,
                    ),
                    description: summary::truncate_chars(&description, DESCRIPTION_MAX),
                    category,
                    source: TicketSource::Ai,
                    conversation_id: Some(conv_id),
                    language: Some(ticket_language.to_string()),
                };
                match tickets::create_in(conn, config, ws, input, &Actor::assistant()).await? {
                    Ok(created) => {
                        if save_email {
                            conversations::set_visitor_email(
                                conn,
                                ws.id,
                                visitor_id,
                                email.as_str(),
                            )
                            .await?;
                        }
                        let tickets::Created { id, number, .. } = created.value;
                        self.publish.extend(created.publish);
                        let done = handoff::ticket_created(id, number, &email, lang);
                        self.state = done.state;
                        self.replies.extend(done.replies);
                        self.ticket = Some((id, number));
                    }
                    // Another message of this conversation opened a ticket meanwhile: this
                    // one goes where the flow sends messages to an open ticket.
                    Err(open) => {
                        if let Some(next) = handoff::with_ticket(open.0, lang) {
                            self.follow(next);
                        }
                    }
                }
            }
            Effect::AddToTicket { ticket_id } => {
                tickets::touch_in(conn, ws.id, ticket_id).await?;
                self.note_ticket(ticket_id);
            }
            Effect::ReopenTicket { ticket_id } => {
                if let Some(reopened) =
                    tickets::reopen_on_visitor_message_in(conn, ws.id, conv_id).await?
                {
                    self.publish.extend(reopened.publish);
                }
                self.note_ticket(ticket_id);
            }
        }
        Ok(())
    }
}
