//! Notifications that reach the right person (issue 12, part 2): unread counts per ticket
//! and conversation for whom a visitor's message is for (the assignee, the team while the
//! ticket is unassigned, the agent who took the conversation over), bounded; read state
//! per user; the dashboard event says whom it is for; the reminder mail after a member's
//! delay (skipped when read meanwhile) or at once; the visitor's acknowledgement mail in the
//! ticket's thread; preferences with bad input; API keys and other workspaces.

use diesel::RunQueryDsl;
use handoff_tests::{ExpectStatus, TestApp, User, array_at, id_of, str_at};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::tickets::add_member_db;
use crate::widget::{Site, Visitor, say, session, site, sql};

pub(crate) struct Team {
    pub(crate) app: TestApp,
    pub(crate) site: Site,
    pub(crate) kim: User,
    pub(crate) v: Visitor,
    pub(crate) ticket: Value,
}

impl Team {
    pub(crate) fn path(&self, rest: &str) -> String {
        format!("/api/v1/workspaces/{}{rest}", self.site.ws)
    }
    pub(crate) fn number(&self) -> &str {
        str_at(&self.ticket, "number")
    }
    /// `unread_count` of the ticket in `token`'s list (`None`: absent).
    async fn unread_in_list(&self, token: &str) -> Option<i64> {
        let list = self
            .app
            .get(&self.path("/tickets"), Some(token))
            .await
            .expect_status(StatusCode::OK);
        let t = array_at(&list, "items")
            .iter()
            .find(|t| t["number"] == self.number())
            .cloned()
            .unwrap_or_else(|| panic!("{list}"));
        t.get("unread_count").and_then(Value::as_i64)
    }
    async fn unread_in_detail(&self, token: &str) -> Option<i64> {
        let d = self
            .app
            .get(
                &self.path(&format!("/tickets/{}", self.number())),
                Some(token),
            )
            .await
            .expect_status(StatusCode::OK);
        d["ticket"].get("unread_count").and_then(Value::as_i64)
    }
    pub(crate) async fn read(&self, token: &str, body: Value) -> (StatusCode, Value) {
        self.app
            .post(
                &self.path(&format!("/tickets/{}/read", self.number())),
                Some(token),
                body,
            )
            .await
    }
    /// A new API key of the workspace, named `name`.
    pub(crate) async fn api_key(&self, name: &str) -> String {
        let scopes: &[&str] = &["tickets:read", "tickets:write"];
        let site = &self.site;
        self.app
            .api_key(&site.owner_token, &site.ws, name, Some(scopes))
            .await
    }
    pub(crate) async fn prefs(&self, token: &str, body: Value) -> (StatusCode, Value) {
        self.app
            .put(&self.path("/notification-preferences"), Some(token), body)
            .await
    }
}

/// A Standard workspace with tickets, its owner and an agent (Kim), a widget visitor and an
/// unassigned ticket on the visitor's conversation.
pub(crate) async fn team_with(app: TestApp) -> Team {
    let site = site(&app, "standard", true).await;
    let kim = app.register_user("Kim").await;
    add_member_db(&app, &site.ws, &kim, "agent");
    let v = session(&app, &site).await;
    let ticket = app
        .post(
            &format!("/api/v1/workspaces/{}/tickets", site.ws),
            Some(&site.owner_token),
            json!({"visitor_email": "jane@example.com", "summary": "Refund for order 1234",
                   "conversation_id": v.session["conversation_id"]}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    Team {
        app,
        site,
        kim,
        v,
        ticket,
    }
}

/// The visitor's messages with this body, by id.
fn visitor_message_id(answer: &Value, body: &str) -> String {
    array_at(answer, "messages")
        .iter()
        .find(|m| m["sender"] == "visitor" && m["body"] == body)
        .map(id_of)
        .unwrap_or_else(|| panic!("{answer}"))
}

#[tokio::test]
async fn unread_counts_reach_the_team_then_the_assignee_and_reading_clears_them() {
    let t = team_with(TestApp::spawn().await).await;
    let owner = t.site.owner_token.clone();
    // A new ticket has nothing unread: the messages before it are what it was made of.
    assert_eq!(t.unread_in_list(&owner).await, Some(0));

    // Unassigned: the visitor's message is for the whole team, and the dashboard's live
    // event says so.
    let url = t.app.stream_url(&t.path("/events"), &t.kim.token).await;
    let mut stream = t.app.event_stream(&url, None).await;
    let first = say(&t.app, &t.v, "Any news on my refund?").await;
    let ev = stream
        .next_event(|e| e.name == "message.created" && e.data["message"]["sender"] == "visitor")
        .await;
    assert_eq!(
        ev.data["notify"],
        json!({"team": true, "user_ids": []}),
        "{:?}",
        ev.data
    );
    assert_eq!(t.unread_in_list(&owner).await, Some(1));
    assert_eq!(t.unread_in_list(&t.kim.token).await, Some(1));
    assert_eq!(t.unread_in_detail(&t.kim.token).await, Some(1));
    // The conversation list counts it too.
    let convs = t
        .app
        .get(&t.path("/conversations"), Some(&t.kim.token))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(array_at(&convs, "items")[0]["unread_count"], 1, "{convs}");

    // Assigned to Kim: Kim's, and no longer the owner's.
    t.app
        .post(
            &t.path(&format!("/tickets/{}/assign", t.number())),
            Some(&owner),
            json!({"assignee_id": t.kim.id}),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(t.unread_in_list(&owner).await, None);
    assert_eq!(t.unread_in_list(&t.kim.token).await, Some(1));
    let second = say(&t.app, &t.v, "Hello? Still waiting.").await;
    let ev = stream
        .next_event(|e| {
            e.name == "message.created" && e.data["message"]["body"] == "Hello? Still waiting."
        })
        .await;
    assert_eq!(
        ev.data["notify"],
        json!({"team": false, "user_ids": [t.kim.id]})
    );
    assert_eq!(t.unread_in_list(&t.kim.token).await, Some(2));

    // Read up to the first message: one left; read up to now: none.
    let up_to = visitor_message_id(&first, "Any news on my refund?");
    t.read(&t.kim.token, json!({"up_to": up_to}))
        .await
        .expect_status(StatusCode::NO_CONTENT);
    assert_eq!(t.unread_in_list(&t.kim.token).await, Some(1));
    t.read(&t.kim.token, json!({}))
        .await
        .expect_status(StatusCode::NO_CONTENT);
    assert_eq!(t.unread_in_detail(&t.kim.token).await, Some(0));
    // Reading never goes backwards.
    t.read(&t.kim.token, json!({"up_to": up_to}))
        .await
        .expect_status(StatusCode::NO_CONTENT);
    assert_eq!(t.unread_in_list(&t.kim.token).await, Some(0));
    let _ = visitor_message_id(&second, "Hello? Still waiting.");

    // A closed ticket is nobody's to read.
    t.app
        .post(
            &t.path(&format!("/tickets/{}/status", t.number())),
            Some(&owner),
            json!({"status": "closed"}),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(t.unread_in_list(&t.kim.token).await, None);
}

#[tokio::test]
async fn a_taken_over_conversation_is_the_takers_and_read_state_is_per_user() {
    let app = TestApp::spawn().await;
    let site = site(&app, "standard", true).await;
    let kim = app.register_user("Kim").await;
    add_member_db(&app, &site.ws, &kim, "agent");
    let v = session(&app, &site).await;
    let conv = str_at(&v.session, "conversation_id").to_string();
    let base = format!("/api/v1/workspaces/{}/conversations", site.ws);
    let unread = async |token: &str| -> Option<i64> {
        let list = app
            .get(&base, Some(token))
            .await
            .expect_status(StatusCode::OK);
        array_at(&list, "items")
            .iter()
            .find(|c| c["id"] == conv.as_str())
            .and_then(|c| c.get("unread_count"))
            .and_then(Value::as_i64)
    };
    // The assistant's conversation is nobody's.
    say(&app, &v, "hello there").await;
    assert_eq!(unread(&kim.token).await, None);
    app.post(
        &format!("{base}/{conv}/take-over"),
        Some(&kim.token),
        json!({}),
    )
    .await
    .expect_status(StatusCode::OK);
    say(&app, &v, "are you a human?").await;
    say(&app, &v, "please answer").await;
    assert_eq!(unread(&kim.token).await, Some(2));
    assert_eq!(unread(&site.owner_token).await, None);
    app.post(&format!("{base}/{conv}/read"), Some(&kim.token), json!({}))
        .await
        .expect_status(StatusCode::NO_CONTENT);
    assert_eq!(unread(&kim.token).await, Some(0));
    // Bad input: an unknown message, a malformed body, another workspace's conversation.
    let (s, e) = app
        .post(
            &format!("{base}/{conv}/read"),
            Some(&kim.token),
            json!({"up_to": uuid::Uuid::now_v7()}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e["error"]["fields"]["up_to"].is_array(), "{e}");
    let (s, e) = app
        .post(
            &format!("{base}/{conv}/read"),
            Some(&kim.token),
            json!({"up_to": "nope"}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    let other = site_of_someone_else(&app).await;
    let (s, _) = app
        .post(
            &format!("/api/v1/workspaces/{}/conversations/{conv}/read", other.ws),
            Some(&kim.token),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .post(
            &format!("/api/v1/workspaces/{}/conversations/{conv}/read", other.ws),
            Some(&other.owner_token),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another workspace's conversation");
}

async fn site_of_someone_else(app: &TestApp) -> Site {
    site(app, "standard", true).await
}

#[tokio::test]
async fn the_unread_count_is_bounded() {
    let t = team_with(TestApp::spawn().await).await;
    let conv = str_at(&t.ticket, "conversation_id").to_string();
    let mut db = t.app.db();
    diesel::sql_query(format!(
        "INSERT INTO messages (id, workspace_id, conversation_id, sender, body, created_at)
         SELECT gen_random_uuid(), '{}', '{conv}', 'visitor', 'msg ' || g, now() + g * interval '1 ms'
           FROM generate_series(1, 150) g",
        t.site.ws
    ))
    .execute(&mut db)
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(t.unread_in_list(&t.kim.token).await, Some(100));
}

#[tokio::test]
async fn preferences_are_per_member_checked_and_not_for_api_keys() {
    let t = team_with(TestApp::spawn().await).await;
    let get = t
        .app
        .get(&t.path("/notification-preferences"), Some(&t.kim.token))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(get, json!({"email": "off", "delay_minutes": 15}));
    let set = t
        .prefs(
            &t.kim.token,
            json!({"email": "delayed", "delay_minutes": 5}),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(set, json!({"email": "delayed", "delay_minutes": 5}));
    // The owner's stay theirs.
    let owners = t
        .app
        .get(
            &t.path("/notification-preferences"),
            Some(&t.site.owner_token),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(owners["email"], "off");
    let (s, e) = t
        .prefs(
            &t.kim.token,
            json!({"email": "delayed", "delay_minutes": 0}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e["error"]["fields"]["delay_minutes"].is_array(), "{e}");
    let (s, e) = t
        .prefs(
            &t.kim.token,
            json!({"email": "sometimes", "delay_minutes": 5}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    let (s, _) = t.prefs(&t.kim.token, json!({"email": "off"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // API keys have no person to notify.
    let key = t.api_key("crm").await;
    let (s, e) = t
        .app
        .get(&t.path("/notification-preferences"), Some(&key))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
    let (s, _) = t.read(&key, json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // An API key's list carries no unread counts.
    let list = t
        .app
        .get(&t.path("/tickets"), Some(&key))
        .await
        .expect_status(StatusCode::OK);
    assert!(
        array_at(&list, "items")[0].get("unread_count").is_none(),
        "{list}"
    );
    // Another workspace: 404.
    let other = site_of_someone_else(&t.app).await;
    let (s, _) = t
        .app
        .get(
            &format!("/api/v1/workspaces/{}/notification-preferences", other.ws),
            Some(&t.kim.token),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = t
        .app
        .post(
            &format!(
                "/api/v1/workspaces/{}/tickets/{}/read",
                other.ws,
                t.number()
            ),
            Some(&t.kim.token),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

/// The reminder jobs for `user`.
fn reminders_for(app: &TestApp, user: &str) -> Vec<handoff_tests::OutboxJob> {
    app.outbox_jobs("email")
        .into_iter()
        .filter(|j| j.payload["template"] == "unread_reminder" && j.payload["user_id"] == user)
        .collect()
}

/// Moves the clock of the pending reminders an hour on: their jobs are due now, and a new
/// message after them schedules a new one (as it would once the delay has passed).
pub(crate) fn make_due(app: &TestApp) {
    sql(
        app,
        "WITH moved AS (
            UPDATE conversation_reads SET reminder_due_at = reminder_due_at - interval '1 hour'
             WHERE reminder_due_at IS NOT NULL AND $1 = $1
            RETURNING user_id, conversation_id, reminder_due_at)
         UPDATE outbox_jobs j SET payload = jsonb_set(j.payload, '{due}', to_jsonb(m.reminder_due_at))
           FROM moved m
          WHERE j.done_at IS NULL AND j.payload->>'template' = 'unread_reminder'
            AND (j.payload->>'user_id')::uuid = m.user_id
            AND (j.payload->>'conversation_id')::uuid = m.conversation_id",
        "x",
    );
    sql(
        app,
        "UPDATE outbox_jobs SET run_at = now() WHERE done_at IS NULL AND $1 = $1",
        "x",
    );
}

#[tokio::test]
async fn a_reminder_goes_after_the_delay_unless_read_and_only_to_whom_it_is_for() {
    let t = team_with(TestApp::spawn().await).await;
    t.prefs(
        &t.kim.token,
        json!({"email": "delayed", "delay_minutes": 10}),
    )
    .await
    .expect_status(StatusCode::OK);
    // Unassigned: Kim is the team. Two messages in a row make one reminder, due in 10 min.
    say(&t.app, &t.v, "Any news on my refund?").await;
    say(&t.app, &t.v, "It is order 1234.").await;
    let jobs = reminders_for(&t.app, &t.kim.id);
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    let mut db = t.app.db();
    #[derive(diesel::QueryableByName)]
    struct Due {
        #[diesel(sql_type = diesel::sql_types::Double)]
        minutes: f64,
    }
    let due: Vec<Due> = diesel::sql_query(format!(
        "SELECT extract(epoch FROM run_at - now())::float8 / 60 AS minutes FROM outbox_jobs WHERE id = {}",
        jobs[0].id
    ))
    .load(&mut db)
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        (9.0..=10.5).contains(&due[0].minutes),
        "due in {} min",
        due[0].minutes
    );
    // Nobody read it: when due, Kim gets the mail, with the latest message and the count.
    make_due(&t.app);
    let mail = mail_to(&t.app, &t.kim.email, "It is order 1234.").await;
    assert!(
        mail.subject.contains("2 unread messages"),
        "{}",
        mail.subject
    );
    assert!(
        mail.text.contains(&format!("/tickets/{}", t.number())),
        "{}",
        mail.text
    );

    // Read meanwhile: the next reminder is skipped.
    say(&t.app, &t.v, "One more thing.").await;
    assert_eq!(reminders_for(&t.app, &t.kim.id).len(), 2);
    t.read(&t.kim.token, json!({}))
        .await
        .expect_status(StatusCode::NO_CONTENT);
    make_due(&t.app);
    t.app.wait_for_jobs_done("email").await;
    assert_eq!(
        mails_to(&t.app, &t.kim.email),
        1,
        "the reminder read meanwhile was skipped"
    );

    // Assigned to the owner: the owner's (mail off), not Kim's any more.
    let owner_id = owner_id(&t).await;
    t.app
        .post(
            &t.path(&format!("/tickets/{}/assign", t.number())),
            Some(&t.site.owner_token),
            json!({"assignee_id": owner_id}),
        )
        .await
        .expect_status(StatusCode::OK);
    say(&t.app, &t.v, "Hello?").await;
    assert_eq!(
        reminders_for(&t.app, &t.kim.id).len(),
        2,
        "no reminder for Kim"
    );
    assert!(
        reminders_for(&t.app, &owner_id).is_empty(),
        "the owner's mail is off"
    );
}

pub(crate) async fn owner_id(t: &Team) -> String {
    let me = t
        .app
        .get("/api/v1/me", Some(&t.site.owner_token))
        .await
        .expect_status(StatusCode::OK);
    id_of(&me)
}

#[tokio::test]
async fn immediately_means_at_once() {
    let t = team_with(TestApp::spawn().await).await;
    t.prefs(
        &t.site.owner_token,
        json!({"email": "immediately", "delay_minutes": 15}),
    )
    .await
    .expect_status(StatusCode::OK);
    say(&t.app, &t.v, "Where is my parcel?").await;
    let owner = owner_email(&t).await;
    let mail = mail_to(&t.app, &owner, "Where is my parcel?").await;
    assert!(
        mail.text
            .contains(&format!("jane@example.com wrote in ticket {}", t.number())),
        "{}",
        mail.text
    );
    // Kim's mail is off: nothing for Kim.
    assert!(reminders_for(&t.app, &t.kim.id).is_empty());
}

pub(crate) async fn owner_email(t: &Team) -> String {
    let me = t
        .app
        .get("/api/v1/me", Some(&t.site.owner_token))
        .await
        .expect_status(StatusCode::OK);
    str_at(&me, "email").to_string()
}

#[tokio::test]
async fn the_visitor_is_acknowledged_in_the_tickets_thread_when_switched_on() {
    let app = TestApp::spawn().await;
    let site = site(&app, "standard", true).await;
    let settings = format!("/api/v1/workspaces/{}/ticket-settings", site.ws);
    let tickets = format!("/api/v1/workspaces/{}/tickets", site.ws);
    // Off by default: no mail to the visitor.
    let s = app
        .get(&settings, Some(&site.owner_token))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(s["acknowledge_tickets"], false);
    app.post(
        &tickets,
        Some(&site.owner_token),
        json!({"visitor_email": "first@example.com", "summary": "First"}),
    )
    .await
    .expect_status(StatusCode::CREATED);
    let s = app
        .put(
            &settings,
            Some(&site.owner_token),
            json!({"enabled": true, "notification_email": "team@example.com", "acknowledge_tickets": true}),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(s["acknowledge_tickets"], true);
    let t = app
        .post(
            &tickets,
            Some(&site.owner_token),
            json!({"visitor_email": "jane@example.com", "summary": "Refund <b>now</b>"}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    let number = str_at(&t, "number").to_string();
    let ack = mail_to(
        &app,
        "jane@example.com",
        &format!("We got your request {number}"),
    )
    .await;
    assert_eq!(ack.subject, format!("We got your request {number} to Acme"));
    assert!(
        ack.html.contains("Refund &lt;b&gt;now&lt;/b&gt;"),
        "escaped: {}",
        ack.html
    );
    assert!(ack.from.starts_with("Acme <"), "{}", ack.from);
    assert!(ack.message_id.len() > 4);
    // The agent's emailed reply answers it: the visitor's client threads them.
    app.post(
        &format!("{tickets}/{number}/replies"),
        Some(&site.owner_token),
        json!({"body": "We are on it.", "email_visitor": true}),
    )
    .await
    .expect_status(StatusCode::CREATED);
    let reply = mail_to(&app, "jane@example.com", "We are on it.").await;
    assert_eq!(reply.in_reply_to, vec![ack.message_id.clone()]);
    assert!(
        reply.references.contains(&ack.message_id),
        "{:?}",
        reply.references
    );
    // Nothing went to the first visitor, whose ticket was made while it was off.
    assert_eq!(mails_to(&app, "first@example.com"), 0);
}

/// A file mail as a mail client reads it.
pub(crate) struct Read {
    pub(crate) to: String,
    pub(crate) from: String,
    pub(crate) subject: String,
    pub(crate) text: String,
    pub(crate) html: String,
    pub(crate) message_id: String,
    pub(crate) in_reply_to: Vec<String>,
    pub(crate) references: Vec<String>,
}

pub(crate) fn read(raw: &str) -> Read {
    try_read(raw).unwrap_or_else(|| panic!("not a message: {raw}"))
}

/// `None` for what is not a message (yet: the file mailer may be writing it).
pub(crate) fn try_read(raw: &str) -> Option<Read> {
    let m = mail_parser::MessageParser::default().parse(raw.as_bytes())?;
    let first = |a: Option<&mail_parser::Address<'_>>| {
        a.and_then(|a| a.first())
            .map(|a| {
                format!(
                    "{} <{}>",
                    a.name().unwrap_or_default(),
                    a.address().unwrap_or_default()
                )
            })
            .unwrap_or_default()
    };
    let ids = |v: &mail_parser::HeaderValue<'_>| -> Vec<String> {
        match v {
            mail_parser::HeaderValue::Text(t) => vec![format!("<{t}>")],
            mail_parser::HeaderValue::TextList(l) => l.iter().map(|t| format!("<{t}>")).collect(),
            _ => vec![],
        }
    };
    Some(Read {
        to: first(m.to()),
        from: first(m.from()),
        subject: m.subject().unwrap_or_default().to_string(),
        text: m.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
        html: m.body_html(0).map(|t| t.into_owned()).unwrap_or_default(),
        message_id: format!("<{}>", m.message_id().unwrap_or_default()),
        in_reply_to: ids(m.in_reply_to()),
        references: ids(m.references()),
    })
}

/// Waits for a file mail to `to` whose text contains `text`.
pub(crate) async fn mail_to(app: &TestApp, to: &str, text: &str) -> Read {
    let raw = app
        .wait_for_mail_file(&format!("mail to {to} with {text:?}"), |m| {
            try_read(m).is_some_and(|r| r.to.contains(to) && r.text.contains(text))
        })
        .await;
    read(&raw)
}

pub(crate) fn mails_to(app: &TestApp, to: &str) -> usize {
    app.mail_files()
        .iter()
        .filter(|m| read(m).to.contains(to))
        .count()
}
