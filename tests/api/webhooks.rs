//! Webhooks: CRUD, a signed delivery received by a real HTTP server, retries, the log.

use std::time::Duration;

use handoff::webhooks::sign;
use reqwest::StatusCode;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::tickets::setup;

async fn wait_for_requests(server: &MockServer, n: usize) -> Vec<wiremock::Request> {
    for _ in 0..200 {
        let got = server.received_requests().await.unwrap_or_default();
        if got.len() >= n {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("webhook receiver got fewer than {n} requests");
}

#[tokio::test]
async fn ticket_created_arrives_signed_and_is_logged() {
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/hooks/handoff"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&receiver)
        .await;
    let s = setup().await;
    let (code, hook) = s
        .app
        .post(
            &s.path("/webhooks"),
            Some(&s.owner.token),
            json!({"url": format!("{}/hooks/handoff", receiver.uri()), "events": ["ticket.created", "ticket.updated"]}),
        )
        .await;
    assert_eq!(code, StatusCode::CREATED, "{hook}");
    let secret = hook["secret"].as_str().unwrap_or_default().to_string();
    assert!(secret.starts_with("whsec_"));
    let hook_id = hook["id"].as_str().unwrap_or_default().to_string();
    // The secret is shown once.
    let (_, listed) = s.app.get(&s.path("/webhooks"), Some(&s.owner.token)).await;
    assert_eq!(listed["items"][0]["id"], hook["id"]);
    assert!(listed["items"][0].get("secret").is_none());
    let (_, one) = s
        .app
        .get(
            &s.path(&format!("/webhooks/{hook_id}")),
            Some(&s.owner.token),
        )
        .await;
    assert!(one.get("secret").is_none());

    let t = s.create("hook@example.com", "Webhook me").await;
    let reqs = wait_for_requests(&receiver, 1).await;
    let req = &reqs[0];
    let header = req
        .headers
        .get("Handoff-Signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let now = chrono::Utc::now().timestamp();
    assert_eq!(
        sign::verify(&secret, header, &req.body, now, 300),
        Ok(()),
        "signature {header}"
    );
    assert_eq!(
        sign::verify("whsec_wrong", header, &req.body, now, 300),
        Err(sign::VerifyError::Mismatch)
    );
    assert_eq!(
        req.headers
            .get("Handoff-Event")
            .and_then(|v| v.to_str().ok()),
        Some("ticket.created")
    );
    let body: Value = serde_json::from_slice(&req.body).unwrap_or_default();
    assert_eq!(body["event"], "ticket.created");
    assert_eq!(body["workspace_id"], json!(s.ws));
    assert_eq!(body["data"]["ticket"]["number"], "TKT-10001");
    assert_eq!(body["data"]["ticket"]["id"], t["id"]);
    assert_eq!(
        req.headers
            .get("Handoff-Delivery")
            .and_then(|v| v.to_str().ok()),
        body["id"].as_str()
    );

    // ticket.updated too; ticket.replied is not subscribed.
    s.status(t["id"].as_str().unwrap_or_default(), "in_progress")
        .await;
    s.app
        .post(
            &s.path(&format!(
                "/tickets/{}/replies",
                t["id"].as_str().unwrap_or_default()
            )),
            Some(&s.owner.token),
            json!({"body": "hi", "email_visitor": false}),
        )
        .await;
    let reqs = wait_for_requests(&receiver, 2).await;
    let second: Value = serde_json::from_slice(&reqs[1].body).unwrap_or_default();
    assert_eq!(second["event"], "ticket.updated");
    assert_eq!(second["data"]["ticket"]["status"], "in_progress");
    assert_eq!(second["data"]["changes"][0]["field"], "status");
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        receiver.received_requests().await.unwrap_or_default().len(),
        2
    );

    let (code, log) = s
        .app
        .get(
            &s.path(&format!("/webhooks/{hook_id}/deliveries")),
            Some(&s.owner.token),
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{log}");
    let items = log["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 2);
    assert!(
        items.iter().all(|d| d["status_code"] == 200
            && d["attempts"] == 1
            && d["delivered_at"].is_string()),
        "{log}"
    );
    assert_eq!(items[0]["event"], "ticket.updated", "newest first");
}

#[tokio::test]
async fn failed_deliveries_are_retried_and_recorded() {
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(2)
        .mount(&receiver)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&receiver)
        .await;
    let s = setup().await;
    let (_, hook) = s
        .app
        .post(
            &s.path("/webhooks"),
            Some(&s.owner.token),
            json!({"url": receiver.uri(), "events": ["ticket.replied", "conversation.message"]}),
        )
        .await;
    let t = s.create("retry@example.com", "Retry me").await;
    s.app
        .post(
            &s.path(&format!(
                "/tickets/{}/replies",
                t["id"].as_str().unwrap_or_default()
            )),
            Some(&s.owner.token),
            json!({"body": "Answer", "email_visitor": false}),
        )
        .await;
    // Two events, two failures between them, then both delivered.
    let reqs = wait_for_requests(&receiver, 4).await;
    let events: std::collections::HashSet<String> = reqs
        .iter()
        .filter_map(|r| serde_json::from_slice::<Value>(&r.body).ok())
        .filter_map(|b| b["event"].as_str().map(String::from))
        .collect();
    assert!(
        events.contains("ticket.replied") && events.contains("conversation.message"),
        "{events:?}"
    );
    let path = s.path(&format!(
        "/webhooks/{}/deliveries",
        hook["id"].as_str().unwrap_or_default()
    ));
    let mut done = false;
    for _ in 0..100 {
        let (_, log) = s.app.get(&path, Some(&s.owner.token)).await;
        let items = log["items"].as_array().cloned().unwrap_or_default();
        if items.len() == 2 && items.iter().all(|d| d["delivered_at"].is_string()) {
            let attempts: i64 = items.iter().filter_map(|d| d["attempts"].as_i64()).sum();
            assert_eq!(attempts, 4, "{log}");
            assert!(items.iter().all(|d| d["status_code"] == 204));
            done = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(done, "deliveries did not complete");
}

#[tokio::test]
async fn webhook_crud_validation_and_roles() {
    let s = setup().await;
    for (body, field) in [
        (
            json!({"url": "ftp://x.test", "events": ["ticket.created"]}),
            "url",
        ),
        (
            json!({"url": "not a url", "events": ["ticket.created"]}),
            "url",
        ),
        (json!({"url": "https://x.test/h", "events": []}), "events"),
        (
            json!({"url": "https://x.test/h", "events": ["ticket.deleted"]}),
            "events",
        ),
    ] {
        let (code, e) = s
            .app
            .post(&s.path("/webhooks"), Some(&s.owner.token), body)
            .await;
        assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(e["error"]["fields"][field].is_array(), "{e}");
    }
    let (code, hook) = s
        .app
        .post(
            &s.path("/webhooks"),
            Some(&s.owner.token),
            json!({"url": "https://x.test/h", "events": ["ticket.created"], "active": false}),
        )
        .await;
    assert_eq!(code, StatusCode::CREATED);
    let one = s.path(&format!(
        "/webhooks/{}",
        hook["id"].as_str().unwrap_or_default()
    ));
    let (code, updated) = s
        .app
        .patch(
            &one,
            Some(&s.owner.token),
            json!({"active": true, "events": ["ticket.created", "ticket.replied"]}),
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{updated}");
    assert_eq!(updated["active"], true);
    assert_eq!(
        updated["events"],
        json!(["ticket.created", "ticket.replied"])
    );
    let agent = s.app.register_user("Agent").await;
    crate::tickets::add_member_db(&s.app, &s.ws, &agent, "agent");
    let (code, _) = s.app.get(&s.path("/webhooks"), Some(&agent.token)).await;
    assert_eq!(code, StatusCode::FORBIDDEN);
    let (code, _) = s.app.delete(&one, Some(&s.owner.token)).await;
    assert_eq!(code, StatusCode::NO_CONTENT);
    let (code, _) = s.app.get(&one, Some(&s.owner.token)).await;
    assert_eq!(code, StatusCode::NOT_FOUND);
}
