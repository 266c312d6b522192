//! Privacy (issue 15, item 5): a visitor's export, erasure (a test reads every table and
//! the file store afterwards), the retention policy, the audit log; who may do each.

use diesel::RunQueryDsl;
use diesel::sql_types::{BigInt, Text};
use handoff_tests::{ExpectStatus, TestApp, WAIT, array_at, eventually, id_of, str_at};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::attachments::{png, upload};
use crate::widget::{Site, Visitor, say, site};

/// Strings only this visitor's data contains: none may survive an erasure anywhere.
const NAME: &str = "Zylberstein";
const EMAIL: &str = "quentin.zylberstein@example.com";
const PAGE: &str = "https://shop.example.com/secret-page-4242";
const BROWSER: &str = "ZebraFox/9.1";
const FILE: &str = "zylberstein-receipt.png";

fn storage_dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("handoff-privacy-{}", rand::random::<u64>()))
}

async fn app_with_store(dir: &std::path::Path) -> TestApp {
    TestApp::builder()
        .env("STORAGE_URL", format!("file://{}", dir.display()))
        .env("RETENTION_INTERVAL_MS", "100")
        .spawn()
        .await
}

/// A visitor who wrote, sent a file, gave their email and got a ticket, a note and a reply.
async fn a_visitor_with_history(app: &TestApp, s: &Site) -> (Visitor, String) {
    let resp = app
        .client
        .post(app.url("/api/v1/widget/sessions"))
        .header("User-Agent", format!("Mozilla/5.0 (X11; Linux) {BROWSER}"))
        .json(&json!({"widget_key": s.widget_key, "page_url": PAGE, "referrer": "https://zylberstein-blog.example/", "locale": "de-DE"}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("session: {e}"));
    assert_eq!(resp.status(), StatusCode::CREATED);
    let session: Value = resp
        .json()
        .await
        .unwrap_or_else(|e| panic!("a session: {e}"));
    let v = Visitor {
        token: str_at(&session, "visitor_token").to_string(),
        session,
    };
    say(
        app,
        &v,
        &format!("Hi, I'm Quentin {NAME}, please refund order 77123"),
    )
    .await;
    let (status, up) = upload(
        app,
        "/api/v1/widget/attachments",
        &v.token,
        FILE,
        "image/png",
        png(640, 480),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{up}");
    app.post(
        "/api/v1/widget/messages",
        Some(&v.token),
        json!({"body": "", "attachment_ids": [id_of(&up)]}),
    )
    .await
    .expect_status(StatusCode::CREATED);
    let a = say(app, &v, EMAIL).await;
    let number = str_at(&a, "/ticket/number").to_string();
    let base = format!("/api/v1/workspaces/{}/tickets/{number}", s.ws);
    app.post(
        &format!("{base}/notes"),
        Some(&s.owner_token),
        json!({"body": format!("{NAME} called about 77123 too")}),
    )
    .await
    .expect_status(StatusCode::CREATED);
    app.post(
        &format!("{base}/replies"),
        Some(&s.owner_token),
        json!({"body": format!("Hello Quentin {NAME}, we're on it."), "email_visitor": true}),
    )
    .await
    .expect_status(StatusCode::CREATED);
    (v, number)
}

/// A page of the workspace's audit log, read by its owner (`query`: `limit=…&cursor=…`).
async fn audit_log(app: &TestApp, s: &Site, query: &str) -> Value {
    app.get(
        &format!("/api/v1/workspaces/{}/audit-log?{query}", s.ws),
        Some(&s.owner_token),
    )
    .await
    .expect_status(StatusCode::OK)
}

fn actions_of(log: &Value) -> Vec<&str> {
    array_at(log, "items")
        .iter()
        .map(|e| str_at(e, "action"))
        .collect()
}

fn visitor_id(v: &Visitor) -> String {
    str_at(&v.session, "visitor_id").to_string()
}

#[derive(diesel::QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(diesel::QueryableByName)]
struct N {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The tables (of the public schema) in which a row's text holds `needle`.
fn tables_holding(app: &TestApp, needle: &str) -> Vec<String> {
    let mut db = app.db();
    let tables: Vec<Name> = diesel::sql_query(
        "SELECT table_name::text AS name FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
    )
    .load(&mut db)
    .unwrap_or_else(|e| panic!("the tables: {e}"));
    assert!(tables.len() > 25, "{}", tables.len());
    tables
        .into_iter()
        .filter(|t| {
            let sql = format!(
                "SELECT count(*) AS n FROM \"{0}\" x WHERE x::text ILIKE '%' || $1 || '%'",
                t.name
            );
            let n: N = diesel::sql_query(&sql)
                .bind::<Text, _>(needle)
                .get_result(&mut db)
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
            n.n > 0
        })
        .map(|t| t.name)
        .collect()
}

fn files_in(dir: &std::path::Path) -> usize {
    fn walk(p: &std::path::Path) -> usize {
        std::fs::read_dir(p)
            .map(|rd| {
                rd.flatten()
                    .map(|e| {
                        let p = e.path();
                        if p.is_dir() { walk(&p) } else { 1 }
                    })
                    .sum()
            })
            .unwrap_or(0)
    }
    walk(dir)
}

#[tokio::test]
async fn export_holds_everything_and_erasure_leaves_nothing_of_the_visitor_in_any_table() {
    let dir = storage_dir();
    let app = app_with_store(&dir).await;
    let s = site(&app, "standard", true).await;
    let (v, number) = a_visitor_with_history(&app, &s).await;
    let vid = visitor_id(&v);
    let ws = &s.ws;
    assert!(
        files_in(&dir) >= 2,
        "the file and its thumbnail are stored in {}",
        dir.display()
    );
    for needle in [NAME, EMAIL, PAGE, BROWSER, FILE] {
        assert!(
            !tables_holding(&app, needle).is_empty(),
            "{needle} is stored before the erasure"
        );
    }

    // The export: a JSON download with the record, every message, the ticket, its
    // timeline and notes.
    let resp = app
        .client
        .get(app.url(&format!("/api/v1/workspaces/{ws}/visitors/{vid}/export")))
        .bearer_auth(&s.owner_token)
        .send()
        .await
        .expect("export");
    assert_eq!(resp.status(), StatusCode::OK);
    let disposition = resp
        .headers()
        .get("content-disposition")
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        disposition,
        format!("attachment; filename=\"visitor-{vid}.json\"")
    );
    let export: Value = resp.json().await.expect("JSON");
    assert_eq!(export["visitor"]["email"], EMAIL);
    assert_eq!(export["visitor"]["page_url"], PAGE);
    assert!(
        export["visitor"]["user_agent"]
            .as_str()
            .is_some_and(|ua| ua.contains(BROWSER))
    );
    let convs = array_at(&export, "conversations");
    assert_eq!(convs.len(), 1);
    let bodies: Vec<&str> = array_at(&convs[0], "messages")
        .iter()
        .map(|m| m["body"].as_str().unwrap_or_default())
        .collect();
    assert!(
        bodies.iter().any(|b| b.contains("refund order 77123")),
        "{bodies:?}"
    );
    assert!(
        bodies.iter().any(|b| b.contains("we're on it")),
        "{bodies:?}"
    );
    let files: Vec<&Value> = array_at(&convs[0], "messages")
        .iter()
        .flat_map(|m| m["attachments"].as_array().into_iter().flatten())
        .collect();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0]["filename"], FILE);
    let tickets = array_at(&export, "tickets");
    assert_eq!(tickets.len(), 1);
    assert_eq!(tickets[0]["ticket"]["number"], number.as_str());
    assert!(!array_at(&tickets[0], "events").is_empty());
    assert_eq!(array_at(&tickets[0], "notes").len(), 1);

    // Agents, other workspaces and unknown visitors get nothing.
    let agent = app.register_user("Agent").await;
    app.add_member(&s.owner_token, ws, &agent, "agent").await;
    let other = site(&app, "standard", true).await;
    for (token, path, want) in [
        (
            &agent.token,
            format!("/api/v1/workspaces/{ws}/visitors/{vid}/export"),
            StatusCode::FORBIDDEN,
        ),
        (
            &other.owner_token,
            format!("/api/v1/workspaces/{ws}/visitors/{vid}/export"),
            StatusCode::NOT_FOUND,
        ),
        (
            &other.owner_token,
            format!("/api/v1/workspaces/{}/visitors/{vid}/export", other.ws),
            StatusCode::NOT_FOUND,
        ),
        (
            &s.owner_token,
            format!(
                "/api/v1/workspaces/{ws}/visitors/{}/export",
                uuid::Uuid::nil()
            ),
            StatusCode::NOT_FOUND,
        ),
    ] {
        let (status, body) = app.get(&path, Some(token)).await;
        assert_eq!(status, want, "{path}: {body}");
        assert!(body["error"]["code"].is_string(), "{body}");
    }
    for (token, path, want) in [
        (
            &agent.token,
            format!("/api/v1/workspaces/{ws}/visitors/{vid}/erase"),
            StatusCode::FORBIDDEN,
        ),
        (
            &other.owner_token,
            format!("/api/v1/workspaces/{}/visitors/{vid}/erase", other.ws),
            StatusCode::NOT_FOUND,
        ),
    ] {
        let (status, body) = app.post(&path, Some(token), json!({})).await;
        assert_eq!(status, want, "{path}: {body}");
    }

    // The erasure.
    let erased = app
        .post(
            &format!("/api/v1/workspaces/{ws}/visitors/{vid}/erase"),
            Some(&s.owner_token),
            json!({}),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(erased["visitor_id"], vid.as_str());
    assert_eq!(erased["tickets_anonymised"], 1);
    assert_eq!(erased["attachments_deleted"], 1);
    assert!(
        erased["messages_deleted"].as_u64().is_some_and(|n| n >= 6),
        "{erased}"
    );
    for needle in [
        NAME,
        EMAIL,
        PAGE,
        BROWSER,
        FILE,
        "zylberstein-blog",
        "77123",
    ] {
        assert_eq!(
            tables_holding(&app, needle),
            Vec::<String>::new(),
            "{needle} survived the erasure"
        );
    }
    assert_eq!(
        files_in(&dir),
        0,
        "the stored file and thumbnail are deleted"
    );
    // The ticket stays as an anonymous shell for reports; the visitor shows as erased.
    let d = app
        .get(
            &format!("/api/v1/workspaces/{ws}/tickets/{number}"),
            Some(&s.owner_token),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(d["ticket"]["summary"], "erased");
    assert_eq!(d["ticket"]["visitor_email"], "erased");
    assert_eq!(d["ticket"]["status"], "open");
    assert!(d["visitor"]["erased_at"].is_string(), "{d}");
    assert_eq!(array_at(&d, "messages").len(), 0);
    assert_eq!(array_at(&d, "notes").len(), 0);
    // No email can go to an erased visitor.
    let (status, body) = app
        .post(
            &format!("/api/v1/workspaces/{ws}/tickets/{number}/replies"),
            Some(&s.owner_token),
            json!({"body": "Anything else?", "email_visitor": true}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["fields"]["email_visitor"].is_array(),
        "{body}"
    );
    // The old visitor token starts afresh: a new visitor, nothing of the old one, and the
    // erased row gets nothing new.
    let (_, again) = app
        .post(
            "/api/v1/widget/sessions",
            None,
            json!({"widget_key": s.widget_key, "visitor_token": v.token, "page_url": PAGE}),
        )
        .await;
    assert_eq!(array_at(&again, "messages").len(), 0, "{again}");
    assert_ne!(str_at(&again, "visitor_id"), vid, "{again}");
    let shell = app
        .get(
            &format!("/api/v1/workspaces/{ws}/tickets/{number}"),
            Some(&s.owner_token),
        )
        .await
        .expect_status(StatusCode::OK);
    assert!(shell["visitor"]["page_url"].is_null(), "{shell}");
    // Again: nothing left to remove.
    let twice = app
        .post(
            &format!("/api/v1/workspaces/{ws}/visitors/{vid}/erase"),
            Some(&s.owner_token),
            json!({}),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(
        (
            twice["messages_deleted"].as_u64(),
            twice["tickets_anonymised"].as_u64()
        ),
        (Some(0), Some(1))
    );

    // The audit log has both, newest first, without the visitor's data.
    let log = audit_log(&app, &s, "limit=4").await;
    let actions = actions_of(&log);
    assert_eq!(
        actions,
        [
            "visitor.erased",
            "visitor.erased",
            "member.invited",
            "visitor.exported"
        ],
        "{log}"
    );
    assert_eq!(log["items"][0]["target_id"], vid.as_str());
    assert_eq!(log["items"][0]["actor"]["type"], "user");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_retention_policy_deletes_quiet_conversations_and_anonymises_old_closed_tickets() {
    let dir = storage_dir();
    let app = app_with_store(&dir).await;
    let s = site(&app, "standard", true).await;
    let ws = &s.ws;
    let path = format!("/api/v1/workspaces/{ws}/privacy");
    let none = app
        .get(&path, Some(&s.owner_token))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(
        none,
        json!({"conversations_without_ticket_days": null, "closed_tickets_days": null})
    );
    for bad in [
        json!({"conversations_without_ticket_days": 0, "closed_tickets_days": null}),
        json!({"conversations_without_ticket_days": null, "closed_tickets_days": 4000}),
        json!({"conversations_without_ticket_days": "ten", "closed_tickets_days": null}),
    ] {
        let (status, body) = app.put(&path, Some(&s.owner_token), bad.clone()).await;
        assert!(
            status == StatusCode::UNPROCESSABLE_ENTITY || status == StatusCode::BAD_REQUEST,
            "{bad}: {status} {body}"
        );
        assert!(body["error"]["message"].is_string());
    }
    let agent = app.register_user("Agent").await;
    app.add_member(&s.owner_token, ws, &agent, "agent").await;
    let (status, _) = app.get(&path, Some(&agent.token)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A chat that never became a ticket, one whose ticket was closed long ago, and a
    // recent one of each.
    let (old_chat, recent_chat) = (
        crate::widget::session(&app, &s).await,
        crate::widget::session(&app, &s).await,
    );
    say(&app, &old_chat, "What are your opening hours?").await;
    say(&app, &recent_chat, "Do you ship to Norway?").await;
    let (closed, number) = a_visitor_with_history(&app, &s).await;
    let (kept, kept_number) = {
        let v = crate::widget::session(&app, &s).await;
        say(&app, &v, "I want a refund").await;
        let a = say(&app, &v, "kim@example.com").await;
        (v, str_at(&a, "/ticket/number").to_string())
    };
    for n in [&number, &kept_number] {
        app.post(
            &format!("/api/v1/workspaces/{ws}/tickets/{n}/status"),
            Some(&s.owner_token),
            json!({"status": "closed"}),
        )
        .await
        .expect_status(StatusCode::OK);
    }
    let mut db = app.db();
    let backdate = |conv: &str| {
        vec![
            format!(
                "UPDATE conversations SET last_message_at = now() - interval '40 days' WHERE id = '{conv}'"
            ),
            format!(
                "UPDATE tickets SET closed_at = now() - interval '40 days' WHERE conversation_id = '{conv}'"
            ),
        ]
    };
    for sql in backdate(str_at(&old_chat.session, "conversation_id"))
        .into_iter()
        .chain(backdate(str_at(&closed.session, "conversation_id")))
    {
        diesel::sql_query(&sql)
            .execute(&mut db)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    let saved = app
        .put(
            &path,
            Some(&s.owner_token),
            json!({"conversations_without_ticket_days": 30, "closed_tickets_days": 30}),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(saved["closed_tickets_days"], 30);

    let conv_count = |id: String| {
        let mut db = app.db();
        let n: N = diesel::sql_query(format!(
            "SELECT count(*) AS n FROM messages WHERE conversation_id = '{id}'"
        ))
        .get_result(&mut db)
        .expect("count");
        n.n
    };
    eventually("the policy applied", WAIT, async || {
        let gone = conv_count(str_at(&old_chat.session, "conversation_id").to_string()) == 0
            && conv_count(str_at(&closed.session, "conversation_id").to_string()) == 0;
        if gone {
            Ok(())
        } else {
            Err("messages still there".to_string())
        }
    })
    .await;
    // The recent chat and the recently closed ticket keep everything.
    assert!(conv_count(str_at(&recent_chat.session, "conversation_id").to_string()) > 0);
    assert!(conv_count(str_at(&kept.session, "conversation_id").to_string()) > 0);
    let d = app
        .get(
            &format!("/api/v1/workspaces/{ws}/tickets/{number}"),
            Some(&s.owner_token),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(d["ticket"]["summary"], "erased");
    assert_eq!(d["ticket"]["status"], "closed");
    let k = app
        .get(
            &format!("/api/v1/workspaces/{ws}/tickets/{kept_number}"),
            Some(&s.owner_token),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_ne!(k["ticket"]["summary"], "erased");
    assert_eq!(tables_holding(&app, FILE), Vec::<String>::new());

    // The change is in the audit log, and the log pages.
    let first = audit_log(&app, &s, "limit=1").await;
    assert_eq!(first["items"][0]["action"], "privacy.updated");
    assert_eq!(first["items"][0]["data"]["closed_tickets_days"], 30);
    let cursor = str_at(&first, "next_cursor").to_string();
    let next = audit_log(&app, &s, &format!("limit=100&cursor={cursor}")).await;
    let actions = actions_of(&next);
    assert!(
        actions.contains(&"member.invited") || actions.contains(&"ticket_settings.updated"),
        "{actions:?}"
    );
    assert!(!actions.contains(&"privacy.updated"), "{actions:?}");
    let (status, _) = app
        .get(
            &format!("/api/v1/workspaces/{ws}/audit-log"),
            Some(&agent.token),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .get(
            &format!("/api/v1/workspaces/{ws}/audit-log?cursor=nope"),
            Some(&s.owner_token),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let _ = std::fs::remove_dir_all(&dir);
}
