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

/// One step of a scripted streaming completion.
enum Step {
    /// A `data:` event: a content piece.
    Piece(&'static str),
    /// Wait until the test says go on (the model is "still writing").
    Hold(tokio::sync::oneshot::Receiver<()>),
    /// The end: a finish chunk, a usage chunk and `[DONE]`.
    Done,
    /// The connection drops (no finish, no `[DONE]`).
    Drop,
}

/// An OpenAI-compatible server that streams one scripted completion per connection, chunk
/// by chunk as it is told to (wiremock answers a body at once; streaming needs time in
/// between). Returns its base URL (`…/v1`) and the request bodies it received.
async fn streaming_server(
    scripts: Vec<Vec<Step>>,
) -> (String, std::sync::Arc<std::sync::Mutex<Vec<Value>>>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
        Ok(l) => l,
        Err(e) => panic!("bind: {e}"),
    };
    let addr = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => panic!("{e}"),
    };
    let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = received.clone();
    tokio::spawn(async move {
        for script in scripts {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            // The request: headers, then Content-Length bytes of JSON.
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let body = loop {
                let Ok(n) = socket.read(&mut chunk).await else {
                    return;
                };
                if n == 0 {
                    return;
                }
                buf.extend_from_slice(&chunk[..n]);
                let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                    continue;
                };
                let head = String::from_utf8_lossy(&buf[..end]).to_lowercase();
                let len: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                if buf.len() >= end + 4 + len {
                    break buf[end + 4..end + 4 + len].to_vec();
                }
            };
            if let (Ok(v), Ok(mut r)) = (serde_json::from_slice::<Value>(&body), seen.lock()) {
                r.push(v);
            }
            let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\nconnection: close\r\n\r\n";
            if socket.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let chunk_of = |delta: Value, finish: Value| {
                format!(
                    "data: {}\n\n",
                    json!({"id": "chatcmpl-s", "object": "chat.completion.chunk", "created": 1, "model": "test-model",
                           "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
                )
            };
            let _ = socket
                .write_all(
                    chunk_of(json!({"role": "assistant", "content": ""}), Value::Null).as_bytes(),
                )
                .await;
            for step in script {
                let out = match step {
                    Step::Piece(text) => chunk_of(json!({"content": text}), Value::Null),
                    Step::Hold(go) => {
                        let _ = go.await;
                        continue;
                    }
                    Step::Done => format!(
                        "{}data: {}\n\ndata: [DONE]\n\n",
                        chunk_of(json!({}), json!("stop")),
                        json!({"id": "chatcmpl-s", "object": "chat.completion.chunk", "created": 1, "model": "test-model",
                               "choices": [], "usage": {"prompt_tokens": 5, "completion_tokens": 4, "total_tokens": 9}})
                    ),
                    Step::Drop => break,
                };
                if socket.write_all(out.as_bytes()).await.is_err() {
                    break;
                }
                let _ = socket.flush().await;
            }
            let _ = socket.shutdown().await;
        }
    });
    (format!("http://{addr}/v1"), received)
}

fn streaming_app(base_url: &str) -> handoff_tests::TestAppBuilder {
    TestApp::builder()
        .env("AI_PROVIDER", "openai")
        .env("OPENAI_BASE_URL", base_url)
        .env("OPENAI_API_KEY", "sk-test")
        .env("OPENAI_MODEL", "test-model")
        .env("AI_TIMEOUT_MS", "10000")
}

/// The next `message.delta`, or the assistant's `message.created`, on a widget stream.
async fn next_reply_event(stream: &mut handoff_tests::EventStream) -> handoff_tests::Event {
    stream
        .next_event(|e| {
            e.name == "message.delta"
                || (e.name == "message.created" && e.data["sender"] == "assistant")
        })
        .await
}

/// The openai engine streams: the first words reach the widget's event stream while the
/// model is still writing, every piece in order under the reply's id (citation markers
/// taken out), then `message.created` with the same id and the whole text, which is also
/// what the POST answers and what is stored.
#[tokio::test]
async fn the_reply_streams_to_the_widget_piece_by_piece_then_arrives_whole() {
    let (go, hold) = tokio::sync::oneshot::channel();
    let (base, received) = streaming_server(vec![vec![
        Step::Piece("We accept "),
        Step::Hold(hold),
        Step::Piece("Visa"),
        Step::Piece(" and PayPal"),
        Step::Piece(" [1]"),
        Step::Piece("."),
        Step::Done,
    ]])
    .await;
    let app = streaming_app(&base).spawn().await;
    let site = site(&app, "standard", true).await;
    let v = session(&app, &site).await;
    let url = app.stream_url("/api/v1/widget/events", &v.token).await;
    let mut stream = app.event_stream(&url, None).await;

    let (answer, (deltas, created)) =
        tokio::join!(say(&app, &v, "Which cards do you take?"), async {
            // The model holds the rest back until the first piece has reached the widget.
            let first = next_reply_event(&mut stream).await;
            assert_eq!(first.name, "message.delta", "{first:?}");
            assert_eq!(first.data["seq"], 0);
            // A trailing space waits for the next piece (it may precede a citation marker).
            assert_eq!(first.data["text"], "We accept");
            assert!(first.id.is_none(), "deltas carry no event id: {first:?}");
            let _ = go.send(());
            let mut deltas = vec![first];
            loop {
                let e = next_reply_event(&mut stream).await;
                if e.name == "message.created" {
                    break (deltas, e);
                }
                deltas.push(e);
            }
        });

    let id = created.data["id"].clone();
    let mut text = String::new();
    for (i, d) in deltas.iter().enumerate() {
        assert_eq!(d.data["seq"], i, "in order: {deltas:?}");
        assert_eq!(d.data["message_id"], id, "{d:?}");
        assert_eq!(d.data["conversation_id"], v.session["conversation_id"]);
        text.push_str(d.data["text"].as_str().unwrap_or_default());
    }
    assert_eq!(text, "We accept Visa and PayPal.");
    assert_eq!(created.data["body"], "We accept Visa and PayPal.");
    assert_eq!(reply_text(&answer), "We accept Visa and PayPal.");
    assert_eq!(last_at(&answer, "messages")["id"], id);
    let list = app
        .get("/api/v1/widget/messages", Some(&v.token))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(last_at(&list, "items")["id"], id);
    assert_eq!(
        last_at(&list, "items")["body"],
        "We accept Visa and PayPal."
    );

    let sent = match received.lock() {
        Ok(r) => r.clone(),
        Err(e) => panic!("{e}"),
    };
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["stream"], true, "{}", sent[0]);
    assert_eq!(sent[0]["model"], "test-model");
    // The tokens of the streamed answer count against the budget (the usage chunk).
    let usage = ai_usage(&app, &site).await;
    assert_eq!(usage["tokens"], 9, "{usage}");
}

/// A stream that breaks half-way: what the visitor saw of it is replaced, under the same
/// message id, by the ticket offer; the half answer is never stored, and the provider is
/// not asked again (the visitor already saw words).
#[tokio::test]
async fn a_stream_that_breaks_off_ends_with_the_ticket_offer_never_a_half_answer() {
    let (base, received) = streaming_server(vec![
        vec![Step::Piece("Yes, we ship to Can"), Step::Drop],
        vec![Step::Piece("(a retry must not happen)"), Step::Done],
    ])
    .await;
    let app = streaming_app(&base).spawn().await;
    let site = site(&app, "standard", true).await;
    let v = session(&app, &site).await;
    let url = app.stream_url("/api/v1/widget/events", &v.token).await;
    let mut stream = app.event_stream(&url, None).await;

    let (answer, (delta, created)) = tokio::join!(say(&app, &v, "Do you ship to Canada?"), async {
        let delta = next_reply_event(&mut stream).await;
        let mut created = next_reply_event(&mut stream).await;
        while created.name != "message.created" {
            created = next_reply_event(&mut stream).await;
        }
        (delta, created)
    });
    assert_eq!(delta.name, "message.delta");
    assert_eq!(delta.data["text"], "Yes, we ship to Can");
    assert_eq!(created.data["id"], delta.data["message_id"]);
    let body = created.data["body"].as_str().unwrap_or_default();
    assert!(
        body.starts_with("Sorry, I'm having trouble answering right now"),
        "{body}"
    );
    assert!(asks_email(&answer), "{answer}");
    assert_eq!(last_at(&answer, "messages")["id"], delta.data["message_id"]);
    let list = app
        .get("/api/v1/widget/messages", Some(&v.token))
        .await
        .expect_status(StatusCode::OK);
    for m in array_at(&list, "items") {
        assert!(
            !str_at(m, "body").contains("we ship to Can"),
            "a half answer was stored: {list}"
        );
    }
    assert_eq!(
        received.lock().map(|r| r.len()).unwrap_or_default(),
        1,
        "no retry after words reached the visitor"
    );
    let m = metrics(&app).await;
    assert!(
        m.contains(r#"assistant_failures_total{provider="openai",reason="provider_error"} 1"#),
        "{m}"
    );
}
