//! Tickets over HTTP: create, detail, workflow (every allowed and forbidden move), versions,
//! assignment, list filters and keyset pagination, counts, replies reaching the widget,
//! mail through the recording SMTP server, concurrency of ticket numbers.

use std::collections::HashSet;
use std::time::Duration;

use diesel::RunQueryDsl;
use handoff_tests::smtp::SmtpServer;
use handoff_tests::{ExpectStatus, TestApp, User, array_at, id_of, last_at, str_at, strs_at};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A workspace on Standard with tickets enabled, owned by a fresh user.
pub struct Setup {
    pub app: TestApp,
    pub owner: User,
    pub ws: String,
    pub widget_key: String,
}

pub async fn setup_with(app: TestApp) -> Setup {
    let owner = app.register_user("Olivia Owner").await;
    let ws = app.create_workspace(&owner.token, "standard").await;
    let id = id_of(&ws);
    app.put(
        &format!("/api/v1/workspaces/{id}/ticket-settings"),
        Some(&owner.token),
        json!({"enabled": true, "notification_email": "support-team@acme.test"}),
    )
    .await
    .expect_status(StatusCode::OK);
    Setup {
        widget_key: str_at(&ws, "widget_key").to_string(),
        app,
        owner,
        ws: id,
    }
}

pub async fn setup() -> Setup {
    setup_with(TestApp::spawn().await).await
}

/// Adds a member straight in the database (invitations go by mail, which some tests
/// route to their own SMTP server).
pub fn add_member_db(app: &TestApp, ws: &str, user: &User, role: &str) {
    let mut db = app.db();
    diesel::sql_query(format!(
        "INSERT INTO memberships (workspace_id, user_id, role) VALUES ('{ws}', '{}', '{role}')",
        user.id
    ))
    .execute(&mut db)
    .unwrap_or_else(|e| panic!("add member: {e}"));
}

impl Setup {
    pub fn path(&self, rest: &str) -> String {
        format!("/api/v1/workspaces/{}{rest}", self.ws)
    }

    pub async fn create(&self, email: &str, summary: &str) -> Value {
        let (status, body) = self
            .app
            .post(
                &self.path("/tickets"),
                Some(&self.owner.token),
                json!({"visitor_email": email, "summary": summary, "description": "Details here"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }

    pub async fn status(&self, ticket: &str, to: &str) -> (StatusCode, Value) {
        self.app
            .post(
                &self.path(&format!("/tickets/{ticket}/status")),
                Some(&self.owner.token),
                json!({"status": to}),
            )
            .await
    }

    /// Moves `ticket` to `to`, which must be allowed; returns the ticket.
    pub async fn set_status(&self, ticket: &str, to: &str) -> Value {
        self.status(ticket, to).await.expect_status(StatusCode::OK)
    }

    /// The owner replies on `ticket`; returns the message.
    pub async fn reply(&self, ticket: &str, body: &str, email_visitor: bool) -> Value {
        self.app
            .post(
                &self.path(&format!("/tickets/{ticket}/replies")),
                Some(&self.owner.token),
                json!({"body": body, "email_visitor": email_visitor}),
            )
            .await
            .expect_status(StatusCode::CREATED)
    }

    /// GET `rest` under the workspace as the owner; must be 200.
    pub async fn get_ok(&self, rest: &str) -> Value {
        self.app
            .get(&self.path(rest), Some(&self.owner.token))
            .await
            .expect_status(StatusCode::OK)
    }
}

fn id(v: &Value) -> String {
    id_of(v)
}

#[tokio::test]
async fn create_then_read_by_uuid_or_number() {
    let s = setup().await;
    let t = s
        .create("Jane.Doe@Example.com", "Refund for order 1234")
        .await;
    assert_eq!(t["number"], "TKT-10001");
    assert_eq!(t["status"], "open");
    assert_eq!(t["source"], "dashboard");
    assert_eq!(t["version"], 1);
    assert_eq!(t["assignee"], Value::Null);
    assert_eq!(t["category"], "other");
    let second = s.create("jane.doe@example.com", "Second issue").await;
    assert_eq!(second["number"], "TKT-10002");

    for key in [id(&t), "TKT-10001".to_string(), "tkt-10001".to_string()] {
        let (status, d) = s
            .app
            .get(&s.path(&format!("/tickets/{key}")), Some(&s.owner.token))
            .await;
        assert_eq!(status, StatusCode::OK, "{key}: {d}");
        assert_eq!(d["ticket"]["id"], t["id"]);
        assert_eq!(d["visitor"]["email"], "Jane.Doe@Example.com");
        assert!(d["visitor"]["device"].is_object());
        assert_eq!(d["messages"], json!([]));
        assert_eq!(d["events"][0]["kind"], "created");
        assert_eq!(d["events"][0]["actor"]["type"], "user");
        assert_eq!(d["events"][0]["actor"]["name"], "Olivia Owner");
    }
    // The same visitor (found by email, case-insensitively), a conversation per ticket.
    let d2 = s.get_ok("/tickets/TKT-10002").await;
    let d1 = s.get_ok("/tickets/TKT-10001").await;
    assert_eq!(d2["visitor"]["id"], d1["visitor"]["id"]);
    assert_ne!(second["conversation_id"], t["conversation_id"]);

    for missing in [
        "TKT-99999",
        "garbage",
        "00000000-0000-0000-0000-000000000000",
    ] {
        let (status, body) = s
            .app
            .get(
                &s.path(&format!("/tickets/{missing}")),
                Some(&s.owner.token),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}: {body}");
    }

    // Another tenant sees nothing, not even by UUID.
    let other = s.app.register_user("Mallory").await;
    let other_ws = s.app.create_workspace(&other.token, "standard").await;
    let (status, _) = s
        .app
        .get(
            &format!(
                "/api/v1/workspaces/{}/tickets/{}",
                str_at(&other_ws, "id"),
                id(&t)
            ),
            Some(&other.token),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = s
        .app
        .get(&s.path(&format!("/tickets/{}", id(&t))), Some(&other.token))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Validation.
    for (body, field) in [
        (
            json!({"visitor_email": "nope", "summary": "x"}),
            "visitor_email",
        ),
        (
            json!({"visitor_email": "a@b.co", "summary": "  "}),
            "summary",
        ),
        (
            json!({"visitor_email": "a@b.co", "summary": "x", "conversation_id": "00000000-0000-0000-0000-000000000000"}),
            "conversation_id",
        ),
    ] {
        let (status, e) = s
            .app
            .post(&s.path("/tickets"), Some(&s.owner.token), body)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(e["error"]["fields"][field].is_array(), "{e}");
    }
}

#[tokio::test]
async fn api_keys_create_tickets_with_source_api() {
    let s = setup().await;
    let (status, key) = s
        .app
        .post(
            &s.path("/api-keys"),
            Some(&s.owner.token),
            json!({"name": "CRM sync", "scopes": ["tickets:read", "tickets:write"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{key}");
    let key = str_at(&key, "key").to_string();
    let (status, t) = s
        .app
        .post(&s.path("/tickets"), Some(&key), json!({"visitor_email": "x@y.test", "summary": "From the CRM", "category": "needs_human_judgment"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{t}");
    assert_eq!(t["source"], "api");
    assert_eq!(t["category"], "needs_human_judgment");
    let d = s
        .app
        .get(&s.path(&format!("/tickets/{}", id(&t))), Some(&key))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(d["events"][0]["actor"]["type"], "api");
    assert_eq!(d["events"][0]["actor"]["name"], "CRM sync");
    // "me" means nothing for an API key.
    let (status, e) = s.app.get(&s.path("/tickets?assignee=me"), Some(&key)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (status, _) = s
        .app
        .post(
            &s.path(&format!("/tickets/{}/assign-to-me", id(&t))),
            Some(&key),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// Brings a fresh ticket to `status` through allowed moves.
async fn ticket_in(s: &Setup, status: &str) -> Value {
    let t = s
        .create("flow@example.com", &format!("Ticket that starts {status}"))
        .await;
    if status != "open" {
        let (code, body) = s.status(&id(&t), status).await;
        assert_eq!(code, StatusCode::OK, "{body}");
        return body;
    }
    t
}

#[tokio::test]
async fn every_allowed_and_forbidden_transition() {
    let s = setup().await;
    let statuses = ["open", "in_progress", "resolved", "closed"];
    let allowed: HashSet<(&str, &str)> = [
        ("open", "in_progress"),
        ("open", "resolved"),
        ("open", "closed"),
        ("in_progress", "open"),
        ("in_progress", "resolved"),
        ("in_progress", "closed"),
        ("resolved", "closed"),
        ("resolved", "open"),
        ("closed", "open"),
    ]
    .into_iter()
    .collect();
    for from in statuses {
        for to in statuses {
            let t = ticket_in(&s, from).await;
            let (code, body) = s.status(&id(&t), to).await;
            if from == to {
                assert_eq!(code, StatusCode::OK, "{from}->{to}: {body}");
                assert_eq!(body["version"], t["version"], "same status is a no-op");
                assert_eq!(body["status"], from);
            } else if allowed.contains(&(from, to)) {
                assert_eq!(code, StatusCode::OK, "{from}->{to}: {body}");
                assert_eq!(body["status"], to);
                assert_eq!(
                    body["version"].as_i64(),
                    t["version"].as_i64().map(|v| v + 1)
                );
                assert_eq!(
                    body["resolved_at"].is_null(),
                    !(to == "resolved" || (to == "closed" && from == "resolved")),
                    "{from}->{to}: {body}"
                );
                assert_eq!(body["closed_at"].is_null(), to != "closed", "{from}->{to}");
            } else {
                assert_eq!(code, StatusCode::CONFLICT, "{from}->{to}: {body}");
                assert_eq!(body["error"]["code"], "invalid_transition");
                let msg = str_at(&body, "/error/message");
                assert!(msg.contains(&format!("{from} → open")), "{msg}");
            }
        }
    }
    // The timeline records the moves with who and when.
    let t = ticket_in(&s, "in_progress").await;
    s.set_status(&id(&t), "resolved").await;
    let ev = s.get_ok(&format!("/tickets/{}/events", id(&t))).await;
    assert_eq!(
        strs_at(&ev, "items", "kind"),
        ["created", "status_changed", "status_changed"]
    );
    assert_eq!(
        ev["items"][2]["data"],
        json!({"from": "in_progress", "to": "resolved"})
    );
    let (status, body) = s
        .app
        .post(
            &s.path(&format!("/tickets/{}/status", id(&t))),
            Some(&s.owner.token),
            json!({"status": "done"}),
        )
        .await;
    assert!(status.is_client_error(), "{body}");
}

#[tokio::test]
async fn a_stale_version_is_a_conflict() {
    let s = setup().await;
    let t = s.create("v@example.com", "Versioned").await;
    let path = s.path(&format!("/tickets/{}/status", id(&t)));
    let (code, moved) = s
        .app
        .post(
            &path,
            Some(&s.owner.token),
            json!({"status": "in_progress", "version": 1}),
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{moved}");
    assert_eq!(moved["version"], 2);
    // A second agent still holding version 1.
    let (code, body) = s
        .app
        .post(
            &path,
            Some(&s.owner.token),
            json!({"status": "resolved", "version": 1}),
        )
        .await;
    assert_eq!(code, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "version_conflict");
    let (code, body) = s
        .app
        .post(
            &s.path(&format!("/tickets/{}/assign-to-me", id(&t))),
            Some(&s.owner.token),
            json!({"version": 1}),
        )
        .await;
    assert_eq!(code, StatusCode::CONFLICT, "{body}");
    let (code, body) = s
        .app
        .post(
            &path,
            Some(&s.owner.token),
            json!({"status": "resolved", "version": 2}),
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(body["version"], 3);
}

#[tokio::test]
async fn assignment_rules_and_my_tickets() {
    let s = setup().await;
    let agent = s.app.register_user("Alex Agent").await;
    add_member_db(&s.app, &s.ws, &agent, "agent");
    let outsider = s.app.register_user("Otto Outsider").await;
    let t = s.create("a@example.com", "Needs an owner").await;
    let assign = s.path(&format!("/tickets/{}/assign", id(&t)));

    let (code, body) = s
        .app
        .post(
            &assign,
            Some(&s.owner.token),
            json!({"assignee_id": agent.id}),
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(
        body["assignee"],
        json!({"id": agent.id, "name": "Alex Agent", "email": agent.email})
    );
    assert_eq!(body["version"], 2);

    let (code, body) = s
        .app
        .post(
            &assign,
            Some(&s.owner.token),
            json!({"assignee_id": outsider.id}),
        )
        .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["fields"]["assignee_id"].is_array());

    // The agent's "My Tickets" and count.
    let mine = s
        .app
        .get(&s.path("/tickets?assignee=me"), Some(&agent.token))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(array_at(&mine, "items").len(), 1, "{mine}");
    let counts = s
        .app
        .get(&s.path("/tickets/counts"), Some(&agent.token))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(counts["mine"], 1);
    let counts = s.get_ok("/tickets/counts").await;
    assert_eq!(counts["mine"], 0);

    let (code, body) = s
        .app
        .post(&assign, Some(&s.owner.token), json!({"assignee_id": null}))
        .await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(body["assignee"], Value::Null);

    let (code, body) = s
        .app
        .post(
            &s.path(&format!("/tickets/{}/assign-to-me", id(&t))),
            Some(&agent.token),
            json!({}),
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(body["assignee"]["id"], json!(agent.id));
    // Assigning to the current assignee changes nothing.
    let same = s
        .app
        .post(
            &s.path(&format!("/tickets/{}/assign-to-me", id(&t))),
            Some(&agent.token),
            json!({}),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(same["version"], body["version"]);

    let ev = s.get_ok(&format!("/tickets/{}/events", id(&t))).await;
    assert_eq!(
        strs_at(&ev, "items", "kind"),
        ["created", "assigned", "unassigned", "assigned"]
    );
    assert_eq!(ev["items"][3]["actor"]["name"], "Alex Agent");

    // An outsider cannot even see it.
    let (code, _) = s
        .app
        .post(
            &assign,
            Some(&outsider.token),
            json!({"assignee_id": outsider.id}),
        )
        .await;
    assert_eq!(code, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn list_filters_search_sort_counts_and_parameter_errors() {
    let s = setup().await;
    let agent = s.app.register_user("Alex Agent").await;
    add_member_db(&s.app, &s.ws, &agent, "agent");
    let a = s.create("anna@shop.test", "Refund for order 55").await; // 10001
    let b = s.create("bob@shop.test", "Password reset broken").await; // 10002
    let c = s
        .create("carl@other.test", "Refund 100% of my money_now")
        .await; // 10003
    let d = s.create("dora@other.test", "Cancel subscription").await; // 10004
    s.set_status(&id(&b), "in_progress").await;
    s.set_status(&id(&c), "resolved").await;
    s.set_status(&id(&d), "closed").await;
    for t in [&a, &b] {
        s.app
            .post(
                &s.path(&format!("/tickets/{}/assign", id(t))),
                Some(&s.owner.token),
                json!({"assignee_id": agent.id}),
            )
            .await
            .expect_status(StatusCode::OK);
    }

    let numbers = |v: &Value| -> Vec<String> {
        strs_at(v, "items", "number")
            .into_iter()
            .map(String::from)
            .collect()
    };
    let list = |q: &str| {
        let path = s.path(&format!("/tickets{q}"));
        let token = agent.token.clone();
        let app = &s.app;
        async move {
            let (code, body) = app.get(&path, Some(&token)).await;
            assert_eq!(code, StatusCode::OK, "{path}: {body}");
            body
        }
    };
    assert_eq!(
        numbers(&list("").await),
        ["TKT-10004", "TKT-10003", "TKT-10002", "TKT-10001"]
    );
    assert_eq!(
        numbers(&list("?sort=created_asc").await),
        ["TKT-10001", "TKT-10002", "TKT-10003", "TKT-10004"]
    );
    // updated_desc: b was assigned last.
    assert_eq!(numbers(&list("?sort=updated_desc").await)[0], "TKT-10002");
    assert_eq!(numbers(&list("?status=open").await), ["TKT-10001"]);
    assert_eq!(numbers(&list("?status=in_progress").await), ["TKT-10002"]);
    assert_eq!(numbers(&list("?status=resolved").await), ["TKT-10003"]);
    assert_eq!(numbers(&list("?status=closed").await), ["TKT-10004"]);
    assert_eq!(
        numbers(&list("?assignee=me").await),
        ["TKT-10002", "TKT-10001"]
    );
    assert_eq!(
        numbers(&list(&format!("?assignee={}", agent.id)).await),
        ["TKT-10002", "TKT-10001"]
    );
    assert_eq!(
        numbers(&list("?assignee=none").await),
        ["TKT-10004", "TKT-10003"]
    );
    assert_eq!(
        numbers(&list("?assignee=me&status=in_progress").await),
        ["TKT-10002"]
    );
    assert_eq!(numbers(&list("?q=TKT-10003").await), ["TKT-10003"]);
    assert_eq!(numbers(&list("?q=tkt-10003").await), ["TKT-10003"]);
    assert_eq!(numbers(&list("?q=10003").await), ["TKT-10003"]);
    assert_eq!(
        numbers(&list("?q=refund").await),
        ["TKT-10003", "TKT-10001"]
    );
    assert_eq!(
        numbers(&list("?q=other.test").await),
        ["TKT-10004", "TKT-10003"]
    );
    assert_eq!(numbers(&list("?q=ANNA%40SHOP").await), ["TKT-10001"]);
    // LIKE wildcards match literally.
    assert_eq!(numbers(&list("?q=100%25").await), ["TKT-10003"]);
    assert_eq!(numbers(&list("?q=y_n").await), ["TKT-10003"]);
    assert_eq!(numbers(&list("?q=%25").await), ["TKT-10003"]);
    assert_eq!(numbers(&list("?q=refund&status=open").await), ["TKT-10001"]);
    let one = list("?limit=1").await;
    assert_eq!(one["items"][0]["assignee"], Value::Null);
    assert!(one["next_cursor"].is_string());
    assert_eq!(
        list("?status=open").await["items"][0]["assignee"]["name"],
        "Alex Agent"
    );

    let counts = s
        .app
        .get(&s.path("/tickets/counts"), Some(&agent.token))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(
        counts,
        json!({"all": 4, "mine": 2, "open": 1, "in_progress": 1, "resolved": 1, "closed": 1})
    );

    for (q, param) in [
        ("?status=done", "status"),
        ("?sort=random", "sort"),
        ("?limit=0", "limit"),
        ("?limit=101", "limit"),
        ("?cursor=not-a-cursor", "cursor"),
        ("?assignee=someone", "assignee"),
    ] {
        let (code, body) = s
            .app
            .get(&s.path(&format!("/tickets{q}")), Some(&agent.token))
            .await;
        assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{q}: {body}");
        assert!(body["error"]["fields"][param].is_array(), "{q}: {body}");
    }
    // A cursor made for another sort order is refused, not misread.
    let cursor = str_at(&one, "next_cursor");
    let (code, body) = s
        .app
        .get(
            &s.path(&format!("/tickets?sort=created_asc&cursor={cursor}")),
            Some(&agent.token),
        )
        .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

#[tokio::test]
async fn two_hundred_concurrent_creations_get_two_hundred_distinct_numbers() {
    let s = setup().await;
    let mut handles = Vec::new();
    for i in 0..200 {
        let client = s.app.client.clone();
        let url = s.app.url(&s.path("/tickets"));
        let token = s.owner.token.clone();
        handles.push(tokio::spawn(async move {
            // A burst larger than the pool may be told to come back (503 + Retry-After);
            // a client that does so must get its ticket, with a number nobody else got.
            for _ in 0..60 {
                let resp = client
                    .post(url.clone())
                    .bearer_auth(&token)
                    .json(&json!({"visitor_email": format!("c{i}@load.test"), "summary": format!("Concurrent {i}")}))
                    .send()
                    .await
                    .expect("request");
                let status = resp.status();
                let retry_after = resp.headers().get("Retry-After").cloned();
                let body = resp.text().await.expect("response body");
                if status == StatusCode::SERVICE_UNAVAILABLE {
                    let secs = retry_after
                        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
                        .expect("a 503 says when to try again");
                    tokio::time::sleep(std::time::Duration::from_secs(secs)).await;
                    continue;
                }
                if status != StatusCode::CREATED {
                    return format!("{status}: {body}");
                }
                let body: Value = serde_json::from_str(&body).expect("a JSON ticket");
                return str_at(&body, "number").to_string();
            }
            "still 503 after 60 tries".to_string()
        }));
    }
    let started = std::time::Instant::now();
    let mut numbers = HashSet::new();
    let mut all = Vec::new();
    for h in handles {
        let n = h.await.expect("the request task");
        all.push(n.clone());
        numbers.insert(n);
    }
    let failures: Vec<&String> = all.iter().filter(|n| !n.starts_with("TKT-")).collect();
    assert!(
        failures.is_empty(),
        "{} failed ({:?}) after {:?}",
        failures.len(),
        failures.first(),
        started.elapsed()
    );
    assert_eq!(numbers.len(), 200);
    let expected: HashSet<String> = (10001..=10200).map(|n| format!("TKT-{n}")).collect();
    assert_eq!(numbers, expected);
    let counts = s.get_ok("/tickets/counts").await;
    assert_eq!(counts["all"], 200);
    assert_eq!(counts["open"], 200);
}

#[tokio::test]
async fn cursor_pagination_returns_each_of_1000_tickets_exactly_once() {
    let s = setup().await;
    // Bulk-load 1,000 tickets with some equal created_at values (ties broken by id).
    let mut db = s.app.db();
    diesel::sql_query(format!(
        "WITH v AS (INSERT INTO visitors (id, workspace_id, email) VALUES (gen_random_uuid(), '{ws}', 'bulk@load.test') RETURNING id),
              c AS (INSERT INTO conversations (id, workspace_id, visitor_id) SELECT gen_random_uuid(), '{ws}', id FROM v RETURNING id, visitor_id)
         INSERT INTO tickets (id, workspace_id, number, status, summary, source, visitor_id, visitor_email, conversation_id, created_at, updated_at)
         SELECT gen_random_uuid(), '{ws}', 10000 + i, (ARRAY['open','in_progress','resolved','closed'])[1 + i % 4]::ticket_status,
                'Bulk ticket ' || i, 'api', c.visitor_id, 'bulk@load.test', c.id,
                timestamp '2026-01-01' + ((i / 3) || ' seconds')::interval, timestamp '2026-02-01' + ((i % 7) || ' seconds')::interval
           FROM generate_series(1, 1000) i, c",
        ws = s.ws
    ))
    .execute(&mut db)
    .expect("bulk insert");

    for (sort, filter, expected) in [
        ("created_desc", "", 1000),
        ("created_asc", "", 1000),
        ("updated_desc", "", 1000),
        ("created_desc", "&status=resolved", 250),
        ("updated_desc", "&assignee=none", 1000),
    ] {
        let mut seen = HashSet::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let mut path = s.path(&format!("/tickets?limit=37&sort={sort}{filter}"));
            if let Some(c) = &cursor {
                path.push_str(&format!("&cursor={c}"));
            }
            let (code, page) = s.app.get(&path, Some(&s.owner.token)).await;
            assert_eq!(code, StatusCode::OK, "{page}");
            pages += 1;
            for t in array_at(&page, "items") {
                assert!(
                    seen.insert(id(t)),
                    "{sort}{filter}: {} seen twice",
                    t["number"]
                );
            }
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => break,
            }
            assert!(pages < 100, "runaway pagination");
        }
        assert_eq!(seen.len(), expected, "{sort}{filter}");
    }
    let counts = s.get_ok("/tickets/counts").await;
    assert_eq!(
        counts,
        json!({"all": 1000, "mine": 0, "open": 250, "in_progress": 250, "resolved": 250, "closed": 250})
    );
}

/// A widget visitor with a ticket on their conversation.
async fn allow_origins(s: &Setup, origins: &[&str]) {
    let (code, ws) = s
        .app
        .patch(
            &format!("/api/v1/workspaces/{}", s.ws),
            Some(&s.owner.token),
            json!({ "allowed_origins": origins }),
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{ws}");
}

/// M7: the page URL is whatever the widget reported, so mail sent in the workspace's name
/// never turns it into a link unless the workspace's allowed origins vouch for it.
#[tokio::test]
async fn reply_mail_links_only_to_pages_on_the_workspaces_origins() {
    let smtp = SmtpServer::start().await;
    let s = setup_with(TestApp::builder().env("SMTP_URL", smtp.url()).spawn().await).await;
    // No allowed origins: any site may embed the widget, so no page can be vouched for.
    let (_, t) = visitor_with_ticket(&s, "https://phish.example.net/login").await;
    s.reply(&id(&t), "Please check your account.", true).await;
    let mail = smtp
        .wait_for_to("vera@visitor.test", Duration::from_secs(20))
        .await;
    assert!(
        mail.text().contains("Please check your account."),
        "{}",
        mail.text()
    );
    assert!(
        !mail.text().contains("phish.example.net"),
        "{}",
        mail.text()
    );
    assert!(
        !mail.html().contains("phish.example.net"),
        "{}",
        mail.html()
    );
    assert!(
        !mail.html().contains("Continue in the chat"),
        "{}",
        mail.html()
    );
    assert!(
        mail.text().contains("in the chat on our website"),
        "{}",
        mail.text()
    );
}

async fn visitor_with_ticket(s: &Setup, page_url: &str) -> (String, Value) {
    let (code, session) = s
        .app
        .post(
            "/api/v1/widget/sessions",
            None,
            json!({"widget_key": s.widget_key, "page_url": page_url}),
        )
        .await;
    assert_eq!(code, StatusCode::CREATED, "{session}");
    let token = str_at(&session, "visitor_token").to_string();
    let (code, t) = s
        .app
        .post(
            &s.path("/tickets"),
            Some(&s.owner.token),
            json!({"visitor_email": "vera@visitor.test", "summary": "Where is my parcel?", "conversation_id": session["conversation_id"]}),
        )
        .await;
    assert_eq!(code, StatusCode::CREATED, "{t}");
    assert_eq!(t["conversation_id"], session["conversation_id"]);
    (token, t)
}

#[tokio::test]
async fn a_reply_reaches_the_widget_with_an_unread_count() {
    let s = setup().await;
    let (visitor_token, t) = visitor_with_ticket(&s, "https://shop.example.com/orders").await;
    let (code, m) = s
        .app
        .post(
            &s.path(&format!("/tickets/{}/replies", id(&t))),
            Some(&s.owner.token),
            json!({"body": "It ships tomorrow.", "email_visitor": false}),
        )
        .await;
    assert_eq!(code, StatusCode::CREATED, "{m}");
    assert_eq!(m["sender"], "agent");
    assert_eq!(m["author_name"], "Olivia Owner");
    assert_eq!(m["conversation_id"], t["conversation_id"]);

    // The widget sees it, with the unread badge.
    let (code, msgs) = s
        .app
        .get("/api/v1/widget/messages", Some(&visitor_token))
        .await;
    assert_eq!(code, StatusCode::OK, "{msgs}");
    let last = last_at(&msgs, "items");
    assert_eq!(last["body"], "It ships tomorrow.");
    assert_eq!(last["sender"], "agent");
    let resume = json!({"widget_key": s.widget_key, "visitor_token": visitor_token});
    let again = s
        .app
        .post("/api/v1/widget/sessions", None, resume.clone())
        .await
        .expect_status(StatusCode::CREATED);
    assert_eq!(again["unread_count"], 1, "{again}");

    // Ticket: first response recorded, status unchanged (setting off by default), timeline.
    let d = s.get_ok(&format!("/tickets/{}", id(&t))).await;
    assert!(d["ticket"]["first_response_at"].is_string());
    assert_eq!(d["ticket"]["status"], "open");
    assert_eq!(last_at(&d, "messages")["body"], "It ships tomorrow.");
    assert_eq!(last_at(&d, "events")["kind"], "replied");

    // With the setting on, a reply moves an open ticket to in_progress.
    let (code, _) = s
        .app
        .put(&s.path("/ticket-settings"), Some(&s.owner.token), json!({"enabled": true, "notification_email": "support-team@acme.test", "reply_sets_in_progress": true}))
        .await;
    assert_eq!(code, StatusCode::OK);
    s.reply(&id(&t), "Update: on its way", false).await;
    let d = s.get_ok(&format!("/tickets/{}", id(&t))).await;
    assert_eq!(d["ticket"]["status"], "in_progress");
    let again = s
        .app
        .post("/api/v1/widget/sessions", None, resume)
        .await
        .expect_status(StatusCode::CREATED);
    assert_eq!(again["unread_count"], 2, "{again}");

    for body in [
        json!({"body": "   ", "email_visitor": false}),
        json!({"body": "x".repeat(4001), "email_visitor": false}),
    ] {
        let (code, e) = s
            .app
            .post(
                &s.path(&format!("/tickets/{}/replies", id(&t))),
                Some(&s.owner.token),
                body,
            )
            .await;
        assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(e["error"]["fields"]["body"].is_array());
    }
}

#[tokio::test]
async fn mail_for_new_tickets_assignments_and_reply_copies() {
    let smtp = SmtpServer::start().await;
    // The first delivery attempt fails: the outbox retries, nothing is lost.
    smtp.fail_next(1);
    let s = setup_with(TestApp::builder().env("SMTP_URL", smtp.url()).spawn().await).await;
    let agent = s.app.register_user("Alex Agent").await;
    add_member_db(&s.app, &s.ws, &agent, "agent");
    // The reply copy links back to the visitor's page only on an origin the workspace lists.
    allow_origins(&s, &["https://shop.example.com"]).await;
    let (_, t) = visitor_with_ticket(&s, "https://shop.example.com/orders/7").await;

    let mail = smtp
        .wait_for_to("support-team@acme.test", Duration::from_secs(20))
        .await;
    assert!(
        mail.subject().contains("New ticket TKT-10001"),
        "{}",
        mail.subject()
    );
    assert!(mail.text().contains("vera@visitor.test"));
    assert!(mail.text().contains("Where is my parcel?"));
    assert!(
        mail.text()
            .contains(&format!("/w/{}/tickets/TKT-10001", s.ws)),
        "{}",
        mail.text()
    );
    assert!(mail.html().contains("Open the ticket"));
    assert!(smtp.refused() >= 1);

    let (code, _) = s
        .app
        .post(
            &s.path(&format!("/tickets/{}/assign", id(&t))),
            Some(&s.owner.token),
            json!({"assignee_id": agent.id}),
        )
        .await;
    assert_eq!(code, StatusCode::OK);
    let mail = smtp
        .wait_for_to(&agent.email, Duration::from_secs(20))
        .await;
    assert!(
        mail.subject().contains("TKT-10001 was assigned to you"),
        "{}",
        mail.subject()
    );
    assert!(
        mail.text()
            .contains("Olivia Owner assigned ticket TKT-10001 to you"),
        "{}",
        mail.text()
    );

    s.reply(
        &id(&t),
        "Your parcel <b>left</b> the depot & is on its way.",
        true,
    )
    .await;
    let mail = smtp
        .wait_for_to("vera@visitor.test", Duration::from_secs(20))
        .await;
    assert!(mail.subject().contains("TKT-10001"), "{}", mail.subject());
    assert!(
        mail.text()
            .contains("Your parcel <b>left</b> the depot & is on its way."),
        "{}",
        mail.text()
    );
    assert!(mail.text().contains("https://shop.example.com/orders/7"));
    let html = mail.html();
    assert!(
        html.contains("&lt;b&gt;left&lt;/b&gt; the depot &amp; is"),
        "{html}"
    );
    assert!(
        html.contains("href=\"https://shop.example.com/orders/7\""),
        "{html}"
    );
    // A reply without the checkbox queues nothing for the visitor: the mail job would have
    // been written in the reply's own transaction.
    s.reply(&id(&t), "internal-ish", false).await;
    assert_eq!(s.app.email_jobs_to("vera@visitor.test").len(), 1);
    assert_eq!(smtp.messages_to("vera@visitor.test").len(), 1);
}

#[tokio::test]
async fn conversations_list_by_activity_with_last_message_and_ticket() {
    let s = setup().await;
    let (visitor_token, t) = visitor_with_ticket(&s, "https://shop.example.com/a").await;
    // A second conversation without a ticket, active later.
    let other = s
        .app
        .post(
            "/api/v1/widget/sessions",
            None,
            json!({"widget_key": s.widget_key, "page_url": "https://shop.example.com/b"}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    s.app
        .post(
            "/api/v1/widget/messages",
            Some(str_at(&other, "visitor_token")),
            json!({"body": "hello there"}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    s.reply(&id(&t), "Latest reply", false).await;
    let _ = visitor_token;

    let (code, list) = s
        .app
        .get(&s.path("/conversations"), Some(&s.owner.token))
        .await;
    assert_eq!(code, StatusCode::OK, "{list}");
    let items = array_at(&list, "items");
    assert_eq!(items.len(), 2, "{list}");
    assert_eq!(
        items[0]["id"], t["conversation_id"],
        "most recent activity first"
    );
    assert_eq!(items[0]["last_message"]["body"], "Latest reply");
    assert_eq!(items[0]["ticket"]["number"], "TKT-10001");
    assert_eq!(items[0]["visitor"]["email"], "vera@visitor.test");
    assert_eq!(items[0]["visitor_unread_count"], 1);
    assert_eq!(items[1]["ticket"], Value::Null);
    assert_eq!(
        items[1]["visitor"]["page_url"],
        "https://shop.example.com/b"
    );

    let page1 = s.get_ok("/conversations?limit=1").await;
    let cursor = str_at(&page1, "next_cursor");
    let page2 = s
        .get_ok(&format!("/conversations?limit=1&cursor={cursor}"))
        .await;
    assert_eq!(page2["items"][0]["id"], items[1]["id"]);
    assert_eq!(page2["next_cursor"], Value::Null);
    let (code, _) = s
        .app
        .get(&s.path("/conversations?cursor=zzz"), Some(&s.owner.token))
        .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);

    let (code, d) = s
        .app
        .get(
            &s.path(&format!("/conversations/{}", str_at(&t, "conversation_id"))),
            Some(&s.owner.token),
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{d}");
    assert_eq!(d["ticket"]["id"], t["id"]);
    assert_eq!(d["visitor"]["email"], "vera@visitor.test");
    assert_eq!(last_at(&d, "messages")["body"], "Latest reply");
    let (code, _) = s
        .app
        .get(
            &s.path(&format!("/conversations/{}", uuid_nil())),
            Some(&s.owner.token),
        )
        .await;
    assert_eq!(code, StatusCode::NOT_FOUND);
}

fn uuid_nil() -> &'static str {
    "00000000-0000-0000-0000-000000000000"
}

#[tokio::test]
async fn one_open_ticket_per_conversation_through_the_api() {
    let s = setup().await;
    let (_, t) = visitor_with_ticket(&s, "https://shop.example.com/orders").await;
    let again = json!({"visitor_email": "vera@visitor.test", "summary": "Still waiting", "conversation_id": t["conversation_id"]});
    let (code, err) = s
        .app
        .post(&s.path("/tickets"), Some(&s.owner.token), again.clone())
        .await;
    assert_eq!(code, StatusCode::CONFLICT, "{err}");
    assert_eq!(err["error"]["code"], "ticket_already_open");
    assert!(
        str_at(&err, "/error/message").contains(str_at(&t, "number")),
        "{err}"
    );

    // Once it is closed, a new ticket may start in the same conversation.
    let (code, closed) = s
        .app
        .post(
            &s.path(&format!("/tickets/{}/status", id(&t))),
            Some(&s.owner.token),
            json!({"status": "closed"}),
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{closed}");
    let (code, second) = s
        .app
        .post(&s.path("/tickets"), Some(&s.owner.token), again)
        .await;
    assert_eq!(code, StatusCode::CREATED, "{second}");
    assert_ne!(second["number"], t["number"]);
}
