//! Tags JSON: the workspace's tags, a ticket's tags, and the ticket edit body.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::models::Tag;
use crate::domain::enums::{TicketCategory, TicketPriority};

/// A workspace tag, as a ticket carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TagOut {
    pub id: Uuid,
    pub name: String,
    /// `#rrggbb`
    pub colour: String,
}

impl From<Tag> for TagOut {
    fn from(t: Tag) -> Self {
        TagOut {
            id: t.id,
            name: t.name,
            colour: t.colour,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TagList {
    /// Every tag of the workspace (at most 200), by name.
    pub items: Vec<TagOut>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TagIn {
    /// 1 to 40 characters, unique in the workspace (case-insensitive).
    pub name: String,
    /// `#rrggbb` (or `#rgb`); a palette colour when left out on creation.
    #[serde(default)]
    pub colour: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TagPatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub colour: Option<String>,
}

/// `PATCH /tickets/{ticket}`: the fields to change; left out = unchanged.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketPatch {
    /// The version you saw; a stale one is answered 409 `version_conflict`.
    #[serde(default)]
    pub version: Option<i32>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub category: Option<TicketCategory>,
    #[serde(default)]
    pub priority: Option<TicketPriority>,
    /// The ticket's whole tag set (ids of this workspace's tags, at most 20).
    #[serde(default)]
    pub tags: Option<Vec<Uuid>>,
}
