//! The builtin engine: intent rules, knowledge-base retrieval and the deterministic
//! ticket flow. Needs nothing outside the machine.

use crate::assistant::retrieval::best_answer;
use crate::assistant::{Assistant, BoxFuture, Turn};
use crate::domain::email::find_in_text;
use crate::domain::handoff::{self, Input, Outcome};
use crate::domain::intent::classify;

pub struct Builtin;

impl Builtin {
    /// The flow's input for a turn (shared with the openai engine's fallbacks).
    pub fn input(turn: &Turn) -> Input<'_> {
        let classification = classify(&turn.message);
        let answer = best_answer(
            &turn.message,
            turn.articles
                .iter()
                .map(|a| (a.title.as_str(), a.body.as_str())),
        );
        Input {
            text: &turn.message,
            classification,
            email_in_text: find_in_text(&turn.message),
            known_email: turn.known_email.as_ref(),
            tickets_enabled: turn.tickets_enabled,
            ticket: turn.ticket,
            answer,
        }
    }

    pub fn respond_now(turn: &Turn) -> Outcome {
        handoff::step(&turn.flow, &Self::input(turn))
    }
}

impl Assistant for Builtin {
    fn provider(&self) -> &'static str {
        "builtin"
    }

    fn respond<'a>(&'a self, turn: &'a Turn) -> BoxFuture<'a, Outcome> {
        Box::pin(async move { Self::respond_now(turn) })
    }
}
