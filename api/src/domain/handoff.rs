//! The ticket-handoff flow: a small state machine kept on the conversation (the
//! `conversations.flow` jsonb column) and driven by one pure function, `step`.
//!
//! ```text
//!  Idle ──handoff / unanswered──▶ AwaitingEmail ──valid email──▶ (CreateTicket) ──▶ TicketOpen
//!    │  (email known)                 │ invalid → ask again (3 tries)                  │
//!    └──────────────▶ Offered ──yes──▶ (CreateTicket)                                  │
//!          decline ◀──────────────────┘                  ticket closed ──▶ Idle ◀──────┘
//! ```
//!
//! The caller classifies the visitor's message, looks up the best article, the
//! conversation's latest ticket and the visitor's known email, calls `step`, stores the
//! replies, and performs the effects (creating the ticket is the tickets domain's job);
//! after creating a ticket it calls `ticket_created` for the confirmation reply.
//! Nothing here touches HTTP or SQL.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::email::{Email, EmailInText};
use crate::domain::enums::{TicketCategory, TicketStatus};
use crate::domain::intent::{Classification, Intent};
use crate::domain::locale::Lang;
use crate::domain::replies::{self, Text, say, then_anything_else};
use crate::domain::ticket_number::TicketNumber;
use crate::domain::tickets::TicketRef;

/// After this many unusable answers to "what's your email?", the offer lapses.
pub const MAX_EMAIL_ATTEMPTS: u8 = 3;

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum FlowState {
    #[default]
    Idle,
    /// A ticket was offered to a visitor whose email is known; waiting for yes or no.
    Offered {
        request: String,
        category: TicketCategory,
    },
    /// A ticket was offered and the visitor's email asked for.
    AwaitingEmail {
        attempts: u8,
        request: String,
        category: TicketCategory,
    },
    /// The conversation has a ticket the team is working on.
    TicketOpen { ticket_id: Uuid, number: i64 },
}

impl FlowState {
    /// Reads the jsonb column; `{}` (the column default) and anything unreadable are Idle.
    pub fn from_json(value: &serde_json::Value) -> FlowState {
        serde_json::from_value(value.clone()).unwrap_or_default()
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_else(|_| serde_json::json!({}))
    }

    fn pending_request(&self) -> Option<(&str, TicketCategory)> {
        match self {
            FlowState::Offered { request, category }
            | FlowState::AwaitingEmail {
                request, category, ..
            } => Some((request, *category)),
            _ => None,
        }
    }
}

/// The knowledge-base passage an answer was built from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRef {
    pub passage_id: Uuid,
    pub article_id: Uuid,
    pub title: String,
    /// The article's URL, if it has one.
    pub url: Option<String>,
}

/// The best knowledge-base article for the message, when it is good enough to answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub title: String,
    pub excerpt: String,
    /// The indexed passage quoted (semantic retrieval); `None` for lexical answers.
    pub source: Option<SourceRef>,
    /// The article's URL: the answer links it.
    pub url: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Input<'a> {
    pub text: &'a str,
    pub classification: Classification,
    pub email_in_text: EmailInText,
    pub known_email: Option<&'a Email>,
    /// Tickets enabled for the workspace and its plan allows them.
    pub tickets_enabled: bool,
    pub ticket: Option<TicketRef>,
    pub answer: Option<Answer>,
    /// The assistant already acknowledged a message for the ticket since the team last
    /// wrote (see `acknowledged_in_burst`): further details go in without a reply.
    pub acknowledged: bool,
    /// The language of the replies (`locale::reply_language`).
    pub lang: Lang,
}

/// Whether the current burst of visitor messages (since the last agent message) already
/// got an acknowledgement; `history` is `(from_agent, from_assistant, body)`, oldest first.
pub fn acknowledged_in_burst<'a>(
    history: impl DoubleEndedIterator<Item = (bool, bool, &'a str)>,
) -> bool {
    for (from_agent, from_assistant, body) in history.rev() {
        if from_agent {
            return false;
        }
        if from_assistant && replies::added_to_ticket_openings().any(|o| body.starts_with(o)) {
            return true;
        }
    }
    false
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    /// The widget shows an email field under this message.
    RequestEmail,
    /// The message confirms a new ticket: the widget shows the ticket's card under it.
    TicketCreated { ticket_id: Uuid, number: i64 },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub body: String,
    pub action: Option<Action>,
    /// The passages the reply quotes or was built from.
    pub sources: Vec<SourceRef>,
}

impl Reply {
    pub fn text(body: impl Into<String>) -> Reply {
        Reply {
            body: body.into(),
            action: None,
            sources: vec![],
        }
    }
    pub fn asking_email(body: impl Into<String>) -> Reply {
        Reply {
            body: body.into(),
            action: Some(Action::RequestEmail),
            sources: vec![],
        }
    }
    pub fn with_sources(mut self, sources: impl IntoIterator<Item = SourceRef>) -> Reply {
        self.sources.extend(sources);
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Create a ticket (then call `ticket_created`). `save_email` when the address is new
    /// for this visitor and should be stored on it. `summary` is the model's (openai
    /// engine); the builtin engine leaves it to `summary::summarise`.
    CreateTicket {
        email: Email,
        category: TicketCategory,
        request: String,
        save_email: bool,
        summary: Option<String>,
    },
    /// The visitor wrote into the conversation of an open ticket.
    AddToTicket { ticket_id: Uuid },
    /// The visitor wrote into the conversation of a resolved ticket: reopen it.
    ReopenTicket { ticket_id: Uuid },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub state: FlowState,
    pub replies: Vec<Reply>,
    pub effects: Vec<Effect>,
}

impl Outcome {
    fn say(state: FlowState, reply: Reply) -> Outcome {
        Outcome {
            state,
            replies: vec![reply],
            effects: vec![],
        }
    }
}

/// One visitor message through the flow.
pub fn step(state: &FlowState, input: &Input<'_>) -> Outcome {
    if let Some(outcome) = input.ticket.and_then(|t| after_handoff(t, input)) {
        return outcome;
    }

    match state {
        FlowState::Idle | FlowState::TicketOpen { .. } => idle(input),
        FlowState::Offered { request, category } => offered(request, *category, input),
        FlowState::AwaitingEmail {
            attempts,
            request,
            category,
        } => awaiting_email(*attempts, request, *category, input),
    }
}

/// A message in the conversation of a ticket that is open or resolved; `None` when the
/// ticket is closed and the assistant is free again.
///
/// - Small talk gets a short reply: it never reopens a resolved ticket and adds nothing
///   to an open one.
/// - A question the knowledge base answers is answered (the team is not bothered).
/// - Anything else adds detail to the open ticket, acknowledged once per burst (not after
///   every line), or is a new problem that reopens the resolved ticket.
fn after_handoff(ticket: TicketRef, input: &Input<'_>) -> Option<Outcome> {
    let open = ticket.status.is_open();
    if !open && ticket.status != TicketStatus::Resolved {
        return None;
    }
    let state = FlowState::TicketOpen {
        ticket_id: ticket.id,
        number: ticket.number,
    };
    let number = TicketNumber::new(ticket.number).to_string();
    let on_ticket = [("number", number.as_str())];
    let lang = input.lang;
    let c = input.classification;
    let small_talk = match c.intent {
        Intent::Thanks if open => Some(say(lang, Text::YoureWelcomeOnTicket, &on_ticket)),
        Intent::Greeting if open => Some(say(lang, Text::HiAgainOnTicket, &on_ticket)),
        Intent::Greeting => Some(say(lang, Text::HiAgain, &[])),
        Intent::Thanks | Intent::Goodbye | Intent::Affirm | Intent::Decline => {
            small_talk_reply(lang, c.intent)
        }
        _ => None,
    };
    if let Some(text) = small_talk {
        return Some(Outcome::say(state, Reply::text(text)));
    }
    if !c.is_handoff()
        && let Some(a) = &input.answer
    {
        return Some(Outcome::say(
            state,
            Reply::text(answer_text(lang, a)).with_sources(a.source.clone()),
        ));
    }
    if open && input.acknowledged {
        return Some(Outcome {
            state,
            replies: vec![],
            effects: vec![Effect::AddToTicket {
                ticket_id: ticket.id,
            }],
        });
    }
    with_ticket(ticket, lang)
}

/// What the visitor's message means when the conversation's ticket is open (it goes into
/// the ticket: acknowledge) or resolved (it reopens the ticket); `None` when the ticket is
/// closed and the assistant is free again.
pub fn with_ticket(ticket: TicketRef, lang: Lang) -> Option<Outcome> {
    let number = TicketNumber::new(ticket.number).to_string();
    let on_ticket = [("number", number.as_str())];
    let (text, effect) = if ticket.status.is_open() {
        (
            say(lang, Text::AddedToTicket, &on_ticket),
            Effect::AddToTicket {
                ticket_id: ticket.id,
            },
        )
    } else if ticket.status == TicketStatus::Resolved {
        (
            say(lang, Text::Reopened, &on_ticket),
            Effect::ReopenTicket {
                ticket_id: ticket.id,
            },
        )
    } else {
        return None;
    };
    Some(Outcome {
        state: FlowState::TicketOpen {
            ticket_id: ticket.id,
            number: ticket.number,
        },
        replies: vec![Reply::text(text)],
        effects: vec![effect],
    })
}

/// The confirmation after the caller created the ticket asked for by `CreateTicket`.
pub fn ticket_created(ticket_id: Uuid, number: i64, email: &Email, lang: Lang) -> Outcome {
    Outcome::say(
        FlowState::TicketOpen { ticket_id, number },
        Reply {
            body: say(
                lang,
                Text::Created,
                &[
                    ("number", &TicketNumber::new(number).to_string()),
                    ("email", email.as_str()),
                ],
            ),
            action: Some(Action::TicketCreated { ticket_id, number }),
            sources: vec![],
        },
    )
}

/// Whether a classified message should be handed to the team when it is not answered.
fn wants_handoff(input: &Input<'_>) -> bool {
    input.classification.is_handoff()
        || (input.classification.intent == Intent::Question && input.answer.is_none())
}

fn idle(input: &Input<'_>) -> Outcome {
    let c = input.classification;
    if wants_handoff(input) {
        return offer(input, input.text, c.category);
    }
    let lang = input.lang;
    let reply = match c.intent {
        Intent::Greeting => Reply::text(say(lang, Text::Hi, &[])),
        Intent::Thanks | Intent::Goodbye | Intent::Affirm | Intent::Decline => {
            Reply::text(small_talk_reply(lang, c.intent).unwrap_or_default())
        }
        _ => match &input.answer {
            Some(a) => Reply::text(answer_text(lang, a)).with_sources(a.source.clone()),
            None => Reply::text(then_anything_else(
                lang,
                replies::template(lang, Text::NotUnderstood),
            )),
        },
    };
    Outcome::say(FlowState::Idle, reply)
}

/// The reply to thanks, goodbye, yes or no outside an offer.
fn small_talk_reply(lang: Lang, intent: Intent) -> Option<String> {
    let first = match intent {
        Intent::Thanks => Text::YoureWelcome,
        Intent::Goodbye => return Some(say(lang, Text::Goodbye, &[])),
        Intent::Affirm | Intent::Decline => Text::Alright,
        _ => return None,
    };
    Some(then_anything_else(lang, replies::template(lang, first)))
}

fn answer_text(lang: Lang, a: &Answer) -> String {
    let mut text = say(
        lang,
        Text::FromArticle,
        &[("title", &a.title), ("excerpt", &a.excerpt)],
    );
    if let Some(url) = &a.url {
        text.push_str("\n\n");
        text.push_str(&say(lang, Text::ReadArticle, &[("url", url)]));
    }
    text
}

/// Opening words of an offer, by what the visitor needs.
fn lead(input: &Input<'_>) -> String {
    let c = input.classification;
    let lang = input.lang;
    let topic = c.topic.and_then(|t| replies::topic(lang, t));
    let text = match (c.intent, topic) {
        (Intent::CannotPerformAction, Some(topic)) => {
            return say(lang, Text::LeadCannotTopic, &[("topic", topic)]);
        }
        (Intent::NeedsHumanJudgment, Some(topic)) => {
            return say(lang, Text::LeadJudgmentTopic, &[("topic", topic)]);
        }
        (Intent::CannotPerformAction, None) => Text::LeadCannot,
        (Intent::NeedsHumanJudgment, None) => Text::LeadJudgment,
        (Intent::ForeignLanguage, _) => Text::LeadForeignLanguage,
        (Intent::AskForHuman, _) => Text::LeadAskForHuman,
        (Intent::SentFile, _) => Text::LeadSentFile,
        (Intent::NotHelpful, _) => Text::LeadNotHelpful,
        _ => Text::LeadUnanswered,
    };
    replies::template(lang, text).to_string()
}

fn cannot_help(input: &Input<'_>) -> String {
    let c = input.classification;
    let lang = input.lang;
    let first = match (c.intent, c.topic.and_then(|t| replies::topic(lang, t))) {
        (Intent::CannotPerformAction, Some(topic)) => {
            say(lang, Text::CannotTopic, &[("topic", topic)])
        }
        (Intent::Question, _) => say(lang, Text::CannotQuestion, &[]),
        _ => say(lang, Text::CannotOther, &[]),
    };
    then_anything_else(lang, &first)
}

/// When the assistant's provider fails: apologise and offer a ticket for the message
/// through the builtin flow, so nobody is left stuck.
pub fn offer_after_failure(input: &Input<'_>) -> Outcome {
    if !input.tickets_enabled {
        return Outcome::say(
            FlowState::Idle,
            Reply::text(say(input.lang, Text::TroubleRetry, &[])),
        );
    }
    let lead = replies::template(input.lang, Text::TroubleLead);
    offer_with_lead(input, lead, input.text, input.classification.category)
}

fn offer(input: &Input<'_>, request: &str, category: TicketCategory) -> Outcome {
    if !input.tickets_enabled {
        return Outcome::say(FlowState::Idle, Reply::text(cannot_help(input)));
    }
    offer_with_lead(input, &lead(input), request, category)
}

fn offer_with_lead(
    input: &Input<'_>,
    lead: &str,
    request: &str,
    category: TicketCategory,
) -> Outcome {
    let request = request.trim().to_string();
    match input.known_email {
        Some(email) => Outcome::say(
            FlowState::Offered { request, category },
            Reply::text(say(
                input.lang,
                Text::OfferKnownEmail,
                &[("lead", lead), ("email", email.as_str())],
            )),
        ),
        None => Outcome::say(
            FlowState::AwaitingEmail {
                attempts: 0,
                request,
                category,
            },
            Reply::asking_email(say(input.lang, Text::OfferAskEmail, &[("lead", lead)])),
        ),
    }
}

fn create(
    email: Email,
    category: TicketCategory,
    request: &str,
    save_email: bool,
    state: FlowState,
) -> Outcome {
    Outcome {
        state,
        replies: vec![],
        effects: vec![Effect::CreateTicket {
            email,
            category,
            request: request.to_string(),
            save_email,
            summary: None,
        }],
    }
}

fn declined(lang: Lang) -> Outcome {
    Outcome::say(
        FlowState::Idle,
        Reply::text(then_anything_else(
            lang,
            replies::template(lang, Text::Declined),
        )),
    )
}

fn offered(request: &str, category: TicketCategory, input: &Input<'_>) -> Outcome {
    let state = FlowState::Offered {
        request: request.to_string(),
        category,
    };
    if let EmailInText::Valid(email) = &input.email_in_text {
        let new = input.known_email != Some(email);
        return create(email.clone(), category, request, new, state);
    }
    match input.classification.intent {
        Intent::Affirm => match input.known_email {
            Some(email) => create(email.clone(), category, request, false, state),
            None => awaiting_email(0, request, category, input),
        },
        Intent::Decline => declined(input.lang),
        _ => keep_request(&state, idle(input)),
    }
}

/// When the visitor raises something else mid-offer and it leads to a new offer, the
/// ticket keeps the first request as its summary.
fn keep_request(previous: &FlowState, mut outcome: Outcome) -> Outcome {
    if let Some((request, category)) = previous.pending_request() {
        match &mut outcome.state {
            FlowState::Offered {
                request: r,
                category: c,
            }
            | FlowState::AwaitingEmail {
                request: r,
                category: c,
                ..
            } => {
                *r = request.to_string();
                if *c == TicketCategory::Other {
                    *c = category;
                }
            }
            _ => {}
        }
    }
    outcome
}

fn awaiting_email(
    attempts: u8,
    request: &str,
    category: TicketCategory,
    input: &Input<'_>,
) -> Outcome {
    let lang = input.lang;
    let ask = |attempts: u8, text: Text| {
        Outcome::say(
            FlowState::AwaitingEmail {
                attempts,
                request: request.to_string(),
                category,
            },
            Reply::asking_email(say(lang, text, &[])),
        )
    };
    let waiting = |attempts: u8| FlowState::AwaitingEmail {
        attempts,
        request: request.to_string(),
        category,
    };
    match &input.email_in_text {
        EmailInText::Valid(email) => {
            let new = input.known_email != Some(email);
            return create(email.clone(), category, request, new, waiting(attempts));
        }
        EmailInText::Invalid { candidate, problem } => {
            let attempts = attempts.saturating_add(1);
            if attempts >= MAX_EMAIL_ATTEMPTS {
                return give_up(lang);
            }
            return Outcome::say(
                waiting(attempts),
                Reply::asking_email(say(
                    lang,
                    Text::InvalidEmail,
                    &[
                        ("candidate", candidate),
                        ("problem", replies::email_problem(lang, *problem)),
                    ],
                )),
            );
        }
        EmailInText::None => {}
    }
    let c = input.classification;
    match c.intent {
        Intent::Decline | Intent::Goodbye => declined(lang),
        Intent::Affirm => ask(attempts, Text::AskEmailAfterYes),
        Intent::Greeting | Intent::Thanks => ask(attempts, Text::AskEmailAfterSmallTalk),
        _ if c.is_handoff() => ask(attempts, Text::AskEmailAfterDetail),
        _ => match &input.answer {
            Some(a) => Outcome::say(
                waiting(attempts),
                Reply::asking_email(format!(
                    "{}\n\n{}",
                    answer_text(lang, a),
                    replies::template(lang, Text::StillWantTicket)
                ))
                .with_sources(a.source.clone()),
            ),
            None => {
                let attempts = attempts.saturating_add(1);
                if attempts >= MAX_EMAIL_ATTEMPTS {
                    return give_up(lang);
                }
                ask(attempts, Text::AskEmailOrSkip)
            }
        },
    }
}

fn give_up(lang: Lang) -> Outcome {
    Outcome::say(
        FlowState::Idle,
        Reply::text(then_anything_else(
            lang,
            replies::template(lang, Text::GaveUp),
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::email::find_in_text;
    use crate::domain::intent::classify;

    #[derive(Clone)]
    struct Ctx {
        known_email: Option<Email>,
        tickets_enabled: bool,
        ticket: Option<TicketRef>,
        answer: Option<Answer>,
        acknowledged: bool,
        lang: Lang,
    }

    impl Default for Ctx {
        fn default() -> Self {
            Ctx {
                known_email: None,
                tickets_enabled: true,
                ticket: None,
                answer: None,
                acknowledged: false,
                lang: Lang::En,
            }
        }
    }

    #[test]
    fn the_flow_speaks_the_visitors_language() {
        let de = Ctx {
            lang: Lang::De,
            ..Ctx::default()
        };
        let o = run(&FlowState::Idle, "I want a refund", &de);
        assert!(
            o.replies[0]
                .body
                .starts_with("Rückerstattungen veranlassen kann ich hier im Chat leider nicht"),
            "{}",
            o.replies[0].body
        );
        assert!(
            o.replies[0]
                .body
                .ends_with("Wie lautet Ihre E-Mail-Adresse?")
        );
        let o = run(&o.state, "jane@gmail", &de);
        assert!(
            o.replies[0]
                .body
                .contains("eine E-Mail-Adresse braucht ein @-Zeichen")
                || o.replies[0].body.contains("keine gültige Domain"),
            "{}",
            o.replies[0].body
        );
        let o = run(&o.state, "nein danke", &de);
        assert_eq!(o.state, FlowState::Idle);
        assert_eq!(
            o.replies[0].body,
            "Kein Problem, dann eröffne ich kein Ticket. Kann ich Ihnen sonst noch helfen?"
        );
        let pt = Ctx {
            lang: Lang::Pt,
            known_email: Some(email("ana@example.com")),
            ..Ctx::default()
        };
        let o = run(&FlowState::Idle, "talk to a human", &pt);
        assert_eq!(
            o.replies[0].body,
            "Claro, posso passar isso para nossa equipe. Quer que eu abra um ticket? A resposta vai para ana@example.com."
        );
        let yes = run(&o.state, "sim, por favor", &pt);
        assert!(matches!(yes.effects[0], Effect::CreateTicket { .. }));
        let done = ticket_created(Uuid::nil(), 10001, &email("ana@example.com"), Lang::Pt);
        assert!(
            done.replies[0]
                .body
                .starts_with("Pronto! Criei o ticket TKT-10001")
        );
        // A German acknowledgement counts as one, whatever the language now.
        let ack = say(Lang::De, Text::AddedToTicket, &[("number", "TKT-1")]);
        assert!(acknowledged_in_burst(
            [(false, true, ack.as_str())].into_iter()
        ));
    }

    fn run(state: &FlowState, text: &str, ctx: &Ctx) -> Outcome {
        let input = Input {
            text,
            classification: classify(text),
            email_in_text: find_in_text(text),
            known_email: ctx.known_email.as_ref(),
            tickets_enabled: ctx.tickets_enabled,
            ticket: ctx.ticket,
            answer: ctx.answer.clone(),
            acknowledged: ctx.acknowledged,
            lang: ctx.lang,
        };
        step(state, &input)
    }

    fn email(s: &str) -> Email {
        Email::parse(s).unwrap()
    }

    fn article() -> Answer {
        Answer {
            source: None,
            url: None,
            title: "Shipping times".into(),
            excerpt: "Standard shipping takes 3-5 business days.".into(),
        }
    }

    #[test]
    fn refund_request_offers_a_ticket_and_asks_for_the_email() {
        let o = run(&FlowState::Idle, "I want a refund", &Ctx::default());
        assert_eq!(
            o.state,
            FlowState::AwaitingEmail {
                attempts: 0,
                request: "I want a refund".into(),
                category: TicketCategory::CannotPerformAction
            }
        );
        assert_eq!(o.replies.len(), 1);
        assert_eq!(o.replies[0].action, Some(Action::RequestEmail));
        assert!(
            o.replies[0].body.contains("not able to issue refunds"),
            "{}",
            o.replies[0].body
        );
        assert!(o.replies[0].body.contains("email"));
        assert!(o.effects.is_empty());
    }

    #[test]
    fn handoff_beats_an_article_that_loosely_matches() {
        let ctx = Ctx {
            answer: Some(Answer {
                source: None,
                url: None,
                title: "Return policy".into(),
                excerpt: "Refunds within 30 days.".into(),
            }),
            ..Ctx::default()
        };
        let o = run(&FlowState::Idle, "I want a refund", &ctx);
        assert!(matches!(o.state, FlowState::AwaitingEmail { .. }));
        assert!(!o.replies[0].body.contains("Return policy"));
    }

    #[test]
    fn answerable_question_is_answered_naming_the_article() {
        let ctx = Ctx {
            answer: Some(article()),
            ..Ctx::default()
        };
        let o = run(&FlowState::Idle, "How long does shipping take?", &ctx);
        assert_eq!(o.state, FlowState::Idle);
        assert!(o.replies[0].body.contains("\u{201c}Shipping times\u{201d}"));
        assert!(o.replies[0].body.contains("3-5 business days"));
        assert_eq!(o.replies[0].action, None);
    }

    #[test]
    fn unanswerable_question_leads_to_the_offer() {
        let o = run(
            &FlowState::Idle,
            "Are your products vegan?",
            &Ctx::default(),
        );
        assert!(matches!(
            o.state,
            FlowState::AwaitingEmail {
                category: TicketCategory::Other,
                ..
            }
        ));
        assert!(o.replies[0].body.contains("couldn't find an answer"));
    }

    #[test]
    fn each_handoff_case_leads_to_the_offer_with_its_category() {
        for (text, category) in [
            (
                "Please cancel my subscription",
                TicketCategory::CannotPerformAction,
            ),
            (
                "I was charged twice for my order",
                TicketCategory::NeedsHumanJudgment,
            ),
            ("I want to talk to a human", TicketCategory::Other),
            (
                "The app crashes when I pay",
                TicketCategory::NeedsHumanJudgment,
            ),
        ] {
            let o = run(&FlowState::Idle, text, &Ctx::default());
            match o.state {
                FlowState::AwaitingEmail { category: c, .. } => assert_eq!(c, category, "{text}"),
                other => panic!("{text}: {other:?}"),
            }
            assert_eq!(o.replies[0].action, Some(Action::RequestEmail));
        }
    }

    #[test]
    fn small_talk_gets_a_friendly_reply_not_an_offer() {
        for text in ["Hi", "thanks!", "bye"] {
            let o = run(&FlowState::Idle, text, &Ctx::default());
            assert_eq!(o.state, FlowState::Idle, "{text}");
            assert_eq!(o.replies[0].action, None);
            assert!(!o.replies[0].body.contains("ticket"), "{text}");
        }
    }

    #[test]
    fn invalid_email_is_refused_and_asked_again_then_valid_creates() {
        let s0 = run(&FlowState::Idle, "I want a refund", &Ctx::default()).state;
        let o = run(&s0, "jane@gmail", &Ctx::default());
        assert!(matches!(
            o.state,
            FlowState::AwaitingEmail { attempts: 1, .. }
        ));
        assert!(
            o.replies[0]
                .body
                .contains("doesn't look like a valid email"),
            "{}",
            o.replies[0].body
        );
        assert_eq!(o.replies[0].action, Some(Action::RequestEmail));
        assert!(o.effects.is_empty());

        let o = run(&o.state, "sorry: Jane@Gmail.com", &Ctx::default());
        assert!(o.replies.is_empty());
        assert_eq!(
            o.effects,
            vec![Effect::CreateTicket {
                email: email("jane@gmail.com"),
                category: TicketCategory::CannotPerformAction,
                request: "I want a refund".into(),
                save_email: true,
                summary: None,
            }]
        );
        let done = ticket_created(Uuid::nil(), 10001, &email("jane@gmail.com"), Lang::En);
        assert_eq!(
            done.state,
            FlowState::TicketOpen {
                ticket_id: Uuid::nil(),
                number: 10001
            }
        );
        assert!(done.replies[0].body.contains("TKT-10001"));
        assert!(done.replies[0].body.contains("jane@gmail.com"));
        assert_eq!(
            done.replies[0].action,
            Some(Action::TicketCreated {
                ticket_id: Uuid::nil(),
                number: 10001
            })
        );
    }

    #[test]
    fn three_unusable_answers_end_the_offer() {
        let mut s = run(&FlowState::Idle, "I want a refund", &Ctx::default()).state;
        for _ in 0..2 {
            s = run(&s, "not-an-email", &Ctx::default()).state;
            assert!(matches!(s, FlowState::AwaitingEmail { .. }));
        }
        let o = run(&s, "nope@nope", &Ctx::default());
        assert_eq!(o.state, FlowState::Idle);
        assert!(o.replies[0].body.contains("haven't opened a ticket"));
    }

    #[test]
    fn declining_keeps_chatting() {
        let s = run(&FlowState::Idle, "I want a refund", &Ctx::default()).state;
        let o = run(&s, "no thanks", &Ctx::default());
        assert_eq!(o.state, FlowState::Idle);
        assert!(o.effects.is_empty());
        assert!(o.replies[0].body.contains("No problem"));
        // and the next question is answered normally
        let ctx = Ctx {
            answer: Some(article()),
            ..Ctx::default()
        };
        let o = run(&o.state, "How long does shipping take?", &ctx);
        assert!(o.replies[0].body.contains("Shipping times"));
    }

    #[test]
    fn yes_to_the_offer_asks_for_the_email() {
        let s = run(&FlowState::Idle, "I want a refund", &Ctx::default()).state;
        let o = run(&s, "yes please", &Ctx::default());
        assert!(matches!(
            o.state,
            FlowState::AwaitingEmail { attempts: 0, .. }
        ));
        assert_eq!(o.replies[0].action, Some(Action::RequestEmail));
    }

    #[test]
    fn a_question_while_waiting_is_answered_and_the_offer_stands() {
        let s = run(&FlowState::Idle, "I want a refund", &Ctx::default()).state;
        let ctx = Ctx {
            answer: Some(article()),
            ..Ctx::default()
        };
        let o = run(&s, "How long does shipping take?", &ctx);
        assert!(o.replies[0].body.contains("Shipping times"));
        assert_eq!(o.replies[0].action, Some(Action::RequestEmail));
        assert!(
            matches!(o.state, FlowState::AwaitingEmail { ref request, .. } if request == "I want a refund")
        );
    }

    #[test]
    fn known_email_is_confirmed_not_asked() {
        let ctx = Ctx {
            known_email: Some(email("kim@example.com")),
            ..Ctx::default()
        };
        let o = run(&FlowState::Idle, "I need to cancel my order", &ctx);
        assert!(matches!(o.state, FlowState::Offered { .. }));
        assert!(o.replies[0].body.contains("kim@example.com"));
        assert_eq!(o.replies[0].action, None);
        let yes = run(&o.state, "yes", &ctx);
        assert_eq!(
            yes.effects,
            vec![Effect::CreateTicket {
                email: email("kim@example.com"),
                category: TicketCategory::CannotPerformAction,
                request: "I need to cancel my order".into(),
                save_email: false,
                summary: None,
            }]
        );
        let other = run(&o.state, "use kim.work@example.org instead", &ctx);
        assert!(
            matches!(&other.effects[0], Effect::CreateTicket { email: e, save_email: true, .. } if e.as_str() == "kim.work@example.org")
        );
        let no = run(&o.state, "no", &ctx);
        assert_eq!(no.state, FlowState::Idle);
        assert!(no.effects.is_empty());
    }

    #[test]
    fn tickets_disabled_means_no_offer() {
        let ctx = Ctx {
            tickets_enabled: false,
            ..Ctx::default()
        };
        let o = run(&FlowState::Idle, "I want a refund", &ctx);
        assert_eq!(o.state, FlowState::Idle);
        assert_eq!(o.replies[0].action, None);
        assert!(!o.replies[0].body.contains("ticket"));
        assert!(o.replies[0].body.contains("not able to issue refunds"));
        let o = run(&FlowState::Idle, "Are your products vegan?", &ctx);
        assert!(o.replies[0].body.contains("couldn't find an answer"));
        assert!(!o.replies[0].body.contains("ticket"));
    }

    #[test]
    fn with_an_open_ticket_questions_are_answered_and_details_acknowledged_once() {
        let id = Uuid::new_v4();
        for status in [TicketStatus::Open, TicketStatus::InProgress] {
            let ticket = Some(TicketRef {
                id,
                number: 10042,
                status,
            });
            let state = FlowState::TicketOpen {
                ticket_id: id,
                number: 10042,
            };
            // An answerable question is answered; nothing goes to the ticket.
            let ctx = Ctx {
                ticket,
                answer: Some(article()),
                ..Ctx::default()
            };
            let o = run(&state, "How long does shipping take?", &ctx);
            assert!(o.replies[0].body.contains("Shipping times"));
            assert!(o.effects.is_empty());
            assert_eq!(o.state, state);
            // A detail (or a second handoff) goes to the ticket, acknowledged once.
            let ctx = Ctx {
                ticket,
                ..Ctx::default()
            };
            for text in [
                "the order number is 4471",
                "I also want a refund for another order",
            ] {
                let o = run(&state, text, &ctx);
                assert_eq!(o.replies.len(), 1, "{text}");
                assert!(
                    o.replies[0]
                        .body
                        .starts_with("Thanks, I've added this to your ticket")
                );
                assert!(o.replies[0].body.contains("TKT-10042"));
                assert_eq!(o.effects, vec![Effect::AddToTicket { ticket_id: id }]);
                let o = run(
                    &state,
                    text,
                    &Ctx {
                        acknowledged: true,
                        ..ctx.clone()
                    },
                );
                assert!(o.replies.is_empty(), "{text}: {:?}", o.replies);
                assert_eq!(o.effects, vec![Effect::AddToTicket { ticket_id: id }]);
            }
            // Small talk gets a word back and adds nothing.
            let o = run(&state, "thanks!", &ctx);
            assert!(o.effects.is_empty());
            assert!(o.replies[0].body.contains("TKT-10042"));
        }
    }

    #[test]
    fn a_burst_is_acknowledged_once_until_the_team_writes() {
        let ack =
            "Thanks, I've added this to your ticket TKT-1. Our team will reply here.".to_string();
        let h = [
            (false, false, "first detail"),
            (false, true, ack.as_str()),
            (false, false, "second detail"),
        ];
        assert!(acknowledged_in_burst(h.iter().copied()));
        let h = [
            (false, true, ack.as_str()),
            (true, false, "Hi, this is Sam from the team"),
            (false, false, "more detail"),
        ];
        assert!(!acknowledged_in_burst(h.iter().copied()));
        assert!(!acknowledged_in_burst(std::iter::empty()));
    }

    #[test]
    fn small_talk_never_reopens_a_resolved_ticket_a_new_problem_does() {
        let id = Uuid::new_v4();
        let ctx = Ctx {
            ticket: Some(TicketRef {
                id,
                number: 10007,
                status: TicketStatus::Resolved,
            }),
            ..Ctx::default()
        };
        let state = FlowState::TicketOpen {
            ticket_id: id,
            number: 10007,
        };
        for text in ["thanks, bye", "thank you!", "ok", "bye"] {
            let o = run(&state, text, &ctx);
            assert!(o.effects.is_empty(), "{text}: {:?}", o.effects);
            assert!(!o.replies[0].body.contains("reopened"), "{text}");
        }
        let o = run(&state, "it broke again", &ctx);
        assert_eq!(o.effects, vec![Effect::ReopenTicket { ticket_id: id }]);
        assert!(o.replies[0].body.contains("reopened"));
        assert!(o.replies[0].body.contains("TKT-10007"));
    }

    #[test]
    fn after_the_ticket_is_closed_the_assistant_serves_normally() {
        let id = Uuid::new_v4();
        let ctx = Ctx {
            ticket: Some(TicketRef {
                id,
                number: 10007,
                status: TicketStatus::Closed,
            }),
            answer: Some(article()),
            ..Ctx::default()
        };
        let o = run(
            &FlowState::TicketOpen {
                ticket_id: id,
                number: 10007,
            },
            "How long does shipping take?",
            &ctx,
        );
        assert_eq!(o.state, FlowState::Idle);
        assert!(o.replies[0].body.contains("Shipping times"));
        // and a new handoff makes a new offer
        let o = run(
            &o.state,
            "I want a refund",
            &Ctx {
                answer: None,
                ..ctx
            },
        );
        assert!(matches!(o.state, FlowState::AwaitingEmail { .. }));
    }

    #[test]
    fn provider_failure_offers_a_ticket_through_the_builtin_flow() {
        let text = "Can I bring my dog to the store?";
        let input = Input {
            text,
            classification: classify(text),
            email_in_text: find_in_text(text),
            known_email: None,
            tickets_enabled: true,
            ticket: None,
            answer: None,
            acknowledged: false,
            lang: Lang::En,
        };
        let o = offer_after_failure(&input);
        assert!(matches!(&o.state, FlowState::AwaitingEmail { request, .. } if request == text));
        assert!(o.replies[0].body.starts_with("Sorry, I'm having trouble"));
        assert_eq!(o.replies[0].action, Some(Action::RequestEmail));
        let o = offer_after_failure(&Input {
            tickets_enabled: false,
            ..input
        });
        assert_eq!(o.state, FlowState::Idle);
        assert!(!o.replies[0].body.contains("ticket"));
    }

    #[test]
    fn state_round_trips_through_the_jsonb_column() {
        for s in [
            FlowState::Idle,
            FlowState::Offered {
                request: "x".into(),
                category: TicketCategory::Other,
            },
            FlowState::AwaitingEmail {
                attempts: 2,
                request: "I want a refund".into(),
                category: TicketCategory::CannotPerformAction,
            },
            FlowState::TicketOpen {
                ticket_id: Uuid::new_v4(),
                number: 10001,
            },
        ] {
            assert_eq!(FlowState::from_json(&s.to_json()), s);
        }
        assert_eq!(
            FlowState::from_json(&serde_json::json!({})),
            FlowState::Idle
        );
        assert_eq!(
            FlowState::from_json(&serde_json::json!({"state": "martian"})),
            FlowState::Idle
        );
        assert_eq!(
            FlowState::AwaitingEmail {
                attempts: 1,
                request: "r".into(),
                category: TicketCategory::NeedsHumanJudgment
            }
            .to_json(),
            serde_json::json!({"state": "awaiting_email", "attempts": 1, "request": "r", "category": "needs_human_judgment"})
        );
        assert_eq!(
            serde_json::to_value(Action::RequestEmail).unwrap(),
            serde_json::json!({"type": "request_email"})
        );
        assert_eq!(
            serde_json::to_value(Action::TicketCreated {
                ticket_id: Uuid::nil(),
                number: 10001
            })
            .unwrap(),
            serde_json::json!({"type": "ticket_created", "ticket_id": Uuid::nil(), "number": 10001})
        );
    }
}
