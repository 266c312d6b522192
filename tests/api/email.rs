//! Email both ways (issue 12): ticket mail as a mail client sees it (the workspace's
//! sender, the reply address, Message-ID / In-Reply-To / References threading, text and
//! HTML), and the visitor's answer coming back through the built-in SMTP listener (sent
//! with a real SMTP client, lettre) and through `POST /api/v1/inbound/email`: once per
//! Message-ID, into the right ticket, reopening it, live in the widget; forged, expired and
//! closed reply addresses bounce; an out-of-office reopens nothing.

use std::time::Duration;

use handoff_tests::smtp::{ReceivedMail, SmtpServer};
use handoff_tests::{ExpectStatus, TestApp, User, array_at, id_of, str_at};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use reqwest::StatusCode;
use serde_json::{Value, json};

const DOMAIN: &str = "reply.acme.test";
const SECRET: &str = "inbound-secret-0123456789abcdef";
/// The harness's JWT_SECRET (reply tokens and Message-IDs are derived from it).
const JWT_SECRET: &str = "MFOmNW3Ay2X+A7rntkkCVqiSCxyevE6+XmVPUdtnosc=";
const VISITOR: &str = "jane@example.com";
const MAX_BYTES: usize = 64 * 1024;

struct Mail {
    app: TestApp,
    smtp: SmtpServer,
    owner: User,
    ws: String,
    widget_key: String,
    /// The built-in listener's port.
    inbound_port: u16,
}

fn free_port() -> u16 {
    match std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()) {
        Ok(a) => a.port(),
        Err(e) => panic!("free port: {e}"),
    }
}

fn config() -> handoff::config::Config {
    let vars = [
        ("DATABASE_URL", "postgres://unused/unused"),
        ("JWT_SECRET", JWT_SECRET),
        ("INBOUND_DOMAIN", DOMAIN),
        ("MAIL_FROM", "Handoff <no-reply@handoff.test>"),
    ];
    match handoff::config::Config::from_lookup(|k| {
        vars.iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.to_string())
    }) {
        Ok(c) => c,
        Err(e) => panic!("config: {e}"),
    }
}

/// A Pro workspace with tickets and replies by email on, its sender set; outgoing mail to
/// a recording SMTP server, the inbound listener on a port of its own.
async fn setup_on(plan: &str) -> Mail {
    let smtp = SmtpServer::start().await;
    let inbound_port = free_port();
    let app = TestApp::builder()
        .env("SMTP_URL", smtp.url())
        .env("MAIL_FROM", "Handoff <no-reply@handoff.test>")
        .env("INBOUND_DOMAIN", DOMAIN)
        .env("INBOUND_WEBHOOK_SECRET", SECRET)
        .env("INBOUND_SMTP_BIND", format!("127.0.0.1:{inbound_port}"))
        .env("INBOUND_MAX_BYTES", MAX_BYTES.to_string())
        .spawn()
        .await;
    let owner = app.register_user("Sam Agent").await;
    let ws = app.create_workspace(&owner.token, plan).await;
    let id = id_of(&ws);
    let mut settings = json!({
        "enabled": true,
        "notification_email": "team@acme.test",
        "sender_name": "Acme Support",
        "sender_address": "support@acme.test",
    });
    if plan == "pro" {
        settings["email_replies"] = json!(true);
    }
    let body = app
        .put(
            &format!("/api/v1/workspaces/{id}/ticket-settings"),
            Some(&owner.token),
            settings,
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(body["sender"], "Acme Support <support@acme.test>", "{body}");
    Mail {
        widget_key: str_at(&ws, "widget_key").to_string(),
        app,
        smtp,
        owner,
        ws: id,
        inbound_port,
    }
}

impl Mail {
    fn path(&self, rest: &str) -> String {
        format!("/api/v1/workspaces/{}{rest}", self.ws)
    }

    /// A widget visitor with a ticket on their conversation: (visitor token, ticket).
    async fn visitor_with_ticket(&self) -> (String, Value) {
        let session = self
            .app
            .post(
                "/api/v1/widget/sessions",
                None,
                json!({"widget_key": self.widget_key, "page_url": "https://shop.acme.test/"}),
            )
            .await
            .expect_status(StatusCode::CREATED);
        let ticket = self
            .app
            .post(
                &self.path("/tickets"),
                Some(&self.owner.token),
                json!({"visitor_email": VISITOR, "summary": "Refund for order 1234", "conversation_id": session["conversation_id"]}),
            )
            .await
            .expect_status(StatusCode::CREATED);
        (str_at(&session, "visitor_token").to_string(), ticket)
    }

    /// The owner replies with a copy by email; returns the mail as received.
    async fn reply_by_mail(&self, ticket: &str, body: &str, nth: usize) -> ReceivedMail {
        self.app
            .post(
                &self.path(&format!("/tickets/{ticket}/replies")),
                Some(&self.owner.token),
                json!({"body": body, "email_visitor": true}),
            )
            .await
            .expect_status(StatusCode::CREATED);
        let mails = self.wait_for_mails_to(VISITOR, nth).await;
        mails[nth - 1].clone()
    }

    async fn wait_for_mails_to(&self, to: &str, n: usize) -> Vec<ReceivedMail> {
        handoff_tests::eventually(
            &format!("{n} mails to {to}"),
            handoff_tests::WAIT,
            async || {
                let got = self.smtp.messages_to(to);
                if got.len() >= n {
                    Ok(got)
                } else {
                    Err(format!("{} mails", got.len()))
                }
            },
        )
        .await
    }

    async fn detail(&self, ticket: &str) -> Value {
        self.app
            .get(
                &self.path(&format!("/tickets/{ticket}")),
                Some(&self.owner.token),
            )
            .await
            .expect_status(StatusCode::OK)
    }

    async fn set_status(&self, ticket: &str, status: &str) {
        self.app
            .post(
                &self.path(&format!("/tickets/{ticket}/status")),
                Some(&self.owner.token),
                json!({"status": status}),
            )
            .await
            .expect_status(StatusCode::OK);
    }

    fn smtp_client(&self) -> AsyncSmtpTransport<Tokio1Executor> {
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
            .port(self.inbound_port)
            .timeout(Some(Duration::from_secs(20)))
            .build()
    }

    /// Sends `raw` to `to` through the inbound listener with lettre.
    async fn send_smtp(
        &self,
        from: &str,
        to: &str,
        raw: &[u8],
    ) -> Result<lettre::transport::smtp::response::Response, lettre::transport::smtp::Error> {
        let envelope = match lettre::address::Envelope::new(
            Some(from.parse().unwrap_or_else(|e| panic!("from: {e}"))),
            vec![to.parse().unwrap_or_else(|e| panic!("to: {e}"))],
        ) {
            Ok(e) => e,
            Err(e) => panic!("envelope: {e}"),
        };
        self.smtp_client().send_raw(&envelope, raw).await
    }

    async fn post_http(&self, raw: &[u8], secret: &str, content_type: &str) -> (StatusCode, Value) {
        let resp = self
            .app
            .client
            .post(self.app.url("/api/v1/inbound/email"))
            .bearer_auth(secret)
            .header("content-type", content_type)
            .body(raw.to_vec())
            .send()
            .await
            .unwrap_or_else(|e| panic!("inbound post: {e}"));
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }
}

/// The mail as a mail client reads it.
struct Parsed {
    from: String,
    reply_to: Option<String>,
    message_id: String,
    in_reply_to: Vec<String>,
    references: Vec<String>,
    text: String,
    html: String,
}

fn parse(mail: &ReceivedMail) -> Parsed {
    let Some(m) = mail_parser::MessageParser::default().parse(mail.data.as_bytes()) else {
        panic!("not a message: {}", mail.data)
    };
    let mailbox = |a: Option<&mail_parser::Address<'_>>| {
        a.and_then(|a| a.first()).map(|a| {
            format!(
                "{} <{}>",
                a.name().unwrap_or_default(),
                a.address().unwrap_or_default()
            )
        })
    };
    let ids = |v: &mail_parser::HeaderValue<'_>| -> Vec<String> {
        match v {
            mail_parser::HeaderValue::Text(t) => vec![format!("<{t}>")],
            mail_parser::HeaderValue::TextList(l) => l.iter().map(|t| format!("<{t}>")).collect(),
            _ => vec![],
        }
    };
    Parsed {
        from: mailbox(m.from()).unwrap_or_default(),
        reply_to: m
            .reply_to()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .map(str::to_string),
        message_id: format!("<{}>", m.message_id().unwrap_or_default()),
        in_reply_to: ids(m.in_reply_to()),
        references: ids(m.references()),
        text: m.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
        html: m.body_html(0).map(|t| t.into_owned()).unwrap_or_default(),
    }
}

/// A Gmail-style answer to `parent` (a mail of the ticket), quoting it.
fn visitor_reply(from: &str, to: &str, message_id: &str, parent: &str, text: &str) -> Vec<u8> {
    format!(
        "From: Jane Visitor <{from}>\r\nTo: Acme Support <{to}>\r\nSubject: Re: your request TKT-10001 to Acme\r\n\
Message-ID: {message_id}\r\nIn-Reply-To: {parent}\r\nReferences: {parent}\r\nMIME-Version: 1.0\r\n\
Content-Type: text/plain; charset=\"UTF-8\"\r\n\r\n{text}\r\n\r\n\
On Tue, Dec 1, 2026 at 10:00 AM Acme Support <{to}> wrote:\r\n\r\n> ##- Please type your reply above this line -##\r\n\
> Sam Agent from Acme replied to your request TKT-10001:\r\n> We are looking into it.\r\n"
    )
    .into_bytes()
}

fn reply_address_of(mail: &ReceivedMail) -> String {
    match parse(mail).reply_to {
        Some(a) => a,
        None => panic!("no Reply-To in {}", mail.data),
    }
}

fn email_messages(detail: &Value) -> Vec<Value> {
    array_at(detail, "messages")
        .iter()
        .filter(|m| m["channel"] == "email")
        .cloned()
        .collect()
}

#[tokio::test]
async fn ticket_mail_threads_and_routes_replies_as_a_mail_client_sees_it() {
    let s = setup_on("pro").await;
    let (_, t) = s.visitor_with_ticket().await;
    let ticket = id_of(&t);
    let first = s
        .reply_by_mail(&ticket, "We refunded <b>order 1234</b> & more.", 1)
        .await;
    let second = s.reply_by_mail(&ticket, "Anything else?", 2).await;
    let (a, b) = (parse(&first), parse(&second));

    for p in [&a, &b] {
        assert_eq!(p.from, "Acme Support <support@acme.test>");
        let reply_to = p.reply_to.clone().unwrap_or_default();
        let token = reply_to
            .strip_prefix("reply+")
            .and_then(|r| r.strip_suffix(&format!("@{DOMAIN}")))
            .unwrap_or_else(|| panic!("a reply address: {reply_to}"));
        assert_eq!(token.len(), 48, "{token}");
        assert!(
            p.message_id.ends_with(&format!("@{DOMAIN}>")),
            "{}",
            p.message_id
        );
        assert!(p.text.contains("Reply to this email"), "{}", p.text);
    }
    // The token is bound to the ticket.
    let token = a.reply_to.clone().unwrap_or_default();
    let token = token
        .trim_start_matches("reply+")
        .trim_end_matches(&format!("@{DOMAIN}"));
    let claims = handoff::auth::tokens::verify_reply_token(&config(), token)
        .unwrap_or_else(|e| panic!("verify: {e}"))
        .unwrap_or_else(|| panic!("a valid token"));
    assert_eq!(claims.ticket_id.to_string(), ticket);
    // Threading: the second answers the first, and references it.
    assert_ne!(a.message_id, b.message_id);
    assert!(a.in_reply_to.is_empty(), "{:?}", a.in_reply_to);
    assert_eq!(b.in_reply_to, vec![a.message_id.clone()]);
    assert_eq!(b.references, vec![a.message_id.clone()]);
    // Text and HTML; the visitor-facing HTML escapes the reply.
    assert!(
        a.text.contains("We refunded <b>order 1234</b> & more."),
        "{}",
        a.text
    );
    assert!(
        a.html
            .contains("We refunded &lt;b&gt;order 1234&lt;/b&gt; &amp; more."),
        "{}",
        a.html
    );
    assert!(first.data.contains("multipart/alternative"));
    // The Message-ID is the outbox job's: the same on every attempt of that job.
    let jobs = s.app.email_jobs_to(VISITOR);
    assert_eq!(jobs.len(), 2);
    for (job, p) in jobs.iter().zip([&a, &b]) {
        let id = handoff::mail::message_id(&config(), job.id).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(id, p.message_id);
    }

    // The visitor's answer joins the thread: the next mail answers it.
    let raw = visitor_reply(
        VISITOR,
        &reply_address_of(&second),
        "<v1@mail.example.com>",
        &b.message_id,
        "Yes, one more thing.",
    );
    let (status, body) = s.post_http(&raw, SECRET, "message/rfc822").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let third = parse(&s.reply_by_mail(&ticket, "Sure.", 3).await);
    assert_eq!(third.in_reply_to, vec!["<v1@mail.example.com>".to_string()]);
    assert_eq!(
        third.references,
        vec![
            a.message_id.clone(),
            b.message_id.clone(),
            "<v1@mail.example.com>".to_string()
        ]
    );
}

#[tokio::test]
async fn a_reply_by_smtp_and_by_http_lands_once_reopens_and_reaches_the_widget() {
    let s = setup_on("pro").await;
    let (visitor_token, t) = s.visitor_with_ticket().await;
    let ticket = id_of(&t);
    let mail = s.reply_by_mail(&ticket, "We refunded you.", 1).await;
    let reply_to = reply_address_of(&mail);
    // Assigned to Sam, who wants mail at once: the reply is for Sam.
    s.app
        .post(
            &s.path(&format!("/tickets/{ticket}/assign")),
            Some(&s.owner.token),
            json!({"assignee_id": s.owner.id}),
        )
        .await
        .expect_status(StatusCode::OK);
    s.app
        .put(
            &s.path("/notification-preferences"),
            Some(&s.owner.token),
            json!({"email": "immediately", "delay_minutes": 15}),
        )
        .await
        .expect_status(StatusCode::OK);
    s.set_status(&ticket, "resolved").await;
    let mut widget = s
        .app
        .event_stream(
            &s.app
                .stream_url("/api/v1/widget/events", &visitor_token)
                .await,
            None,
        )
        .await;

    let raw = visitor_reply(
        VISITOR,
        &reply_to,
        "<CAF-1@mail.gmail.com>",
        &parse(&mail).message_id,
        "The refund has not arrived yet.\r\nCan you check?",
    );
    let sent = s
        .send_smtp(VISITOR, &reply_to, &raw)
        .await
        .unwrap_or_else(|e| panic!("the listener refused the reply: {e}"));
    assert_eq!(sent.code().to_string(), "250");
    assert!(
        sent.message().any(|l| l.contains("Delivered to TKT-10001")),
        "{:?}",
        sent.message().collect::<Vec<_>>()
    );

    // Live in the widget, as the visitor's own message, on channel email.
    let event = widget
        .next_event(|e| e.name == "message.created" && e.data["channel"] == "email")
        .await;
    assert_eq!(
        event.data["body"],
        "The refund has not arrived yet.\nCan you check?"
    );
    assert_eq!(event.data["sender"], "visitor");

    // The resolved ticket reopened; one email message, with its sender.
    let detail = s.detail(&ticket).await;
    assert_eq!(detail["ticket"]["status"], "open", "{detail}");
    let emails = email_messages(&detail);
    assert_eq!(emails.len(), 1, "{detail}");
    assert_eq!(emails[0]["email"]["from"], VISITOR);
    assert_eq!(emails[0]["email"]["foreign_sender"], false);
    assert!(
        array_at(&detail, "events")
            .iter()
            .any(|e| e["kind"] == "reopened"),
        "{detail}"
    );

    // The assignee is told: unread in the dashboard, and the reminder mail at once.
    assert_eq!(detail["ticket"]["unread_count"], 1, "{detail}");
    handoff_tests::eventually(
        "the assignee's reminder mail",
        std::time::Duration::from_secs(30),
        async || {
            let subjects: Vec<String> = s
                .smtp
                .messages_to(&s.owner.email)
                .iter()
                .map(|m| m.subject())
                .collect();
            if subjects
                .iter()
                .any(|t| t.contains("wrote in ticket TKT-10001"))
            {
                Ok(())
            } else {
                Err(format!("{subjects:?}"))
            }
        },
    )
    .await;

    // The same message again over HTTP (a provider forwarding it too): lands once.
    let (status, body) = s.post_http(&raw, SECRET, "message/rfc822").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["result"], "duplicate");
    assert_eq!(body["ticket_number"], "TKT-10001");
    assert_eq!(body["message_id"], emails[0]["id"]);
    // And over SMTP again.
    let again = s
        .send_smtp(VISITOR, &reply_to, &raw)
        .await
        .unwrap_or_else(|e| panic!("second delivery: {e}"));
    assert_eq!(again.code().to_string(), "250");
    assert_eq!(email_messages(&s.detail(&ticket).await).len(), 1);

    // The widget's history has it too.
    let (status, history) = s
        .app
        .get("/api/v1/widget/messages", Some(&visitor_token))
        .await;
    assert_eq!(status, StatusCode::OK, "{history}");
    let in_widget: Vec<&Value> = array_at(&history, "items")
        .iter()
        .filter(|m| m["channel"] == "email")
        .collect();
    assert_eq!(in_widget.len(), 1, "{history}");

    // A new reply over HTTP (another Message-ID) is a second message.
    let raw2 = visitor_reply(
        VISITOR,
        &reply_to,
        "<CAF-2@mail.gmail.com>",
        "<CAF-1@mail.gmail.com>",
        "Found it, thanks!",
    );
    let (status, body) = s
        .post_http(&raw2, SECRET, "message/rfc822; charset=utf-8")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["result"], "appended");
    assert_eq!(body["reopened"], false);
    let emails = email_messages(&s.detail(&ticket).await);
    assert_eq!(emails.len(), 2);
    assert_eq!(emails[1]["body"], "Found it, thanks!");
}

#[tokio::test]
async fn forged_expired_and_closed_reply_addresses_bounce() {
    let s = setup_on("pro").await;
    let (_, t) = s.visitor_with_ticket().await;
    let ticket = id_of(&t);
    let mail = s.reply_by_mail(&ticket, "We refunded you.", 1).await;
    let good = reply_address_of(&mail);
    let parent = parse(&mail).message_id;

    // Forged: one character of the token changed; a made-up one; another local part; a
    // relay attempt. Each refused at RCPT with 550 and a sentence.
    let token = good
        .trim_start_matches("reply+")
        .trim_end_matches(&format!("@{DOMAIN}"));
    let mut forged = token.to_string().into_bytes();
    forged[10] = if forged[10] == b'a' { b'b' } else { b'a' };
    let forged = format!(
        "reply+{}@{DOMAIN}",
        String::from_utf8(forged).unwrap_or_default()
    );
    for to in [
        forged.clone(),
        format!("reply+{}@{DOMAIN}", "a".repeat(48)),
        format!("support@{DOMAIN}"),
        "someone@gmail.com".to_string(),
    ] {
        let raw = visitor_reply(VISITOR, &to, "<f@x.test>", &parent, "Hi");
        match s.send_smtp(VISITOR, &to, &raw).await {
            Ok(r) => panic!("{to} was accepted: {r:?}"),
            Err(e) => {
                assert!(e.is_permanent(), "{to}: {e}");
                let text = e.to_string();
                assert!(
                    text.contains("550") || text.contains("not a reply address"),
                    "{to}: {text}"
                );
                assert!(text.contains("not a reply address"), "{to}: {text}");
            }
        }
    }
    // Over HTTP: 404, and no bounce mail (nobody makes Handoff mail a third party).
    let raw = visitor_reply(VISITOR, &forged, "<f2@x.test>", &parent, "Hi");
    let (status, body) = s.post_http(&raw, SECRET, "message/rfc822").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"]["code"], "unknown_reply_address");

    // Expired: a genuine token issued longer ago than INBOUND_REPLY_TTL_DAYS (90).
    let old_day = chrono::Utc::now().date_naive() - chrono::Duration::days(120);
    let ticket_id = ticket.parse().unwrap_or_else(|e| panic!("{e}"));
    let expired = format!(
        "reply+{}@{DOMAIN}",
        handoff::auth::tokens::reply_token(&config(), ticket_id, old_day)
            .unwrap_or_else(|e| panic!("{e}"))
    );
    let raw = visitor_reply(VISITOR, &expired, "<e1@x.test>", &parent, "Late answer");
    match s.send_smtp(VISITOR, &expired, &raw).await {
        Ok(r) => panic!("an expired address was accepted: {r:?}"),
        Err(e) => assert!(e.to_string().contains("expired"), "{e}"),
    }
    let (status, body) = s.post_http(&raw, SECRET, "message/rfc822").await;
    assert_eq!(status, StatusCode::GONE, "{body}");
    assert_eq!(body["error"]["code"], "reply_address_expired");
    // Over HTTP the sender is told by mail (the provider that accepted it tells nobody).
    let bounces = s.wait_for_mails_to(VISITOR, 2).await;
    let bounce = &bounces[1];
    assert!(
        bounce.subject().starts_with("Not delivered"),
        "{}",
        bounce.subject()
    );
    assert!(bounce.text().contains("expired"), "{}", bounce.text());
    assert_eq!(
        bounce.header("Auto-Submitted").as_deref(),
        Some("auto-replied")
    );
    assert!(email_messages(&s.detail(&ticket).await).is_empty());

    // Closed: the still-valid address now bounces with the reason.
    s.set_status(&ticket, "closed").await;
    let raw = visitor_reply(VISITOR, &good, "<c1@x.test>", &parent, "Hello?");
    match s.send_smtp(VISITOR, &good, &raw).await {
        Ok(r) => panic!("a closed ticket's address was accepted: {r:?}"),
        Err(e) => assert!(e.to_string().contains("closed"), "{e}"),
    }
    assert!(email_messages(&s.detail(&ticket).await).is_empty());
}

#[tokio::test]
async fn the_http_endpoint_checks_its_secret_type_and_size_and_smtp_its_size() {
    let s = setup_on("pro").await;
    let (_, t) = s.visitor_with_ticket().await;
    let mail = s.reply_by_mail(&id_of(&t), "Hello", 1).await;
    let to = reply_address_of(&mail);
    let raw = visitor_reply(VISITOR, &to, "<s1@x.test>", "<p@x>", "Hi");
    let (status, body) = s
        .post_http(&raw, "wrong-secret-wrong-secret", "message/rfc822")
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, body) = s.post_http(&raw, SECRET, "application/json").await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
    assert_eq!(body["error"]["code"], "unsupported_media_type");
    let (status, body) = s
        .post_http(b"this is not a mail", SECRET, "message/rfc822")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let big = visitor_reply(VISITOR, &to, "<s2@x.test>", "<p@x>", &"x".repeat(MAX_BYTES));
    let (status, body) = s.post_http(&big, SECRET, "message/rfc822").await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    // HTTP Basic with the secret as password works (providers put it in the URL).
    let resp = s
        .app
        .client
        .post(s.app.url("/api/v1/inbound/email"))
        .basic_auth("sendgrid", Some(SECRET))
        .header("content-type", "message/rfc822")
        .body(raw.clone())
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(resp.status(), StatusCode::OK);
    // Over SMTP, a message over INBOUND_MAX_BYTES is refused at the end of DATA.
    let long_lines = "y".repeat(900) + "\r\n";
    let big = visitor_reply(
        VISITOR,
        &to,
        "<s3@x.test>",
        "<p@x>",
        &long_lines.repeat(MAX_BYTES / 900 + 2),
    );
    match s.send_smtp(VISITOR, &to, &big).await {
        Ok(r) => panic!("an oversized message was accepted: {r:?}"),
        Err(e) => assert!(e.to_string().contains("too big"), "{e}"),
    }
}

#[tokio::test]
async fn an_out_of_office_is_recorded_but_does_not_reopen() {
    let s = setup_on("pro").await;
    let (_, t) = s.visitor_with_ticket().await;
    let ticket = id_of(&t);
    let mail = s.reply_by_mail(&ticket, "We refunded you.", 1).await;
    let to = reply_address_of(&mail);
    s.set_status(&ticket, "resolved").await;
    let raw = format!(
        "From: {VISITOR}\r\nTo: {to}\r\nSubject: Automatic reply: your request TKT-10001 to Acme\r\n\
Message-ID: <ooo-1@example.com>\r\nAuto-Submitted: auto-replied\r\nContent-Type: text/plain\r\n\r\n\
I am out of the office until Monday.\r\n"
    );
    let sent = s
        .send_smtp(VISITOR, &to, raw.as_bytes())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sent.code().to_string(), "250");
    // Over HTTP with only the subject to tell (no header): recorded as such too.
    let raw2 = format!(
        "From: {VISITOR}\r\nTo: {to}\r\nSubject: Out of Office: Re: your request\r\n\
Message-ID: <ooo-2@example.com>\r\n\r\nAway.\r\n"
    );
    let (status, body) = s.post_http(raw2.as_bytes(), SECRET, "message/rfc822").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["result"], "auto_reply");
    let detail = s.detail(&ticket).await;
    assert_eq!(detail["ticket"]["status"], "resolved", "{detail}");
    assert!(email_messages(&detail).is_empty(), "{detail}");
    let recorded: Vec<&Value> = array_at(&detail, "events")
        .iter()
        .filter(|e| e["kind"] == "email_auto_reply")
        .collect();
    assert_eq!(recorded.len(), 2, "{detail}");
    assert_eq!(recorded[0]["data"]["from"], VISITOR);
}

#[tokio::test]
async fn another_sender_is_accepted_marked_and_never_changes_the_visitor() {
    let s = setup_on("pro").await;
    let (_, t) = s.visitor_with_ticket().await;
    let ticket = id_of(&t);
    let mail = s.reply_by_mail(&ticket, "We refunded you.", 1).await;
    let to = reply_address_of(&mail);
    let raw = visitor_reply(
        "boss@other.test",
        &to,
        "<b1@other.test>",
        "<p@x>",
        "I am Jane's manager: please call me.",
    );
    let (status, body) = s.post_http(&raw, SECRET, "message/rfc822").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let detail = s.detail(&ticket).await;
    let emails = email_messages(&detail);
    assert_eq!(emails.len(), 1);
    assert_eq!(emails[0]["email"]["foreign_sender"], true);
    assert_eq!(emails[0]["email"]["from"], "boss@other.test");
    assert_eq!(emails[0]["author_name"], "boss@other.test");
    assert_eq!(detail["ticket"]["visitor_email"], VISITOR);
    assert_eq!(detail["visitor"]["email"], VISITOR, "{detail}");
}

#[tokio::test]
async fn standard_keeps_replies_in_the_widget() {
    let s = setup_on("standard").await;
    let (status, body) = s
        .app
        .put(
            &s.path("/ticket-settings"),
            Some(&s.owner.token),
            json!({"enabled": true, "notification_email": "team@acme.test", "email_replies": true}),
        )
        .await;
    assert_eq!(status, StatusCode::PAYMENT_REQUIRED, "{body}");
    assert_eq!(body["error"]["code"], "plan_required");
    let (_, t) = s.visitor_with_ticket().await;
    let mail = parse(&s.reply_by_mail(&id_of(&t), "We refunded you.", 1).await);
    assert_eq!(mail.from, "Acme Support <support@acme.test>");
    assert_eq!(mail.reply_to, None);
    assert!(!mail.text.contains("Reply to this email"), "{}", mail.text);
    assert!(
        mail.text.contains("continue the conversation in the chat"),
        "{}",
        mail.text
    );
    // Bad sender settings are refused.
    for bad in [
        json!({"enabled": true, "notification_email": "team@acme.test", "sender_address": "not an address"}),
        json!({"enabled": true, "notification_email": "team@acme.test", "sender_name": "Evil\r\nBcc: x@y.z"}),
        json!({"enabled": true, "notification_email": "team@acme.test", "sender_name": "x".repeat(81)}),
    ] {
        let (status, body) = s
            .app
            .put(&s.path("/ticket-settings"), Some(&s.owner.token), bad)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
}
