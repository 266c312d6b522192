//! Saved replies over HTTP: who writes and who reads them, limits and bad input, shortcut
//! conflicts, versions, the keyset list by shortcut with `q`, other workspaces.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use handoff_tests::{ExpectStatus, id_of, str_at, strs_at};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::tickets::{Setup, setup};

impl Setup {
    async fn saved_reply(&self, shortcut: &str, title: &str, body: &str) -> Value {
        self.app
            .post(
                &self.path("/saved-replies"),
                Some(&self.owner.token),
                json!({"title": title, "shortcut": shortcut, "body": body}),
            )
            .await
            .expect_status(StatusCode::CREATED)
    }
}

fn error_code(body: &Value) -> &str {
    str_at(body, "/error/code")
}

fn field_problem<'a>(body: &'a Value, field: &str) -> &'a str {
    body["error"]["fields"][field][0]
        .as_str()
        .unwrap_or_else(|| panic!("no problem for `{field}` in {body}"))
}

#[tokio::test]
async fn admins_write_saved_replies_and_agents_read_them() {
    let s = setup().await;
    let agent = s.app.register_user("Alex Agent").await;
    s.app
        .add_member(&s.owner.token, &s.ws, &agent, "agent")
        .await;
    let admin = s.app.register_user("Ada Admin").await;
    s.app
        .add_member(&s.owner.token, &s.ws, &admin, "admin")
        .await;

    // Owners create; the shortcut is stored without the slash, lower case; the body keeps
    // its variables (and unknown ones) as typed.
    let created = s
        .app
        .post(
            &s.path("/saved-replies"),
            Some(&s.owner.token),
            json!({"title": "  Refund   started ", "shortcut": "/Refund",
                   "body": "\nHi {{visitor.email}}, your refund for {{ticket.number}} is on its way. {{order.id}}\n— {{agent.name}}, {{workspace.name}}\n"}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    assert_eq!(created["title"], "Refund started");
    assert_eq!(created["shortcut"], "refund");
    assert_eq!(
        created["body"],
        "Hi {{visitor.email}}, your refund for {{ticket.number}} is on its way. {{order.id}}\n— {{agent.name}}, {{workspace.name}}"
    );
    assert_eq!(created["created_by"], json!(s.owner.id));
    assert_eq!(created["version"], 1);
    let id = id_of(&created);

    // Admins write too.
    let by_admin = s
        .app
        .post(
            &s.path("/saved-replies"),
            Some(&admin.token),
            json!({"title": "Thanks", "shortcut": "thanks", "body": "Thank you!"}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    assert_eq!(by_admin["created_by"], json!(admin.id));

    // Agents read the list and one reply…
    let list = s
        .app
        .get(&s.path("/saved-replies"), Some(&agent.token))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(strs_at(&list, "items", "shortcut"), ["refund", "thanks"]);
    assert_eq!(list["next_cursor"], Value::Null);
    let one = s
        .app
        .get(&s.path(&format!("/saved-replies/{id}")), Some(&agent.token))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(one["title"], "Refund started");

    // …but cannot write.
    let (status, body) = s
        .app
        .post(
            &s.path("/saved-replies"),
            Some(&agent.token),
            json!({"title": "Mine", "shortcut": "mine", "body": "Mine"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(error_code(&body), "forbidden");
    let (status, _) = s
        .app
        .patch(
            &s.path(&format!("/saved-replies/{id}")),
            Some(&agent.token),
            json!({"title": "X"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = s
        .app
        .delete(&s.path(&format!("/saved-replies/{id}")), Some(&agent.token))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Edit: fields left out stay; the version goes up; a stale version is 409.
    let edited = s
        .app
        .patch(
            &s.path(&format!("/saved-replies/{id}")),
            Some(&admin.token),
            json!({"version": 1, "title": "Refund on its way"}),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(edited["title"], "Refund on its way");
    assert_eq!(edited["shortcut"], "refund");
    assert_eq!(edited["version"], 2);
    assert_eq!(edited["created_by"], json!(s.owner.id));
    let (status, body) = s
        .app
        .patch(
            &s.path(&format!("/saved-replies/{id}")),
            Some(&s.owner.token),
            json!({"version": 1, "body": "Lost update"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(&body), "version_conflict");
    // An edit that changes nothing keeps the version.
    let same = s
        .app
        .patch(
            &s.path(&format!("/saved-replies/{id}")),
            Some(&s.owner.token),
            json!({"shortcut": "REFUND"}),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(same["version"], 2);

    // Delete; then it is gone.
    let (status, _) = s
        .app
        .delete(&s.path(&format!("/saved-replies/{id}")), Some(&admin.token))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    for (status, _) in [
        s.app
            .get(&s.path(&format!("/saved-replies/{id}")), Some(&agent.token))
            .await,
        s.app
            .delete(&s.path(&format!("/saved-replies/{id}")), Some(&admin.token))
            .await,
    ] {
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn api_keys_write_saved_replies_without_an_author() {
    let s = setup().await;
    let scopes: &[&str] = &["tickets:read", "admin"];
    let key = s
        .app
        .api_key(&s.owner.token, &s.ws, "helpdesk sync", Some(scopes))
        .await;
    let created = s
        .app
        .post(
            &s.path("/saved-replies"),
            Some(&key),
            json!({"title": "Shipping", "shortcut": "ship", "body": "Orders ship in a day."}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    assert_eq!(created["created_by"], Value::Null);
}

#[tokio::test]
async fn shortcuts_are_unique_per_workspace() {
    let s = setup().await;
    s.saved_reply("refund", "Refund", "Refund started.").await;
    let other = s.saved_reply("thanks", "Thanks", "Thank you!").await;

    let (status, body) = s
        .app
        .post(
            &s.path("/saved-replies"),
            Some(&s.owner.token),
            json!({"title": "Another refund", "shortcut": "/REFUND", "body": "Again"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(&body), "shortcut_taken");
    assert_eq!(
        str_at(&body, "/error/message"),
        "Another saved reply already uses this shortcut. Choose another one."
    );
    // Renaming onto a taken shortcut too.
    let (status, body) = s
        .app
        .patch(
            &s.path(&format!("/saved-replies/{}", id_of(&other))),
            Some(&s.owner.token),
            json!({"shortcut": "refund"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(&body), "shortcut_taken");

    // Another workspace may use the same shortcut.
    let owner2 = s.app.register_user("Otto Other").await;
    let ws2 = id_of(&s.app.create_workspace(&owner2.token, "free").await);
    s.app
        .post(
            &format!("/api/v1/workspaces/{ws2}/saved-replies"),
            Some(&owner2.token),
            json!({"title": "Refund", "shortcut": "refund", "body": "Theirs"}),
        )
        .await
        .expect_status(StatusCode::CREATED);
}

#[tokio::test]
async fn bad_input_is_422_with_the_field() {
    let s = setup().await;
    let ok = json!({"title": "T", "shortcut": "s", "body": "B"});
    let with = |field: &str, value: Value| {
        let mut b = ok.clone();
        b[field] = value;
        b
    };
    for (body, field) in [
        (with("title", json!("")), "title"),
        (with("title", json!("   ")), "title"),
        (with("title", json!("t".repeat(101))), "title"),
        (with("shortcut", json!("")), "shortcut"),
        (with("shortcut", json!("/")), "shortcut"),
        (with("shortcut", json!("s".repeat(33))), "shortcut"),
        (with("shortcut", json!("two words")), "shortcut"),
        (with("shortcut", json!("café")), "shortcut"),
        (with("shortcut", json!("a.b")), "shortcut"),
        (with("shortcut", json!("{{x}}")), "shortcut"),
        (with("body", json!("")), "body"),
        (with("body", json!(" \n ")), "body"),
        (with("body", json!("b".repeat(10_001))), "body"),
        (with("body", json!("bell \u{7}")), "body"),
    ] {
        let (status, got) = s
            .app
            .post(
                &s.path("/saved-replies"),
                Some(&s.owner.token),
                body.clone(),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {got}");
        assert_eq!(error_code(&got), "validation_failed");
        field_problem(&got, field);
    }
    // Every bad field is named at once.
    let (status, got) = s
        .app
        .post(
            &s.path("/saved-replies"),
            Some(&s.owner.token),
            json!({"title": "", "shortcut": "no way", "body": ""}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_problem(&got, "shortcut"),
        "may contain only lower-case letters, digits, - and _"
    );
    field_problem(&got, "title");
    field_problem(&got, "body");
    // The longest of each is fine (characters, not bytes).
    s.app
        .post(
            &s.path("/saved-replies"),
            Some(&s.owner.token),
            json!({"title": "é".repeat(100), "shortcut": "a-z_0-9".repeat(4), "body": "é".repeat(10_000)}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    // A NUL character is refused before anything else, as everywhere.
    let (status, got) = s
        .app
        .post(
            &s.path("/saved-replies"),
            Some(&s.owner.token),
            json!({"title": "T", "shortcut": "nul", "body": "a\u{0}b"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{got}");
    // Unknown fields, a missing field or a wrong type: the body is not of the shape (400).
    for body in [
        json!({"title": "T", "shortcut": "s", "body": "B", "colour": "red"}),
        json!({"title": "T", "body": "B"}),
        json!({"title": 5, "shortcut": "s", "body": "B"}),
    ] {
        let (status, got) = s
            .app
            .post(
                &s.path("/saved-replies"),
                Some(&s.owner.token),
                body.clone(),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {got}");
        assert_eq!(error_code(&got), "bad_request");
    }
    // The same rules for an edit.
    let r = s.saved_reply("hello", "Hello", "Hello!").await;
    let path = s.path(&format!("/saved-replies/{}", id_of(&r)));
    for (body, want) in [
        (
            json!({"shortcut": "HELLO THERE"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"body": "b".repeat(10_001)}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (json!({"title": ""}), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({"name": "Hello"}), StatusCode::BAD_REQUEST),
        (json!({"version": "one"}), StatusCode::BAD_REQUEST),
    ] {
        let (status, got) = s.app.patch(&path, Some(&s.owner.token), body.clone()).await;
        assert_eq!(status, want, "{body}: {got}");
    }
    let unchanged = s.app.get(&path, Some(&s.owner.token)).await;
    assert_eq!(unchanged.1["version"], 1);
}

#[tokio::test]
async fn a_workspace_keeps_at_most_1000_saved_replies() {
    use diesel::RunQueryDsl;
    let s = setup().await;
    diesel::sql_query(format!(
        "INSERT INTO saved_replies (id, workspace_id, title, shortcut, body)
         SELECT gen_random_uuid(), '{}', 'Reply ' || n, 'r' || n, 'Body' FROM generate_series(1, 1000) n",
        s.ws
    ))
    .execute(&mut s.app.db())
    .unwrap_or_else(|e| panic!("seed saved replies: {e}"));
    let (status, body) = s
        .app
        .post(
            &s.path("/saved-replies"),
            Some(&s.owner.token),
            json!({"title": "One more", "shortcut": "more", "body": "B"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(error_code(&body), "saved_reply_limit");
}

/// Every shortcut of the list for `query`, page after page of `limit`.
async fn walk(s: &Setup, query: &str, limit: usize) -> Vec<String> {
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..20 {
        let mut url = format!("/saved-replies?limit={limit}{query}");
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let page = s.get_ok(&url).await;
        let items = strs_at(&page, "items", "shortcut");
        assert!(items.len() <= limit, "{page}");
        seen.extend(items.into_iter().map(str::to_string));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return seen,
        }
    }
    panic!("more pages than saved replies for {query}")
}

#[tokio::test]
async fn the_list_pages_by_shortcut_and_filters_with_q() {
    let s = setup().await;
    // Created out of order; listed in byte order of the shortcut.
    let shortcuts = [
        "thanks",
        "refund-partial",
        "2fa",
        "refund",
        "order_status",
        "ref",
        "hello",
        "-first",
    ];
    for sc in shortcuts {
        let title = match sc {
            "hello" => "Greeting with a REFund note".to_string(),
            other => format!("Title {other}"),
        };
        s.saved_reply(sc, &title, "Body").await;
    }
    let mut sorted: Vec<&str> = shortcuts.to_vec();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        [
            "-first",
            "2fa",
            "hello",
            "order_status",
            "ref",
            "refund",
            "refund-partial",
            "thanks"
        ]
    );

    assert_eq!(walk(&s, "", 3).await, sorted);
    assert_eq!(walk(&s, "", 1).await, sorted);
    assert_eq!(walk(&s, "", 8).await, sorted);
    assert_eq!(walk(&s, "", 100).await, sorted);
    // The default page is 25, the first page of 3 says there is more.
    let first = s.get_ok("/saved-replies?limit=3").await;
    assert!(first["next_cursor"].is_string());
    assert_eq!(
        s.get_ok("/saved-replies").await["items"]
            .as_array()
            .map(Vec::len),
        Some(8)
    );

    // q: the shortcut or the title contains it, case-insensitively; `/` ignored; paged.
    assert_eq!(
        walk(&s, "&q=ref", 2).await,
        ["hello", "ref", "refund", "refund-partial"]
    );
    assert_eq!(
        walk(&s, "&q=%2FREFUND", 1).await,
        ["hello", "refund", "refund-partial"]
    );
    assert_eq!(walk(&s, "&q=title%20order", 10).await, ["order_status"]);
    // LIKE wildcards are plain characters.
    assert_eq!(walk(&s, "&q=_", 10).await, ["order_status"]);
    assert!(walk(&s, "&q=%25", 10).await.is_empty());
    assert_eq!(walk(&s, "&q=%20", 10).await, sorted);

    // Bad paging input: 422 naming the parameter.
    for (q, field) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("cursor=junk", "cursor"),
    ] {
        let (status, body) = s
            .app
            .get(
                &s.path(&format!("/saved-replies?{q}")),
                Some(&s.owner.token),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{q}: {body}");
        field_problem(&body, field);
    }
    let long_q = "q".repeat(101);
    let (status, body) = s
        .app
        .get(
            &s.path(&format!("/saved-replies?q={long_q}")),
            Some(&s.owner.token),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    field_problem(&body, "q");
    // A cursor of another list, or of a shortcut that can't exist, is refused.
    for raw in [
        "articles:refund",
        "saved_replies:Not Valid",
        "created_desc:1:2",
    ] {
        let c = URL_SAFE_NO_PAD.encode(raw);
        let (status, body) = s
            .app
            .get(
                &s.path(&format!("/saved-replies?cursor={c}")),
                Some(&s.owner.token),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{raw}: {body}");
    }
    // A cursor still works after its reply was renamed or deleted (it names a position).
    let page = s.get_ok("/saved-replies?limit=2").await;
    let c = str_at(&page, "next_cursor").to_string();
    let second = &page["items"][1];
    let (status, _) = s
        .app
        .delete(
            &s.path(&format!("/saved-replies/{}", id_of(second))),
            Some(&s.owner.token),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let next = s
        .get_ok(&format!("/saved-replies?limit=2&cursor={c}"))
        .await;
    assert_eq!(
        strs_at(&next, "items", "shortcut"),
        ["hello", "order_status"]
    );
}

#[tokio::test]
async fn other_workspaces_saved_replies_are_404() {
    let s = setup().await;
    s.saved_reply("mine", "Mine", "Mine").await;
    let owner2 = s.app.register_user("Otto Other").await;
    let ws2 = id_of(&s.app.create_workspace(&owner2.token, "free").await);
    let theirs = s
        .app
        .post(
            &format!("/api/v1/workspaces/{ws2}/saved-replies"),
            Some(&owner2.token),
            json!({"title": "Theirs", "shortcut": "theirs", "body": "Theirs"}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    let theirs_id = id_of(&theirs);

    // Their reply under my workspace: 404 for every method.
    let under_mine = s.path(&format!("/saved-replies/{theirs_id}"));
    let (status, body) = s.app.get(&under_mine, Some(&s.owner.token)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(str_at(&body, "/error/message"), "Saved reply not found.");
    let (status, _) = s
        .app
        .patch(
            &under_mine,
            Some(&s.owner.token),
            json!({"title": "Mine now"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = s.app.delete(&under_mine, Some(&s.owner.token)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Their workspace: 404, list included; my list does not show theirs.
    let theirs_path = format!("/api/v1/workspaces/{ws2}/saved-replies");
    let (status, _) = s.app.get(&theirs_path, Some(&s.owner.token)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = s
        .app
        .post(
            &theirs_path,
            Some(&s.owner.token),
            json!({"title": "X", "shortcut": "x", "body": "X"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let list = s.get_ok("/saved-replies").await;
    assert_eq!(strs_at(&list, "items", "shortcut"), ["mine"]);
    // A made-up id and a malformed one: 404.
    for id in [uuid::Uuid::new_v4().to_string(), "not-a-uuid".to_string()] {
        let (status, _) = s
            .app
            .get(
                &s.path(&format!("/saved-replies/{id}")),
                Some(&s.owner.token),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    // Theirs is untouched.
    let still = s
        .app
        .get(&format!("{theirs_path}/{theirs_id}"), Some(&owner2.token))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(still["title"], "Theirs");
}
