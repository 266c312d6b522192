//! The widget API driven as the widget drives it, with the builtin assistant: sessions,
//! answers from articles, the ticket handoff, limits, origins and live events.

use diesel::RunQueryDsl;
use diesel::sql_types::{Text, Uuid as SqlUuid};
use handoff_tests::{ExpectStatus, TestApp, array_at, id_of, last_at, str_at, strs_at};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A workspace ready for the widget.
pub struct Site {
    pub ws: String,
    pub widget_key: String,
    pub owner_token: String,
}

pub async fn site(app: &TestApp, plan: &str, tickets: bool) -> Site {
    let owner = app.register_user("Owner").await;
    let ws = app.create_workspace(&owner.token, plan).await;
    let site = Site {
        ws: id_of(&ws),
        widget_key: str_at(&ws, "widget_key").to_string(),
        owner_token: owner.token,
    };
    if tickets {
        sql(
            app,
            "UPDATE workspaces SET tickets_enabled = true, notification_email = 'team@example.com' WHERE id = $1::uuid",
            &site.ws,
        );
    }
    site
}

/// Runs one statement with one text parameter on the app's database.
pub fn sql(app: &TestApp, query: &str, param: &str) {
    let mut db = app.db();
    diesel::sql_query(query)
        .bind::<Text, _>(param)
        .execute(&mut db)
        .unwrap_or_else(|e| panic!("{query}: {e}"));
}

#[derive(diesel::QueryableByName, Debug)]
pub struct TicketRow {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub number: i64,
    #[diesel(sql_type = Text)]
    pub visitor_email: String,
    #[diesel(sql_type = Text)]
    pub summary: String,
    #[diesel(sql_type = Text)]
    pub description: String,
    #[diesel(sql_type = Text)]
    pub category: String,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Text)]
    pub source: String,
    #[diesel(sql_type = Text)]
    pub conversation_id: String,
}

pub fn tickets(app: &TestApp, ws: &str) -> Vec<TicketRow> {
    let mut db = app.db();
    diesel::sql_query(
        "SELECT number, visitor_email, summary, description, category::text AS category, status::text AS status,
                source::text AS source, conversation_id::text AS conversation_id
           FROM tickets WHERE workspace_id = $1::uuid ORDER BY number",
    )
    .bind::<Text, _>(ws)
    .load(&mut db)
    .unwrap_or_else(|e| panic!("tickets: {e}"))
}

pub async fn add_article(app: &TestApp, site: &Site, title: &str, body: &str) -> Value {
    let (status, a) = app
        .post(
            &format!("/api/v1/workspaces/{}/articles", site.ws),
            Some(&site.owner_token),
            json!({"title": title, "body": body}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    a
}

/// A widget visitor: its session and a way to talk.
pub struct Visitor {
    pub token: String,
    pub session: Value,
}

pub async fn session(app: &TestApp, site: &Site) -> Visitor {
    let (status, s) = app
        .post(
            "/api/v1/widget/sessions",
            None,
            json!({"widget_key": site.widget_key, "page_url": "https://shop.example.com/cart"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{s}");
    Visitor {
        token: str_at(&s, "visitor_token").to_string(),
        session: s,
    }
}

/// Sends a message; returns the whole answer body.
pub async fn say(app: &TestApp, v: &Visitor, text: &str) -> Value {
    let (status, body) = app
        .post(
            "/api/v1/widget/messages",
            Some(&v.token),
            json!({"body": text}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{text}: {body}");
    body
}

/// The assistant's replies in an answer.
pub fn replies(answer: &Value) -> Vec<&Value> {
    array_at(answer, "messages")
        .iter()
        .filter(|m| m["sender"] == "assistant")
        .collect()
}

pub fn reply_text(answer: &Value) -> String {
    replies(answer)
        .iter()
        .map(|m| str_at(m, "body"))
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn asks_email(answer: &Value) -> bool {
    replies(answer)
        .iter()
        .any(|m| m["action"]["type"] == "request_email")
}

#[tokio::test]
async fn a_session_records_the_visitor_and_a_resumed_session_sees_its_history() {
    // The country header is believed from a trusted proxy (the test client is one here).
    let app = TestApp::builder()
        .env("TRUSTED_PROXIES", "127.0.0.1")
        .spawn()
        .await;
    let site = site(&app, "standard", true).await;
    let resp = app
        .client
        .post(app.url("/api/v1/widget/sessions"))
        .header("User-Agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")
        .header("CF-IPCountry", "de")
        .json(&json!({"widget_key": site.widget_key, "page_url": "https://shop.example.com/p/42", "referrer": "https://google.com/", "locale": "de-DE"}))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), StatusCode::CREATED);
    let s: Value = resp.json().await.expect("a JSON session");
    assert!(s["visitor_token"].as_str().is_some_and(|t| t.len() > 20));
    assert_eq!(s["messages"], json!([]));
    assert_eq!(s["unread_count"], 0);
    assert_eq!(s["config"]["workspace_name"], "Acme");
    assert_eq!(s["config"]["tickets_enabled"], true);
    assert!(s["config"]["greeting"].is_string());

    #[derive(diesel::QueryableByName)]
    struct Info {
        #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
        country: Option<String>,
        #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
        browser: Option<String>,
        #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
        os: Option<String>,
        #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
        device_kind: Option<String>,
        #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
        page_url: Option<String>,
        #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
        referrer: Option<String>,
        #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
        locale: Option<String>,
    }
    let visitor_id = uuid::Uuid::parse_str(str_at(&s, "visitor_id")).expect("a visitor uuid");
    let info: Info = diesel::sql_query(
        "SELECT country, browser, os, device_kind, page_url, referrer, locale FROM visitors WHERE id = $1",
    )
    .bind::<SqlUuid, _>(visitor_id)
    .get_result(&mut app.db())
    .expect("the visitor row");
    assert_eq!(info.country.as_deref(), Some("DE"));
    assert_eq!(info.browser.as_deref(), Some("Safari"));
    assert_eq!(info.os.as_deref(), Some("iPhone"));
    assert_eq!(info.device_kind.as_deref(), Some("mobile"));
    assert_eq!(
        info.page_url.as_deref(),
        Some("https://shop.example.com/p/42")
    );
    assert_eq!(info.referrer.as_deref(), Some("https://google.com/"));
    assert_eq!(info.locale.as_deref(), Some("de-DE"));

    let v = Visitor {
        token: str_at(&s, "visitor_token").into(),
        session: s.clone(),
    };
    // The browser is German: so is the widget, and a greeting too short to tell is
    // answered in German.
    assert_eq!(s["language"], "de");
    let hi = say(&app, &v, "Hi").await;
    assert_eq!(
        reply_text(&hi),
        "Hallo! Wie kann ich Ihnen heute helfen?",
        "{hi}"
    );

    let (status, again) = app
        .post(
            "/api/v1/widget/sessions",
            None,
            json!({"widget_key": site.widget_key, "visitor_token": v.token, "page_url": "https://shop.example.com/"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(again["visitor_id"], s["visitor_id"]);
    assert_eq!(again["conversation_id"], s["conversation_id"]);
    let bodies = strs_at(&again, "messages", "body");
    assert_eq!(bodies.len(), 2);
    assert_eq!(bodies[0], "Hi");
    assert_eq!(again["messages"][1]["sender"], "assistant");

    // GET messages, and only the ones after a given message.
    let (status, list) = app.get("/api/v1/widget/messages", Some(&v.token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(array_at(&list, "items").len(), 2, "{list}");
    let first = str_at(&list, "/items/0/id");
    let after = app
        .get(
            &format!("/api/v1/widget/messages?after={first}"),
            Some(&v.token),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(array_at(&after, "items").len(), 1, "{after}");

    // A token of another workspace's visitor starts a fresh visitor here.
    let other = site_for_other(&app).await;
    let foreign = app
        .post(
            "/api/v1/widget/sessions",
            None,
            json!({"widget_key": other, "visitor_token": v.token, "page_url": "https://x.example/"}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    assert_ne!(foreign["visitor_id"], s["visitor_id"]);
    assert_eq!(foreign["messages"], json!([]));
}

async fn site_for_other(app: &TestApp) -> String {
    site(app, "free", false).await.widget_key
}

#[tokio::test]
async fn unknown_widget_key_is_404_and_config_is_public() {
    let app = TestApp::spawn().await;
    let site = site(&app, "pro", true).await;
    let (status, body) = app
        .post(
            "/api/v1/widget/sessions",
            None,
            json!({"widget_key": "wk_nope"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"]["code"], "not_found");
    let (status, cfg) = app
        .get(
            &format!("/api/v1/widget/config?widget_key={}", site.widget_key),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        cfg,
        json!({"workspace_name": "Acme", "greeting": "Hi! How can we help you today?", "color": "#4f46e5", "tickets_enabled": true, "default_language": "en"})
    );
    let (status, _) = app.get("/api/v1/widget/config?widget_key=nope", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn answerable_questions_are_answered_from_an_article_naming_it() {
    let app = TestApp::spawn().await;
    let site = site(&app, "standard", true).await;
    add_article(&app, &site, "Shipping times", "Standard shipping within Germany takes 3-5 business days. Express shipping takes 1-2 business days.").await;
    add_article(&app, &site, "Return policy", "You can return unused items within 30 days. Refunds are paid within 5 business days after we receive the item.").await;
    let v = session(&app, &site).await;
    let a = say(&app, &v, "How long does shipping take?").await;
    let text = reply_text(&a);
    assert!(text.contains("\u{201c}Shipping times\u{201d}"), "{text}");
    assert!(text.contains("3-5 business days"), "{text}");
    assert!(!asks_email(&a));
    assert_eq!(a["ticket"], Value::Null);
    assert_eq!(a["messages"][0]["sender"], "visitor");
    assert_eq!(a["messages"][0]["body"], "How long does shipping take?");

    // A refund request is not answered with the return policy.
    let r = say(&app, &v, "I want a refund").await;
    assert!(!reply_text(&r).contains("Return policy"), "{r}");
    assert!(asks_email(&r));
}

#[tokio::test]
async fn refund_offer_bad_email_asked_again_good_email_creates_the_ticket() {
    let app = TestApp::spawn().await;
    let site = site(&app, "standard", true).await;
    let v = session(&app, &site).await;
    let offer = say(&app, &v, "I want a refund for order 1234").await;
    assert!(asks_email(&offer), "{offer}");
    assert!(reply_text(&offer).contains("email"));

    let bad = say(&app, &v, "jane@gmail").await;
    assert!(
        reply_text(&bad).contains("doesn't look like a valid email"),
        "{bad}"
    );
    assert!(asks_email(&bad));
    assert!(tickets(&app, &site.ws).is_empty());

    let good = say(&app, &v, "Jane@Example.com").await;
    assert_eq!(str_at(&good, "/ticket/number"), "TKT-10001", "{good}");
    assert!(good["ticket"]["id"].is_string());
    assert!(reply_text(&good).contains("TKT-10001"), "{good}");
    assert!(reply_text(&good).contains("jane@example.com"));
    // The confirmation is marked by the server, so the widget places the ticket card
    // without reading the assistant's wording.
    let confirmation = last_at(&good, "messages");
    assert_eq!(confirmation["sender"], "assistant", "{good}");
    assert_eq!(
        confirmation["action"],
        serde_json::json!({"type": "ticket_created", "ticket_id": good["ticket"]["id"], "number": "TKT-10001"}),
        "{good}"
    );

    let t = tickets(&app, &site.ws);
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].number, 10001);
    assert_eq!(t[0].visitor_email, "jane@example.com");
    assert_eq!(t[0].summary, "Refund request: order 1234");
    assert_eq!(t[0].category, "cannot_perform_action");
    assert_eq!(t[0].status, "open");
    assert_eq!(t[0].source, "ai");
    assert_eq!(t[0].conversation_id, str_at(&v.session, "conversation_id"));
    assert!(
        t[0].description
            .contains("Visitor: I want a refund for order 1234"),
        "{}",
        t[0].description
    );
    assert!(t[0].description.contains("Visitor: jane@gmail"));

    // The visitor's email is stored; the team is notified through the outbox.
    app.wait_for_mail_file("the team's notification mail", |m| {
        m.contains("To: team@example.com") && m.contains("TKT-10001")
    })
    .await;

    // While the ticket is open the assistant only acknowledges, naming it; a second
    // handoff adds to the same ticket.
    let more = say(&app, &v, "Also, please cancel my subscription").await;
    assert!(reply_text(&more).contains("TKT-10001"), "{more}");
    assert!(!asks_email(&more));
    assert_eq!(more["ticket"]["number"], "TKT-10001");
    assert_eq!(tickets(&app, &site.ws).len(), 1);
}

#[tokio::test]
async fn each_handoff_case_leads_to_the_offer() {
    let app = TestApp::spawn().await;
    let site = site(&app, "pro", true).await;
    add_article(
        &app,
        &site,
        "Shipping times",
        "Standard shipping takes 3-5 business days.",
    )
    .await;
    for text in [
        "Please cancel my order",
        "I was charged twice and want to dispute it",
        "Can I talk to a human?",
        "Do you sell replacement parts for the X200 blender?",
    ] {
        let v = session(&app, &site).await;
        let a = say(&app, &v, text).await;
        assert!(asks_email(&a), "{text}: {a}");
        assert_eq!(a["ticket"], Value::Null);
    }
}

#[tokio::test]
async fn declining_keeps_chatting_and_small_talk_gets_no_offer() {
    let app = TestApp::spawn().await;
    let site = site(&app, "standard", true).await;
    add_article(
        &app,
        &site,
        "Shipping times",
        "Standard shipping takes 3-5 business days.",
    )
    .await;
    let v = session(&app, &site).await;
    for text in ["Hello!", "thanks"] {
        let a = say(&app, &v, text).await;
        assert!(!asks_email(&a), "{text}");
        assert!(!reply_text(&a).contains("ticket"), "{text}");
    }
    assert!(asks_email(&say(&app, &v, "I want a refund").await));
    let no = say(&app, &v, "no thanks").await;
    assert!(reply_text(&no).contains("No problem"), "{no}");
    assert!(!asks_email(&no));
    let q = say(&app, &v, "How long does shipping take?").await;
    assert!(reply_text(&q).contains("Shipping times"), "{q}");
    assert!(tickets(&app, &site.ws).is_empty());
}

#[tokio::test]
async fn a_known_email_is_confirmed_instead_of_asked_and_a_closed_ticket_frees_the_assistant() {
    let app = TestApp::spawn().await;
    let site = site(&app, "standard", true).await;
    let v = session(&app, &site).await;
    say(&app, &v, "I was double charged").await;
    let first = say(&app, &v, "kim@example.com").await;
    assert_eq!(first["ticket"]["number"], "TKT-10001");
    assert_eq!(tickets(&app, &site.ws)[0].category, "needs_human_judgment");

    sql(
        &app,
        "UPDATE tickets SET status = 'closed', closed_at = now() WHERE workspace_id = $1::uuid",
        &site.ws,
    );
    let offer = say(&app, &v, "Please delete my account").await;
    let text = reply_text(&offer);
    assert!(text.contains("kim@example.com"), "{text}");
    assert!(
        !asks_email(&offer),
        "no email prompt when the email is known"
    );
    let yes = say(&app, &v, "yes please").await;
    assert_eq!(yes["ticket"]["number"], "TKT-10002", "{yes}");
    let t = tickets(&app, &site.ws);
    assert_eq!(t[1].visitor_email, "kim@example.com");
    assert_eq!(
        t[1].summary,
        "Account deletion request: Please delete my account"
    );
}

#[tokio::test]
async fn a_visitor_message_reopens_a_resolved_ticket() {
    let app = TestApp::spawn().await;
    let site = site(&app, "standard", true).await;
    let v = session(&app, &site).await;
    say(&app, &v, "My parcel never arrived").await;
    let created = say(&app, &v, "sam@example.com").await;
    let ticket = format!(
        "/api/v1/workspaces/{}/tickets/{}",
        site.ws,
        str_at(&created, "/ticket/id")
    );
    // The team resolves it from the dashboard.
    let resolved = app
        .post(
            &format!("{ticket}/status"),
            Some(&site.owner_token),
            json!({"status": "resolved"}),
        )
        .await
        .expect_status(StatusCode::OK);
    assert!(resolved["resolved_at"].is_string(), "{resolved}");

    let a = say(&app, &v, "It still hasn't arrived!").await;
    assert!(reply_text(&a).contains("reopened"), "{a}");
    let t = tickets(&app, &site.ws);
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].status, "open");
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let n: N = diesel::sql_query("SELECT count(*) AS n FROM ticket_events WHERE kind = 'reopened' AND actor_type = 'visitor'")
        .get_result(&mut app.db())
        .expect("count reopened events");
    assert_eq!(n.n, 1);

    // The dashboard shows it open again, reopened by the visitor, with the message.
    let d = app
        .get(&ticket, Some(&site.owner_token))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(d["ticket"]["status"], "open", "{d}");
    assert_eq!(d["ticket"]["resolved_at"], Value::Null);
    let last = last_at(&d, "events");
    assert_eq!(last["kind"], "reopened");
    assert_eq!(last["actor"]["type"], "visitor");
    assert!(
        array_at(&d, "messages")
            .iter()
            .any(|m| m["body"] == "It still hasn't arrived!"),
        "{d}"
    );
}

#[tokio::test]
async fn without_tickets_the_assistant_says_it_cannot_help_and_offers_nothing() {
    let app = TestApp::spawn().await;
    let site = site(&app, "free", false).await;
    let v = session(&app, &site).await;
    assert_eq!(v.session["config"]["tickets_enabled"], false);
    let a = say(&app, &v, "I want a refund").await;
    assert!(!asks_email(&a));
    let text = reply_text(&a);
    assert!(text.contains("not able to issue refunds"), "{text}");
    assert!(!text.contains("ticket"), "{text}");
}

#[tokio::test]
async fn message_bodies_must_be_1_to_4000_characters() {
    let app = TestApp::spawn().await;
    let site = site(&app, "standard", true).await;
    let v = session(&app, &site).await;
    for bad in ["".to_string(), "   ".to_string(), "x".repeat(4001)] {
        let (status, body) = app
            .post(
                "/api/v1/widget/messages",
                Some(&v.token),
                json!({"body": bad}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body["error"]["fields"]["body"].is_array());
    }
    let (status, _) = app
        .post(
            "/api/v1/widget/messages",
            Some(&v.token),
            json!({"body": "é".repeat(4000)}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn visitors_need_their_token_and_see_only_their_own_conversation() {
    let app = TestApp::spawn().await;
    let site = site(&app, "standard", true).await;
    let a = session(&app, &site).await;
    let b = session(&app, &site).await;
    say(&app, &a, "secret from A").await;
    let list = app
        .get("/api/v1/widget/messages", Some(&b.token))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(list["items"], json!([]));
    let (status, _) = app.get("/api/v1/widget/messages", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app
        .get("/api/v1/widget/messages", Some("not-a-token"))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A dashboard access token is not a visitor token.
    let (status, _) = app
        .get("/api/v1/widget/messages", Some(&site.owner_token))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A message id of another conversation cannot be used as a cursor.
    let mine = app
        .get("/api/v1/widget/messages", Some(&a.token))
        .await
        .expect_status(StatusCode::OK);
    let id = str_at(&mine, "/items/0/id");
    let (status, _) = app
        .get(
            &format!("/api/v1/widget/messages?after={id}"),
            Some(&b.token),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn read_marker_clears_the_unread_count() {
    let app = TestApp::spawn().await;
    let site = site(&app, "standard", true).await;
    let v = session(&app, &site).await;
    let a = say(&app, &v, "Hi").await;
    let last = str_at(&a, "/messages/1/id");
    sql(
        &app,
        "UPDATE conversations SET visitor_unread_count = 2 WHERE workspace_id = $1::uuid",
        &site.ws,
    );
    let resume = json!({"widget_key": site.widget_key, "visitor_token": v.token, "page_url": "https://shop.example.com/"});
    let s = app
        .post("/api/v1/widget/sessions", None, resume.clone())
        .await
        .expect_status(StatusCode::CREATED);
    assert_eq!(s["unread_count"], 2);
    let (status, _) = app
        .post(
            "/api/v1/widget/read",
            Some(&v.token),
            json!({"up_to": last}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let s = app
        .post("/api/v1/widget/sessions", None, resume)
        .await
        .expect_status(StatusCode::CREATED);
    assert_eq!(s["unread_count"], 0);
}

#[tokio::test]
async fn origins_outside_the_allowed_list_get_403() {
    let app = TestApp::spawn().await;
    let site = site(&app, "standard", true).await;
    let (status, body) = app
        .patch(
            &format!("/api/v1/workspaces/{}", site.ws),
            Some(&site.owner_token),
            json!({"allowed_origins": ["https://shop.example.com"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .post(
            "/api/v1/widget/sessions",
            None,
            json!({"widget_key": site.widget_key, "page_url": "https://evil.example/page"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "origin_not_allowed");
    let resp = app
        .client
        .post(app.url("/api/v1/widget/sessions"))
        .header("Origin", "https://evil.example")
        .json(&json!({"widget_key": site.widget_key, "page_url": "https://shop.example.com/"}))
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let (status, _) = app
        .post(
            "/api/v1/widget/sessions",
            None,
            json!({"widget_key": site.widget_key, "page_url": "https://shop.example.com/p/1"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn sessions_and_messages_are_rate_limited() {
    let app = TestApp::builder().env("RATE_LIMITS", "on").spawn().await;
    let site = site(&app, "standard", true).await;
    let v = session(&app, &site).await;
    let mut limited = None;
    for i in 0..45 {
        let resp = app
            .client
            .post(app.url("/api/v1/widget/messages"))
            .bearer_auth(&v.token)
            .json(&json!({"body": format!("hello {i}")}))
            .send()
            .await
            .expect("request");
        if resp.status() == StatusCode::TOO_MANY_REQUESTS {
            limited = Some((
                i,
                resp.headers()
                    .get("retry-after")
                    .and_then(|h| h.to_str().ok())
                    .map(str::to_string),
            ));
            break;
        }
        assert_eq!(resp.status(), StatusCode::CREATED);
    }
    let (at, retry_after) = limited.expect("messages are limited");
    // 20 a minute per visitor (more only if the fixed window rolled over meanwhile).
    assert!(at >= 20, "limited after {at} messages");
    assert!(retry_after.is_some_and(|s| s.parse::<u64>().is_ok_and(|n| n >= 1)));

    // 30 a minute per IP in fixed windows: a loop that crosses a window's end may pass up to
    // twice that, so try 61 times (a slow machine can't hide the limit).
    let mut session_limited = false;
    for _ in 0..61 {
        let (status, body) = app
            .post(
                "/api/v1/widget/sessions",
                None,
                json!({"widget_key": site.widget_key, "page_url": "https://shop.example.com/"}),
            )
            .await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            session_limited = true;
            break;
        }
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    assert!(session_limited, "sessions per IP are limited");
}

#[tokio::test]
async fn the_event_stream_delivers_new_messages_of_the_visitors_conversation() {
    let app = TestApp::spawn().await;
    let site = site(&app, "standard", true).await;
    let v = session(&app, &site).await;
    let other = session(&app, &site).await;
    let mut stream = app
        .event_stream(
            &app.stream_url("/api/v1/widget/events", &v.token).await,
            None,
        )
        .await;
    assert!(stream.content_type.starts_with("text/event-stream"));
    say(&app, &other, "not for v").await;
    say(&app, &v, "Hi there").await;
    let seen = stream
        .read_until(|seen| seen.contains("Hi there") && seen.contains("How can I help"))
        .await;
    assert!(seen.contains("event: message.created"));
    assert!(!seen.contains("not for v"), "{seen}");
    let (status, _) = app.get("/api/v1/widget/events", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_reconnecting_stream_replays_what_it_missed_after_last_event_id() {
    let app = TestApp::spawn().await;
    let site = site(&app, "standard", true).await;
    let v = session(&app, &site).await;
    let first = say(&app, &v, "Hi").await;
    let first_id = str_at(&first, "/messages/0/id");
    say(&app, &v, "thanks").await;
    let mut stream = app
        .event_stream(
            &app.stream_url("/api/v1/widget/events", &v.token).await,
            Some(first_id),
        )
        .await;
    let seen = stream
        .read_until(|seen| seen.matches("event: message.created").count() >= 3)
        .await;
    // The greeting reply, "thanks" and its reply, in order; not the first message itself.
    assert!(!seen.contains(&format!("id: {first_id}\n")), "{seen}");
    let position = |text: &str| {
        seen.find(text)
            .unwrap_or_else(|| panic!("no {text}: {seen}"))
    };
    let hi_reply = position("How can I help");
    let thanks = position("\"body\":\"thanks\"");
    let welcome = position("You're welcome");
    assert!(hi_reply < thanks && thanks < welcome, "{seen}");
}

#[tokio::test]
async fn a_resumed_session_names_the_open_ticket() {
    let app = TestApp::spawn().await;
    let site = site(&app, "standard", true).await;
    let v = session(&app, &site).await;
    assert_eq!(v.session["ticket"], Value::Null);
    say(&app, &v, "I need a refund").await;
    say(&app, &v, "lee@example.com").await;
    let resume = async || {
        app.post(
            "/api/v1/widget/sessions",
            None,
            json!({"widget_key": site.widget_key, "visitor_token": v.token, "page_url": "https://shop.example.com/"}),
        )
        .await
        .expect_status(StatusCode::CREATED)
    };
    let s = resume().await;
    assert_eq!(s["ticket"]["number"], "TKT-10001");
    sql(
        &app,
        "UPDATE tickets SET status = 'closed' WHERE workspace_id = $1::uuid",
        &site.ws,
    );
    let s = resume().await;
    assert_eq!(s["ticket"], Value::Null);
}

#[tokio::test]
async fn racing_messages_never_open_a_second_ticket_in_one_conversation() {
    let app = TestApp::spawn().await;
    let site = site(&app, "standard", true).await;
    let v = session(&app, &site).await;
    say(&app, &v, "I want a refund").await;
    // The visitor double-submits the email.
    let (a, b) = tokio::join!(
        say(&app, &v, "ray@example.com"),
        say(&app, &v, "ray@example.com")
    );
    let numbers: Vec<&str> = [&a, &b]
        .iter()
        .filter_map(|x| x["ticket"]["number"].as_str())
        .collect();
    assert_eq!(numbers, vec!["TKT-10001", "TKT-10001"], "{a}\n{b}");
    assert_eq!(tickets(&app, &site.ws).len(), 1);
}

#[tokio::test]
async fn tsquery_syntax_in_visitor_text_is_harmless() {
    let app = TestApp::spawn().await;
    let site = site(&app, "standard", true).await;
    add_article(
        &app,
        &site,
        "Shipping times",
        "Standard shipping takes 3-5 business days.",
    )
    .await;
    let v = session(&app, &site).await;
    for text in [
        "shipping & | ! :* ( ) <-> 'quoted' \\",
        "!!!",
        "'); DROP TABLE articles; --",
        "shipping:*",
    ] {
        let (status, body) = app
            .post(
                "/api/v1/widget/messages",
                Some(&v.token),
                json!({"body": text}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{text}: {body}");
    }
    let (status, _) = app
        .get(
            &format!(
                "/api/v1/workspaces/{}/articles?q=%27%29%3A*%20%26%20%21",
                site.ws
            ),
            Some(&site.owner_token),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn after_the_handoff_questions_are_answered_details_acknowledged_once_and_thanks_reopen_nothing()
 {
    let app = TestApp::spawn().await;
    let site = site(&app, "standard", true).await;
    add_article(
        &app,
        &site,
        "Shipping times",
        "Standard shipping takes 3-5 business days.",
    )
    .await;
    let v = session(&app, &site).await;
    say(&app, &v, "My parcel never arrived").await;
    let created = say(&app, &v, "sam@example.com").await;
    let ticket = format!(
        "/api/v1/workspaces/{}/tickets/{}",
        site.ws,
        str_at(&created, "/ticket/id")
    );
    // An answerable question is answered while the ticket is open.
    let a = say(&app, &v, "How long does shipping take?").await;
    assert!(reply_text(&a).contains("3-5 business days"), "{a}");
    // Details: the first is acknowledged, the rest of the burst goes in quietly.
    let a = say(&app, &v, "It was order 5512").await;
    assert_eq!(replies(&a).len(), 1, "{a}");
    assert!(
        reply_text(&a).contains("added this to your ticket TKT-10001"),
        "{a}"
    );
    let a = say(&app, &v, "the parcel was a blue box").await;
    assert!(replies(&a).is_empty(), "{a}");
    // Once the team writes, the next detail is acknowledged again.
    app.post(
        &format!("{ticket}/replies"),
        Some(&site.owner_token),
        json!({"body": "We are checking with the carrier."}),
    )
    .await
    .expect_status(StatusCode::CREATED);
    let a = say(&app, &v, "it was sent to Berlin").await;
    assert_eq!(replies(&a).len(), 1, "{a}");

    // Resolved: thanks and goodbye keep it resolved; a new problem reopens it.
    app.post(
        &format!("{ticket}/status"),
        Some(&site.owner_token),
        json!({"status": "resolved"}),
    )
    .await
    .expect_status(StatusCode::OK);
    for text in ["thanks, bye", "thank you!"] {
        let a = say(&app, &v, text).await;
        assert!(!reply_text(&a).contains("reopened"), "{text}: {a}");
        assert_eq!(tickets(&app, &site.ws)[0].status, "resolved", "{text}");
    }
    let a = say(&app, &v, "The parcel came but the item inside is broken").await;
    assert!(reply_text(&a).contains("reopened"), "{a}");
    assert_eq!(tickets(&app, &site.ws)[0].status, "open");
}

/// Sends a message with an `Idempotency-Key`; returns the status and body.
async fn say_keyed(app: &TestApp, v: &Visitor, key: &str, text: &str) -> (StatusCode, Value) {
    let resp = app
        .client
        .post(app.url("/api/v1/widget/messages"))
        .bearer_auth(&v.token)
        .header("Idempotency-Key", key)
        .json(&json!({"body": text}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST /widget/messages: {e}"));
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// How many messages of `sender` with `body` the visitor's conversation holds.
fn stored(app: &TestApp, v: &Visitor, sender: &str, body: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let n: N = diesel::sql_query(
        "SELECT count(*) AS n FROM messages
          WHERE conversation_id = $1::uuid AND sender::text = $2 AND body = $3",
    )
    .bind::<Text, _>(str_at(&v.session, "conversation_id"))
    .bind::<Text, _>(sender)
    .bind::<Text, _>(body)
    .get_result(&mut app.db())
    .unwrap_or_else(|e| panic!("counting messages: {e}"));
    n.n
}

#[tokio::test]
async fn a_retry_with_the_same_idempotency_key_returns_the_first_answer_and_stores_once() {
    let app = TestApp::spawn().await;
    let s = site(&app, "standard", false).await;
    let v = session(&app, &s).await;
    let text = "Do you ship to Norway?";
    let (status, first) = say_keyed(&app, &v, "msg-1", text).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert!(!replies(&first).is_empty(), "{first}");
    // The response was lost; the widget retries with the same key.
    let (status, again) = say_keyed(&app, &v, "msg-1", text).await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    assert_eq!(again, first, "the retry gets the first answer");
    assert_eq!(stored(&app, &v, "visitor", text), 1, "stored once");
    let (_, list) = app.get("/api/v1/widget/messages", Some(&v.token)).await;
    assert_eq!(
        array_at(&list, "items").len(),
        array_at(&first, "messages").len(),
        "no second answer either: {list}"
    );

    // The same key for another message is refused, and stores nothing.
    let (status, body) = say_keyed(&app, &v, "msg-1", "Something else").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "idempotency_key_reused");
    assert_eq!(stored(&app, &v, "visitor", "Something else"), 0);

    // Keys are the visitor's own: another visitor's "msg-1" is another message.
    let other = session(&app, &s).await;
    let (status, theirs) = say_keyed(&app, &other, "msg-1", text).await;
    assert_eq!(status, StatusCode::CREATED, "{theirs}");
    assert_ne!(theirs["messages"][0]["id"], first["messages"][0]["id"]);

    // Malformed keys are refused.
    for bad in ["", " ", "ключ", &"k".repeat(256)] {
        let (status, body) = say_keyed(&app, &v, bad, "Hello").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}: {body}");
    }
    assert_eq!(stored(&app, &v, "visitor", "Hello"), 0);
}

/// A turn whose process died after storing the visitor's message (the key holds the
/// message, no answer): the retry answers that message without storing it again. While a
/// turn still holds the key, a retry is told to wait.
#[tokio::test]
async fn a_retry_after_an_interrupted_turn_answers_the_stored_message_once() {
    let app = TestApp::spawn().await;
    let s = site(&app, "standard", false).await;
    let v = session(&app, &s).await;
    let conv = str_at(&v.session, "conversation_id").to_string();
    let text = "What are your opening hours?";
    let interrupted = |key: &str, lapsed: bool| {
        format!(
            "WITH m AS (
                 INSERT INTO messages (id, workspace_id, conversation_id, sender, body)
                 SELECT gen_random_uuid(), workspace_id, id, 'visitor', '{text}'
                   FROM conversations WHERE id = $1::uuid
                 RETURNING id, workspace_id, conversation_id)
             INSERT INTO widget_message_keys (conversation_id, visitor_id, idempotency_key,
                 workspace_id, body_sha256, message_id, locked_until)
             SELECT m.conversation_id, c.visitor_id, '{key}', m.workspace_id,
                    encode(sha256(convert_to('{text}', 'UTF8')), 'hex'), m.id,
                    now() {} interval '1 minute'
               FROM m JOIN conversations c ON c.id = m.conversation_id",
            if lapsed { "-" } else { "+" }
        )
    };
    sql(&app, &interrupted("crashed", true), &conv);
    let (status, answer) = say_keyed(&app, &v, "crashed", text).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert!(!replies(&answer).is_empty(), "answered: {answer}");
    assert_eq!(answer["messages"][0]["body"], text);
    assert_eq!(stored(&app, &v, "visitor", text), 1, "not stored twice");
    let (status, again) = say_keyed(&app, &v, "crashed", text).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(again, answer);

    // A turn in progress holds its key: a concurrent retry stores nothing and waits.
    sql(&app, &interrupted("busy", false), &conv);
    let (status, body) = say_keyed(&app, &v, "busy", text).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "idempotency_in_progress");
    assert_eq!(stored(&app, &v, "visitor", text), 2);
}

async fn session_in(app: &TestApp, site: &Site, locale: &str) -> Visitor {
    let s = app
        .post(
            "/api/v1/widget/sessions",
            None,
            json!({"widget_key": site.widget_key, "page_url": "https://shop.example.com/", "locale": locale}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    Visitor {
        token: str_at(&s, "visitor_token").to_string(),
        session: s,
    }
}

#[tokio::test]
async fn the_widget_speaks_the_browsers_language_else_the_workspaces_and_replies_follow_the_visitor()
 {
    let app = TestApp::spawn().await;
    let site = site(&app, "standard", true).await;
    let ws_path = format!("/api/v1/workspaces/{}", site.ws);
    // The default language: one of the six, set by owners and admins.
    for bad in [json!("it"), json!("EN"), json!(7)] {
        let (status, body) = app
            .patch(
                &ws_path,
                Some(&site.owner_token),
                json!({"default_language": bad}),
            )
            .await;
        assert!(
            status.is_client_error() && status != StatusCode::NOT_FOUND,
            "{bad}: {status} {body}"
        );
        assert!(body["error"]["message"].is_string(), "{body}");
    }
    let ws = app
        .patch(
            &ws_path,
            Some(&site.owner_token),
            json!({"default_language": "pt"}),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(ws["default_language"], "pt");

    let pt_br = session_in(&app, &site, "pt-BR").await;
    assert_eq!(pt_br.session["language"], "pt");
    assert_eq!(pt_br.session["config"]["default_language"], "pt");
    let nl = session_in(&app, &site, "nl").await;
    assert_eq!(nl.session["language"], "nl");
    // A language the widget doesn't speak: the workspace's.
    let it = session_in(&app, &site, "it-IT").await;
    assert_eq!(it.session["language"], "pt");

    // The Dutch visitor asks for a person in Dutch: the offer is Dutch; a short "ja"
    // keeps Dutch; the ticket is opened in Dutch and says so.
    let a = say(
        &app,
        &nl,
        "Ik wil graag met een medewerker praten over mijn bestelling",
    )
    .await;
    assert_eq!(a["messages"][0]["language"], "nl", "{a}");
    assert!(reply_text(&a).ends_with("Wat is je e-mailadres?"), "{a}");
    let a = say(&app, &nl, "daan@example.nl").await;
    assert!(
        reply_text(&a).starts_with("Klaar! Ik heb ticket TKT-"),
        "{a}"
    );
    let number = str_at(&a, "/ticket/number").to_string();
    let t = app
        .get(
            &format!("/api/v1/workspaces/{}/tickets/{number}", site.ws),
            Some(&site.owner_token),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(t["ticket"]["language"], "nl", "{t}");
    let a = say(&app, &nl, "bedankt").await;
    assert_eq!(
        reply_text(&a),
        format!("Graag gedaan! Ons team reageert hier op ticket {number}.")
    );

    // The Italian-browser visitor (widget in Portuguese) writes English: English replies.
    let a = say(&app, &it, "Can I talk to a person please?").await;
    assert_eq!(a["messages"][0]["language"], "en", "{a}");
    assert!(
        reply_text(&a).starts_with("Of course, I can pass this on to our team."),
        "{a}"
    );
    // Spanish: the offer in Spanish, a decline understood.
    let es = session_in(&app, &site, "en-US").await;
    let a = say(&app, &es, "Quiero hablar con una persona sobre mi pedido").await;
    assert_eq!(a["messages"][0]["language"], "es", "{a}");
    let a = say(&app, &es, "No, gracias").await;
    assert_eq!(
        reply_text(&a),
        "No hay problema, no abriré ningún ticket. ¿Puedo ayudarle en algo más?"
    );
}
