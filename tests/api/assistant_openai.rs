//! The `openai` engine against an OpenAI-compatible server started by the test
//! (wiremock), scripted per case. Each case asserts what the visitor sees and what is
//! stored.

use std::time::Duration;

use handoff_tests::{ExpectStatus, TestApp, array_at, last_at, str_at};
use reqwest::StatusCode;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::widget::{add_article, asks_email, reply_text, say, session, site, tickets};

const COMPLETIONS: &str = "/v1/chat/completions";

fn completion(message: Value) -> ResponseTemplate {
    let finish = if message.get("tool_calls").is_some() {
        "tool_calls"
    } else {
        "stop"
    };
    ResponseTemplate::new(200).set_body_json(json!({
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": "test-model",
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
    }))
}

fn text(content: &str) -> ResponseTemplate {
    completion(json!({"role": "assistant", "content": content}))
}

fn create_ticket(email: &str, summary: &str, category: &str) -> ResponseTemplate {
    let args = json!({"email": email, "summary": summary, "category": category}).to_string();
    completion(json!({
        "role": "assistant",
        "content": null,
        "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "create_ticket", "arguments": args}}]
    }))
}

async fn once(server: &MockServer, response: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path(COMPLETIONS))
        .respond_with(response)
        .up_to_n_times(1)
        .mount(server)
        .await;
}

async fn app_with(server: &MockServer, timeout_ms: u64) -> TestApp {
    TestApp::builder()
        .env("AI_PROVIDER", "openai")
        .env("OPENAI_BASE_URL", format!("{}/v1", server.uri()))
        .env("OPENAI_API_KEY", "sk-test")
        .env("OPENAI_MODEL", "test-model")
        .env("AI_TIMEOUT_MS", timeout_ms.to_string())
        .spawn()
        .await
}

/// The JSON bodies the model server received, in order.
async fn requests(server: &MockServer) -> Vec<Value> {
    let Some(received) = server.received_requests().await else {
        panic!("the model server does not record requests")
    };
    received
        .iter()
        .map(|r| match serde_json::from_slice(&r.body) {
            Ok(v) => v,
            Err(e) => panic!("a non-JSON model request ({e}): {r:?}"),
        })
        .collect()
}

async fn metrics(app: &TestApp) -> String {
    let resp = match app.client.get(app.url("/metrics")).send().await {
        Ok(resp) => resp,
        Err(e) => panic!("GET /metrics: {e}"),
    };
    assert_eq!(resp.status(), StatusCode::OK, "GET /metrics");
    match resp.text().await {
        Ok(text) => text,
        Err(e) => panic!("reading /metrics: {e}"),
    }
}

#[tokio::test]
async fn plain_answer_reaches_the_visitor_with_policy_instructions_and_articles_in_the_prompt() {
    let server = MockServer::start().await;
    once(&server, text("Standard shipping takes 3-5 business days.")).await;
    let app = app_with(&server, 5_000).await;
    let site = site(&app, "standard", true).await;
    add_article(
        &app,
        &site,
        "Shipping times",
        "Standard shipping takes 3-5 business days.",
    )
    .await;
    app.put(
        &format!("/api/v1/workspaces/{}/ai-settings", site.ws),
        Some(&site.owner_token),
        json!({"instructions": "Always sign as Acme Bot."}),
    )
    .await
    .expect_status(StatusCode::OK);
    let v = session(&app, &site).await;
    let a = say(&app, &v, "How long does shipping take?").await;
    assert_eq!(reply_text(&a), "Standard shipping takes 3-5 business days.");
    assert!(!asks_email(&a));
    assert_eq!(a["ticket"], Value::Null);

    let sent = requests(&server).await;
    assert_eq!(sent.len(), 1);
    let system = str_at(&sent[0], "/messages/0/content");
    assert_eq!(sent[0]["messages"][0]["role"], "system");
    assert!(system.contains("Product policy"), "{system}");
    assert!(system.contains("Always sign as Acme Bot."), "{system}");
    assert!(system.contains("### Shipping times"), "{system}");
    assert_eq!(sent[0]["model"], "test-model");
    assert_eq!(sent[0]["tools"][0]["function"]["name"], "create_ticket");
    assert_eq!(
        last_at(&sent[0], "messages"),
        &json!({"role": "user", "content": "How long does shipping take?"})
    );

    // Stored like any other assistant message.
    let list = app
        .get("/api/v1/widget/messages", Some(&v.token))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(list["items"][1]["sender"], "assistant");
    assert_eq!(
        list["items"][1]["body"],
        "Standard shipping takes 3-5 business days."
    );
}

#[tokio::test]
async fn create_ticket_with_a_bad_email_goes_back_to_the_model_then_a_good_one_creates_the_ticket()
{
    let server = MockServer::start().await;
    once(
        &server,
        create_ticket(
            "jane@nowhere",
            "Refund for order 1234",
            "cannot_perform_action",
        ),
    )
    .await;
    once(
        &server,
        text("That email address doesn't look right. Could you send your email again?"),
    )
    .await;
    once(
        &server,
        create_ticket(
            "Jane@Example.com",
            "Refund for order 1234",
            "cannot_perform_action",
        ),
    )
    .await;
    let app = app_with(&server, 5_000).await;
    let site = site(&app, "standard", true).await;
    let v = session(&app, &site).await;

    let first = say(
        &app,
        &v,
        "I want a refund for order 1234, my email is jane@nowhere",
    )
    .await;
    assert_eq!(
        reply_text(&first),
        "That email address doesn't look right. Could you send your email again?"
    );
    assert!(asks_email(&first), "the widget shows the email field");
    assert!(tickets(&app, &site.ws).is_empty());
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 2);
    let tool_msg = array_at(&sent[1], "messages")
        .iter()
        .find(|x| x["role"] == "tool")
        .unwrap_or_else(|| panic!("no tool message in {}", sent[1]));
    assert_eq!(tool_msg["tool_call_id"], "call_1");
    assert!(
        tool_msg["content"]
            .as_str()
            .is_some_and(|c| c.contains("invalid_email")),
        "{tool_msg}"
    );

    let second = say(&app, &v, "jane@example.com").await;
    assert_eq!(second["ticket"]["number"], "TKT-10001", "{second}");
    assert!(reply_text(&second).contains("TKT-10001"));
    let t = tickets(&app, &site.ws);
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].visitor_email, "jane@example.com");
    assert_eq!(t[0].summary, "Refund for order 1234");
    assert_eq!(t[0].category, "cannot_perform_action");
    assert_eq!(t[0].conversation_id, str_at(&v.session, "conversation_id"));
    assert!(t[0].description.contains("I want a refund for order 1234"));
    assert_eq!(requests(&server).await.len(), 3);

    // With the ticket open, the model is not asked again: a brief acknowledgement.
    let more = say(&app, &v, "any news?").await;
    assert!(reply_text(&more).contains("TKT-10001"));
    assert_eq!(requests(&server).await.len(), 3);
}

#[tokio::test]
async fn provider_error_is_retried_once_then_the_visitor_gets_a_ticket_offer() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(COMPLETIONS))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({"error": {"message": "boom", "type": "server_error", "param": null, "code": null}})))
        .mount(&server)
        .await;
    let app = app_with(&server, 5_000).await;
    let site = site(&app, "standard", true).await;
    let v = session(&app, &site).await;
    let a = say(&app, &v, "Can I bring my dog to the store?").await;
    assert!(
        reply_text(&a).starts_with("Sorry, I'm having trouble answering right now"),
        "{a}"
    );
    assert!(asks_email(&a));
    assert_eq!(
        requests(&server).await.len(),
        2,
        "one call and at most one retry"
    );
    let m = metrics(&app).await;
    assert!(
        m.contains(r#"assistant_failures_total{provider="openai",reason="provider_error"} 1"#),
        "{m}"
    );

    // The builtin flow takes it from there: the email creates the ticket, no model call.
    let done = say(&app, &v, "dog.owner@example.com").await;
    assert_eq!(done["ticket"]["number"], "TKT-10001", "{done}");
    assert_eq!(
        tickets(&app, &site.ws)[0].summary,
        "Question the help articles don't answer: Can I bring my dog to the store?"
    );
    assert_eq!(requests(&server).await.len(), 2);
}

#[tokio::test]
async fn a_hanging_provider_times_out_and_the_visitor_is_not_left_waiting() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(COMPLETIONS))
        .respond_with(text("too late").set_delay(Duration::from_secs(10)))
        .mount(&server)
        .await;
    let app = app_with(&server, 300).await;
    let site = site(&app, "standard", true).await;
    let v = session(&app, &site).await;
    let started = std::time::Instant::now();
    let a = say(&app, &v, "My invoice looks wrong").await;
    let took = started.elapsed();
    assert!(took < Duration::from_secs(5), "answered after {took:?}");
    assert!(
        reply_text(&a).starts_with("Sorry, I'm having trouble answering right now"),
        "{a}"
    );
    assert!(!reply_text(&a).contains("too late"));
    assert!(asks_email(&a));
    let m = metrics(&app).await;
    assert!(
        m.contains(r#"assistant_failures_total{provider="openai",reason="timeout"} 1"#),
        "{m}"
    );
    let list = app
        .get("/api/v1/widget/messages", Some(&v.token))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(
        array_at(&list, "items").len(),
        2,
        "visitor message and the fallback are stored"
    );
}

#[tokio::test]
async fn without_tickets_the_model_gets_no_tool_and_failures_do_not_offer_one() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(COMPLETIONS))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let app = app_with(&server, 5_000).await;
    let site = site(&app, "free", false).await;
    let v = session(&app, &site).await;
    let a = say(&app, &v, "hello?").await;
    assert!(!asks_email(&a));
    assert!(!reply_text(&a).contains("ticket"), "{a}");
    let sent = requests(&server).await;
    assert!(
        sent[0].get("tools").is_none_or(Value::is_null),
        "{}",
        sent[0]
    );
}
