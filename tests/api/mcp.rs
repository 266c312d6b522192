//! The MCP server at /mcp (issue 15), driven by a real MCP client (rmcp's streamable HTTP
//! client): it lists the tools with their scopes, searches and reads tickets, replies and
//! writes notes through the ticket services (the reply is in the conversation, the
//! webhook and the visitor's mail as over REST), refuses a key without the tool's scope
//! with the REST error (`missing_scope`), finds nothing of another workspace, searches the
//! knowledge base like the assistant (by meaning with the builtin model), serves tickets
//! and articles as resources, and answers 401 without a live workspace API key.

use handoff_tests::{ExpectStatus, TestApp, array_at, eventually, str_at};
use reqwest::StatusCode;
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig, Implementation,
    ReadResourceRequestParams, ResourceContents,
};
use rmcp::service::RunningService;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};

use crate::assistant_eval::Engine;
use crate::widget::{Site, add_article, say, session, site};

type Client = RunningService<RoleClient, ClientConfig>;

const EVERY_TOOL: &[&str] = &[
    "add_internal_note",
    "assign_ticket",
    "change_ticket_status",
    "create_article",
    "get_article",
    "get_ticket",
    "list_team_members",
    "list_tickets",
    "reply_to_ticket",
    "search_knowledge_base",
    "update_article",
];

/// An MCP client connected to the app's /mcp with `key`.
async fn connect(app: &TestApp, key: &str) -> Client {
    let transport = StreamableHttpClientTransport::from_config(
        StreamableHttpClientTransportConfig::with_uri(app.url("/mcp")).auth_header(key),
    );
    ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new("handoff-tests", "1.0.0"),
    )
    .serve(transport)
    .await
    .unwrap_or_else(|e| panic!("connecting to /mcp: {e}"))
}

async fn tool(client: &Client, name: &str, args: Value) -> CallToolResult {
    let Value::Object(args) = args else {
        panic!("arguments must be an object")
    };
    client
        .call_tool(CallToolRequestParams::new(name.to_string()).with_arguments(args))
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A tool's answer; panics with the error when it failed.
async fn ok(client: &Client, name: &str, args: Value) -> Value {
    let r = tool(client, name, args).await;
    assert_eq!(r.is_error, Some(false), "{name}: {r:?}");
    // The text is the same JSON, for clients that show text only.
    let text = r
        .content
        .first()
        .and_then(|c| c.as_text())
        .map(|t| t.text.clone())
        .unwrap_or_default();
    let structured = r.structured_content.clone().unwrap_or_default();
    assert_eq!(
        serde_json::from_str::<Value>(&text).ok(),
        Some(structured.clone())
    );
    structured
}

/// A tool's error body (`{"error": {"code", "message", "fields"?}}`); panics when it did not fail.
async fn refused(client: &Client, name: &str, args: Value) -> Value {
    let r = tool(client, name, args).await;
    assert_eq!(r.is_error, Some(true), "{name} should have failed: {r:?}");
    r.structured_content.unwrap_or_default()
}

async fn key(app: &TestApp, site: &Site, scopes: &[&str]) -> String {
    let name = format!("mcp {scopes:?}");
    app.api_key(&site.owner_token, &site.ws, &name, Some(scopes))
        .await
}

/// A Pro workspace with tickets on, a visitor's conversation that became TKT-10001, and a
/// knowledge-base article.
async fn inbox(app: &TestApp) -> (Site, Value) {
    let site = site(app, "pro", true).await;
    let visitor = session(app, &site).await;
    say(app, &visitor, "My parcel never arrived, order 5521").await;
    let ticket = app
        .post(
            &format!("/api/v1/workspaces/{}/tickets", site.ws),
            Some(&site.owner_token),
            json!({
                "visitor_email": "dana@example.com",
                "summary": "Parcel never arrived (order 5521)",
                "conversation_id": str_at(&visitor.session, "conversation_id"),
            }),
        )
        .await
        .expect_status(StatusCode::CREATED);
    add_article(
        app,
        &site,
        "Lost parcels",
        "When a parcel has not arrived after 10 days we send a replacement at no cost.",
    )
    .await;
    (site, ticket)
}

#[tokio::test]
async fn a_client_lists_searches_reads_and_replies_with_a_scoped_key() {
    let app = TestApp::spawn().await;
    let (site, ticket) = inbox(&app).await;
    let number = str_at(&ticket, "number").to_string();
    assert_eq!(number, "TKT-10001");
    let hook = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::method("POST"))
        .respond_with(wiremock::ResponseTemplate::new(200))
        .mount(&hook)
        .await;
    app.post(
        &format!("/api/v1/workspaces/{}/webhooks", site.ws),
        Some(&site.owner_token),
        json!({"url": format!("{}/hook", hook.uri()), "events": ["ticket.replied"]}),
    )
    .await
    .expect_status(StatusCode::CREATED);
    let helpdesk = key(&app, &site, &["tickets:read", "tickets:write", "kb:read"]).await;
    let client = connect(&app, &helpdesk).await;

    // The tools, each naming its scopes.
    let tools = client
        .list_all_tools()
        .await
        .unwrap_or_else(|e| panic!("tools/list: {e}"));
    let mut names: Vec<String> = tools.iter().map(|t| t.name.to_string()).collect();
    names.sort();
    assert_eq!(names, EVERY_TOOL);
    for t in &tools {
        let scopes = t
            .meta
            .as_ref()
            .and_then(|m| m.0.get("handoff/scopes"))
            .and_then(|s| s.as_array())
            .map(|a| a.len())
            .unwrap_or(0);
        assert!(scopes > 0, "{} names no scope", t.name);
        assert_eq!(
            t.input_schema.get("type"),
            Some(&json!("object")),
            "{}",
            t.name
        );
    }

    // Search by number and by words; filters as in the list API.
    let found = ok(&client, "list_tickets", json!({"q": number})).await;
    assert_eq!(array_at(&found, "items").len(), 1, "{found}");
    let found = ok(
        &client,
        "list_tickets",
        json!({"q": "parcel", "status": "open"}),
    )
    .await;
    assert_eq!(str_at(&found, "/items/0/number"), number, "{found}");
    let none = ok(&client, "list_tickets", json!({"status": "closed"})).await;
    assert!(array_at(&none, "items").is_empty(), "{none}");
    // Bad input: the REST API's answers.
    let bad = refused(&client, "list_tickets", json!({"status": "lost"})).await;
    assert_eq!(bad["error"]["code"], "validation_failed", "{bad}");
    let bad = refused(&client, "list_tickets", json!({"limit": 1000})).await;
    assert_eq!(bad["error"]["code"], "validation_failed", "{bad}");
    let bad = refused(&client, "list_tickets", json!({"limit": "ten"})).await;
    assert_eq!(bad["error"]["code"], "bad_request", "{bad}");

    // Read it: the conversation and the notes.
    let detail = ok(&client, "get_ticket", json!({"ticket": number})).await;
    assert_eq!(str_at(&detail, "/ticket/id"), str_at(&ticket, "id"));
    assert!(
        array_at(&detail, "messages")
            .iter()
            .any(|m| m["body"] == "My parcel never arrived, order 5521"),
        "{detail}"
    );
    let version = detail["ticket"]["version"].as_i64().unwrap_or_default();

    // Reply (also by email), note, status with its version, assignment.
    let empty = refused(
        &client,
        "reply_to_ticket",
        json!({"ticket": number, "body": "  "}),
    )
    .await;
    assert_eq!(empty["error"]["code"], "validation_failed", "{empty}");
    assert!(empty["error"]["fields"]["body"].is_array(), "{empty}");
    let reply = ok(
        &client,
        "reply_to_ticket",
        json!({"ticket": number, "body": "A replacement is on its way.", "email_visitor": true}),
    )
    .await;
    assert_eq!(reply["sender"], "agent", "{reply}");
    ok(
        &client,
        "add_internal_note",
        json!({"ticket": number, "body": "Replacement sent via MCP"}),
    )
    .await;
    let stale = refused(
        &client,
        "change_ticket_status",
        json!({"ticket": number, "status": "resolved", "version": version - 1}),
    )
    .await;
    assert_eq!(stale["error"]["code"], "version_conflict", "{stale}");
    let now = ok(&client, "get_ticket", json!({"ticket": number})).await;
    let version = now["ticket"]["version"].clone();
    let resolved = ok(
        &client,
        "change_ticket_status",
        json!({"ticket": number, "status": "resolved", "version": version}),
    )
    .await;
    assert_eq!(resolved["status"], "resolved");
    let wrong = refused(
        &client,
        "change_ticket_status",
        json!({"ticket": number, "status": "in_progress"}),
    )
    .await;
    assert_eq!(wrong["error"]["code"], "invalid_transition", "{wrong}");
    let team = ok(&client, "list_team_members", json!({})).await;
    let owner_id = str_at(&team, "/items/0/user_id").to_string();
    let assigned = ok(
        &client,
        "assign_ticket",
        json!({"ticket": number, "assignee_id": owner_id}),
    )
    .await;
    assert_eq!(str_at(&assigned, "/assignee/id"), owner_id);
    let stranger = refused(
        &client,
        "assign_ticket",
        json!({"ticket": number, "assignee_id": uuid::Uuid::new_v4()}),
    )
    .await;
    assert_eq!(stranger["error"]["code"], "validation_failed", "{stranger}");

    // The REST API sees what the tools did, by the key: the reply, the note, the timeline;
    // the webhook went out and the visitor's copy is queued.
    let detail = app
        .get(
            &format!("/api/v1/workspaces/{}/tickets/{number}", site.ws),
            Some(&site.owner_token),
        )
        .await
        .expect_status(StatusCode::OK);
    let reply_msg = array_at(&detail, "messages")
        .iter()
        .find(|m| m["body"] == "A replacement is on its way.")
        .cloned()
        .unwrap_or_else(|| panic!("no reply in {detail}"));
    assert_eq!(reply_msg["sender"], "agent");
    assert!(
        array_at(&detail, "notes")
            .iter()
            .any(|n| n["body"] == "Replacement sent via MCP"),
        "{detail}"
    );
    assert!(
        array_at(&detail, "events")
            .iter()
            .any(|e| e["kind"] == "replied" && e["actor"]["type"] == "api"),
        "{detail}"
    );
    let requests = handoff_tests::wait_for_requests(&hook, 1).await;
    let delivered: Value = serde_json::from_slice(&requests[0].body).unwrap_or_default();
    assert_eq!(delivered["event"], "ticket.replied", "{delivered}");
    assert!(
        !app.email_jobs_to("dana@example.com").is_empty(),
        "the reply copy to the visitor is not queued"
    );

    // The knowledge base, by words (this server has no embedder), and a whole article.
    let hits = ok(
        &client,
        "search_knowledge_base",
        json!({"query": "parcel has not arrived"}),
    )
    .await;
    assert_eq!(str_at(&hits, "/items/0/title"), "Lost parcels", "{hits}");
    assert_eq!(hits["items"][0]["matched_by"], "words");
    let article_id = str_at(&hits, "/items/0/article_id").to_string();
    let article = ok(&client, "get_article", json!({"id": article_id})).await;
    assert!(
        str_at(&article, "body").contains("replacement"),
        "{article}"
    );
    let bad = refused(&client, "search_knowledge_base", json!({"query": " "})).await;
    assert_eq!(bad["error"]["code"], "validation_failed", "{bad}");

    // Resources: the ticket by number, the article by id.
    let read = client
        .read_resource(ReadResourceRequestParams::new(format!(
            "handoff://tickets/{number}"
        )))
        .await
        .unwrap_or_else(|e| panic!("resources/read: {e}"));
    let text = match read.contents.first() {
        Some(ResourceContents::TextResourceContents { text, .. }) => text.clone(),
        other => panic!("{other:?}"),
    };
    let resource: Value = serde_json::from_str(&text).unwrap_or_default();
    assert_eq!(resource["ticket"]["number"], number.as_str());
    assert!(
        array_at(&resource, "notes")
            .iter()
            .any(|n| n["body"] == "Replacement sent via MCP")
    );
    let listed = client
        .list_all_resources()
        .await
        .unwrap_or_else(|e| panic!("resources/list: {e}"));
    let uris: Vec<&str> = listed.iter().map(|r| r.uri.as_str()).collect();
    assert!(uris.contains(&"handoff://tickets/TKT-10001"), "{uris:?}");
    assert!(
        uris.contains(&format!("handoff://articles/{article_id}").as_str()),
        "{uris:?}"
    );
    let missing = client
        .read_resource(ReadResourceRequestParams::new(
            "handoff://tickets/TKT-99999",
        ))
        .await;
    assert!(missing.is_err(), "{missing:?}");
    client.cancel().await.ok();
}

#[tokio::test]
async fn a_key_without_the_scope_is_refused_and_other_workspaces_are_not_found() {
    let app = TestApp::spawn().await;
    let (site, ticket) = inbox(&app).await;
    let number = str_at(&ticket, "number").to_string();
    let reader = key(&app, &site, &["tickets:read"]).await;
    let client = connect(&app, &reader).await;
    ok(&client, "get_ticket", json!({"ticket": number})).await;

    // No tickets:write: the reply is refused with the REST error, and nothing is written.
    let no = refused(
        &client,
        "reply_to_ticket",
        json!({"ticket": number, "body": "Should not be sent"}),
    )
    .await;
    assert_eq!(no["error"]["code"], "missing_scope", "{no}");
    assert!(
        str_at(&no, "/error/message").contains("`tickets:write`"),
        "{no}"
    );
    let detail = app
        .get(
            &format!("/api/v1/workspaces/{}/tickets/{number}", site.ws),
            Some(&site.owner_token),
        )
        .await
        .expect_status(StatusCode::OK);
    assert!(
        !array_at(&detail, "messages")
            .iter()
            .any(|m| m["body"] == "Should not be sent")
    );
    // Resources need the scope of the tool that reads them.
    let article = client
        .read_resource(ReadResourceRequestParams::new(format!(
            "handoff://articles/{}",
            uuid::Uuid::new_v4()
        )))
        .await;
    let err = format!("{article:?}");
    assert!(article.is_err() && err.contains("kb:read"), "{err}");

    // Every tool, with a key that has every scope but the tool's: refused, naming it.
    let tools = client
        .list_all_tools()
        .await
        .unwrap_or_else(|e| panic!("tools/list: {e}"));
    const ALL: &[&str] = &[
        "tickets:read",
        "tickets:write",
        "conversations:read",
        "kb:read",
        "kb:write",
        "admin",
    ];
    for t in &tools {
        let needs: Vec<String> = t
            .meta
            .as_ref()
            .and_then(|m| m.0.get("handoff/scopes"))
            .and_then(|s| serde_json::from_value(s.clone()).ok())
            .unwrap_or_default();
        for s in &needs {
            let rest: Vec<&str> = ALL.iter().copied().filter(|x| x != s).collect();
            let lacking = connect(&app, &key(&app, &site, &rest).await).await;
            let no = refused(&lacking, &t.name, json!({"ticket": number})).await;
            assert_eq!(no["error"]["code"], "missing_scope", "{} {no}", t.name);
            assert!(
                str_at(&no, "/error/message").contains(&format!("`{s}`")),
                "{} {no}",
                t.name
            );
            lacking.cancel().await.ok();
        }
    }
    client.cancel().await.ok();

    // Another workspace's key with every scope finds nothing of this one.
    let other = site_with_key(&app).await;
    let client = connect(&app, &other).await;
    for t in [number.as_str(), str_at(&ticket, "id")] {
        let no = refused(&client, "get_ticket", json!({"ticket": t})).await;
        assert_eq!(no["error"]["code"], "not_found", "{no}");
        let no = refused(
            &client,
            "reply_to_ticket",
            json!({"ticket": t, "body": "Hello from elsewhere"}),
        )
        .await;
        assert_eq!(no["error"]["code"], "not_found", "{no}");
    }
    let list = ok(&client, "list_tickets", json!({"q": "parcel"})).await;
    assert!(array_at(&list, "items").is_empty(), "{list}");
    let hits = ok(&client, "search_knowledge_base", json!({"query": "parcel"})).await;
    assert!(array_at(&hits, "items").is_empty(), "{hits}");
    let read = client
        .read_resource(ReadResourceRequestParams::new(format!(
            "handoff://tickets/{}",
            str_at(&ticket, "id")
        )))
        .await;
    assert!(read.is_err(), "{read:?}");
    client.cancel().await.ok();
}

/// A second workspace and a key of it with every scope.
async fn site_with_key(app: &TestApp) -> String {
    let other = site(app, "pro", true).await;
    key(
        app,
        &other,
        &[
            "tickets:read",
            "tickets:write",
            "conversations:read",
            "kb:read",
            "kb:write",
            "admin",
        ],
    )
    .await
}

#[tokio::test]
async fn mcp_needs_a_live_workspace_api_key() {
    let app = TestApp::spawn().await;
    let owner = app.register_user("Owner").await;
    let ws = app.create_workspace(&owner.token, "pro").await;
    let ws = str_at(&ws, "id").to_string();
    let created = app
        .post(
            &format!("/api/v1/workspaces/{ws}/api-keys"),
            Some(&owner.token),
            json!({"name": "soon revoked"}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    let revoked = str_at(&created, "key").to_string();
    app.delete(
        &format!(
            "/api/v1/workspaces/{ws}/api-keys/{}",
            str_at(&created, "id")
        ),
        Some(&owner.token),
    )
    .await;
    let initialize = json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "curl", "version": "1"}}
    });
    for (what, token) in [
        ("no credential", None),
        ("a user's access token", Some(owner.token.clone())),
        ("a revoked key", Some(revoked.clone())),
        ("a made-up key", Some(format!("hk_{}", "0".repeat(64)))),
    ] {
        let mut req = app
            .client
            .post(app.url("/mcp"))
            .header("Accept", "application/json, text/event-stream")
            .json(&initialize);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{what}");
        assert!(
            resp.headers()
                .get("www-authenticate")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("Bearer")),
            "{what}: no challenge"
        );
        let body: Value = resp.json().await.unwrap_or_default();
        assert_eq!(body["error"]["code"], "unauthorized", "{what}: {body}");
    }
    // A live key gets through to the MCP server.
    let live = app
        .post(
            &format!("/api/v1/workspaces/{ws}/api-keys"),
            Some(&owner.token),
            json!({"name": "live"}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    let resp = app
        .client
        .post(app.url("/mcp"))
        .bearer_auth(str_at(&live, "key"))
        .header("Accept", "application/json, text/event-stream")
        .json(&initialize)
        .send()
        .await
        .unwrap_or_else(|e| panic!("initialize: {e}"));
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = resp.json().await.unwrap_or_default();
    assert_eq!(body["result"]["serverInfo"]["name"], "handoff", "{body}");
    // Stateless: no session to keep on this server.
    // (A second server copy could answer the next request.)
}

/// With the builtin embedding model the tool finds an article by what the question means,
/// as the assistant would, and an article made over MCP is found once it is indexed.
#[tokio::test]
async fn the_knowledge_base_is_searched_by_meaning_and_written_with_kb_write() {
    let app = Engine::Semantic.spawn().await;
    let site = site(&app, "standard", true).await;
    add_article(
        &app,
        &site,
        "Returns and refunds",
        "You can send any item back within 30 days of delivery. We refund the full price to the original payment method once the parcel reaches our warehouse.",
    )
    .await;
    add_article(
        &app,
        &site,
        "Payment methods",
        "We accept Visa, Mastercard, PayPal and bank transfer.",
    )
    .await;
    app.wait_for_jobs_done("knowledge.index").await;
    let writer = key(&app, &site, &["kb:read", "kb:write"]).await;
    let client = connect(&app, &writer).await;
    let hits = ok(
        &client,
        "search_knowledge_base",
        json!({"query": "can I get my money back for a purchase", "limit": 1}),
    )
    .await;
    assert_eq!(array_at(&hits, "items").len(), 1, "{hits}");
    assert_eq!(
        str_at(&hits, "/items/0/title"),
        "Returns and refunds",
        "{hits}"
    );
    assert_eq!(hits["items"][0]["matched_by"], "semantic");

    let bad = refused(&client, "create_article", json!({"title": "", "body": "x"})).await;
    assert_eq!(bad["error"]["code"], "validation_failed", "{bad}");
    let created = ok(
        &client,
        "create_article",
        json!({"title": "Gift cards", "body": "Gift cards never expire and can be used for any order.", "url": "https://shop.example.com/help/gift-cards"}),
    )
    .await;
    let id = str_at(&created, "id").to_string();
    let updated = ok(
        &client,
        "update_article",
        json!({"id": id, "body": "Gift cards never expire. Use them for any order, in part or in full.", "url": ""}),
    )
    .await;
    assert_eq!(updated["title"], "Gift cards");
    assert!(updated["url"].is_null(), "{updated}");
    let found = eventually(
        "the new article is found by meaning",
        handoff_tests::WAIT,
        async || {
            let hits = ok(
                &client,
                "search_knowledge_base",
                json!({"query": "does a voucher run out", "limit": 1}),
            )
            .await;
            match hits["items"][0]["title"].as_str() {
                Some("Gift cards") if hits["items"][0]["matched_by"] == "semantic" => Ok(hits),
                _ => Err(hits.to_string()),
            }
        },
    )
    .await;
    assert!(
        str_at(&found, "/items/0/excerpt").contains("never expire"),
        "{found}"
    );
    // A key without kb:write reads but does not write.
    let reader = key(&app, &site, &["kb:read"]).await;
    let client = connect(&app, &reader).await;
    let no = refused(
        &client,
        "update_article",
        json!({"id": id, "title": "Vouchers"}),
    )
    .await;
    assert_eq!(no["error"]["code"], "missing_scope", "{no}");
}
