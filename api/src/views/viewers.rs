//! Who else has a ticket open: the list the ticket detail, the viewing call and the
//! dashboard stream's `ticket.viewers` frame carry. Team-only (never served to a widget).

use chrono::{DateTime, Utc};
use diesel::QueryResult;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::Conn;
use crate::db::viewers::{self, Viewer};
use crate::domain::viewers::SHOWN;

/// A member who has the ticket open in the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct TicketViewerOut {
    pub user_id: Uuid,
    pub name: String,
    /// Since when they have it open.
    pub since: DateTime<Utc>,
}

impl From<Viewer> for TicketViewerOut {
    fn from(v: Viewer) -> Self {
        TicketViewerOut {
            user_id: v.user_id,
            name: v.name,
            since: v.since,
        }
    }
}

/// Everyone who has the ticket open now (the caller too, when they do), the longest-viewing
/// first, at most 20. Who is typing a reply comes separately, as the conversation's
/// `typing` events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct TicketViewersOut {
    pub ticket_id: Uuid,
    pub viewers: Vec<TicketViewerOut>,
    /// When the list was read: of two lists of the same ticket, the later one is current.
    pub as_of: DateTime<Utc>,
}

impl TicketViewersOut {
    /// Who has the ticket open now, read for the ticket detail, the viewing call and the
    /// stream's `ticket.viewers` frame alike.
    pub async fn read(conn: &mut Conn, ws: Uuid, ticket_id: Uuid) -> QueryResult<Self> {
        let as_of = Utc::now();
        let viewers = viewers::of_ticket(conn, ws, ticket_id, SHOWN).await?;
        Ok(TicketViewersOut {
            ticket_id,
            viewers: viewers.into_iter().map(Into::into).collect(),
            as_of,
        })
    }
}

/// Your viewing of a ticket, and who has it open now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ViewingOut {
    #[serde(flatten)]
    pub current: TicketViewersOut,
    /// Your viewing lapses then, unless renewed.
    pub expires_at: DateTime<Utc>,
    /// Renew it (the same call) this often while the ticket stays open.
    pub renew_seconds: i64,
}
