//! The isolation matrix, generated from the served OpenAPI document so that no route
//! escapes it: every operation that needs a credential is called with each wrong one and
//! must refuse it.
//!
//! - dashboard operations (`bearer`): no token, a visitor token, an expired, a tampered and
//!   an `alg: none` access token, a revoked API key → 401;
//! - operations marked `x-handoff-role: admin` (or `operator`): an agent → 403; every other
//!   workspace operation lets an agent through (no 401/403);
//! - workspace operations: another workspace's id, or another workspace's resource under
//!   the caller's own workspace → 404;
//! - widget operations (`visitor`): no token, a user's access token, an expired, a tampered
//!   and an `alg: none` visitor token → 401.
//!
//! Valid bodies come from the table in `body_for`: an operation with a request body and no
//! entry fails the test, so a new one must be added here.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use handoff_tests::{TestApp, User, id_of, str_at};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

/// One workspace's resources, by the path parameter that names them.
pub(crate) struct Resources {
    pub(crate) ws: String,
    ticket: String,
    article: String,
    webhook: String,
    api_key: String,
    invitation: String,
    conversation: String,
    tag: String,
    saved_reply: String,
    /// A delivery of `webhook` (its test event).
    delivery: String,
    /// A member of this workspace only (its owner).
    member: String,
    /// A file the owner uploaded.
    attachment: String,
    /// The widget visitor of `conversation`.
    visitor: String,
}

impl Resources {
    /// The value for path parameter `name` that follows path segment `prev`.
    pub(crate) fn param(&self, prev: &str, name: &str) -> String {
        match (prev, name) {
            (_, "ws") => self.ws.clone(),
            (_, "ticket") => self.ticket.clone(),
            (_, "user_id") => self.member.clone(),
            ("api-keys", "id") => self.api_key.clone(),
            ("articles", "id") => self.article.clone(),
            ("conversations", "id") => self.conversation.clone(),
            ("invitations", "id") => self.invitation.clone(),
            ("webhooks", "id") => self.webhook.clone(),
            ("tags", "id") => self.tag.clone(),
            ("saved-replies", "id") => self.saved_reply.clone(),
            ("deliveries", "delivery_id") => self.delivery.clone(),
            (_, "attachment") => self.attachment.clone(),
            (_, "visitor") => self.visitor.clone(),
            _ => panic!(
                "the isolation matrix has no value for path parameter {{{name}}} after /{prev}/: add one"
            ),
        }
    }
}

pub(crate) async fn seed(app: &TestApp, owner: &User) -> Resources {
    let ws = app.create_workspace(&owner.token, "pro").await;
    let ws_id = str_at(&ws, "id").to_string();
    let key = str_at(&ws, "widget_key").to_string();
    let base = format!("/api/v1/workspaces/{ws_id}");
    let t = Some(owner.token.as_str());
    let (s, settings) = app
        .put(
            &format!("{base}/ticket-settings"),
            t,
            json!({"enabled": true, "notification_email": "team@example.com"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "ticket settings: {settings}");
    let (s, session) = app
        .post(
            "/api/v1/widget/sessions",
            None,
            json!({"widget_key": key, "page_url": "https://shop.example.com/"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "widget session: {session}");
    let conversation = str_at(&session, "conversation_id").to_string();
    let visitor = str_at(&session, "visitor_id").to_string();
    let mut ids = Vec::new();
    for (path, body) in [
        (
            "tickets",
            json!({"visitor_email": "v@example.com", "summary": "Help", "conversation_id": conversation}),
        ),
        ("articles", json!({"title": "Returns", "body": "30 days."})),
        (
            "webhooks",
            json!({"url": "http://127.0.0.1:9/hook", "events": ["ticket.created"]}),
        ),
        ("api-keys", json!({"name": "integration"})),
        ("tags", json!({"name": "VIP"})),
        (
            "saved-replies",
            json!({"title": "Refund started", "shortcut": "refund", "body": "Hi {{visitor.email}}"}),
        ),
        (
            "invitations",
            json!({"email": format!("invitee-{}@example.com", Uuid::new_v4()), "role": "agent"}),
        ),
    ] {
        let (s, b) = app.post(&format!("{base}/{path}"), t, body).await;
        assert_eq!(s, StatusCode::CREATED, "create {path}: {b}");
        ids.push(id_of(&b).to_string());
    }
    let (s, test) = app
        .post(&format!("{base}/webhooks/{}/test", ids[2]), t, json!({}))
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "test event: {test}");
    let (s, file) = crate::attachments::upload(
        app,
        &format!("{base}/attachments"),
        &owner.token,
        "notes.txt",
        "text/plain",
        b"seeded".to_vec(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "upload: {file}");
    Resources {
        attachment: id_of(&file).to_string(),
        delivery: id_of(&test).to_string(),
        ws: ws_id,
        ticket: ids[0].clone(),
        article: ids[1].clone(),
        webhook: ids[2].clone(),
        api_key: ids[3].clone(),
        tag: ids[4].clone(),
        saved_reply: ids[5].clone(),
        invitation: ids[6].clone(),
        conversation,
        visitor,
        member: owner.id.clone(),
    }
}

/// A valid body for `operation_id` (so only the credential or the id is wrong).
pub(crate) fn body_for(operation_id: &str) -> Value {
    match operation_id {
        "change_password" => {
            json!({"current_password": "correct horse battery", "new_password": "another long one"})
        }
        "accept_invitation" => json!({"token": "hi_0000"}),
        "set_plan" => json!({"plan": "pro"}),
        "post_message" => json!({"body": "Hello"}),
        "mark_read" => json!({"up_to": Uuid::nil()}),
        "mark_ticket_read" | "mark_conversation_read" => json!({}),
        "put_notification_preferences" => json!({"email": "delayed", "delay_minutes": 10}),
        "create_workspace" => json!({"name": "Other"}),
        "update_workspace" => json!({"name": "Renamed"}),
        "put_ai_settings" | "lint_instructions" => json!({"instructions": "Be kind."}),
        "create_api_key" => json!({"name": "k2"}),
        "create_article" | "replace_article" => json!({"title": "T", "body": "B"}),
        "update_article" => json!({"title": "T2"}),
        "create_invitation" => {
            json!({"email": format!("i-{}@example.com", Uuid::new_v4()), "role": "agent"})
        }
        "update_member" => json!({"role": "admin"}),
        "put_ticket_settings" => {
            json!({"enabled": true, "notification_email": "team@example.com"})
        }
        "create_ticket" => json!({"visitor_email": "w@example.com", "summary": "Another"}),
        "assign_ticket" => json!({"assignee_id": null}),
        "assign_ticket_to_me" => json!({}),
        "reply_to_ticket" => json!({"body": "On it", "email_visitor": false}),
        "take_over_conversation" => json!({}),
        "reply_in_conversation" => json!({"body": "Hi there"}),
        "add_ticket_note" | "add_conversation_note" => json!({"body": "Internal: checked"}),
        "conversation_typing" | "visitor_typing" => json!({"typing": true}),
        "set_visitor_email" => json!({"email": "visitor@example.com"}),
        // Refused for its credential before the body is read (it takes message/rfc822).
        "inbound_email" => json!({}),
        "change_ticket_status" => json!({"status": "in_progress"}),
        "create_webhook" => {
            json!({"url": "http://127.0.0.1:9/other", "events": ["ticket.updated"]})
        }
        "update_webhook" => json!({"active": false}),
        "create_tag" => json!({"name": "Billing"}),
        "update_tag" => json!({"colour": "#16a34a"}),
        "edit_ticket" => json!({"priority": "high"}),
        // Into itself (the seeded ticket is TKT-10001): 422 for a caller who may merge.
        "merge_ticket" => json!({"into": "TKT-10001"}),
        "bulk_change_tickets" => json!({"tickets": ["TKT-10001"], "priority": "high"}),
        "create_saved_reply" => {
            json!({"title": "Thanks", "shortcut": "thanks", "body": "Thank you, {{agent.name}}"})
        }
        "update_saved_reply" => json!({"title": "Refund on its way"}),
        // The file is the body: JSON is refused as a type (415) once the caller may upload.
        "upload_attachment" | "widget_upload_attachment" => json!({}),
        "erase_visitor" => json!({}),
        "put_privacy" => {
            json!({"conversations_without_ticket_days": 30, "closed_tickets_days": null})
        }
        other => panic!("the isolation matrix has no valid body for {other}: add one to body_for"),
    }
}

/// Signs nothing: the token's header says `alg: none` and its signature is empty.
fn alg_none(token: &str) -> String {
    let mut parts = token.split('.');
    let (Some(header), Some(payload)) = (parts.next(), parts.next()) else {
        panic!("not a JWT: {token}")
    };
    let header: Value = match URL_SAFE_NO_PAD
        .decode(header)
        .ok()
        .and_then(|h| serde_json::from_slice(&h).ok())
    {
        Some(h) => h,
        None => panic!("bad JWT header in {token}"),
    };
    let mut header = header;
    header["alg"] = json!("none");
    format!("{}.{payload}.", URL_SAFE_NO_PAD.encode(header.to_string()))
}

/// The same token with its signature's first character changed.
fn tampered(token: &str) -> String {
    let (head, sig) = match token.rsplit_once('.') {
        Some(p) => p,
        None => panic!("not a JWT: {token}"),
    };
    let mut chars = sig.chars();
    let changed = match chars.next() {
        Some('A') => 'B',
        _ => 'A',
    };
    format!("{head}.{changed}{}", chars.as_str())
}

/// A token whose payload was changed (another `sub`) while keeping the signature.
fn forged_payload(token: &str, sub: &str) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let mut payload: Value = match URL_SAFE_NO_PAD
        .decode(parts[1])
        .ok()
        .and_then(|p| serde_json::from_slice(&p).ok())
    {
        Some(p) => p,
        None => panic!("bad JWT payload in {token}"),
    };
    payload["sub"] = json!(sub);
    format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(payload.to_string()),
        parts[2]
    )
}

fn test_config(app: &TestApp) -> handoff::config::Config {
    let env = [
        ("DATABASE_URL", app.database_url()),
        (
            "JWT_SECRET",
            "MFOmNW3Ay2X+A7rntkkCVqiSCxyevE6+XmVPUdtnosc=".to_string(),
        ),
    ];
    match handoff::config::Config::from_lookup(|k| {
        env.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
    }) {
        Ok(c) => c,
        Err(e) => panic!("config: {e}"),
    }
}

/// Sends one request; reads the body only when it is not an event stream.
pub(crate) async fn call(
    app: &TestApp,
    method: &Method,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> (StatusCode, String) {
    let mut req = app.client.request(method.clone(), app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(b);
    }
    let resp = match req.send().await {
        Ok(r) => r,
        Err(e) => panic!("{method} {path}: {e}"),
    };
    let status = resp.status();
    let stream = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"));
    if stream {
        return (status, "(event stream)".into());
    }
    (status, resp.text().await.unwrap_or_default())
}

pub(crate) struct Operation {
    pub(crate) method: Method,
    pub(crate) template: String,
    pub(crate) id: String,
    pub(crate) schemes: Vec<String>,
    pub(crate) role: Option<String>,
    pub(crate) has_body: bool,
    /// The scopes an API key needs (`api_key` in `security`); `None`: keys are refused.
    pub(crate) key_scopes: Option<Vec<String>>,
}

pub(crate) fn operations(spec: &Value) -> Vec<Operation> {
    let mut out = Vec::new();
    let Some(paths) = spec["paths"].as_object() else {
        panic!("the spec has no paths")
    };
    for (template, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, op) in item {
            let method = match method.as_str() {
                "get" => Method::GET,
                "post" => Method::POST,
                "put" => Method::PUT,
                "patch" => Method::PATCH,
                "delete" => Method::DELETE,
                _ => continue,
            };
            let schemes = op["security"]
                .as_array()
                .map(|reqs| {
                    reqs.iter()
                        .filter_map(|r| r.as_object())
                        .flat_map(|r| r.keys().cloned())
                        .collect()
                })
                .unwrap_or_default();
            out.push(Operation {
                method,
                template: template.clone(),
                id: op["operationId"].as_str().unwrap_or_default().to_string(),
                schemes,
                role: op["x-handoff-role"].as_str().map(str::to_string),
                has_body: op.get("requestBody").is_some(),
                key_scopes: op["security"].as_array().and_then(|reqs| {
                    reqs.iter().find_map(|r| {
                        r["api_key"].as_array().map(|a| {
                            a.iter()
                                .filter_map(|s| s.as_str().map(str::to_string))
                                .collect()
                        })
                    })
                }),
            });
        }
    }
    out
}

/// `template` with its parameters filled from `res`.
pub(crate) fn fill(template: &str, res: &Resources) -> String {
    let mut out = String::new();
    let mut prev = "";
    for seg in template.split('/').skip(1) {
        out.push('/');
        if let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            out.push_str(&res.param(prev, name));
        } else {
            out.push_str(seg);
        }
        prev = seg;
    }
    out
}

/// `template` filled from `own`, except the first resource after `{ws}` from `other`.
fn fill_foreign_resource(template: &str, own: &Resources, other: &Resources) -> Option<String> {
    let mut out = String::new();
    let mut prev = "";
    let mut swapped = false;
    for seg in template.split('/').skip(1) {
        out.push('/');
        if let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            if name != "ws" && !swapped {
                out.push_str(&other.param(prev, name));
                swapped = true;
            } else {
                out.push_str(&own.param(prev, name));
            }
        } else {
            out.push_str(seg);
        }
        prev = seg;
    }
    swapped.then_some(out)
}

#[tokio::test]
async fn every_operation_refuses_the_wrong_caller() {
    let app = TestApp::spawn().await;
    let owner = app.register_user("Owner").await;
    let agent = app.register_user("Agent").await;
    let stranger = app.register_user("Stranger").await;
    let own = seed(&app, &owner).await;
    let other = seed(&app, &stranger).await;
    app.add_member(&owner.token, &own.ws, &agent, "agent").await;

    // Credentials of `own`'s workspace.
    let base = format!("/api/v1/workspaces/{}", own.ws);
    let (s, key) = app
        .post(
            &format!("{base}/api-keys"),
            Some(&owner.token),
            json!({"name": "revoked"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{key}");
    let revoked_key = str_at(&key, "key").to_string();
    let (s, b) = app
        .delete(
            &format!("{base}/api-keys/{}", id_of(&key)),
            Some(&owner.token),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let (_, ws) = app.get(&base, Some(&owner.token)).await;
    let (s, session) = app
        .post(
            "/api/v1/widget/sessions",
            None,
            json!({"widget_key": str_at(&ws, "widget_key"), "page_url": "https://shop.example.com/"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{session}");
    let visitor = str_at(&session, "visitor_token").to_string();
    let config = test_config(&app);
    let long_ago = chrono::Utc::now().timestamp() - 3 * 3600;
    let owner_id = match owner.id.parse::<Uuid>() {
        Ok(id) => id,
        Err(e) => panic!("user id: {e}"),
    };
    let expired_access =
        match handoff::auth::tokens::issue_access_at(&config, owner_id, None, long_ago) {
            Ok(t) => t,
            Err(e) => panic!("token: {e}"),
        };
    let visitor_id = match str_at(&session, "visitor_id").parse::<Uuid>() {
        Ok(id) => id,
        Err(e) => panic!("visitor id: {e}"),
    };
    let ws_id = match own.ws.parse::<Uuid>() {
        Ok(id) => id,
        Err(e) => panic!("ws id: {e}"),
    };
    let expired_visitor = match handoff::auth::tokens::issue_visitor_at(
        &config,
        visitor_id,
        ws_id,
        long_ago - 400 * 24 * 3600,
    ) {
        Ok(t) => t,
        Err(e) => panic!("token: {e}"),
    };
    // The tokens above must be good apart from their expiry.
    let (s, b) = app.get("/api/v1/me", Some(&owner.token)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = app.get("/api/v1/widget/messages", Some(&visitor)).await;
    assert_eq!(s, StatusCode::OK, "{b}");

    let user_bad: Vec<(&str, Option<String>)> = vec![
        ("no token", None),
        ("a visitor token", Some(visitor.clone())),
        ("an expired access token", Some(expired_access)),
        ("a tampered access token", Some(tampered(&owner.token))),
        (
            "an access token with a forged payload",
            Some(forged_payload(&owner.token, &stranger.id)),
        ),
        ("an alg:none access token", Some(alg_none(&owner.token))),
        ("a revoked API key", Some(revoked_key)),
        ("a made-up API key", Some(format!("hk_{}", "0".repeat(64)))),
    ];
    let visitor_bad: Vec<(&str, Option<String>)> = vec![
        ("no token", None),
        ("a user's access token", Some(owner.token.clone())),
        ("an expired visitor token", Some(expired_visitor)),
        ("a tampered visitor token", Some(tampered(&visitor))),
        ("an alg:none visitor token", Some(alg_none(&visitor))),
    ];

    let (s, spec) = app.get("/api/openapi.json", None).await;
    assert_eq!(s, StatusCode::OK, "the spec: {spec}");
    let ops = operations(&spec);
    let mut failures = Vec::new();
    let mut cases = 0;
    let mut routes = 0;
    // Agents last: an agent's allowed call may change the workspace's resources.
    for pass in ["credentials", "foreign", "agent"] {
        for op in &ops {
            let public = op.schemes.is_empty();
            if public {
                continue;
            }
            if pass == "credentials" {
                routes += 1;
            }
            let body = op.has_body.then(|| body_for(&op.id));
            let path = fill(&op.template, &own);
            let label = format!("{} {} ({})", op.method, op.template, op.id);
            let scoped = op.template.contains("{ws}");
            let widget = op.schemes.iter().any(|s| s == "visitor");
            match pass {
                "credentials" => {
                    let bad = if widget { &visitor_bad } else { &user_bad };
                    for (what, token) in bad {
                        cases += 1;
                        let (s, b) =
                            call(&app, &op.method, &path, token.as_deref(), body.as_ref()).await;
                        if s != StatusCode::UNAUTHORIZED {
                            failures.push(format!("{label} with {what}: {s} {b}"));
                        }
                    }
                }
                "foreign" if scoped && op.role.as_deref() != Some("operator") => {
                    // Another workspace's id.
                    cases += 1;
                    let path = fill(&op.template, &other);
                    let (s, b) =
                        call(&app, &op.method, &path, Some(&owner.token), body.as_ref()).await;
                    if s != StatusCode::NOT_FOUND {
                        failures.push(format!("{label} on another workspace: {s} {b}"));
                    }
                    // Another workspace's resource under the caller's own workspace.
                    if let Some(path) = fill_foreign_resource(&op.template, &own, &other) {
                        cases += 1;
                        let (s, b) =
                            call(&app, &op.method, &path, Some(&owner.token), body.as_ref()).await;
                        if s != StatusCode::NOT_FOUND {
                            failures.push(format!(
                                "{label} with another workspace's resource: {s} {b}"
                            ));
                        }
                    }
                }
                "agent" if scoped => {
                    cases += 1;
                    let (s, b) =
                        call(&app, &op.method, &path, Some(&agent.token), body.as_ref()).await;
                    match op.role.as_deref() {
                        Some(_) if s != StatusCode::FORBIDDEN => {
                            failures.push(format!("{label} as an agent: {s} {b} (want 403)"))
                        }
                        None if s == StatusCode::FORBIDDEN
                            || s == StatusCode::UNAUTHORIZED
                            || s == StatusCode::NOT_FOUND =>
                        {
                            failures.push(format!(
                                "{label} as an agent: {s} {b} (not marked x-handoff-role, so agents may)"
                            ))
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
    }
    // The figures for the record (`--nocapture`).
    #[allow(clippy::print_stderr)]
    {
        eprintln!("isolation matrix: {routes} operations, {cases} cases");
    }
    assert!(
        routes >= 50,
        "only {routes} authenticated operations in the spec"
    );
    assert!(
        failures.is_empty(),
        "{} of {cases} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
