//! Attachments: upload (type allowlist checked against the bytes, the virus-scan hook,
//! dimensions and thumbnail for images, the object store, then the row), the claim a
//! message makes on its uploads in the message's transaction, signed downloads, and the
//! sweep of uploads never sent.

use actix_web::http::StatusCode;
use bytes::Bytes;
use chrono::Utc;
use sha2::Digest;
use uuid::Uuid;

use crate::config::Config;
use crate::db::models::{Attachment, Message};
use crate::db::{self, Conn, attachments as store};
use crate::domain::access::Principal;
use crate::domain::actor::Actor;
use crate::domain::attachments::{
    Kind, LinkRefused, MAIL_LINK_SECS, MAX_PER_MESSAGE, Refused, Uploader, Variant, check_link,
    clean_filename, file_type, new_url_key,
};
use crate::domain::enums::ActorKind;
use crate::error::{ApiError, ApiResult};
use crate::services::access::access;
use crate::state::AppState;
use crate::storage::scan::{self, Verdict};
use crate::storage::{ObjectStream, images, thumbnail_key};
use crate::views::attachments::{AttachmentOut, Stored, stored};

/// Uploads never sent are deleted after this long.
const PENDING_HOURS: i64 = 24;

/// 413 for a file over `MAX_ATTACHMENT_BYTES`.
pub fn too_large(limit: usize) -> ApiError {
    ApiError::refused(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!("The file is over {limit} bytes (MAX_ATTACHMENT_BYTES)."),
    )
}

fn refused(r: Refused) -> ApiError {
    match r {
        Refused::Empty => ApiError::validation("file", "is empty"),
        Refused::Type(t) => ApiError::refused(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!(
                "Files of type {t} can't be attached. Send a picture (PNG, JPEG, GIF, WebP), a PDF, text or CSV, a zip or Office document, or an MP4 or MOV video."
            ),
        ),
        Refused::Content(t) => ApiError::refused(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("The file's content is not {t}: send it with its real type."),
        ),
    }
}

/// A file as it arrived: its name, its declared type and its bytes.
pub struct Upload {
    /// `None` when the request named none (422).
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub bytes: Bytes,
}

/// A member's (or API key's) upload, to be sent with a reply.
pub async fn upload_as_member(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    file: Upload,
) -> ApiResult<AttachmentOut> {
    let (conn, access) = access(state, principal, ws).await?;
    drop(conn);
    let uploader = match access.user_id {
        Some(user) => Uploader::Member(user),
        None => Uploader::ApiKey,
    };
    let row = store_file(state, access.workspace_id, uploader, file).await?;
    Ok(AttachmentOut::from(&row))
}

/// A visitor's upload, to be sent with a widget message.
pub async fn upload_as_visitor(
    state: &AppState,
    ws: Uuid,
    visitor_id: Uuid,
    file: Upload,
) -> ApiResult<AttachmentOut> {
    let row = store_file(state, ws, Uploader::Visitor(visitor_id), file).await?;
    Ok(AttachmentOut::from(&row))
}

/// A file checked and in the store, its row not yet written.
pub struct Prepared {
    row: Attachment,
}

impl Prepared {
    /// The row for the workspace: pending (`message_id` None), or the message's.
    pub fn row(
        &self,
        ws: Uuid,
        uploader: Option<Uploader>,
        message_id: Option<Uuid>,
    ) -> Attachment {
        Attachment {
            workspace_id: ws,
            message_id,
            uploaded_by_user_id: match uploader {
                Some(Uploader::Member(u)) => Some(u),
                _ => None,
            },
            uploaded_by_visitor_id: match uploader {
                Some(Uploader::Visitor(v)) => Some(v),
                _ => None,
            },
            ..self.row.clone()
        }
    }

    /// Removes the stored objects (the row was never written).
    pub async fn discard(&self, state: &AppState) {
        remove_objects(state, &self.row).await;
    }
}

/// Checks and stores a member's or visitor's upload; the row is pending.
async fn store_file(
    state: &AppState,
    ws: Uuid,
    uploader: Uploader,
    file: Upload,
) -> ApiResult<Attachment> {
    let prepared = prepare(state, &ws.to_string(), file).await?;
    let row = prepared.row(ws, Some(uploader), None);
    let mut conn = db::conn(&state.pool).await?;
    match store::insert(&mut conn, &row).await {
        Ok(row) => Ok(row),
        Err(e) => {
            prepared.discard(state).await;
            Err(e.into())
        }
    }
}

/// Checks a file (size, type against its bytes, the virus scanner, an image's
/// dimensions and thumbnail) and puts it in the store under `<folder>/<id>`.
pub async fn prepare(state: &AppState, folder: &str, file: Upload) -> ApiResult<Prepared> {
    let limit = state.config.max_attachment_bytes;
    if file.bytes.len() > limit {
        return Err(too_large(limit));
    }
    let filename = file
        .filename
        .as_deref()
        .filter(|f| !f.trim().is_empty())
        .ok_or_else(|| ApiError::validation("filename", "is required (?filename=…)"))?;
    let filename = clean_filename(filename);
    let (content_type, kind) =
        file_type(file.content_type.as_deref(), &filename, &file.bytes).map_err(refused)?;
    if let Some(command) = &state.config.attachment_scan_command {
        match scan::scan(command, &file.bytes).await {
            Ok(Verdict::Clean) => {}
            Ok(Verdict::Infected(what)) => {
                tracing::warn!(folder, file = %filename, scanner = %what, "a file was refused by the virus scanner");
                return Err(ApiError::refused(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "attachment_infected",
                    "The virus scanner refused this file.",
                ));
            }
            Err(e) => {
                tracing::error!(error = %e, "the virus scanner failed; the file is refused");
                return Err(ApiError::refused(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "scan_unavailable",
                    "Files can't be checked for viruses right now; try again in a moment.",
                ));
            }
        }
    }
    let (width, height, thumbnail) = if kind == Kind::Image {
        let bytes = file.bytes.clone();
        let probed = tokio::task::spawn_blocking(move || images::probe(content_type, &bytes))
            .await
            .map_err(ApiError::internal)?;
        match probed {
            Ok(p) => (
                i32::try_from(p.width).ok(),
                i32::try_from(p.height).ok(),
                p.thumbnail,
            ),
            // Too large to decode here: kept, shown without a thumbnail.
            Err(e)
                if e.downcast_ref::<image::ImageError>()
                    .is_some_and(|e| matches!(e, image::ImageError::Limits(_))) =>
            {
                (None, None, None)
            }
            Err(_) => {
                return Err(ApiError::refused(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                    format!("The file is not a readable {content_type} image."),
                ));
            }
        }
    } else {
        (None, None, None)
    };
    let id = Uuid::now_v7();
    let key = format!("{folder}/{id}");
    let size = i64::try_from(file.bytes.len()).map_err(ApiError::internal)?;
    let sha256 = hex::encode(sha2::Sha256::digest(&file.bytes));
    state.storage.put(&key, file.bytes).await?;
    let has_thumbnail = match thumbnail {
        Some(thumb) => {
            if let Err(e) = state
                .storage
                .put(&thumbnail_key(&key), Bytes::from(thumb))
                .await
            {
                let _ = state.storage.delete(&key).await;
                return Err(e.into());
            }
            true
        }
        None => false,
    };
    Ok(Prepared {
        row: Attachment {
            id,
            workspace_id: Uuid::nil(),
            message_id: None,
            uploaded_by_user_id: None,
            uploaded_by_visitor_id: None,
            filename,
            content_type: content_type.to_string(),
            size_bytes: size,
            sha256,
            width,
            height,
            has_thumbnail,
            storage_key: key,
            url_key: new_url_key(),
            created_at: Utc::now(),
        },
    })
}

/// Writes the rows of files that came with a message (an inbound mail's), in the
/// message's transaction, and shows them on it.
pub async fn attach_prepared(
    conn: &mut Conn,
    ws: Uuid,
    files: &[Prepared],
    message: Message,
) -> ApiResult<Message> {
    if files.is_empty() {
        return Ok(message);
    }
    let mut rows = Vec::with_capacity(files.len());
    for f in files {
        rows.push(store::insert(conn, &f.row(ws, None, Some(message.id))).await?);
    }
    show_on(conn, ws, message.id, &rows).await
}

/// Writes what the message shows of its attachments `rows`; the message as stored now.
async fn show_on(
    conn: &mut Conn,
    ws: Uuid,
    message_id: Uuid,
    rows: &[Attachment],
) -> ApiResult<Message> {
    let shown: Vec<Stored> = rows.iter().map(Stored::from).collect();
    let shown = serde_json::to_value(shown).map_err(ApiError::internal)?;
    Ok(store::set_on_message(conn, ws, message_id, shown).await?)
}

/// Deletes a row's stored objects (the file and its thumbnail); failures are logged.
pub(crate) async fn remove_objects(state: &AppState, row: &Attachment) {
    let mut keys = vec![row.storage_key.clone()];
    if row.has_thumbnail {
        keys.push(thumbnail_key(&row.storage_key));
    }
    for key in keys {
        if let Err(e) = state.storage.delete(&key).await {
            tracing::warn!(error = %e, key, "deleting an attachment's object");
        }
    }
}

/// Who uploads as `actor`: the member, or the workspace's API keys.
pub fn uploader_of(actor: &Actor) -> Uploader {
    match (actor.kind, actor.id) {
        (ActorKind::User, Some(user)) => Uploader::Member(user),
        _ => Uploader::ApiKey,
    }
}

/// A reply's text for mail: the files it carries follow as links (absolute, working for
/// `MAIL_LINK_SECS`), since the mail does not carry the files themselves.
pub fn with_mail_links(config: &Config, body: &str, message: &Message) -> String {
    let files = stored(message.attachments.as_ref());
    if files.is_empty() {
        return body.to_string();
    }
    let exp = Utc::now().timestamp() + MAIL_LINK_SECS;
    let mut text = body.trim_end().to_string();
    if !text.is_empty() {
        text.push_str("\n\n");
    }
    text.push_str("Attachments:");
    for f in &files {
        let out = f.out_until(exp);
        text.push_str(&format!(
            "\n- {} ({}): {}{}",
            f.filename,
            human_size(f.size),
            config.public_url,
            out.url
        ));
    }
    text
}

/// `512 B`, `12 KB`, `3.4 MB`.
pub fn human_size(bytes: i64) -> String {
    const KB: f64 = 1024.0;
    let b = bytes as f64;
    if b < KB {
        format!("{bytes} B")
    } else if b < KB * KB {
        format!("{:.0} KB", b / KB)
    } else {
        format!("{:.1} MB", b / KB / KB)
    }
}

/// The ids a message is sent with: at most `MAX_PER_MESSAGE`, each once.
pub fn requested(ids: &[Uuid]) -> ApiResult<Vec<Uuid>> {
    if ids.len() > MAX_PER_MESSAGE {
        return Err(ApiError::validation(
            "attachment_ids",
            format!("at most {MAX_PER_MESSAGE} files per message"),
        ));
    }
    let mut unique = Vec::with_capacity(ids.len());
    for id in ids {
        if !unique.contains(id) {
            unique.push(*id);
        }
    }
    Ok(unique)
}

/// The message claims the uploader's pending attachments `ids` (in the message's
/// transaction) and shows them; 404 `attachment_not_found` when one is not theirs, not
/// in the workspace, gone, or sent already. Returns the message as stored now.
pub async fn claim_for(
    conn: &mut Conn,
    ws: Uuid,
    ids: &[Uuid],
    uploader: Uploader,
    message: Message,
) -> ApiResult<Message> {
    if ids.is_empty() {
        return Ok(message);
    }
    let claimed = store::claim(conn, ws, ids, uploader, message.id).await?;
    if claimed.len() != ids.len() {
        return Err(ApiError::Refused {
            status: StatusCode::NOT_FOUND,
            code: "attachment_not_found",
            message: "An attachment was not found: upload it again (uploads are kept for a day, and each is sent once).".into(),
        });
    }
    show_on(conn, ws, message.id, &claimed).await
}

/// An attachment of the workspace, with fresh links (404 for another workspace's).
pub async fn get(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    id: Uuid,
) -> ApiResult<AttachmentOut> {
    let (mut conn, access) = access(state, principal, ws).await?;
    let row = store::find_in(&mut conn, access.workspace_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("attachment"))?;
    Ok(AttachmentOut::from(&row))
}

/// What a signed link downloads.
pub struct Download {
    pub attachment: Attachment,
    /// The type of the bytes sent (a thumbnail's may differ from the file's).
    pub content_type: String,
    pub body: ObjectStream,
    /// Seconds the link still works (for `Cache-Control`).
    pub fresh_for: i64,
}

/// The file (or its thumbnail) behind a signed link. A wrong signature and an unknown
/// attachment are both 404 (nothing to learn from probing); an expired link is 410.
pub async fn download(
    state: &AppState,
    id: Uuid,
    variant: Variant,
    exp: i64,
    sig: &str,
) -> ApiResult<Download> {
    let mut conn = db::conn(&state.pool).await?;
    let row = store::find(&mut conn, id)
        .await?
        .ok_or_else(|| ApiError::not_found("attachment"))?;
    drop(conn);
    let now = Utc::now().timestamp();
    match check_link(&row.url_key, id, variant, exp, sig, now) {
        Ok(()) => {}
        Err(LinkRefused::BadSignature) => return Err(ApiError::not_found("attachment")),
        Err(LinkRefused::Expired) => {
            return Err(ApiError::refused(
                StatusCode::GONE,
                "link_expired",
                "This link has expired: open the conversation again for a fresh one.",
            ));
        }
    }
    let (key, content_type) = match variant {
        Variant::Content => (row.storage_key.clone(), row.content_type.clone()),
        Variant::Thumbnail if row.has_thumbnail => (
            thumbnail_key(&row.storage_key),
            images::THUMBNAIL_TYPE.to_string(),
        ),
        Variant::Thumbnail => return Err(ApiError::not_found("thumbnail")),
    };
    let body = state
        .storage
        .get(&key)
        .await?
        .ok_or_else(|| ApiError::not_found("attachment"))?;
    Ok(Download {
        attachment: row,
        content_type,
        body,
        fresh_for: (exp - now).max(0),
    })
}

/// Deletes uploads never sent (older than a day): objects first, then rows. Returns how
/// many rows went.
pub async fn sweep_pending(state: &AppState, batch: i64) -> ApiResult<usize> {
    let before = Utc::now() - chrono::Duration::hours(PENDING_HOURS);
    let mut conn = db::conn(&state.pool).await?;
    let rows = store::pending_before(&mut conn, before, batch).await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    // Rows first (a row claimed meanwhile stays, with its object), then their objects.
    let deleted = store::delete_pending(&mut conn, &ids).await?;
    drop(conn);
    for row in &deleted {
        remove_objects(state, row).await;
    }
    Ok(deleted.len())
}
