//! Internal notes and @mentions (issue 13, part 1): a note stays with the team (not in
//! the widget's history or stream, the visitor's mail, or the visitor-facing webhooks;
//! the `ticket.note_added` webhook and the dashboard stream carry it), mentions notify the
//! member (inbox, unread until read, mail per their setting), the inbox pages, and bad
//! input, API keys and other workspaces get the right answers.

use diesel::RunQueryDsl;
use handoff_tests::{ExpectStatus, TestApp, array_at, id_of, str_at};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::notifications::{Team, mail_to, mails_to, read, team_with};
use crate::widget::{say, session, site, sql};

impl Team {
    async fn note(&self, token: &str, body: &str) -> Value {
        self.app
            .post(
                &self.path(&format!("/tickets/{}/notes", self.number())),
                Some(token),
                json!({"body": body}),
            )
            .await
            .expect_status(StatusCode::CREATED)
    }
    async fn mentions(&self, token: &str, query: &str) -> Value {
        self.app
            .get(&self.path(&format!("/mentions{query}")), Some(token))
            .await
            .expect_status(StatusCode::OK)
    }
    async fn detail(&self, token: &str) -> Value {
        self.app
            .get(
                &self.path(&format!("/tickets/{}", self.number())),
                Some(token),
            )
            .await
            .expect_status(StatusCode::OK)
    }
}

/// Every webhook delivery's event and payload, as text.
fn deliveries(app: &TestApp) -> Vec<(String, String)> {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        event: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        payload: String,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT event, payload::text AS payload FROM webhook_deliveries ORDER BY created_at",
    )
    .load(&mut app.db())
    .unwrap_or_else(|e| panic!("reading deliveries: {e}"));
    rows.into_iter().map(|r| (r.event, r.payload)).collect()
}

/// The mention mail jobs for `user`.
fn mention_jobs(app: &TestApp, user: &str) -> Vec<handoff_tests::OutboxJob> {
    app.outbox_jobs("email")
        .into_iter()
        .filter(|j| j.payload["template"] == "mentioned" && j.payload["user_id"] == user)
        .collect()
}

const SECRET: &str = "SECRET-NOTE-42";

#[tokio::test]
async fn a_note_stays_with_the_team() {
    let t = team_with(TestApp::spawn().await).await;
    let events = [
        "ticket.created",
        "ticket.updated",
        "ticket.replied",
        "conversation.message",
        "ticket.note_added",
    ];
    t.app
        .post(
            &t.path("/webhooks"),
            Some(&t.site.owner_token),
            json!({"url": "http://127.0.0.1:9/hooks", "events": events}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    let widget_url = t.app.stream_url("/api/v1/widget/events", &t.v.token).await;
    let mut widget = t.app.event_stream(&widget_url, None).await;
    let dash_url = t.app.stream_url(&t.path("/events"), &t.kim.token).await;
    let mut dash = t.app.event_stream(&dash_url, None).await;

    let note = t
        .note(
            &t.site.owner_token,
            &format!("  Refund approved internally ({SECRET}); @Kim can you confirm?  "),
        )
        .await;
    assert_eq!(
        str_at(&note, "body"),
        format!("Refund approved internally ({SECRET}); @Kim can you confirm?"),
        "trimmed"
    );
    assert_eq!(note["author_name"], "Owner");
    assert_eq!(note["ticket_id"], t.ticket["id"]);
    assert_eq!(
        note["mentions"],
        json!([{"user_id": t.kim.id, "name": "Kim"}])
    );
    // The dashboard hears of it, and that it is for Kim.
    let ev = dash.next_event(|e| e.name == "note.created").await;
    assert_eq!(ev.data["note"]["id"], note["id"]);
    assert_eq!(ev.data["ticket_id"], t.ticket["id"]);
    assert_eq!(ev.data["mentioned"], json!([t.kim.id]));
    assert!(ev.id.is_none(), "not replayed on resume");

    // An agent's reply (also by email) reaches the visitor; the note never does.
    t.app
        .post(
            &t.path(&format!("/tickets/{}/replies", t.number())),
            Some(&t.site.owner_token),
            json!({"body": "We are on it.", "email_visitor": true}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    let seen = widget.read_until(|s| s.contains("We are on it.")).await;
    assert!(!seen.contains(SECRET), "{seen}");
    assert!(!seen.contains("note"), "{seen}");
    let history = t
        .app
        .get("/api/v1/widget/messages", Some(&t.v.token))
        .await
        .expect_status(StatusCode::OK);
    assert!(!history.to_string().contains(SECRET), "{history}");
    let mail = mail_to(&t.app, "jane@example.com", "We are on it.").await;
    assert!(!mail.text.contains(SECRET) && !mail.html.contains(SECRET));

    // The team sees it inline, with the timeline entry.
    let d = t.detail(&t.site.owner_token).await;
    assert_eq!(array_at(&d, "notes").len(), 1);
    assert_eq!(d["notes"][0]["id"], note["id"]);
    assert!(!d["messages"].to_string().contains(SECRET), "not a message");
    let added = array_at(&d, "events")
        .iter()
        .find(|e| e["kind"] == "note_added")
        .cloned()
        .unwrap_or_else(|| panic!("{d}"));
    assert_eq!(added["data"]["note_id"], note["id"]);
    assert_eq!(added["actor"]["name"], "Owner");

    // Webhooks: only ticket.note_added carries the note.
    let all = deliveries(&t.app);
    let (with, without): (Vec<_>, Vec<_>) = all.iter().partition(|(e, _)| e == "ticket.note_added");
    assert_eq!(with.len(), 1, "{all:?}");
    let payload: Value = serde_json::from_str(&with[0].1).unwrap_or_default();
    assert_eq!(payload["data"]["note"]["id"], note["id"]);
    assert_eq!(payload["data"]["ticket"]["number"], t.number());
    assert!(
        without.iter().any(|(e, _)| e == "ticket.replied"),
        "{all:?}"
    );
    for (event, body) in &without {
        assert!(!body.contains(SECRET), "{event} carried the note: {body}");
    }
}

#[tokio::test]
async fn a_mention_is_unread_until_read_and_mails_per_preference() {
    let t = team_with(TestApp::spawn().await).await;
    // Immediately: the mail goes at once, with the note and the ticket.
    t.prefs(
        &t.kim.token,
        json!({"email": "immediately", "delay_minutes": 10}),
    )
    .await
    .expect_status(StatusCode::OK);
    let first = t
        .note(&t.site.owner_token, "@kim <b>can you</b> call her back?")
        .await;
    let mail = mail_to(&t.app, &t.kim.email, "call her back").await;
    assert_eq!(
        mail.subject,
        format!(
            "[{}] Owner mentioned you in ticket {}",
            ws_name(&t).await,
            t.number()
        )
    );
    assert!(mail.text.contains("@kim <b>can you</b> call her back?"));
    assert!(!mail.html.contains("<b>can you"), "escaped: {}", mail.html);
    assert!(mail.text.contains(&format!("/tickets/{}", t.number())));

    // Kim's inbox and the ticket say unread, until Kim opens the ticket.
    let inbox = t.mentions(&t.kim.token, "").await;
    assert_eq!(inbox["unread_count"], 1);
    assert_eq!(inbox["items"][0]["note"]["id"], first["id"]);
    assert_eq!(inbox["items"][0]["ticket"]["number"], t.number());
    assert_eq!(
        inbox["items"][0]["ticket"]["summary"],
        "Refund for order 1234"
    );
    assert_eq!(inbox["items"][0]["read"], false);
    assert_eq!(t.detail(&t.kim.token).await["unread_mentions"], 1);
    assert_eq!(t.detail(&t.site.owner_token).await["unread_mentions"], 0);
    t.read(&t.kim.token, json!({}))
        .await
        .expect_status(StatusCode::NO_CONTENT);
    let inbox = t.mentions(&t.kim.token, "").await;
    assert_eq!(inbox["unread_count"], 0);
    assert_eq!(inbox["items"][0]["read"], true);
    assert_eq!(
        t.mentions(&t.kim.token, "?unread=true").await["items"],
        json!([])
    );
    assert_eq!(t.detail(&t.kim.token).await["unread_mentions"], 0);

    // Delayed: due after Kim's delay, and skipped when Kim read it meanwhile.
    t.prefs(
        &t.kim.token,
        json!({"email": "delayed", "delay_minutes": 10}),
    )
    .await
    .expect_status(StatusCode::OK);
    t.note(&t.site.owner_token, "@Kim second look, please")
        .await;
    let jobs = mention_jobs(&t.app, &t.kim.id);
    assert_eq!(jobs.len(), 2, "{jobs:?}");
    assert!(!jobs[1].done, "waits for the delay");
    t.read(&t.kim.token, json!({}))
        .await
        .expect_status(StatusCode::NO_CONTENT);
    sql(
        &t.app,
        "UPDATE outbox_jobs SET run_at = now() WHERE done_at IS NULL AND $1 = $1",
        "x",
    );
    t.app.wait_for_jobs_done("email").await;
    assert_eq!(
        mails_to(&t.app, &t.kim.email),
        1,
        "the mention read meanwhile sent nothing"
    );

    // Unread when due: it goes.
    t.note(&t.site.owner_token, "@Kim third time lucky").await;
    sql(
        &t.app,
        "UPDATE outbox_jobs SET run_at = now() WHERE done_at IS NULL AND $1 = $1",
        "x",
    );
    mail_to(&t.app, &t.kim.email, "third time lucky").await;

    // Off: no job at all. The author mentioning themself notifies nobody.
    t.prefs(&t.kim.token, json!({"email": "off", "delay_minutes": 10}))
        .await
        .expect_status(StatusCode::OK);
    t.note(&t.site.owner_token, "@Kim no mail for this one")
        .await;
    assert_eq!(mention_jobs(&t.app, &t.kim.id).len(), 3);
    assert_eq!(t.mentions(&t.kim.token, "").await["unread_count"], 2);
    let own = t.note(&t.site.owner_token, "Note to self, @Owner").await;
    assert_eq!(own["mentions"][0]["name"], "Owner", "written as a mention");
    assert_eq!(
        t.mentions(&t.site.owner_token, "").await["items"],
        json!([])
    );
}

async fn ws_name(t: &Team) -> String {
    let ws = t
        .app
        .get(&t.path(""), Some(&t.site.owner_token))
        .await
        .expect_status(StatusCode::OK);
    str_at(&ws, "name").to_string()
}

#[tokio::test]
async fn the_mentions_inbox_pages_newest_first() {
    let t = team_with(TestApp::spawn().await).await;
    for i in 0..27 {
        t.note(&t.site.owner_token, &format!("@Kim item {i}")).await;
    }
    let first = t.mentions(&t.kim.token, "?limit=25").await;
    let items = array_at(&first, "items");
    assert_eq!(items.len(), 25);
    assert_eq!(items[0]["note"]["body"], "@Kim item 26", "newest first");
    assert_eq!(first["unread_count"], 27);
    let cursor = str_at(&first, "next_cursor").to_string();
    let second = t
        .mentions(&t.kim.token, &format!("?limit=25&cursor={cursor}"))
        .await;
    let rest: Vec<&str> = array_at(&second, "items")
        .iter()
        .map(|m| m["note"]["body"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(rest, ["@Kim item 1", "@Kim item 0"]);
    assert!(second["next_cursor"].is_null());
    for bad in ["?limit=0", "?limit=101", "?cursor=junk"] {
        let (status, body) = t
            .app
            .get(&t.path(&format!("/mentions{bad}")), Some(&t.kim.token))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
    }
}

#[tokio::test]
async fn conversation_notes_bad_input_api_keys_and_other_workspaces() {
    let t = team_with(TestApp::spawn().await).await;
    let conv = str_at(&t.v.session, "conversation_id").to_string();
    // On the ticket's conversation: the note is on the ticket too.
    let (status, on_conv) = t
        .app
        .post(
            &t.path(&format!("/conversations/{conv}/notes")),
            Some(&t.kim.token),
            json!({"body": "Seen this one before."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{on_conv}");
    assert_eq!(on_conv["ticket_id"], t.ticket["id"]);
    assert_eq!(on_conv["author_user_id"], t.kim.id);
    let c = t
        .app
        .get(
            &t.path(&format!("/conversations/{conv}")),
            Some(&t.kim.token),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(c["notes"][0]["id"], on_conv["id"]);
    // A conversation without a ticket.
    let other = session(&t.app, &t.site).await;
    say(&t.app, &other, "Just browsing").await;
    let other_conv = str_at(&other.session, "conversation_id").to_string();
    let (status, loose) = t
        .app
        .post(
            &t.path(&format!("/conversations/{other_conv}/notes")),
            Some(&t.kim.token),
            json!({"body": "Probably a bot."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{loose}");
    assert!(loose["ticket_id"].is_null());

    // Bad input.
    let path = t.path(&format!("/tickets/{}/notes", t.number()));
    for body in [
        json!({"body": "   "}),
        json!({"body": "x".repeat(20_001)}),
        json!({"body": "a\u{0}b"}),
    ] {
        let (status, e) = t.app.post(&path, Some(&t.kim.token), body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    }
    for body in [
        json!({"body": "hi", "visible": true}),
        json!({}),
        json!({"body": 5}),
    ] {
        let (status, e) = t.app.post(&path, Some(&t.kim.token), body).await;
        assert!(
            status.is_client_error() && e["error"].is_object(),
            "{status} {e}"
        );
    }
    assert!(
        t.detail(&t.kim.token).await["notes"]
            .as_array()
            .is_some_and(|n| n.len() == 1)
    );

    // An API key writes as itself, and has no mentions.
    let key = t.api_key("crm").await;
    let by_key = t.note(&key, "Synced from the CRM, @Kim").await;
    assert!(by_key["author_user_id"].is_null());
    assert_eq!(by_key["author_name"], "crm");
    let (status, _) = t.app.get(&t.path("/mentions"), Some(&key)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(t.detail(&key).await["unread_mentions"].is_null());

    // Another workspace's ticket and conversation: 404, and nothing written.
    let elsewhere = site(&t.app, "standard", true).await;
    let base = format!("/api/v1/workspaces/{}", elsewhere.ws);
    for p in [
        format!("{base}/tickets/{}/notes", t.number()),
        format!("{base}/tickets/{}/notes", id_of(&t.ticket)),
        format!("{base}/conversations/{conv}/notes"),
    ] {
        let (status, e) = t
            .app
            .post(&p, Some(&elsewhere.owner_token), json!({"body": "peek"}))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{p}: {e}");
    }
    let (status, _) = t
        .app
        .post(
            &t.path(&format!("/tickets/{}/notes", t.number())),
            Some(&elsewhere.owner_token),
            json!({"body": "peek"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not a member");
    let d = t.detail(&t.site.owner_token).await;
    assert!(!d["notes"].to_string().contains("peek"));
    let _ = read;
}

/// Agents replying and writing notes on a ticket while its visitor writes: every request
/// succeeds. (They once locked the ticket and the conversation in opposite orders, and
/// Postgres broke the deadlock with a 500 for one of them.)
#[tokio::test]
async fn replies_notes_and_visitor_messages_at_once_never_deadlock() {
    let t = team_with(TestApp::spawn().await).await;
    let reply = t.path(&format!("/tickets/{}/replies", t.number()));
    let note = t.path(&format!("/tickets/{}/notes", t.number()));
    let conv_note = t.path(&format!(
        "/conversations/{}/notes",
        str_at(&t.v.session, "conversation_id")
    ));
    let mut calls = Vec::new();
    for i in 0..15 {
        let (app, token, v) = (&t.app, &t.site.owner_token, &t.v.token);
        let (reply, note, conv_note) = (&reply, &note, &conv_note);
        calls.push(Box::pin(async move {
            let (a, b, c, d) = tokio::join!(
                app.post(reply, Some(token), json!({"body": format!("reply {i}")})),
                app.post(note, Some(token), json!({"body": format!("note {i}")})),
                app.post(
                    conv_note,
                    Some(token),
                    json!({"body": format!("conv note {i}")})
                ),
                app.post(
                    "/api/v1/widget/messages",
                    Some(v),
                    json!({"body": format!("visitor {i}")})
                ),
            );
            vec![a, b, c, d]
        }));
    }
    let results = futures_util::future::join_all(calls).await;
    for (status, body) in results.into_iter().flatten() {
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let d = t.detail(&t.site.owner_token).await;
    assert_eq!(array_at(&d, "notes").len(), 30);
}
