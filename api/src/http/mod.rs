//! HTTP plumbing shared by the routes: extractors (who is calling), the widget's CORS,
//! request ids, request metrics, security headers and the client's address.

pub mod body;
pub mod client_ip;
pub mod cors;
pub mod extract;
pub mod metrics;
pub mod nul;
pub mod request_id;
pub mod scopes;
pub mod security_headers;
pub mod session_cookie;
