//! Mail goes through the transactional outbox: an SMTP outage delays it, never loses it,
//! and a message is delivered exactly once.

use std::time::Duration;

use diesel::RunQueryDsl;
use handoff_tests::smtp::SmtpServer;
use handoff_tests::{ExpectStatus, TestApp, WAIT, eventually, id_of};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn invitation_mail_survives_an_smtp_outage_and_arrives_once() {
    let smtp = SmtpServer::start().await;
    smtp.fail_next(2);
    let app = TestApp::builder().env("SMTP_URL", smtp.url()).spawn().await;
    let owner = app.register_user("Owner").await;
    let ws = app.create_workspace(&owner.token, "standard").await;
    let id = id_of(&ws);
    let (status, _) = app
        .post(
            &format!("/api/v1/workspaces/{id}/invitations"),
            Some(&owner.token),
            json!({"email": "new.agent@example.com", "role": "agent"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    let mail = smtp
        .wait_for_to("new.agent@example.com", Duration::from_secs(20))
        .await;
    assert!(
        mail.subject().contains("invited to Acme"),
        "{}",
        mail.subject()
    );
    assert!(mail.text().contains("/invitations/accept?token=hi_"));
    assert!(mail.html().contains("Accept the invitation"));
    assert_eq!(
        smtp.refused(),
        2,
        "the first two attempts were refused with 451"
    );

    // Once its one job is done, no worker will take it again: the count is final.
    let jobs = app.wait_for_jobs_done("email").await;
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    let job = &jobs[0];
    // The job names the invitation; its link's token was minted at send time and is
    // nowhere in the outbox.
    assert_eq!(job.payload["template"], "invitation", "{job:?}");
    assert!(!job.payload.to_string().contains("hi_"), "{job:?}");
    assert_eq!(job.attempts, 3, "{job:?}");
    assert!(job.done);
    assert!(
        job.last_error.as_ref().is_some_and(|e| e.contains("451")),
        "the last error is recorded"
    );
    assert_eq!(
        smtp.messages_to("new.agent@example.com").len(),
        1,
        "delivered exactly once"
    );
}

#[tokio::test]
async fn without_smtp_mail_is_written_as_eml_files() {
    let app = TestApp::spawn().await;
    let owner = app.register_user("Owner").await;
    let ws = app.create_workspace(&owner.token, "standard").await;
    let id = id_of(&ws);
    app.post(
        &format!("/api/v1/workspaces/{id}/invitations"),
        Some(&owner.token),
        json!({"email": "file.mail@example.com", "role": "agent"}),
    )
    .await
    .expect_status(StatusCode::CREATED);
    let token = app.invitation_token_for("file.mail@example.com").await;
    assert!(token.starts_with("hi_"));
    let mail = app
        .mail_files()
        .into_iter()
        .find(|m| m.contains("file.mail@example.com"))
        .expect("the invitation's .eml file");
    assert!(
        mail.contains("From: Handoff <no-reply@localhost>"),
        "{mail}"
    );
}

#[tokio::test]
async fn two_server_processes_never_send_the_same_job_twice() {
    let smtp = SmtpServer::start().await;
    let app = TestApp::builder().env("SMTP_URL", smtp.url()).spawn().await;
    let second = TestApp::builder()
        .env("SMTP_URL", smtp.url())
        .database(&app.db_name)
        .spawn()
        .await;
    let owner = app.register_user("Owner").await;
    let ws = app.create_workspace(&owner.token, "standard").await;
    let id = id_of(&ws);
    for i in 0..30 {
        let (status, _) = app
            .post(
                &format!("/api/v1/workspaces/{id}/invitations"),
                Some(&owner.token),
                json!({"email": format!("agent{i}@example.com"), "role": "agent"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    smtp.wait_for(30, Duration::from_secs(20)).await;
    // Every job done means none will run again, on either process: the counts are final.
    let jobs = app.wait_for_jobs_done("email").await;
    assert_eq!(jobs.len(), 30, "one job per invitation");
    let all = smtp.messages();
    assert_eq!(all.len(), 30, "each job sent once across both workers");
    for i in 0..30 {
        assert_eq!(smtp.messages_to(&format!("agent{i}@example.com")).len(), 1);
    }
    drop(second);
}

/// Lets the mail-quota window pass: the counted hour moves into the past and waiting jobs
/// are due now (what the clock does in an hour).
fn next_quota_window(app: &TestApp) {
    let mut db = app.db();
    for sql in [
        "UPDATE mail_quota SET window_start = window_start - interval '1 hour'",
        "UPDATE outbox_jobs SET run_at = now() WHERE waiting IS NOT NULL",
    ] {
        if let Err(e) = diesel::sql_query(sql).execute(&mut db) {
            panic!("{sql}: {e}");
        }
    }
}

#[tokio::test]
async fn mail_over_the_hourly_quotas_waits_and_is_not_lost() {
    let app = TestApp::builder()
        .env("MAIL_QUOTA_WORKSPACE_PER_HOUR", "3")
        .env("MAIL_QUOTA_RECIPIENT_PER_HOUR", "2")
        .spawn()
        .await;
    let s = crate::tickets::setup_with(app).await;
    // Per recipient: three new-ticket notices to one address, two go out.
    for i in 0..3 {
        s.create(&format!("visitor{i}@example.com"), "Where is my order")
            .await;
    }
    let notices = |app: &TestApp| app.email_jobs_to("support-team@acme.test");
    let jobs = eventually("two sent, one waiting", WAIT, async || {
        let jobs = notices(&s.app);
        let sent = jobs.iter().filter(|j| j.done).count();
        let waiting = jobs
            .iter()
            .filter(|j| j.waiting.as_deref() == Some("mail_quota"))
            .count();
        if jobs.len() == 3 && sent == 2 && waiting == 1 {
            Ok(jobs)
        } else {
            Err(format!("{jobs:?}"))
        }
    })
    .await;
    let waiting = jobs.iter().find(|j| !j.done).expect("the waiting job");
    assert_eq!(
        waiting.attempts, 0,
        "waiting is not an attempt: {waiting:?}"
    );
    assert!(
        !waiting.failed && waiting.last_error.is_none(),
        "{waiting:?}"
    );
    // Per workspace: two invitations; one fits in the hour's three, one waits.
    for who in ["a@example.com", "b@example.com"] {
        s.app
            .post(
                &s.path("/invitations"),
                Some(&s.owner.token),
                json!({"email": who, "role": "agent"}),
            )
            .await
            .expect_status(StatusCode::CREATED);
    }
    let status = eventually("the dashboard says two mails wait", WAIT, async || {
        let st = s
            .app
            .get(&s.path("/mail-status"), Some(&s.owner.token))
            .await
            .expect_status(StatusCode::OK);
        if st["waiting_for_quota"] == 2 && st["queued"] == 2 {
            Ok(st)
        } else {
            Err(st.to_string())
        }
    })
    .await;
    assert_eq!(status["sent_this_hour"], 3, "{status}");
    assert_eq!(status["quota_per_hour"], 3, "{status}");
    assert!(status["next_send_at"].is_string(), "{status}");
    assert_eq!(s.app.mail_files().len(), 3);

    // The next hour: everything goes out, once.
    next_quota_window(&s.app);
    let jobs = s.app.wait_for_jobs_done("email").await;
    assert_eq!(jobs.len(), 5, "{jobs:?}");
    assert!(
        jobs.iter().all(|j| j.waiting.is_none() && !j.failed),
        "{jobs:?}"
    );
    assert_eq!(s.app.mail_files().len(), 5);
    let st = s
        .app
        .get(&s.path("/mail-status"), Some(&s.owner.token))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(st["waiting_for_quota"], 0, "{st}");
}

fn count(app: &TestApp, sql: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    match diesel::sql_query(sql).get_result::<N>(&mut app.db()) {
        Ok(r) => r.n,
        Err(e) => panic!("{sql}: {e}"),
    }
}

#[tokio::test]
async fn retention_deletes_old_jobs_deliveries_and_empty_visitors() {
    let app = TestApp::builder()
        .env("RETENTION_INTERVAL_MS", "100")
        .spawn()
        .await;
    let site = crate::widget::site(&app, "standard", false).await;
    let hook = app
        .post(
            &format!("/api/v1/workspaces/{}/webhooks", site.ws),
            Some(&site.owner_token),
            json!({"url": "https://93.184.216.34/hooks", "events": ["ticket.created"], "active": false}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    let silent = crate::widget::session(&app, &site).await;
    let talker = crate::widget::session(&app, &site).await;
    crate::widget::say(&app, &talker, "Hello").await;
    let mut db = app.db();
    let ws = &site.ws;
    let hook_id = id_of(&hook);
    for sql in [
        // Old and recent: done jobs, failed jobs, deliveries.
        format!(
            "INSERT INTO outbox_jobs (workspace_id, kind, payload, done_at) VALUES ('{ws}', 'email', '{{\"old\":true}}', now() - interval '8 days')"
        ),
        format!(
            "INSERT INTO outbox_jobs (workspace_id, kind, payload, done_at) VALUES ('{ws}', 'email', '{{\"old\":false}}', now() - interval '6 days')"
        ),
        format!(
            "INSERT INTO outbox_jobs (workspace_id, kind, payload, failed_at) VALUES ('{ws}', 'email', '{{\"old\":true}}', now() - interval '31 days')"
        ),
        format!(
            "INSERT INTO outbox_jobs (workspace_id, kind, payload, failed_at) VALUES ('{ws}', 'email', '{{\"old\":false}}', now() - interval '8 days')"
        ),
        format!(
            "INSERT INTO webhook_deliveries (id, workspace_id, webhook_id, event, payload, created_at) VALUES (gen_random_uuid(), '{ws}', '{hook_id}', 'ticket.created', '{{\"old\":true}}', now() - interval '31 days')"
        ),
        format!(
            "INSERT INTO webhook_deliveries (id, workspace_id, webhook_id, event, payload, created_at) VALUES (gen_random_uuid(), '{ws}', '{hook_id}', 'ticket.created', '{{\"old\":false}}', now() - interval '29 days')"
        ),
        // Both visitors were last seen long ago; only the one who never wrote goes.
        "UPDATE visitors SET last_seen_at = now() - interval '31 days'".to_string(),
    ] {
        diesel::sql_query(&sql)
            .execute(&mut db)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    let silent_id = silent.session["visitor_id"]
        .as_str()
        .expect("visitor id")
        .to_string();
    let talker_id = talker.session["visitor_id"]
        .as_str()
        .expect("visitor id")
        .to_string();
    eventually("old rows deleted", WAIT, async || {
        let old = count(
            &app,
            "SELECT count(*) AS n FROM outbox_jobs WHERE payload->>'old' = 'true'",
        ) + count(
            &app,
            "SELECT count(*) AS n FROM webhook_deliveries WHERE payload->>'old' = 'true'",
        ) + count(
            &app,
            &format!("SELECT count(*) AS n FROM visitors WHERE id = '{silent_id}'"),
        );
        if old == 0 {
            Ok(())
        } else {
            Err(format!("{old} old rows left"))
        }
    })
    .await;
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM outbox_jobs WHERE payload->>'old' = 'false'"
        ),
        2
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM webhook_deliveries WHERE payload->>'old' = 'false'"
        ),
        1
    );
    assert_eq!(
        count(
            &app,
            &format!("SELECT count(*) AS n FROM visitors WHERE id = '{talker_id}'")
        ),
        1,
        "a visitor who wrote stays"
    );
    assert_eq!(
        count(
            &app,
            &format!("SELECT count(*) AS n FROM conversations WHERE visitor_id = '{silent_id}'")
        ),
        0
    );
}
