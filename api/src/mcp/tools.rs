//! The MCP tools: one table says each tool's name, the scopes a key needs for it, what it
//! does and what it takes; `call` checks the scopes, reads the arguments and runs the same
//! service the REST route runs (so tenant isolation, plan gates, validation, the outbox's
//! mail and webhooks are the REST API's own). A refusal or a failure is a tool error
//! whose structured content is the REST error body (`{"error": {"code", "message",
//! "fields"?}}`), so a client tells `missing_scope`, `validation_failed` or
//! `version_conflict` apart exactly as over REST.

use std::sync::Arc;

use rmcp::handler::server::common::schema_for_type;
use rmcp::model::{CallToolResult, ContentBlock, JsonObject, Tool, ToolAnnotations};
use rmcp::schemars::{self, JsonSchema};
use serde::Deserialize;
use uuid::Uuid;

use crate::domain::access::Principal;
use crate::domain::enums::TicketStatus;
use crate::domain::scopes::{KeyRule, Scope, Scopes};
use crate::error::{ApiError, ApiResult};
use crate::services::{articles, kb_search, notes, team, tickets};
use crate::state::AppState;
use crate::views::articles::{ArticleIn, ArticlePatch};
use crate::views::notes::NoteIn;
use crate::views::tickets::{AssignTicket, ChangeStatus, ReplyIn, TicketListQuery};

/// The `_meta` key under which a listed tool names the scopes it needs.
pub const SCOPE_META: &str = "handoff/scopes";

/// One tool of the server.
pub struct ToolSpec {
    pub name: &'static str,
    /// Every one of these (`KeyRule::Needs`).
    pub scopes: &'static [Scope],
    pub title: &'static str,
    pub description: &'static str,
    /// Reads only (an annotation for clients; the scopes are what is enforced).
    pub read_only: bool,
    pub input: fn() -> Arc<JsonObject>,
}

impl ToolSpec {
    pub fn rule(&self) -> KeyRule {
        KeyRule::Needs(self.scopes.iter().copied().collect())
    }

    /// As `tools/list` shows it: the scopes in the description and in `_meta`.
    pub fn tool(&self) -> Tool {
        let scopes: Scopes = self.scopes.iter().copied().collect();
        let description = format!("{} Needs the API key scope {scopes}.", self.description);
        let mut tool = Tool::new(self.name, description, (self.input)());
        tool.title = Some(self.title.to_string());
        tool.annotations = Some(
            ToolAnnotations::with_title(self.title)
                .read_only(self.read_only)
                .destructive(false)
                .open_world(false),
        );
        let mut meta = rmcp::model::MetaObject::new();
        meta.0
            .insert(SCOPE_META.to_string(), serde_json::json!(scopes.names()));
        tool.meta = Some(meta);
        tool
    }
}

use Scope::{KbRead, KbWrite, TicketsRead, TicketsWrite};

/// Every tool, with the scopes it needs. A name not in this table is no tool.
pub const TOOLS: &[ToolSpec] = &[
    ToolSpec {
        name: "list_tickets",
        scopes: &[TicketsRead],
        title: "List or search tickets",
        description: "List the workspace's support tickets, newest first by default, or search them: a ticket number (TKT-10001) or words of the visitor's email and the summary. Filters: status, assignee (me is not available to API keys; none, or a member's user id from list_team_members), tag (a tag id). One page at a time: pass next_cursor back as cursor.",
        read_only: true,
        input: schema_for_type::<ListTickets>,
    },
    ToolSpec {
        name: "get_ticket",
        scopes: &[TicketsRead],
        title: "Read a ticket",
        description: "A ticket with its visitor, the whole conversation (visitor, assistant and agent messages, in order), the team's internal notes (never shown to the visitor) and the timeline. Its version is what change_ticket_status and assign_ticket take to refuse a stale change.",
        read_only: true,
        input: schema_for_type::<TicketRef>,
    },
    ToolSpec {
        name: "reply_to_ticket",
        scopes: &[TicketsWrite],
        title: "Reply to the visitor",
        description: "Send the visitor a reply on the ticket: it is stored in the conversation and the widget shows it; with email_visitor it is also emailed to the visitor. Write it as the support team, to the visitor.",
        read_only: false,
        input: schema_for_type::<Reply>,
    },
    ToolSpec {
        name: "add_internal_note",
        scopes: &[TicketsWrite],
        title: "Add an internal note",
        description: "Add a note for the team to a ticket: it shows in the dashboard, never to the visitor. @Full Name mentions a member (they are notified).",
        read_only: false,
        input: schema_for_type::<Note>,
    },
    ToolSpec {
        name: "assign_ticket",
        scopes: &[TicketsWrite],
        title: "Assign a ticket",
        description: "Assign a ticket to a member of the team (a user id from list_team_members), or unassign it with assignee_id null. Pass the version you read to refuse the change if someone changed the ticket meanwhile.",
        read_only: false,
        input: schema_for_type::<Assign>,
    },
    ToolSpec {
        name: "change_ticket_status",
        scopes: &[TicketsWrite],
        title: "Change a ticket's status",
        description: "Move a ticket along the workflow: open → in_progress, resolved or closed; in_progress → open, resolved or closed; resolved → closed or open; closed → open. Another move is refused (invalid_transition, naming the allowed ones). Pass the version you read to refuse a stale change (version_conflict).",
        read_only: false,
        input: schema_for_type::<SetStatus>,
    },
    ToolSpec {
        name: "list_team_members",
        scopes: &[TicketsRead],
        title: "List the team",
        description: "The workspace's members (user id, name, email, role): who tickets can be assigned to.",
        read_only: true,
        input: schema_for_type::<NoArguments>,
    },
    ToolSpec {
        name: "search_knowledge_base",
        scopes: &[KbRead],
        title: "Search the knowledge base",
        description: "Find the knowledge-base articles that answer a question, best first, the way the site's assistant finds them (by meaning and by words): each hit has the article id, title, URL and the passage that matches. Read a whole article with get_article.",
        read_only: true,
        input: schema_for_type::<SearchKb>,
    },
    ToolSpec {
        name: "get_article",
        scopes: &[KbRead],
        title: "Read an article",
        description: "One knowledge-base article: title, body and URL.",
        read_only: true,
        input: schema_for_type::<ArticleRef>,
    },
    ToolSpec {
        name: "create_article",
        scopes: &[KbWrite],
        title: "Create an article",
        description: "Add an article to the knowledge base. The site's assistant answers visitors from these articles as soon as it is indexed (seconds).",
        read_only: false,
        input: schema_for_type::<NewArticle>,
    },
    ToolSpec {
        name: "update_article",
        scopes: &[KbWrite],
        title: "Update an article",
        description: "Change an article's title, body or URL; what you leave out stays. An empty url removes it.",
        read_only: false,
        input: schema_for_type::<ArticleChange>,
    },
];

pub fn spec(name: &str) -> Option<&'static ToolSpec> {
    TOOLS.iter().find(|t| t.name == name)
}

// ------------------------------------------------------------------ the tools' inputs

/// A ticket's number or id.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct TicketRef {
    /// The ticket number (TKT-10001) or its id (UUID).
    pub ticket: String,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
pub struct NoArguments {}

#[derive(Debug, Default, Deserialize, JsonSchema)]
pub struct ListTickets {
    /// open, in_progress, resolved or closed.
    #[serde(default)]
    #[schemars(schema_with = "optional_status_schema")]
    pub status: Option<String>,
    /// none (unassigned), or a member's user id.
    #[serde(default)]
    pub assignee: Option<String>,
    /// A ticket number (TKT-10001 or 10001), or words found in the visitor's email and the summary.
    #[serde(default)]
    pub q: Option<String>,
    /// created_desc (default), created_asc, updated_desc or priority_desc (urgent first).
    #[serde(default)]
    pub sort: Option<String>,
    /// Only tickets with this tag (a tag id).
    #[serde(default)]
    pub tag: Option<String>,
    /// 1..100, default 25.
    #[serde(default)]
    pub limit: Option<i64>,
    /// next_cursor of the previous page.
    #[serde(default)]
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct Reply {
    /// The ticket number (TKT-10001) or its id (UUID).
    pub ticket: String,
    /// The reply, as the visitor will read it (1 to 4,000 characters).
    pub body: String,
    /// Also email the reply to the visitor.
    #[serde(default)]
    pub email_visitor: bool,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct Note {
    /// The ticket number (TKT-10001) or its id (UUID).
    pub ticket: String,
    /// The note (1 to 20,000 characters); @Full Name mentions a member.
    pub body: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct Assign {
    /// The ticket number (TKT-10001) or its id (UUID).
    pub ticket: String,
    /// A member's user id, or null to unassign.
    #[schemars(with = "Option<String>")]
    pub assignee_id: Option<Uuid>,
    /// The ticket's version as you read it; a stale one is refused (version_conflict).
    #[serde(default)]
    pub version: Option<i32>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct SetStatus {
    /// The ticket number (TKT-10001) or its id (UUID).
    pub ticket: String,
    /// The new status.
    #[schemars(schema_with = "status_schema")]
    pub status: TicketStatus,
    /// The ticket's version as you read it; a stale one is refused (version_conflict).
    #[serde(default)]
    pub version: Option<i32>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct SearchKb {
    /// The question or words to look for (at most 500 characters).
    pub query: String,
    /// How many articles, 1..20 (default 5).
    #[serde(default)]
    pub limit: Option<i64>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct ArticleRef {
    /// The article's id (UUID).
    #[schemars(with = "String")]
    pub id: Uuid,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct NewArticle {
    /// 1 to 200 characters.
    pub title: String,
    /// The article's text (1 to 50,000 characters); paragraphs separated by blank lines.
    pub body: String,
    /// The article's page on the website: an absolute http(s) URL.
    #[serde(default)]
    pub url: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct ArticleChange {
    /// The article's id (UUID).
    #[schemars(with = "String")]
    pub id: Uuid,
    /// A new title (1 to 200 characters).
    #[serde(default)]
    pub title: Option<String>,
    /// A new body (1 to 50,000 characters).
    #[serde(default)]
    pub body: Option<String>,
    /// A new URL (absolute http(s)); an empty string removes it.
    #[serde(default)]
    pub url: Option<String>,
}

fn status_names() -> Vec<&'static str> {
    TicketStatus::ALL.iter().map(|s| s.as_str()).collect()
}

fn status_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"type": "string", "enum": status_names()})
}

fn optional_status_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"type": ["string", "null"], "enum": status_names()})
}

// ------------------------------------------------------------------ calling a tool

/// Runs a tool for an API key: its scopes first, then the arguments, then the service.
pub async fn call(
    state: &AppState,
    principal: &Principal,
    name: &str,
    arguments: Option<JsonObject>,
) -> CallToolResult {
    match run(state, principal, name, arguments.unwrap_or_default()).await {
        Ok(value) => success(value),
        Err(e) => failure(&e),
    }
}

/// A tool's answer: the JSON as structured content and as text (for clients that show
/// text only).
pub fn success(value: serde_json::Value) -> CallToolResult {
    let text = serde_json::to_string_pretty(&value).unwrap_or_default();
    let mut result = CallToolResult::success(vec![ContentBlock::text(text)]);
    result.structured_content = Some(value);
    result
}

/// The REST error body as a tool error; internal causes are logged, never sent.
pub fn failure(e: &ApiError) -> CallToolResult {
    if let ApiError::Internal(cause) = e {
        tracing::error!(error = ?cause, "unexpected error in an MCP tool");
    }
    let body = e.body();
    let mut text = format!("{} ({})", body.error.message, body.error.code);
    if let Some(fields) = &body.error.fields {
        for (field, problems) in fields {
            text.push_str(&format!("\n{field}: {}", problems.join("; ")));
        }
    }
    let mut result = CallToolResult::error(vec![ContentBlock::text(text)]);
    result.structured_content = serde_json::to_value(&body).ok();
    result
}

/// The key's scopes against the tool's; the key's workspace.
pub fn admit(principal: &Principal, rule: KeyRule) -> ApiResult<Uuid> {
    match principal {
        Principal::ApiKey {
            scopes,
            workspace_id,
            ..
        } => {
            rule.admits(*scopes)?;
            Ok(*workspace_id)
        }
        Principal::User { .. } => Err(ApiError::unauthorized_msg(
            "The MCP server takes workspace API keys (hk_…).",
        )),
    }
}

/// The arguments as the tool's input type; a mismatch is the REST API's 400.
fn args<T: serde::de::DeserializeOwned>(arguments: JsonObject) -> ApiResult<T> {
    serde_json::from_value(serde_json::Value::Object(arguments))
        .map_err(|e| ApiError::bad_request(format!("The arguments do not match: {e}")))
}

fn json(value: impl serde::Serialize) -> ApiResult<serde_json::Value> {
    serde_json::to_value(value).map_err(ApiError::internal)
}

async fn run(
    state: &AppState,
    principal: &Principal,
    name: &str,
    arguments: JsonObject,
) -> ApiResult<serde_json::Value> {
    let spec = spec(name).ok_or_else(|| ApiError::not_found("tool"))?;
    let ws = admit(principal, spec.rule())?;
    let (st, p) = (state, principal);
    match spec.name {
        "list_tickets" => {
            let a: ListTickets = args(arguments)?;
            let q = TicketListQuery {
                status: a.status,
                assignee: a.assignee,
                q: a.q,
                sort: a.sort,
                tag: a.tag,
                limit: a.limit,
                cursor: a.cursor,
            };
            json(tickets::list(st, p, ws, &q).await?)
        }
        "get_ticket" => {
            let a: TicketRef = args(arguments)?;
            json(tickets::detail(st, p, ws, tickets::parse_key(&a.ticket)?).await?)
        }
        "reply_to_ticket" => {
            let a: Reply = args(arguments)?;
            let key = tickets::parse_key(&a.ticket)?;
            let body = ReplyIn {
                body: a.body,
                email_visitor: a.email_visitor,
                attachment_ids: vec![],
            };
            json(tickets::reply(st, p, ws, key, body).await?)
        }
        "add_internal_note" => {
            let a: Note = args(arguments)?;
            let key = tickets::parse_key(&a.ticket)?;
            json(notes::add_to_ticket(st, p, ws, key, NoteIn { body: a.body }).await?)
        }
        "assign_ticket" => {
            let a: Assign = args(arguments)?;
            let key = tickets::parse_key(&a.ticket)?;
            let body = AssignTicket {
                assignee_id: a.assignee_id,
                version: a.version,
            };
            json(tickets::assign(st, p, ws, key, body).await?)
        }
        "change_ticket_status" => {
            let a: SetStatus = args(arguments)?;
            let key = tickets::parse_key(&a.ticket)?;
            let body = ChangeStatus {
                status: a.status,
                version: a.version,
            };
            json(tickets::change_status(st, p, ws, key, body).await?)
        }
        "list_team_members" => {
            let _: NoArguments = args(arguments)?;
            json(team::members(st, p, ws).await?)
        }
        "search_knowledge_base" => {
            let a: SearchKb = args(arguments)?;
            json(kb_search::search(st, p, ws, &a.query, a.limit).await?)
        }
        "get_article" => {
            let a: ArticleRef = args(arguments)?;
            json(articles::get(st, p, ws, a.id).await?)
        }
        "create_article" => {
            let a: NewArticle = args(arguments)?;
            let body = ArticleIn {
                title: a.title,
                body: a.body,
                url: a.url,
            };
            json(articles::create(st, p, ws, &body).await?)
        }
        "update_article" => {
            let a: ArticleChange = args(arguments)?;
            let patch = ArticlePatch {
                title: a.title,
                body: a.body,
                url: a.url.map(Some),
            };
            json(articles::update(st, p, ws, a.id, &patch).await?)
        }
        other => Err(ApiError::internal(anyhow::anyhow!(
            "the tool {other} is in the table but has no handler"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tool_is_named_once_names_scopes_and_has_an_object_schema() {
        let mut names: Vec<&str> = TOOLS.iter().map(|t| t.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), TOOLS.len(), "a tool name is used twice");
        for t in TOOLS {
            assert!(!t.scopes.is_empty(), "{} names no scope", t.name);
            let tool = t.tool();
            assert_eq!(
                tool.input_schema.get("type"),
                Some(&serde_json::json!("object")),
                "{}",
                t.name
            );
            let described = tool.description.as_deref().unwrap_or_default();
            for s in t.scopes {
                assert!(described.contains(s.as_str()), "{described}");
            }
        }
        let status = spec("change_ticket_status").map(|t| (t.input)());
        let text = serde_json::to_string(&status).unwrap_or_default();
        for s in TicketStatus::ALL {
            assert!(text.contains(s.as_str()), "{text}");
        }
    }
}
