//! Postgres enums mapped to Rust with ToSql/FromSql, serialised snake_case.

use std::io::Write;

use diesel::deserialize::{self, FromSql};
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, IsNull, Output, ToSql};

use super::schema::sql_types;

macro_rules! pg_enum {
    ($(#[$meta:meta])* $name:ident => $sql:ty { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
            diesel::AsExpression, diesel::FromSqlRow,
        )]
        #[diesel(sql_type = $sql)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ToSql<$sql, Pg> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                out.write_all(self.as_str().as_bytes())?;
                Ok(IsNull::No)
            }
        }

        impl FromSql<$sql, Pg> for $name {
            fn from_sql(bytes: PgValue<'_>) -> deserialize::Result<Self> {
                let s = std::str::from_utf8(bytes.as_bytes())?;
                Self::parse(s).ok_or_else(|| format!("unknown {} value `{s}`", stringify!($name)).into())
            }
        }
    };
}

pg_enum!(
    /// A workspace's plan. Tickets need Standard or Pro.
    Plan => sql_types::Plan { Free = "free", Standard = "standard", Pro = "pro" }
);
pg_enum!(
    /// A member's role: owners and admins manage settings, agents work tickets.
    Role => sql_types::MemberRole { Owner = "owner", Admin = "admin", Agent = "agent" }
);
pg_enum!(
    /// Who wrote a message.
    Sender => sql_types::MessageSender {
        Visitor = "visitor", Assistant = "assistant", Agent = "agent", System = "system"
    }
);
pg_enum!(
    TicketStatus => sql_types::TicketStatus {
        Open = "open", InProgress = "in_progress", Resolved = "resolved", Closed = "closed"
    }
);
pg_enum!(
    TicketCategory => sql_types::TicketCategory {
        CannotPerformAction = "cannot_perform_action",
        NeedsHumanJudgment = "needs_human_judgment",
        Other = "other"
    }
);
pg_enum!(
    /// Where a ticket came from.
    TicketSource => sql_types::TicketSource { Ai = "ai", Api = "api", Dashboard = "dashboard" }
);

impl Plan {
    pub fn allows_tickets(self) -> bool {
        matches!(self, Plan::Standard | Plan::Pro)
    }
}

impl Role {
    pub fn can_manage(self) -> bool {
        matches!(self, Role::Owner | Role::Admin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_matches_database_text() -> anyhow::Result<()> {
        for s in TicketStatus::ALL {
            assert_eq!(
                serde_json::to_value(s)?,
                serde_json::Value::String(s.as_str().into())
            );
        }
        assert_eq!(
            TicketStatus::parse("in_progress"),
            Some(TicketStatus::InProgress)
        );
        assert_eq!(Plan::parse("gold"), None);
        assert!(Plan::Standard.allows_tickets() && !Plan::Free.allows_tickets());
        Ok(())
    }
}
