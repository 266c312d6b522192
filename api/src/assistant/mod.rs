//! The assistant engines behind one interface: `builtin` (knowledge-base retrieval,
//! intent rules and the deterministic ticket flow; fully offline) and `openai` (any
//! OpenAI-compatible chat-completions endpoint, with a `create_ticket` tool).
//!
//! An engine gets a `Turn` (everything it may know about the conversation, gathered by
//! `services::visitor_turn`) and returns a `handoff::Outcome`: the replies, the
//! next flow state and the effects (such as creating a ticket) that the caller performs
//! in the database. Engines never touch the database themselves.

pub mod builtin;
pub mod embed;
pub mod knowledge;
pub mod language;
pub mod openai;
pub mod retrieval;

use std::future::Future;
use std::pin::Pin;

use crate::domain::email::Email;
use crate::domain::enums::Sender;
use crate::domain::handoff::{FlowState, Outcome};
use crate::domain::tickets::TicketRef;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One earlier message of the conversation.
#[derive(Debug, Clone)]
pub struct HistoryLine {
    pub sender: Sender,
    pub author_name: Option<String>,
    pub body: String,
}

/// A knowledge-base article found for the visitor's message.
#[derive(Debug, Clone)]
pub struct ArticleText {
    pub title: String,
    pub body: String,
    /// Where the article lives on the website.
    pub url: Option<String>,
}

/// What an engine knows when the visitor writes.
#[derive(Debug, Clone)]
pub struct Turn {
    pub workspace_name: String,
    /// The workspace's AI Instructions.
    pub instructions: String,
    /// Tickets enabled and allowed by the plan.
    pub tickets_enabled: bool,
    pub flow: FlowState,
    /// The conversation's latest ticket.
    pub ticket: Option<TicketRef>,
    pub known_email: Option<Email>,
    /// The visitor's new message (empty when it is only files).
    pub message: String,
    /// The names of the files sent with it.
    pub files: Vec<String>,
    /// Earlier messages, oldest first (without the new one).
    pub history: Vec<HistoryLine>,
    /// Best-ranked knowledge-base articles for the message (at most a few): lexical
    /// retrieval (`EMBEDDINGS=off`, or when embedding the message failed).
    pub articles: Vec<ArticleText>,
    /// Semantic retrieval ran: `passages` and `intent` are its findings.
    pub semantic: bool,
    /// Best passages of the hybrid search, best first.
    pub passages: Vec<knowledge::PassageHit>,
    /// The semantic intent classifier's view of the message.
    pub intent: Option<knowledge::SemanticIntent>,
    pub language: TurnLanguage,
}

/// The language of the visitor's message and of the reply.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TurnLanguage {
    /// The message's language (ISO 639-1), when it could be told (`language::detect`).
    pub detected: Option<&'static str>,
    /// The language of the assistant's reply (`locale::reply_language`).
    pub reply: crate::domain::locale::Lang,
}

impl TurnLanguage {
    /// The message is in a language other than English (the engine's knowledge base and
    /// model are English).
    pub fn foreign(&self) -> bool {
        self.detected.is_some_and(|code| code != "en")
    }
}

/// What a turn cost at the provider: completions requested and the tokens they used (the
/// provider's `usage.total_tokens`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub calls: u32,
    pub tokens: u64,
}

/// An engine's answer to a turn, with what it cost.
#[derive(Debug, Clone)]
pub struct Answer {
    pub outcome: Outcome,
    pub usage: Usage,
}

/// Where a streaming engine sends its reply's text while the model writes it (the caller
/// forwards the pieces to the widget as `message.delta`). Dropped when the answer is done.
pub type Deltas = tokio::sync::mpsc::UnboundedSender<String>;

/// An assistant engine.
pub trait Assistant: Send + Sync {
    fn provider(&self) -> &'static str;
    fn respond<'a>(&'a self, turn: &'a Turn) -> BoxFuture<'a, Outcome>;

    /// Whether the engine costs money per turn, so that the workspaces' daily AI budgets
    /// apply (`services::ai_budget`).
    fn metered(&self) -> bool {
        false
    }

    /// The answer with its cost; engines that cost nothing answer at no cost.
    fn answer<'a>(&'a self, turn: &'a Turn) -> BoxFuture<'a, Answer> {
        Box::pin(async move {
            Answer {
                outcome: self.respond(turn).await,
                usage: Usage::default(),
            }
        })
    }

    /// The answer, its text sent to `deltas` piece by piece as it is written. Engines that
    /// answer at once (builtin) send nothing: the reply comes whole.
    fn answer_streaming<'a>(&'a self, turn: &'a Turn, deltas: Deltas) -> BoxFuture<'a, Answer> {
        drop(deltas);
        self.answer(turn)
    }
}
