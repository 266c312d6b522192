//! The dashboard's refresh token lives in an HttpOnly, SameSite=Strict cookie scoped to
//! /api/v1/auth (L8); refresh and logout take it from there when the body has none, only
//! from the server's own origin. API clients keep using the body.

use handoff_tests::{TestApp, str_at};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, ORIGIN, SET_COOKIE};
use serde_json::{Value, json};

/// The `handoff_refresh` Set-Cookie of a response, if any.
fn refresh_cookie(resp: &reqwest::Response) -> Option<String> {
    resp.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("handoff_refresh="))
        .map(str::to_string)
}

fn value_of(set_cookie: &str) -> String {
    set_cookie
        .split(';')
        .next()
        .and_then(|kv| kv.split_once('='))
        .map(|(_, v)| v.to_string())
        .unwrap_or_default()
}

async fn post(
    app: &TestApp,
    path: &str,
    cookie: Option<&str>,
    origin: Option<&str>,
    body: Value,
) -> (StatusCode, Option<String>, Value) {
    let mut req = app.client.post(app.url(path)).json(&body);
    if let Some(c) = cookie {
        req = req.header(COOKIE, format!("handoff_refresh={c}"));
    }
    if let Some(o) = origin {
        req = req.header(ORIGIN, o);
    }
    let resp = match req.send().await {
        Ok(r) => r,
        Err(e) => panic!("POST {path}: {e}"),
    };
    let status = resp.status();
    let cookie = refresh_cookie(&resp);
    let body = resp.json::<Value>().await.unwrap_or(Value::Null);
    (status, cookie, body)
}

#[tokio::test]
async fn the_dashboard_refreshes_by_an_http_only_cookie_from_its_own_origin() {
    let app = TestApp::spawn().await;
    let user = app.register_user("Cookie").await;
    let own = app.addr.clone();

    // Login sets the cookie: HttpOnly, SameSite=Strict, only for the auth routes.
    let (status, set, body) = post(
        &app,
        "/api/v1/auth/login",
        None,
        None,
        json!({"email": user.email, "password": "correct horse battery"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let set = set.unwrap_or_else(|| panic!("login sets no refresh cookie"));
    for part in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/api/v1/auth",
        "Max-Age=",
    ] {
        assert!(set.contains(part), "{part} missing: {set}");
    }
    assert!(!set.contains("Secure"), "plain http gets no Secure: {set}");
    let first = value_of(&set);
    assert!(first.starts_with("hr_"), "{set}");
    assert_eq!(
        str_at(&body, "refresh_token"),
        first,
        "API clients still get it in the body"
    );

    // From another origin, or with no Origin at all: refused, and the cookie still works.
    for origin in [Some("https://evil.example.com"), Some("null"), None] {
        let (status, _, body) = post(
            &app,
            "/api/v1/auth/refresh",
            Some(&first),
            origin,
            json!({}),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{origin:?}: {body}");
        assert_eq!(body["error"]["code"], "origin_refused");
    }

    // From the server's own origin: a new access token in the body, the rotated refresh
    // token only in the cookie.
    let (status, set, body) = post(
        &app,
        "/api/v1/auth/refresh",
        Some(&first),
        Some(&own),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body.get("refresh_token").is_none(),
        "no refresh token in the body: {body}"
    );
    let access = str_at(&body, "access_token").to_string();
    let (status, _) = app.get("/api/v1/me", Some(&access)).await;
    assert_eq!(status, StatusCode::OK);
    let second = value_of(&set.unwrap_or_else(|| panic!("no rotated cookie")));
    assert!(second.starts_with("hr_") && second != first);

    // A made-up cookie: 401, and the answer removes the cookie.
    let (status, set, _) = post(
        &app,
        "/api/v1/auth/refresh",
        Some("hr_nope"),
        Some(&own),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let removal = set.unwrap_or_else(|| panic!("a refused cookie is not removed"));
    assert!(removal.contains("Max-Age=0"), "{removal}");

    // No cookie and no body token: 401.
    let (status, _, _) = post(&app, "/api/v1/auth/refresh", None, Some(&own), json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Logout by cookie: 204, the cookie removed, its session over.
    let (status, _, body) = post(
        &app,
        "/api/v1/auth/logout",
        Some(&second),
        Some("https://evil.example.com"),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no logout CSRF: {body}");
    let (status, set, _) = post(
        &app,
        "/api/v1/auth/logout",
        Some(&second),
        Some(&own),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(set.is_some_and(|c| c.contains("Max-Age=0")));
    let (status, _, _) = post(
        &app,
        "/api/v1/auth/refresh",
        None,
        None,
        json!({"refresh_token": second}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn api_clients_keep_the_refresh_token_in_the_body() {
    let app = TestApp::spawn().await;
    let user = app.register_user("Script").await;
    let (status, set, body) = post(
        &app,
        "/api/v1/auth/refresh",
        None,
        None,
        json!({"refresh_token": user.refresh_token}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(set.is_none(), "body mode sets no cookie");
    let next = str_at(&body, "refresh_token").to_string();
    assert!(next.starts_with("hr_") && next != user.refresh_token);
    let (status, _, _) = post(
        &app,
        "/api/v1/auth/logout",
        None,
        None,
        json!({"refresh_token": next}),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, _) = post(
        &app,
        "/api/v1/auth/refresh",
        None,
        None,
        json!({"refresh_token": next}),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_cookie_is_secure_when_served_over_https() {
    let app = TestApp::builder()
        .env("PUBLIC_URL", "https://support.example.com")
        .spawn()
        .await;
    let user = app.register_user("Tls").await;
    let (status, set, _) = post(
        &app,
        "/api/v1/auth/login",
        None,
        None,
        json!({"email": user.email, "password": "correct horse battery"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let set = set.unwrap_or_default();
    assert!(set.contains("Secure"), "{set}");
    // PUBLIC_URL's origin is the dashboard's, whatever the Host the proxy forwards.
    let (status, _, body) = post(
        &app,
        "/api/v1/auth/refresh",
        Some(&value_of(&set)),
        Some("https://support.example.com"),
        json!({}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}
