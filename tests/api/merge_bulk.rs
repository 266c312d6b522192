//! Merging tickets and bulk changes (issue 13, part 5): the merged ticket's conversation,
//! notes and tags move to the surviving ticket, the merged one is closed with a link that
//! its number still shows, the visitor's widget follows; the rules (itself, closed,
//! merged, another visitor, versions, other workspaces), crossing merges; bulk changes
//! through each ticket's rules with per-ticket refusals, the 100 cap, bad input, counts,
//! timeline and webhooks.

use diesel::RunQueryDsl;
use handoff_tests::{ExpectStatus, array_at, id_of, str_at};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::tickets::{Setup, setup};

impl Setup {
    async fn merge(&self, ticket: &str, body: Value) -> (StatusCode, Value) {
        self.app
            .post(
                &self.path(&format!("/tickets/{ticket}/merge")),
                Some(&self.owner.token),
                body,
            )
            .await
    }

    async fn bulk(&self, body: Value) -> (StatusCode, Value) {
        self.app
            .post(&self.path("/tickets/bulk"), Some(&self.owner.token), body)
            .await
    }

    async fn widget_session(&self, token: Option<&str>) -> Value {
        let mut body =
            json!({"widget_key": self.widget_key, "page_url": "https://shop.example.com/"});
        if let Some(t) = token {
            body["visitor_token"] = json!(t);
        }
        self.app
            .post("/api/v1/widget/sessions", None, body)
            .await
            .expect_status(StatusCode::CREATED)
    }

    /// A widget visitor who wrote `text`, with a ticket on that conversation; returns
    /// (visitor token, ticket).
    async fn widget_ticket(&self, email: &str, text: &str) -> (String, Value) {
        let s = self.widget_session(None).await;
        let token = str_at(&s, "visitor_token").to_string();
        self.app
            .post(
                "/api/v1/widget/messages",
                Some(&token),
                json!({"body": text}),
            )
            .await
            .expect_status(StatusCode::CREATED);
        let ticket = self
            .app
            .post(
                &self.path("/tickets"),
                Some(&self.owner.token),
                json!({"visitor_email": email, "summary": text,
                       "conversation_id": str_at(&s, "conversation_id")}),
            )
            .await
            .expect_status(StatusCode::CREATED);
        (token, ticket)
    }

    async fn new_tag(&self, name: &str) -> String {
        id_of(
            &self
                .app
                .post(
                    &self.path("/tags"),
                    Some(&self.owner.token),
                    json!({"name": name}),
                )
                .await
                .expect_status(StatusCode::CREATED),
        )
    }

    async fn counts(&self) -> Value {
        self.get_ok("/tickets/counts").await
    }
}

fn code(body: &Value) -> &str {
    str_at(body, "/error/code")
}

fn kinds(detail: &Value) -> Vec<&str> {
    array_at(detail, "events")
        .iter()
        .map(|e| str_at(e, "kind"))
        .collect()
}

/// The `ticket.updated` deliveries' payloads.
fn updated_deliveries(s: &Setup) -> Vec<Value> {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        payload: String,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT payload::text AS payload FROM webhook_deliveries WHERE event = 'ticket.updated' ORDER BY created_at",
    )
    .load(&mut s.app.db())
    .unwrap_or_else(|e| panic!("reading deliveries: {e}"));
    rows.into_iter()
        .map(|r| serde_json::from_str(&r.payload).unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

async fn subscribe(s: &Setup) {
    s.app
        .post(
            &s.path("/webhooks"),
            Some(&s.owner.token),
            json!({"url": "http://127.0.0.1:9/hook", "events": ["ticket.updated"]}),
        )
        .await
        .expect_status(StatusCode::CREATED);
}

#[tokio::test]
async fn a_merge_carries_the_conversation_and_the_widget_follows() {
    let s = setup().await;
    subscribe(&s).await;
    // One person on two devices: two widget visitors with the same email.
    let (_laptop, first) = s
        .widget_ticket("ann@example.com", "My parcel never arrived")
        .await;
    let (phone, second) = s
        .widget_ticket("Ann@Example.com", "Where is my parcel? Order 4417")
        .await;
    let (first_no, second_no) = (str_at(&first, "number"), str_at(&second, "number"));
    s.reply(first_no, "We are checking with the courier.", false)
        .await;
    let vip = s.new_tag("VIP").await;
    s.app
        .patch(
            &s.path(&format!("/tickets/{second_no}")),
            Some(&s.owner.token),
            json!({"tags": [vip]}),
        )
        .await
        .expect_status(StatusCode::OK);
    s.app
        .post(
            &s.path(&format!("/tickets/{second_no}/notes")),
            Some(&s.owner.token),
            json!({"body": "Second contact about 4417"}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    let before = s.counts().await;
    assert_eq!(
        (before["all"].as_i64(), before["open"].as_i64()),
        (Some(2), Some(2))
    );
    let version = s.get_ok(&format!("/tickets/{second_no}")).await["ticket"]["version"].clone();

    // Merge the second into the first, by number.
    let out = s
        .merge(second_no, json!({"into": first_no, "version": version}))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(out["ticket"]["number"], first_no);
    assert_eq!(out["merged"]["number"], second_no);
    assert_eq!(out["merged"]["status"], "closed");
    assert_eq!(out["merged"]["merged_into"]["number"], first_no);
    assert_eq!(out["merged"]["merged_into"]["id"], first["id"]);
    assert!(out["ticket"]["merged_into"].is_null());
    // Tags unioned.
    assert_eq!(out["ticket"]["tags"][0]["name"], "VIP");

    // The surviving ticket shows both conversations in time order, and the note.
    let survivor = s.get_ok(&format!("/tickets/{first_no}")).await;
    let bodies: Vec<&str> = array_at(&survivor, "messages")
        .iter()
        .filter(|m| m["sender"] != "assistant")
        .map(|m| str_at(m, "body"))
        .collect();
    assert_eq!(
        bodies,
        vec![
            "My parcel never arrived",
            "Where is my parcel? Order 4417",
            "We are checking with the courier."
        ],
        "{survivor}"
    );
    let times: Vec<&str> = array_at(&survivor, "messages")
        .iter()
        .map(|m| str_at(m, "created_at"))
        .collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted);
    assert_eq!(survivor["notes"][0]["body"], "Second contact about 4417");
    let merged_from = array_at(&survivor, "events")
        .iter()
        .find(|e| e["kind"] == "merged_from")
        .unwrap_or_else(|| panic!("no merged_from in {survivor}"));
    assert_eq!(merged_from["data"]["from"]["number"], second_no);
    assert_eq!(merged_from["data"]["into"]["number"], first_no);
    assert!(kinds(&survivor).contains(&"tag_added"));

    // The old number still resolves: closed, with the link and its own timeline.
    let merged = s.get_ok(&format!("/tickets/{second_no}")).await;
    assert_eq!(merged["ticket"]["status"], "closed");
    assert_eq!(merged["ticket"]["merged_into"]["number"], first_no);
    let k = kinds(&merged);
    assert!(
        k.contains(&"status_changed") && k.contains(&"merged_into"),
        "{k:?}"
    );
    assert_eq!(array_at(&merged, "messages").len(), 0);

    // Counts follow: one open, one closed.
    let after = s.counts().await;
    assert_eq!(
        (
            after["all"].as_i64(),
            after["open"].as_i64(),
            after["closed"].as_i64()
        ),
        (Some(2), Some(1), Some(1)),
        "{after}"
    );

    // Webhooks: a `merged` change on both.
    let hooks = updated_deliveries(&s);
    let merged_changes: Vec<&Value> = hooks
        .iter()
        .filter(|h| {
            h["data"]["changes"]
                .as_array()
                .is_some_and(|c| c.iter().any(|c| c["field"] == "merged"))
        })
        .collect();
    assert_eq!(merged_changes.len(), 2, "{hooks:?}");
    for h in &merged_changes {
        let change = h["data"]["changes"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["field"] == "merged"))
            .cloned()
            .unwrap_or_default();
        assert_eq!(change["from"]["number"], second_no);
        assert_eq!(change["into"]["number"], first_no);
    }

    // The emptied conversation leaves the Conversations inbox; the surviving one stays.
    let inbox = s.get_ok("/conversations").await;
    let ids: Vec<&str> = array_at(&inbox, "items")
        .iter()
        .map(|c| str_at(c, "id"))
        .collect();
    assert!(ids.contains(&str_at(&first, "conversation_id")), "{inbox}");
    assert!(
        !ids.contains(&str_at(&second, "conversation_id")),
        "{inbox}"
    );

    // The merged ticket takes no more changes.
    let (status, body) = s
        .app
        .post(
            &s.path(&format!("/tickets/{second_no}/replies")),
            Some(&s.owner.token),
            json!({"body": "hello?", "email_visitor": false}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(code(&body), "ticket_merged");
    let (status, body) = s.status(second_no, "open").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(code(&body), "ticket_merged");

    // The phone's widget follows the surviving ticket: its conversation, its card, and a
    // new agent reply reaches it.
    s.reply(first_no, "Found it: it arrives tomorrow.", false)
        .await;
    let widget = s.widget_session(Some(&phone)).await;
    assert_eq!(widget["conversation_id"], first["conversation_id"]);
    assert_eq!(widget["ticket"]["number"], first_no);
    let seen: Vec<&str> = array_at(&widget, "messages")
        .iter()
        .map(|m| str_at(m, "body"))
        .collect();
    assert!(seen.contains(&"Found it: it arrives tomorrow."), "{seen:?}");
    assert!(seen.contains(&"Where is my parcel? Order 4417"), "{seen:?}");
    // And the visitor's next message lands on the surviving ticket.
    let phone_token = str_at(&widget, "visitor_token").to_string();
    s.app
        .post(
            "/api/v1/widget/messages",
            Some(&phone_token),
            json!({"body": "Thanks!"}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    let survivor = s.get_ok(&format!("/tickets/{first_no}")).await;
    assert!(
        array_at(&survivor, "messages")
            .iter()
            .any(|m| m["body"] == "Thanks!")
    );
}

#[tokio::test]
async fn the_same_visitor_newer_conversation_follows_the_older_ticket() {
    let s = setup().await;
    let (token, first) = s.widget_ticket("bo@example.com", "Refund please").await;
    // The API finds the visitor by email and opens a second, newer conversation.
    let second = s.create("bo@example.com", "Refund, again").await;
    let (first_no, second_no) = (str_at(&first, "number"), str_at(&second, "number"));
    s.reply(second_no, "Reply on the second", false).await;
    s.merge(second_no, json!({"into": first["id"]}))
        .await
        .expect_status(StatusCode::OK);
    let widget = s.widget_session(Some(&token)).await;
    assert_eq!(widget["conversation_id"], first["conversation_id"]);
    assert_eq!(widget["ticket"]["number"], first_no);
    assert!(
        array_at(&widget, "messages")
            .iter()
            .any(|m| m["body"] == "Reply on the second")
    );
}

#[tokio::test]
async fn merge_rules_bad_input_versions_and_other_workspaces() {
    let s = setup().await;
    let a = s.create("cy@example.com", "A").await;
    let b = s.create("cy@example.com", "B").await;
    let c = s.create("cy@example.com", "C").await;
    let closed = s.create("cy@example.com", "Closed").await;
    let stranger = s.create("dee@example.com", "Someone else").await;
    let n = |t: &Value| str_at(t, "number").to_string();
    s.set_status(&n(&closed), "closed").await;

    for (source, into, status, want) in [
        (
            n(&a),
            n(&a),
            StatusCode::UNPROCESSABLE_ENTITY,
            "merge_into_itself",
        ),
        (
            n(&a),
            str_at(&a, "id").to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "merge_into_itself",
        ),
        (
            n(&a),
            n(&closed),
            StatusCode::UNPROCESSABLE_ENTITY,
            "target_closed",
        ),
        (
            n(&closed),
            n(&a),
            StatusCode::UNPROCESSABLE_ENTITY,
            "ticket_closed",
        ),
        (
            n(&a),
            n(&stranger),
            StatusCode::UNPROCESSABLE_ENTITY,
            "different_visitor",
        ),
        (
            n(&a),
            "TKT-99999".into(),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            "TKT-99999".into(),
            n(&a),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
    ] {
        let (got, body) = s.merge(&source, json!({"into": into})).await;
        assert_eq!(got, status, "{source} into {into}: {body}");
        assert_eq!(code(&body), want, "{source} into {into}");
    }
    let (status, body) = s.merge(&n(&a), json!({"into": "nope"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["fields"]["into"].is_array());
    let (status, _) = s.merge(&n(&a), json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = s.merge(&n(&a), json!({"into": n(&b), "force": true})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // A stale version: 409, nothing merged.
    let (status, body) = s.merge(&n(&a), json!({"into": n(&b), "version": 99})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(code(&body), "version_conflict");

    // An agent may merge.
    let agent = s.app.register_user("Alex Agent").await;
    s.app
        .add_member(&s.owner.token, &s.ws, &agent, "agent")
        .await;
    s.app
        .post(
            &s.path(&format!("/tickets/{}/merge", n(&a))),
            Some(&agent.token),
            json!({"into": n(&b)}),
        )
        .await
        .expect_status(StatusCode::OK);
    // Merged already; into a merged ticket.
    let (status, body) = s.merge(&n(&a), json!({"into": n(&c)})).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "ticket_merged")
    );
    let (status, body) = s.merge(&n(&c), json!({"into": n(&a)})).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "target_merged")
    );
    assert!(str_at(&body, "/error/message").contains(&n(&b)));
    // A chain: b merged into c re-points a's link to c.
    s.merge(&n(&b), json!({"into": n(&c)}))
        .await
        .expect_status(StatusCode::OK);
    let a_now = s.get_ok(&format!("/tickets/{}", n(&a))).await;
    assert_eq!(a_now["ticket"]["merged_into"]["number"], n(&c));

    // Another workspace: its ticket as target, its path, its user.
    let other = s.app.register_user("Otto Other").await;
    let other_ws = id_of(&s.app.create_workspace(&other.token, "standard").await);
    s.app
        .put(
            &format!("/api/v1/workspaces/{other_ws}/ticket-settings"),
            Some(&other.token),
            json!({"enabled": true, "notification_email": "o@example.com"}),
        )
        .await
        .expect_status(StatusCode::OK);
    let foreign = s
        .app
        .post(
            &format!("/api/v1/workspaces/{other_ws}/tickets"),
            Some(&other.token),
            json!({"visitor_email": "cy@example.com", "summary": "Theirs"}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    let (status, _) = s.merge(&n(&c), json!({"into": foreign["id"]})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = s
        .merge(str_at(&foreign, "id"), json!({"into": n(&c)}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = s
        .app
        .post(
            &s.path(&format!("/tickets/{}/merge", n(&c))),
            Some(&other.token),
            json!({"into": n(&a)}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn crossing_merges_do_not_deadlock() {
    let s = setup().await;
    for round in 0..4 {
        let a = s.create("eve@example.com", &format!("A{round}")).await;
        let b = s.create("eve@example.com", &format!("B{round}")).await;
        let (an, bn) = (str_at(&a, "number"), str_at(&b, "number"));
        let (one, two) = tokio::join!(
            s.merge(an, json!({"into": bn})),
            s.merge(bn, json!({"into": an}))
        );
        let ok = [one.0, two.0]
            .iter()
            .filter(|st| **st == StatusCode::OK)
            .count();
        assert_eq!(ok, 1, "round {round}: {one:?} / {two:?}");
        let loser = if one.0 == StatusCode::OK { &two } else { &one };
        assert!(
            matches!(code(&loser.1), "target_merged" | "ticket_merged"),
            "{loser:?}"
        );
        let (a_now, b_now) = (
            s.get_ok(&format!("/tickets/{an}")).await,
            s.get_ok(&format!("/tickets/{bn}")).await,
        );
        let merged = [&a_now, &b_now]
            .iter()
            .filter(|t| !t["ticket"]["merged_into"].is_null())
            .count();
        assert_eq!(merged, 1);
    }
    let counts = s.counts().await;
    assert_eq!(
        (counts["open"].as_i64(), counts["closed"].as_i64()),
        (Some(4), Some(4))
    );
}

/// A merge locks both conversations and both tickets while the visitors go on writing and
/// an agent replies: every change locks a conversation before its ticket, so none of them
/// deadlocks (Postgres would break a deadlock with a 500 for one of them).
#[tokio::test]
async fn merges_with_visitor_messages_and_replies_at_once_never_deadlock() {
    let s = setup().await;
    for round in 0..6 {
        let email = format!("pat{round}@example.com");
        let (ta, a) = s.widget_ticket(&email, &format!("first {round}")).await;
        let (tb, b) = s.widget_ticket(&email, &format!("second {round}")).await;
        let (an, bn) = (str_at(&a, "number"), str_at(&b, "number"));
        let reply = s.path(&format!("/tickets/{bn}/replies"));
        let (merged, va, vb, r) = tokio::join!(
            s.merge(an, json!({"into": bn})),
            s.app.post(
                "/api/v1/widget/messages",
                Some(&ta),
                json!({"body": "still there?"})
            ),
            s.app.post(
                "/api/v1/widget/messages",
                Some(&tb),
                json!({"body": "hello?"})
            ),
            s.app
                .post(&reply, Some(&s.owner.token), json!({"body": "On it."})),
        );
        assert_eq!(merged.0, StatusCode::OK, "round {round}: {merged:?}");
        for (status, body) in [va, vb, r] {
            assert_eq!(status, StatusCode::CREATED, "round {round}: {body}");
        }
    }
}

#[tokio::test]
async fn bulk_changes_go_through_each_tickets_rules() {
    let s = setup().await;
    subscribe(&s).await;
    let agent = s.app.register_user("Alex Agent").await;
    s.app
        .add_member(&s.owner.token, &s.ws, &agent, "agent")
        .await;
    let vip = s.new_tag("VIP").await;
    let t1 = s.create("f1@example.com", "One").await;
    let t2 = s.create("f2@example.com", "Two").await;
    let t3 = s.create("f3@example.com", "Three").await;
    let (n1, n2, n3) = (
        str_at(&t1, "number"),
        str_at(&t2, "number"),
        str_at(&t3, "number"),
    );
    s.set_status(n3, "closed").await;
    let hooks_before = updated_deliveries(&s).len();

    let out = s
        .bulk(json!({
            "tickets": [n1, t2["id"], n3, "TKT-99999", "nonsense", n1],
            "status": "in_progress",
            "assignee_id": agent.id,
            "add_tags": [vip],
            "priority": "high",
        }))
        .await
        .expect_status(StatusCode::OK);
    let updated = array_at(&out, "updated");
    assert_eq!(updated.len(), 2, "{out}");
    assert_eq!(updated[0]["ticket"]["number"], n1);
    assert_eq!(updated[1]["ticket"]["number"], n2);
    for u in updated {
        assert_eq!(u["ticket"]["status"], "in_progress");
        assert_eq!(u["ticket"]["assignee"]["id"], agent.id.as_str());
        assert_eq!(u["ticket"]["priority"], "high");
        assert_eq!(u["ticket"]["tags"][0]["name"], "VIP");
        let fields: Vec<&str> = array_at(u, "changes")
            .iter()
            .map(|c| str_at(c, "field"))
            .collect();
        assert_eq!(fields, vec!["status", "assignee", "priority", "tags"]);
    }
    let refused = array_at(&out, "refused");
    let got: Vec<(&str, &str)> = refused
        .iter()
        .map(|r| (str_at(r, "ticket"), str_at(r, "code")))
        .collect();
    assert_eq!(
        got,
        vec![
            (n3, "invalid_transition"),
            ("TKT-99999", "not_found"),
            ("nonsense", "not_found")
        ]
    );
    assert!(str_at(&refused[0], "message").contains("closed"));
    // The refused ticket was rolled back whole: no tag, no assignee, still closed.
    let three = s.get_ok(&format!("/tickets/{n3}")).await;
    assert_eq!(three["ticket"]["status"], "closed");
    assert!(three["ticket"]["assignee"].is_null());
    assert_eq!(three["ticket"]["tags"], json!([]));
    assert_eq!(three["ticket"]["priority"], "normal");

    // Timeline, webhooks (one per changed ticket, all changes in it), counts, mail.
    let one = s.get_ok(&format!("/tickets/{n1}")).await;
    let k = kinds(&one);
    for kind in [
        "status_changed",
        "assigned",
        "priority_changed",
        "tag_added",
    ] {
        assert!(k.contains(&kind), "{kind} missing: {k:?}");
    }
    assert_eq!(updated_deliveries(&s).len(), hooks_before + 2);
    let counts = s.counts().await;
    assert_eq!(
        (
            counts["in_progress"].as_i64(),
            counts["closed"].as_i64(),
            counts["open"].as_i64()
        ),
        (Some(2), Some(1), Some(0))
    );
    let assigned_mail = s
        .app
        .email_jobs_to(&agent.email)
        .into_iter()
        .filter(|j| j.payload.to_string().contains("assigned"))
        .count();
    assert_eq!(assigned_mail, 2);

    // Unassign (null), remove a tag, same status again (no change for it): per ticket.
    let out = s
        .bulk(json!({"tickets": [n1, n2], "assignee_id": null, "remove_tags": [vip], "status": "in_progress"}))
        .await
        .expect_status(StatusCode::OK);
    for u in array_at(&out, "updated") {
        assert!(u["ticket"]["assignee"].is_null());
        assert_eq!(u["ticket"]["tags"], json!([]));
        let fields: Vec<&str> = array_at(u, "changes")
            .iter()
            .map(|c| str_at(c, "field"))
            .collect();
        assert_eq!(fields, vec!["assignee", "tags"]);
    }
    // Nothing to do for a ticket: listed with no changes, no webhook.
    let hooks = updated_deliveries(&s).len();
    let out = s
        .bulk(json!({"tickets": [n1], "priority": "high"}))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(out["updated"][0]["changes"], json!([]));
    assert_eq!(updated_deliveries(&s).len(), hooks);

    // A merged ticket is refused; another workspace's ticket names nothing here.
    let t4 = s.create("f1@example.com", "One again").await;
    s.merge(str_at(&t4, "number"), json!({"into": n1}))
        .await
        .expect_status(StatusCode::OK);
    let other = s.app.register_user("Otto Other").await;
    let other_ws = id_of(&s.app.create_workspace(&other.token, "standard").await);
    s.app
        .put(
            &format!("/api/v1/workspaces/{other_ws}/ticket-settings"),
            Some(&other.token),
            json!({"enabled": true, "notification_email": "o@example.com"}),
        )
        .await
        .expect_status(StatusCode::OK);
    let foreign = s
        .app
        .post(
            &format!("/api/v1/workspaces/{other_ws}/tickets"),
            Some(&other.token),
            json!({"visitor_email": "x@example.com", "summary": "Theirs"}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    let out = s
        .bulk(json!({"tickets": [t4["number"], foreign["id"]], "priority": "urgent"}))
        .await
        .expect_status(StatusCode::OK);
    let got: Vec<&str> = array_at(&out, "refused")
        .iter()
        .map(|r| str_at(r, "code"))
        .collect();
    assert_eq!(got, vec!["ticket_merged", "not_found"]);
    let theirs = s
        .app
        .get(
            &format!(
                "/api/v1/workspaces/{other_ws}/tickets/{}",
                str_at(&foreign, "id")
            ),
            Some(&other.token),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(theirs["ticket"]["priority"], "normal");
    // Their path with our token: 404.
    let (status, _) = s
        .app
        .post(
            &format!("/api/v1/workspaces/{other_ws}/tickets/bulk"),
            Some(&s.owner.token),
            json!({"tickets": [n1], "priority": "low"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bulk_bad_input_and_the_cap() {
    let s = setup().await;
    let t = s.create("g@example.com", "G").await;
    let n = str_at(&t, "number").to_string();
    let vip = s.new_tag("VIP").await;
    let stranger = s.app.register_user("Not A Member").await;
    let field = |b: &Value, f: &str| b["error"]["fields"][f].is_array();
    for (body, f) in [
        (json!({"tickets": [], "status": "resolved"}), "tickets"),
        (json!({"tickets": [n]}), "tickets"),
        (
            json!({"tickets": [n], "assignee_id": stranger.id}),
            "assignee_id",
        ),
        (
            json!({"tickets": [n], "add_tags": [uuid::Uuid::now_v7()]}),
            "add_tags",
        ),
        (
            json!({"tickets": [n], "add_tags": [vip], "remove_tags": [vip]}),
            "remove_tags",
        ),
    ] {
        let (status, got) = s.bulk(body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {got}");
        assert!(field(&got, f), "{body}: {got}");
    }
    for body in [
        json!({"tickets": [n], "status": "bogus"}),
        json!({"tickets": "TKT-10001", "status": "open"}),
        json!({"tickets": [n], "colour": "red"}),
    ] {
        let (status, got) = s.bulk(body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {got}");
    }
    // Nothing changed by the refused requests.
    let now = s.get_ok(&format!("/tickets/{n}")).await;
    assert_eq!(now["ticket"]["version"], t["version"]);

    // 100 tickets in one request; 101 refused.
    let mut numbers = vec![n.clone()];
    for i in 1..100 {
        let t = s.create(&format!("g{i}@example.com"), "Many").await;
        numbers.push(str_at(&t, "number").to_string());
    }
    let out = s
        .bulk(json!({"tickets": numbers, "status": "resolved"}))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(array_at(&out, "updated").len(), 100);
    assert_eq!(array_at(&out, "refused").len(), 0);
    let counts = s.counts().await;
    assert_eq!(
        (counts["resolved"].as_i64(), counts["open"].as_i64()),
        (Some(100), Some(0))
    );
    numbers.push("TKT-20000".into());
    let (status, got) = s
        .bulk(json!({"tickets": numbers, "status": "closed"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{got}");
    assert!(field(&got, "tickets"));
}

#[tokio::test]
async fn an_open_widget_is_told_to_follow_the_surviving_conversation() {
    let s = setup().await;
    let (token, merged) = s.widget_ticket("hal@example.com", "Broken lid").await;
    // The widget is open on the chat's conversation; then the same visitor writes by mail.
    let url = s.app.stream_url("/api/v1/widget/events", &token).await;
    let mut widget = s.app.event_stream(&url, None).await;
    let surviving = s.create("hal@example.com", "Broken lid, by mail").await;
    s.merge(
        str_at(&merged, "number"),
        json!({"into": surviving["number"]}),
    )
    .await
    .expect_status(StatusCode::OK);
    let ev = widget.next_event(|e| e.name == "conversation.merged").await;
    assert_eq!(ev.data["conversation_id"], surviving["conversation_id"]);
    assert!(
        ev.id.is_none(),
        "never replayed: the next session opens the surviving one"
    );
    // Its next stream is the surviving conversation's: the agent's reply arrives there.
    let url = s.app.stream_url("/api/v1/widget/events", &token).await;
    let mut widget = s.app.event_stream(&url, None).await;
    s.reply(
        str_at(&surviving, "number"),
        "A new lid is on its way.",
        false,
    )
    .await;
    let ev = widget
        .next_event(|e| e.name == "message.created" && e.data["sender"] == "agent")
        .await;
    assert_eq!(ev.data["body"], "A new lid is on its way.");
    assert_eq!(ev.data["conversation_id"], surviving["conversation_id"]);
}
