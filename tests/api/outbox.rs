//! Mail goes through the transactional outbox: an SMTP outage delays it, never loses it,
//! and a message is delivered exactly once.

use std::time::Duration;

use handoff_tests::smtp::SmtpServer;
use handoff_tests::{ExpectStatus, TestApp, id_of};
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
