//! Attachments (issue 13, item 4): a visitor's screenshot reaches the ticket with a
//! thumbnail, an agent's file reaches the widget, signed links that expire, the limits
//! (413, 415, 422), who may send what (404 for another workspace's or another uploader's
//! file), the virus-scan hook, the sweep of uploads never sent, and the same store on a
//! real S3 API server (moto).

use std::io::Cursor;
use std::time::Duration;

use handoff_tests::{ExpectStatus, TestApp, array_at, id_of, str_at};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::widget::{Site, Visitor, say, session, site, sql};

/// A PNG of `w` × `h` pixels.
pub fn png(w: u32, h: u32) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 120])
    })
    .write_to(&mut out, image::ImageFormat::Png)
    .unwrap_or_else(|e| panic!("encoding a PNG: {e}"));
    out.into_inner()
}

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

/// `POST path?filename=` with the file as the body.
pub async fn upload(
    app: &TestApp,
    path: &str,
    token: &str,
    filename: &str,
    content_type: &str,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let resp = app
        .client
        .post(app.url(path))
        .query(&[("filename", filename)])
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(bytes)
        .send()
        .await
        .unwrap_or_else(|e| panic!("uploading to {path}: {e}"));
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// A GET of a link the API gave (relative to the server).
async fn fetch(app: &TestApp, link: &str) -> reqwest::Response {
    app.client
        .get(app.url(link))
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {link}: {e}"))
}

fn header(resp: &reqwest::Response, name: &str) -> String {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

async fn visitor_upload(app: &TestApp, v: &Visitor, name: &str, ct: &str, bytes: Vec<u8>) -> Value {
    upload(app, "/api/v1/widget/attachments", &v.token, name, ct, bytes)
        .await
        .expect_status(StatusCode::CREATED)
}

async fn member_upload(app: &TestApp, s: &Site, name: &str, ct: &str, bytes: Vec<u8>) -> Value {
    upload(
        app,
        &format!("/api/v1/workspaces/{}/attachments", s.ws),
        &s.owner_token,
        name,
        ct,
        bytes,
    )
    .await
    .expect_status(StatusCode::CREATED)
}

/// A visitor with a ticket (handed off, email given): (visitor, ticket number).
async fn visitor_with_ticket(app: &TestApp, s: &Site) -> (Visitor, String) {
    let v = session(app, s).await;
    say(app, &v, "I was double charged for my order").await;
    let done = say(app, &v, "kim@example.com").await;
    let number = done["ticket"]["number"]
        .as_str()
        .unwrap_or_else(|| panic!("no ticket in {done}"))
        .to_string();
    (v, number)
}

async fn ticket_detail(app: &TestApp, s: &Site, number: &str) -> Value {
    app.get(
        &format!("/api/v1/workspaces/{}/tickets/{number}", s.ws),
        Some(&s.owner_token),
    )
    .await
    .expect_status(StatusCode::OK)
}

fn with_files(messages: &[Value]) -> Vec<&Value> {
    messages
        .iter()
        .filter(|m| m["attachments"].as_array().is_some_and(|a| !a.is_empty()))
        .collect()
}

#[tokio::test]
async fn a_visitors_screenshot_reaches_the_ticket_with_a_thumbnail_behind_signed_links() {
    let app = TestApp::spawn().await;
    let s = site(&app, "standard", true).await;
    let (v, number) = visitor_with_ticket(&app, &s).await;

    let shot = png(1280, 720);
    let up = visitor_upload(
        &app,
        &v,
        "Screenshot 2026-12-03.png",
        "image/png",
        shot.clone(),
    )
    .await;
    assert_eq!(up["content_type"], "image/png");
    assert_eq!(up["size"], shot.len());
    assert_eq!(
        (up["width"].as_i64(), up["height"].as_i64()),
        (Some(1280), Some(720))
    );
    assert!(up["thumbnail_url"].is_string(), "{up}");

    // Sent alone (no text): it goes into the open ticket, acknowledged.
    let sent = app
        .post(
            "/api/v1/widget/messages",
            Some(&v.token),
            json!({"body": "", "attachment_ids": [id_of(&up)]}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    let mine = &array_at(&sent, "messages")[0];
    assert_eq!(mine["sender"], "visitor");
    assert_eq!(
        mine["attachments"][0]["filename"],
        "Screenshot 2026-12-03.png"
    );
    let ack = array_at(&sent, "messages")
        .iter()
        .find(|m| m["sender"] == "assistant")
        .map(|m| m["body"].as_str().unwrap_or_default().to_string())
        .unwrap_or_default();
    assert!(ack.contains(&number), "acknowledged into {number}: {sent}");

    // The dashboard's ticket shows it, with links that work without a session.
    let detail = ticket_detail(&app, &s, &number).await;
    let messages = array_at(&detail, "messages");
    let files = with_files(messages);
    assert_eq!(files.len(), 1, "{detail}");
    let file = &files[0]["attachments"][0];
    let original = fetch(&app, str_at(file, "url")).await;
    assert_eq!(original.status(), StatusCode::OK);
    assert_eq!(header(&original, "content-type"), "image/png");
    assert_eq!(header(&original, "x-content-type-options"), "nosniff");
    assert!(header(&original, "content-disposition").starts_with("inline"));
    assert!(
        header(&original, "content-security-policy").contains("sandbox"),
        "nothing in a file runs"
    );
    assert_eq!(original.bytes().await.map(|b| b.to_vec()).ok(), Some(shot));
    let thumb = fetch(&app, str_at(file, "thumbnail_url")).await;
    assert_eq!(thumb.status(), StatusCode::OK);
    assert_eq!(header(&thumb, "content-type"), "image/jpeg");
    let thumb = thumb.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
    let small = image::load_from_memory(&thumb).unwrap_or_else(|e| panic!("thumbnail: {e}"));
    assert_eq!((small.width(), small.height()), (320, 180));

    // A changed signature, variant or expiry opens nothing; an expired link says so.
    let url = str_at(file, "url");
    let forged = url.replace("sig=", "sig=00");
    assert_eq!(fetch(&app, &forged).await.status(), StatusCode::NOT_FOUND);
    let other_variant = url.replace("/content?", "/thumbnail?");
    assert_eq!(
        fetch(&app, &other_variant).await.status(),
        StatusCode::NOT_FOUND
    );
    let (id, key) = url_key_of(&app, str_at(file, "id"));
    let past = chrono::Utc::now().timestamp() - 10;
    let expired = handoff::domain::attachments::link(
        &key,
        id,
        handoff::domain::attachments::Variant::Content,
        past,
    );
    let gone = fetch(&app, &expired).await;
    assert_eq!(gone.status(), StatusCode::GONE);
    let body: Value = gone.json().await.unwrap_or(Value::Null);
    assert_eq!(body["error"]["code"], "link_expired");

    // Sent once: the same upload can't go with a second message.
    let again = app
        .post(
            "/api/v1/widget/messages",
            Some(&v.token),
            json!({"body": "here it is again", "attachment_ids": [id_of(&up)]}),
        )
        .await
        .expect_status(StatusCode::NOT_FOUND);
    assert_eq!(again["error"]["code"], "attachment_not_found");
}

fn url_key_of(app: &TestApp, id: &str) -> (uuid::Uuid, String) {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        url_key: String,
    }
    let mut db = app.db();
    let row: Row = diesel::sql_query("SELECT url_key FROM attachments WHERE id = $1::uuid")
        .bind::<diesel::sql_types::Text, _>(id)
        .get_result(&mut db)
        .unwrap_or_else(|e| panic!("url key: {e}"));
    (
        uuid::Uuid::parse_str(id).unwrap_or_else(|e| panic!("{e}")),
        row.url_key,
    )
}

#[tokio::test]
async fn a_file_alone_before_any_ticket_is_offered_to_the_team() {
    let app = TestApp::spawn().await;
    let s = site(&app, "standard", true).await;
    let v = session(&app, &s).await;
    let up = visitor_upload(&app, &v, "error.png", "image/png", png(40, 30)).await;
    assert!(up.get("thumbnail_url").is_none(), "small images need none");
    let sent = app
        .post(
            "/api/v1/widget/messages",
            Some(&v.token),
            json!({"body": " ", "attachment_ids": [id_of(&up)]}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    let answer = crate::widget::reply_text(&sent);
    assert!(answer.contains("can't open files"), "{answer}");
    assert!(
        crate::widget::asks_email(&sent),
        "the ticket is offered: {sent}"
    );
    let done = say(&app, &v, "kim@example.com").await;
    assert!(done["ticket"]["number"].is_string(), "{done}");
}

#[tokio::test]
async fn an_agents_file_reaches_the_widget_downloads_and_is_linked_in_the_mail() {
    let app = TestApp::spawn().await;
    let s = site(&app, "standard", true).await;
    let (v, number) = visitor_with_ticket(&app, &s).await;
    let up = member_upload(
        &app,
        &s,
        "Invoice 1042.pdf",
        "application/pdf",
        PDF.to_vec(),
    )
    .await;
    assert!(up.get("thumbnail_url").is_none());
    let reply = app
        .post(
            &format!("/api/v1/workspaces/{}/tickets/{number}/replies", s.ws),
            Some(&s.owner_token),
            json!({"body": "Here is your invoice.", "attachment_ids": [id_of(&up)], "email_visitor": true}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    assert_eq!(reply["attachments"][0]["filename"], "Invoice 1042.pdf");

    // The visitor's widget lists it; the link downloads (never shown in place).
    let list = app
        .get("/api/v1/widget/messages", Some(&v.token))
        .await
        .expect_status(StatusCode::OK);
    let files = with_files(array_at(&list, "items"));
    assert_eq!(files.len(), 1, "{list}");
    assert_eq!(files[0]["sender"], "agent");
    let pdf = fetch(&app, str_at(&files[0]["attachments"][0], "url")).await;
    assert_eq!(pdf.status(), StatusCode::OK);
    assert_eq!(header(&pdf, "content-type"), "application/pdf");
    let disposition = header(&pdf, "content-disposition");
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert!(disposition.contains("Invoice 1042.pdf"), "{disposition}");

    // The mail copy names the file with a link that works from anywhere.
    let jobs = app.email_jobs_to("kim@example.com");
    let text = jobs
        .iter()
        .map(|j| j.payload.to_string())
        .find(|p| p.contains("Here is your invoice."))
        .unwrap_or_else(|| panic!("no reply mail in {jobs:?}"));
    assert!(text.contains("Invoice 1042.pdf"), "{text}");
    assert!(text.contains(&app.url("/api/v1/attachments/")), "{text}");

    // A conversation reply takes files too.
    let conv = str_at(&v.session, "conversation_id");
    let up2 = member_upload(
        &app,
        &s,
        "steps.txt",
        "text/plain",
        b"1. Open settings\n".to_vec(),
    )
    .await;
    let live = app
        .post(
            &format!("/api/v1/workspaces/{}/conversations/{conv}/replies", s.ws),
            Some(&s.owner_token),
            json!({"body": "", "attachment_ids": [id_of(&up2)]}),
        )
        .await
        .expect_status(StatusCode::CREATED);
    assert_eq!(
        live["attachments"][0]["content_type"], "text/plain",
        "{live}"
    );
}

#[tokio::test]
async fn sizes_types_and_contents_are_checked() {
    let app = TestApp::builder()
        .env("MAX_ATTACHMENT_BYTES", "4096")
        .spawn()
        .await;
    let s = site(&app, "standard", true).await;
    let path = format!("/api/v1/workspaces/{}/attachments", s.ws);
    let t = &s.owner_token;
    let code = |v: &Value| v["error"]["code"].as_str().unwrap_or_default().to_string();

    let (st, big) = upload(&app, &path, t, "big.txt", "text/plain", vec![b'a'; 5000]).await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE, "{big}");
    assert_eq!(code(&big), "payload_too_large");
    for (name, ct, bytes) in [
        (
            "logo.svg",
            "image/svg+xml",
            b"<svg onload=alert(1)></svg>".to_vec(),
        ),
        (
            "page.html",
            "text/html",
            b"<script>alert(1)</script>".to_vec(),
        ),
        (
            "run.exe",
            "application/octet-stream",
            b"MZ\x90\x00".to_vec(),
        ),
        // Named and declared as a PNG, but it isn't one.
        ("shot.png", "image/png", b"<svg></svg>".to_vec()),
        // The magic is right, the image is not.
        (
            "broken.png",
            "image/png",
            b"\x89PNG\r\n\x1a\nnot an image at all".to_vec(),
        ),
    ] {
        let (st, body) = upload(&app, &path, t, name, ct, bytes).await;
        assert_eq!(st, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{name}: {body}");
        assert_eq!(code(&body), "unsupported_media_type");
    }
    let (st, empty) = upload(&app, &path, t, "empty.txt", "text/plain", vec![]).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{empty}");
    // No type declared: the extension says; names lose their path.
    let (st, ok) = upload(
        &app,
        &path,
        t,
        "../../notes.csv",
        "application/octet-stream",
        b"a,b\n1,2\n".to_vec(),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{ok}");
    assert_eq!(ok["content_type"], "text/csv");
    assert_eq!(ok["filename"], "notes.csv");
    // No file name: 422 with a JSON error.
    let resp = app
        .client
        .post(app.url(&path))
        .bearer_auth(t)
        .header("content-type", "text/plain")
        .body("x")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // More than 10 files in one message.
    let (v, number) = visitor_with_ticket(&app, &s).await;
    let ids: Vec<String> = (0..11).map(|_| uuid::Uuid::now_v7().to_string()).collect();
    let (st, many) = app
        .post(
            &format!("/api/v1/workspaces/{}/tickets/{number}/replies", s.ws),
            Some(t),
            json!({"body": "x", "attachment_ids": ids}),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{many}");
    // An empty message without files is still refused.
    let (st, _) = app
        .post(
            "/api/v1/widget/messages",
            Some(&v.token),
            json!({"body": " ", "attachment_ids": []}),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn files_are_sent_only_by_their_uploader_and_other_workspaces_see_nothing() {
    let app = TestApp::spawn().await;
    let s = site(&app, "standard", true).await;
    let other = site(&app, "standard", true).await;
    let (v, number) = visitor_with_ticket(&app, &s).await;
    let theirs = member_upload(&app, &other, "theirs.txt", "text/plain", b"secret".to_vec()).await;
    let agents = member_upload(
        &app,
        &s,
        "agent.txt",
        "text/plain",
        b"from the agent".to_vec(),
    )
    .await;

    // Another workspace's attachment: 404, to read and to send.
    let (st, _) = app
        .get(
            &format!("/api/v1/workspaces/{}/attachments/{}", s.ws, id_of(&theirs)),
            Some(&s.owner_token),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = app
        .get(
            &format!(
                "/api/v1/workspaces/{}/attachments/{}",
                other.ws,
                id_of(&theirs)
            ),
            Some(&s.owner_token),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "not a member there");
    let (st, body) = app
        .post(
            &format!("/api/v1/workspaces/{}/tickets/{number}/replies", s.ws),
            Some(&s.owner_token),
            json!({"body": "x", "attachment_ids": [id_of(&theirs)]}),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"]["code"], "attachment_not_found");
    // Nothing was sent: the failed reply left no message behind.
    let detail = ticket_detail(&app, &s, &number).await;
    assert!(
        array_at(&detail, "messages")
            .iter()
            .all(|m| m["sender"] != "agent")
    );

    // The visitor can't send the agent's upload, nor the agent the visitor's.
    let (st, _) = app
        .post(
            "/api/v1/widget/messages",
            Some(&v.token),
            json!({"body": "look", "attachment_ids": [id_of(&agents)]}),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let visitors = visitor_upload(&app, &v, "mine.txt", "text/plain", b"visitor".to_vec()).await;
    let (st, _) = app
        .post(
            &format!("/api/v1/workspaces/{}/tickets/{number}/replies", s.ws),
            Some(&s.owner_token),
            json!({"body": "x", "attachment_ids": [id_of(&visitors)]}),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // A workspace member reads any attachment of the workspace with fresh links.
    let read = app
        .get(
            &format!(
                "/api/v1/workspaces/{}/attachments/{}",
                s.ws,
                id_of(&visitors)
            ),
            Some(&s.owner_token),
        )
        .await
        .expect_status(StatusCode::OK);
    assert_eq!(read["filename"], "mine.txt");

    // Without credentials nothing uploads; a key needs tickets:write.
    let (st, _) = upload(
        &app,
        "/api/v1/widget/attachments",
        "bogus",
        "a.txt",
        "text/plain",
        b"a".to_vec(),
    )
    .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let reader = app
        .api_key(&s.owner_token, &s.ws, "reader", Some(&["tickets:read"]))
        .await;
    let path = format!("/api/v1/workspaces/{}/attachments", s.ws);
    let (st, body) = upload(&app, &path, &reader, "a.txt", "text/plain", b"a".to_vec()).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "missing_scope");
    let writer = app
        .api_key(&s.owner_token, &s.ws, "writer", Some(&["tickets:write"]))
        .await;
    let keyed = upload(&app, &path, &writer, "a.txt", "text/plain", b"a".to_vec())
        .await
        .expect_status(StatusCode::CREATED);
    app.post(
        &format!("/api/v1/workspaces/{}/tickets/{number}/replies", s.ws),
        Some(&writer),
        json!({"body": "from the integration", "attachment_ids": [id_of(&keyed)]}),
    )
    .await
    .expect_status(StatusCode::CREATED);
}

#[tokio::test]
async fn the_virus_scanner_hook_refuses_what_it_flags() {
    // A stand-in for `clamdscan -`: exit 1 when the file holds the EICAR marker.
    let dir = std::env::temp_dir().join(format!("handoff-scan-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let script = dir.join("scan.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\nif grep -q EICAR-STANDARD-ANTIVIRUS-TEST-FILE; then echo 'stdin: Eicar-Signature FOUND'; exit 1; fi\nexit 0\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let app = TestApp::builder()
        .env(
            "ATTACHMENT_SCAN_COMMAND",
            format!("sh {}", script.display()),
        )
        .spawn()
        .await;
    let s = site(&app, "standard", true).await;
    let path = format!("/api/v1/workspaces/{}/attachments", s.ws);
    let eicar = br"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*".to_vec();
    let (st, body) = upload(
        &app,
        &path,
        &s.owner_token,
        "eicar.txt",
        "text/plain",
        eicar,
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "attachment_infected");
    upload(
        &app,
        &path,
        &s.owner_token,
        "fine.txt",
        "text/plain",
        b"all good".to_vec(),
    )
    .await
    .expect_status(StatusCode::CREATED);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn uploads_never_sent_are_swept_with_their_files() {
    let app = TestApp::builder()
        .env("RETENTION_INTERVAL_MS", "200")
        .spawn()
        .await;
    let s = site(&app, "standard", true).await;
    let (v, number) = visitor_with_ticket(&app, &s).await;
    let sent = visitor_upload(&app, &v, "sent.png", "image/png", png(400, 400)).await;
    app.post(
        "/api/v1/widget/messages",
        Some(&v.token),
        json!({"body": "the error", "attachment_ids": [id_of(&sent)]}),
    )
    .await
    .expect_status(StatusCode::CREATED);
    let forgotten = visitor_upload(&app, &v, "forgotten.png", "image/png", png(400, 400)).await;
    let folder = app.data_dir.join("attachments").join(&s.ws);
    let on_disk = || {
        std::fs::read_dir(&folder)
            .map(|d| d.filter_map(|e| e.ok()).count())
            .unwrap_or(0)
    };
    assert_eq!(on_disk(), 4, "two files and their thumbnails");
    sql(
        &app,
        "UPDATE attachments SET created_at = now() - interval '2 days' WHERE workspace_id = $1::uuid",
        &s.ws,
    );
    handoff_tests::eventually("the sweep", Duration::from_secs(20), async || {
        let (st, _) = app
            .get(
                &format!(
                    "/api/v1/workspaces/{}/attachments/{}",
                    s.ws,
                    id_of(&forgotten)
                ),
                Some(&s.owner_token),
            )
            .await;
        let files = on_disk();
        (st == StatusCode::NOT_FOUND && files == 2)
            .then_some(())
            .ok_or_else(|| format!("{st}, {files} files"))
    })
    .await;
    // The sent one stays, and still opens.
    let detail = ticket_detail(&app, &s, &number).await;
    let files = with_files(array_at(&detail, "messages"));
    let ok = fetch(&app, str_at(&files[0]["attachments"][0], "url")).await;
    assert_eq!(ok.status(), StatusCode::OK);
}

/// A real S3 API server (PyPI's moto) on a free port, with a bucket.
struct Moto {
    child: tokio::process::Child,
    endpoint: String,
}

impl Moto {
    async fn start(bucket: &str) -> Option<Moto> {
        let Ok(bin) = std::env::var("MOTO_SERVER") else {
            assert!(
                std::env::var("CI").is_err(),
                "MOTO_SERVER is not set: `make test` sets it (scripts/ensure-moto.sh)"
            );
            eprintln!("MOTO_SERVER is not set (scripts/ensure-moto.sh): the S3 test is skipped");
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("a free port: {e}"));
        let child = tokio::process::Command::new(bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("starting moto_server: {e}"));
        let endpoint = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        handoff_tests::eventually("moto_server", Duration::from_secs(30), async || {
            client
                .put(format!("{endpoint}/{bucket}"))
                .send()
                .await
                .map_err(|e| e.to_string())
                .and_then(|r| {
                    r.status()
                        .is_success()
                        .then_some(())
                        .ok_or_else(|| r.status().to_string())
                })
        })
        .await;
        Some(Moto { child, endpoint })
    }
}

#[tokio::test]
async fn the_store_works_the_same_on_an_s3_api_server() {
    let Some(mut moto) = Moto::start("handoff-files").await else {
        return;
    };
    let app = TestApp::builder()
        .env("STORAGE_URL", "s3://handoff-files/prod")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT", moto.endpoint.clone())
        .env("AWS_ALLOW_HTTP", "true")
        .spawn()
        .await;
    let s = site(&app, "standard", true).await;
    let (v, number) = visitor_with_ticket(&app, &s).await;
    let shot = png(900, 300);
    let up = visitor_upload(&app, &v, "s3.png", "image/png", shot.clone()).await;
    app.post(
        "/api/v1/widget/messages",
        Some(&v.token),
        json!({"body": "see attached", "attachment_ids": [id_of(&up)]}),
    )
    .await
    .expect_status(StatusCode::CREATED);
    // In the bucket, under the prefix, with its thumbnail; nothing on the local disk.
    let listing = reqwest::get(format!("{}/handoff-files?list-type=2", moto.endpoint))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .text()
        .await
        .unwrap_or_default();
    let key = format!("prod/{}/{}", s.ws, id_of(&up));
    assert!(listing.contains(&format!("<Key>{key}</Key>")), "{listing}");
    assert!(
        listing.contains(&format!("<Key>{key}.thumb</Key>")),
        "{listing}"
    );
    assert!(!app.data_dir.join("attachments").join(&s.ws).exists());
    let detail = ticket_detail(&app, &s, &number).await;
    let file = &with_files(array_at(&detail, "messages"))[0]["attachments"][0];
    let got = fetch(&app, str_at(file, "url")).await;
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(got.bytes().await.map(|b| b.to_vec()).ok(), Some(shot));
    let thumb = fetch(&app, str_at(file, "thumbnail_url")).await;
    assert_eq!(thumb.status(), StatusCode::OK);
    let _ = moto.child.kill().await;
}
