//! The OpenAPI document's root: info, tags, security schemes. Paths and schemas are
//! collected from the handlers by utoipa-actix-web.

use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Handoff API",
        description = "REST API of Handoff: an AI chat widget that hands visitors over to a human team through support tickets.\n\nAuthenticate with `Authorization: Bearer <token>`, where the token is a user access token (JWT, 15 minutes; renew with /api/v1/auth/refresh) or a workspace API key (`hk_…`). An operation that takes API keys lists the `api_key` scheme with the scopes a key needs there (tickets:read, tickets:write, conversations:read, kb:read, kb:write, admin); a key without them gets 403 `missing_scope` naming them. Operations that list only `bearer` need a person. Errors are `{\"error\": {\"code\", \"message\", \"fields\"?}}`.",
        version = "1.0.0",
        license(name = "MIT")
    ),
    modifiers(&Security),
    components(schemas(crate::error::ErrorBody, crate::error::ErrorDetail)),
    tags(
        (name = "auth", description = "Accounts and sessions"),
        (name = "workspaces", description = "Workspaces (one website or bot each)"),
        (name = "team", description = "Members, roles and invitations"),
        (name = "api-keys", description = "Workspace API keys for integrations"),
        (name = "operations", description = "Health, readiness and metrics"),
        (name = "widget", description = "The public chat widget: sessions, messages, live events (widget key, then visitor token)"),
        (name = "knowledge-base", description = "Articles the assistant answers from"),
        (name = "ai-settings", description = "AI Instructions and their lint"),
        (name = "webhooks", description = "Signed event notifications (see docs/webhooks.md)"),
        (name = "operator", description = "The instance operator's controls (users flagged with `handoff operator grant`): workspace plans"),
        (name = "inbound", description = "Inbound mail from a mail provider: visitors' replies to ticket mail (see docs/email.md)"),
        (name = "attachments", description = "Files sent with messages: upload, then send with `attachment_ids`; signed, expiring download links (see docs/attachments.md)"),
        (name = "notes", description = "Internal notes on tickets and conversations (the team's only: never shown to the visitor) and your @mentions"),
        (name = "privacy", description = "A visitor's data exported as JSON or erased, the retention policy, and the audit log of team actions (see docs/privacy.md)"),
        (name = "saved-replies", description = "Canned answers agents insert into a reply by typing `/shortcut`, with `{{visitor.email}}`, `{{ticket.number}}`, `{{agent.name}}` and `{{workspace.name}}` filled in by the dashboard (see docs/agent-workspace.md)"),
        (name = "notifications", description = "What reaches the right person: your notification preferences, and what you have read of a ticket or conversation (unread counts; see docs/notifications.md)"),
        (name = "presence", description = "Who else has a ticket open right now, before two people answer the same visitor (see docs/agent-workspace.md)")
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A user access token (JWT): the member's role decides, API key scopes do not apply",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            crate::http::scopes::API_KEY_SCHEME,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A workspace API key (hk_…), sent as `Authorization: Bearer hk_…`. An operation lists the scopes a key needs; a key without one of them gets 403 missing_scope (see docs/mcp.md, Scopes)",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "visitor",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A widget visitor token, from POST /api/v1/widget/sessions",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "inbound_secret",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The server's INBOUND_WEBHOOK_SECRET (also accepted as the password of HTTP Basic auth)",
                    ))
                    .build(),
            ),
        );
    }
}

/// What the document gets once the handlers' paths are in (`app::openapi`): the common
/// answers and the links.
pub fn complete(openapi: &mut utoipa::openapi::OpenApi) {
    CommonResponses.modify(openapi);
    Links.modify(openapi);
}

/// The answers any operation of a kind can give, added where the handler's annotation does
/// not list them: the server gives them from its extractors and middleware, whatever the
/// handler (see `error::json_config`, `error::path_config`, `db::conn`).
struct CommonResponses;

fn error_response(description: &str) -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                Content::new(Some(Ref::from_schema_name("ErrorBody"))),
            )
            .build(),
    )
}

/// The 403 of an operation that takes no API keys.
const USER_SESSION_ONLY: &str = "An API key: this needs a user session";

/// Adds an error answer, or says more in the one the handler documents.
fn add_or_extend(op: &mut Operation, status: &str, description: &str) {
    match op.responses.responses.get_mut(status) {
        Some(RefOr::T(r)) if r.description.trim().is_empty() => {
            r.description = description.to_string();
        }
        Some(RefOr::T(r)) if !r.description.contains(description) => {
            r.description = format!("{}; or: {description}", r.description);
        }
        Some(_) => {}
        None => {
            op.responses
                .responses
                .insert(status.to_string(), error_response(description));
        }
    }
}

fn each_operation(openapi: &mut utoipa::openapi::OpenApi, mut f: impl FnMut(&str, &mut Operation)) {
    for (path, item) in openapi.paths.paths.iter_mut() {
        for op in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            f(path, op);
        }
    }
}

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        each_operation(openapi, |path, op| {
            let params = op.parameters.as_deref().unwrap_or_default();
            let has_path_params = params
                .iter()
                .any(|p| matches!(p, RefOr::T(p) if matches!(p.parameter_in, ParameterIn::Path)));
            let has_query = params
                .iter()
                .any(|p| matches!(p, RefOr::T(p) if matches!(p.parameter_in, ParameterIn::Query)));
            let has_body = op.request_body.is_some();
            let authenticated = op.security.as_ref().is_some_and(|s| !s.is_empty());
            let security = serde_json::to_value(&op.security).unwrap_or_default();
            let schemes: Vec<&str> = security
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r.as_object())
                .flat_map(|r| r.keys().map(String::as_str))
                .collect();
            let takes_keys = schemes.contains(&crate::http::scopes::API_KEY_SCHEME);
            let takes_users = schemes.contains(&"bearer");
            let database = !matches!(path, "/healthz" | "/metrics");
            let mut add = |status: &str, description: &str| {
                op.responses
                    .responses
                    .entry(status.to_string())
                    .or_insert_with(|| error_response(description));
            };
            if has_body {
                add(
                    "400",
                    "The body is not JSON, or not of the documented shape (`bad_request`)",
                );
                add("413", "The body is over 1 MiB (`payload_too_large`)");
                add("422", "Invalid fields (`validation`)");
            }
            if has_query {
                add("422", "Invalid query parameters (`validation`)");
            }
            if authenticated {
                add(
                    "401",
                    "No credential, or an invalid, expired or revoked one (`unauthorized`)",
                );
            }
            if takes_keys {
                add_or_extend(
                    op,
                    "403",
                    "An API key without the scopes listed under `api_key` (`missing_scope`)",
                );
            } else if takes_users {
                add_or_extend(op, "403", USER_SESSION_ONLY);
            }
            let mut add = |status: &str, description: &str| {
                op.responses
                    .responses
                    .entry(status.to_string())
                    .or_insert_with(|| error_response(description));
            };
            if has_path_params {
                add("404", "Not found, or not in a workspace of the caller");
            }
            if database {
                add(
                    "503",
                    "The database is unreachable or busy; retry later (`unavailable`)",
                );
            }
        });
    }
}

/// OpenAPI links: where an answer's ids lead (clients and the stateful fuzzer follow them).
struct Links;

/// (link name, target operation, its parameters).
type LinkSpec = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

const WS_ID: (&str, &str) = ("ws", "$request.path.ws");
const NEW_ID: (&str, &str) = ("id", "$response.body#/id");
const NEW_TICKET: (&str, &str) = ("ticket", "$response.body#/id");

const LINKS: &[(&str, &str, &[LinkSpec])] = &[
    (
        "create_workspace",
        "201",
        &[
            (
                "GetWorkspace",
                "get_workspace",
                &[("ws", "$response.body#/id")],
            ),
            (
                "ListMembers",
                "list_members",
                &[("ws", "$response.body#/id")],
            ),
            (
                "ListTickets",
                "list_tickets",
                &[("ws", "$response.body#/id")],
            ),
        ],
    ),
    (
        "create_ticket",
        "201",
        &[
            ("GetTicket", "get_ticket", &[WS_ID, NEW_TICKET]),
            (
                "ChangeTicketStatus",
                "change_ticket_status",
                &[WS_ID, NEW_TICKET],
            ),
            ("AssignTicket", "assign_ticket", &[WS_ID, NEW_TICKET]),
            (
                "AssignTicketToMe",
                "assign_ticket_to_me",
                &[WS_ID, NEW_TICKET],
            ),
            ("ReplyToTicket", "reply_to_ticket", &[WS_ID, NEW_TICKET]),
            ("TicketEvents", "ticket_events", &[WS_ID, NEW_TICKET]),
        ],
    ),
    (
        "create_article",
        "201",
        &[
            ("GetArticle", "get_article", &[WS_ID, NEW_ID]),
            ("ReplaceArticle", "replace_article", &[WS_ID, NEW_ID]),
            ("UpdateArticle", "update_article", &[WS_ID, NEW_ID]),
            ("DeleteArticle", "delete_article", &[WS_ID, NEW_ID]),
        ],
    ),
    (
        "create_webhook",
        "201",
        &[
            ("GetWebhook", "get_webhook", &[WS_ID, NEW_ID]),
            ("UpdateWebhook", "update_webhook", &[WS_ID, NEW_ID]),
            ("DeleteWebhook", "delete_webhook", &[WS_ID, NEW_ID]),
            (
                "ListWebhookDeliveries",
                "list_webhook_deliveries",
                &[WS_ID, NEW_ID],
            ),
            ("SendWebhookTest", "send_webhook_test", &[WS_ID, NEW_ID]),
        ],
    ),
    (
        "send_webhook_test",
        "202",
        &[(
            "RedeliverWebhookDelivery",
            "redeliver_webhook_delivery",
            &[
                WS_ID,
                ("id", "$request.path.id"),
                ("delivery_id", "$response.body#/id"),
            ],
        )],
    ),
    (
        "create_saved_reply",
        "201",
        &[
            ("GetSavedReply", "get_saved_reply", &[WS_ID, NEW_ID]),
            ("UpdateSavedReply", "update_saved_reply", &[WS_ID, NEW_ID]),
            ("DeleteSavedReply", "delete_saved_reply", &[WS_ID, NEW_ID]),
        ],
    ),
    (
        "create_api_key",
        "201",
        &[("RevokeApiKey", "revoke_api_key", &[WS_ID, NEW_ID])],
    ),
    (
        "create_invitation",
        "201",
        &[("RevokeInvitation", "revoke_invitation", &[WS_ID, NEW_ID])],
    ),
];

impl Modify for Links {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        each_operation(openapi, |_, op| {
            let Some(id) = op.operation_id.as_deref() else {
                return;
            };
            let Some((_, status, links)) = LINKS.iter().find(|(from, _, _)| *from == id) else {
                return;
            };
            let Some(RefOr::T(response)) = op.responses.responses.get_mut(*status) else {
                return;
            };
            for (name, target, params) in *links {
                let mut link = LinkBuilder::new().operation_id(*target);
                for (param, value) in *params {
                    link = link.parameter(*param, *value);
                }
                response
                    .links
                    .insert((*name).to_string(), RefOr::T(link.build()));
            }
        });
    }
}
