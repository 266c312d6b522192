//! The builtin engine: intent rules, knowledge-base retrieval and the deterministic
//! ticket flow. Needs nothing outside the machine.
//!
//! With semantic retrieval (an embedder configured) the flow's input is decided here:
//!
//! 1. the high-precision rules (`domain::intent`) first: a handoff or small talk they
//!    recognise stands;
//! 2. a message in a language the engine cannot understand is offered a ticket;
//! 3. the semantic intent classifier (nearest labelled examples): a clear handoff intent
//!    wins over a loosely matching article;
//! 4. the best passage answers when its similarity clears the calibrated threshold;
//!    otherwise the question goes to the team.
//!
//! Without it (`EMBEDDINGS=off`), the word-coverage rules of `retrieval` decide.

use crate::assistant::knowledge::{Label, PassageHit, SemanticIntent};
use crate::assistant::retrieval::best_answer;
use crate::assistant::{Assistant, BoxFuture, Turn};
use crate::domain::email::find_in_text;
use crate::domain::enums::{Sender, TicketCategory};
use crate::domain::handoff::{self, Answer, Input, Outcome, SourceRef};
use crate::domain::intent::{Classification, Intent, classify, is_self_service_howto};

/// Calibrated on the tuning set (tests/data/assistant-labelled.jsonl) with
/// all-MiniLM-L6-v2; see docs/assistant.md.
pub mod calibration {
    /// The best passage answers from this cosine similarity on.
    pub const ANSWER: f32 = 0.38;
    /// A handoff intent this close to its examples is clear, whatever the articles say.
    pub const CLEAR_HANDOFF: f32 = 0.62;
    /// A handoff intent at least this close, and ahead of "question" by `MARGIN`, wins
    /// over a passage below `STRONG_ANSWER`.
    pub const HANDOFF: f32 = 0.45;
    pub const MARGIN: f32 = 0.10;
    pub const STRONG_ANSWER: f32 = 0.60;
    /// Small talk this close to its examples, and ahead of "question" by
    /// `SMALL_TALK_MARGIN`, is small talk when nothing answers.
    pub const SMALL_TALK: f32 = 0.35;
    pub const SMALL_TALK_MARGIN: f32 = 0.12;
    /// Another passage of the best one's article this close to it (fused score) is
    /// quoted with it.
    pub const SAME_ARTICLE: f32 = 0.10;
}

fn is_small_talk(intent: Intent) -> bool {
    matches!(
        intent,
        Intent::Greeting | Intent::Thanks | Intent::Goodbye | Intent::Affirm | Intent::Decline
    )
}

fn handoff_of(label: Label) -> Option<(Intent, TicketCategory)> {
    match label {
        Label::CannotPerformAction => Some((
            Intent::CannotPerformAction,
            TicketCategory::CannotPerformAction,
        )),
        Label::NeedsHumanJudgment => Some((
            Intent::NeedsHumanJudgment,
            TicketCategory::NeedsHumanJudgment,
        )),
        Label::AskForHuman => Some((Intent::AskForHuman, TicketCategory::Other)),
        _ => None,
    }
}

fn foreign_language() -> Classification {
    Classification {
        intent: Intent::ForeignLanguage,
        category: TicketCategory::Other,
        topic: None,
    }
}

fn small_talk_of(label: Label) -> Option<Intent> {
    match label {
        Label::Greeting => Some(Intent::Greeting),
        Label::Thanks => Some(Intent::Thanks),
        Label::Goodbye => Some(Intent::Goodbye),
        _ => None,
    }
}

/// The answer from the best passage, when it clears the threshold. Another passage of the
/// same article ranked nearly as well is quoted after it ("how much is delivery?": the
/// standard and the express paragraph), in the article's order.
pub fn passage_answer(passages: &[PassageHit]) -> Option<Answer> {
    let hit = passages
        .first()
        .filter(|h| h.cosine >= calibration::ANSWER)?;
    let mut quoted: Vec<&PassageHit> = vec![hit];
    quoted.extend(passages.iter().skip(1).filter(|h| {
        h.passage.article_id == hit.passage.article_id
            && h.fused >= hit.fused - calibration::SAME_ARTICLE
    }));
    quoted.sort_by_key(|h| h.passage.position);
    let excerpt = quoted
        .iter()
        .map(|h| h.passage.body.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    Some(Answer {
        title: hit.passage.title.clone(),
        excerpt,
        source: Some(SourceRef {
            passage_id: hit.passage.id,
            article_id: hit.passage.article_id,
            title: hit.passage.title.clone(),
            url: hit.passage.url.clone(),
        }),
        url: hit.passage.url.clone(),
    })
}

/// The classification the flow gets, from the rules, the language (`foreign`: the
/// message is not English, `TurnLanguage::foreign`), the semantic intent and the best
/// passage's similarity.
pub fn decide(
    text: &str,
    foreign: bool,
    rules: Classification,
    intent: Option<SemanticIntent>,
    passages: &[PassageHit],
) -> Classification {
    let best_cosine = passages.first().map(|h| h.cosine).unwrap_or(0.0);
    if rules.is_handoff() || is_small_talk(rules.intent) {
        return rules;
    }
    if foreign {
        return foreign_language();
    }
    let Some(si) = intent else { return rules };
    if let Some((intent, category)) = handoff_of(si.label) {
        let clear = si.score >= calibration::CLEAR_HANDOFF;
        // A how-to the rules let through goes to the knowledge base unless the handoff
        // intent is clear ("where do I get a return label?" sits near "send me a label").
        let wins = !is_self_service_howto(text)
            && si.score >= calibration::HANDOFF
            && si.score - si.question >= calibration::MARGIN
            && best_cosine < calibration::STRONG_ANSWER;
        if clear || wins {
            return Classification {
                intent,
                category,
                topic: None,
            };
        }
    }
    if let Some(intent) = small_talk_of(si.label)
        && si.score >= calibration::SMALL_TALK
        && si.score - si.question >= calibration::SMALL_TALK_MARGIN
        && best_cosine < calibration::ANSWER
    {
        return Classification {
            intent,
            category: TicketCategory::Other,
            topic: None,
        };
    }
    rules
}

pub struct Builtin;

impl Builtin {
    /// The flow's input for a turn (shared with the openai engine's fallbacks).
    pub fn input(turn: &Turn) -> Input<'_> {
        let rules = if turn.message.trim().is_empty() && !turn.files.is_empty() {
            Classification {
                intent: Intent::SentFile,
                category: TicketCategory::Other,
                topic: None,
            }
        } else {
            classify(&turn.message)
        };
        let (classification, answer) = if turn.semantic {
            (
                decide(
                    &turn.message,
                    turn.language.foreign(),
                    rules,
                    turn.intent,
                    &turn.passages,
                ),
                passage_answer(&turn.passages),
            )
        } else {
            let answer = best_answer(
                &turn.message,
                turn.articles
                    .iter()
                    .map(|a| (a.title.as_str(), a.body.as_str())),
            )
            .map(|mut answer| {
                answer.url = turn
                    .articles
                    .iter()
                    .find(|a| a.title == answer.title)
                    .and_then(|a| a.url.clone());
                answer
            });
            // The same language check as `decide`: word matching can't read another
            // language either.
            let foreign =
                !rules.is_handoff() && !is_small_talk(rules.intent) && turn.language.foreign();
            if foreign {
                (foreign_language(), None)
            } else {
                (rules, answer)
            }
        };
        Input {
            text: &turn.message,
            classification,
            email_in_text: find_in_text(&turn.message),
            known_email: turn.known_email.as_ref(),
            tickets_enabled: turn.tickets_enabled,
            ticket: turn.ticket,
            answer,
            lang: turn.language.reply,
            acknowledged: handoff::acknowledged_in_burst(turn.history.iter().map(|l| {
                (
                    l.sender == Sender::Agent,
                    l.sender == Sender::Assistant,
                    l.body.as_str(),
                )
            })),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(cosine: f32) -> Vec<PassageHit> {
        vec![PassageHit {
            passage: std::sync::Arc::new(crate::assistant::knowledge::Passage {
                id: uuid::Uuid::nil(),
                article_id: uuid::Uuid::nil(),
                title: "Shipping".into(),
                body: "We ship within three days.".into(),
                position: 0,
                vector: vec![],
                url: None,
            }),
            cosine,
            fused: cosine,
        }]
    }

    fn si(label: Label, score: f32, question: f32) -> Option<SemanticIntent> {
        Some(SemanticIntent {
            label,
            score,
            question,
        })
    }

    /// `decide` as the engine calls it: the rules and the language of the message first.
    fn decided(
        text: &str,
        intent: Option<SemanticIntent>,
        passages: &[PassageHit],
    ) -> Classification {
        let foreign = crate::assistant::language::foreign_language_in(text, passages);
        decide(text, foreign, classify(text), intent, passages)
    }

    #[test]
    fn a_clear_handoff_intent_wins_over_a_loosely_matching_article() {
        // Whatever the rules said, a clear semantic handoff wins over a 0.55 passage.
        let c = decided(
            "my account won't let me in even with the new password",
            si(Label::NeedsHumanJudgment, 0.66, 0.45),
            &hit(0.55),
        );
        assert_eq!(c.intent, Intent::NeedsHumanJudgment);
        // A question close to its article stays a question.
        let c = decided(
            "which cards do you take",
            si(Label::Question, 0.6, 0.6),
            &hit(0.55),
        );
        assert_eq!(c.intent, Intent::Question);
        // A weak handoff intent does not beat a strong answer.
        let c = decided(
            "how can I follow a parcel",
            si(Label::CannotPerformAction, 0.55, 0.45),
            &hit(0.7),
        );
        assert_eq!(c.intent, Intent::Question);
    }

    #[test]
    fn the_rules_and_the_language_come_first() {
        let c = decided("I want a refund", si(Label::Question, 0.9, 0.9), &hit(0.9));
        assert_eq!(c.intent, Intent::CannotPerformAction);
        let c = decided(
            "Wo ist meine Bestellung?",
            si(Label::Question, 0.5, 0.5),
            &hit(0.5),
        );
        assert_eq!(c.intent, Intent::ForeignLanguage);
        assert!(c.is_handoff());
    }
}
