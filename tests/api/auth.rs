//! Accounts: register, login, refresh rotation and reuse detection, logout, me, rate limits.

use handoff_tests::TestApp;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn register_login_me() {
    let app = TestApp::spawn().await;
    let (status, body) = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({"email": "Ana@Example.com", "password": "long enough pw", "name": "Ana"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["user"]["email"], "ana@example.com");
    assert!(body["access_token"].as_str().is_some_and(|t| t.len() > 20));
    assert!(
        body["refresh_token"]
            .as_str()
            .is_some_and(|t| t.starts_with("hr_"))
    );
    assert_eq!(body["expires_in"], 900);

    let (status, body) = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "ana@EXAMPLE.com", "password": "long enough pw"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let token = body["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();

    let (status, me) = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["email"], "ana@example.com");
    assert_eq!(me["workspaces"], json!([]));

    app.create_workspace(&token, "standard").await;
    let (_, me) = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me["workspaces"][0]["role"], "owner");
    assert_eq!(me["workspaces"][0]["name"], "Acme");
}

#[tokio::test]
async fn register_rejects_bad_input_and_duplicates() {
    let app = TestApp::spawn().await;
    let (status, body) = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({"email": "nope", "password": "short", "name": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "validation_failed");
    for f in ["email", "password", "name"] {
        assert!(
            body["error"]["fields"][f].is_array(),
            "missing field error for {f}: {body}"
        );
    }
    let user = app.register_user("Bo").await;
    let (status, body) = app
        .post("/api/v1/auth/register", None, json!({"email": user.email.to_uppercase(), "password": "another password", "name": "Bo"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "email_taken");
}

#[tokio::test]
async fn login_failures_are_401_and_password_is_hashed_with_argon2id() {
    let app = TestApp::spawn().await;
    let user = app.register_user("Cy").await;
    let (status, body) = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": user.email, "password": "wrong password"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "unauthorized");
    let (status, _) = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "nobody@example.com", "password": "whatever pw"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct H {
        #[diesel(sql_type = diesel::sql_types::Text)]
        password_hash: String,
    }
    let mut db = app.db();
    let h: H = diesel::sql_query("SELECT password_hash FROM users LIMIT 1")
        .get_result(&mut db)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(h.password_hash.starts_with("$argon2id$"));
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let app = TestApp::spawn().await;
    let user = app.register_user("Di").await;

    let (status, first) = app
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": user.refresh_token}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let second_refresh = first["refresh_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_ne!(second_refresh, user.refresh_token);
    let (status, _) = app.get("/api/v1/me", first["access_token"].as_str()).await;
    assert_eq!(status, StatusCode::OK);

    // The old token is presented again (stolen?): the whole family dies.
    let (status, body) = app
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": user.refresh_token}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, _) = app
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": second_refresh}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the newer token of the family is revoked too"
    );

    // Refresh tokens are stored hashed.
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct C {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut db = app.db();
    let c: C = diesel::sql_query(format!(
        "SELECT count(*) AS n FROM refresh_tokens WHERE token_hash = '{}'",
        user.refresh_token
    ))
    .get_result(&mut db)
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.n, 0);
}

#[tokio::test]
async fn logout_revokes_the_refresh_token() {
    let app = TestApp::spawn().await;
    let user = app.register_user("Ed").await;
    let (status, _) = app
        .post(
            "/api/v1/auth/logout",
            None,
            json!({"refresh_token": user.refresh_token}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": user.refresh_token}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bad_tokens_are_401() {
    let app = TestApp::spawn().await;
    let (status, body) = app.get("/api/v1/me", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "unauthorized");
    let (status, _) = app.get("/api/v1/me", Some("garbage.token.here")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app
        .get(
            "/api/v1/workspaces/00000000-0000-0000-0000-000000000000",
            Some("hk_nope"),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn login_is_rate_limited_per_email_with_retry_after() {
    let app = TestApp::builder().env("RATE_LIMITS", "on").spawn().await;
    let user = app.register_user("Fay").await;
    let mut limited = None;
    for i in 0..15 {
        let resp = app
            .client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"email": user.email, "password": "wrong guess"}))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        if resp.status() == StatusCode::TOO_MANY_REQUESTS {
            let retry: u64 = resp
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let body: serde_json::Value = resp.json().await.unwrap_or_default();
            assert_eq!(body["error"]["code"], "rate_limited");
            limited = Some((i, retry));
            break;
        }
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    }
    let (attempt, retry) = limited.unwrap_or_else(|| panic!("never rate limited"));
    assert_eq!(attempt, 10, "the 11th attempt in the window is refused");
    assert!((1..=300).contains(&retry), "Retry-After {retry}");
}

#[tokio::test]
async fn rate_limits_can_be_turned_off() {
    let app = TestApp::spawn().await; // RATE_LIMITS=off in tests by default
    let user = app.register_user("Gus").await;
    for _ in 0..15 {
        let (status, _) = app
            .post(
                "/api/v1/auth/login",
                None,
                json!({"email": user.email, "password": "wrong guess"}),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
}
