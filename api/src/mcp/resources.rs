//! MCP resources: a ticket (`handoff://tickets/TKT-10001`, with its conversation, notes
//! and timeline) and a knowledge-base article (`handoff://articles/<id>`), as JSON. They
//! need the same scopes as the tools that read them (`get_ticket`, `get_article`) and
//! run the same services.

use rmcp::ErrorData as McpError;
use rmcp::model::{
    ListResourceTemplatesResult, ListResourcesResult, Resource, ResourceContents, ResourceTemplate,
};
use uuid::Uuid;

use crate::domain::access::Principal;
use crate::domain::scopes::{KeyRule, Scope};
use crate::error::{ApiError, ApiResult};
use crate::mcp::tools::admit;
use crate::services::{articles, tickets};
use crate::state::AppState;
use crate::views::articles::ListQuery;
use crate::views::tickets::TicketListQuery;

pub const TICKETS: &str = "handoff://tickets/";
pub const ARTICLES: &str = "handoff://articles/";
const JSON: &str = "application/json";
/// How many tickets and articles `resources/list` names (the templates reach the rest).
const LISTED: i64 = 25;

fn needs(scope: Scope) -> KeyRule {
    KeyRule::Needs([scope].into_iter().collect())
}

pub fn templates() -> ListResourceTemplatesResult {
    ListResourceTemplatesResult::with_all_items(vec![
        ResourceTemplate::new(format!("{TICKETS}{{ticket}}"), "ticket")
            .with_title("A support ticket")
            .with_description(
                "A ticket by number (TKT-10001) or id, with its visitor, conversation, internal notes and timeline. Needs the API key scope tickets:read.",
            )
            .with_mime_type(JSON),
        ResourceTemplate::new(format!("{ARTICLES}{{id}}"), "article")
            .with_title("A knowledge-base article")
            .with_description("An article by id. Needs the API key scope kb:read.")
            .with_mime_type(JSON),
    ])
}

/// The most recently updated tickets and the newest articles the key may read.
pub async fn list(state: &AppState, principal: &Principal) -> ApiResult<ListResourcesResult> {
    let mut out = Vec::new();
    if let Ok(ws) = admit(principal, needs(Scope::TicketsRead)) {
        let q = TicketListQuery {
            status: None,
            assignee: None,
            q: None,
            sort: Some("updated_desc".into()),
            tag: None,
            limit: Some(LISTED),
            cursor: None,
        };
        for t in tickets::list(state, principal, ws, &q).await?.items {
            out.push(
                Resource::new(
                    format!("{TICKETS}{}", t.number),
                    format!("{}: {}", t.number, t.summary),
                )
                .with_description(format!("{} ticket of {}", t.status, t.visitor_email))
                .with_mime_type(JSON),
            );
        }
    }
    if let Ok(ws) = admit(principal, needs(Scope::KbRead)) {
        let q = ListQuery {
            cursor: None,
            limit: Some(LISTED),
            q: None,
        };
        for a in articles::list(state, principal, ws, &q).await?.items {
            out.push(
                Resource::new(format!("{ARTICLES}{}", a.id), a.title)
                    .with_description("Knowledge-base article")
                    .with_mime_type(JSON),
            );
        }
    }
    Ok(ListResourcesResult::with_all_items(out))
}

/// A resource's contents, or the REST error.
pub async fn read(
    state: &AppState,
    principal: &Principal,
    uri: &str,
) -> ApiResult<Option<ResourceContents>> {
    let value = if let Some(key) = uri.strip_prefix(TICKETS) {
        let ws = admit(principal, needs(Scope::TicketsRead))?;
        serde_json::to_value(tickets::detail(state, principal, ws, tickets::parse_key(key)?).await?)
    } else if let Some(id) = uri.strip_prefix(ARTICLES) {
        let ws = admit(principal, needs(Scope::KbRead))?;
        let id: Uuid = id.parse().map_err(|_| ApiError::not_found("article"))?;
        serde_json::to_value(articles::get(state, principal, ws, id).await?)
    } else {
        return Ok(None);
    };
    let text = serde_json::to_string_pretty(&value.map_err(ApiError::internal)?)
        .map_err(ApiError::internal)?;
    Ok(Some(ResourceContents::TextResourceContents {
        uri: uri.to_string(),
        mime_type: Some(JSON.into()),
        text,
        meta: None,
    }))
}

/// The REST error as a JSON-RPC error: its message, and the REST body as `data`.
pub fn protocol_error(e: &ApiError) -> McpError {
    if let ApiError::Internal(cause) = e {
        tracing::error!(error = ?cause, "unexpected error in an MCP resource");
    }
    let body = e.body();
    let data = serde_json::to_value(&body).ok();
    let message = body.error.message;
    match e {
        ApiError::NotFound(_) => McpError::resource_not_found(message, data),
        ApiError::Internal(_) | ApiError::Unavailable => McpError::internal_error(message, data),
        _ => McpError::invalid_params(message, data),
    }
}
