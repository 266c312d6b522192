//! Saved replies JSON: a reply, the list, and the create and edit bodies (unknown fields
//! are refused, so a misspelt field is an error rather than silently ignored).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::db::models::SavedReply;

/// A saved reply: what an agent inserts into a reply by typing `/shortcut`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SavedReplyOut {
    pub id: Uuid,
    /// 1 to 100 characters.
    pub title: String,
    /// Without the `/`: 1 to 32 of `a-z`, `0-9`, `-`, `_`; unique in the workspace.
    pub shortcut: String,
    /// Up to 10,000 characters. `{{visitor.email}}`, `{{ticket.number}}`, `{{agent.name}}`
    /// and `{{workspace.name}}` are filled in by the dashboard when the reply is inserted;
    /// other text is kept as typed.
    pub body: String,
    /// The user who created it; `null` when an API key did, or the user was deleted.
    pub created_by: Option<Uuid>,
    /// Pass it back with an edit; a stale one is answered 409 `version_conflict`.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<SavedReply> for SavedReplyOut {
    fn from(r: SavedReply) -> Self {
        SavedReplyOut {
            id: r.id,
            title: r.title,
            shortcut: r.shortcut,
            body: r.body,
            created_by: r.created_by,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SavedReplyList {
    /// By shortcut (byte order: `-` and digits before `_` and letters).
    pub items: Vec<SavedReplyOut>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct SavedReplyQuery {
    pub cursor: Option<String>,
    /// 1..100, default 25.
    pub limit: Option<i64>,
    /// Keeps the replies whose shortcut or title contains this text (case-insensitive; a
    /// leading `/` is ignored, so `/ref` finds `refund`). Pages keep the shortcut order.
    pub q: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SavedReplyIn {
    /// 1 to 100 characters.
    pub title: String,
    /// 1 to 32 of `a-z`, `0-9`, `-`, `_` (a leading `/` is dropped, upper case is lowered).
    /// Taken in the workspace: 409 `shortcut_taken`.
    pub shortcut: String,
    /// 1 to 10,000 characters (see SavedReplyOut.body for the variables).
    pub body: String,
}

/// The fields to change; left out = unchanged.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SavedReplyPatch {
    /// The version you saw; a stale one is answered 409 `version_conflict`.
    #[serde(default)]
    pub version: Option<i32>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub shortcut: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
}
