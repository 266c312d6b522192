//! Realtime: the dashboard's event stream, fed through Postgres LISTEN/NOTIFY, so a change
//! made through one server process reaches a client connected to another.

use std::time::Duration;

use futures_util::StreamExt;
use handoff_tests::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::tickets::setup;

/// Reads SSE events until `want(event, data)` holds; panics after 15 s.
async fn wait_for_event(
    resp: reqwest::Response,
    want: impl Fn(&str, &Value) -> bool,
) -> (String, Value) {
    let mut stream = resp.bytes_stream();
    let mut buf = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let chunk = tokio::time::timeout_at(deadline, stream.next())
            .await
            .unwrap_or_else(|_| panic!("no matching event; got so far:\n{buf}"));
        let Some(Ok(bytes)) = chunk else {
            panic!("stream ended; got:\n{buf}")
        };
        buf.push_str(&String::from_utf8_lossy(&bytes));
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf[..end].to_string();
            buf = buf[end + 2..].to_string();
            let mut event = String::new();
            let mut data = String::new();
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event: ") {
                    event = v.to_string();
                } else if let Some(v) = line.strip_prefix("data: ") {
                    data.push_str(v);
                }
            }
            if event.is_empty() {
                continue;
            }
            let value: Value = serde_json::from_str(&data).unwrap_or_default();
            if want(&event, &value) {
                return (event, value);
            }
        }
    }
}

#[tokio::test]
async fn ticket_created_reaches_a_client_of_a_second_server_process() {
    let s = setup().await;
    // A second server process on the same database.
    let second = TestApp::builder().database(&s.app.db_name).spawn().await;
    let resp = second
        .client
        .get(second.url(&format!("{}?token={}", s.path("/events"), s.owner.token)))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("text/event-stream")
    );
    // Let the stream settle before the change (the subscription starts with the request).
    tokio::time::sleep(Duration::from_millis(200)).await;

    let t = s.create("live@example.com", "Seen live").await;
    let (event, data) =
        wait_for_event(resp, |e, d| e == "ticket.created" && d["id"] == t["id"]).await;
    assert_eq!(event, "ticket.created");
    assert_eq!(data["number"], "TKT-10001");
    assert_eq!(data["summary"], "Seen live");
}

#[tokio::test]
async fn updates_and_messages_stream_and_other_workspaces_stay_private() {
    let s = setup().await;
    let stream = |token: &str, ws_path: String| {
        let client = s.app.client.clone();
        let url = s.app.url(&format!("{ws_path}?token={token}"));
        async move {
            client
                .get(url)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        }
    };
    let resp = stream(&s.owner.token, s.path("/events")).await;
    // A stranger cannot subscribe to this workspace.
    let stranger = s.app.register_user("Stranger").await;
    let denied = stream(&stranger.token, s.path("/events")).await;
    assert_eq!(denied.status(), StatusCode::NOT_FOUND);
    let anonymous = s
        .app
        .client
        .get(s.app.url(&s.path("/events")))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    tokio::time::sleep(Duration::from_millis(200)).await;

    let t = s.create("live@example.com", "Updated live").await;
    let id = t["id"].as_str().unwrap_or_default().to_string();
    s.status(&id, "in_progress").await;
    s.app
        .post(
            &s.path(&format!("/tickets/{id}/replies")),
            Some(&s.owner.token),
            json!({"body": "On it", "email_visitor": false}),
        )
        .await;
    let (_, data) = wait_for_event(resp, |e, d| {
        e == "message.created" && d["message"]["body"] == "On it"
    })
    .await;
    assert_eq!(data["ticket_id"], t["id"]);
    assert_eq!(data["message"]["sender"], "agent");

    let resp = stream(&s.owner.token, s.path("/events")).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    s.status(&id, "resolved").await;
    let (_, data) = wait_for_event(resp, |e, d| e == "ticket.updated" && d["id"] == t["id"]).await;
    assert_eq!(data["status"], "resolved");
}

#[tokio::test]
async fn an_agent_reply_reaches_the_open_widget_live() {
    let s = setup().await;
    let (code, session) = s
        .app
        .post(
            "/api/v1/widget/sessions",
            None,
            json!({"widget_key": s.widget_key, "page_url": "https://shop.example.com/"}),
        )
        .await;
    assert_eq!(code, StatusCode::CREATED, "{session}");
    let visitor_token = session["visitor_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let (_, t) = s
        .app
        .post(
            &s.path("/tickets"),
            Some(&s.owner.token),
            json!({"visitor_email": "w@example.com", "summary": "Live reply", "conversation_id": session["conversation_id"]}),
        )
        .await;
    let resp = s
        .app
        .client
        .get(
            s.app
                .url(&format!("/api/v1/widget/events?token={visitor_token}")),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(resp.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (code, _) = s
        .app
        .post(
            &s.path(&format!(
                "/tickets/{}/replies",
                t["id"].as_str().unwrap_or_default()
            )),
            Some(&s.owner.token),
            json!({"body": "Hello from the team", "email_visitor": false}),
        )
        .await;
    assert_eq!(code, StatusCode::CREATED);
    let (_, data) = wait_for_event(resp, |e, d| {
        e == "message.created" && d["body"] == "Hello from the team"
    })
    .await;
    assert_eq!(data["sender"], "agent");
    assert_eq!(data["author_name"], "Olivia Owner");
}

#[tokio::test]
async fn a_reconnect_with_last_event_id_replays_what_was_missed() {
    let s = setup().await;
    let url = s
        .app
        .url(&format!("{}?token={}", s.path("/events"), s.owner.token));
    let resp = s
        .app
        .client
        .get(&url)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let t = s.create("resume@example.com", "Resume me").await;
    let id = t["id"].as_str().unwrap_or_default().to_string();
    // Read the event with its id, then "lose" the connection.
    let mut stream = resp.bytes_stream();
    let mut buf = String::new();
    let last_id = loop {
        let chunk = tokio::time::timeout(Duration::from_secs(10), stream.next()).await;
        let Ok(Some(Ok(bytes))) = chunk else {
            panic!("no event: {buf}")
        };
        buf.push_str(&String::from_utf8_lossy(&bytes));
        if let Some(line) = buf.lines().find(|l| l.starts_with("id: ")) {
            break line[4..].to_string();
        }
    };
    drop(stream);
    // Changes while disconnected.
    s.status(&id, "in_progress").await;
    let resp = s
        .app
        .client
        .get(&url)
        .header("Last-Event-ID", last_id)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (_, data) = wait_for_event(resp, |e, d| e == "ticket.updated" && d["id"] == t["id"]).await;
    assert_eq!(data["status"], "in_progress");
}
