//! Workspaces: create, read, update; roles; other tenants' ids are 404.

use handoff_tests::{TestApp, id_of};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn create_read_update_workspace() {
    let app = TestApp::spawn().await;
    let owner = app.register_user("Owner").await;
    let (status, ws) = app
        .post(
            "/api/v1/workspaces",
            Some(&owner.token),
            json!({"name": "Acme"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ws}");
    assert_eq!(ws["plan"], "free", "plan defaults to free");
    assert!(
        ws["widget_key"]
            .as_str()
            .is_some_and(|k| k.starts_with("wk_"))
    );
    assert_eq!(ws["allowed_origins"], json!([]));
    let id = id_of(&ws);

    let (status, got) = app
        .get(&format!("/api/v1/workspaces/{id}"), Some(&owner.token))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got["name"], "Acme");

    let (status, upd) = app
        .patch(
            &format!("/api/v1/workspaces/{id}"),
            Some(&owner.token),
            json!({"name": "Acme Inc", "plan": "free", "allowed_origins": ["https://Shop.Example.com/", "http://localhost:3000"], "widget_color": "#FF0000"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{upd}");
    assert_eq!(upd["name"], "Acme Inc");
    assert_eq!(upd["plan"], "free", "repeating the current plan is fine");
    assert_eq!(
        upd["allowed_origins"],
        json!(["https://shop.example.com", "http://localhost:3000"])
    );
    assert_eq!(upd["widget_color"], "#ff0000");
}

#[tokio::test]
async fn workspace_input_is_validated() {
    let app = TestApp::spawn().await;
    let owner = app.register_user("Owner").await;
    let (status, body) = app
        .post(
            "/api/v1/workspaces",
            Some(&owner.token),
            json!({"name": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["name"].is_array());
    let (status, body) = app
        .post(
            "/api/v1/workspaces",
            Some(&owner.token),
            json!({"name": "X", "plan": "gold"}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let ws = app.create_workspace(&owner.token, "free").await;
    let id = id_of(&ws);
    let (status, body) = app
        .patch(
            &format!("/api/v1/workspaces/{id}"),
            Some(&owner.token),
            json!({"allowed_origins": ["https://ok.com/path"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        handoff_tests::str_at(&body, "/error/fields/allowed_origins/0")
            .contains("https://ok.com/path"),
        "{body}"
    );
    let (status, _) = app
        .patch(
            &format!("/api/v1/workspaces/{id}"),
            Some(&owner.token),
            json!({"widget_color": "red"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app
        .post("/api/v1/workspaces", None, json!({"name": "X"}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn other_workspaces_are_invisible() {
    let app = TestApp::spawn().await;
    let alice = app.register_user("Alice").await;
    let bob = app.register_user("Bob").await;
    let ws = app.create_workspace(&alice.token, "standard").await;
    let id = id_of(&ws);
    let (status, body) = app
        .get(&format!("/api/v1/workspaces/{id}"), Some(&bob.token))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
    let (status, _) = app
        .patch(
            &format!("/api/v1/workspaces/{id}"),
            Some(&bob.token),
            json!({"name": "pwned"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .get(
            &format!("/api/v1/workspaces/{id}/members"),
            Some(&bob.token),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let random = uuid::Uuid::new_v4();
    let (status, _) = app
        .get(&format!("/api/v1/workspaces/{random}"), Some(&alice.token))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn agents_cannot_change_settings() {
    let app = TestApp::spawn().await;
    let owner = app.register_user("Owner").await;
    let agent = app.register_user("Agent").await;
    let ws = app.create_workspace(&owner.token, "standard").await;
    let id = id_of(&ws);
    app.add_member(&owner.token, &id, &agent, "agent").await;
    let (status, _) = app
        .get(&format!("/api/v1/workspaces/{id}"), Some(&agent.token))
        .await;
    assert_eq!(status, StatusCode::OK, "agents can read the workspace");
    for body in [
        json!({"name": "x"}),
        json!({"plan": "pro"}),
        json!({"allowed_origins": []}),
    ] {
        let (status, err) = app
            .patch(
                &format!("/api/v1/workspaces/{id}"),
                Some(&agent.token),
                body,
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(err["error"]["code"], "forbidden");
    }
}

#[tokio::test]
async fn plans_are_set_by_the_operator_only() {
    let app = TestApp::spawn().await;
    let owner = app.register_user("Owner").await;
    // Owners can't pick a paid plan, at creation or later.
    for plan in ["standard", "pro"] {
        let (status, body) = app
            .post(
                "/api/v1/workspaces",
                Some(&owner.token),
                json!({"name": "PayPal Security", "plan": plan}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["error"]["code"], "plan_set_by_operator", "{body}");
    }
    let ws = app.create_workspace(&owner.token, "free").await;
    let id = id_of(&ws);
    let (status, body) = app
        .patch(
            &format!("/api/v1/workspaces/{id}"),
            Some(&owner.token),
            json!({"plan": "pro"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "plan_set_by_operator");
    let plan_path = format!("/api/v1/operator/workspaces/{id}/plan");
    let (status, body) = app
        .put(&plan_path, Some(&owner.token), json!({"plan": "pro"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "operator_only");

    // An operator (flagged the way `handoff operator grant` does) sets it.
    let op = app.register_user("Operator").await;
    let mut conn = app.async_db().await;
    handoff::services::operator::set_operator(&mut conn, &op.email.to_uppercase(), true)
        .await
        .expect("grant");
    let (status, body) = app
        .put(&plan_path, Some(&op.token), json!({"plan": "pro"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["plan"], "pro");
    let (_, got) = app
        .get(&format!("/api/v1/workspaces/{id}"), Some(&owner.token))
        .await;
    assert_eq!(got["plan"], "pro");
    let (status, _) = app
        .put(
            &format!("/api/v1/operator/workspaces/{}/plan", uuid::Uuid::new_v4()),
            Some(&op.token),
            json!({"plan": "pro"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The CLI's path; then revoked operators can't any more.
    let set = handoff::services::operator::set_plan_unchecked(
        &mut conn,
        id.parse().expect("a uuid"),
        handoff::domain::enums::Plan::Standard,
    )
    .await
    .expect("set plan");
    assert_eq!(set.plan, handoff::domain::enums::Plan::Standard);
    handoff::services::operator::set_operator(&mut conn, &op.email, false)
        .await
        .expect("revoke");
    let (status, _) = app
        .put(&plan_path, Some(&op.token), json!({"plan": "free"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        handoff::services::operator::set_operator(&mut conn, "nobody@example.com", true)
            .await
            .is_err()
    );
}
