//! Sessions end when access ends: single-use stream tickets instead of credentials in URLs,
//! streams that close when the token expires, the member is removed, the key revoked or the
//! session logged out; refresh grace and absolute session lifetime; password change, log out
//! everywhere, invitation revoke.

use diesel::RunQueryDsl;
use handoff_tests::{ExpectStatus, TestApp, User, id_of, str_at};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::tickets::{Setup, add_member_db, setup};
use crate::widget::{session, site};

const PASSWORD: &str = "correct horse battery";

fn exec(app: &TestApp, sql: &str) {
    let mut db = app.db();
    diesel::sql_query(sql)
        .execute(&mut db)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn login(app: &TestApp, user: &User) -> User {
    let (status, body) = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": user.email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "login: {body}");
    User {
        id: user.id.clone(),
        email: user.email.clone(),
        token: str_at(&body, "access_token").to_string(),
        refresh_token: str_at(&body, "refresh_token").to_string(),
    }
}

async fn refresh(app: &TestApp, token: &str) -> (StatusCode, Value) {
    app.post(
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": token}),
    )
    .await
}

async fn open_status(app: &TestApp, path_and_query: &str) -> StatusCode {
    app.client
        .get(app.url(path_and_query))
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {path_and_query}: {e}"))
        .status()
}

/// A stream ticket opens its stream once; not twice, not another workspace's, not the
/// widget's, and not after it expired.
#[tokio::test]
async fn stream_tickets_are_single_use_and_for_one_stream() {
    let s = setup().await;
    let url = s.app.stream_url(&s.path("/events"), &s.owner.token).await;
    let stream = s.app.event_stream(&url, None).await;
    assert_eq!(stream.content_type, "text/event-stream");
    assert_eq!(
        open_status(&s.app, &url).await,
        StatusCode::UNAUTHORIZED,
        "used twice"
    );

    // A ticket for this workspace doesn't open another one's stream, nor the widget's.
    let other = s.app.create_workspace(&s.owner.token, "standard").await;
    let url = s.app.stream_url(&s.path("/events"), &s.owner.token).await;
    let ticket = url.split("ticket=").nth(1).unwrap_or_default().to_string();
    let elsewhere = format!(
        "/api/v1/workspaces/{}/events?ticket={ticket}",
        id_of(&other)
    );
    assert_eq!(
        open_status(&s.app, &elsewhere).await,
        StatusCode::UNAUTHORIZED
    );
    let url = s.app.stream_url(&s.path("/events"), &s.owner.token).await;
    let ticket = url.split("ticket=").nth(1).unwrap_or_default().to_string();
    let widget = format!("/api/v1/widget/events?ticket={ticket}");
    assert_eq!(open_status(&s.app, &widget).await, StatusCode::UNAUTHORIZED);

    // A visitor's ticket doesn't open the dashboard stream.
    let site = site(&s.app, "standard", true).await;
    let v = session(&s.app, &site).await;
    let url = s.app.stream_url("/api/v1/widget/events", &v.token).await;
    let ticket = url.split("ticket=").nth(1).unwrap_or_default().to_string();
    let dash = format!("/api/v1/workspaces/{}/events?ticket={ticket}", site.ws);
    assert_eq!(open_status(&s.app, &dash).await, StatusCode::UNAUTHORIZED);

    // Expired unused: refused.
    let url = s.app.stream_url(&s.path("/events"), &s.owner.token).await;
    exec(
        &s.app,
        "UPDATE stream_tickets SET expires_at = now() - interval '1 second'",
    );
    assert_eq!(open_status(&s.app, &url).await, StatusCode::UNAUTHORIZED);

    // Tickets are stored hashed.
    let url = s.app.stream_url(&s.path("/events"), &s.owner.token).await;
    let ticket = url.split("ticket=").nth(1).unwrap_or_default().to_string();
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let n: N = diesel::sql_query(format!(
        "SELECT count(*) AS n FROM stream_tickets WHERE token_hash = '{ticket}'"
    ))
    .get_result(&mut s.app.db())
    .unwrap_or_else(|e| panic!("count: {e}"));
    assert_eq!(n.n, 0);
}

/// `?token=` is no credential anywhere: not on the streams, not on any other route.
#[tokio::test]
async fn tokens_in_the_url_work_nowhere() {
    let s = setup().await;
    let site = site(&s.app, "standard", true).await;
    let v = session(&s.app, &site).await;
    let t = &s.owner.token;
    for path in [
        "/api/v1/me".to_string(),
        s.path("/tickets"),
        s.path("/events"),
    ] {
        let with_token = format!("{path}?token={t}");
        assert_eq!(
            open_status(&s.app, &with_token).await,
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
    }
    for path in ["/api/v1/widget/messages", "/api/v1/widget/events"] {
        let with_token = format!("{path}?token={}", v.token);
        assert_eq!(
            open_status(&s.app, &with_token).await,
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
    }
}

/// A stream ends when the token it was opened with expires (the client mints a new ticket
/// with a fresh token).
#[tokio::test]
async fn a_stream_ends_when_its_token_expires() {
    let s = setup().await;
    let url = s.app.stream_url(&s.path("/events"), &s.owner.token).await;
    // The access token behind the ticket expires in a second.
    exec(
        &s.app,
        "UPDATE stream_tickets SET access_expires_at = now() + interval '1 second'",
    );
    let mut stream = s.app.event_stream(&url, None).await;
    stream.ends().await;

    let site = site(&s.app, "standard", true).await;
    let v = session(&s.app, &site).await;
    let url = s.app.stream_url("/api/v1/widget/events", &v.token).await;
    exec(
        &s.app,
        "UPDATE stream_tickets SET access_expires_at = now() + interval '1 second'",
    );
    let mut stream = s.app.event_stream(&url, None).await;
    stream.ends().await;
}

/// Proves a stream is still live: a new ticket's event reaches it.
async fn still_live(s: &Setup, stream: &mut handoff_tests::EventStream, what: &str) {
    let t = s.create("alive@example.com", what).await;
    stream
        .next_event(|e| e.name == "ticket.created" && e.data["id"] == t["id"])
        .await;
}

#[tokio::test]
async fn removing_a_member_ends_their_streams_and_unassigns_their_tickets() {
    let s = setup().await;
    let agent = s.app.register_user("Agent").await;
    add_member_db(&s.app, &s.ws, &agent, "agent");
    let t = s.create("mine@example.com", "Assigned to the agent").await;
    s.app
        .post(
            &s.path(&format!("/tickets/{}/assign", id_of(&t))),
            Some(&s.owner.token),
            json!({"assignee_id": agent.id}),
        )
        .await
        .expect_status(StatusCode::OK);
    let url = s.app.stream_url(&s.path("/events"), &agent.token).await;
    let mut agents = s.app.event_stream(&url, None).await;
    let url = s.app.stream_url(&s.path("/events"), &s.owner.token).await;
    let mut owners = s.app.event_stream(&url, None).await;

    s.app
        .delete(
            &s.path(&format!("/members/{}", agent.id)),
            Some(&s.owner.token),
        )
        .await
        .expect_status(StatusCode::NO_CONTENT);
    agents.ends().await;
    // The owner's stream goes on, and sees the ticket go back to the queue.
    let updated = owners
        .next_event(|e| e.name == "ticket.updated" && e.data["id"] == t["id"])
        .await;
    assert!(updated.data["assignee"].is_null(), "{}", updated.data);
    let detail = s.get_ok(&format!("/tickets/{}", id_of(&t))).await;
    assert!(detail["ticket"]["assignee"].is_null(), "{detail}");
    let history = detail.to_string();
    assert!(
        history.contains("unassigned"),
        "the history says so: {history}"
    );
    // And the ex-member can't open a new stream.
    let (status, _) = s
        .app
        .post(&s.path("/stream-tickets"), Some(&agent.token), json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn revoking_an_api_key_ends_its_streams() {
    let s = setup().await;
    let (status, created) = s
        .app
        .post(
            &s.path("/api-keys"),
            Some(&s.owner.token),
            json!({"name": "ops", "scopes": ["tickets:read", "conversations:read"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let key = str_at(&created, "key").to_string();
    let by_ticket = s.app.stream_url(&s.path("/events"), &key).await;
    let mut ticketed = s.app.event_stream(&by_ticket, None).await;
    let mut by_header = s.app.event_stream_with(&s.path("/events"), &key).await;
    s.app
        .delete(
            &s.path(&format!("/api-keys/{}", str_at(&created, "id"))),
            Some(&s.owner.token),
        )
        .await
        .expect_status(StatusCode::NO_CONTENT);
    ticketed.ends().await;
    by_header.ends().await;
    let (status, _) = s
        .app
        .post(&s.path("/stream-tickets"), Some(&key), json!({}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn logging_out_ends_that_sessions_streams_and_no_others() {
    let s = setup().await;
    let laptop = login(&s.app, &s.owner).await;
    let url = s.app.stream_url(&s.path("/events"), &s.owner.token).await;
    let mut phone_stream = s.app.event_stream(&url, None).await;
    let url = s.app.stream_url(&s.path("/events"), &laptop.token).await;
    let mut laptop_stream = s.app.event_stream(&url, None).await;

    s.app
        .post(
            "/api/v1/auth/logout",
            None,
            json!({"refresh_token": s.owner.refresh_token}),
        )
        .await
        .expect_status(StatusCode::NO_CONTENT);
    phone_stream.ends().await;
    still_live(&s, &mut laptop_stream, "After the phone logged out").await;
    // The logged-out session's access token can't open streams any more.
    let (status, body) = s
        .app
        .post(&s.path("/stream-tickets"), Some(&s.owner.token), json!({}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
}

#[tokio::test]
async fn log_out_everywhere_ends_every_session() {
    let s = setup().await;
    let laptop = login(&s.app, &s.owner).await;
    let url = s.app.stream_url(&s.path("/events"), &laptop.token).await;
    let mut stream = s.app.event_stream(&url, None).await;
    s.app
        .post("/api/v1/auth/logout-all", Some(&s.owner.token), json!({}))
        .await
        .expect_status(StatusCode::NO_CONTENT);
    stream.ends().await;
    for t in [&s.owner.refresh_token, &laptop.refresh_token] {
        let (status, _) = refresh(&s.app, t).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn changing_the_password_logs_out_the_other_sessions() {
    let s = setup().await;
    let laptop = login(&s.app, &s.owner).await;
    let url = s.app.stream_url(&s.path("/events"), &laptop.token).await;
    let mut laptop_stream = s.app.event_stream(&url, None).await;
    let url = s.app.stream_url(&s.path("/events"), &s.owner.token).await;
    let mut own_stream = s.app.event_stream(&url, None).await;

    let change =
        |current: &str, new: &str| json!({"current_password": current, "new_password": new});
    let (status, body) = s
        .app
        .post(
            "/api/v1/auth/password",
            Some(&s.owner.token),
            change("wrong one", "new password 2"),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = s
        .app
        .post(
            "/api/v1/auth/password",
            Some(&s.owner.token),
            change(PASSWORD, "short"),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    s.app
        .post(
            "/api/v1/auth/password",
            Some(&s.owner.token),
            change(PASSWORD, "new password 2"),
        )
        .await
        .expect_status(StatusCode::NO_CONTENT);

    laptop_stream.ends().await;
    still_live(&s, &mut own_stream, "After the password change").await;
    let (status, _) = refresh(&s.app, &laptop.refresh_token).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the other session is logged out"
    );
    let (status, _) = refresh(&s.app, &s.owner.refresh_token).await;
    assert_eq!(status, StatusCode::OK, "this session stays");
    let (status, _) = s
        .app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": s.owner.email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the old password is gone");
    let (status, _) = s
        .app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": s.owner.email, "password": "new password 2"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

/// A refresh whose response was lost is retried: within the grace window, while the
/// successor is unused, the retry gets a new pair (and the lost successor dies).
#[tokio::test]
async fn a_retried_refresh_within_the_grace_window_is_not_theft() {
    let app = TestApp::spawn().await;
    let user = app.register_user("Rita").await;
    let (status, lost) = refresh(&app, &user.refresh_token).await;
    assert_eq!(status, StatusCode::OK, "{lost}");
    let (status, retried) = refresh(&app, &user.refresh_token).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the retry within the grace window: {retried}"
    );
    let (status, _) = refresh(&app, str_at(&retried, "refresh_token")).await;
    assert_eq!(status, StatusCode::OK, "the retry's pair works");

    // Once a successor was used, presenting its parent again is theft, grace or not.
    let user = app.register_user("Sam").await;
    let (_, next) = refresh(&app, &user.refresh_token).await;
    let (status, newest) = refresh(&app, str_at(&next, "refresh_token")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = refresh(&app, &user.refresh_token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = refresh(&app, str_at(&newest, "refresh_token")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the family is revoked");
}

/// No rotation extends a session past its absolute end.
#[tokio::test]
async fn a_session_has_an_absolute_end() {
    let app = TestApp::spawn().await;
    let user = app.register_user("Abe").await;
    let (status, next) = refresh(&app, &user.refresh_token).await;
    assert_eq!(status, StatusCode::OK);
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let ends: N = diesel::sql_query(format!(
        "SELECT count(DISTINCT family_expires_at) AS n FROM refresh_tokens WHERE user_id = '{}'",
        user.id
    ))
    .get_result(&mut app.db())
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ends.n, 1, "every rotation keeps the family's end");
    exec(
        &app,
        &format!(
            "UPDATE refresh_tokens SET family_expires_at = now() - interval '1 second' WHERE user_id = '{}'",
            user.id
        ),
    );
    let (status, body) = refresh(&app, str_at(&next, "refresh_token")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
}

#[tokio::test]
async fn a_pending_invitation_can_be_revoked() {
    let s = setup().await;
    let invitee = s.app.register_user("Ivy").await;
    let (status, inv) = s
        .app
        .post(
            &s.path("/invitations"),
            Some(&s.owner.token),
            json!({"email": invitee.email, "role": "agent"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{inv}");
    let token = s.app.invitation_token_for(&invitee.email).await;
    let agent = s.app.register_user("Agent").await;
    add_member_db(&s.app, &s.ws, &agent, "agent");
    let revoke = s.path(&format!("/invitations/{}", id_of(&inv)));
    let (status, _) = s.app.delete(&revoke, Some(&agent.token)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "agents can't");
    s.app
        .delete(&revoke, Some(&s.owner.token))
        .await
        .expect_status(StatusCode::NO_CONTENT);
    let (status, _) = s.app.delete(&revoke, Some(&s.owner.token)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "already gone");
    let (status, body) = s
        .app
        .post(
            "/api/v1/invitations/accept",
            Some(&invitee.token),
            json!({"token": token}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the link is dead: {body}");
    let list = s.get_ok("/invitations").await;
    assert_eq!(list["items"], json!([]), "{list}");
}
