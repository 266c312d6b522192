//! The JSON of the workspace's identity secret (verified identity in the widget).

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// A new identity secret: shown once. The host's server signs its user ids with it:
/// `hash` = hex HMAC-SHA256(`user_id`) keyed with `secret` (docs/widget-identity.md).
#[derive(Debug, Serialize, ToSchema)]
pub struct IdentitySecretOut {
    /// `idsec_…`: keep it on your server; never put it in a page.
    pub secret: String,
    pub created_at: DateTime<Utc>,
}
