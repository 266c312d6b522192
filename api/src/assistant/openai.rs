//! The `openai` engine: chat completions against any OpenAI-compatible endpoint
//! (OpenAI, Azure, Ollama, vLLM, llama.cpp server) with a `create_ticket` tool.
//!
//! - System prompt = product policy + the workspace's AI Instructions + top articles.
//! - The server validates every `create_ticket` call: a bad email goes back to the model
//!   as a tool error (the model then asks the visitor again); a valid call becomes a
//!   `CreateTicket` effect, and the visitor gets the builtin confirmation with the number.
//! - `AI_TIMEOUT_MS` bounds the whole turn (every tool round and the retry), with at most
//!   one retry per visitor message (the client's own retry layer is replaced by a plain
//!   transport so that the bound holds).
//! - When the provider fails anyway, the failure is logged and counted
//!   (`assistant_failures_total{provider="openai"}`), and the visitor gets a polite
//!   fallback that offers a ticket through the builtin flow.
//! - A circuit breaker (per process, for all workspaces): after `AI_BREAKER_FAILURES`
//!   failed turns in a row the provider is not called for `AI_BREAKER_COOLDOWN_SECS`;
//!   visitors get the fallback at once (`reason="breaker_open"`); then one turn tries the
//!   provider again, and a success closes the breaker.
//! - History goes to the model newest first up to `HISTORY_CHARS` characters (and at most
//!   `HISTORY_LIMIT` messages), so a long conversation can't make every call huge.
//! - The tokens each turn used (`usage.total_tokens`) come back with the answer, for the
//!   workspace's daily budget (`services::ai_budget`) and `assistant_tokens_total`.
//! - While a ticket is open, or the builtin flow is collecting an email, the builtin
//!   flow answers: the model is not asked to talk over the team.
//! - Streaming: the completion is requested with `stream: true`; the text reaches the
//!   widget piece by piece as the model writes it (`Deltas`, citation markers removed on
//!   the way). A stream that breaks after text was sent is not retried (the visitor saw
//!   it): the turn fails and the fallback offer replaces it. A server that answers with
//!   one JSON completion instead is understood too.

use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_openai::types::chat::{
    ChatCompletionMessageToolCall, ChatCompletionMessageToolCalls,
    ChatCompletionRequestAssistantMessage, ChatCompletionRequestAssistantMessageContent,
    ChatCompletionRequestMessage, ChatCompletionRequestSystemMessage,
    ChatCompletionRequestToolMessage, ChatCompletionRequestUserMessage, ChatCompletionTool,
    ChatCompletionTools, CreateChatCompletionRequest, CreateChatCompletionResponse, FunctionCall,
    FunctionObject,
};
use futures_util::StreamExt;
use serde::Deserialize;

use crate::assistant::builtin::Builtin;
use crate::assistant::{Answer, Assistant, BoxFuture, Deltas, Turn, Usage};
use crate::config::Config;
use crate::domain::email::Email;
use crate::domain::enums::{Sender, TicketCategory, TicketStatus};
use crate::domain::handoff::{self, Action, Effect, FlowState, Outcome, Reply, SourceRef};
use crate::domain::locale::english_name;
use crate::metrics::Metrics;

/// Earlier messages sent to the model (the most recent ones).
const HISTORY_LIMIT: usize = 30;
/// Characters of earlier messages sent to the model, newest first.
const HISTORY_CHARS: usize = 8_000;
/// Provider retries per visitor message (over all tool rounds).
const RETRIES: u32 = 1;
/// Tool round trips per visitor message before giving up.
const MAX_ROUNDS: usize = 3;
/// Characters of each article put into the prompt.
const ARTICLE_CHARS: usize = 2_000;

pub struct OpenAi {
    http: reqwest::Client,
    /// `OPENAI_BASE_URL` without its trailing slash (`…/v1`).
    base_url: String,
    api_key: Option<String>,
    model: String,
    timeout: Duration,
    metrics: Arc<Metrics>,
    breaker: Breaker,
}

/// Stops calling a failing provider for a while: `failures` failed turns in a row open it
/// for `cooldown`; after that one turn tries again (half-open), and its outcome closes or
/// re-opens it.
pub struct Breaker {
    failures: u32,
    cooldown: Duration,
    state: Mutex<BreakerState>,
}

#[derive(Debug, Default)]
struct BreakerState {
    consecutive: u32,
    open_until: Option<Instant>,
}

impl Breaker {
    pub fn new(failures: u32, cooldown: Duration) -> Self {
        Breaker {
            failures: failures.max(1),
            cooldown,
            state: Mutex::new(BreakerState::default()),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut BreakerState) -> T) -> T {
        match self.state.lock() {
            Ok(mut s) => f(&mut s),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }

    /// Whether the provider may be called now. After the cool-down one caller gets
    /// through (the trial) and the breaker stays open for the others until it reports.
    pub fn allow(&self, now: Instant) -> bool {
        self.with(|s| match s.open_until {
            Some(until) if now < until => false,
            Some(_) => {
                // Half-open: this call is the trial; the others wait another cool-down.
                s.open_until = Some(now + self.cooldown);
                true
            }
            None => true,
        })
    }

    pub fn success(&self) {
        self.with(|s| *s = BreakerState::default());
    }

    /// A failed turn; `true` when it opened the breaker.
    pub fn failure(&self, now: Instant) -> bool {
        self.with(|s| {
            s.consecutive = s.consecutive.saturating_add(1);
            if s.consecutive < self.failures {
                return false;
            }
            let was_open = s.open_until.is_some();
            s.open_until = Some(now + self.cooldown);
            !was_open
        })
    }
}

/// Why a conversation with the provider failed (the label on the failure counter).
#[derive(Debug)]
enum Failure {
    Timeout,
    Provider(String),
    BadResponse(String),
}

impl Failure {
    fn reason(&self) -> &'static str {
        match self {
            Failure::Timeout => "timeout",
            Failure::Provider(_) => "provider_error",
            Failure::BadResponse(_) => "bad_response",
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Timeout => f.write_str("timed out"),
            Failure::Provider(e) => write!(f, "provider error: {e}"),
            Failure::BadResponse(e) => write!(f, "unusable response: {e}"),
        }
    }
}

#[derive(Debug, Deserialize)]
struct CreateTicketArgs {
    #[serde(default)]
    email: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    category: String,
}

impl OpenAi {
    pub fn new(config: &Config, metrics: Arc<Metrics>) -> anyhow::Result<Self> {
        // A plain transport: retries are ours (at most one), inside our timeout.
        let http = reqwest::Client::builder().build()?;
        Ok(OpenAi {
            http,
            base_url: config.openai_base_url.trim_end_matches('/').to_string(),
            api_key: config.openai_api_key.clone(),
            model: config.openai_model.clone(),
            timeout: config.ai_timeout,
            metrics,
            breaker: Breaker::new(config.ai_breaker_failures, config.ai_breaker_cooldown),
        })
    }

    async fn respond_inner(&self, turn: &Turn, deltas: Option<&Deltas>) -> Answer {
        // The builtin flow keeps control while a ticket is open (brief acknowledgements)
        // or while it is collecting an email after a fallback offer.
        let ticket_active = turn
            .ticket
            .is_some_and(|t| t.status.is_open() || t.status == TicketStatus::Resolved);
        if ticket_active
            || matches!(
                turn.flow,
                FlowState::Offered { .. } | FlowState::AwaitingEmail { .. }
            )
        {
            return Answer {
                outcome: Builtin::respond_now(turn),
                usage: Usage::default(),
            };
        }
        if !self.breaker.allow(Instant::now()) {
            self.metrics
                .assistant_failures
                .with_label_values(&["openai", "breaker_open"])
                .inc();
            return Answer {
                outcome: handoff::offer_after_failure(&Builtin::input(turn)),
                usage: Usage::default(),
            };
        }
        let mut usage = Usage::default();
        let outcome = match self.converse(turn, &mut usage, deltas).await {
            Ok(outcome) => {
                self.breaker.success();
                outcome
            }
            Err(failure) => {
                tracing::warn!(error = %failure, "openai assistant failed; falling back to a ticket offer");
                self.metrics
                    .assistant_failures
                    .with_label_values(&["openai", failure.reason()])
                    .inc();
                if self.breaker.failure(Instant::now()) {
                    tracing::error!(
                        cooldown = ?self.breaker.cooldown,
                        "the assistant provider failed {} turns in a row; not calling it for the cool-down",
                        self.breaker.failures
                    );
                }
                handoff::offer_after_failure(&Builtin::input(turn))
            }
        };
        self.metrics
            .assistant_tokens
            .with_label_values(&["openai"])
            .inc_by(usage.tokens);
        Answer { outcome, usage }
    }

    async fn converse(
        &self,
        turn: &Turn,
        usage: &mut Usage,
        deltas: Option<&Deltas>,
    ) -> Result<Outcome, Failure> {
        // One deadline for the whole turn: the visitor hears back within AI_TIMEOUT_MS.
        let deadline = Instant::now() + self.timeout;
        let mut retries = RETRIES;
        let mut messages = vec![ChatCompletionRequestMessage::from(
            ChatCompletionRequestSystemMessage::from(system_prompt(turn)),
        )];
        for line in recent_history(&turn.history) {
            if let Some(m) = history_message(line) {
                messages.push(m);
            }
        }
        messages.push(ChatCompletionRequestUserMessage::from(turn.message.as_str()).into());
        let tools = turn.tickets_enabled.then(|| vec![create_ticket_tool()]);

        for _ in 0..MAX_ROUNDS {
            let request = CreateChatCompletionRequest {
                model: self.model.clone(),
                messages: messages.clone(),
                tools: tools.clone(),
                ..Default::default()
            };
            let message = self
                .call(request, deadline, &mut retries, usage, deltas)
                .await?;
            let calls = message.tool_calls;
            if calls.is_empty() {
                let text = message.content.unwrap_or_default().trim().to_string();
                if text.is_empty() {
                    return Err(Failure::BadResponse("empty answer".into()));
                }
                let asks_email = turn.tickets_enabled
                    && turn.known_email.is_none()
                    && text.to_lowercase().contains("email")
                    && text.contains('?');
                let (body, sources) = cited(turn, &text);
                return Ok(Outcome {
                    state: FlowState::Idle,
                    replies: vec![Reply {
                        body,
                        action: asks_email.then_some(Action::RequestEmail),
                        sources,
                    }],
                    effects: vec![],
                });
            }

            messages.push(
                ChatCompletionRequestAssistantMessage {
                    content: message
                        .content
                        .map(ChatCompletionRequestAssistantMessageContent::from),
                    tool_calls: Some(
                        calls
                            .iter()
                            .cloned()
                            .map(ChatCompletionMessageToolCalls::Function)
                            .collect(),
                    ),
                    ..Default::default()
                }
                .into(),
            );
            for call in &calls {
                match validate_call(turn, call) {
                    Ok(effect) => {
                        return Ok(Outcome {
                            state: FlowState::Idle,
                            replies: vec![],
                            effects: vec![effect],
                        });
                    }
                    Err(tool_error) => messages.push(
                        ChatCompletionRequestToolMessage {
                            content: tool_error.into(),
                            tool_call_id: call.id.clone(),
                        }
                        .into(),
                    ),
                }
            }
        }
        Err(Failure::BadResponse("too many tool calls".into()))
    }

    /// One completion before `deadline`, retried on a provider failure while `retries`
    /// (shared by the turn's rounds) and time are left, unless text of it already reached
    /// the visitor. Counts calls and tokens into `usage`.
    async fn call(
        &self,
        request: CreateChatCompletionRequest,
        deadline: Instant,
        retries: &mut u32,
        usage: &mut Usage,
        deltas: Option<&Deltas>,
    ) -> Result<Completion, Failure> {
        loop {
            if Instant::now() >= deadline {
                return Err(Failure::Timeout);
            }
            usage.calls += 1;
            let mut streamed = false;
            let failure = match tokio::time::timeout_at(
                deadline.into(),
                self.complete(&request, usage, deltas, &mut streamed),
            )
            .await
            {
                Ok(Ok(completion)) => return Ok(completion),
                Ok(Err(failure @ Failure::Provider(_))) => failure,
                Ok(Err(failure)) => return Err(failure),
                Err(_) => return Err(Failure::Timeout),
            };
            if *retries == 0 || streamed {
                return Err(failure);
            }
            *retries -= 1;
            tracing::info!(error = %failure, "retrying the assistant provider once");
        }
    }

    /// One completion request, streamed: the text goes to `deltas` as it comes (`streamed`
    /// turns true with the first piece sent).
    async fn complete(
        &self,
        request: &CreateChatCompletionRequest,
        usage: &mut Usage,
        deltas: Option<&Deltas>,
        streamed: &mut bool,
    ) -> Result<Completion, Failure> {
        let mut body = serde_json::to_value(request)
            .map_err(|e| Failure::BadResponse(format!("the request did not serialise: {e}")))?;
        body["stream"] = serde_json::Value::Bool(true);
        body["stream_options"] = serde_json::json!({"include_usage": true});
        let mut req = self
            .http
            .post(format!("{}/chat/completions", self.base_url))
            .json(&body);
        if let Some(key) = &self.api_key {
            req = req.bearer_auth(key);
        }
        let response = req
            .send()
            .await
            .map_err(|e| Failure::Provider(e.to_string()))?;
        let status = response.status();
        if !status.is_success() {
            let text = response.text().await.unwrap_or_default();
            let text: String = text.chars().take(300).collect();
            return Err(Failure::Provider(format!("{status}: {text}")));
        }
        let event_stream = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().starts_with("text/event-stream"));
        if !event_stream {
            // The server ignored `stream`: one JSON completion.
            let bytes = response
                .bytes()
                .await
                .map_err(|e| Failure::Provider(e.to_string()))?;
            let r: CreateChatCompletionResponse = serde_json::from_slice(&bytes)
                .map_err(|e| Failure::Provider(format!("not a chat completion: {e}")))?;
            if let Some(u) = &r.usage {
                usage.tokens += u64::from(u.total_tokens);
            }
            let message = r
                .choices
                .into_iter()
                .next()
                .map(|c| c.message)
                .ok_or_else(|| Failure::BadResponse("no choices".into()))?;
            return Ok(Completion {
                content: message.content,
                tool_calls: message
                    .tool_calls
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|c| match c {
                        ChatCompletionMessageToolCalls::Function(f) => Some(f),
                        ChatCompletionMessageToolCalls::Custom(_) => None,
                    })
                    .collect(),
            });
        }
        let mut chunks = response.bytes_stream();
        let mut events = SseSplitter::default();
        let mut acc = Accumulated::default();
        let mut uncite = Uncite::default();
        let send = |text: String, streamed: &mut bool| {
            if let Some(tx) = deltas
                && !text.is_empty()
                && tx.send(text).is_ok()
            {
                *streamed = true;
            }
        };
        let mut done = false;
        'read: while let Some(bytes) = chunks.next().await {
            let bytes = bytes.map_err(|e| Failure::Provider(format!("the stream broke: {e}")))?;
            for data in events.push(&bytes) {
                if data.trim() == "[DONE]" {
                    done = true;
                    break 'read;
                }
                let chunk: StreamChunk = serde_json::from_str(&data).map_err(|e| {
                    Failure::BadResponse(format!("a stream chunk is not a completion chunk: {e}"))
                })?;
                if let Some(error) = chunk.error {
                    return Err(Failure::Provider(error.to_string()));
                }
                if let Some(u) = chunk.usage {
                    usage.tokens += u.total_tokens;
                }
                for choice in chunk.choices.into_iter().filter(|c| c.index == 0) {
                    if let Some(text) = choice.delta.content {
                        acc.content.push_str(&text);
                        acc.saw_content = true;
                        send(uncite.push(&text), streamed);
                    }
                    for call in choice.delta.tool_calls.unwrap_or_default() {
                        acc.tool_call(call);
                    }
                    if choice.finish_reason.is_some() {
                        acc.finished = true;
                    }
                }
            }
        }
        if !done && !acc.finished {
            return Err(Failure::Provider(
                "the stream ended before the answer was complete".into(),
            ));
        }
        send(uncite.finish(), streamed);
        Ok(acc.into_completion())
    }
}

/// What one completion said.
#[derive(Debug, Default)]
struct Completion {
    content: Option<String>,
    tool_calls: Vec<ChatCompletionMessageToolCall>,
}

/// A streamed completion as its chunks add up.
#[derive(Debug, Default)]
struct Accumulated {
    content: String,
    saw_content: bool,
    calls: Vec<(String, String, String)>,
    finished: bool,
}

impl Accumulated {
    fn tool_call(&mut self, call: ToolCallDelta) {
        let i = call.index.min(16);
        while self.calls.len() <= i {
            self.calls.push(Default::default());
        }
        let slot = &mut self.calls[i];
        if let Some(id) = call.id {
            slot.0.push_str(&id);
        }
        if let Some(f) = call.function {
            if let Some(name) = f.name {
                slot.1.push_str(&name);
            }
            if let Some(args) = f.arguments {
                slot.2.push_str(&args);
            }
        }
    }

    fn into_completion(self) -> Completion {
        Completion {
            content: self.saw_content.then_some(self.content),
            tool_calls: self
                .calls
                .into_iter()
                .filter(|(_, name, _)| !name.is_empty())
                .map(|(id, name, arguments)| ChatCompletionMessageToolCall {
                    id,
                    function: FunctionCall { name, arguments },
                })
                .collect(),
        }
    }
}

/// One `data:` chunk of a streamed completion (only what is used; lenient, since
/// OpenAI-compatible servers differ in what else they send).
#[derive(Debug, Deserialize)]
struct StreamChunk {
    #[serde(default)]
    choices: Vec<StreamChoice>,
    #[serde(default)]
    usage: Option<StreamUsage>,
    #[serde(default)]
    error: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct StreamChoice {
    #[serde(default)]
    index: u32,
    #[serde(default)]
    delta: StreamDelta,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct StreamDelta {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    tool_calls: Option<Vec<ToolCallDelta>>,
}

#[derive(Debug, Deserialize)]
struct ToolCallDelta {
    #[serde(default)]
    index: usize,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    function: Option<FunctionDelta>,
}

#[derive(Debug, Deserialize)]
struct FunctionDelta {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    arguments: Option<String>,
}

#[derive(Debug, Deserialize)]
struct StreamUsage {
    #[serde(default)]
    total_tokens: u64,
}

/// Splits a server-sent event stream into the `data` of its events, across reads.
#[derive(Debug, Default)]
struct SseSplitter {
    buf: Vec<u8>,
}

impl SseSplitter {
    /// The data of every event `bytes` completed (events without data are skipped).
    fn push(&mut self, bytes: &[u8]) -> Vec<String> {
        self.buf.extend_from_slice(bytes);
        let mut out = Vec::new();
        while let Some((end, sep)) = (0..self.buf.len()).find_map(|i| {
            let rest = &self.buf[i..];
            if rest.starts_with(b"\r\n\r\n") {
                Some((i, 4))
            } else if rest.starts_with(b"\n\n") || rest.starts_with(b"\r\r") {
                Some((i, 2))
            } else {
                None
            }
        }) {
            let event: Vec<u8> = self.buf.drain(..end + sep).collect();
            let text = String::from_utf8_lossy(&event[..end]);
            let data: Vec<&str> = text
                .lines()
                .filter_map(|l| l.strip_prefix("data:"))
                .map(|d| d.strip_prefix(' ').unwrap_or(d))
                .collect();
            if !data.is_empty() {
                out.push(data.join("\n"));
            }
        }
        out
    }
}

fn marker() -> &'static regex::Regex {
    static MARKER: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        #[allow(clippy::expect_used)]
        regex::Regex::new(r"\s?\[(\d{1,2})\]").expect("citation regex")
    });
    &MARKER
}

/// Takes the `[n]` citation markers out of streamed text: what could be the start of a
/// marker (a space, `[`, `[1`) is held back until the next piece tells.
#[derive(Debug, Default)]
struct Uncite {
    held: String,
}

impl Uncite {
    fn push(&mut self, piece: &str) -> String {
        static TAIL: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
            #[allow(clippy::expect_used)]
            regex::Regex::new(r"(\s|\s?\[\d{0,2})$").expect("marker tail regex")
        });
        self.held.push_str(piece);
        let clean = marker().replace_all(&self.held, "").into_owned();
        let cut = TAIL.find(&clean).map_or(clean.len(), |m| m.start());
        let (out, held) = clean.split_at_checked(cut).unwrap_or((clean.as_str(), ""));
        let out = out.to_string();
        self.held = held.to_string();
        out
    }

    fn finish(&mut self) -> String {
        marker()
            .replace_all(&std::mem::take(&mut self.held), "")
            .into_owned()
    }
}

impl Assistant for OpenAi {
    fn provider(&self) -> &'static str {
        "openai"
    }

    fn respond<'a>(&'a self, turn: &'a Turn) -> BoxFuture<'a, Outcome> {
        Box::pin(async move { self.respond_inner(turn, None).await.outcome })
    }

    fn metered(&self) -> bool {
        true
    }

    fn answer<'a>(&'a self, turn: &'a Turn) -> BoxFuture<'a, Answer> {
        Box::pin(self.respond_inner(turn, None))
    }

    fn answer_streaming<'a>(&'a self, turn: &'a Turn, deltas: Deltas) -> BoxFuture<'a, Answer> {
        Box::pin(async move { self.respond_inner(turn, Some(&deltas)).await })
    }
}

/// The most recent history lines that fit `HISTORY_CHARS` (and `HISTORY_LIMIT`), oldest
/// first. The newest line always goes, clipped by the model's context if need be.
fn recent_history(history: &[crate::assistant::HistoryLine]) -> &[crate::assistant::HistoryLine] {
    let mut chars = 0;
    let mut keep = 0;
    for line in history.iter().rev().take(HISTORY_LIMIT) {
        chars += line.body.chars().count();
        if keep > 0 && chars > HISTORY_CHARS {
            break;
        }
        keep += 1;
    }
    &history[history.len() - keep..]
}

/// The tool call, checked: a valid one becomes the `CreateTicket` effect; anything else
/// is the tool error the model gets back.
fn validate_call(turn: &Turn, call: &ChatCompletionMessageToolCall) -> Result<Effect, String> {
    if call.function.name != "create_ticket" {
        return Err(serde_json::json!({"ok": false, "error": format!("Unknown tool {:?}.", call.function.name)}).to_string());
    }
    let args: CreateTicketArgs = serde_json::from_str(&call.function.arguments).map_err(|e| {
        serde_json::json!({"ok": false, "error": format!("The arguments are not valid JSON ({e}). Call create_ticket with email, summary and category.")})
            .to_string()
    })?;
    let email = Email::parse(&args.email).map_err(|problem| {
        serde_json::json!({
            "ok": false,
            "error": "invalid_email",
            "message": format!(
                "{:?} is not a valid email address ({problem}). Tell the visitor, ask them for a valid email address, and call create_ticket again once they give one.",
                args.email
            ),
        })
        .to_string()
    })?;
    let summary = args
        .summary
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let summary = (!summary.is_empty()).then(|| {
        crate::domain::summary::truncate_chars(&summary, crate::domain::summary::SUMMARY_MAX_CHARS)
    });
    Ok(Effect::CreateTicket {
        save_email: turn.known_email.as_ref() != Some(&email),
        email,
        category: TicketCategory::parse_loose(&args.category).unwrap_or_default(),
        request: turn.message.clone(),
        summary,
    })
}

fn history_message(line: &crate::assistant::HistoryLine) -> Option<ChatCompletionRequestMessage> {
    let body = line.body.trim();
    if body.is_empty() {
        return None;
    }
    Some(match line.sender {
        Sender::Visitor => ChatCompletionRequestUserMessage::from(body).into(),
        Sender::Assistant => ChatCompletionRequestAssistantMessage::from(body).into(),
        Sender::Agent => {
            let who = line.author_name.as_deref().unwrap_or("a team member");
            ChatCompletionRequestAssistantMessage::from(format!(
                "[Reply from {who} of the team] {body}"
            ))
            .into()
        }
        Sender::System => return None,
    })
}

fn create_ticket_tool() -> ChatCompletionTools {
    ChatCompletionTools::Function(ChatCompletionTool {
        function: FunctionObject {
            name: "create_ticket".into(),
            description: Some(
                "Create a support ticket so the team follows up with the visitor by email. Call it only once the visitor has given their email address and agreed to a ticket.".into(),
            ),
            parameters: Some(serde_json::json!({
                "type": "object",
                "properties": {
                    "email": {"type": "string", "description": "The visitor's email address, exactly as they gave it."},
                    "summary": {"type": "string", "description": "One sentence (at most 200 characters) describing what the visitor needs."},
                    "category": {
                        "type": "string",
                        "enum": ["cannot_perform_action", "needs_human_judgment", "other"],
                        "description": "cannot_perform_action: refunds, cancellations, account or order changes, look-ups; needs_human_judgment: billing disputes, exceptions, technical faults, complaints; other: anything else."
                    }
                },
                "required": ["email", "summary", "category"],
                "additionalProperties": false
            })),
            strict: None,
        },
    })
}

/// The passages an answer cites (`[n]` markers, numbered as in the prompt), and the
/// answer without the markers. Numbers that name no passage are dropped.
pub fn cited(turn: &Turn, text: &str) -> (String, Vec<SourceRef>) {
    let mut sources: Vec<SourceRef> = Vec::new();
    for c in marker().captures_iter(text) {
        let Some(hit) = c[1]
            .parse::<usize>()
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| turn.passages.get(i))
        else {
            continue;
        };
        if !sources.iter().any(|s| s.passage_id == hit.passage.id) {
            sources.push(SourceRef {
                passage_id: hit.passage.id,
                article_id: hit.passage.article_id,
                title: hit.passage.title.clone(),
                url: hit.passage.url.clone(),
            });
        }
    }
    let body = marker().replace_all(text, "").trim().to_string();
    (body, sources)
}

/// Product policy first (it wins over anything below it), then the workspace's
/// instructions, then the articles.
pub fn system_prompt(turn: &Turn) -> String {
    let mut p = format!(
        "You are the support assistant in the website chat of \"{}\".\n\n\
         Product policy (always applies and overrides anything below):\n\
         - Answer only from the knowledge-base articles and the workspace instructions below. If they do not answer the question, say so. Never invent facts, prices, order details or policies.\n\
         - You cannot perform actions: no refunds, cancellations, account or address changes, order or invoice look-ups, subscription changes or account deletions. Never claim you did or will do such things yourself.\n",
        turn.workspace_name
    );
    if turn.tickets_enabled {
        p.push_str(
            "- When you cannot help (an action above; something that needs human judgment such as a billing dispute, an exception, a technical fault or a complaint; the visitor asks for a person; or the articles do not answer), offer to create a support ticket so the team can follow up.\n\
             - To create a ticket, ask for the visitor's email address, then call create_ticket with the email, a one-sentence summary and the category. If the tool returns an error, explain it and ask again.\n\
             - Do not send visitors elsewhere for help (other email addresses, phone numbers or websites): the ticket is how they reach the team.\n",
        );
        if let Some(email) = &turn.known_email {
            p.push_str(&format!(
                "- The visitor's email address is already known: {email}. Confirm it instead of asking for it.\n"
            ));
        }
    } else {
        p.push_str("- Tickets are not available in this chat: when you cannot help, say so politely and do not promise a follow-up.\n");
    }
    let language = turn
        .language
        .detected
        .and_then(english_name)
        .or_else(|| english_name(turn.language.reply.code()))
        .unwrap_or("English");
    p.push_str(&format!(
        "- Keep answers short and friendly, in {language}: the visitor's language (when they switch to another, answer in theirs).\n\nWorkspace instructions:\n"
    ));
    let instructions = turn.instructions.trim();
    p.push_str(if instructions.is_empty() {
        "(none)"
    } else {
        instructions
    });
    if turn.semantic {
        p.push_str(
            "\n\nKnowledge-base passages (answer only from these; after each sentence that uses one, cite its number in brackets, like [1]; if none answers, say so and offer a ticket):\n",
        );
        if turn.passages.is_empty() {
            p.push_str("(no matching passages)\n");
        }
        for (i, h) in turn.passages.iter().enumerate() {
            let body: String = h.passage.body.chars().take(ARTICLE_CHARS).collect();
            p.push_str(&format!(
                "[{}] {}: {}\n",
                i + 1,
                h.passage.title,
                body.trim()
            ));
        }
        return p;
    }
    p.push_str("\n\nKnowledge-base articles:\n");
    if turn.articles.is_empty() {
        p.push_str("(no matching articles)\n");
    }
    for a in &turn.articles {
        let body: String = a.body.chars().take(ARTICLE_CHARS).collect();
        p.push_str(&format!("### {}\n{}\n\n", a.title, body.trim()));
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assistant::ArticleText;

    fn turn() -> Turn {
        Turn {
            workspace_name: "Acme".into(),
            instructions: "Be brief.".into(),
            tickets_enabled: true,
            flow: FlowState::Idle,
            ticket: None,
            known_email: None,
            message: "I want a refund".into(),
            files: vec![],
            history: vec![],
            articles: vec![ArticleText {
                title: "Returns".into(),
                body: "30 days.".into(),
                url: None,
            }],
            semantic: false,
            passages: vec![],
            intent: None,
            language: Default::default(),
        }
    }

    #[test]
    fn the_model_is_told_the_visitors_language() {
        use crate::assistant::TurnLanguage;
        use crate::domain::locale::Lang;
        let t = Turn {
            language: TurnLanguage {
                detected: Some("pt"),
                reply: Lang::Pt,
            },
            ..turn()
        };
        assert!(system_prompt(&t).contains("in Portuguese: the visitor's language"));
        // Too short to tell: the reply's language (the conversation's, the browser's).
        let t = Turn {
            language: TurnLanguage {
                detected: None,
                reply: Lang::De,
            },
            ..turn()
        };
        assert!(system_prompt(&t).contains("in German: the visitor's language"));
        // A language the fixed replies don't speak is still the one to answer in.
        let t = Turn {
            language: TurnLanguage {
                detected: Some("it"),
                reply: Lang::En,
            },
            ..turn()
        };
        assert!(system_prompt(&t).contains("in Italian: the visitor's language"));
    }

    #[test]
    fn answers_cite_the_passages_they_used() {
        use crate::assistant::knowledge::{Passage, PassageHit};
        let passage = |title: &str, body: &str| PassageHit {
            passage: std::sync::Arc::new(Passage {
                id: uuid::Uuid::new_v4(),
                article_id: uuid::Uuid::new_v4(),
                position: 0,
                title: title.into(),
                body: body.into(),
                vector: vec![],
                url: None,
            }),
            cosine: 0.5,
            fused: 0.03,
        };
        let t = Turn {
            semantic: true,
            passages: vec![
                passage("Payment methods", "We accept Visa."),
                passage("Shipping", "3-5 days."),
            ],
            ..turn()
        };
        let prompt = system_prompt(&t);
        assert!(
            prompt.contains("[1] Payment methods: We accept Visa."),
            "{prompt}"
        );
        assert!(prompt.contains("[2] Shipping: 3-5 days."));
        let (body, sources) = cited(&t, "We take Visa [1]. Delivery is quick [2][1]. [7]");
        assert_eq!(body, "We take Visa. Delivery is quick.");
        assert_eq!(sources.len(), 2);
        assert_eq!(sources[0].title, "Payment methods");
        assert_eq!(sources[1].title, "Shipping");
    }

    fn call(args: &str) -> ChatCompletionMessageToolCall {
        ChatCompletionMessageToolCall {
            id: "call_1".into(),
            function: async_openai::types::chat::FunctionCall {
                name: "create_ticket".into(),
                arguments: args.into(),
            },
        }
    }

    #[test]
    fn streamed_text_loses_its_citation_markers_whatever_the_pieces() {
        let text = "We accept Visa [1] and PayPal [2]. Delivery [10] takes [x] 3 days [3]";
        let want = "We accept Visa and PayPal. Delivery takes [x] 3 days";
        for size in 1..=7 {
            let mut u = Uncite::default();
            let chars: Vec<char> = text.chars().collect();
            let mut out = String::new();
            for piece in chars.chunks(size) {
                out.push_str(&u.push(&piece.iter().collect::<String>()));
            }
            out.push_str(&u.finish());
            assert_eq!(out, want, "pieces of {size}");
        }
    }

    #[test]
    fn server_sent_events_are_split_across_reads() {
        let mut s = SseSplitter::default();
        assert!(s.push(b"data: {\"a\"").is_empty());
        assert_eq!(
            s.push(b":1}\n\n: comment\n\ndata: x\r\n\r\ndata: [DO"),
            vec!["{\"a\":1}", "x"]
        );
        assert_eq!(s.push(b"NE]\n\n"), vec!["[DONE]"]);
        assert_eq!(s.push(b"data: a\ndata: b\n\n"), vec!["a\nb"]);
    }

    #[test]
    fn streamed_tool_calls_add_up() {
        let mut acc = Accumulated::default();
        let delta = |id: Option<&str>, name: Option<&str>, args: &str| ToolCallDelta {
            index: 0,
            id: id.map(String::from),
            function: Some(FunctionDelta {
                name: name.map(String::from),
                arguments: Some(args.into()),
            }),
        };
        acc.tool_call(delta(Some("call_1"), Some("create_ticket"), "{\"email\":"));
        acc.tool_call(delta(None, None, "\"a@b.co\"}"));
        let c = acc.into_completion();
        assert!(c.content.is_none());
        assert_eq!(c.tool_calls.len(), 1);
        assert_eq!(c.tool_calls[0].id, "call_1");
        assert_eq!(c.tool_calls[0].function.name, "create_ticket");
        assert_eq!(c.tool_calls[0].function.arguments, "{\"email\":\"a@b.co\"}");
    }

    #[test]
    fn prompt_has_policy_then_instructions_then_articles() {
        let p = system_prompt(&turn());
        let policy = p.find("Product policy").unwrap_or(usize::MAX);
        let instr = p.find("Be brief.").unwrap_or(usize::MAX);
        let art = p.find("### Returns").unwrap_or(usize::MAX);
        assert!(policy < instr && instr < art, "{p}");
        assert!(p.contains("create_ticket"));
        let mut t = turn();
        t.tickets_enabled = false;
        assert!(!system_prompt(&t).contains("create_ticket"));
    }

    #[test]
    fn the_breaker_opens_after_failures_in_a_row_and_lets_one_trial_through() {
        let b = Breaker::new(3, Duration::from_secs(30));
        let t0 = Instant::now();
        assert!(b.allow(t0));
        assert!(!b.failure(t0));
        b.success();
        assert!(!b.failure(t0));
        assert!(!b.failure(t0));
        assert!(b.failure(t0), "the third failure in a row opens it");
        assert!(!b.allow(t0 + Duration::from_secs(29)));
        let later = t0 + Duration::from_secs(31);
        assert!(b.allow(later), "one trial after the cool-down");
        assert!(!b.allow(later), "and only one");
        assert!(!b.failure(later), "a failed trial keeps it open");
        assert!(!b.allow(later + Duration::from_secs(29)));
        let trial = later + Duration::from_secs(31);
        assert!(b.allow(trial));
        b.success();
        assert!(b.allow(trial) && b.allow(trial), "closed again");
    }

    #[test]
    fn history_is_trimmed_by_size_newest_first() {
        let line = |n: usize| crate::assistant::HistoryLine {
            sender: Sender::Visitor,
            author_name: None,
            body: "x".repeat(n),
        };
        let history: Vec<_> = (0..10).map(|_| line(3_000)).collect();
        assert_eq!(
            recent_history(&history).len(),
            2,
            "6,000 of 8,000 characters"
        );
        let short: Vec<_> = (0..50).map(|_| line(10)).collect();
        assert_eq!(recent_history(&short).len(), HISTORY_LIMIT);
        let huge = vec![line(100), line(50_000)];
        assert_eq!(
            recent_history(&huge).len(),
            1,
            "the newest line always goes"
        );
        assert!(recent_history(&[]).is_empty());
    }

    #[test]
    fn tool_calls_are_validated() {
        let t = turn();
        let err = validate_call(
            &t,
            &call(
                r#"{"email":"jane@nowhere","summary":"Refund","category":"cannot_perform_action"}"#,
            ),
        );
        assert!(err.is_err_and(|e| e.contains("invalid_email")));
        let ok = validate_call(
            &t,
            &call(
                r#"{"email":"Jane@Example.com","summary":"Refund for order 1","category":"cannot_perform_action"}"#,
            ),
        );
        match ok {
            Ok(Effect::CreateTicket {
                email,
                category,
                summary,
                save_email,
                ..
            }) => {
                assert_eq!(email.as_str(), "jane@example.com");
                assert_eq!(category, TicketCategory::CannotPerformAction);
                assert_eq!(summary.as_deref(), Some("Refund for order 1"));
                assert!(save_email);
            }
            other => panic!("{other:?}"),
        }
        let weird = validate_call(
            &t,
            &call(r#"{"email":"a@b.co","summary":"x","category":"weird"}"#),
        );
        assert!(matches!(
            weird,
            Ok(Effect::CreateTicket {
                category: TicketCategory::Other,
                ..
            })
        ));
        assert!(validate_call(&t, &call("not json")).is_err());
    }
}
