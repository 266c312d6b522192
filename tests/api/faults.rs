//! Faults, each on a private Postgres cluster the test starts on a spare port (so it can be
//! stopped without touching other tests' databases).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use handoff_tests::pg::PrivatePostgres;
use handoff_tests::{TestApp, eventually};
use reqwest::StatusCode;
use serde_json::json;
use tokio::sync::Mutex;

use crate::tickets::setup_with;

/// How long a client waits before calling a request hung.
const HUNG: Duration = Duration::from_secs(15);
/// The server must be whole again this soon after Postgres is back (issue 10).
const RECOVERY: Duration = Duration::from_secs(5);

/// What the writers saw.
#[derive(Default)]
struct Seen {
    /// Tickets a 2xx said were created: (id, summary).
    created: Vec<(String, String)>,
    /// Other answers, by status.
    refused: Vec<u16>,
    /// Requests that got no answer within `HUNG` (or no HTTP answer at all).
    hung: Vec<String>,
}

async fn status_of(client: &reqwest::Client, url: &str) -> Result<StatusCode, String> {
    client
        .get(url)
        .timeout(HUNG)
        .send()
        .await
        .map(|r| r.status())
        .map_err(|e| e.to_string())
}

/// Postgres stopped under load: requests get 503 (they don't hang), `/readyz` says 503.
/// Postgres started again: within 5 s the server answers again without a restart (its pool
/// and its LISTEN connection both recover), every write that got a 2xx is there, and event
/// streams work again (the ones open during the outage are told to resync).
#[tokio::test]
async fn postgres_stopped_under_load_answers_503_and_the_server_recovers_without_a_restart() {
    let pg = Arc::new(
        tokio::task::spawn_blocking(PrivatePostgres::start)
            .await
            .expect("start the private cluster"),
    );
    {
        use diesel::{Connection, RunQueryDsl};
        let mut admin = diesel::PgConnection::establish(&pg.url("postgres")).expect("connect");
        diesel::sql_query("CREATE DATABASE handoff")
            .execute(&mut admin)
            .expect("create database");
    }
    handoff::db::run_migrations(&pg.url("handoff"))
        .await
        .expect("migrate");
    let app = TestApp::builder()
        .database_url(&pg.url("handoff"))
        .spawn()
        .await;
    let s = Arc::new(setup_with(app).await);
    let ready = s.app.url("/readyz");
    assert_eq!(status_of(&s.app.client, &ready).await, Ok(StatusCode::OK));
    let url = s.app.stream_url(&s.path("/events"), &s.owner.token).await;
    let mut during = s.app.event_stream(&url, None).await;

    // Load: writers creating tickets until told to stop.
    let seen = Arc::new(Mutex::new(Seen::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..4 {
        let (s, seen, stop) = (s.clone(), seen.clone(), stop.clone());
        writers.push(tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::SeqCst) {
                i += 1;
                let summary = format!("writer {w} ticket {i}");
                let sent = s
                    .app
                    .client
                    .post(s.app.url(&s.path("/tickets")))
                    .bearer_auth(&s.owner.token)
                    .timeout(HUNG)
                    .json(
                        &json!({"visitor_email": format!("w{w}@example.com"), "summary": summary}),
                    )
                    .send()
                    .await;
                let mut seen = seen.lock().await;
                match sent {
                    Ok(r) if r.status().is_success() => {
                        let body: serde_json::Value = r.json().await.unwrap_or_default();
                        let id = body["id"].as_str().unwrap_or_default().to_string();
                        seen.created.push((id, summary));
                    }
                    Ok(r) => seen.refused.push(r.status().as_u16()),
                    Err(e) => seen.hung.push(format!("{summary}: {e}")),
                }
                drop(seen);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }));
    }
    let count = |f: fn(&Seen) -> usize| {
        let seen = seen.clone();
        async move { f(&*seen.lock().await) }
    };
    eventually(
        "writes before the outage",
        handoff_tests::WAIT,
        async || {
            let n = count(|s| s.created.len()).await;
            if n >= 20 {
                Ok(())
            } else {
                Err(format!("{n} created"))
            }
        },
    )
    .await;

    // Postgres goes away under the writers.
    let down = pg.clone();
    tokio::task::spawn_blocking(move || down.stop())
        .await
        .expect("stop Postgres");
    let refused_before = count(|s| s.refused.len()).await;
    eventually(
        "writes refused during the outage",
        handoff_tests::WAIT,
        async || {
            let n = count(|s| s.refused.len()).await - refused_before;
            if n >= 20 {
                Ok(())
            } else {
                Err(format!("{n} refused"))
            }
        },
    )
    .await;
    assert_eq!(
        status_of(&s.app.client, &ready).await,
        Ok(StatusCode::SERVICE_UNAVAILABLE),
        "/readyz during the outage"
    );

    // Postgres is back: the same server process recovers, pool and listener.
    let up = pg.clone();
    tokio::task::spawn_blocking(move || up.start_again())
        .await
        .expect("start Postgres again");
    let metrics = s.app.url("/metrics");
    eventually("the server whole again", RECOVERY, async || {
        let ready = status_of(&s.app.client, &ready).await;
        let text = match s.app.client.get(&metrics).timeout(HUNG).send().await {
            Ok(r) => r.text().await.unwrap_or_default(),
            Err(e) => e.to_string(),
        };
        let relistened = text
            .lines()
            .any(|l| l.starts_with("event_listener_reconnects_total") && !l.ends_with(" 0"));
        if ready == Ok(StatusCode::OK) && relistened {
            Ok(())
        } else {
            Err(format!(
                "readyz {ready:?}, listener reconnected: {relistened}"
            ))
        }
    })
    .await;
    let created_before = count(|s| s.created.len()).await;
    eventually("writes succeeding again", RECOVERY, async || {
        let n = count(|s| s.created.len()).await - created_before;
        if n >= 4 {
            Ok(())
        } else {
            Err(format!("{n} created since"))
        }
    })
    .await;
    stop.store(true, Ordering::SeqCst);
    for w in writers {
        w.await.expect("writer");
    }

    // The stream open during the outage was ended when the listener came back (its
    // client resumes with Last-Event-ID); a new one gets live events again.
    during.ends().await;
    let url = s.app.stream_url(&s.path("/events"), &s.owner.token).await;
    let mut after = s.app.event_stream(&url, None).await;
    let t = s.create("after@example.com", "After the outage").await;
    after
        .next_event(|e| e.name == "ticket.created" && e.data["id"] == t["id"])
        .await;

    // Nothing hung, every refusal was a 503, every acknowledged write is there.
    let seen = seen.lock().await;
    assert!(seen.hung.is_empty(), "requests that hung: {:?}", seen.hung);
    let not_503: Vec<_> = seen.refused.iter().filter(|s| **s != 503).collect();
    assert!(not_503.is_empty(), "refusals other than 503: {not_503:?}");
    let ids: Vec<&str> = seen.created.iter().map(|(id, _)| id.as_str()).collect();
    let present = {
        use diesel::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct Id {
            #[diesel(sql_type = diesel::sql_types::Text)]
            id: String,
        }
        let rows: Vec<Id> = diesel::sql_query("SELECT id::text AS id FROM tickets")
            .load(&mut s.app.db())
            .expect("read tickets");
        rows.into_iter()
            .map(|r| r.id)
            .collect::<std::collections::HashSet<_>>()
    };
    let missing: Vec<_> = ids.iter().filter(|id| !present.contains(**id)).collect();
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged writes are missing: {missing:?}",
        missing.len(),
        ids.len()
    );
}
