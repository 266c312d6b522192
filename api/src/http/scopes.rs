//! The scopes an API key needs for each REST operation, in one table read from the
//! OpenAPI document the server serves, so that what is documented is what is enforced.
//!
//! An operation that API keys may call lists the `api_key` security scheme with the
//! scopes it needs (`security(("bearer" = []), ("api_key" = ["tickets:read"]))`: a user
//! session, or a key with `tickets:read`); one that lists only `bearer` needs a person,
//! and keys are refused whatever their scopes. A route that forgets to say fails closed.
//! The `Principal` and `Caller` extractors check a key against this table before the
//! handler runs (`http::extract`); MCP tools have their own table (`mcp::tools`).

use std::collections::HashMap;

use actix_web::{HttpRequest, web};

use crate::domain::scopes::{KeyRefused, KeyRule, Scopes};
use crate::error::{ApiError, ApiResult};

/// The security scheme of workspace API keys in the OpenAPI document.
pub const API_KEY_SCHEME: &str = "api_key";

/// `(method, route pattern)` → what a key needs there.
#[derive(Debug, Clone, Default)]
pub struct RouteScopes {
    rules: HashMap<(String, String), KeyRule>,
}

impl RouteScopes {
    /// The table of a spec: every operation that lists a bearer scheme gets a rule. An
    /// unknown scope name is an error naming the operation.
    pub fn from_spec(spec: &utoipa::openapi::OpenApi) -> Result<RouteScopes, String> {
        let spec = serde_json::to_value(spec).map_err(|e| e.to_string())?;
        let mut rules = HashMap::new();
        let Some(paths) = spec["paths"].as_object() else {
            return Ok(RouteScopes { rules });
        };
        for (path, item) in paths {
            let Some(item) = item.as_object() else {
                continue;
            };
            for (method, op) in item {
                let Some(reqs) = op["security"].as_array() else {
                    continue;
                };
                let mut rule = None;
                for req in reqs {
                    let Some(names) = req.get(API_KEY_SCHEME).and_then(|v| v.as_array()) else {
                        continue;
                    };
                    let words: Vec<&str> = names.iter().filter_map(|n| n.as_str()).collect();
                    let scopes = Scopes::from_names(&words)
                        .map_err(|n| format!("{method} {path} names an unknown scope {n:?}"))?;
                    if scopes.is_empty() {
                        return Err(format!(
                            "{method} {path} takes API keys without naming a scope"
                        ));
                    }
                    rule = Some(KeyRule::Needs(scopes));
                }
                let rule = rule.unwrap_or(KeyRule::UserSession);
                rules.insert((method.to_ascii_uppercase(), path.clone()), rule);
            }
        }
        Ok(RouteScopes { rules })
    }

    /// The rule of a route (`None`: not a documented operation).
    pub fn rule(&self, method: &str, pattern: &str) -> Option<KeyRule> {
        self.rules
            .get(&(method.to_string(), pattern.to_string()))
            .copied()
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

/// Whether the API key with `granted` may call the request's operation: 403
/// `missing_scope` naming what it lacks, or 403 when the operation takes no keys.
pub fn check_key(req: &HttpRequest, granted: Scopes) -> ApiResult<()> {
    let table = req
        .app_data::<web::Data<RouteScopes>>()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("RouteScopes missing")))?;
    let rule = req
        .match_pattern()
        .and_then(|p| table.rule(req.method().as_str(), &p));
    match rule {
        Some(rule) => rule.admits(granted).map_err(ApiError::from),
        None => Err(ApiError::from(KeyRefused::Undeclared)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::scopes::Scope;

    #[test]
    fn every_operation_of_the_api_has_a_rule_and_names_known_scopes() {
        let spec = crate::app::openapi();
        let table = match RouteScopes::from_spec(&spec) {
            Ok(t) => t,
            Err(e) => panic!("{e}"),
        };
        assert!(table.len() >= 50, "{} rules", table.len());
        let tickets = table.rule("GET", "/api/v1/workspaces/{ws}/tickets");
        assert_eq!(
            tickets,
            Some(KeyRule::Needs([Scope::TicketsRead].into_iter().collect()))
        );
        assert_eq!(
            table.rule("GET", "/api/v1/workspaces/{ws}/api-keys"),
            Some(KeyRule::UserSession)
        );
        assert_eq!(table.rule("GET", "/api/v1/nothing"), None);
    }
}
