//! API keys with scopes (issue 15): keys choose their scopes (default `tickets:read`),
//! keys made before scopes keep every scope, every operation of the served OpenAPI
//! document refuses a key that lacks one of its scopes with 403 `missing_scope` naming it
//! (and lets a key with exactly its scopes through), operations without the `api_key`
//! scheme refuse keys whatever their scopes, and users are not scoped.

use std::collections::BTreeMap;

use handoff_tests::{ExpectStatus, TestApp, array_at, str_at};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::isolation::{body_for, call, fill, operations, seed};

const ALL: &[&str] = &[
    "tickets:read",
    "tickets:write",
    "conversations:read",
    "kb:read",
    "kb:write",
    "admin",
];

/// A new key of `ws` with these scopes (`None`: the request names none); its secret.
async fn key(app: &TestApp, owner: &str, ws: &str, scopes: Option<&[&str]>) -> String {
    app.api_key(owner, ws, &format!("key {scopes:?}"), scopes)
        .await
}

#[tokio::test]
async fn keys_choose_their_scopes_and_read_only_is_the_default() {
    let app = TestApp::spawn().await;
    let owner = app.register_user("Owner").await;
    let ws = app.create_workspace(&owner.token, "pro").await;
    let ws = str_at(&ws, "id").to_string();
    let base = format!("/api/v1/workspaces/{ws}");
    app.put(
        &format!("{base}/ticket-settings"),
        Some(&owner.token),
        json!({"enabled": true, "notification_email": "team@example.com"}),
    )
    .await
    .expect_status(StatusCode::OK);

    // Named scopes come back in the dashboard's order, duplicates once.
    let created = app
        .post(
            &format!("{base}/api-keys"),
            Some(&owner.token),
            json!({"name": "helpdesk", "scopes": ["tickets:write", "tickets:read", "tickets:write"]}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    assert_eq!(created["scopes"], json!(["tickets:read", "tickets:write"]));
    let writer = str_at(&created, "key").to_string();
    // No scopes named: reading tickets only.
    let default = app
        .post(
            &format!("{base}/api-keys"),
            Some(&owner.token),
            json!({"name": "legacy client"}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    assert_eq!(default["scopes"], json!(["tickets:read"]));
    let reader = str_at(&default, "key").to_string();
    let listed = app
        .get(&format!("{base}/api-keys"), Some(&owner.token))
        .await
        .expect_status(StatusCode::OK);
    let by_name: BTreeMap<&str, &Value> = array_at(&listed, "items")
        .iter()
        .map(|k| (str_at(k, "name"), &k["scopes"]))
        .collect();
    assert_eq!(
        by_name.get("helpdesk"),
        Some(&&json!(["tickets:read", "tickets:write"]))
    );
    assert_eq!(
        by_name.get("legacy client"),
        Some(&&json!(["tickets:read"]))
    );

    // No scope at all, or an unknown one, is refused.
    let (s, b) = app
        .post(
            &format!("{base}/api-keys"),
            Some(&owner.token),
            json!({"name": "nothing", "scopes": []}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b["error"]["fields"]["scopes"].is_array(), "{b}");
    let (s, b) = app
        .post(
            &format!("{base}/api-keys"),
            Some(&owner.token),
            json!({"name": "bad", "scopes": ["tickets:delete"]}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");

    // The reader reads; its reply is refused with the scope named, in the body and in
    // the bearer challenge, and nothing is written.
    let ticket = app
        .post(
            &format!("{base}/tickets"),
            Some(&writer),
            json!({"visitor_email": "v@example.com", "summary": "Where is my order?"}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    let number = str_at(&ticket, "number").to_string();
    app.get(&format!("{base}/tickets?q={number}"), Some(&reader))
        .await
        .expect_status(StatusCode::OK);
    let resp = app
        .client
        .post(app.url(&format!("{base}/tickets/{number}/replies")))
        .bearer_auth(&reader)
        .json(&json!({"body": "On it", "email_visitor": false}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("reply: {e}"));
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let challenge = resp
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    assert_eq!(
        challenge.as_deref(),
        Some(r#"Bearer error="insufficient_scope", scope="tickets:write""#)
    );
    let b: Value = resp.json().await.unwrap_or_default();
    assert_eq!(b["error"]["code"], "missing_scope", "{b}");
    let msg = str_at(&b, "/error/message");
    assert!(msg.contains("`tickets:write`"), "{msg}");
    let detail = app
        .get(&format!("{base}/tickets/{number}"), Some(&owner.token))
        .await
        .expect_status(StatusCode::OK);
    assert!(
        !array_at(&detail, "messages")
            .iter()
            .any(|m| m["body"] == "On it"),
        "{detail}"
    );
    // The writer may; so may an agent (users are not scoped: their role decides).
    app.post(
        &format!("{base}/tickets/{number}/replies"),
        Some(&writer),
        json!({"body": "On it", "email_visitor": false}),
    )
    .await
    .expect_status(StatusCode::CREATED);
    let agent = app.register_user("Agent").await;
    app.add_member(&owner.token, &ws, &agent, "agent").await;
    app.post(
        &format!("{base}/tickets/{number}/replies"),
        Some(&agent.token),
        json!({"body": "Shipped today", "email_visitor": false}),
    )
    .await
    .expect_status(StatusCode::CREATED);
    // Keys still never manage keys, whatever their scopes.
    let admin = key(&app, &owner.token, &ws, Some(ALL)).await;
    let (s, b) = app.get(&format!("{base}/api-keys"), Some(&admin)).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    assert_eq!(b["error"]["code"], "forbidden", "{b}");
}

/// The event stream carries tickets and every conversation's messages: it needs both
/// read scopes, checked when the stream ticket is minted, and the ticket opens the stream.
#[tokio::test]
async fn the_event_stream_needs_both_read_scopes() {
    let app = TestApp::spawn().await;
    let owner = app.register_user("Owner").await;
    let ws = app.create_workspace(&owner.token, "pro").await;
    let ws = str_at(&ws, "id").to_string();
    let tickets_only = key(&app, &owner.token, &ws, Some(&["tickets:read"])).await;
    let both = key(
        &app,
        &owner.token,
        &ws,
        Some(&["tickets:read", "conversations:read"]),
    )
    .await;
    let (s, b) = app
        .post(
            &format!("/api/v1/workspaces/{ws}/stream-tickets"),
            Some(&tickets_only),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    assert_eq!(b["error"]["code"], "missing_scope");
    assert!(
        str_at(&b, "/error/message").contains("`conversations:read`"),
        "{b}"
    );
    let url = app
        .stream_url(&format!("/api/v1/workspaces/{ws}/events"), &both)
        .await;
    // Opens (and is subscribed), with the key's scopes read back when the ticket is redeemed.
    let _stream = app.event_stream(&url, None).await;
}

/// The migration gives keys made before scopes every scope: they keep working as before,
/// settings included.
#[tokio::test]
async fn keys_made_before_scopes_keep_every_scope() {
    use diesel::RunQueryDsl;
    use diesel::connection::SimpleConnection;
    let app = TestApp::spawn().await;
    let owner = app.register_user("Owner").await;
    let ws = app.create_workspace(&owner.token, "pro").await;
    let ws = str_at(&ws, "id").to_string();
    let old_key = key(&app, &owner.token, &ws, Some(&["kb:read"])).await;
    let mut db = app.db();
    // Back to the schema before scopes (the migration's down.sql), the key as it was
    // stored then, and the migration's up.sql over it.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../migrations/2026-12-03-110000_api_key_scopes");
    for file in ["down.sql", "up.sql"] {
        let sql = std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        db.batch_execute(&sql)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
    }
    let listed = app
        .get(
            &format!("/api/v1/workspaces/{ws}/api-keys"),
            Some(&owner.token),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(array_at(&listed, "items")[0]["scopes"], json!(ALL));
    // An admin operation and a write, which the key was not made for before the rerun.
    app.patch(
        &format!("/api/v1/workspaces/{ws}"),
        Some(&old_key),
        json!({"name": "Renamed by an old key"}),
    )
    .await
    .expect_status(StatusCode::OK);
    app.post(
        &format!("/api/v1/workspaces/{ws}/articles"),
        Some(&old_key),
        json!({"title": "Returns", "body": "30 days."}),
    )
    .await
    .expect_status(StatusCode::CREATED);
    // The table still refuses an empty or unknown scope list.
    for bad in ["{}", "{tickets:read,nope}"] {
        let r = diesel::sql_query(format!("UPDATE api_keys SET scopes = '{bad}'")).execute(&mut db);
        assert!(r.is_err(), "{bad} was stored");
    }
}

/// Every operation of the served spec, with a key of the workspace that lacks exactly one
/// of the operation's scopes: 403 `missing_scope` naming that scope. With a key that has
/// exactly its scopes: through (neither 401 nor 403). An operation that lists no
/// `api_key` scheme: 403 for a key with every scope.
#[tokio::test]
async fn every_operation_refuses_a_key_without_its_scopes() {
    let app = TestApp::spawn().await;
    let owner = app.register_user("Owner").await;
    let res = seed(&app, &owner).await;
    let (s, spec) = app.get("/api/openapi.json", None).await;
    assert_eq!(s, StatusCode::OK, "{spec}");
    let ops = operations(&spec);

    // One key per scope set in use, and one lacking each scope.
    let mut keys: BTreeMap<Vec<String>, String> = BTreeMap::new();
    for op in &ops {
        if let Some(needs) = &op.key_scopes {
            for s in needs {
                assert!(ALL.contains(&s.as_str()), "{} names {s}", op.id);
            }
            let mut needs = needs.clone();
            needs.sort();
            if let std::collections::btree_map::Entry::Vacant(slot) = keys.entry(needs) {
                let names: Vec<&str> = slot.key().iter().map(String::as_str).collect();
                let k = key(&app, &owner.token, &res.ws, Some(&names)).await;
                slot.insert(k);
            }
        }
    }
    let mut lacking: BTreeMap<&str, String> = BTreeMap::new();
    for s in ALL {
        let rest: Vec<&str> = ALL.iter().copied().filter(|x| x != s).collect();
        lacking.insert(s, key(&app, &owner.token, &res.ws, Some(&rest)).await);
    }
    let full = key(&app, &owner.token, &res.ws, Some(ALL)).await;

    let mut failures = Vec::new();
    let (mut cases, mut key_ops, mut user_ops) = (0, 0, 0);
    // Refusals first: they change nothing. Then the keys that may, which may.
    for pass in ["refused", "admitted"] {
        for op in &ops {
            let bearer = op.schemes.iter().any(|s| s == "bearer");
            if !bearer || !op.template.contains("{ws}") {
                continue;
            }
            let body = op.has_body.then(|| body_for(&op.id));
            let path = fill(&op.template, &res);
            let label = format!("{} {} ({})", op.method, op.template, op.id);
            match (&op.key_scopes, pass) {
                (Some(needs), "refused") => {
                    key_ops += 1;
                    for s in needs {
                        cases += 1;
                        let token = &lacking[s.as_str()];
                        let (st, b) =
                            call(&app, &op.method, &path, Some(token), body.as_ref()).await;
                        let v: Value = serde_json::from_str(&b).unwrap_or_default();
                        if st != StatusCode::FORBIDDEN
                            || v["error"]["code"] != "missing_scope"
                            || !v["error"]["message"]
                                .as_str()
                                .unwrap_or_default()
                                .contains(&format!("`{s}`"))
                        {
                            failures.push(format!("{label} without {s}: {st} {b}"));
                        }
                    }
                }
                (Some(needs), "admitted") => {
                    cases += 1;
                    let mut needs = needs.clone();
                    needs.sort();
                    let token = &keys[&needs];
                    let (st, b) = call(&app, &op.method, &path, Some(token), body.as_ref()).await;
                    if st == StatusCode::UNAUTHORIZED || st == StatusCode::FORBIDDEN {
                        failures.push(format!("{label} with {needs:?}: {st} {b}"));
                    }
                }
                (None, "refused") => {
                    user_ops += 1;
                    cases += 1;
                    let (st, b) = call(&app, &op.method, &path, Some(&full), body.as_ref()).await;
                    if st != StatusCode::FORBIDDEN {
                        failures.push(format!(
                            "{label} takes no API keys, yet one with every scope got {st} {b}"
                        ));
                    }
                }
                _ => {}
            }
        }
    }
    #[allow(clippy::print_stderr)]
    {
        eprintln!(
            "scope matrix: {key_ops} operations take keys, {user_ops} need a person, {cases} cases"
        );
    }
    assert!(key_ops >= 40, "only {key_ops} operations take API keys");
    assert!(user_ops >= 10, "only {user_ops} operations need a person");
    assert!(
        failures.is_empty(),
        "{} of {cases} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
