//! Realtime: the dashboard's event stream, fed through Postgres LISTEN/NOTIFY, so a change
//! made through one server process reaches a client connected to another.
//!
//! `event_stream` returns once the stream's first chunk (`retry: 3000`) arrived, which the
//! server sends after subscribing; `TestApp::spawn` returns once the process LISTENs. So no
//! test sleeps to let a subscription settle.

use handoff_tests::{ExpectStatus, TestApp, id_of, str_at};
use reqwest::StatusCode;
use serde_json::json;

use crate::tickets::{Setup, setup};

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
    let (visitor_token, t) = widget_visitor_with_ticket(&s, "Live reply").await;
    let mut stream = s
        .app
        .event_stream(
            &s.app
                .stream_url("/api/v1/widget/events", &visitor_token)
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

/// The value of a counter on `/metrics`.
async fn counter(app: &TestApp, name: &str) -> i64 {
    let text = match app.client.get(app.url("/metrics")).send().await {
        Ok(r) => r.text().await.unwrap_or_default(),
        Err(e) => panic!("GET /metrics: {e}"),
    };
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {name} in /metrics:\n{text}"))
}

/// Fan-out: an event reaching many streams of a process is read from the database and
/// encoded once (`events_rendered_total` goes up by one), not once per stream.
#[tokio::test]
async fn an_event_is_rendered_once_however_many_streams_watch() {
    let s = setup().await;
    let mut streams = Vec::new();
    for _ in 0..12 {
        let url = s.app.stream_url(&s.path("/events"), &s.owner.token).await;
        streams.push(s.app.event_stream(&url, None).await);
    }
    let before = counter(&s.app, "events_rendered_total").await;
    let t = s.create("many@example.com", "Seen by twelve").await;
    for stream in &mut streams {
        stream
            .next_event(|e| e.name == "ticket.created" && e.data["id"] == t["id"])
            .await;
    }
    let after = counter(&s.app, "events_rendered_total").await;
    assert_eq!(after - before, 1, "one render for 12 streams");
}

/// A LISTEN connection that goes silent (a NAT or load balancer forgot it: no error, no
/// answer) is found by the listener's heartbeat and replaced; meanwhile publishing gives up
/// on it after `NOTIFY_TIMEOUT_MS` and sends through the pool, so a committed write never
/// hangs on its announcement. The streams are told to resync when the listener is back.
#[tokio::test]
async fn a_silent_listener_connection_is_replaced_and_publishing_never_hangs() {
    use futures_util::StreamExt;
    use handoff::events::bus::{BusCounters, BusSettings, EventBus};
    use handoff::events::{BusEvent, Frames};
    use handoff_tests::proxy::{SilencingProxy, socket_of};
    use std::time::Duration;

    let db = handoff_tests::fresh_database().await;
    let direct = handoff_tests::url_for_db(&db);
    let proxy = SilencingProxy::start(socket_of(&direct)).await;
    let pool = handoff::db::pool(&direct, 2).expect("pool");
    let metrics = handoff::metrics::Metrics::new().expect("metrics");
    let bus = EventBus::new(
        pool,
        BusSettings {
            notify_timeout: Duration::from_millis(300),
            heartbeat: Duration::from_millis(300),
        },
        BusCounters {
            reconnects: metrics.listener_reconnects.clone(),
            rendered: metrics.events_rendered.clone(),
        },
    );
    let listener = bus.spawn_listener(proxy.url_through(&direct));
    assert!(
        bus.wait_listening(Duration::from_secs(10)).await,
        "listening"
    );
    let mut live = Box::pin(bus.subscribe());
    let mut knowledge = bus.knowledge_changes();

    proxy.silence_existing();
    // Publishing over the silent connection returns (through a pooled connection).
    let ws = uuid::Uuid::now_v7();
    tokio::time::timeout(Duration::from_secs(5), bus.publish(BusEvent::knowledge(ws)))
        .await
        .expect("a publish over a silent connection must not hang");

    // The heartbeat finds the silent connection; the listener reconnects and every stream
    // is told to resync (a reset closes it; its client resumes with Last-Event-ID).
    let next = tokio::time::timeout(Duration::from_secs(10), live.next())
        .await
        .expect("a reset after the listener reconnects")
        .expect("the subscription is open");
    assert!(matches!(next.frames, Frames::Reset), "{:?}", next.frames);
    assert_eq!(metrics.listener_reconnects.get(), 1);
    assert!(
        metrics
            .render()
            .contains("event_listener_reconnects_total 1")
    );

    // The new connection delivers announcements again (one made by another process).
    let elsewhere = uuid::Uuid::now_v7();
    let payload = serde_json::to_string(&BusEvent::knowledge(elsewhere)).expect("json");
    let mut conn =
        <diesel::PgConnection as diesel::Connection>::establish(&direct).expect("connect");
    diesel::RunQueryDsl::execute(
        diesel::sql_query("SELECT pg_notify('handoff_events', $1)")
            .bind::<diesel::sql_types::Text, _>(&payload),
        &mut conn,
    )
    .expect("notify");
    let seen = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match knowledge.recv().await {
                Ok(Some(ws)) if ws == elsewhere => return,
                Ok(_) => continue,
                Err(e) => panic!("knowledge changes: {e}"),
            }
        }
    })
    .await;
    assert!(seen.is_ok(), "the reconnected listener delivers again");
    listener.abort();
    drop(proxy);
    handoff_tests::drop_database(&db);
}

/// More changed tickets than a reconnect replays (50): one `resync` event instead of the
/// rows (the dashboard reloads its list), then the live stream; a reconnect from the
/// resync's id replays only what changed after it.
#[tokio::test]
async fn a_reconnect_that_missed_too_much_gets_one_resync_event() {
    let s = setup().await;
    let url = s.app.stream_url(&s.path("/events"), &s.owner.token).await;
    let mut stream = s.app.event_stream(&url, None).await;
    let first = s.create("first@example.com", "First").await;
    let last_id = stream
        .next_event(|e| e.name == "ticket.created" && e.data["id"] == first["id"])
        .await
        .id
        .expect("the event carries an id");
    drop(stream);
    for i in 0..51 {
        s.create(&format!("v{i}@example.com"), &format!("Missed {i}"))
            .await;
    }
    let url = s.app.stream_url(&s.path("/events"), &s.owner.token).await;
    let mut stream = s.app.event_stream(&url, Some(&last_id)).await;
    let resync = stream.next_event(|_| true).await;
    assert_eq!(resync.name, "resync", "{resync:?}");
    assert_eq!(resync.data["reason"], "too_many_missed");
    let resume_at = resync.id.expect("a resync carries where to resume");
    // Live again right after it (announcements of the missed changes may still be on
    // their way: wait for this one).
    let t = s.create("after@example.com", "After the resync").await;
    let next = stream.next_event(|e| e.data["id"] == t["id"]).await;
    assert_eq!(next.name, "ticket.created", "{next:?}");
    drop(stream);

    // Resuming from the resync replays only the one change since.
    let url = s.app.stream_url(&s.path("/events"), &s.owner.token).await;
    let mut stream = s.app.event_stream(&url, Some(&resume_at)).await;
    let replayed = stream.next_event(|_| true).await;
    assert_eq!(replayed.name, "ticket.updated", "{replayed:?}");
    assert_eq!(replayed.data["id"], t["id"]);
}

/// The widget's stream: a reconnect that missed more than 50 messages gets `resync` (the
/// widget reloads the conversation) instead of the messages.
#[tokio::test]
async fn a_widget_reconnect_that_missed_too_much_gets_one_resync_event() {
    let s = setup().await;
    let (visitor_token, t) = widget_visitor_with_ticket(&s, "Many replies").await;
    let ticket = id_of(&t);
    let seen = s.reply(&ticket, "The last one seen", false).await;
    let seen_id = str_at(&seen, "id").to_string();
    for i in 0..51 {
        s.reply(&ticket, &format!("Missed {i}"), false).await;
    }
    let url = s
        .app
        .stream_url("/api/v1/widget/events", &visitor_token)
        .await;
    let mut stream = s.app.event_stream(&url, Some(&seen_id)).await;
    let resync = stream.next_event(|_| true).await;
    assert_eq!(resync.name, "resync", "{resync:?}");
    s.reply(&ticket, "Live after the resync", false).await;
    let next = stream
        .next_event(|e| e.data["body"] == "Live after the resync")
        .await;
    assert_eq!(next.name, "message.created", "{next:?}");

    // A few missed messages are still replayed one by one.
    let last = str_at(&next.data, "id").to_string();
    drop(stream);
    s.reply(&ticket, "Missed while away", false).await;
    let url = s
        .app
        .stream_url("/api/v1/widget/events", &visitor_token)
        .await;
    let mut stream = s.app.event_stream(&url, Some(&last)).await;
    let replayed = stream.next_event(|_| true).await;
    assert_eq!(replayed.name, "message.created", "{replayed:?}");
    assert_eq!(replayed.data["body"], "Missed while away");
}

/// A visitor's widget session on the shop page, and a ticket on its conversation: the
/// visitor token and the ticket.
async fn widget_visitor_with_ticket(s: &Setup, summary: &str) -> (String, serde_json::Value) {
    let session = s
        .app
        .post(
            "/api/v1/widget/sessions",
            None,
            json!({"widget_key": s.widget_key, "page_url": "https://shop.example.com/"}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    let ticket = s
        .app
        .post(
            &s.path("/tickets"),
            Some(&s.owner.token),
            json!({"visitor_email": "w@example.com", "summary": summary, "conversation_id": session["conversation_id"]}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    (str_at(&session, "visitor_token").to_string(), ticket)
}
