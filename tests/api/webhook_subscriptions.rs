//! Webhooks: subscriptions, signed deliveries to a real HTTP receiver, retries, delivery log.

use std::time::Duration;

use handoff_tests::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn setup(app: &TestApp) -> (handoff_tests::User, String, String) {
    let owner = app.register_user("Owner").await;
    let ws = app.create_workspace(&owner.token, "standard").await;
    (
        owner,
        ws["id"].as_str().unwrap_or_default().to_string(),
        ws["widget_key"].as_str().unwrap_or_default().to_string(),
    )
}

async fn visitor_says(app: &TestApp, key: &str, body: &str) {
    let (status, session) = app
        .post(
            "/api/v1/widget/sessions",
            None,
            json!({"widget_key": key, "page_url": "https://shop.example/cart"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{session}");
    let token = session["visitor_token"].as_str().unwrap_or_default();
    let (status, out) = app
        .post(
            "/api/v1/widget/messages",
            Some(token),
            json!({"body": body}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{out}");
}

async fn wait_for_requests(server: &MockServer, n: usize) -> Vec<wiremock::Request> {
    for _ in 0..200 {
        let got = server.received_requests().await.unwrap_or_default();
        if got.len() >= n {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the receiver got fewer than {n} requests");
}

#[tokio::test]
async fn webhook_crud_validation_and_access() {
    let app = TestApp::spawn().await;
    let (owner, ws, _) = setup(&app).await;
    let base = format!("/api/v1/workspaces/{ws}/webhooks");

    let (status, body) = app
        .post(
            &base,
            Some(&owner.token),
            json!({"url": "ftp://x", "events": ["ticket.created"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["url"].is_array());
    let (status, body) = app
        .post(
            &base,
            Some(&owner.token),
            json!({"url": "https://hooks.example/h", "events": ["ticket.exploded"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]["fields"]["events"][0]
            .as_str()
            .is_some_and(|m| m.contains("ticket.exploded"))
    );
    let (status, _) = app
        .post(
            &base,
            Some(&owner.token),
            json!({"url": "https://hooks.example/h", "events": []}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let (status, created) = app
        .post(&base, Some(&owner.token), json!({"url": "https://hooks.example/h", "events": ["ticket.created", "ticket.updated", "ticket.created"]}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert!(
        created["secret"]
            .as_str()
            .is_some_and(|s| s.starts_with("whsec_"))
    );
    assert_eq!(
        created["events"],
        json!(["ticket.created", "ticket.updated"])
    );
    let id = created["id"].as_str().unwrap_or_default();

    let (_, list) = app.get(&base, Some(&owner.token)).await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
    assert!(
        list["items"][0].get("secret").is_none(),
        "the secret is shown once"
    );

    let (status, upd) = app
        .patch(
            &format!("{base}/{id}"),
            Some(&owner.token),
            json!({"active": false, "events": ["ticket.replied"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{upd}");
    assert_eq!(upd["active"], false);
    assert_eq!(upd["events"], json!(["ticket.replied"]));

    // Agents can't manage webhooks; other workspaces can't see them.
    let agent = app.register_user("Agent").await;
    app.add_member(&owner.token, &ws, &agent, "agent").await;
    assert_eq!(
        app.get(&base, Some(&agent.token)).await.0,
        StatusCode::FORBIDDEN
    );
    let stranger = app.register_user("Stranger").await;
    let other = app.create_workspace(&stranger.token, "standard").await;
    let other_id = other["id"].as_str().unwrap_or_default();
    assert_eq!(
        app.get(&format!("{base}/{id}"), Some(&stranger.token))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/workspaces/{other_id}/webhooks/{id}"),
            Some(&stranger.token)
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.delete(
            &format!("/api/v1/workspaces/{other_id}/webhooks/{id}"),
            Some(&stranger.token)
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );

    let (status, _) = app
        .delete(&format!("{base}/{id}"), Some(&owner.token))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&format!("{base}/{id}"), Some(&owner.token)).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn deliveries_are_signed_and_logged() {
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/hooks"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&receiver)
        .await;
    let app = TestApp::spawn().await;
    let (owner, ws, key) = setup(&app).await;
    let (_, created) = app
        .post(
            &format!("/api/v1/workspaces/{ws}/webhooks"),
            Some(&owner.token),
            json!({"url": format!("{}/hooks", receiver.uri()), "events": ["conversation.message"]}),
        )
        .await;
    let secret = created["secret"].as_str().unwrap_or_default().to_string();
    let hook_id = created["id"].as_str().unwrap_or_default().to_string();

    visitor_says(&app, &key, "Hello there").await;
    // The visitor's message and the assistant's answer are both conversation messages.
    let requests = wait_for_requests(&receiver, 2).await;
    let mut bodies = Vec::new();
    for req in &requests {
        let sig = req
            .headers
            .get("handoff-signature")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let now = chrono::Utc::now().timestamp();
        assert_eq!(
            handoff::webhooks::sign::verify(&secret, sig, &req.body, now, 300),
            Ok(()),
            "valid signature"
        );
        assert!(handoff::webhooks::sign::verify("whsec_wrong", sig, &req.body, now, 300).is_err());
        assert_eq!(
            req.headers
                .get("handoff-event")
                .and_then(|v| v.to_str().ok()),
            Some("conversation.message")
        );
        let v: Value = serde_json::from_slice(&req.body).unwrap_or_default();
        assert_eq!(v["workspace_id"], ws.as_str());
        assert_eq!(
            req.headers
                .get("handoff-delivery")
                .and_then(|h| h.to_str().ok()),
            v["id"].as_str()
        );
        bodies.push(v);
    }
    assert!(
        bodies
            .iter()
            .any(|b| b["data"]["message"]["sender"] == "visitor"
                && b["data"]["message"]["body"] == "Hello there")
    );
    assert!(
        bodies
            .iter()
            .any(|b| b["data"]["message"]["sender"] == "assistant")
    );

    // The delivery log, keyset-paginated.
    let mut delivered = Vec::new();
    for _ in 0..50 {
        let (_, log) = app
            .get(
                &format!("/api/v1/workspaces/{ws}/webhooks/{hook_id}/deliveries?limit=1"),
                Some(&owner.token),
            )
            .await;
        if log["items"][0]["delivered_at"].is_string() {
            delivered.push(log.clone());
            let cursor = log["next_cursor"].as_str().unwrap_or_default().to_string();
            assert!(!cursor.is_empty(), "two deliveries, pages of one");
            let (_, page2) =
                app.get(&format!("/api/v1/workspaces/{ws}/webhooks/{hook_id}/deliveries?limit=1&cursor={cursor}"), Some(&owner.token)).await;
            assert_eq!(page2["items"].as_array().map(Vec::len), Some(1));
            assert_ne!(page2["items"][0]["id"], log["items"][0]["id"]);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let first = &delivered
        .first()
        .unwrap_or_else(|| panic!("no delivery logged"))["items"][0];
    assert_eq!(first["status_code"], 200);
    assert_eq!(first["attempts"], 1);
    let (status, _) = app
        .get(
            &format!("/api/v1/workspaces/{ws}/webhooks/{hook_id}/deliveries?cursor=garbage"),
            Some(&owner.token),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn failed_deliveries_are_retried_until_accepted() {
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&receiver)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&receiver)
        .await;
    let app = TestApp::spawn().await;
    let (owner, ws, key) = setup(&app).await;
    let (_, created) = app
        .post(
            &format!("/api/v1/workspaces/{ws}/webhooks"),
            Some(&owner.token),
            json!({"url": receiver.uri(), "events": ["conversation.message"]}),
        )
        .await;
    let hook_id = created["id"].as_str().unwrap_or_default().to_string();
    // Only visitor messages matter here: inactive hooks are skipped, so count what arrives.
    visitor_says(&app, &key, "hi").await;
    let mut done = false;
    for _ in 0..200 {
        let (_, log) = app
            .get(
                &format!("/api/v1/workspaces/{ws}/webhooks/{hook_id}/deliveries"),
                Some(&owner.token),
            )
            .await;
        let items = log["items"].as_array().cloned().unwrap_or_default();
        if !items.is_empty() && items.iter().all(|d| d["delivered_at"].is_string()) {
            let total_attempts: i64 = items
                .iter()
                .map(|d| d["attempts"].as_i64().unwrap_or(0))
                .sum();
            assert_eq!(
                total_attempts,
                items.len() as i64 + 2,
                "two refused attempts were retried"
            );
            assert!(items.iter().all(|d| d["status_code"] == 204));
            done = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(done, "deliveries never succeeded");
}
