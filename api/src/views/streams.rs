//! Stream tickets JSON.

use serde::Serialize;
use utoipa::ToSchema;

/// A single-use ticket that opens one event stream: pass it as `?ticket=` in the
/// EventSource URL within `expires_in` seconds. It works once, for that stream only.
#[derive(Debug, Serialize, ToSchema)]
pub struct StreamTicketOut {
    #[schema(example = "hs_3f2a…")]
    pub ticket: String,
    pub expires_in: u64,
}
