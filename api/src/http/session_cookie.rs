//! The dashboard's refresh token as a cookie: `HttpOnly` (page scripts never see it, so an
//! XSS can't carry it away), `SameSite=Strict` (no other site's page sends it), `Secure`
//! when `PUBLIC_URL` is https, and scoped to `/api/v1/auth` (no other route receives it).
//!
//! Login sets it (and still returns the token in the body for API clients). Refresh and
//! logout take the token from the body when one is given (API clients), else from the
//! cookie; in cookie mode the request's `Origin` must be this server's own origin (a
//! second line of defence after SameSite, against same-site pages on other ports or
//! subdomains), and the answer carries the rotated token in the cookie only.

use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite, time};

use crate::config::Config;
use crate::error::ApiError;

pub const NAME: &str = "handoff_refresh";
pub const PATH: &str = "/api/v1/auth";

fn secure(config: &Config) -> bool {
    config.public_url.starts_with("https://")
}

/// The cookie that carries `token`, living as long as the refresh token may.
pub fn set(config: &Config, token: &str) -> Cookie<'static> {
    Cookie::build(NAME, token.to_string())
        .path(PATH)
        .http_only(true)
        .secure(secure(config))
        .same_site(SameSite::Strict)
        .max_age(time::Duration::seconds(
            config.refresh_ttl.min(config.session_max).as_secs() as i64,
        ))
        .finish()
}

/// The cookie that removes it.
pub fn clear(config: &Config) -> Cookie<'static> {
    let mut c = set(config, "");
    c.make_removal();
    c
}

/// The refresh token from the cookie, if the request carries one.
pub fn token(req: &HttpRequest) -> Option<String> {
    req.cookie(NAME)
        .map(|c| c.value().to_string())
        .filter(|v| !v.is_empty())
}

/// Cookie mode's CSRF check: the request's `Origin` must be this server's own origin, as
/// `PUBLIC_URL` names it or as the request's `Host` does (a same-origin request).
pub fn check_origin(req: &HttpRequest, config: &Config) -> Result<(), ApiError> {
    let refused = || {
        ApiError::forbidden_code(
            "origin_refused",
            "A refresh by cookie must come from the dashboard's own origin.",
        )
    };
    let origin = req
        .headers()
        .get(actix_web::http::header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| url::Url::parse(v).ok())
        .ok_or_else(refused)?;
    let origin = origin.origin();
    if url::Url::parse(&config.public_url).is_ok_and(|u| u.origin() == origin) {
        return Ok(());
    }
    // Same-origin: the Origin's host and port are the request's Host (its scheme is the
    // Origin's own; a proxy may terminate TLS).
    let same_host = req
        .headers()
        .get(actix_web::http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .and_then(|host| {
            let scheme = origin.ascii_serialization();
            let scheme = scheme.split("://").next()?.to_string();
            url::Url::parse(&format!("{scheme}://{host}")).ok()
        })
        .is_some_and(|u| u.origin() == origin);
    if same_host { Ok(()) } else { Err(refused()) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;
    use std::collections::HashMap;

    fn config(public_url: &str) -> anyhow::Result<Config> {
        let m: HashMap<&str, String> = [
            ("DATABASE_URL", "postgres://x".to_string()),
            (
                "JWT_SECRET",
                "q1kZ4vX8m2P0bT7eW9yR3uA6sD5fG8hJ1kL4zX7cV0o=".to_string(),
            ),
            ("PUBLIC_URL", public_url.to_string()),
        ]
        .into();
        Config::from_lookup(|k| m.get(k).cloned())
    }

    #[test]
    fn the_cookie_is_http_only_strict_and_scoped_to_the_auth_routes() -> anyhow::Result<()> {
        let c = set(&config("https://support.example.com")?, "hr_x").to_string();
        for part in [
            "handoff_refresh=hr_x",
            "HttpOnly",
            "SameSite=Strict",
            "Path=/api/v1/auth",
            "Secure",
            "Max-Age=",
        ] {
            assert!(c.contains(part), "{part} missing from {c}");
        }
        let plain = set(&config("http://localhost:8080")?, "hr_x").to_string();
        assert!(!plain.contains("Secure"), "{plain}");
        Ok(())
    }

    #[test]
    fn only_the_servers_own_origin_may_refresh_by_cookie() -> anyhow::Result<()> {
        let c = config("https://support.example.com")?;
        let with = |origin: Option<&str>, host: &str| {
            let mut r = TestRequest::post().insert_header(("Host", host));
            if let Some(o) = origin {
                r = r.insert_header(("Origin", o));
            }
            check_origin(&r.to_http_request(), &c).is_ok()
        };
        assert!(with(Some("https://support.example.com"), "internal:8080"));
        assert!(with(Some("http://127.0.0.1:8080"), "127.0.0.1:8080"));
        assert!(!with(
            Some("https://evil.example.com"),
            "support.example.com"
        ));
        assert!(!with(Some("https://support.example.com:8443"), "x"));
        assert!(!with(Some("null"), "support.example.com"));
        assert!(!with(None, "support.example.com"));
        Ok(())
    }
}
