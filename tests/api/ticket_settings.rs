//! The Tickets page setup: plans, emails, roles, disabling, instruction warnings.

use handoff_tests::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::tickets::add_member_db;

#[tokio::test]
async fn enabling_needs_standard_or_pro_and_a_valid_email() {
    let app = TestApp::spawn().await;
    let owner = app.register_user("Owner").await;
    let free = app.create_workspace(&owner.token, "free").await;
    let path = format!(
        "/api/v1/workspaces/{}/ticket-settings",
        free["id"].as_str().unwrap_or_default()
    );

    let (code, s) = app.get(&path, Some(&owner.token)).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(
        s,
        json!({"enabled": false, "notification_email": null, "reply_sets_in_progress": false, "instruction_warnings": []})
    );

    let (code, e) = app
        .put(
            &path,
            Some(&owner.token),
            json!({"enabled": true, "notification_email": "ops@acme.test"}),
        )
        .await;
    assert_eq!(code, StatusCode::PAYMENT_REQUIRED, "{e}");
    assert_eq!(e["error"]["code"], "plan_required");
    let msg = e["error"]["message"].as_str().unwrap_or_default();
    assert!(msg.contains("Standard") && msg.contains("Pro"), "{msg}");
    // Disabling (or saving an email while disabled) is fine on Free.
    let (code, s) = app
        .put(
            &path,
            Some(&owner.token),
            json!({"enabled": false, "notification_email": "ops@acme.test"}),
        )
        .await;
    assert_eq!(code, StatusCode::OK, "{s}");

    for plan in ["standard", "pro"] {
        let ws = app.create_workspace(&owner.token, plan).await;
        let path = format!(
            "/api/v1/workspaces/{}/ticket-settings",
            ws["id"].as_str().unwrap_or_default()
        );
        for (body, field) in [
            (
                json!({"enabled": true, "notification_email": "not-an-email"}),
                "notification_email",
            ),
            (json!({"enabled": true}), "notification_email"),
            (
                json!({"enabled": true, "notification_email": ""}),
                "notification_email",
            ),
        ] {
            let (code, e) = app.put(&path, Some(&owner.token), body).await;
            assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
            assert!(e["error"]["fields"][field].is_array(), "{e}");
        }
        let (code, s) = app
            .put(
                &path,
                Some(&owner.token),
                json!({"enabled": true, "notification_email": " ops@acme.test "}),
            )
            .await;
        assert_eq!(code, StatusCode::OK, "{s}");
        assert_eq!(s["enabled"], true);
        assert_eq!(s["notification_email"], "ops@acme.test");
        let (_, again) = app.get(&path, Some(&owner.token)).await;
        assert_eq!(again, s);
    }
}

#[tokio::test]
async fn only_owners_and_admins_change_settings() {
    let app = TestApp::spawn().await;
    let owner = app.register_user("Owner").await;
    let ws = app.create_workspace(&owner.token, "standard").await;
    let ws_id = ws["id"].as_str().unwrap_or_default();
    let path = format!("/api/v1/workspaces/{ws_id}/ticket-settings");
    let agent = app.register_user("Agent").await;
    let admin = app.register_user("Admin").await;
    add_member_db(&app, ws_id, &agent, "agent");
    add_member_db(&app, ws_id, &admin, "admin");
    let body = json!({"enabled": true, "notification_email": "ops@acme.test"});

    let (code, e) = app.put(&path, Some(&agent.token), body.clone()).await;
    assert_eq!(code, StatusCode::FORBIDDEN, "{e}");
    let (code, _) = app.get(&path, Some(&agent.token)).await;
    assert_eq!(code, StatusCode::OK, "agents read the settings");
    let (code, s) = app.put(&path, Some(&admin.token), body.clone()).await;
    assert_eq!(code, StatusCode::OK, "{s}");
    let stranger = app.register_user("Stranger").await;
    let (code, _) = app.put(&path, Some(&stranger.token), body).await;
    assert_eq!(code, StatusCode::NOT_FOUND);
    let (code, _) = app.get(&path, None).await;
    assert_eq!(code, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn disabling_keeps_existing_tickets_workable() {
    let s = crate::tickets::setup().await;
    let t = s.create("keep@example.com", "Made while enabled").await;
    let (code, _) = s
        .app
        .put(
            &s.path("/ticket-settings"),
            Some(&s.owner.token),
            json!({"enabled": false}),
        )
        .await;
    assert_eq!(code, StatusCode::OK);
    let (_, settings) = s
        .app
        .get(&s.path("/ticket-settings"), Some(&s.owner.token))
        .await;
    assert_eq!(settings["enabled"], false);
    assert_eq!(
        settings["notification_email"], "support-team@acme.test",
        "the address is kept"
    );

    let (code, moved) = s
        .status(t["id"].as_str().unwrap_or_default(), "resolved")
        .await;
    assert_eq!(code, StatusCode::OK, "{moved}");
    let (code, m) = s
        .app
        .post(
            &s.path(&format!(
                "/tickets/{}/replies",
                t["id"].as_str().unwrap_or_default()
            )),
            Some(&s.owner.token),
            json!({"body": "Done", "email_visitor": false}),
        )
        .await;
    assert_eq!(code, StatusCode::CREATED, "{m}");
    let (code, list) = s.app.get(&s.path("/tickets"), Some(&s.owner.token)).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
    // New tickets wait until tickets are enabled again.
    let (code, e) = s
        .app
        .post(
            &s.path("/tickets"),
            Some(&s.owner.token),
            json!({"visitor_email": "new@example.com", "summary": "After disabling"}),
        )
        .await;
    assert_eq!(code, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["error"]["code"], "tickets_disabled");
}

#[tokio::test]
async fn instruction_warnings_quote_the_offending_sentence() {
    let s = crate::tickets::setup().await;
    let (code, _) = s
        .app
        .put(
            &s.path("/ai-settings"),
            Some(&s.owner.token),
            json!({"instructions": "Be friendly. For refunds, email support@acme.test and we will help."}),
        )
        .await;
    assert_eq!(code, StatusCode::OK);
    let (_, settings) = s
        .app
        .get(&s.path("/ticket-settings"), Some(&s.owner.token))
        .await;
    let warnings = settings["instruction_warnings"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(warnings.len(), 1, "{settings}");
    assert!(
        warnings[0]["sentence"]
            .as_str()
            .unwrap_or_default()
            .contains("support@acme.test")
    );
    assert!(warnings[0]["reason"].is_string());
    let (_, reply_setting) = s
        .app
        .put(&s.path("/ticket-settings"), Some(&s.owner.token), json!({"enabled": true, "notification_email": "a@b.test", "reply_sets_in_progress": true}))
        .await;
    assert_eq!(reply_setting["reply_sets_in_progress"], true);
    assert_eq!(
        reply_setting["instruction_warnings"],
        Value::Array(warnings)
    );
}
