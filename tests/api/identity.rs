//! Verified identity (issue 15, item 4): the host page signs its user's id with the
//! workspace's identity secret; a right hash makes the widget's visitor that user's one
//! visitor (one history across devices, never asked for an email, verified in the
//! dashboard); a wrong one is refused and the visitor goes on anonymous.

use handoff::domain::identity::sign;
use handoff_tests::{ExpectStatus, TestApp, str_at};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::widget::{Site, asks_email, say, site, tickets};

async fn rotate(app: &TestApp, site: &Site) -> String {
    let out = app
        .post(
            &format!("/api/v1/workspaces/{}/identity-secret", site.ws),
            Some(&site.owner_token),
            json!(null),
        )
        .await
        .expect_status(StatusCode::CREATED);
    let secret = str_at(&out, "secret").to_string();
    assert!(secret.starts_with("idsec_"), "{out}");
    secret
}

/// A widget session, with a visitor token (resume) and an identity claim when given.
async fn session_as(app: &TestApp, site: &Site, token: Option<&str>, identity: Value) -> Value {
    let mut body = json!({"widget_key": site.widget_key, "page_url": "https://shop.example.com/"});
    if let Some(t) = token {
        body["visitor_token"] = json!(t);
    }
    if !identity.is_null() {
        body["identity"] = identity;
    }
    app.post("/api/v1/widget/sessions", None, body)
        .await
        .expect_status(StatusCode::CREATED)
}

fn claim(secret: &str, user_id: &str, email: &str) -> Value {
    json!({"user_id": user_id, "email": email, "name": "Pat Lee", "hash": sign(secret, user_id)})
}

fn visitor(session: &Value) -> crate::widget::Visitor {
    crate::widget::Visitor {
        token: str_at(session, "visitor_token").to_string(),
        session: session.clone(),
    }
}

#[tokio::test]
async fn a_verified_user_keeps_one_history_across_devices_and_is_never_asked_for_an_email() {
    let app = TestApp::spawn().await;
    let site = site(&app, "standard", true).await;
    let secret = rotate(&app, &site).await;
    let ws = app
        .get(
            &format!("/api/v1/workspaces/{}", site.ws),
            Some(&site.owner_token),
        )
        .await
        .expect_status(StatusCode::OK);
    assert!(ws["identity_secret_created_at"].is_string(), "{ws}");

    // The laptop: verified, with the host's email.
    let laptop = session_as(&app, &site, None, claim(&secret, "u-1", "Pat@Example.com")).await;
    assert_eq!(laptop["verified"], true, "{laptop}");
    assert_eq!(laptop["identity"], "verified");
    assert_eq!(laptop["live"]["visitor_email"], "pat@example.com");
    say(&app, &visitor(&laptop), "Hello from my laptop").await;

    // The phone, a new browser: the same visitor, the same conversation.
    let phone = session_as(&app, &site, None, claim(&secret, "u-1", "pat@example.com")).await;
    assert_eq!(phone["visitor_id"], laptop["visitor_id"]);
    assert_eq!(phone["conversation_id"], laptop["conversation_id"]);
    let bodies: Vec<&str> = phone["messages"]
        .as_array()
        .map(|m| m.iter().map(|m| str_at(m, "body")).collect())
        .unwrap_or_default();
    assert!(bodies.contains(&"Hello from my laptop"), "{bodies:?}");

    // Asking for a person: the team has the email already, so the widget doesn't ask.
    let a = say(&app, &visitor(&phone), "I want a refund for order 1234").await;
    assert!(!asks_email(&a), "{a}");
    let a = if a["ticket"].is_null() {
        say(&app, &visitor(&phone), "yes").await
    } else {
        a
    };
    assert!(!asks_email(&a), "{a}");
    let made = tickets(&app, &site.ws);
    assert_eq!(made.len(), 1, "{a}");
    assert_eq!(made[0].visitor_email, "pat@example.com");

    // The dashboard sees who it is.
    let detail = app
        .get(
            &format!(
                "/api/v1/workspaces/{}/tickets/TKT-{}",
                site.ws, made[0].number
            ),
            Some(&site.owner_token),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(detail["visitor"]["external_id"], "u-1", "{detail}");
    assert!(detail["visitor"]["verified_at"].is_string());
    assert_eq!(detail["visitor"]["name"], "Pat Lee");
}

#[tokio::test]
async fn an_anonymous_chat_continues_after_login_and_another_user_starts_their_own() {
    let app = TestApp::spawn().await;
    let site = site(&app, "standard", true).await;
    let secret = rotate(&app, &site).await;
    let anon = session_as(&app, &site, None, Value::Null).await;
    assert_eq!(anon["verified"], false);
    assert!(anon.get("identity").is_none(), "{anon}");
    say(&app, &visitor(&anon), "Before I logged in").await;
    let token = str_at(&anon, "visitor_token");

    // They log in on the host page: the same visitor, now verified.
    let in_ = session_as(
        &app,
        &site,
        Some(token),
        claim(&secret, "u-7", "kim@example.com"),
    )
    .await;
    assert_eq!(in_["visitor_id"], anon["visitor_id"]);
    assert_eq!(in_["verified"], true);

    // Someone else logs in on the same browser: not the first user's chat.
    let other_token = str_at(&in_, "visitor_token");
    let other = session_as(
        &app,
        &site,
        Some(other_token),
        claim(&secret, "u-8", "lee@example.com"),
    )
    .await;
    assert_ne!(other["visitor_id"], anon["visitor_id"]);
    assert_ne!(other["conversation_id"], anon["conversation_id"]);
    assert_eq!(
        other["messages"].as_array().map(Vec::len),
        Some(0),
        "{other}"
    );
    assert_eq!(other["live"]["visitor_email"], "lee@example.com");
}

#[tokio::test]
async fn wrong_hashes_and_claims_without_a_secret_are_refused_and_the_visitor_stays_anonymous() {
    let app = TestApp::spawn().await;
    let site = site(&app, "standard", true).await;

    // No secret yet: nothing can be verified.
    let off = session_as(
        &app,
        &site,
        None,
        claim("idsec_guess", "u-1", "pat@example.com"),
    )
    .await;
    assert_eq!(
        (off["verified"].clone(), off["identity"].clone()),
        (json!(false), json!("not_enabled"))
    );

    let secret = rotate(&app, &site).await;
    let real = session_as(&app, &site, None, claim(&secret, "u-1", "pat@example.com")).await;
    say(&app, &visitor(&real), "My private order").await;

    // Someone who knows the user id but not the secret gets an anonymous visitor of their own.
    let forged = session_as(
        &app,
        &site,
        None,
        claim("idsec_guess", "u-1", "pat@example.com"),
    )
    .await;
    assert_eq!(forged["verified"], false);
    assert_eq!(forged["identity"], "bad_hash");
    assert_ne!(forged["visitor_id"], real["visitor_id"]);
    assert_eq!(forged["messages"].as_array().map(Vec::len), Some(0));
    assert!(forged["live"]["visitor_email"].is_null(), "{forged}");
    let hash_of_another = json!({"user_id": "u-1", "hash": sign(&secret, "u-2")});
    let swapped = session_as(&app, &site, None, hash_of_another).await;
    assert_eq!(swapped["identity"], "bad_hash");

    // A malformed claim: refused the same way.
    for bad in [
        json!({"user_id": "", "hash": sign(&secret, "")}),
        json!({"user_id": "u-1", "email": "not an email", "hash": sign(&secret, "u-1")}),
        json!({"user_id": "x".repeat(256), "hash": sign(&secret, &"x".repeat(256))}),
    ] {
        let s = session_as(&app, &site, None, bad.clone()).await;
        assert_eq!(s["identity"], "malformed", "{bad}: {s}");
        assert_ne!(s["visitor_id"], real["visitor_id"]);
    }
    // Not even a claim (no hash): 400, like any body of the wrong shape.
    let (st, e) = app
        .post(
            "/api/v1/widget/sessions",
            None,
            json!({"widget_key": site.widget_key, "identity": {"user_id": "u-1"}}),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{e}");

    // A rotated secret: the old signatures stop working at once.
    let new_secret = rotate(&app, &site).await;
    let stale = session_as(&app, &site, None, claim(&secret, "u-1", "pat@example.com")).await;
    assert_eq!(stale["identity"], "bad_hash");
    let fresh = session_as(
        &app,
        &site,
        None,
        claim(&new_secret, "u-1", "pat@example.com"),
    )
    .await;
    assert_eq!(fresh["visitor_id"], real["visitor_id"]);

    // Removed: claims are not checked any more; the verified visitor stays verified.
    app.delete(
        &format!("/api/v1/workspaces/{}/identity-secret", site.ws),
        Some(&site.owner_token),
    )
    .await
    .expect_status(StatusCode::NO_CONTENT);
    let after = session_as(
        &app,
        &site,
        None,
        claim(&new_secret, "u-1", "pat@example.com"),
    )
    .await;
    assert_eq!(after["identity"], "not_enabled");
}

#[tokio::test]
async fn only_admins_of_the_workspace_manage_the_secret() {
    let app = TestApp::spawn().await;
    let site = site(&app, "standard", true).await;
    let path = format!("/api/v1/workspaces/{}/identity-secret", site.ws);
    let stranger = app.register_user("Stranger").await;
    let (st, _) = app.post(&path, Some(&stranger.token), json!(null)).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "another workspace's: 404");
    let (st, _) = app.delete(&path, Some(&stranger.token)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = app.post(&path, None, json!(null)).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
}
