//! Who else has a ticket open (issue 13, collision awareness): a member's viewing is a
//! lease in Postgres (taken, renewed, given back, lapsing), announced to the team's
//! dashboard streams as `ticket.viewers` (read from the database, so another server's
//! streams and detail see it too), carried by the ticket detail, never by a widget; reply
//! typing travels as the conversation's existing `typing` event (the widget sees only
//! "<name> is typing"); API keys get 403, other workspaces 404.

use handoff_tests::{ExpectStatus, TestApp, array_at, str_at};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::notifications::{Team, team_with};
use crate::widget::{say, site, sql};

impl Team {
    fn viewing_path(&self) -> String {
        self.path(&format!("/tickets/{}/viewing", self.number()))
    }
    async fn view(&self, token: &str) -> Value {
        self.app
            .post(&self.viewing_path(), Some(token), json!(null))
            .await
            .expect_status(StatusCode::OK)
    }
    async fn leave(&self, token: &str) {
        let (s, b) = self.app.delete(&self.viewing_path(), Some(token)).await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    }
    async fn viewers_in_detail(&self, app: &TestApp, token: &str) -> Vec<String> {
        let d = app
            .get(
                &self.path(&format!("/tickets/{}", self.number())),
                Some(token),
            )
            .await
            .expect_status(StatusCode::OK);
        assert_eq!(d["viewers"]["ticket_id"], self.ticket["id"], "{d}");
        names(&d["viewers"])
    }
}

/// The names in a viewers list (`{ticket_id, viewers: [...], as_of}`), in order.
fn names(list: &Value) -> Vec<String> {
    array_at(list, "viewers")
        .iter()
        .map(|v| str_at(v, "name").to_string())
        .collect()
}

#[tokio::test]
async fn members_see_who_else_has_the_ticket_open_live() {
    let t = team_with(TestApp::spawn().await).await;
    let owner = t.site.owner_token.clone();
    let kim = t.kim.token.clone();
    let owner_url = t.app.stream_url(&t.path("/events"), &owner).await;
    let mut owner_stream = t.app.event_stream(&owner_url, None).await;
    let kim_url = t.app.stream_url(&t.path("/events"), &kim).await;
    let mut kim_stream = t.app.event_stream(&kim_url, None).await;
    let widget_url = t.app.stream_url("/api/v1/widget/events", &t.v.token).await;
    let mut widget = t.app.event_stream(&widget_url, None).await;
    assert!(t.viewers_in_detail(&t.app, &owner).await.is_empty());

    // Kim opens the ticket: the answer lists her; the owner's dashboard hears it.
    let mine = t.view(&kim).await;
    assert_eq!(mine["ticket_id"], t.ticket["id"]);
    assert_eq!(names(&mine), ["Kim"]);
    assert_eq!(array_at(&mine, "viewers")[0]["user_id"], t.kim.id.as_str());
    assert_eq!(mine["renew_seconds"], 20);
    let lease = chrono::DateTime::parse_from_rfc3339(str_at(&mine, "expires_at"))
        .unwrap_or_else(|e| panic!("expires_at: {e}"));
    let left = lease
        .signed_duration_since(chrono::Utc::now())
        .num_seconds();
    assert!((50..=60).contains(&left), "a 60 s lease, {left} s left");
    let ev = owner_stream
        .next_event(|e| e.name == "ticket.viewers")
        .await;
    assert!(ev.id.is_none(), "never replayed on resume");
    assert_eq!(ev.data["ticket_id"], t.ticket["id"]);
    assert_eq!(names(&ev.data), ["Kim"]);
    assert!(ev.data["as_of"].is_string(), "{:?}", ev.data);
    // A page opened now knows at once.
    assert_eq!(t.viewers_in_detail(&t.app, &owner).await, ["Kim"]);

    // Every dashboard gets the list, Kim's own too (her page leaves herself out).
    let ev = kim_stream.next_event(|e| e.name == "ticket.viewers").await;
    assert_eq!(names(&ev.data), ["Kim"]);

    // The owner opens it too: Kim hears of it, the longest-viewing first.
    assert_eq!(names(&t.view(&owner).await), ["Kim", "Owner"]);
    let ev = kim_stream.next_event(|e| e.name == "ticket.viewers").await;
    assert_eq!(names(&ev.data), ["Kim", "Owner"]);

    // Kim's page renews her viewing: nothing to announce, and she stays since when she came.
    let since = array_at(&mine, "viewers")[0]["since"].clone();
    let renewed = t.view(&kim).await;
    assert_eq!(array_at(&renewed, "viewers")[0]["since"], since);
    assert_eq!(names(&renewed), ["Kim", "Owner"]);

    // Kim types a reply: the conversation's typing event, with who it is, reaches the
    // team's dashboards; the visitor's widget gets only "Kim is typing".
    let conv = str_at(&t.ticket, "conversation_id").to_string();
    let (s, b) = t
        .app
        .post(
            &t.path(&format!("/conversations/{conv}/typing")),
            Some(&kim),
            json!({"typing": true}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let ev = owner_stream.next_event(|e| e.name == "typing").await;
    assert_eq!(ev.data["conversation_id"], conv.as_str());
    assert_eq!(ev.data["user_id"], t.kim.id.as_str());
    assert_eq!(ev.data["name"], "Kim");
    let ev = widget.next_event(|e| e.name == "typing").await;
    assert_eq!(
        ev.data,
        json!({"sender": "agent", "name": "Kim", "typing": true})
    );

    // The owner leaves: Kim hears it at once (and heard nothing of her own renewal: this
    // is the next viewers event she gets).
    t.leave(&owner).await;
    let ev = kim_stream.next_event(|e| e.name == "ticket.viewers").await;
    assert_eq!(names(&ev.data), ["Kim"]);
    assert_eq!(t.viewers_in_detail(&t.app, &kim).await, ["Kim"]);
    // Leaving again is fine.
    t.leave(&owner).await;

    // The widget never heard of viewers: what it got is the typing line and the message
    // that follows.
    say(&t.app, &t.v, "Hello?").await;
    let seen = widget.read_until(|s| s.contains("Hello?")).await;
    assert!(!seen.contains("viewers"), "{seen}");
    assert!(!seen.contains(t.kim.id.as_str()), "{seen}");
    let history = t
        .app
        .get("/api/v1/widget/messages", Some(&t.v.token))
        .await
        .expect_status(StatusCode::OK);
    assert!(!history.to_string().contains("viewers"), "{history}");
}

#[tokio::test]
async fn a_page_that_vanished_lapses_and_the_team_hears_it() {
    let t = team_with(TestApp::spawn().await).await;
    let owner = t.site.owner_token.clone();
    let url = t.app.stream_url(&t.path("/events"), &owner).await;
    let mut stream = t.app.event_stream(&url, None).await;
    t.view(&t.kim.token).await;
    let ev = stream.next_event(|e| e.name == "ticket.viewers").await;
    assert_eq!(names(&ev.data), ["Kim"]);

    // Kim's browser died: no renewal, no leave. Her lease runs out (moved to the past
    // here rather than waited for).
    sql(
        &t.app,
        "UPDATE ticket_viewers SET expires_at = now() - interval '1 second' WHERE user_id = $1::uuid",
        &t.kim.id,
    );
    // Lapsed is gone at once for a page that opens now …
    assert!(t.viewers_in_detail(&t.app, &owner).await.is_empty());
    // … and the sweep (every 5 s on every server) tells the open ones, and deletes the row.
    let ev = stream.next_event(|e| e.name == "ticket.viewers").await;
    assert_eq!(ev.data["ticket_id"], t.ticket["id"]);
    assert!(names(&ev.data).is_empty(), "{:?}", ev.data);
    let mut db = t.app.db();
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let left: N = diesel::RunQueryDsl::get_result(
        diesel::sql_query("SELECT count(*) AS n FROM ticket_viewers"),
        &mut db,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(left.n, 0, "the sweep deleted the lapsed row");

    // Kim's page comes back: a new viewing, announced again, since now.
    let back = t.view(&t.kim.token).await;
    assert_eq!(names(&back), ["Kim"]);
    let ev = stream.next_event(|e| e.name == "ticket.viewers").await;
    assert_eq!(names(&ev.data), ["Kim"]);

    // A member who is removed leaves every list at once.
    let (s, b) = t
        .app
        .delete(&t.path(&format!("/members/{}", t.kim.id)), Some(&owner))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    assert!(t.viewers_in_detail(&t.app, &owner).await.is_empty());
}

#[tokio::test]
async fn another_server_sees_the_same_viewers() {
    let t = team_with(TestApp::spawn().await).await;
    let second = TestApp::builder().database(&t.app.db_name).spawn().await;
    let owner = t.site.owner_token.clone();
    // The owner's dashboard is connected to the second server.
    let url = second.stream_url(&t.path("/events"), &owner).await;
    let mut stream = second.event_stream(&url, None).await;
    // Kim's page talks to the first.
    t.view(&t.kim.token).await;
    let ev = stream.next_event(|e| e.name == "ticket.viewers").await;
    assert_eq!(names(&ev.data), ["Kim"]);
    assert_eq!(t.viewers_in_detail(&second, &owner).await, ["Kim"]);
    // She leaves through the second; the first knows.
    let (s, _) = second.delete(&t.viewing_path(), Some(&t.kim.token)).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let ev = stream.next_event(|e| e.name == "ticket.viewers").await;
    assert!(names(&ev.data).is_empty());
    assert!(t.viewers_in_detail(&t.app, &owner).await.is_empty());
}

#[tokio::test]
async fn api_keys_have_no_presence_and_other_workspaces_are_404() {
    let t = team_with(TestApp::spawn().await).await;
    let key = t.api_key("crm").await;
    let (s, e) = t.app.post(&t.viewing_path(), Some(&key), json!(null)).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
    assert_eq!(e["error"]["code"], "forbidden", "{e}");
    let (s, _) = t.app.delete(&t.viewing_path(), Some(&key)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // It still reads who is on the ticket.
    t.view(&t.kim.token).await;
    assert_eq!(t.viewers_in_detail(&t.app, &key).await, ["Kim"]);

    // Another workspace's id, or its ticket under ours: 404, and nothing is stored.
    let other = site(&t.app, "standard", true).await;
    let theirs = t
        .app
        .post(
            &format!("/api/v1/workspaces/{}/tickets", other.ws),
            Some(&other.owner_token),
            json!({"visitor_email": "x@example.com", "summary": "Theirs"}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    for path in [
        format!(
            "/api/v1/workspaces/{}/tickets/{}/viewing",
            other.ws,
            t.number()
        ),
        t.path(&format!("/tickets/{}/viewing", str_at(&theirs, "id"))),
        t.path("/tickets/TKT-99999/viewing"),
        t.path("/tickets/not-a-ticket/viewing"),
    ] {
        let (s, e) = t.app.post(&path, Some(&t.kim.token), json!(null)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}: {e}");
        let (s, _) = t.app.delete(&path, Some(&t.kim.token)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
    }
    let d = t
        .app
        .get(
            &format!(
                "/api/v1/workspaces/{}/tickets/{}",
                other.ws,
                str_at(&theirs, "id")
            ),
            Some(&other.owner_token),
        )
        .await
        .expect_status(StatusCode::OK);
    assert!(names(&d["viewers"]).is_empty(), "{d}");
}
