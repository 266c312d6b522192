//! Live conversations: who answers a conversation (the assistant, or a human who took it
//! over), when a taken-over conversation falls back to the assistant, the visitor's and
//! the members' presence, the Conversations list's filters and the system messages the
//! visitor sees. Pure rules; the services apply them.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::enums::TicketStatus;

/// How long a presence mark lasts without renewal: a stream's heartbeat renews it well
/// before (`PRESENCE_RENEW_AFTER`), so only a process that died lets it lapse.
pub const PRESENCE_TTL: Duration = Duration::seconds(75);
/// A presence mark is written again once it has less than this left (so at most one write
/// every `PRESENCE_TTL - PRESENCE_RENEW_BELOW` = 30 s per stream).
pub const PRESENCE_RENEW_BELOW: Duration = Duration::seconds(45);

/// Typing events a sender may send per `TYPING_WINDOW_SECS` (more are dropped, not refused:
/// an indicator is not worth an error).
pub const TYPING_MAX: u32 = 4;
pub const TYPING_WINDOW_SECS: u32 = 10;

/// The default of `TAKEOVER_IDLE_MINUTES`.
pub const DEFAULT_TAKEOVER_IDLE_MINUTES: u32 = 30;

/// Who answers the visitor in a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answerer {
    /// The assistant answers (and runs the ticket flow).
    Assistant,
    /// A human has the conversation: the assistant says nothing at all.
    Human { name: String },
}

impl Answerer {
    /// From the conversation's takeover columns.
    pub fn of(taken_over_at: Option<DateTime<Utc>>, name: Option<&str>) -> Answerer {
        match taken_over_at {
            Some(_) => Answerer::Human {
                name: name.unwrap_or(AGENT_FALLBACK_NAME).to_string(),
            },
            None => Answerer::Assistant,
        }
    }

    pub fn assistant_answers(&self) -> bool {
        matches!(self, Answerer::Assistant)
    }
}

/// The name shown for an agent without one.
pub const AGENT_FALLBACK_NAME: &str = "Support team";

/// The cut-off of the idle fallback: a conversation taken over whose agent has done
/// nothing since before it goes back to the assistant.
pub fn idle_cutoff(now: DateTime<Utc>, idle_minutes: u32) -> DateTime<Utc> {
    now - Duration::minutes(i64::from(idle_minutes))
}

/// When a taken-over conversation falls back to the assistant if its agent stays idle.
pub fn falls_back_at(agent_active_at: DateTime<Utc>, idle_minutes: u32) -> DateTime<Utc> {
    agent_active_at + Duration::minutes(i64::from(idle_minutes))
}

/// A presence mark (visitor or member) is live.
pub fn is_online(online_until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    online_until.is_some_and(|u| u > now)
}

/// Whether a stream's heartbeat must write its presence mark again (at most every 30 s).
pub fn presence_needs_renewal(online_until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    online_until.is_none_or(|u| u - now < PRESENCE_RENEW_BELOW)
}

/// Whether a visitor message leaves the visitor waiting for a human: a human has the
/// conversation, or its ticket is open (not resolved or closed: a visitor writing into a
/// resolved ticket reopens it, which also waits).
pub fn visitor_waits_for_human(taken_over: bool, ticket: Option<TicketStatus>) -> bool {
    taken_over || ticket.is_some_and(|s| s != TicketStatus::Closed)
}

/// What the visitor sees when an agent takes the conversation over.
pub fn joined_text(agent: &str) -> String {
    format!("{agent} joined the chat")
}

/// What the visitor sees when the agent hands the conversation back.
pub fn handed_back_text(agent: &str) -> String {
    format!("{agent} left the chat. The AI assistant will answer from here.")
}

/// What the visitor (and the timeline) sees when a taken-over conversation fell back.
pub fn idle_fallback_text(agent: &str, idle_minutes: u32) -> String {
    format!(
        "{agent} has been away for {idle_minutes} minutes. The AI assistant will answer from here; the team still sees this conversation."
    )
}

/// The Conversations list's `status` filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConversationFilter {
    /// The visitor wrote and waits for a human (taken over, or with an open ticket) and no
    /// agent replied since.
    Waiting,
    /// A human has the conversation.
    TakenOver,
    /// The assistant answers (not taken over).
    Assistant,
}

impl ConversationFilter {
    pub fn parse(s: &str) -> Option<ConversationFilter> {
        match s {
            "waiting" => Some(ConversationFilter::Waiting),
            "taken_over" => Some(ConversationFilter::TakenOver),
            "assistant" => Some(ConversationFilter::Assistant),
            _ => None,
        }
    }
}

/// Takeover refused: another human has the conversation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{by} has this conversation; take it over with `force` to take it from them.")]
pub struct AlreadyTakenOver {
    pub by: String,
}

/// Whether `user` (or an API key: `None`) may take over a conversation now held by
/// `holder` (`None`: nobody). Taking over again one's own is a no-op (`Ok(false)`);
/// someone else's needs `force`.
pub fn may_take_over(
    holder: Option<(Option<uuid::Uuid>, &str)>,
    me: Option<uuid::Uuid>,
    force: bool,
) -> Result<bool, AlreadyTakenOver> {
    match holder {
        None => Ok(true),
        Some((by, _)) if by.is_some() && by == me => Ok(false),
        Some(_) if force => Ok(true),
        Some((_, name)) => Err(AlreadyTakenOver { by: name.into() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap_or_default()
    }

    #[test]
    fn a_taken_over_conversation_is_answered_by_a_human_only() {
        assert!(Answerer::of(None, None).assistant_answers());
        let human = Answerer::of(Some(t(0)), Some("Sam"));
        assert!(!human.assistant_answers());
        assert_eq!(human, Answerer::Human { name: "Sam".into() });
        // A takeover whose user was deleted still silences the assistant.
        assert!(!Answerer::of(Some(t(0)), None).assistant_answers());
    }

    #[test]
    fn the_idle_fallback_counts_from_the_agents_last_action() {
        let active = t(0);
        assert_eq!(falls_back_at(active, 30), t(30 * 60));
        // Idle when the last action is before the cut-off.
        assert!(active < idle_cutoff(t(30 * 60 + 1), 30));
        assert!(active >= idle_cutoff(t(30 * 60), 30));
        assert!(active >= idle_cutoff(t(29 * 60), 30));
    }

    #[test]
    fn presence_lapses_and_is_renewed_at_most_every_thirty_seconds() {
        let now = t(0);
        assert!(!is_online(None, now));
        assert!(!is_online(Some(now), now));
        assert!(is_online(Some(now + PRESENCE_TTL), now));
        // Just written: no write for 30 s.
        let until = now + PRESENCE_TTL;
        assert!(!presence_needs_renewal(Some(until), now));
        assert!(!presence_needs_renewal(Some(until), t(29)));
        assert!(presence_needs_renewal(Some(until), t(31)));
        assert!(presence_needs_renewal(None, now));
        assert!(presence_needs_renewal(Some(t(-5)), now));
    }

    #[test]
    fn visitors_wait_for_a_human_when_one_is_expected() {
        assert!(!visitor_waits_for_human(false, None));
        assert!(visitor_waits_for_human(true, None));
        assert!(visitor_waits_for_human(false, Some(TicketStatus::Open)));
        assert!(visitor_waits_for_human(
            false,
            Some(TicketStatus::InProgress)
        ));
        assert!(visitor_waits_for_human(false, Some(TicketStatus::Resolved)));
        assert!(!visitor_waits_for_human(false, Some(TicketStatus::Closed)));
        assert!(visitor_waits_for_human(true, Some(TicketStatus::Closed)));
    }

    #[test]
    fn filters_parse_exactly() {
        assert_eq!(
            ConversationFilter::parse("waiting"),
            Some(ConversationFilter::Waiting)
        );
        assert_eq!(
            ConversationFilter::parse("taken_over"),
            Some(ConversationFilter::TakenOver)
        );
        assert_eq!(
            ConversationFilter::parse("assistant"),
            Some(ConversationFilter::Assistant)
        );
        assert_eq!(ConversationFilter::parse("Waiting"), None);
        assert_eq!(ConversationFilter::parse(""), None);
    }

    #[test]
    fn taking_over_someone_elses_conversation_needs_force() {
        let (sam, kim) = (Uuid::from_u128(1), Uuid::from_u128(2));
        assert_eq!(may_take_over(None, Some(sam), false), Ok(true));
        assert_eq!(
            may_take_over(Some((Some(sam), "Sam")), Some(sam), false),
            Ok(false)
        );
        assert_eq!(
            may_take_over(Some((Some(sam), "Sam")), Some(kim), false),
            Err(AlreadyTakenOver { by: "Sam".into() })
        );
        assert_eq!(
            may_take_over(Some((Some(sam), "Sam")), Some(kim), true),
            Ok(true)
        );
        // An API key (no user) never "already has" it.
        assert!(may_take_over(Some((None, "Zapier")), None, false).is_err());
    }

    #[test]
    fn the_visitor_is_told_who_joined_and_who_left() {
        assert_eq!(joined_text("Sam Agent"), "Sam Agent joined the chat");
        assert!(handed_back_text("Sam").starts_with("Sam left the chat."));
        assert!(idle_fallback_text("Sam", 30).contains("away for 30 minutes"));
    }
}
