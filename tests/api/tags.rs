//! Tags and priority over HTTP: tag management (admins) and use (agents), the ticket edit
//! (`PATCH /tickets/{ticket}`: summary, category, priority, tags, version, timeline,
//! webhooks), the `tag=` filter and the priority sort with keyset pagination, bad input,
//! other workspaces.

use std::collections::HashSet;

use diesel::RunQueryDsl;
use handoff_tests::{ExpectStatus, id_of, str_at, strs_at};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::tickets::{Setup, setup};

impl Setup {
    async fn tag(&self, name: &str) -> String {
        let body = self
            .app
            .post(
                &self.path("/tags"),
                Some(&self.owner.token),
                json!({"name": name}),
            )
            .await
            .expect_status(StatusCode::CREATED);
        id_of(&body)
    }

    async fn edit(&self, ticket: &str, body: Value) -> (StatusCode, Value) {
        self.app
            .patch(
                &self.path(&format!("/tickets/{ticket}")),
                Some(&self.owner.token),
                body,
            )
            .await
    }
}

/// A second workspace with tickets enabled, owned by someone else.
struct Other {
    token: String,
    ws: String,
}

impl Other {
    async fn new(s: &Setup) -> Other {
        let owner = s.app.register_user("Otto Other").await;
        let ws = id_of(&s.app.create_workspace(&owner.token, "standard").await);
        s.app
            .put(
                &format!("/api/v1/workspaces/{ws}/ticket-settings"),
                Some(&owner.token),
                json!({"enabled": true, "notification_email": "other@acme.test"}),
            )
            .await
            .expect_status(StatusCode::OK);
        Other {
            token: owner.token,
            ws,
        }
    }
}

fn error_code(body: &Value) -> &str {
    str_at(body, "/error/code")
}

fn field_problem<'a>(body: &'a Value, field: &str) -> &'a str {
    body["error"]["fields"][field][0]
        .as_str()
        .unwrap_or_else(|| panic!("no problem for `{field}` in {body}"))
}

#[tokio::test]
async fn admins_manage_tags_and_agents_only_read_them() {
    let s = setup().await;
    let agent = s.app.register_user("Alex Agent").await;
    s.app
        .add_member(&s.owner.token, &s.ws, &agent, "agent")
        .await;

    let created = s
        .app
        .post(
            &s.path("/tags"),
            Some(&s.owner.token),
            json!({"name": "  VIP   customer ", "colour": "#7C3AED"}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    assert_eq!(created["name"], "VIP customer");
    assert_eq!(created["colour"], "#7c3aed");
    let id = id_of(&created);
    // A palette colour when none is given.
    let second = s
        .app
        .post(
            &s.path("/tags"),
            Some(&s.owner.token),
            json!({"name": "Billing"}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    assert!(str_at(&second, "colour").starts_with('#'));

    // Names are unique per workspace, case-insensitively.
    let (status, body) = s
        .app
        .post(
            &s.path("/tags"),
            Some(&s.owner.token),
            json!({"name": "vip CUSTOMER"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(&body), "tag_exists");

    // Bad input: 422 with the field.
    for (body, field) in [
        (json!({"name": ""}), "name"),
        (json!({"name": "x".repeat(41)}), "name"),
        (json!({"name": "Red", "colour": "red"}), "colour"),
        (json!({"name": "Red", "colour": "#12345"}), "colour"),
    ] {
        let (status, got) = s
            .app
            .post(&s.path("/tags"), Some(&s.owner.token), body.clone())
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {got}");
        field_problem(&got, field);
    }
    // Not JSON of the shape: 400.
    let (status, _) = s
        .app
        .post(&s.path("/tags"), Some(&s.owner.token), json!({"name": 5}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Agents see the tags but cannot manage them.
    let list = s
        .app
        .get(&s.path("/tags"), Some(&agent.token))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(strs_at(&list, "items", "name"), ["Billing", "VIP customer"]);
    let (status, _) = s
        .app
        .post(
            &s.path("/tags"),
            Some(&agent.token),
            json!({"name": "Mine"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = s
        .app
        .patch(
            &s.path(&format!("/tags/{id}")),
            Some(&agent.token),
            json!({"name": "X"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = s
        .app
        .delete(&s.path(&format!("/tags/{id}")), Some(&agent.token))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Rename and recolour; tickets show the new name.
    let t = s.create("jane@example.com", "Refund").await;
    s.edit(&id_of(&t), json!({"tags": [id]}))
        .await
        .expect_status(StatusCode::OK);
    let renamed = s
        .app
        .patch(
            &s.path(&format!("/tags/{id}")),
            Some(&s.owner.token),
            json!({"name": "VIP", "colour": "#abc"}),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(renamed["colour"], "#aabbcc");
    let detail = s.get_ok(&format!("/tickets/{}", id_of(&t))).await;
    assert_eq!(strs_at(&detail, "/ticket/tags", "name"), ["VIP"]);

    // Deleting a tag takes it off its tickets.
    let (status, _) = s
        .app
        .delete(&s.path(&format!("/tags/{id}")), Some(&s.owner.token))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let detail = s.get_ok(&format!("/tickets/{}", id_of(&t))).await;
    assert_eq!(detail["ticket"]["tags"], json!([]));
    let (status, _) = s
        .app
        .delete(&s.path(&format!("/tags/{id}")), Some(&s.owner.token))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_workspace_has_at_most_200_tags() {
    let s = setup().await;
    let mut db = s.app.db();
    diesel::sql_query(format!(
        "INSERT INTO tags (id, workspace_id, name, colour)
         SELECT gen_random_uuid(), '{}', 'tag ' || n, '#2563eb' FROM generate_series(1, 200) n",
        s.ws
    ))
    .execute(&mut db)
    .unwrap_or_else(|e| panic!("seed tags: {e}"));
    let (status, body) = s
        .app
        .post(
            &s.path("/tags"),
            Some(&s.owner.token),
            json!({"name": "one more"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(&body), "tag_limit");
}

#[tokio::test]
async fn an_agent_edits_summary_category_priority_and_tags_with_the_version() {
    let s = setup().await;
    let agent = s.app.register_user("Alex Agent").await;
    s.app
        .add_member(&s.owner.token, &s.ws, &agent, "agent")
        .await;
    let vip = s.tag("VIP").await;
    let billing = s.tag("Billing").await;
    let t = s.create("jane@example.com", "Refund").await;
    assert_eq!(t["priority"], "normal");
    assert_eq!(t["tags"], json!([]));
    let num = str_at(&t, "number").to_string();
    let v1 = t["version"].as_i64().unwrap_or_default();

    let edited = s
        .app
        .patch(
            &s.path(&format!("/tickets/{num}")),
            Some(&agent.token),
            json!({"version": v1, "summary": " Refund for order 1234 ", "category": "cannot_perform_action",
                   "priority": "urgent", "tags": [vip, billing, vip]}),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(edited["summary"], "Refund for order 1234");
    assert_eq!(edited["category"], "cannot_perform_action");
    assert_eq!(edited["priority"], "urgent");
    assert_eq!(strs_at(&edited, "tags", "name"), ["Billing", "VIP"]);
    assert_eq!(edited["version"].as_i64(), Some(v1 + 1));

    // The same version again is stale: 409, nothing changed.
    let (status, body) = s
        .edit(&num, json!({"version": v1, "priority": "low"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(&body), "version_conflict");
    assert_eq!(
        s.get_ok(&format!("/tickets/{num}")).await["ticket"]["priority"],
        "urgent"
    );

    // Removing one tag; no change at all records nothing and keeps the version.
    let after = s
        .edit(&num, json!({"version": v1 + 1, "tags": [vip]}))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(strs_at(&after, "tags", "name"), ["VIP"]);
    let same = s
        .edit(&num, json!({"priority": "urgent", "tags": [vip]}))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(same["version"], after["version"]);

    // Each change is its own timeline entry, with who did it.
    let events = s.get_ok(&format!("/tickets/{num}/events")).await;
    let kinds: Vec<&str> = strs_at(&events, "items", "kind");
    assert_eq!(
        kinds,
        [
            "created",
            "summary_changed",
            "category_changed",
            "priority_changed",
            "tag_added",
            "tag_added",
            "tag_removed"
        ]
    );
    let items = events["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(
        items[1]["data"],
        json!({"from": "Refund", "to": "Refund for order 1234"})
    );
    assert_eq!(items[3]["data"], json!({"from": "normal", "to": "urgent"}));
    assert_eq!(items[3]["actor"]["name"], "Alex Agent");
    assert_eq!(items[6]["data"]["tag"]["name"], "Billing");
}

#[tokio::test]
async fn bad_edits_are_422_and_other_workspaces_tags_are_refused() {
    let s = setup().await;
    let t = s.create("jane@example.com", "Refund").await;
    let id = id_of(&t);
    // Another workspace's tag is no tag of this one.
    let other = Other::new(&s).await;
    let foreign = id_of(
        &s.app
            .post(
                &format!("/api/v1/workspaces/{}/tags", other.ws),
                Some(&other.token),
                json!({"name": "Theirs"}),
            )
            .await
            .expect_status(StatusCode::CREATED),
    );
    let (status, body) = s.edit(&id, json!({"tags": [foreign]})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    field_problem(&body, "tags");
    // Their ticket is 404 here, and so is a made-up one.
    let theirs = s
        .app
        .post(
            &format!("/api/v1/workspaces/{}/tickets", other.ws),
            Some(&other.token),
            json!({"visitor_email": "x@example.com", "summary": "Theirs"}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    let (status, _) = s.edit(&id_of(&theirs), json!({"priority": "high"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = s.edit("TKT-99999", json!({"priority": "high"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // And a workspace that is not ours: 404.
    let (status, _) = s
        .app
        .patch(
            &format!("/api/v1/workspaces/{}/tickets/{}", other.ws, id_of(&theirs)),
            Some(&s.owner.token),
            json!({"priority": "high"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = s
        .app
        .get(
            &format!("/api/v1/workspaces/{}/tags", other.ws),
            Some(&s.owner.token),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    for (body, want, field) in [
        (
            json!({"summary": "  "}),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("summary"),
        ),
        (
            json!({"summary": "x".repeat(501)}),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("summary"),
        ),
        (
            json!({"tags": (0..21).map(|_| uuid::Uuid::new_v4()).collect::<Vec<_>>()}),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("tags"),
        ),
        (json!({"priority": "asap"}), StatusCode::BAD_REQUEST, None),
        (
            json!({"category": "billing"}),
            StatusCode::BAD_REQUEST,
            None,
        ),
        (
            json!({"tags": ["not-a-uuid"]}),
            StatusCode::BAD_REQUEST,
            None,
        ),
        (json!({"status": "closed"}), StatusCode::BAD_REQUEST, None),
    ] {
        let (status, got) = s.edit(&id, body.clone()).await;
        assert_eq!(status, want, "{body}: {got}");
        if let Some(field) = field {
            field_problem(&got, field);
        }
    }
    // Nothing of that reached the ticket.
    let detail = s.get_ok(&format!("/tickets/{id}")).await;
    assert_eq!(detail["ticket"]["version"], t["version"]);
}

#[tokio::test]
async fn edits_reach_ticket_updated_webhooks_with_their_changes() {
    let s = setup().await;
    s.app
        .post(
            &s.path("/webhooks"),
            Some(&s.owner.token),
            json!({"url": "http://127.0.0.1:9/hook", "events": ["ticket.updated"]}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    let vip = s.tag("VIP").await;
    let t = s.create("jane@example.com", "Refund").await;
    s.edit(&id_of(&t), json!({"priority": "high", "tags": [vip]}))
        .await
        .expect_status(StatusCode::OK);

    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        payload: String,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT payload::text AS payload FROM webhook_deliveries WHERE event = 'ticket.updated'",
    )
    .load(&mut s.app.db())
    .unwrap_or_else(|e| panic!("deliveries: {e}"));
    assert_eq!(rows.len(), 1);
    let payload: Value = serde_json::from_str(&rows[0].payload).unwrap_or_default();
    let data = &payload["data"];
    assert_eq!(data["ticket"]["priority"], "high", "{payload}");
    assert_eq!(data["ticket"]["tags"][0]["name"], "VIP");
    assert_eq!(
        data["changes"],
        json!([
            {"field": "priority", "from": "normal", "to": "high"},
            {"field": "tags", "added": [{"id": vip, "name": "VIP", "colour": data["ticket"]["tags"][0]["colour"]}], "removed": []}
        ])
    );
}

#[tokio::test]
async fn the_tag_filter_and_the_priority_sort_page_by_keyset() {
    let s = setup().await;
    let vip = s.tag("VIP").await;
    let mut tagged = Vec::new();
    let priorities = ["low", "urgent", "normal", "high", "urgent", "low", "high"];
    for (i, p) in priorities.iter().enumerate() {
        let t = s
            .create(&format!("v{i}@example.com"), &format!("Ticket {i}"))
            .await;
        let tags = if i % 2 == 0 { json!([vip]) } else { json!([]) };
        s.edit(&id_of(&t), json!({"priority": p, "tags": tags}))
            .await
            .expect_status(StatusCode::OK);
        if i % 2 == 0 {
            tagged.push(str_at(&t, "number").to_string());
        }
    }
    // tag=, newest first, two per page: every tagged ticket once, in order.
    let setup_ref = &s;
    let walk = move |query: String| {
        let s = setup_ref;
        async move {
            let mut seen = Vec::new();
            let mut cursor: Option<String> = None;
            for _ in 0..10 {
                let mut q = format!("/tickets?{query}&limit=2");
                if let Some(c) = &cursor {
                    q.push_str(&format!("&cursor={c}"));
                }
                let page = s.get_ok(&q).await;
                seen.extend(
                    strs_at(&page, "items", "number")
                        .into_iter()
                        .map(str::to_string),
                );
                match page["next_cursor"].as_str() {
                    Some(c) => cursor = Some(c.to_string()),
                    None => return seen,
                }
            }
            panic!("more pages than tickets for {query}")
        }
    };
    let mut newest_first = tagged.clone();
    newest_first.reverse();
    assert_eq!(walk(format!("tag={vip}")).await, newest_first);
    assert_eq!(walk(format!("tag={vip}&sort=created_asc")).await, tagged);
    assert_eq!(walk(format!("tag={vip}&status=open")).await, newest_first);
    assert!(walk(format!("tag={vip}&status=closed")).await.is_empty());

    // Priority: urgent first, newest first within a priority, across pages.
    let all = walk("sort=priority_desc".into()).await;
    let want: Vec<String> = [4, 1, 6, 3, 2, 5, 0]
        .iter()
        .map(|i| format!("TKT-{}", 10001 + i))
        .collect();
    assert_eq!(all, want);
    let tagged_by_priority = walk(format!("tag={vip}&sort=priority_desc")).await;
    assert_eq!(
        tagged_by_priority,
        ["TKT-10005", "TKT-10007", "TKT-10003", "TKT-10001"]
    );
    // The tag filter follows later changes of the ticket (copied by triggers).
    s.set_status(&tagged[0], "closed").await;
    assert_eq!(
        walk(format!("tag={vip}&status=closed")).await,
        [tagged[0].clone()]
    );
    let unique: HashSet<_> = all.iter().collect();
    assert_eq!(unique.len(), priorities.len());

    // Bad input is 422; a cursor of another order is refused.
    for q in [
        "tag=nope",
        "sort=priority",
        "sort=priority_desc&cursor=junk",
    ] {
        let (status, body) = s
            .app
            .get(&s.path(&format!("/tickets?{q}")), Some(&s.owner.token))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{q}: {body}");
    }
    let page = s.get_ok("/tickets?limit=1").await;
    let created_cursor = str_at(&page, "next_cursor").to_string();
    let (status, _) = s
        .app
        .get(
            &s.path(&format!(
                "/tickets?sort=priority_desc&cursor={created_cursor}"
            )),
            Some(&s.owner.token),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // An unknown tag id matches nothing.
    let none = s
        .get_ok(&format!("/tickets?tag={}", uuid::Uuid::new_v4()))
        .await;
    assert_eq!(none["items"], json!([]));
}
