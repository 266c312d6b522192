//! Operations JSON.

/// Liveness and readiness answers.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
    /// What works in a degraded way (e.g. the embedding model is missing and the
    /// assistant answers with word matching only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}
