//! The OpenAPI document's root: info, tags, security schemes. Paths and schemas are
//! collected from the handlers by utoipa-actix-web.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Handoff API",
        description = "REST API of Handoff: an AI chat widget that hands visitors over to a human team through support tickets.\n\nAuthenticate with `Authorization: Bearer <token>`, where the token is a user access token (JWT, 15 minutes; renew with /api/v1/auth/refresh) or a workspace API key (`hk_…`). Errors are `{\"error\": {\"code\", \"message\", \"fields\"?}}`.",
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
        (name = "operator", description = "The instance operator's controls (users flagged with `handoff operator grant`): workspace plans")
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
                        "A user access token (JWT) or a workspace API key (hk_…)",
                    ))
                    .build(),
            ),
        );
    }
}
