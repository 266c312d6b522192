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

/// An SMTP server slower than the lease (it answers DATA over two leases after its end), and
/// two server processes on one database: the worker running a job renews its lease while
/// it waits, so the other never takes the job, and each mail goes out once, in one attempt.
#[tokio::test]
async fn a_mail_slower_than_the_lease_is_sent_once_by_two_servers() {
    let smtp = SmtpServer::start().await;
    // Each mail takes more than twice the lease. The lease is 3 s, not 1 s: its renewal
    // window (from a third of the lease gone to a sixth of it left) is then 1.5 s, which a
    // loaded 2-core CI machine reliably meets; with 1 s (a 0.5 s window) a starved renewal
    // cut attempts off and the job was legitimately retried, failing the test for the
    // machine's load rather than for the outbox.
    smtp.delay_data(Duration::from_secs(7));
    let app = TestApp::builder()
        .env("SMTP_URL", smtp.url())
        .env("OUTBOX_LEASE_SECS", "3")
        .spawn()
        .await;
    let second = TestApp::builder()
        .env("SMTP_URL", smtp.url())
        .env("OUTBOX_LEASE_SECS", "3")
        .database(&app.db_name)
        .spawn()
        .await;
    let owner = app.register_user("Owner").await;
    let ws = app.create_workspace(&owner.token, "standard").await;
    let id = id_of(&ws);
    for i in 0..4 {
        app.post(
            &format!("/api/v1/workspaces/{id}/invitations"),
            Some(&owner.token),
            json!({"email": format!("slow{i}@example.com"), "role": "agent"}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    }
    let invitations = |app: &TestApp| -> Vec<handoff_tests::OutboxJob> {
        app.outbox_jobs("email")
            .into_iter()
            .filter(|j| j.payload["template"] == "invitation")
            .collect()
    };
    let jobs = eventually(
        "every invitation sent",
        Duration::from_secs(120),
        async || {
            let jobs = invitations(&app);
            if jobs.len() == 4 && jobs.iter().all(|j| j.done) {
                Ok(jobs)
            } else {
                Err(format!("{jobs:?}"))
            }
        },
    )
    .await;
    for job in &jobs {
        assert_eq!(job.attempts, 1, "claimed once, by one worker: {job:?}");
    }
    for i in 0..4 {
        assert_eq!(
            smtp.messages_to(&format!("slow{i}@example.com")).len(),
            1,
            "delivered exactly once"
        );
    }
    drop(second);
}

/// Tenant A floods the outbox with ten thousand webhook deliveries to a tarpit (each
/// attempt hangs until the webhook timeout); tenant B's invitation, queued after all of
/// them, goes out before a second of A's jobs even starts: A holds at most its
/// per-workspace share of the workers, and claiming is round-robin by workspace.
#[tokio::test]
async fn one_tenants_flood_of_slow_webhooks_does_not_delay_anothers_mail() {
    let tarpit = handoff_tests::tarpit::Tarpit::start().await;
    let smtp = SmtpServer::start().await;
    let app = TestApp::builder()
        .env("SMTP_URL", smtp.url())
        .env("OUTBOX_CONCURRENCY", "2")
        .env("OUTBOX_WORKSPACE_CONCURRENCY", "1")
        .spawn()
        .await;
    // B is set up first: from A's first hanging delivery on, only the invitation is timed.
    let b_owner = app.register_user("Other owner").await;
    let b = app.create_workspace(&b_owner.token, "standard").await;
    let a = crate::widget::site(&app, "standard", false).await;
    app.post(
        &format!("/api/v1/workspaces/{}/webhooks", a.ws),
        Some(&a.owner_token),
        json!({"url": tarpit.url("/hooks"), "events": ["conversation.message"]}),
    )
    .await
    .expect_status(StatusCode::CREATED);
    let visitor = crate::widget::session(&app, &a).await;
    crate::widget::say(&app, &visitor, "Hello there").await;
    // The flood: ten thousand more deliveries like the first, queued as dispatch does.
    let flood = "WITH d AS (
            INSERT INTO webhook_deliveries (id, workspace_id, webhook_id, event, payload)
            SELECT gen_random_uuid(), w.workspace_id, w.webhook_id, w.event, w.payload
              FROM (SELECT * FROM webhook_deliveries LIMIT 1) w, generate_series(1, 10000)
            RETURNING id, workspace_id)
        INSERT INTO outbox_jobs (workspace_id, kind, payload)
        SELECT workspace_id, 'webhook', jsonb_build_object('delivery_id', id, 'workspace_id', workspace_id)
          FROM d";
    if let Err(e) = diesel::sql_query(flood).execute(&mut app.db()) {
        panic!("{flood}: {e}");
    }
    eventually("A's first delivery hangs in the tarpit", WAIT, async || {
        if tarpit.arrivals().is_empty() {
            Err("no request yet".to_string())
        } else {
            Ok(())
        }
    })
    .await;
    app.post(
        &format!("/api/v1/workspaces/{}/invitations", id_of(&b)),
        Some(&b_owner.token),
        json!({"email": "b.agent@example.com", "role": "agent"}),
    )
    .await
    .expect_status(StatusCode::CREATED);
    let mail = smtp
        .wait_for_to("b.agent@example.com", Duration::from_secs(60))
        .await;
    let before: Vec<_> = tarpit
        .arrivals()
        .into_iter()
        .filter(|at| *at < mail.received_at)
        .collect();
    assert_eq!(
        before.len(),
        1,
        "while B's mail was queued and sent, only one of A's 10,002 deliveries had started"
    );
    assert!(
        count(
            &app,
            "SELECT count(*) AS n FROM outbox_jobs WHERE kind = 'webhook' AND done_at IS NULL"
        ) > 9_000,
        "A's flood is still queued"
    );
}

/// The SMTP server is down (nothing listens: connections are refused), then comes back on
/// its address: the invitation is retried meanwhile and delivered exactly once.
#[tokio::test]
async fn mail_waits_while_smtp_is_down_and_goes_out_once_when_it_is_back() {
    let port = match std::net::TcpListener::bind("127.0.0.1:0") {
        Ok(l) => match l.local_addr() {
            Ok(a) => a.port(),
            Err(e) => panic!("local address: {e}"),
        },
        Err(e) => panic!("bind: {e}"),
    }; // The listener is dropped: the port refuses connections.
    let app = TestApp::builder()
        .env("SMTP_URL", format!("smtp://127.0.0.1:{port}"))
        .spawn()
        .await;
    let owner = app.register_user("Owner").await;
    let ws = app.create_workspace(&owner.token, "standard").await;
    app.post(
        &format!("/api/v1/workspaces/{}/invitations", id_of(&ws)),
        Some(&owner.token),
        json!({"email": "back.again@example.com", "role": "agent"}),
    )
    .await
    .expect_status(StatusCode::CREATED);
    let invitation = |app: &TestApp| {
        app.outbox_jobs("email")
            .into_iter()
            .find(|j| j.payload["template"] == "invitation")
    };
    eventually("two refused attempts", WAIT, async || {
        match invitation(&app) {
            Some(j) if j.attempts >= 2 && !j.done && j.last_error.is_some() => Ok(()),
            other => Err(format!("{other:?}")),
        }
    })
    .await;

    let smtp = SmtpServer::start_on(port).await;
    smtp.wait_for_to("back.again@example.com", Duration::from_secs(30))
        .await;
    eventually("the invitation done", WAIT, async || {
        match invitation(&app) {
            Some(j) if j.done => Ok(()),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
    assert_eq!(
        smtp.messages_to("back.again@example.com").len(),
        1,
        "delivered exactly once"
    );
}

/// A `serve` process killed with SIGKILL while two mails are mid-send (the SMTP server
/// holds their DATA), with three more queued: after a restart on the same database every
/// mail goes out, the two interrupted ones again once their lease runs out. Nothing is
/// lost; delivery is at least once (docs/SECURITY.md) and, with a server that confirms
/// nothing it could not reply to, exactly once here.
#[tokio::test]
async fn a_server_killed_mid_send_loses_no_mail() {
    let smtp = SmtpServer::start().await;
    smtp.delay_data(Duration::from_secs(120));
    let db_name = handoff_tests::fresh_database().await;
    let db_url = handoff_tests::url_for_db(&db_name);
    {
        use diesel::Connection;
        let mut db = match diesel::PgConnection::establish(&db_url) {
            Ok(c) => c,
            Err(e) => panic!("connect: {e}"),
        };
        let queue = "INSERT INTO outbox_jobs (kind, payload)
            SELECT 'email', jsonb_build_object('to', 'killed' || i || '@example.com',
                                               'subject', 'Mail ' || i, 'text', 'Hello')
              FROM generate_series(1, 5) i";
        if let Err(e) = diesel::sql_query(queue).execute(&mut db) {
            panic!("{queue}: {e}");
        }
    }
    let port = match std::net::TcpListener::bind("127.0.0.1:0") {
        Ok(l) => match l.local_addr() {
            Ok(a) => a.port(),
            Err(e) => panic!("local address: {e}"),
        },
        Err(e) => panic!("bind: {e}"),
    };
    let data_dir = std::env::temp_dir().join(format!("handoff-kill-{db_name}"));
    /// Kills the server process however the test ends.
    struct Killed(std::process::Child);
    impl Drop for Killed {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut server = match std::process::Command::new(env!("CARGO_BIN_EXE_handoff-test-serve"))
        .env("DATABASE_URL", &db_url)
        .env("JWT_SECRET", "MFOmNW3Ay2X+A7rntkkCVqiSCxyevE6+XmVPUdtnosc=")
        .env("DATA_DIR", &data_dir)
        .env("FRONTEND_DIR", data_dir.join("no-frontend"))
        .env("BIND", format!("127.0.0.1:{port}"))
        .env("SMTP_URL", smtp.url())
        .env("EMBEDDINGS", "off")
        .env("OUTBOX_POLL_MS", "50")
        .env("OUTBOX_LEASE_SECS", "2")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()
    {
        Ok(child) => Killed(child),
        Err(e) => panic!("starting the server process: {e}"),
    };
    // Jobs of no workspace are one group: two in flight, both held in DATA.
    smtp.wait_for_data_ended(2, Duration::from_secs(60)).await;
    if let Err(e) = server.0.kill() {
        panic!("SIGKILL: {e}");
    }
    let _ = server.0.wait();
    assert!(smtp.messages().is_empty(), "nothing was confirmed");

    smtp.delay_data(Duration::ZERO);
    let restarted = TestApp::builder()
        .env("SMTP_URL", smtp.url())
        .database(&db_name)
        .spawn()
        .await;
    let jobs = eventually(
        "every mail sent after the restart",
        Duration::from_secs(60),
        async || {
            let jobs = restarted.outbox_jobs("email");
            if jobs.len() == 5 && jobs.iter().all(|j| j.done) {
                Ok(jobs)
            } else {
                Err(format!("{jobs:?}"))
            }
        },
    )
    .await;
    for i in 1..=5 {
        assert_eq!(
            smtp.messages_to(&format!("killed{i}@example.com")).len(),
            1,
            "mail {i} delivered once"
        );
    }
    assert_eq!(
        jobs.iter().filter(|j| j.attempts == 2).count(),
        2,
        "the two interrupted jobs ran again: {jobs:?}"
    );
    drop(restarted);
    handoff_tests::drop_database(&db_name);
    let _ = std::fs::remove_dir_all(&data_dir);
}
