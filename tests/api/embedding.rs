//! The widget's embedding rules hold (M1, L15) and the dashboard carries its security
//! headers (L8): the frame is never served without its `frame-ancestors`, keys are looked
//! up the same way everywhere, an unparseable Origin is refused when origins are listed,
//! country headers are believed only from trusted proxies.

use diesel::RunQueryDsl;
use diesel::sql_types::Text;
use handoff_tests::{TestApp, str_at};
use reqwest::StatusCode;
use serde_json::json;

use crate::widget::{Site, site, sql};

/// A server with a built frontend of its own (an index.html and the frame), so the
/// headers of the pages can be read.
async fn app_with_frontend(extra: &[(&str, &str)]) -> TestApp {
    let dir = std::env::temp_dir().join(format!("handoff-fe-{}", rand::random::<u64>()));
    std::fs::create_dir_all(dir.join("widget")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("index.html"), "<!doctype html><div id=root></div>")
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("widget/frame.html"), "<!doctype html><p>frame</p>")
        .unwrap_or_else(|e| panic!("{e}"));
    let mut b = TestApp::builder().env("FRONTEND_DIR", dir.display().to_string());
    for (k, v) in extra {
        b = b.env(k, *v);
    }
    b.spawn().await
}

async fn csp_of(app: &TestApp, path: &str) -> (StatusCode, String) {
    let resp = app
        .client
        .get(app.url(path))
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    let csp = resp
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (resp.status(), csp)
}

async fn restricted(app: &TestApp) -> Site {
    let site = site(app, "standard", true).await;
    sql(
        app,
        "UPDATE workspaces SET allowed_origins = ARRAY['https://shop.example.com'] WHERE id = $1::uuid",
        &site.ws,
    );
    site
}

#[tokio::test]
async fn the_frame_always_carries_its_frame_ancestors() {
    let app = app_with_frontend(&[]).await;
    let site = restricted(&app).await;
    let key = &site.widget_key;
    let wanted = "frame-ancestors https://shop.example.com";
    for path in [
        format!("/widget/frame?key={key}"),
        // The built file itself goes through the same handler.
        format!("/widget/frame.html?key={key}"),
        // `+` decodes to a space: the key is looked up the same way as everywhere else.
        format!("/widget/frame?key=+{key}"),
        format!("/widget/frame?key=%20{key}%20"),
    ] {
        let (status, csp) = csp_of(&app, &path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(csp, wanted, "{path}");
    }
    for path in [
        "/widget/frame?key=wk_unknown",
        "/widget/frame",
        "/widget/frame.html",
    ] {
        let (_, csp) = csp_of(&app, path).await;
        assert_eq!(
            csp, "frame-ancestors 'none'",
            "{path}: nobody may embed an unknown widget"
        );
    }
    // The widget API finds the key written the same way.
    let (status, _) = app
        .get(&format!("/api/v1/widget/config?widget_key=%20{key}"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_null_origin_is_refused_when_origins_are_listed() {
    let app = TestApp::spawn().await;
    let site = restricted(&app).await;
    let session = |origin: &'static str| {
        app.client
            .post(app.url("/api/v1/widget/sessions"))
            .header("Origin", origin)
            .json(&json!({"widget_key": site.widget_key, "page_url": "https://shop.example.com/"}))
            .send()
    };
    let sandboxed = session("null").await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        sandboxed.status(),
        StatusCode::FORBIDDEN,
        "a sandboxed frame's Origin"
    );
    let listed = session("https://shop.example.com")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(listed.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn country_headers_are_believed_only_from_trusted_proxies() {
    for (proxies, expected) in [(None, None), (Some("127.0.0.1"), Some("KP"))] {
        let mut b = TestApp::builder();
        if let Some(p) = proxies {
            b = b.env("TRUSTED_PROXIES", p);
        }
        let app = b.spawn().await;
        let site = site(&app, "standard", true).await;
        let resp = app
            .client
            .post(app.url("/api/v1/widget/sessions"))
            .header("CF-IPCountry", "KP")
            .json(&json!({"widget_key": site.widget_key, "page_url": "https://shop.example.com/"}))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(resp.status(), StatusCode::CREATED);
        let body: serde_json::Value = resp.json().await.unwrap_or_else(|e| panic!("{e}"));
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
            country: Option<String>,
        }
        let row: Row = diesel::sql_query("SELECT country FROM visitors WHERE id = $1::uuid")
            .bind::<Text, _>(str_at(&body, "visitor_id"))
            .get_result(&mut app.db())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            row.country.as_deref(),
            expected,
            "TRUSTED_PROXIES={proxies:?}"
        );
    }
}

#[tokio::test]
async fn the_dashboard_has_a_csp_and_hsts_over_https() {
    let app = app_with_frontend(&[]).await;
    let (status, csp) = csp_of(&app, "/tickets").await;
    assert_eq!(status, StatusCode::OK);
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("script-src 'self'"), "{csp}");
    let plain = app
        .client
        .get(app.url("/"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        plain.headers().get("strict-transport-security").is_none(),
        "not over http"
    );

    let https = app_with_frontend(&[("PUBLIC_URL", "https://support.example.com")]).await;
    let resp = https
        .client
        .get(https.url("/"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let hsts = resp
        .headers()
        .get("strict-transport-security")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(hsts.starts_with("max-age="), "HSTS over https: {hsts:?}");
}
