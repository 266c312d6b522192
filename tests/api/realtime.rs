//! Realtime: the dashboard's event stream, fed through Postgres LISTEN/NOTIFY, so a change
//! made through one server process reaches a client connected to another.
//!
//! `event_stream` returns once the stream's first chunk (`retry: 3000`) arrived, which the
//! server sends after subscribing; `TestApp::spawn` returns once the process LISTENs. So no
//! test sleeps to let a subscription settle.

use handoff_tests::{ExpectStatus, TestApp, id_of, str_at};
use reqwest::StatusCode;
use serde_json::json;

use crate::tickets::setup;

#[tokio::test]
async fn ticket_created_reaches_a_client_of_a_second_server_process() {
    let s = setup().await;
    // A second server process on the same database.
    let second = TestApp::builder().database(&s.app.db_name).spawn().await;
    let mut stream = second
        .event_stream(
            &s.app.stream_url(&s.path("/events"), &s.owner.token).await,
            None,
        )
        .await;
    assert_eq!(stream.content_type, "text/event-stream");

    let t = s.create("live@example.com", "Seen live").await;
    let event = stream
        .next_event(|e| e.name == "ticket.created" && e.data["id"] == t["id"])
        .await;
    assert_eq!(event.name, "ticket.created");
    assert_eq!(event.data["number"], "TKT-10001");
    assert_eq!(event.data["summary"], "Seen live");
}

#[tokio::test]
async fn updates_and_messages_stream_and_other_workspaces_stay_private() {
    let s = setup().await;
    let url = s.app.stream_url(&s.path("/events"), &s.owner.token).await;
    let mut stream = s.app.event_stream(&url, None).await;
    // A stranger cannot subscribe to this workspace, nor mint a ticket for it.
    let stranger = s.app.register_user("Stranger").await;
    let denied = s
        .app
        .client
        .get(s.app.url(&s.path("/events")))
        .bearer_auth(&stranger.token)
        .send()
        .await
        .expect("request");
    assert_eq!(denied.status(), StatusCode::NOT_FOUND);
    let (status, _) = s
        .app
        .post(&s.path("/stream-tickets"), Some(&stranger.token), json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let anonymous = s
        .app
        .client
        .get(s.app.url(&s.path("/events")))
        .send()
        .await
        .expect("request");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    let t = s.create("live@example.com", "Updated live").await;
    let id = id_of(&t);
    s.set_status(&id, "in_progress").await;
    s.reply(&id, "On it", false).await;
    let event = stream
        .next_event(|e| e.name == "message.created" && e.data["message"]["body"] == "On it")
        .await;
    assert_eq!(event.data["ticket_id"], t["id"]);
    assert_eq!(event.data["message"]["sender"], "agent");

    let url = s.app.stream_url(&s.path("/events"), &s.owner.token).await;
    let mut stream = s.app.event_stream(&url, None).await;
    s.set_status(&id, "resolved").await;
    // Events of the reply may still be on their way: wait for the one of this change.
    let event = stream
        .next_event(|e| {
            e.name == "ticket.updated" && e.data["id"] == t["id"] && e.data["status"] == "resolved"
        })
        .await;
    assert!(event.data["resolved_at"].is_string(), "{}", event.data);
}

#[tokio::test]
async fn an_agent_reply_reaches_the_open_widget_live() {
    let s = setup().await;
    let session = s
        .app
        .post(
            "/api/v1/widget/sessions",
            None,
            json!({"widget_key": s.widget_key, "page_url": "https://shop.example.com/"}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    let visitor_token = str_at(&session, "visitor_token");
    let t = s
        .app
        .post(
            &s.path("/tickets"),
            Some(&s.owner.token),
            json!({"visitor_email": "w@example.com", "summary": "Live reply", "conversation_id": session["conversation_id"]}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    let mut stream = s
        .app
        .event_stream(
            &s.app
                .stream_url("/api/v1/widget/events", visitor_token)
                .await,
            None,
        )
        .await;
    s.reply(&id_of(&t), "Hello from the team", false).await;
    let event = stream
        .next_event(|e| e.name == "message.created" && e.data["body"] == "Hello from the team")
        .await;
    assert_eq!(event.data["sender"], "agent");
    assert_eq!(event.data["author_name"], "Olivia Owner");
}

#[tokio::test]
async fn a_reconnect_with_last_event_id_replays_what_was_missed() {
    let s = setup().await;
    let url = s.app.stream_url(&s.path("/events"), &s.owner.token).await;
    let mut stream = s.app.event_stream(&url, None).await;
    let t = s.create("resume@example.com", "Resume me").await;
    // Read the event with its id, then "lose" the connection.
    let created = stream
        .next_event(|e| e.name == "ticket.created" && e.data["id"] == t["id"])
        .await;
    let last_id = created.id.expect("the event carries an id");
    drop(stream);
    // Changes while disconnected.
    s.set_status(&id_of(&t), "in_progress").await;
    let url = s.app.stream_url(&s.path("/events"), &s.owner.token).await;
    let mut stream = s.app.event_stream(&url, Some(&last_id)).await;
    let event = stream
        .next_event(|e| e.name == "ticket.updated" && e.data["id"] == t["id"])
        .await;
    assert_eq!(event.data["status"], "in_progress");
}

/// Ends the server's LISTEN session, as a network blip or a database failover would.
fn drop_listener_connection(app: &TestApp) -> i64 {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Killed {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut db = app.db();
    let killed: Killed = diesel::sql_query(
        "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = 'handoff-listener'",
    )
    .get_result(&mut db)
    .unwrap_or_else(|e| panic!("terminate the listener: {e}"));
    killed.n
}

#[tokio::test]
async fn streams_end_when_the_listener_reconnects_and_the_resumed_stream_catches_up() {
    let s = setup().await;
    let dashboard = s.app.stream_url(&s.path("/events"), &s.owner.token).await;
    let mut stream = s.app.event_stream(&dashboard, None).await;
    let t = s.create("blip@example.com", "Before the blip").await;
    let created = stream
        .next_event(|e| e.name == "ticket.created" && e.data["id"] == t["id"])
        .await;
    let last_id = created.id.expect("the event carries an id");

    assert_eq!(drop_listener_connection(&s.app), 1, "one listener session");
    // Announcements made while nobody listened are lost for live streams, so every stream
    // of the process is closed once the listener is back (the browser reconnects).
    stream.ends().await;
    s.set_status(&id_of(&t), "in_progress").await;

    // The reconnect replays what changed since the last event it saw, then goes live.
    let dashboard = s.app.stream_url(&s.path("/events"), &s.owner.token).await;
    let mut stream = s.app.event_stream(&dashboard, Some(&last_id)).await;
    let replayed = stream
        .next_event(|e| e.name == "ticket.updated" && e.data["id"] == t["id"])
        .await;
    assert_eq!(replayed.data["status"], "in_progress");
    s.set_status(&id_of(&t), "resolved").await;
    stream
        .next_event(|e| {
            e.name == "ticket.updated" && e.data["id"] == t["id"] && e.data["status"] == "resolved"
        })
        .await;
}
