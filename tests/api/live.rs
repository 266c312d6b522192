//! Live conversations (issue 12): an agent takes a conversation over and the assistant
//! stays silent (no answer, no acknowledgement) until it is handed back or the agent has
//! been idle for `TAKEOVER_IDLE_MINUTES`; replies with and without a ticket; the list's
//! live filters; typing and presence events both ways; other workspaces get 404.

use handoff_tests::{ExpectStatus, TestApp, array_at, eventually, id_of, str_at};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::widget::{Site, Visitor, add_article, replies, reply_text, say, session, site, sql};

const SHIPPING: &str = "Standard shipping within Germany takes 3-5 business days.";

struct Live {
    app: TestApp,
    site: Site,
    v: Visitor,
    conv: String,
}

impl Live {
    fn path(&self, rest: &str) -> String {
        format!("/api/v1/workspaces/{}{rest}", self.site.ws)
    }
    fn conv_path(&self, rest: &str) -> String {
        self.path(&format!("/conversations/{}{rest}", self.conv))
    }
    async fn take_over(&self) -> Value {
        self.app
            .post(
                &self.conv_path("/take-over"),
                Some(&self.site.owner_token),
                json!({}),
            )
            .await
            .expect_status(StatusCode::OK)
    }
    async fn hand_back(&self) -> Value {
        self.app
            .post(
                &self.conv_path("/hand-back"),
                Some(&self.site.owner_token),
                json!({}),
            )
            .await
            .expect_status(StatusCode::OK)
    }
    async fn reply(&self, body: Value) -> Value {
        self.app
            .post(
                &self.conv_path("/replies"),
                Some(&self.site.owner_token),
                body,
            )
            .await
            .expect_status(StatusCode::CREATED)
    }
    async fn detail(&self) -> Value {
        self.app
            .get(&self.conv_path(""), Some(&self.site.owner_token))
            .await
            .expect_status(StatusCode::OK)
    }
    /// The ids of the conversations the list shows with `query`.
    async fn listed(&self, query: &str) -> Vec<String> {
        let list = self
            .app
            .get(
                &self.path(&format!("/conversations?{query}")),
                Some(&self.site.owner_token),
            )
            .await
            .expect_status(StatusCode::OK);
        array_at(&list, "items").iter().map(id_of).collect()
    }
    async fn widget_messages(&self) -> Vec<Value> {
        let m = self
            .app
            .get("/api/v1/widget/messages", Some(&self.v.token))
            .await
            .expect_status(StatusCode::OK);
        array_at(&m, "items").to_vec()
    }
}

async fn live_with(app: TestApp) -> Live {
    let site = site(&app, "standard", true).await;
    add_article(&app, &site, "Shipping times", SHIPPING).await;
    let v = session(&app, &site).await;
    let conv = str_at(&v.session, "conversation_id").to_string();
    Live { app, site, v, conv }
}

async fn live() -> Live {
    live_with(TestApp::spawn().await).await
}

fn system_bodies(messages: &[Value]) -> Vec<String> {
    messages
        .iter()
        .filter(|m| m["sender"] == "system")
        .map(|m| str_at(m, "body").to_string())
        .collect()
}

#[tokio::test]
async fn a_taken_over_conversation_silences_the_assistant_until_it_is_handed_back() {
    let l = live().await;
    let a = say(&l.app, &l.v, "How long does shipping take?").await;
    assert!(reply_text(&a).contains("3-5 business days"), "{a}");

    let c = l.take_over().await;
    assert_eq!(c["taken_over"]["name"], "Owner", "{c}");
    assert!(c["taken_over"]["falls_back_at"].is_string(), "{c}");
    // The visitor sees who joined.
    let msgs = l.widget_messages().await;
    assert_eq!(system_bodies(&msgs), vec!["Owner joined the chat"]);
    // The session says who answers now.
    let again = session_again(&l).await;
    assert_eq!(again["live"]["agent_name"], "Owner", "{again}");

    // The assistant answers nothing, offers nothing, acknowledges nothing.
    for text in [
        "How long does shipping take?",
        "I want a refund",
        "Can I talk to a human?",
    ] {
        let a = say(&l.app, &l.v, text).await;
        assert!(replies(&a).is_empty(), "{text}: {a}");
        assert_eq!(array_at(&a, "messages").len(), 1, "{text}: {a}");
        assert_eq!(a["ticket"], Value::Null);
    }
    assert!(crate::widget::tickets(&l.app, &l.site.ws).is_empty());
    // It waits for a human, and the filters say so.
    assert!(l.listed("status=taken_over").await.contains(&l.conv));
    assert!(l.listed("status=waiting").await.contains(&l.conv));
    assert!(!l.listed("status=assistant").await.contains(&l.conv));
    let d = l.detail().await;
    assert!(d["conversation"]["waiting_since"].is_string(), "{d}");

    // The agent replies (no ticket needed): nobody waits any more.
    let m = l
        .reply(json!({"body": "Hi, I'm Owner. Let me look."}))
        .await;
    assert_eq!(m["sender"], "agent");
    assert_eq!(m["author_name"], "Owner");
    assert!(!l.listed("status=waiting").await.contains(&l.conv));
    // Still silent.
    let a = say(&l.app, &l.v, "Thanks, how long does shipping take?").await;
    assert!(replies(&a).is_empty(), "{a}");

    // Handed back: the visitor is told, and the assistant answers again.
    let c = l.hand_back().await;
    assert_eq!(c["taken_over"], Value::Null, "{c}");
    let bodies = system_bodies(&l.widget_messages().await);
    assert_eq!(bodies.len(), 2, "{bodies:?}");
    assert!(bodies[1].starts_with("Owner left the chat."), "{bodies:?}");
    let a = say(&l.app, &l.v, "How long does shipping take?").await;
    assert!(reply_text(&a).contains("3-5 business days"), "{a}");
    assert!(l.listed("status=assistant").await.contains(&l.conv));
    // Handing back again is a no-op.
    l.hand_back().await;
    assert_eq!(system_bodies(&l.widget_messages().await).len(), 2);
}

async fn session_again(l: &Live) -> Value {
    l.app
        .post(
            "/api/v1/widget/sessions",
            None,
            json!({"widget_key": l.site.widget_key, "visitor_token": l.v.token}),
        )
        .await
        .expect_status(StatusCode::CREATED)
}

#[tokio::test]
async fn with_a_ticket_the_reply_is_a_ticket_reply_and_the_assistant_never_acknowledges() {
    let l = live().await;
    // The handoff: refund → email asked → ticket.
    say(&l.app, &l.v, "I want a refund for order 1234").await;
    let a = say(&l.app, &l.v, "jane@example.com").await;
    let number = str_at(&a, "/ticket/number").to_string();
    // A ticket is open: the visitor waits for a human.
    assert!(l.listed("status=waiting").await.contains(&l.conv));

    l.take_over().await;
    // After the handoff the assistant would acknowledge details ("added to your
    // ticket"); taken over, it says nothing.
    let a = say(&l.app, &l.v, "The order number is 1234, paid by card").await;
    assert!(replies(&a).is_empty(), "{a}");
    assert_eq!(a["ticket"]["number"], number.as_str(), "{a}");

    let m = l
        .reply(json!({"body": "Refund issued.", "email_visitor": true}))
        .await;
    assert_eq!(m["sender"], "agent");
    // The ticket's timeline has the takeover and the reply; the reply was emailed.
    let t = l
        .app
        .get(
            &l.path(&format!("/tickets/{number}")),
            Some(&l.site.owner_token),
        )
        .await
        .expect_status(StatusCode::OK);
    let kinds: Vec<&str> = array_at(&t, "events")
        .iter()
        .map(|e| str_at(e, "kind"))
        .collect();
    assert!(kinds.contains(&"taken_over"), "{kinds:?}");
    assert!(kinds.contains(&"replied"), "{kinds:?}");
    assert!(
        array_at(&t, "messages")
            .iter()
            .any(|m| m["body"] == "Refund issued."),
        "{t}"
    );
    assert!(!l.app.email_jobs_to("jane@example.com").is_empty());

    // Resolved, then the visitor writes while taken over: it reopens (the same rule),
    // and the assistant still says nothing.
    l.app
        .post(
            &l.path(&format!("/tickets/{number}/status")),
            Some(&l.site.owner_token),
            json!({"status": "resolved"}),
        )
        .await
        .expect_status(StatusCode::OK);
    let a = say(&l.app, &l.v, "It has not arrived yet").await;
    assert!(replies(&a).is_empty(), "{a}");
    let t = l
        .app
        .get(
            &l.path(&format!("/tickets/{number}")),
            Some(&l.site.owner_token),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(t["ticket"]["status"], "open", "{t}");
}

#[tokio::test]
async fn an_idle_takeover_falls_back_to_the_assistant_with_a_note() {
    let app = TestApp::builder()
        .env("TAKEOVER_SWEEP_MS", "100")
        .spawn()
        .await;
    let l = live_with(app).await;
    l.take_over().await;
    let a = say(&l.app, &l.v, "How long does shipping take?").await;
    assert!(replies(&a).is_empty(), "{a}");
    // Not idle yet: the sweep leaves it alone.
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert!(l.detail().await["conversation"]["taken_over"].is_object());
    // The agent's last action was 31 minutes ago (the default TAKEOVER_IDLE_MINUTES is 30).
    sql(
        &l.app,
        "UPDATE conversations SET agent_active_at = now() - interval '31 minutes' WHERE id = $1::uuid",
        &l.conv,
    );
    eventually(
        "the idle takeover goes back to the assistant",
        std::time::Duration::from_secs(10),
        async || {
            let d = l.detail().await;
            if d["conversation"]["taken_over"].is_null() {
                Ok(())
            } else {
                Err(d.to_string())
            }
        },
    )
    .await;
    let bodies = system_bodies(&l.widget_messages().await);
    assert!(
        bodies
            .last()
            .is_some_and(|b| b.contains("away for 30 minutes")),
        "{bodies:?}"
    );
    let a = say(&l.app, &l.v, "How long does shipping take?").await;
    assert!(reply_text(&a).contains("3-5 business days"), "{a}");
}

#[tokio::test]
async fn taking_over_another_agents_conversation_needs_force() {
    let l = live().await;
    l.take_over().await;
    let kim = l.app.register_user("Kim Agent").await;
    crate::tickets::add_member_db(&l.app, &l.site.ws, &kim, "agent");
    let (status, body) = l
        .app
        .post(&l.conv_path("/take-over"), Some(&kim.token), json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "already_taken_over");
    assert!(str_at(&body, "/error/message").contains("Owner"), "{body}");
    // Taking over one's own again changes nothing.
    l.take_over().await;
    assert_eq!(system_bodies(&l.widget_messages().await).len(), 1);
    let c = l
        .app
        .post(
            &l.conv_path("/take-over"),
            Some(&kim.token),
            json!({"force": true}),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(c["taken_over"]["name"], "Kim Agent");
    assert_eq!(
        system_bodies(&l.widget_messages().await)
            .last()
            .map(String::as_str),
        Some("Kim Agent joined the chat")
    );
}

#[tokio::test]
async fn bad_filters_and_bodies_are_422_and_replies_without_a_ticket_are_not_emailed() {
    let l = live().await;
    let (status, body) = l
        .app
        .get(
            &l.path("/conversations?status=bogus"),
            Some(&l.site.owner_token),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["fields"]["status"].is_array(), "{body}");
    let (status, body) = l
        .app
        .post(
            &l.conv_path("/replies"),
            Some(&l.site.owner_token),
            json!({"body": "   "}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = l
        .app
        .post(
            &l.conv_path("/replies"),
            Some(&l.site.owner_token),
            json!({"body": "Hi", "email_visitor": true}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["fields"]["email_visitor"].is_array(),
        "{body}"
    );
    // A reply that doesn't take over leaves the assistant answering.
    l.reply(json!({"body": "Hello from the team", "take_over": false}))
        .await;
    assert!(l.detail().await["conversation"]["taken_over"].is_null());
    let a = say(&l.app, &l.v, "How long does shipping take?").await;
    assert!(reply_text(&a).contains("3-5 business days"), "{a}");
}

#[tokio::test]
async fn typing_and_presence_travel_both_ways() {
    let l = live().await;
    let owner = &l.site.owner_token;
    let dash_url = l.app.stream_url(&l.path("/events"), owner).await;
    let mut dash = l.app.event_stream(&dash_url, None).await;
    // The dashboard is open: a human is online, the widget says so.
    let s = session_again(&l).await;
    assert_eq!(s["live"]["humans_online"], true, "{s}");

    // The widget opens its stream: the visitor is online now.
    let widget_url = l.app.stream_url("/api/v1/widget/events", &l.v.token).await;
    let mut widget = l.app.event_stream(&widget_url, None).await;
    let ev = dash
        .next_event(|e| e.name == "visitor.presence" && e.data["online"] == true)
        .await;
    assert_eq!(ev.data["conversation_id"], l.conv.as_str());
    assert!(l.listed("online=true").await.contains(&l.conv));
    assert_eq!(l.detail().await["conversation"]["visitor_online"], true);

    // The visitor types: the dashboard sees it.
    l.app
        .post(
            "/api/v1/widget/typing",
            Some(&l.v.token),
            json!({"typing": true}),
        )
        .await
        .expect_status(StatusCode::NO_CONTENT);
    let ev = dash
        .next_event(|e| e.name == "typing" && e.data["sender"] == "visitor")
        .await;
    assert_eq!(ev.data["conversation_id"], l.conv.as_str());
    assert_eq!(ev.data["typing"], true);
    assert!(ev.id.is_none(), "typing is never replayed");

    // The agent types: the widget sees "<name> is typing".
    l.app
        .post(
            &l.conv_path("/typing"),
            Some(owner),
            json!({"typing": true}),
        )
        .await
        .expect_status(StatusCode::NO_CONTENT);
    let ev = widget.next_event(|e| e.name == "typing").await;
    assert_eq!(ev.data["name"], "Owner");
    assert_eq!(ev.data["typing"], true);
    // Typing is never stored as a message.
    assert!(l.widget_messages().await.is_empty());
    // Over the limit, typing events are dropped quietly, never refused.
    for _ in 0..8 {
        l.app
            .post(
                &l.conv_path("/typing"),
                Some(owner),
                json!({"typing": false}),
            )
            .await
            .expect_status(StatusCode::NO_CONTENT);
    }
    let (status, body) = l
        .app
        .post(
            &l.conv_path("/typing"),
            Some(owner),
            json!({"typing": "yes"}),
        )
        .await;
    assert!(status.is_client_error(), "{status} {body}");

    // The widget closes: the visitor is offline.
    drop(widget);
    let ev = dash
        .next_event(|e| e.name == "visitor.presence" && e.data["online"] == false)
        .await;
    assert_eq!(ev.data["conversation_id"], l.conv.as_str());
    assert!(!l.listed("online=true").await.contains(&l.conv));
}

#[tokio::test]
async fn a_takeover_reaches_the_dashboard_and_the_widget_live() {
    let l = live().await;
    let dash_url = l
        .app
        .stream_url(&l.path("/events"), &l.site.owner_token)
        .await;
    let mut dash = l.app.event_stream(&dash_url, None).await;
    let widget_url = l.app.stream_url("/api/v1/widget/events", &l.v.token).await;
    let mut widget = l.app.event_stream(&widget_url, None).await;
    l.take_over().await;
    let ev = dash.next_event(|e| e.name == "conversation.updated").await;
    assert_eq!(ev.data["conversation_id"], l.conv.as_str());
    let ev = widget
        .next_event(|e| e.name == "message.created" && e.data["sender"] == "system")
        .await;
    assert_eq!(ev.data["body"], "Owner joined the chat");
}

#[tokio::test]
async fn other_workspaces_conversations_are_404() {
    let l = live().await;
    let stranger = l.app.register_user("Stranger").await;
    let theirs = l.app.create_workspace(&stranger.token, "standard").await;
    let theirs = id_of(&theirs);
    for (rest, body) in [
        ("/take-over", json!({})),
        ("/hand-back", json!({})),
        ("/replies", json!({"body": "Hi"})),
        ("/typing", json!({"typing": true})),
    ] {
        // A stranger on this workspace's path…
        let (status, b) = l
            .app
            .post(&l.conv_path(rest), Some(&stranger.token), body.clone())
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{rest}: {b}");
        // …or this conversation under the stranger's own workspace.
        let (status, b) = l
            .app
            .post(
                &format!("/api/v1/workspaces/{theirs}/conversations/{}{rest}", l.conv),
                Some(&stranger.token),
                body,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{rest}: {b}");
    }
    // Nothing happened to the conversation.
    assert!(l.detail().await["conversation"]["taken_over"].is_null());
    assert!(l.widget_messages().await.is_empty());
}
