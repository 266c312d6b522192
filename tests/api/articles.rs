//! Knowledge base CRUD, pagination and search; AI Instructions and their lint.

use handoff_tests::{ExpectStatus, TestApp, array_at, id_of, str_at, strs_at};
use reqwest::StatusCode;
use serde_json::json;

use crate::widget::{add_article, site};

#[tokio::test]
async fn articles_crud() {
    let app = TestApp::spawn().await;
    let site = site(&app, "standard", true).await;
    let base = format!("/api/v1/workspaces/{}/articles", site.ws);
    let t = Some(site.owner_token.as_str());
    let a = add_article(
        &app,
        &site,
        "  Shipping times ",
        "Standard shipping takes 3-5 business days.",
    )
    .await;
    assert_eq!(a["title"], "Shipping times");
    let id = id_of(&a);
    let (status, got) = app.get(&format!("{base}/{id}"), t).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got["body"], "Standard shipping takes 3-5 business days.");
    let (status, put) = app
        .put(
            &format!("{base}/{id}"),
            t,
            json!({"title": "Delivery times", "body": "2-4 days."}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{put}");
    assert_eq!(put["title"], "Delivery times");
    let (status, patched) = app
        .patch(&format!("{base}/{id}"), t, json!({"body": "1-3 days."}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(patched["title"], "Delivery times");
    assert_eq!(patched["body"], "1-3 days.");
    let (status, body) = app.post(&base, t, json!({"title": "", "body": "x"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["fields"]["title"].is_array());
    let (status, _) = app.delete(&format!("{base}/{id}"), t).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.get(&format!("{base}/{id}"), t).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.delete(&format!("{base}/{id}"), t).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn other_workspaces_articles_are_404_and_anonymous_is_401() {
    let app = TestApp::spawn().await;
    let mine = site(&app, "standard", true).await;
    let theirs = site(&app, "standard", true).await;
    let a = add_article(&app, &theirs, "Secret", "Only for them.").await;
    let id = id_of(&a);
    let (status, _) = app
        .get(
            &format!("/api/v1/workspaces/{}/articles/{id}", mine.ws),
            Some(&mine.owner_token),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .get(
            &format!("/api/v1/workspaces/{}/articles", theirs.ws),
            Some(&mine.owner_token),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .get(&format!("/api/v1/workspaces/{}/articles", mine.ws), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn list_is_keyset_paginated_and_search_ranks() {
    let app = TestApp::spawn().await;
    let site = site(&app, "standard", true).await;
    for i in 0..7 {
        add_article(
            &app,
            &site,
            &format!("Article {i}"),
            &format!("Body number {i} about gift cards and vouchers"),
        )
        .await;
    }
    add_article(
        &app,
        &site,
        "Return policy",
        "Return unused items within 30 days for a refund.",
    )
    .await;
    let t = Some(site.owner_token.as_str());
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/workspaces/{}/articles?limit=3&cursor={c}", site.ws),
            None => format!("/api/v1/workspaces/{}/articles?limit=3", site.ws),
        };
        let (status, page) = app.get(&path, t).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        for a in array_at(&page, "items") {
            seen.push(str_at(a, "title").to_string());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 8);
    assert_eq!(seen[0], "Return policy", "newest first");
    let mut dedup = seen.clone();
    dedup.sort();
    dedup.dedup();
    assert_eq!(dedup.len(), 8, "each article exactly once");

    let found = app
        .get(
            &format!("/api/v1/workspaces/{}/articles?q=refund%20policy", site.ws),
            t,
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(strs_at(&found, "items", "title"), vec!["Return policy"]);
    let (status, _) = app
        .get(
            &format!("/api/v1/workspaces/{}/articles?limit=0", site.ws),
            t,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app
        .get(
            &format!("/api/v1/workspaces/{}/articles?cursor=garbage", site.ws),
            t,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn ai_instructions_are_saved_and_linted() {
    let app = TestApp::spawn().await;
    let site = site(&app, "standard", true).await;
    let path = format!("/api/v1/workspaces/{}/ai-settings", site.ws);
    let t = Some(site.owner_token.as_str());
    let (status, empty) = app.get(&path, t).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(empty["instructions"], "");
    assert_eq!(empty["warnings"], json!([]));
    // The builtin engine (the harness default) has no budget to spend.
    assert_eq!(empty["usage"]["engine"], "builtin", "{empty}");
    assert_eq!(empty["usage"]["metered"], false, "{empty}");
    assert_eq!(empty["usage"]["messages"], 0, "{empty}");

    let text = "You are Acme's assistant. Be brief.\nFor refunds, email support@acme.com.\nOur support team is friendly.\nVisit our help center for more.";
    let (status, saved) = app.put(&path, t, json!({"instructions": text})).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["instructions"], text);
    let warnings = array_at(&saved, "warnings");
    assert_eq!(
        strs_at(&saved, "warnings", "sentence"),
        vec![
            "For refunds, email support@acme.com.",
            "Visit our help center for more."
        ]
    );
    let reason = str_at(&warnings[0], "reason");
    assert!(
        reason.contains("support@acme.com") && reason.contains("ticket"),
        "{reason}"
    );
    let again = app.get(&path, t).await.expect_status(StatusCode::OK);
    assert_eq!(again, saved);

    let (status, lint) = app
        .post(
            &format!("{path}/lint"),
            t,
            json!({"instructions": "CALL US AT 555-123-4567."}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(lint["warnings"][0]["sentence"], "CALL US AT 555-123-4567.");
    let clean = app
        .post(
            &format!("{path}/lint"),
            t,
            json!({"instructions": "Do not tell users to email us."}),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(clean["warnings"], json!([]));

    // Agents may read and lint but not change the instructions.
    let agent = app.register_user("Agent").await;
    app.add_member(&site.owner_token, &site.ws, &agent, "agent")
        .await;
    let (status, _) = app
        .put(&path, Some(&agent.token), json!({"instructions": "x"}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.get(&path, Some(&agent.token)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .put(&path, t, json!({"instructions": "x".repeat(20001)}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// The assistant answers visitors from the knowledge base: agents read it, only owners and
/// admins (and API keys) write it (L6).
#[tokio::test]
async fn only_admins_write_the_knowledge_base() {
    let s = crate::tickets::setup().await;
    let agent = s.app.register_user("Agent").await;
    crate::tickets::add_member_db(&s.app, &s.ws, &agent, "agent");
    let article = serde_json::json!({"title": "Refunds", "body": "Within 30 days."});
    let (status, created) = s
        .app
        .post(&s.path("/articles"), Some(&s.owner.token), article.clone())
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{created}");
    let one = s.path(&format!("/articles/{}", handoff_tests::id_of(&created)));
    let (status, _) = s.app.get(&one, Some(&agent.token)).await;
    assert_eq!(status, reqwest::StatusCode::OK, "agents read it");
    let (status, _) = s
        .app
        .post(&s.path("/articles"), Some(&agent.token), article.clone())
        .await;
    assert_eq!(status, reqwest::StatusCode::FORBIDDEN);
    let (status, _) = s.app.put(&one, Some(&agent.token), article.clone()).await;
    assert_eq!(status, reqwest::StatusCode::FORBIDDEN);
    let (status, _) = s
        .app
        .patch(
            &one,
            Some(&agent.token),
            serde_json::json!({"body": "Visit evil.example"}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::FORBIDDEN);
    let (status, _) = s.app.delete(&one, Some(&agent.token)).await;
    assert_eq!(status, reqwest::StatusCode::FORBIDDEN);
    let (status, body) = s.app.get(&one, Some(&s.owner.token)).await;
    assert_eq!(status, reqwest::StatusCode::OK);
    assert_eq!(body["body"], "Within 30 days.", "unchanged: {body}");
}

/// An article can carry the URL of its page on the website: absolute http(s) only, set
/// by POST and PUT, changed or cleared (`null`, `""`) by PATCH, left alone when PATCH
/// does not name it.
#[tokio::test]
async fn articles_carry_a_validated_url() {
    let app = TestApp::spawn().await;
    let site = site(&app, "standard", true).await;
    let base = format!("/api/v1/workspaces/{}/articles", site.ws);
    let t = Some(site.owner_token.as_str());
    let (status, a) = app
        .post(
            &base,
            t,
            json!({"title": "Payment methods", "body": "We accept Visa.", "url": " https://shop.example/help/payment "}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    assert_eq!(a["url"], "https://shop.example/help/payment");
    let id = id_of(&a);
    let plain = add_article(&app, &site, "Returns", "30 days.").await;
    assert_eq!(plain["url"], serde_json::Value::Null);

    for bad in [
        "javascript:alert(1)",
        "ftp://shop.example/help",
        "/help/payment",
        "https://user:secret@shop.example/",
        "https://shop.example/a b",
    ] {
        let (status, e) = app
            .post(&base, t, json!({"title": "X", "body": "Y", "url": bad}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {e}");
        assert_eq!(e["error"]["code"], "validation_failed", "{bad}: {e}");
        assert!(e.to_string().contains("url"), "{bad}: {e}");
        let (status, e) = app
            .patch(&format!("{base}/{id}"), t, json!({"url": bad}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {e}");
    }
    let (status, e) = app
        .post(&base, t, json!({"title": "X", "body": "Y", "url": 42}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{e}");

    // PATCH without url leaves it; with a new one changes it; null clears it.
    let p = app
        .patch(
            &format!("{base}/{id}"),
            t,
            json!({"body": "We accept Visa and PayPal."}),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(p["url"], "https://shop.example/help/payment");
    let p = app
        .patch(
            &format!("{base}/{id}"),
            t,
            json!({"url": "http://shop.example/pay"}),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(p["url"], "http://shop.example/pay");
    let got = app
        .get(&format!("{base}/{id}"), t)
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(got["url"], "http://shop.example/pay");
    let p = app
        .patch(&format!("{base}/{id}"), t, json!({"url": null}))
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(p["url"], serde_json::Value::Null);
    // PUT replaces everything: with a URL, then without one.
    let p = app
        .put(
            &format!("{base}/{id}"),
            t,
            json!({"title": "Payment methods", "body": "Visa.", "url": "https://shop.example/p"}),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(p["url"], "https://shop.example/p");
    let list = app.get(&base, t).await.expect_status(StatusCode::OK);
    assert!(
        array_at(&list, "items")
            .iter()
            .any(|a| a["url"] == "https://shop.example/p"),
        "{list}"
    );
    let p = app
        .put(
            &format!("{base}/{id}"),
            t,
            json!({"title": "Payment methods", "body": "Visa."}),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(p["url"], serde_json::Value::Null);
}
