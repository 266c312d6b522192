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
    builder_with(server, timeout_ms).spawn().await
}

fn builder_with(server: &MockServer, timeout_ms: u64) -> handoff_tests::TestAppBuilder {
    TestApp::builder()
        .env("AI_PROVIDER", "openai")
        .env("OPENAI_BASE_URL", format!("{}/v1", server.uri()))
        .env("OPENAI_API_KEY", "sk-test")
        .env("OPENAI_MODEL", "test-model")
        .env("AI_TIMEOUT_MS", timeout_ms.to_string())
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
    let timeout = Duration::from_millis(1_500);
    let app = app_with(&server, 1_500).await;
    let site = site(&app, "standard", true).await;
    let v = session(&app, &site).await;
    let started = std::time::Instant::now();
    let a = say(&app, &v, "My invoice looks wrong").await;
    let took = started.elapsed();
    // AI_TIMEOUT_MS bounds the whole turn, retry included: a correctness bound of the
    // timeout (the visitor hears back), not a performance figure.
    assert!(
        took < timeout + Duration::from_secs(1),
        "answered after {took:?}"
    );
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

/// Garbage from the provider (not JSON; JSON without choices; an empty answer) is a failed
/// turn: the visitor gets the ticket offer, within AI_TIMEOUT_MS + 1 s.
#[tokio::test]
async fn garbage_from_the_provider_gets_the_ticket_offer_within_the_timeout() {
    let timeout = Duration::from_millis(2_000);
    for (garbage, reason) in [
        (
            ResponseTemplate::new(200).set_body_string("<html>502 Bad Gateway</html>"),
            "provider_error",
        ),
        (
            ResponseTemplate::new(200).set_body_json(json!({"id": "x", "object": "chat.completion", "created": 1, "model": "m", "choices": []})),
            "bad_response",
        ),
        (text("   "), "bad_response"),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(COMPLETIONS))
            .respond_with(garbage)
            .mount(&server)
            .await;
        let app = app_with(&server, 2_000).await;
        let site = site(&app, "standard", true).await;
        let v = session(&app, &site).await;
        let started = std::time::Instant::now();
        let a = say(&app, &v, "Where is my parcel?").await;
        let took = started.elapsed();
        assert!(took < timeout + Duration::from_secs(1), "answered after {took:?}");
        assert!(
            reply_text(&a).starts_with("Sorry, I'm having trouble answering right now"),
            "{reason}: {a}"
        );
        assert!(asks_email(&a), "{reason}: {a}");
        let m = metrics(&app).await;
        assert!(
            m.contains(&format!(r#"assistant_failures_total{{provider="openai",reason="{reason}"}} 1"#)),
            "{m}"
        );
    }
}

async fn ai_usage(app: &TestApp, site: &crate::widget::Site) -> Value {
    let s = app
        .get(
            &format!("/api/v1/workspaces/{}/ai-settings", site.ws),
            Some(&site.owner_token),
        )
        .await
        .expect_status(StatusCode::OK);
    s["usage"].clone()
}

/// Past the workspace's daily message budget the builtin engine answers (no provider
/// call); the count is in Postgres, so a second server on the database sees it; another
/// workspace keeps its own budget; the AI settings show usage against the budget.
#[tokio::test]
async fn past_the_daily_message_budget_the_builtin_engine_answers_on_every_server() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(COMPLETIONS))
        .respond_with(text("The model says hello."))
        .mount(&server)
        .await;
    let app = builder_with(&server, 5_000)
        .env("AI_DAILY_MESSAGES", "2")
        .spawn()
        .await;
    let site = site(&app, "standard", true).await;
    let fresh = ai_usage(&app, &site).await;
    assert_eq!(fresh["engine"], "openai", "{fresh}");
    assert_eq!(fresh["messages"], 0, "{fresh}");
    assert_eq!(fresh["messages_budget"], 2, "{fresh}");
    assert_eq!(fresh["exhausted"], false, "{fresh}");

    let v = session(&app, &site).await;
    for _ in 0..2 {
        let a = say(&app, &v, "hello").await;
        assert_eq!(reply_text(&a), "The model says hello.");
    }
    let a = say(&app, &v, "How long does shipping take?").await;
    assert_ne!(reply_text(&a), "The model says hello.", "{a}");
    assert!(
        !reply_text(&a).is_empty(),
        "the builtin engine answered: {a}"
    );
    assert_eq!(requests(&server).await.len(), 2, "no call past the budget");

    let usage = ai_usage(&app, &site).await;
    assert_eq!(usage["messages"], 2, "{usage}");
    assert_eq!(usage["tokens"], 4, "two completions of 2 tokens: {usage}");
    assert_eq!(usage["over_budget_messages"], 1, "{usage}");
    assert_eq!(usage["exhausted"], true, "{usage}");
    let m = metrics(&app).await;
    assert!(m.contains("assistant_over_budget_total 1"), "{m}");
    assert!(
        m.contains(r#"assistant_tokens_total{provider="openai"} 4"#),
        "{m}"
    );

    // Another server on the same database: the same budget.
    let second = builder_with(&server, 5_000)
        .env("AI_DAILY_MESSAGES", "2")
        .database(&app.db_name)
        .spawn()
        .await;
    let v2 = session(&second, &site).await;
    let a = say(&second, &v2, "hello").await;
    assert_ne!(reply_text(&a), "The model says hello.", "{a}");
    assert_eq!(requests(&server).await.len(), 2);

    // Another workspace has its own budget.
    let other = crate::widget::site(&app, "standard", true).await;
    let v3 = session(&app, &other).await;
    let a = say(&app, &v3, "hello").await;
    assert_eq!(reply_text(&a), "The model says hello.");
    assert_eq!(ai_usage(&app, &other).await["messages"], 1);
}

/// The token budget counts the provider's `usage.total_tokens`.
#[tokio::test]
async fn past_the_daily_token_budget_the_builtin_engine_answers() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(COMPLETIONS))
        .respond_with(text("The model says hello."))
        .mount(&server)
        .await;
    let app = builder_with(&server, 5_000)
        .env("AI_DAILY_MESSAGES", "0")
        .env("AI_DAILY_TOKENS", "3")
        .spawn()
        .await;
    let site = site(&app, "standard", true).await;
    let v = session(&app, &site).await;
    for _ in 0..2 {
        assert_eq!(
            reply_text(&say(&app, &v, "hello").await),
            "The model says hello."
        );
    }
    let a = say(&app, &v, "hello").await;
    assert_ne!(reply_text(&a), "The model says hello.", "{a}");
    assert_eq!(requests(&server).await.len(), 2);
    let usage = ai_usage(&app, &site).await;
    assert_eq!(usage["tokens"], 4, "{usage}");
    assert_eq!(usage["tokens_budget"], 3, "{usage}");
    assert_eq!(
        usage["messages_budget"],
        Value::Null,
        "0 is no limit: {usage}"
    );
    assert_eq!(usage["exhausted"], true, "{usage}");
}

/// After AI_BREAKER_FAILURES failed turns in a row the provider is not called for the
/// cool-down: the visitor gets the ticket offer at once. After it, one turn tries the
/// provider again, and its success closes the breaker.
#[tokio::test]
async fn the_circuit_breaker_stops_calling_a_failing_provider_for_a_cool_down() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(COMPLETIONS))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let app = builder_with(&server, 5_000)
        .env("AI_BREAKER_FAILURES", "2")
        .env("AI_BREAKER_COOLDOWN_SECS", "2")
        .spawn()
        .await;
    let site = site(&app, "standard", true).await;
    // A new visitor each time: after a fallback the builtin flow keeps the conversation.
    for _ in 0..2 {
        let v = session(&app, &site).await;
        let a = say(&app, &v, "hello").await;
        assert!(
            reply_text(&a).starts_with("Sorry, I'm having trouble"),
            "{a}"
        );
    }
    assert_eq!(
        requests(&server).await.len(),
        4,
        "two turns, each retried once"
    );
    let v = session(&app, &site).await;
    let a = say(&app, &v, "hello").await;
    assert!(
        reply_text(&a).starts_with("Sorry, I'm having trouble"),
        "{a}"
    );
    assert!(asks_email(&a));
    assert_eq!(
        requests(&server).await.len(),
        4,
        "the open breaker made no call"
    );
    let m = metrics(&app).await;
    assert!(
        m.contains(r#"assistant_failures_total{provider="openai",reason="breaker_open"} 1"#),
        "{m}"
    );

    // The provider recovers; after the cool-down one trial call closes the breaker.
    server.reset().await;
    Mock::given(method("POST"))
        .and(path(COMPLETIONS))
        .respond_with(text("Back again."))
        .mount(&server)
        .await;
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    for _ in 0..2 {
        let v = session(&app, &site).await;
        assert_eq!(reply_text(&say(&app, &v, "hello").await), "Back again.");
    }
}
