//! Notifications JSON: a member's preferences, and "read up to".

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::enums::NotifyEmail;

/// How the caller hears of a visitor's message that is for them and that they have not
/// read: `off`, `immediately`, or `delayed` (when still unread after `delay_minutes`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationPrefs {
    pub email: NotifyEmail,
    /// 1..1440; used by `delayed`.
    #[schema(minimum = 1, maximum = 1440)]
    pub delay_minutes: i32,
}

/// `POST …/read`: read up to this message of the conversation (the last one on screen);
/// none: up to now.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadUpTo {
    pub up_to: Option<Uuid>,
}
