//! The product's closed vocabularies, one type each: plans, roles, message senders, ticket
//! statuses, categories and sources, and who acted. Their spelling is the API's and the
//! database's (`snake_case`); `db/enums.rs` maps them to the Postgres enums.

/// An enum with a fixed text spelling per variant: `as_str`, `parse`, `ALL`, `Display`,
/// serde and the OpenAPI schema all use the same words.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
        )]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The exact spelling (`in_progress`), nothing else.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum!(
    /// A workspace's plan. Tickets need Standard or Pro.
    Plan { Free = "free", Standard = "standard", Pro = "pro" }
);

text_enum!(
    /// A member's role: owners and admins manage settings, agents work tickets.
    Role { Owner = "owner", Admin = "admin", Agent = "agent" }
);

text_enum!(
    /// Who wrote a message.
    Sender { Visitor = "visitor", Assistant = "assistant", Agent = "agent", System = "system" }
);

text_enum!(
    /// How a member hears by email of a visitor's message for them that they have not
    /// read: never, at once, or when it is still unread after their delay.
    NotifyEmail { Off = "off", Immediately = "immediately", Delayed = "delayed" }
);

text_enum!(
    /// Where a message came from: the chat (widget, dashboard) or an email reply.
    Channel { Chat = "chat", Email = "email" }
);

text_enum!(
    /// Where a ticket is in the workflow: open → in_progress → resolved → closed, and reopened
    /// back to open.
    TicketStatus {
        Open = "open",
        InProgress = "in_progress",
        Resolved = "resolved",
        Closed = "closed",
    }
);

text_enum!(
    #[derive(Default)]
    /// Why the visitor needs the team: an action the assistant cannot perform (refunds,
    /// cancellations, account changes), a case that needs human judgment (disputes,
    /// exceptions, complaints), or other.
    TicketCategory {
        CannotPerformAction = "cannot_perform_action",
        NeedsHumanJudgment = "needs_human_judgment",
        #[default]
        Other = "other",
    }
);

text_enum!(
    #[derive(Default)]
    /// How urgent a ticket is; `priority_desc` lists urgent first.
    TicketPriority {
        Low = "low",
        #[default]
        Normal = "normal",
        High = "high",
        Urgent = "urgent",
    }
);

text_enum!(
    /// Where a ticket came from.
    TicketSource { Ai = "ai", Api = "api", Dashboard = "dashboard" }
);

text_enum!(
    /// Who did something: the `type` of an `Actor` in timelines and webhooks.
    ActorKind {
        User = "user",
        Assistant = "assistant",
        Visitor = "visitor",
        Api = "api",
        System = "system",
    }
);

impl Plan {
    pub fn allows_tickets(self) -> bool {
        matches!(self, Plan::Standard | Plan::Pro)
    }

    /// Replies by email that come back into the ticket (`Reply-To` routing, inbound mail):
    /// Pro. On Standard, ticket mail tells the visitor to answer in the chat.
    pub fn allows_email_replies(self) -> bool {
        matches!(self, Plan::Pro)
    }
}

impl Role {
    /// Owners and admins manage settings, members and keys.
    pub fn can_manage(self) -> bool {
        matches!(self, Role::Owner | Role::Admin)
    }
}

impl TicketStatus {
    /// The team is working on it: a conversation has at most one open ticket, and the
    /// assistant adds to it instead of offering another.
    pub fn is_open(self) -> bool {
        matches!(self, TicketStatus::Open | TicketStatus::InProgress)
    }
}

impl TicketCategory {
    /// Lenient reading of a category written by a model (`" Needs_Human_Judgment "`).
    pub fn parse_loose(s: &str) -> Option<Self> {
        Self::parse(s.trim().to_ascii_lowercase().as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spelling_is_the_same_in_serde_and_text() -> anyhow::Result<()> {
        for s in TicketStatus::ALL {
            assert_eq!(
                serde_json::to_value(s)?,
                serde_json::Value::String(s.as_str().into())
            );
            assert_eq!(TicketStatus::parse(s.as_str()), Some(*s));
        }
        for k in ActorKind::ALL {
            assert_eq!(ActorKind::parse(&k.to_string()), Some(*k));
        }
        assert_eq!(
            TicketStatus::parse("in_progress"),
            Some(TicketStatus::InProgress)
        );
        assert_eq!(Plan::parse("gold"), None);
        assert!(Plan::Standard.allows_tickets() && !Plan::Free.allows_tickets());
        Ok(())
    }

    #[test]
    fn open_means_the_team_is_on_it() {
        let open: Vec<_> = TicketStatus::ALL.iter().filter(|s| s.is_open()).collect();
        assert_eq!(open, [&TicketStatus::Open, &TicketStatus::InProgress]);
    }

    #[test]
    fn categories_from_models_are_read_leniently() {
        assert_eq!(
            TicketCategory::parse_loose(" Needs_Human_Judgment "),
            Some(TicketCategory::NeedsHumanJudgment)
        );
        assert_eq!(TicketCategory::parse_loose("refund"), None);
        assert_eq!(TicketCategory::default(), TicketCategory::Other);
    }
}
