//! Accounts: register, login, refresh rotation and reuse detection, logout, me, rate limits.

use handoff_tests::{ExpectStatus, TestApp, str_at};
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
    let token = str_at(&body, "access_token").to_string();

    let (status, me) = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["email"], "ana@example.com");
    assert_eq!(me["workspaces"], json!([]));

    app.create_workspace(&token, "standard").await;
    let me = app
        .get("/api/v1/me", Some(&token))
        .await
        .expect_status(StatusCode::OK);
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
        .expect("a user row");
    assert!(h.password_hash.starts_with("$argon2id$"));
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    // No grace window: a reuse of the old token, however soon, is theft (the grace window's
    // own test is in sessions.rs).
    let app = TestApp::builder()
        .env("REFRESH_GRACE_SECS", "0")
        .spawn()
        .await;
    let user = app.register_user("Di").await;

    let (status, first) = app
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": user.refresh_token}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let second_refresh = str_at(&first, "refresh_token").to_string();
    assert_ne!(second_refresh, user.refresh_token);
    let (status, _) = app
        .get("/api/v1/me", Some(str_at(&first, "access_token")))
        .await;
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
    .expect("count refresh tokens");
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

/// Fails to log in as a new user up to 15 times; returns the attempt (from 0) that was
/// refused with 429 and its Retry-After, or `None` if every attempt was a plain 401.
async fn login_failures_until_limited(app: &TestApp, name: &str) -> Option<(usize, u64)> {
    // Signed up through the API, so no login has counted yet.
    let email = format!(
        "{}-{}@example.com",
        name.to_lowercase(),
        rand::random::<u32>()
    );
    let (status, body) = try_register(app, &email).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // 10 failures per fixed window: a loop that crosses a window's end may pass up to twice
    // that, so try 21 times (a slow machine can't hide the limit).
    for i in 0..21 {
        let resp = app
            .client
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"email": email, "password": "wrong guess"}))
            .send()
            .await
            .unwrap_or_else(|e| panic!("login: {e}"));
        if resp.status() == StatusCode::TOO_MANY_REQUESTS {
            let retry: u64 = resp
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let body: serde_json::Value = match resp.json().await {
                Ok(body) => body,
                Err(e) => panic!("the 429 body is not JSON: {e}"),
            };
            assert_eq!(body["error"]["code"], "rate_limited", "{body}");
            return Some((i, retry));
        }
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    }
    None
}

#[tokio::test]
async fn login_is_rate_limited_per_email_with_retry_after() {
    let app = TestApp::builder().env("RATE_LIMITS", "on").spawn().await;
    let (attempt, retry) = login_failures_until_limited(&app, "Fay")
        .await
        .expect("never rate limited");
    assert_eq!(attempt, 10, "the 11th attempt in the window is refused");
    assert!((1..=300).contains(&retry), "Retry-After {retry}");
}

/// The harness runs every app with `RATE_LIMITS=off` unless a test says otherwise; this
/// checks the product's switch itself, and that without the variable the limits are on.
#[tokio::test]
async fn rate_limits_can_be_turned_off() {
    let on = TestApp::builder().env("RATE_LIMITS", "on").spawn().await;
    assert!(
        login_failures_until_limited(&on, "Gus").await.is_some(),
        "RATE_LIMITS=on limits logins"
    );
    let off = TestApp::builder().env("RATE_LIMITS", "off").spawn().await;
    assert_eq!(
        login_failures_until_limited(&off, "Gus").await,
        None,
        "RATE_LIMITS=off: 15 failed logins, all 401"
    );
    let unset = TestApp::builder().unset_env("RATE_LIMITS").spawn().await;
    assert!(
        login_failures_until_limited(&unset, "Gus").await.is_some(),
        "the limits are on by default"
    );
}

async fn try_register(app: &TestApp, email: &str) -> (StatusCode, serde_json::Value) {
    app.post(
        "/api/v1/auth/register",
        None,
        json!({"email": email, "password": "correct horse battery", "name": "New"}),
    )
    .await
}

#[tokio::test]
async fn signup_closed_and_invite_only() {
    let app = TestApp::builder().env("SIGNUP", "closed").spawn().await;
    let (status, body) = try_register(&app, "someone@example.com").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "signup_closed");

    let app = TestApp::builder().env("SIGNUP", "invite").spawn().await;
    let (status, body) = try_register(&app, "stranger@example.com").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "signup_invite_only");
    // The operator's CLI still creates accounts; their owner invites someone, who can then
    // sign up with the invited address (and only that one).
    let mut conn = app.async_db().await;
    handoff::services::accounts::create_user(
        &mut conn,
        "owner@example.com",
        "Owner",
        "correct horse battery",
    )
    .await
    .expect("create-user");
    let (status, login) = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "owner@example.com", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{login}");
    let token = handoff_tests::str_at(&login, "access_token");
    let ws = app.create_workspace(token, "free").await;
    let (status, body) = app
        .post(
            &format!(
                "/api/v1/workspaces/{}/invitations",
                handoff_tests::id_of(&ws)
            ),
            Some(token),
            json!({"email": "Invited@Example.com", "role": "agent"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = try_register(&app, "invited@example.com").await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _) = try_register(&app, "uninvited@example.com").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn sign_up_mails_a_verification_link_and_invitations_wait_for_it() {
    let app = TestApp::spawn().await;
    let email = "new.owner@example.com";
    let (status, reg) = try_register(&app, email).await;
    assert_eq!(status, StatusCode::CREATED, "{reg}");
    let token = str_at(&reg, "access_token").to_string();
    let me = app
        .get("/api/v1/me", Some(&token))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(me["email_verified"], false, "{me}");
    let ws = app.create_workspace(&token, "free").await;
    let invite = format!(
        "/api/v1/workspaces/{}/invitations",
        handoff_tests::id_of(&ws)
    );
    let (status, body) = app
        .post(
            &invite,
            Some(&token),
            json!({"email": "x@example.com", "role": "agent"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "email_unverified");

    // A second mail mints a second token; only the newest link works.
    app.post("/api/v1/auth/verify-email/resend", Some(&token), json!({}))
        .await
        .expect_status(StatusCode::ACCEPTED);
    let tokens = app
        .link_tokens_for(email, "verify-email?token=ev_", 2)
        .await;
    assert_eq!(tokens.len(), 2, "{tokens:?}");
    // The outbox holds ids, never the link's token.
    for job in app.outbox_jobs("email") {
        assert_eq!(job.payload["template"], "verify_email", "{job:?}");
        assert!(!job.payload.to_string().contains("ev_"), "{job:?}");
    }
    for stale in [tokens[0].as_str(), "ev_made_up"] {
        let e = app
            .post("/api/v1/auth/verify-email", None, json!({"token": stale}))
            .await
            .expect_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(e["error"]["fields"]["token"].is_array(), "{e}");
    }
    let verified = app
        .post(
            "/api/v1/auth/verify-email",
            None,
            json!({"token": tokens[1]}),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(verified["email_verified"], true, "{verified}");
    app.post(
        "/api/v1/auth/verify-email",
        None,
        json!({"token": tokens[1]}),
    )
    .await
    .expect_status(StatusCode::UNPROCESSABLE_ENTITY);
    let (status, body) = app
        .post(
            &invite,
            Some(&token),
            json!({"email": "x@example.com", "role": "agent"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = app
        .post("/api/v1/auth/verify-email/resend", Some(&token), json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "already_verified");
}

/// M3 / M2: only failures count, per (email, network). A stranger's wrong guesses from
/// another network don't lock the real user out; rotating addresses inside one IPv6 /64
/// doesn't escape the count; successful logins never count.
#[tokio::test]
async fn login_failures_count_per_email_and_network_only() {
    let app = TestApp::builder()
        .env("RATE_LIMITS", "on")
        .env("TRUSTED_PROXIES", "127.0.0.1")
        .spawn()
        .await;
    let email = format!("target-{}@example.com", rand::random::<u32>());
    let (status, body) = try_register(&app, &email).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let login = |from: String, password: &'static str| {
        app.client
            .post(app.url("/api/v1/auth/login"))
            .header("X-Forwarded-For", from)
            .json(&json!({"email": email, "password": password}))
            .send()
    };
    // The attacker rotates through its /64: still one subject.
    let mut statuses = Vec::new();
    for i in 1..=11 {
        let resp = login(format!("2001:db8:1:2::{i:x}"), "wrong guess")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        statuses.push(resp.status().as_u16());
    }
    assert_eq!(statuses[..10], [401; 10], "{statuses:?}");
    assert_eq!(
        statuses[10], 429,
        "the 11th failure from the /64 is refused: {statuses:?}"
    );
    // The real user, elsewhere, logs in with the right password.
    for _ in 0..12 {
        let resp = login("198.51.100.2".into(), "correct horse battery")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(resp.status(), StatusCode::OK, "successes never count");
    }
}
