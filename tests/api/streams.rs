//! Caps on live event streams: per visitor, per user or API key and per client network
//! across every server process (Postgres leases), and `MAX_STREAMS` per process. Over a cap
//! the stream is refused with 429 `too_many_streams` and a `Retry-After`; a stream that ends
//! gives its place back.

use handoff_tests::{EventStream, TestApp, WAIT, eventually, str_at};
use reqwest::StatusCode;
use serde_json::Value;

use crate::widget::{Site, session, site};

/// A refused stream: its status, `Retry-After` and body.
type Refusal = (StatusCode, Option<String>, Value);

/// Tries `path` (a `…/events` path) on `app` with a fresh ticket minted on `minted_on` with
/// `token`: `Ok` when it was admitted (it is closed again at once, which gives its place
/// back), else the refusal.
async fn try_open(
    app: &TestApp,
    minted_on: &TestApp,
    path: &str,
    token: &str,
) -> Result<(), Refusal> {
    let url = minted_on.stream_url(path, token).await;
    let resp = app
        .client
        .get(app.url(&url))
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let status = resp.status();
    if status == StatusCode::OK {
        return Ok(());
    }
    let retry = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    Err((status, retry, body))
}

/// Opens a stream that must be admitted.
async fn admitted(app: &TestApp, minted_on: &TestApp, path: &str, token: &str) -> EventStream {
    let url = minted_on.stream_url(path, token).await;
    app.event_stream(&url, None).await
}

/// Asserts that a stream is refused by a cap.
async fn refused(app: &TestApp, minted_on: &TestApp, path: &str, token: &str) -> Value {
    match try_open(app, minted_on, path, token).await {
        Err((StatusCode::TOO_MANY_REQUESTS, retry, body)) => {
            assert_eq!(body["error"]["code"], "too_many_streams", "{body}");
            assert!(
                retry.is_some_and(|r| r.parse::<u64>().is_ok_and(|s| s >= 1)),
                "a Retry-After"
            );
            body
        }
        Err((status, _, body)) => panic!("expected 429 too_many_streams, got {status}: {body}"),
        Ok(()) => panic!("expected 429 too_many_streams, the stream was admitted"),
    }
}

/// Ends the LISTEN sessions of the app's database: when they are back, every stream of
/// every process ends (and gives its place back).
fn end_every_stream(app: &TestApp) {
    use diesel::RunQueryDsl;
    diesel::sql_query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = 'handoff-listener'",
    )
    .execute(&mut app.db())
    .unwrap_or_else(|e| panic!("terminate the listeners: {e}"));
}

async fn widget_site(app: &TestApp) -> Site {
    site(app, "standard", false).await
}

#[tokio::test]
async fn a_visitors_stream_cap_holds_across_server_processes() {
    let a = TestApp::builder()
        .env("STREAMS_PER_VISITOR", "2")
        .spawn()
        .await;
    let b = TestApp::builder()
        .database(&a.db_name)
        .env("STREAMS_PER_VISITOR", "2")
        .spawn()
        .await;
    let s = widget_site(&a).await;
    let v = session(&a, &s).await;
    let path = "/api/v1/widget/events";
    let mut first = admitted(&a, &a, path, &v.token).await;
    let _second = admitted(&b, &a, path, &v.token).await;
    // The third, on either process, is one too many for this visitor.
    refused(&a, &a, path, &v.token).await;
    let body = refused(&b, &a, path, &v.token).await;
    assert!(
        str_at(&body, "/error/message").contains("visitor"),
        "{body}"
    );
    // Another visitor is not affected.
    let other = session(&a, &s).await;
    let _theirs = admitted(&a, &a, path, &other.token).await;

    // A stream that ends gives its place back. (A client that goes away is noticed at the
    // next heartbeat write; here the server ends every stream at once, as a listener
    // reconnect does.)
    end_every_stream(&a);
    first.ends().await;
    eventually("a freed place", WAIT, async || {
        try_open(&b, &a, path, &v.token)
            .await
            .map_err(|(status, _, body)| format!("{status}: {body}"))
    })
    .await;
}

#[tokio::test]
async fn a_users_and_an_api_keys_stream_caps_hold_across_server_processes() {
    let a = TestApp::builder()
        .env("STREAMS_PER_USER", "2")
        .spawn()
        .await;
    let b = TestApp::builder()
        .database(&a.db_name)
        .env("STREAMS_PER_USER", "2")
        .spawn()
        .await;
    let s = crate::tickets::setup_with(a).await;
    let path = s.path("/events");
    let _one = admitted(&s.app, &s.app, &path, &s.owner.token).await;
    let _two = admitted(&b, &s.app, &path, &s.owner.token).await;
    let body = refused(&b, &s.app, &path, &s.owner.token).await;
    assert!(str_at(&body, "/error/message").contains("user"), "{body}");

    // An API key of the workspace has a cap of its own.
    let (status, key) = s
        .app
        .post(
            &s.path("/api-keys"),
            Some(&s.owner.token),
            serde_json::json!({"name": "integration", "scopes": ["tickets:read", "conversations:read"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{key}");
    let secret = str_at(&key, "key").to_string();
    let _k1 = admitted(&s.app, &s.app, &path, &secret).await;
    let _k2 = admitted(&b, &s.app, &path, &secret).await;
    let body = refused(&s.app, &s.app, &path, &secret).await;
    assert!(
        str_at(&body, "/error/message").contains("API key"),
        "{body}"
    );
}

#[tokio::test]
async fn one_network_can_hold_only_so_many_streams() {
    let app = TestApp::builder()
        .env("STREAMS_PER_NETWORK", "2")
        .spawn()
        .await;
    let s = widget_site(&app).await;
    let path = "/api/v1/widget/events";
    // Every visitor of this test comes from 127.0.0.1.
    let (v1, v2, v3) = (
        session(&app, &s).await,
        session(&app, &s).await,
        session(&app, &s).await,
    );
    let _a = admitted(&app, &app, path, &v1.token).await;
    let _b = admitted(&app, &app, path, &v2.token).await;
    let body = refused(&app, &app, path, &v3.token).await;
    assert!(
        str_at(&body, "/error/message").contains("network"),
        "{body}"
    );
}

#[tokio::test]
async fn max_streams_caps_one_process() {
    let a = TestApp::builder().env("MAX_STREAMS", "1").spawn().await;
    let b = TestApp::builder()
        .database(&a.db_name)
        .env("MAX_STREAMS", "1")
        .spawn()
        .await;
    let s = widget_site(&a).await;
    let path = "/api/v1/widget/events";
    let (v1, v2) = (session(&a, &s).await, session(&a, &s).await);
    let mut first = admitted(&a, &a, path, &v1.token).await;
    let body = refused(&a, &a, path, &v2.token).await;
    assert!(str_at(&body, "/error/message").contains("server"), "{body}");
    // The cap is per process: the other one still has room.
    let _elsewhere = admitted(&b, &a, path, &v2.token).await;
    end_every_stream(&a);
    first.ends().await;
    eventually("a freed place in the process", WAIT, async || {
        try_open(&a, &a, path, &v2.token)
            .await
            .map_err(|(status, _, body)| format!("{status}: {body}"))
    })
    .await;
}
