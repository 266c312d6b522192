//! Who did something: the actor of timeline entries and webhooks.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::enums::ActorKind;

/// Who did something (timeline entries, webhooks).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Actor {
    #[serde(rename = "type")]
    pub kind: ActorKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl Actor {
    pub fn user(id: Uuid, name: impl Into<String>) -> Self {
        Actor {
            kind: ActorKind::User,
            id: Some(id),
            name: Some(name.into()),
        }
    }
    pub fn api_key(id: Uuid, name: impl Into<String>) -> Self {
        Actor {
            kind: ActorKind::Api,
            id: Some(id),
            name: Some(name.into()),
        }
    }
    pub fn assistant() -> Self {
        Actor {
            kind: ActorKind::Assistant,
            id: None,
            name: Some("AI assistant".into()),
        }
    }
    pub fn visitor(id: Uuid) -> Self {
        Actor {
            kind: ActorKind::Visitor,
            id: Some(id),
            name: None,
        }
    }
    pub fn system() -> Self {
        Actor {
            kind: ActorKind::System,
            id: None,
            name: None,
        }
    }
}
