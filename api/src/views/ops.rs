//! Operations JSON.

/// Liveness and readiness answers.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
}
