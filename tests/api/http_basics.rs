//! The error body everywhere, operations endpoints, docs.

use handoff_tests::{ExpectStatus, TestApp, id_of, str_at};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn malformed_json_is_400_and_oversize_is_413() {
    let app = TestApp::spawn().await;
    let resp = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = resp.json().await.expect("a JSON error");
    assert_eq!(body["error"]["code"], "bad_request");

    let (status, body) = app
        .post("/api/v1/auth/login", None, json!({"email": 5}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    let big = "x".repeat(1024 * 1024 + 10);
    let resp = app
        .client
        .post(app.url("/api/v1/auth/register"))
        .header("content-type", "application/json")
        .body(format!("{{\"email\":\"{big}\"}}"))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: serde_json::Value = resp.json().await.expect("a JSON error");
    assert_eq!(body["error"]["code"], "payload_too_large");
}

#[tokio::test]
async fn unknown_routes_are_json_404() {
    let app = TestApp::spawn().await;
    let (status, body) = app.get("/api/v1/definitely-not-here", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
    let user = app.register_user("Hal").await;
    let (status, body) = app
        .get("/api/v1/workspaces/not-a-uuid", Some(&user.token))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"]["code"], "not_found");
}

#[tokio::test]
async fn health_ready_metrics_and_docs() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/healthz", None).await.0, StatusCode::OK);
    assert_eq!(app.get("/readyz", None).await.0, StatusCode::OK);
    let (status, _) = app.get("/api/v1/me", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let resp = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), StatusCode::OK);
    let metrics = resp.text().await.expect("the metrics text");
    assert!(
        metrics.contains("http_requests_total{method=\"GET\",route=\"/api/v1/me\",status=\"401\"}"),
        "{metrics}"
    );
    assert!(metrics.contains("http_request_duration_seconds_bucket"));
    assert!(metrics.contains("db_pool_connections"));
    assert!(metrics.contains("outbox_jobs"));

    let (status, spec) = app.get("/api/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(spec["paths"]["/api/v1/auth/login"].is_object());
    let docs = app
        .client
        .get(app.url("/docs/"))
        .send()
        .await
        .expect("request");
    assert_eq!(docs.status(), StatusCode::OK);
    let html = docs.text().await.expect("the docs page");
    assert!(html.contains("swagger"), "docs page");
    assert!(
        !html.contains("https://"),
        "the docs must not load anything from the internet"
    );
}

#[tokio::test]
async fn readyz_is_503_when_the_database_is_gone() {
    let app = TestApp::spawn().await;
    // Drop the database under the running server.
    handoff_tests::drop_database(&app.db_name);
    handoff_tests::eventually(
        "/readyz answers 503",
        handoff_tests::WAIT,
        async || match app.get("/readyz", None).await {
            (StatusCode::SERVICE_UNAVAILABLE, _) => Ok(()),
            (status, body) => Err(format!("{status} {body}")),
        },
    )
    .await;
    let (status, body) = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "a@b.co", "password": "xxxxxxxxx"}),
        )
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["error"]["code"], "service_unavailable");
}

/// GET `path` from `origin`, which must answer `status`; returns Access-Control-Allow-Origin.
async fn acao(app: &TestApp, path: &str, origin: &str, status: StatusCode) -> Option<String> {
    let resp = app
        .client
        .get(app.url(path))
        .header("origin", origin)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    assert_eq!(resp.status(), status, "GET {path} from {origin}");
    resp.headers()
        .get("access-control-allow-origin")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

#[tokio::test]
async fn widget_cors_follows_the_workspace_allowed_origins() {
    let app = TestApp::spawn().await;
    let owner = app.register_user("Owner").await;
    let ws = app.create_workspace(&owner.token, "standard").await;
    let id = id_of(&ws);
    let key = str_at(&ws, "widget_key");
    let path = format!("/api/v1/widget/config?widget_key={key}");
    let ok = StatusCode::OK;

    // No allowed origins configured: any site may embed the widget.
    assert_eq!(
        acao(&app, &path, "https://anywhere.example", ok)
            .await
            .as_deref(),
        Some("https://anywhere.example")
    );

    app.patch(
        &format!("/api/v1/workspaces/{id}"),
        Some(&owner.token),
        json!({"allowed_origins": ["https://shop.example"]}),
    )
    .await
    .expect_status(StatusCode::OK);
    assert_eq!(
        acao(&app, &path, "https://shop.example", ok)
            .await
            .as_deref(),
        Some("https://shop.example")
    );
    assert_eq!(acao(&app, &path, "https://evil.example", ok).await, None);

    // Preflight answers; dashboard endpoints never get CORS headers.
    let pre = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/api/v1/widget/messages"))
        .header("origin", "https://shop.example")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .expect("request");
    assert!(pre.status().is_success());
    assert!(pre.headers().get("access-control-allow-headers").is_some());
    assert_eq!(
        acao(
            &app,
            "/api/v1/me",
            "https://shop.example",
            StatusCode::UNAUTHORIZED
        )
        .await,
        None
    );
}

#[tokio::test]
async fn responses_carry_a_request_id() {
    let app = TestApp::spawn().await;
    let resp = app
        .client
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), StatusCode::OK);
    let id = resp
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("an x-request-id header");
    assert_eq!(id.len(), 36, "a UUID request id: {id}");
}

/// The `http_*` series on /metrics.
async fn http_series(app: &TestApp) -> Vec<String> {
    let text = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET /metrics: {e}"))
        .text()
        .await
        .unwrap_or_else(|e| panic!("the metrics text: {e}"));
    text.lines()
        .filter(|l| {
            l.starts_with("http_requests_total{")
                || l.starts_with("http_request_duration_seconds_count{")
        })
        .map(|l| {
            l.rsplit_once(' ')
                .map_or(l, |(series, _)| series)
                .to_string()
        })
        .collect()
}

/// Requests with random methods and random paths of the same shapes.
async fn random_requests(app: &TestApp, n: usize) {
    for i in 0..n {
        let r: u64 = rand::random();
        let method =
            reqwest::Method::from_bytes(format!("X{r:x}{}", "A".repeat(i % 50)).as_bytes())
                .unwrap_or_else(|e| panic!("a token method: {e}"));
        let paths = [
            format!("/api/v1/nowhere/{r}"),
            format!("/api/v1/workspaces/{}", uuid::Uuid::new_v4()),
            format!("/no/such/page/{r}"),
            format!("/assets/{r}.js"),
        ];
        for path in &paths {
            app.client
                .request(method.clone(), app.url(path))
                .send()
                .await
                .unwrap_or_else(|e| panic!("{path}: {e}"));
            app.client
                .get(app.url(path))
                .send()
                .await
                .unwrap_or_else(|e| panic!("{path}: {e}"));
        }
    }
}

#[tokio::test]
async fn random_methods_and_paths_do_not_grow_metric_series() {
    let app = TestApp::spawn().await;
    random_requests(&app, 3).await;
    // The first scrape adds the /metrics series itself.
    http_series(&app).await;
    let before = http_series(&app).await;
    assert!(!before.is_empty(), "no http series at all");
    random_requests(&app, 40).await;
    let after = http_series(&app).await;
    assert_eq!(
        before.len(),
        after.len(),
        "new series appeared: {:?}",
        after
            .iter()
            .filter(|s| !before.contains(s))
            .take(5)
            .collect::<Vec<_>>()
    );
    assert!(
        after.iter().all(|s| s.len() < 200),
        "a label carries request data: {:?}",
        after.iter().find(|s| s.len() >= 200)
    );
}

/// Asserts `status` is 422 with the JSON error shape.
fn is_422(what: &str, status: StatusCode, body: &serde_json::Value) {
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {body}");
    assert_eq!(body["error"]["code"], "validation_failed", "{what}: {body}");
    assert!(body["error"]["fields"].is_object(), "{what}: {body}");
}

#[tokio::test]
async fn nul_bytes_bad_cursors_and_long_emails_are_422_never_500() {
    let app = TestApp::spawn().await;
    let site = crate::widget::site(&app, "standard", true).await;
    let ws = format!("/api/v1/workspaces/{}", site.ws);
    let owner = Some(site.owner_token.as_str());
    let visitor = crate::widget::session(&app, &site).await;
    let nul = "hi\u{0}there";
    let posts: Vec<(String, Option<&str>, serde_json::Value)> = vec![
        (
            "/api/v1/auth/register".into(),
            None,
            json!({"email": "n@example.com", "password": "correct horse battery", "name": nul}),
        ),
        (
            "/api/v1/auth/login".into(),
            None,
            json!({"email": nul, "password": "x"}),
        ),
        (
            "/api/v1/widget/sessions".into(),
            None,
            json!({"widget_key": site.widget_key, "page_url": format!("https://shop.example.com/{nul}")}),
        ),
        (
            "/api/v1/widget/messages".into(),
            Some(visitor.token.as_str()),
            json!({"body": nul}),
        ),
        (
            format!("{ws}/tickets"),
            owner,
            json!({"visitor_email": "v@example.com", "summary": nul}),
        ),
        (
            format!("{ws}/articles"),
            owner,
            json!({"title": nul, "body": "b"}),
        ),
    ];
    for (path, token, body) in posts {
        let (status, got) = app.post(&path, token, body).await;
        is_422(&path, status, &got);
    }
    let (status, got) = app.patch(&ws, owner, json!({"name": nul})).await;
    is_422("PATCH workspace", status, &got);
    let (status, got) = app.get(&format!("{ws}/tickets?q=a%00b"), owner).await;
    is_422("q with NUL", status, &got);
    // Text that merely shows a backslash-u is fine.
    let (status, got) = app
        .post(
            &format!("{ws}/tickets"),
            owner,
            json!({"visitor_email": "v@example.com", "summary": "a literal \\u0000"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{got}");

    // Cursors with timestamps Postgres can't hold.
    use base64::Engine;
    for micros in ["-8000000000000000000", "9000000000000000000"] {
        let raw = format!("created_desc:{micros}:{}", uuid::Uuid::nil().simple());
        let cursor = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
        let (status, got) = app
            .get(&format!("{ws}/tickets?cursor={cursor}"), owner)
            .await;
        is_422("out-of-range cursor", status, &got);
    }

    // Over-long emails.
    let long = format!("{}@example.com", "a".repeat(100_000));
    let (status, got) = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": long, "password": "x"}),
        )
        .await;
    is_422("login with a 100 KB email", status, &got);
    let (status, got) = app
        .post("/api/v1/auth/register", None, json!({"email": format!("{}@example.com", "a".repeat(250)), "password": "correct horse battery", "name": "N"}))
        .await;
    is_422("register with a 262-char email", status, &got);
}

#[tokio::test]
async fn the_pool_size_comes_from_database_pool_size() {
    let app = TestApp::builder()
        .env("DATABASE_POOL_SIZE", "3")
        .spawn()
        .await;
    let text = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("GET /metrics")
        .text()
        .await
        .expect("the metrics text");
    assert!(
        text.contains("db_pool_connections{state=\"max\"} 3"),
        "{text}"
    );
}
