//! Workspace JSON.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::db::models::Workspace;
use crate::domain::enums::Plan;
use crate::domain::locale::Lang;

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkspaceOut {
    pub id: Uuid,
    pub name: String,
    pub plan: Plan,
    /// Public key that identifies the workspace's widget on customer sites.
    pub widget_key: String,
    /// Origins allowed to embed the widget (empty: any).
    pub allowed_origins: Vec<String>,
    pub widget_color: String,
    pub greeting: String,
    /// The widget's language when the visitor's browser language is none it speaks:
    /// `en`, `de`, `fr`, `es`, `pt` or `nl`.
    pub default_language: Lang,
    pub created_at: DateTime<Utc>,
    /// When the identity secret in use was made (`null`: verified identity is off).
    pub identity_secret_created_at: Option<DateTime<Utc>>,
}

impl From<Workspace> for WorkspaceOut {
    fn from(w: Workspace) -> Self {
        let default_language = w.default_lang();
        WorkspaceOut {
            id: w.id,
            name: w.name,
            plan: w.plan,
            widget_key: w.widget_key,
            allowed_origins: w.allowed_origins,
            widget_color: w.widget_color,
            default_language,
            greeting: w.greeting,
            created_at: w.created_at,
            identity_secret_created_at: w.identity_secret_created_at,
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct CreateWorkspace {
    #[validate(length(min = 1, max = 100, message = "must be between 1 and 100 characters"))]
    pub name: String,
    /// Only `free` (the default): paid plans are set by the instance operator
    /// (403 `plan_set_by_operator`).
    pub plan: Option<Plan>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SetPlan {
    pub plan: Plan,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct UpdateWorkspace {
    #[validate(length(min = 1, max = 100, message = "must be between 1 and 100 characters"))]
    pub name: Option<String>,
    /// Only the current plan (a no-op): plans are set by the instance operator
    /// (403 `plan_set_by_operator`).
    pub plan: Option<Plan>,
    #[validate(length(max = 50, message = "at most 50 origins"))]
    pub allowed_origins: Option<Vec<String>>,
    pub widget_color: Option<String>,
    #[validate(length(min = 1, max = 500, message = "must be between 1 and 500 characters"))]
    pub greeting: Option<String>,
    /// `en`, `de`, `fr`, `es`, `pt` or `nl`.
    pub default_language: Option<Lang>,
}

/// The workspace's outgoing mail: what is queued, what waits for the hourly quota.
#[derive(Debug, Serialize, ToSchema)]
pub struct MailStatus {
    /// Mails queued and not sent yet (counted up to 1000).
    pub queued: i64,
    /// Of those, mails waiting because the workspace (or a recipient) reached the hourly
    /// quota; they go out when the next hour starts, nothing is lost.
    pub waiting_for_quota: i64,
    /// When the first waiting mail goes out.
    pub next_send_at: Option<DateTime<Utc>>,
    /// Mails sent by this workspace in the current hour.
    pub sent_this_hour: i64,
    /// Mails a workspace may send per hour.
    pub quota_per_hour: u32,
    /// Mails any one address may receive per hour.
    pub recipient_quota_per_hour: u32,
}
