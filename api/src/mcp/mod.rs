//! The MCP server at `/mcp` (Model Context Protocol over streamable HTTP, rmcp's server
//! mounted in actix-web by rmcp-actix-web): AI clients (Claude Desktop, IDEs, agents) work
//! the support inbox and the knowledge base with a workspace API key, `Authorization:
//! Bearer hk_…`. docs/mcp.md lists the tools, their scopes and how to connect.
//!
//! - Stateless: every POST is answered on its own (no `Mcp-Session-Id`, nothing kept in
//!   this process), so any server copy answers any request.
//! - The key is authenticated before rmcp sees the request (`authenticate`: 401 without a
//!   live key); rmcp strips the header, and the principal travels in the request's
//!   extensions to the handler.
//! - Tools and resources check the key's scopes (`tools::TOOLS`) and call the services
//!   the REST routes call.

pub mod resources;
pub mod tools;

use std::sync::Arc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest, ResponseError, web};
use rmcp::ErrorData as McpError;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, Implementation, ListResourceTemplatesResult,
    ListResourcesResult, ListToolsResult, PaginatedRequestParams, ReadResourceRequestParams,
    ReadResourceResponse, ReadResourceResult, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, ServerHandler};
use rmcp_actix_web::transport::{LocalSessionManager, StreamableHttpService};

use crate::domain::access::Principal;
use crate::error::ApiError;
use crate::http::extract::bearer_token;
use crate::services::accounts;
use crate::state::AppState;

/// Where the server is mounted.
pub const PATH: &str = "/mcp";
/// The largest request body (as the REST API's JSON bodies).
const BODY_LIMIT: usize = 1024 * 1024;

/// The authenticated key of an MCP request.
#[derive(Debug, Clone)]
pub struct McpCaller(pub Principal);

/// The MCP server of one request (rmcp makes one per request in stateless mode).
#[derive(Clone)]
pub struct HandoffMcp {
    state: web::Data<AppState>,
}

const INSTRUCTIONS: &str = "Handoff is a support inbox: tickets that website visitors opened through the site's AI chat, with the whole conversation, the team's internal notes and a workflow (open, in_progress, resolved, closed), and the knowledge base the site's assistant answers from. Find tickets with list_tickets, read one with get_ticket, answer the visitor with reply_to_ticket (the visitor reads it), write to the team with add_internal_note, and look answers up with search_knowledge_base. Each tool says the API key scope it needs.";

/// The rmcp service for `/mcp`: stateless, JSON answers, `Host` checked against the
/// server's own names (DNS rebinding), bodies up to 1 MiB.
pub fn service(state: web::Data<AppState>) -> StreamableHttpService<HandoffMcp> {
    let hosts = allowed_hosts(&state.config.public_url);
    StreamableHttpService::builder()
        .service_factory(Arc::new(move || {
            Ok(HandoffMcp {
                state: state.clone(),
            })
        }))
        .session_manager(Arc::new(LocalSessionManager::default()))
        .stateful_mode(false)
        .json_response(true)
        .max_request_body_bytes(BODY_LIMIT)
        .allowed_hosts(hosts)
        .on_request_fn(|req: &HttpRequest, ext: &mut rmcp::model::Extensions| {
            if let Some(caller) = req.extensions().get::<McpCaller>() {
                ext.insert(caller.clone());
            }
        })
        .build()
}

/// Loopback names and the host of `PUBLIC_URL` (any port).
pub fn allowed_hosts(public_url: &str) -> Vec<String> {
    let mut hosts: Vec<String> = ["localhost", "127.0.0.1", "::1"]
        .into_iter()
        .map(String::from)
        .collect();
    if let Some(host) = url::Url::parse(public_url)
        .ok()
        .and_then(|u| u.host_str().map(|h| h.trim_matches(['[', ']']).to_string()))
        && !hosts.contains(&host)
    {
        hosts.push(host);
    }
    hosts
}

/// Middleware of the `/mcp` scope: a live workspace API key, or 401 (with a
/// `WWW-Authenticate` challenge) before rmcp reads anything.
pub async fn authenticate(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    match principal_of(&req).await {
        Ok(principal) => {
            req.extensions_mut().insert(McpCaller(principal));
            Ok(next.call(req).await?.map_into_left_body())
        }
        Err(e) => {
            let mut resp = e.error_response();
            if e.status_code() == actix_web::http::StatusCode::UNAUTHORIZED {
                resp.headers_mut().insert(
                    actix_web::http::header::WWW_AUTHENTICATE,
                    actix_web::http::header::HeaderValue::from_static(
                        r#"Bearer realm="Handoff MCP""#,
                    ),
                );
            }
            Ok(req.into_response(resp).map_into_right_body())
        }
    }
}

async fn principal_of(req: &ServiceRequest) -> Result<Principal, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("AppState missing")))?;
    let token = bearer_token(req.request())
        .filter(|t| t.starts_with("hk_"))
        .ok_or_else(|| {
            ApiError::unauthorized_msg(
                "The MCP server takes a workspace API key: Authorization: Bearer hk_… (make one in the dashboard, API keys).",
            )
        })?;
    accounts::authenticate_api_key(&state, &token).await
}

/// The key the middleware put in the request.
fn caller(ctx: &RequestContext<RoleServer>) -> Result<Principal, McpError> {
    rmcp_actix_web::transport::on_request_extensions(&ctx.extensions)
        .and_then(|e| e.get::<McpCaller>())
        .map(|c| c.0.clone())
        .ok_or_else(|| McpError::internal_error("the request carries no authenticated key", None))
}

impl ServerHandler for HandoffMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .build(),
        )
        .with_server_info(
            Implementation::new("handoff", env!("CARGO_PKG_VERSION")).with_title("Handoff"),
        )
        .with_instructions(INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        Ok(ListToolsResult::with_all_items(
            tools::TOOLS.iter().map(tools::ToolSpec::tool).collect(),
        ))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        tools::spec(name).map(tools::ToolSpec::tool)
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let principal = caller(&ctx)?;
        if tools::spec(&request.name).is_none() {
            return Err(McpError::invalid_params(
                format!("There is no tool {:?}.", request.name),
                None,
            ));
        }
        Ok(
            tools::call(&self.state, &principal, &request.name, request.arguments)
                .await
                .into(),
        )
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, McpError> {
        let principal = caller(&ctx)?;
        resources::list(&self.state, &principal)
            .await
            .map_err(|e| resources::protocol_error(&e))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, McpError> {
        Ok(resources::templates())
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, McpError> {
        let principal = caller(&ctx)?;
        match resources::read(&self.state, &principal, &request.uri).await {
            Ok(Some(contents)) => Ok(ReadResourceResult::new(vec![contents]).into()),
            Ok(None) => Err(McpError::resource_not_found(
                format!("There is no resource {}.", request.uri),
                None,
            )),
            Err(e) => Err(resources::protocol_error(&e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_loopback_and_the_public_host() {
        assert_eq!(
            allowed_hosts("https://support.example.com/"),
            vec!["localhost", "127.0.0.1", "::1", "support.example.com"]
        );
        assert_eq!(
            allowed_hosts("http://localhost:8080"),
            vec!["localhost", "127.0.0.1", "::1"]
        );
        assert_eq!(
            allowed_hosts("http://[::1]:8080"),
            vec!["localhost", "127.0.0.1", "::1"]
        );
    }
}
