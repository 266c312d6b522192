//! Mail goes through the transactional outbox: an SMTP outage delays it, never loses it,
//! and a message is delivered exactly once.

use std::time::Duration;

use handoff_tests::TestApp;
use handoff_tests::smtp::SmtpServer;
use reqwest::StatusCode;
use serde_json::json;

#[derive(diesel::QueryableByName, Debug)]
struct Job {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    attempts: i32,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    last_error: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    done: bool,
}

#[tokio::test]
async fn invitation_mail_survives_an_smtp_outage_and_arrives_once() {
    let smtp = SmtpServer::start().await;
    smtp.fail_next(2);
    let app = TestApp::builder().env("SMTP_URL", smtp.url()).spawn().await;
    let owner = app.register_user("Owner").await;
    let ws = app.create_workspace(&owner.token, "standard").await;
    let id = ws["id"].as_str().unwrap_or_default();
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

    // Give the worker time to (wrongly) send again, then check it didn't.
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(
        smtp.messages_to("new.agent@example.com").len(),
        1,
        "delivered exactly once"
    );

    use diesel::RunQueryDsl;
    let mut db = app.db();
    let job: Job = diesel::sql_query("SELECT attempts, last_error, done_at IS NOT NULL AS done FROM outbox_jobs WHERE kind = 'email'")
        .get_result(&mut db)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(job.attempts, 3, "{job:?}");
    assert!(job.done);
    assert!(
        job.last_error.is_some_and(|e| e.contains("451")),
        "the last error is recorded"
    );
}

#[tokio::test]
async fn without_smtp_mail_is_written_as_eml_files() {
    let app = TestApp::spawn().await;
    let owner = app.register_user("Owner").await;
    let ws = app.create_workspace(&owner.token, "standard").await;
    let id = ws["id"].as_str().unwrap_or_default();
    app.post(
        &format!("/api/v1/workspaces/{id}/invitations"),
        Some(&owner.token),
        json!({"email": "file.mail@example.com", "role": "agent"}),
    )
    .await;
    let token = app.invitation_token_for("file.mail@example.com").await;
    assert!(token.starts_with("hi_"));
    let mail = app
        .mail_files()
        .into_iter()
        .find(|m| m.contains("file.mail@example.com"))
        .unwrap_or_default();
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
    let id = ws["id"].as_str().unwrap_or_default();
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
    tokio::time::sleep(Duration::from_millis(500)).await;
    let all = smtp.messages();
    assert_eq!(all.len(), 30, "each job sent once across both workers");
    for i in 0..30 {
        assert_eq!(smtp.messages_to(&format!("agent{i}@example.com")).len(), 1);
    }
    drop(second);
}
