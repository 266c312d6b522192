//! Members, roles, invitations and API keys.

use handoff_tests::{ExpectStatus, TestApp, array_at, id_of, str_at};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn invitation_flow_by_email() {
    let app = TestApp::spawn().await;
    let owner = app.register_user("Owner").await;
    let invitee = app.register_user("Invitee").await;
    let ws = app.create_workspace(&owner.token, "standard").await;
    let id = &id_of(&ws);

    let (status, inv) = app
        .post(
            &format!("/api/v1/workspaces/{id}/invitations"),
            Some(&owner.token),
            json!({"email": invitee.email, "role": "admin"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{inv}");
    assert_eq!(inv["role"], "admin");
    assert!(inv.get("token").is_none(), "the token goes by email only");
    let pending = app
        .get(
            &format!("/api/v1/workspaces/{id}/invitations"),
            Some(&owner.token),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(array_at(&pending, "items").len(), 1, "{pending}");

    let token = app.invitation_token_for(&invitee.email).await;
    let mail = app
        .mail_files()
        .into_iter()
        .find(|m| m.contains(&invitee.email))
        .expect("the invitation's .eml file");
    assert!(
        mail.contains("Subject: You're invited to Acme on Handoff"),
        "{mail}"
    );

    // Someone else can't use it.
    let stranger = app.register_user("Stranger").await;
    let (status, _) = app
        .post(
            "/api/v1/invitations/accept",
            Some(&stranger.token),
            json!({"token": token}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, m) = app
        .post(
            "/api/v1/invitations/accept",
            Some(&invitee.token),
            json!({"token": token}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{m}");
    assert_eq!(m["role"], "admin");
    let (status, _) = app
        .post(
            "/api/v1/invitations/accept",
            Some(&invitee.token),
            json!({"token": token}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "used once");
    let (status, _) = app
        .post(
            "/api/v1/invitations/accept",
            Some(&invitee.token),
            json!({"token": "hi_bogus"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let members = app
        .get(
            &format!("/api/v1/workspaces/{id}/members"),
            Some(&invitee.token),
        )
        .await
        .expect_status(StatusCode::OK);
    let items = array_at(&members, "items");
    assert_eq!(items.len(), 2);
    assert!(
        items
            .iter()
            .any(|m| m["email"] == invitee.email.as_str() && m["role"] == "admin")
    );
}

#[tokio::test]
async fn expired_invitations_are_refused() {
    let app = TestApp::spawn().await;
    let owner = app.register_user("Owner").await;
    let invitee = app.register_user("Late").await;
    let ws = app.create_workspace(&owner.token, "standard").await;
    let id = &id_of(&ws);
    app.post(
        &format!("/api/v1/workspaces/{id}/invitations"),
        Some(&owner.token),
        json!({"email": invitee.email, "role": "agent"}),
    )
    .await
    .expect_status(StatusCode::CREATED);
    let token = app.invitation_token_for(&invitee.email).await;
    {
        use diesel::RunQueryDsl;
        let mut db = app.db();
        diesel::sql_query("UPDATE invitations SET expires_at = now() - interval '1 minute'")
            .execute(&mut db)
            .expect("expire the invitation");
    }
    let (status, body) = app
        .post(
            "/api/v1/invitations/accept",
            Some(&invitee.token),
            json!({"token": token}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        str_at(&body, "/error/fields/token/0").contains("expired"),
        "{body}"
    );
}

#[tokio::test]
async fn roles_and_the_last_owner() {
    let app = TestApp::spawn().await;
    let owner = app.register_user("Owner").await;
    let admin = app.register_user("Admin").await;
    let agent = app.register_user("Agent").await;
    let ws = app.create_workspace(&owner.token, "standard").await;
    let id = &id_of(&ws);
    app.add_member(&owner.token, id, &admin, "admin").await;
    app.add_member(&owner.token, id, &agent, "agent").await;

    // Agents can't manage members or invite.
    let (status, _) = app
        .patch(
            &format!("/api/v1/workspaces/{id}/members/{}", admin.id),
            Some(&agent.token),
            json!({"role": "agent"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .post(
            &format!("/api/v1/workspaces/{id}/invitations"),
            Some(&agent.token),
            json!({"email": "x@y.co", "role": "agent"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .delete(
            &format!("/api/v1/workspaces/{id}/members/{}", admin.id),
            Some(&agent.token),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Admins manage agents but not owners.
    let (status, m) = app
        .patch(
            &format!("/api/v1/workspaces/{id}/members/{}", agent.id),
            Some(&admin.token),
            json!({"role": "admin"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{m}");
    assert_eq!(m["role"], "admin");
    let (status, _) = app
        .patch(
            &format!("/api/v1/workspaces/{id}/members/{}", owner.id),
            Some(&admin.token),
            json!({"role": "agent"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The last owner can be neither demoted nor removed.
    let (status, body) = app
        .patch(
            &format!("/api/v1/workspaces/{id}/members/{}", owner.id),
            Some(&owner.token),
            json!({"role": "admin"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "last_owner");
    let (status, _) = app
        .delete(
            &format!("/api/v1/workspaces/{id}/members/{}", owner.id),
            Some(&owner.token),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // With a second owner, the first may step down.
    let (status, _) = app
        .patch(
            &format!("/api/v1/workspaces/{id}/members/{}", admin.id),
            Some(&owner.token),
            json!({"role": "owner"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .patch(
            &format!("/api/v1/workspaces/{id}/members/{}", owner.id),
            Some(&owner.token),
            json!({"role": "agent"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    // Removal; a member may leave by themselves.
    let (status, _) = app
        .delete(
            &format!("/api/v1/workspaces/{id}/members/{}", agent.id),
            Some(&agent.token),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app
        .get(&format!("/api/v1/workspaces/{id}"), Some(&agent.token))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .delete(
            &format!("/api/v1/workspaces/{id}/members/{}", uuid::Uuid::new_v4()),
            Some(&admin.token),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn api_keys_are_shown_once_hashed_scoped_and_revocable() {
    let app = TestApp::spawn().await;
    let owner = app.register_user("Owner").await;
    let ws = app.create_workspace(&owner.token, "standard").await;
    let other = app.create_workspace(&owner.token, "standard").await;
    let id = &id_of(&ws);
    let other_id = id_of(&other);

    let (status, created) = app
        .post(
            &format!("/api/v1/workspaces/{id}/api-keys"),
            Some(&owner.token),
            json!({"name": "CRM sync", "scopes": ["admin"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let key = str_at(&created, "key").to_string();
    assert!(key.starts_with("hk_"));
    let list = app
        .get(
            &format!("/api/v1/workspaces/{id}/api-keys"),
            Some(&owner.token),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(list["items"][0]["name"], "CRM sync");
    assert!(list["items"][0].get("key").is_none(), "never shown again");
    assert!(key.starts_with(str_at(&list, "/items/0/prefix")), "{list}");

    {
        use diesel::prelude::*;
        #[derive(QueryableByName)]
        struct C {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut db = app.db();
        let c: C = diesel::sql_query(format!(
            "SELECT count(*) AS n FROM api_keys WHERE key_hash = '{key}'"
        ))
        .get_result(&mut db)
        .expect("count api keys");
        assert_eq!(c.n, 0, "stored hashed");
    }

    // The key acts within its workspace only.
    let (status, _) = app
        .get(&format!("/api/v1/workspaces/{id}"), Some(&key))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .get(&format!("/api/v1/workspaces/{other_id}"), Some(&key))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Keys can't mint keys or manage members, nor act as a user.
    let (status, _) = app
        .post(
            &format!("/api/v1/workspaces/{id}/api-keys"),
            Some(&key),
            json!({"name": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.get("/api/v1/me", Some(&key)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let kid = id_of(&created);
    let (status, _) = app
        .delete(
            &format!("/api/v1/workspaces/{other_id}/api-keys/{kid}"),
            Some(&owner.token),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another workspace's key id");
    let (status, _) = app
        .delete(
            &format!("/api/v1/workspaces/{id}/api-keys/{kid}"),
            Some(&owner.token),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app
        .get(&format!("/api/v1/workspaces/{id}"), Some(&key))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
