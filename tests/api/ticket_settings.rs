//! The Tickets page setup: plans, emails, roles, disabling, instruction warnings.

use handoff_tests::{ExpectStatus, TestApp, array_at, id_of, str_at};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::tickets::add_member_db;

#[tokio::test]
async fn enabling_needs_standard_or_pro_and_a_valid_email() {
    let app = TestApp::spawn().await;
    let owner = app.register_user("Owner").await;
    let free = app.create_workspace(&owner.token, "free").await;
    let path = format!("/api/v1/workspaces/{}/ticket-settings", id_of(&free));

    let (code, s) = app.get(&path, Some(&owner.token)).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(
        s,
        json!({
            "enabled": false, "notification_email": null, "reply_sets_in_progress": false, "instruction_warnings": [],
            "sender_name": null, "sender_address": null, "sender": "Acme <no-reply@localhost>",
            "email_replies": false, "email_replies_available": false, "email_replies_active": false,
            "acknowledge_tickets": false,
        })
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
    let msg = str_at(&e, "/error/message");
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
        let path = format!("/api/v1/workspaces/{}/ticket-settings", id_of(&ws));
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
        let again = app
            .get(&path, Some(&owner.token))
            .await
            .expect_status(StatusCode::OK);
        assert_eq!(again, s);
    }
}

#[tokio::test]
async fn only_owners_and_admins_change_settings() {
    let app = TestApp::spawn().await;
    let owner = app.register_user("Owner").await;
    let ws = app.create_workspace(&owner.token, "standard").await;
    let ws_id = &id_of(&ws);
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
    let settings = s.get_ok("/ticket-settings").await;
    assert_eq!(settings["enabled"], false);
    assert_eq!(
        settings["notification_email"], "support-team@acme.test",
        "the address is kept"
    );

    s.set_status(&id_of(&t), "resolved").await;
    s.reply(&id_of(&t), "Done", false).await;
    let list = s.get_ok("/tickets").await;
    assert_eq!(array_at(&list, "items").len(), 1, "{list}");
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
    let settings = s.get_ok("/ticket-settings").await;
    let warnings = array_at(&settings, "instruction_warnings");
    assert_eq!(warnings.len(), 1, "{settings}");
    assert!(
        str_at(&warnings[0], "sentence").contains("support@acme.test"),
        "{settings}"
    );
    assert!(warnings[0]["reason"].is_string());
    let reply_setting = s
        .app
        .put(&s.path("/ticket-settings"), Some(&s.owner.token), json!({"enabled": true, "notification_email": "a@b.test", "reply_sets_in_progress": true}))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(reply_setting["reply_sets_in_progress"], true);
    assert_eq!(
        reply_setting["instruction_warnings"],
        Value::Array(warnings.to_vec())
    );
}
