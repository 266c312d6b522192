//! Webhooks: subscriptions (CRUD, validation, access), signed deliveries to a real HTTP
//! receiver for ticket and conversation events, retries, the keyset-paginated delivery log.

use diesel::RunQueryDsl;
use handoff::webhooks::sign;
use handoff_tests::{
    ExpectStatus, TestApp, WAIT, array_at, eventually, i64_at, id_of, str_at, wait_for_requests,
};
use reqwest::StatusCode;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::tickets::setup;

/// A header of a received request, as text.
fn header<'a>(req: &'a wiremock::Request, name: &str) -> Option<&'a str> {
    req.headers.get(name).and_then(|v| v.to_str().ok())
}

/// The JSON body of a received request.
fn body_of(req: &wiremock::Request) -> Value {
    match serde_json::from_slice(&req.body) {
        Ok(v) => v,
        Err(e) => panic!(
            "webhook body is not JSON ({e}): {}",
            String::from_utf8_lossy(&req.body)
        ),
    }
}

/// The events of every webhook job queued so far, in the order they were queued. The job is
/// written in the same transaction as the change, so right after a request returns this is
/// everything that request will ever deliver.
fn queued_webhook_events(app: &TestApp) -> Vec<String> {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        event: String,
    }
    let rows: Vec<Row> = match diesel::sql_query(
        "SELECT d.event FROM outbox_jobs j
           JOIN webhook_deliveries d ON d.id = (j.payload->>'delivery_id')::uuid
          WHERE j.kind = 'webhook' ORDER BY j.id",
    )
    .load(&mut app.db())
    {
        Ok(rows) => rows,
        Err(e) => panic!("reading webhook jobs: {e}"),
    };
    rows.into_iter().map(|r| r.event).collect()
}

/// Waits until the delivery log at `path` lists `n` deliveries, all delivered; returns it.
async fn wait_for_delivered(app: &TestApp, path: &str, token: &str, n: usize) -> Value {
    eventually(&format!("{n} delivered at {path}"), WAIT, async || {
        let log = app
            .get(path, Some(token))
            .await
            .expect_status(StatusCode::OK);
        let items = array_at(&log, "items");
        if items.len() == n && items.iter().all(|d| d["delivered_at"].is_string()) {
            Ok(log)
        } else {
            Err(log.to_string())
        }
    })
    .await
}

#[tokio::test]
async fn webhook_crud_validation_and_access() {
    let s = setup().await;
    let base = s.path("/webhooks");
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
        let e = s
            .app
            .post(&base, Some(&s.owner.token), body)
            .await
            .expect_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(e["error"]["fields"][field].is_array(), "{e}");
    }
    // An unknown event is named in the error.
    let e = s
        .app
        .post(
            &base,
            Some(&s.owner.token),
            json!({"url": "https://hooks.example/h", "events": ["ticket.exploded"]}),
        )
        .await
        .expect_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        str_at(&e, "/error/fields/events/0").contains("ticket.exploded"),
        "{e}"
    );

    // Events are deduplicated; the secret is shown once.
    let created = s
        .app
        .post(&base, Some(&s.owner.token), json!({"url": "https://hooks.example/h", "events": ["ticket.created", "ticket.updated", "ticket.created"]}))
        .await
        .expect_status(StatusCode::CREATED);
    assert!(
        str_at(&created, "secret").starts_with("whsec_"),
        "{created}"
    );
    assert_eq!(
        created["events"],
        json!(["ticket.created", "ticket.updated"])
    );
    let one = format!("{base}/{}", id_of(&created));
    let list = s
        .app
        .get(&base, Some(&s.owner.token))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(array_at(&list, "items").len(), 1, "{list}");
    assert!(
        list["items"][0].get("secret").is_none(),
        "the secret is shown once"
    );

    let upd = s
        .app
        .patch(
            &one,
            Some(&s.owner.token),
            json!({"active": false, "events": ["ticket.replied"]}),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(upd["active"], false);
    assert_eq!(upd["events"], json!(["ticket.replied"]));

    // A hook may start inactive and be switched on.
    let inactive = s
        .app
        .post(
            &base,
            Some(&s.owner.token),
            json!({"url": "https://x.test/h", "events": ["ticket.created"], "active": false}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    let updated = s
        .app
        .patch(
            &format!("{base}/{}", id_of(&inactive)),
            Some(&s.owner.token),
            json!({"active": true, "events": ["ticket.created", "ticket.replied"]}),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(updated["active"], true);
    assert_eq!(
        updated["events"],
        json!(["ticket.created", "ticket.replied"])
    );

    // Agents can't manage webhooks; other workspaces can't see them.
    let agent = s.app.register_user("Agent").await;
    s.app
        .add_member(&s.owner.token, &s.ws, &agent, "agent")
        .await;
    let (code, _) = s.app.get(&base, Some(&agent.token)).await;
    assert_eq!(code, StatusCode::FORBIDDEN);
    let stranger = s.app.register_user("Stranger").await;
    let other = s.app.create_workspace(&stranger.token, "standard").await;
    let foreign = format!(
        "/api/v1/workspaces/{}/webhooks/{}",
        str_at(&other, "id"),
        id_of(&created)
    );
    let (code, _) = s.app.get(&one, Some(&stranger.token)).await;
    assert_eq!(code, StatusCode::NOT_FOUND);
    let (code, _) = s.app.get(&foreign, Some(&stranger.token)).await;
    assert_eq!(code, StatusCode::NOT_FOUND);
    let (code, _) = s.app.delete(&foreign, Some(&stranger.token)).await;
    assert_eq!(code, StatusCode::NOT_FOUND);

    let (code, _) = s.app.delete(&one, Some(&s.owner.token)).await;
    assert_eq!(code, StatusCode::NO_CONTENT);
    let (code, _) = s.app.get(&one, Some(&s.owner.token)).await;
    assert_eq!(code, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn ticket_events_arrive_signed_and_are_logged() {
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/hooks/handoff"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&receiver)
        .await;
    let s = setup().await;
    let hook = s
        .app
        .post(
            &s.path("/webhooks"),
            Some(&s.owner.token),
            json!({"url": format!("{}/hooks/handoff", receiver.uri()), "events": ["ticket.created", "ticket.updated"]}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    let secret = str_at(&hook, "secret").to_string();
    assert!(secret.starts_with("whsec_"));
    let hook_id = id_of(&hook);
    // The secret is shown once.
    let listed = s
        .app
        .get(&s.path("/webhooks"), Some(&s.owner.token))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(listed["items"][0]["id"], hook["id"]);
    assert!(listed["items"][0].get("secret").is_none());
    let one = s
        .app
        .get(
            &s.path(&format!("/webhooks/{hook_id}")),
            Some(&s.owner.token),
        )
        .await
        .expect_status(StatusCode::OK);
    assert!(one.get("secret").is_none());

    let t = s.create("hook@example.com", "Webhook me").await;
    let reqs = wait_for_requests(&receiver, 1).await;
    let req = &reqs[0];
    let signature = header(req, "Handoff-Signature").expect("a signature header");
    let now = chrono::Utc::now().timestamp();
    assert_eq!(
        sign::verify(&secret, signature, &req.body, now, 300),
        Ok(()),
        "signature {signature}"
    );
    assert_eq!(
        sign::verify("whsec_wrong", signature, &req.body, now, 300),
        Err(sign::VerifyError::Mismatch)
    );
    assert_eq!(header(req, "Handoff-Event"), Some("ticket.created"));
    let body = body_of(req);
    assert_eq!(body["event"], "ticket.created");
    assert_eq!(body["workspace_id"], json!(s.ws));
    assert_eq!(body["data"]["ticket"]["number"], "TKT-10001");
    assert_eq!(body["data"]["ticket"]["id"], t["id"]);
    assert_eq!(header(req, "Handoff-Delivery"), Some(str_at(&body, "id")));

    // ticket.updated too; ticket.replied is not subscribed, so the reply queues nothing.
    s.set_status(&id_of(&t), "in_progress").await;
    s.reply(&id_of(&t), "hi", false).await;
    assert_eq!(
        queued_webhook_events(&s.app),
        ["ticket.created", "ticket.updated"]
    );
    let reqs = wait_for_requests(&receiver, 2).await;
    let second = body_of(&reqs[1]);
    assert_eq!(second["event"], "ticket.updated");
    assert_eq!(second["data"]["ticket"]["status"], "in_progress");
    assert_eq!(second["data"]["changes"][0]["field"], "status");

    let log = wait_for_delivered(
        &s.app,
        &s.path(&format!("/webhooks/{hook_id}/deliveries")),
        &s.owner.token,
        2,
    )
    .await;
    let items = array_at(&log, "items");
    assert!(
        items
            .iter()
            .all(|d| d["status_code"] == 200 && d["attempts"] == 1),
        "{log}"
    );
    assert_eq!(items[0]["event"], "ticket.updated", "newest first");
    // Both jobs are done and there were only two: nothing else will arrive.
    assert_eq!(wait_for_requests(&receiver, 2).await.len(), 2);
}

#[tokio::test]
async fn conversation_messages_arrive_signed_and_the_log_is_paginated() {
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/hooks"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&receiver)
        .await;
    let app = TestApp::spawn().await;
    let site = crate::widget::site(&app, "standard", false).await;
    let created = app
        .post(
            &format!("/api/v1/workspaces/{}/webhooks", site.ws),
            Some(&site.owner_token),
            json!({"url": format!("{}/hooks", receiver.uri()), "events": ["conversation.message"]}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    let secret = str_at(&created, "secret").to_string();
    let deliveries = format!(
        "/api/v1/workspaces/{}/webhooks/{}/deliveries",
        site.ws,
        id_of(&created)
    );

    let visitor = crate::widget::session(&app, &site).await;
    crate::widget::say(&app, &visitor, "Hello there").await;
    // The visitor's message and the assistant's answer are both conversation messages.
    let requests = wait_for_requests(&receiver, 2).await;
    let mut bodies = Vec::new();
    for req in &requests {
        let sig = header(req, "handoff-signature").expect("a signature header");
        let now = chrono::Utc::now().timestamp();
        assert_eq!(
            sign::verify(&secret, sig, &req.body, now, 300),
            Ok(()),
            "valid signature"
        );
        assert!(sign::verify("whsec_wrong", sig, &req.body, now, 300).is_err());
        assert_eq!(header(req, "handoff-event"), Some("conversation.message"));
        let v = body_of(req);
        assert_eq!(v["workspace_id"], site.ws.as_str());
        assert_eq!(header(req, "handoff-delivery"), Some(str_at(&v, "id")));
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

    // The delivery log, keyset-paginated: two deliveries, pages of one.
    let log = eventually("the newest delivery delivered", WAIT, async || {
        let log = app
            .get(&format!("{deliveries}?limit=1"), Some(&site.owner_token))
            .await
            .expect_status(StatusCode::OK);
        if log["items"][0]["delivered_at"].is_string() {
            Ok(log)
        } else {
            Err(log.to_string())
        }
    })
    .await;
    let cursor = str_at(&log, "next_cursor");
    assert!(!cursor.is_empty(), "two deliveries, pages of one");
    let page2 = app
        .get(
            &format!("{deliveries}?limit=1&cursor={cursor}"),
            Some(&site.owner_token),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(array_at(&page2, "items").len(), 1, "{page2}");
    assert_ne!(page2["items"][0]["id"], log["items"][0]["id"]);
    let first = &log["items"][0];
    assert_eq!(first["status_code"], 200);
    assert_eq!(first["attempts"], 1);
    let (code, _) = app
        .get(
            &format!("{deliveries}?cursor=garbage"),
            Some(&site.owner_token),
        )
        .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
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
    let s = setup().await;
    let hook = s
        .app
        .post(
            &s.path("/webhooks"),
            Some(&s.owner.token),
            json!({"url": receiver.uri(), "events": ["ticket.replied", "conversation.message"]}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    let t = s.create("retry@example.com", "Retry me").await;
    s.reply(&id_of(&t), "Answer", false).await;
    // An agent reply is both events: two deliveries, two refusals between them.
    let reqs = wait_for_requests(&receiver, 4).await;
    let events: std::collections::HashSet<String> = reqs
        .iter()
        .map(|r| str_at(&body_of(r), "event").to_string())
        .collect();
    assert!(
        events.contains("ticket.replied") && events.contains("conversation.message"),
        "{events:?}"
    );
    let log = wait_for_delivered(
        &s.app,
        &s.path(&format!("/webhooks/{}/deliveries", id_of(&hook))),
        &s.owner.token,
        2,
    )
    .await;
    let items = array_at(&log, "items");
    let attempts: i64 = items.iter().map(|d| i64_at(d, "attempts")).sum();
    assert_eq!(
        attempts,
        items.len() as i64 + 2,
        "two refused attempts were retried: {log}"
    );
    assert!(items.iter().all(|d| d["status_code"] == 204), "{log}");
}

/// Waits until the delivery log at `path` shows a failed attempt on every delivery; returns
/// the items.
async fn wait_for_failed_attempts(app: &TestApp, path: &str, token: &str) -> Vec<Value> {
    eventually(&format!("a failed attempt at {path}"), WAIT, async || {
        let log = app
            .get(path, Some(token))
            .await
            .expect_status(StatusCode::OK);
        let items = array_at(&log, "items");
        if !items.is_empty() && items.iter().all(|d| d["last_error"].is_string()) {
            Ok(items.to_vec())
        } else {
            Err(log.to_string())
        }
    })
    .await
}

#[tokio::test]
async fn private_destinations_are_refused_by_default() {
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&receiver)
        .await;
    let app = TestApp::builder()
        .unset_env("WEBHOOK_ALLOW_PRIVATE_NETWORKS")
        .spawn()
        .await;
    let s = crate::tickets::setup_with(app).await;
    let port = receiver.address().port();
    for url in [
        receiver.uri(),
        format!("http://localhost:{port}/hooks"),
        format!("http://[::ffff:127.0.0.1]:{port}/"),
        "http://10.0.0.5:9200/x/_doc".to_string(),
        "http://100.64.0.1/".to_string(),
        "http://169.254.169.254/latest/meta-data/".to_string(),
        "http://[fd00:ec2::254]/".to_string(),
        "http://[64:ff9b::a9fe:a9fe]/".to_string(),
        "http://0.0.0.0:8080/".to_string(),
    ] {
        let e = s
            .app
            .post(
                &s.path("/webhooks"),
                Some(&s.owner.token),
                json!({"url": url, "events": ["ticket.created"]}),
            )
            .await
            .expect_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(e["error"]["fields"]["url"].is_array(), "{url}: {e}");
    }

    // A destination saved while its name resolved elsewhere is checked again at delivery,
    // against the addresses the request then goes to.
    let hook_id = uuid::Uuid::new_v4();
    diesel::sql_query(format!(
        "INSERT INTO webhooks (id, workspace_id, url, events, secret) VALUES \
         ('{hook_id}', '{}', 'http://localhost:{port}/hooks', ARRAY['ticket.created'], 'whsec_x')",
        s.ws
    ))
    .execute(&mut s.app.db())
    .expect("insert a webhook");
    s.create("nobody@example.com", "Try to reach inside").await;
    let items = wait_for_failed_attempts(
        &s.app,
        &s.path(&format!("/webhooks/{hook_id}/deliveries")),
        &s.owner.token,
    )
    .await;
    assert_eq!(items[0]["last_error"], "refused_address", "{items:?}");
    assert!(items[0]["status_code"].is_null(), "{items:?}");
    let got = receiver.received_requests().await.unwrap_or_default();
    assert!(
        got.is_empty(),
        "the receiver on loopback was reached: {got:?}"
    );
}

#[tokio::test]
async fn the_delivery_log_shows_coarse_outcomes_only() {
    let failing = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&failing)
        .await;
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let s = setup().await;
    let mut hooks = Vec::new();
    for url in [failing.uri(), format!("http://127.0.0.1:{closed}/hooks")] {
        let hook = s
            .app
            .post(
                &s.path("/webhooks"),
                Some(&s.owner.token),
                json!({"url": url, "events": ["ticket.created"]}),
            )
            .await
            .expect_status(StatusCode::CREATED);
        hooks.push(id_of(&hook));
    }
    s.create("coarse@example.com", "How did it go").await;
    let answered = wait_for_failed_attempts(
        &s.app,
        &s.path(&format!("/webhooks/{}/deliveries", hooks[0])),
        &s.owner.token,
    )
    .await;
    assert_eq!(answered[0]["last_error"], "http_5xx", "{answered:?}");
    assert_eq!(answered[0]["status_code"], 503, "{answered:?}");
    let refused = wait_for_failed_attempts(
        &s.app,
        &s.path(&format!("/webhooks/{}/deliveries", hooks[1])),
        &s.owner.token,
    )
    .await;
    assert_eq!(refused[0]["last_error"], "connect_failed", "{refused:?}");
    assert!(refused[0]["status_code"].is_null(), "{refused:?}");
}

/// A webhook of the setup's workspace for `events` at `url`; `(webhook, secret)`.
async fn hook_for(
    s: &crate::tickets::Setup,
    url: &str,
    events: &[&str],
    active: bool,
) -> (String, String) {
    let hook = s
        .app
        .post(
            &s.path("/webhooks"),
            Some(&s.owner.token),
            json!({"url": url, "events": events, "active": active}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    (id_of(&hook), str_at(&hook, "secret").to_string())
}

#[tokio::test]
async fn ticket_assigned_is_delivered_when_the_assignee_changes() {
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&receiver)
        .await;
    let s = setup().await;
    let (hook, _) = hook_for(&s, &receiver.uri(), &["ticket.assigned"], true).await;
    let t = s.create("assign@example.com", "Who takes this?").await;
    let ticket = id_of(&t);
    // Not an assignment: nothing.
    s.set_status(&ticket, "in_progress").await;
    assert!(queued_webhook_events(&s.app).is_empty());
    let assign = |to: Value| {
        let s = &s;
        let ticket = ticket.clone();
        async move {
            s.app
                .post(
                    &s.path(&format!("/tickets/{ticket}/assign")),
                    Some(&s.owner.token),
                    json!({"assignee_id": to}),
                )
                .await
                .expect_status(StatusCode::OK)
        }
    };
    assign(json!(s.owner.id)).await;
    // The same assignee again is no change, and no event.
    assign(json!(s.owner.id)).await;
    assign(Value::Null).await;
    // A bulk change goes through the same rules, and sends it too.
    s.app
        .post(
            &s.path("/tickets/bulk"),
            Some(&s.owner.token),
            json!({"tickets": [ticket], "assignee_id": s.owner.id}),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(
        queued_webhook_events(&s.app),
        vec!["ticket.assigned", "ticket.assigned", "ticket.assigned"]
    );
    let reqs = wait_for_requests(&receiver, 3).await;
    let mut bodies: Vec<Value> = reqs.iter().map(body_of).collect();
    bodies.sort_by_key(|b| b["created_at"].as_str().unwrap_or_default().to_string());
    assert!(
        reqs.iter()
            .all(|r| header(r, "Handoff-Event") == Some("ticket.assigned"))
    );
    assert_eq!(
        bodies[0]["data"]["ticket"]["assignee"]["id"],
        s.owner.id.as_str()
    );
    assert!(
        bodies[0]["data"]["previous_assignee_id"].is_null(),
        "{}",
        bodies[0]
    );
    assert!(
        bodies[1]["data"]["ticket"]["assignee"].is_null(),
        "{}",
        bodies[1]
    );
    assert_eq!(
        bodies[1]["data"]["previous_assignee_id"],
        s.owner.id.as_str()
    );
    assert_eq!(
        bodies[2]["data"]["ticket"]["assignee"]["id"],
        s.owner.id.as_str()
    );
    assert!(bodies[2]["data"]["previous_assignee_id"].is_null());
    wait_for_delivered(
        &s.app,
        &s.path(&format!("/webhooks/{hook}/deliveries")),
        &s.owner.token,
        3,
    )
    .await;
}

#[tokio::test]
async fn a_test_event_reaches_the_endpoint_signed_even_while_it_is_switched_off() {
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/hook"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&receiver)
        .await;
    let s = setup().await;
    let url = format!("{}/hook", receiver.uri());
    let (hook, secret) = hook_for(&s, &url, &["ticket.created"], false).await;
    let queued = s
        .app
        .post(
            &s.path(&format!("/webhooks/{hook}/test")),
            Some(&s.owner.token),
            json!({}),
        )
        .await
        .expect_status(StatusCode::ACCEPTED);
    assert_eq!(queued["event"], "webhook.test");
    let reqs = wait_for_requests(&receiver, 1).await;
    let req = &reqs[0];
    assert_eq!(header(req, "Handoff-Event"), Some("webhook.test"));
    assert_eq!(header(req, "Handoff-Delivery"), Some(str_at(&queued, "id")));
    let signature = header(req, sign::SIGNATURE_HEADER).unwrap_or_default();
    let now = chrono::Utc::now().timestamp();
    assert!(
        sign::verify(&secret, signature, &req.body, now, 300).is_ok(),
        "the test event is signed with the webhook's secret"
    );
    let body = body_of(req);
    assert_eq!(body["data"]["webhook_id"], hook.as_str());
    wait_for_delivered(
        &s.app,
        &s.path(&format!("/webhooks/{hook}/deliveries")),
        &s.owner.token,
        1,
    )
    .await;
    // Switched off, it still gets nothing else; nobody subscribes to test events.
    s.create("off@example.com", "Not sent").await;
    assert_eq!(queued_webhook_events(&s.app), vec!["webhook.test"]);
    let (st, e) = s
        .app
        .post(
            &s.path("/webhooks"),
            Some(&s.owner.token),
            json!({"url": url, "events": ["webhook.test"]}),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    // Another workspace's webhook: 404.
    let other = setup().await;
    let (st, _) = other
        .app
        .post(
            &format!("/api/v1/workspaces/{}/webhooks/{hook}/test", other.ws),
            Some(&other.owner.token),
            json!({}),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

/// Marks the webhook jobs whose retries are waiting as failed for good (as twelve refused
/// attempts would, without waiting for them); how many.
fn give_up_on_waiting_webhook_jobs(app: &TestApp) -> usize {
    diesel::sql_query(
        "UPDATE outbox_jobs SET failed_at = now()
          WHERE kind = 'webhook' AND done_at IS NULL AND failed_at IS NULL AND attempts > 0
            AND (locked_until IS NULL OR locked_until < now())",
    )
    .execute(&mut app.db())
    .unwrap_or_else(|e| panic!("failing jobs: {e}"))
}

#[tokio::test]
async fn a_failed_delivery_is_redelivered_with_its_id_and_body() {
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&receiver)
        .await;
    let s = setup().await;
    let (hook, _) = hook_for(&s, &receiver.uri(), &["ticket.created"], true).await;
    let log_path = s.path(&format!("/webhooks/{hook}/deliveries"));
    s.create("redeliver@example.com", "Receiver was down").await;
    let failed = wait_for_failed_attempts(&s.app, &log_path, &s.owner.token).await;
    let delivery = id_of(&failed[0]);
    // Its retries run out.
    eventually("the delivery's job fails for good", WAIT, async || {
        match give_up_on_waiting_webhook_jobs(&s.app) {
            0 => Err("an attempt was running".to_string()),
            _ => Ok(()),
        }
    })
    .await;
    let first_body = body_of(&wait_for_requests(&receiver, 1).await[0]);
    let tried = receiver.received_requests().await.unwrap_or_default().len();

    // The receiver is back; the delivery is sent again, the same delivery.
    receiver.reset().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&receiver)
        .await;
    let redeliver = format!("{log_path}/{delivery}/redeliver");
    let again = s
        .app
        .post(&redeliver, Some(&s.owner.token), json!({}))
        .await
        .expect_status(StatusCode::ACCEPTED);
    assert_eq!(id_of(&again), delivery);
    let reqs = wait_for_requests(&receiver, 1).await;
    assert_eq!(
        header(&reqs[0], "Handoff-Delivery"),
        Some(delivery.as_str())
    );
    assert_eq!(body_of(&reqs[0]), first_body, "the same body");
    let log = wait_for_delivered(&s.app, &log_path, &s.owner.token, 1).await;
    assert_eq!(
        i64_at(&log["items"][0], "attempts"),
        tried as i64 + 1,
        "{log}"
    );
    // Delivered: not again. Under another webhook, or another workspace: 404.
    let (st, e) = s
        .app
        .post(&redeliver, Some(&s.owner.token), json!({}))
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["error"]["code"], "already_delivered");
    let (other_hook, _) = hook_for(&s, &receiver.uri(), &["ticket.updated"], true).await;
    let (st, _) = s
        .app
        .post(
            &s.path(&format!(
                "/webhooks/{other_hook}/deliveries/{delivery}/redeliver"
            )),
            Some(&s.owner.token),
            json!({}),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let other = setup().await;
    let (st, _) = other
        .app
        .post(
            &format!(
                "/api/v1/workspaces/{}/webhooks/{hook}/deliveries/{delivery}/redeliver",
                other.ws
            ),
            Some(&other.owner.token),
            json!({}),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}
