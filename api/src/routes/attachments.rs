//! Attachments: upload (the file is the raw request body, its type the `Content-Type`
//! header, its name `?filename=`), then send it with a message's `attachment_ids`; read an
//! attachment's links again; and the signed, expiring downloads the links point to.

use actix_web::http::header::{
    CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ContentDisposition,
    DispositionParam, DispositionType, X_CONTENT_TYPE_OPTIONS,
};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use crate::domain::access::Principal;
use crate::domain::attachments::{Variant, shown_inline};
use crate::error::{ApiResult, ErrorBody};
use crate::http::body::{content_type, read_limited};
use crate::services::attachments::{self as service, Upload, too_large};
use crate::state::AppState;
use crate::views::attachments::{AttachmentOut, LinkQuery, UploadQuery};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(upload_attachment)
        .service(get_attachment)
        .service(attachment_content)
        .service(attachment_thumbnail);
}

/// The upload a request carries: its name (`?filename=`), its declared type and its
/// bytes, at most `MAX_ATTACHMENT_BYTES` (413 past it).
pub async fn read_upload(
    state: &AppState,
    req: &HttpRequest,
    q: UploadQuery,
    payload: web::Payload,
) -> ApiResult<Upload> {
    let limit = state.config.max_attachment_bytes;
    let bytes = read_limited(req, payload, limit, || too_large(limit)).await?;
    Ok(Upload {
        filename: q.filename,
        content_type: content_type(req),
        bytes,
    })
}

/// Upload a file to send with a reply (`attachment_ids` of `POST …/reply` or of a
/// conversation reply). The body is the file; `Content-Type` its type (or
/// `application/octet-stream`: the extension says). Allowed: images (PNG, JPEG, GIF,
/// WebP), PDF, text and CSV, zip and Office documents, MP4 and QuickTime video; the
/// content must match the type. An upload not sent within a day is deleted.
#[utoipa::path(tag = "attachments", security(("bearer" = []), ("api_key" = ["tickets:write"])), params(("ws" = Uuid, Path), UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file's bytes (at most MAX_ATTACHMENT_BYTES)"),
    responses((status = 201, body = AttachmentOut), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody, description = "Over MAX_ATTACHMENT_BYTES (`payload_too_large`)"),
        (status = 415, body = ErrorBody, description = "A type that is not allowed, or content that is not its type (`unsupported_media_type`)"),
        (status = 422, body = ErrorBody, description = "An empty file, or one the virus scanner refused (`attachment_infected`)"),
        (status = 503, body = ErrorBody, description = "The virus scanner is unavailable (`scan_unavailable`)")))]
#[post("/api/v1/workspaces/{ws}/attachments")]
async fn upload_attachment(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    path: web::Path<Uuid>,
    q: web::Query<UploadQuery>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let file = read_upload(&state, &req, q.into_inner(), payload).await?;
    let out = service::upload_as_member(&state, &principal, path.into_inner(), file).await?;
    Ok(HttpResponse::Created().json(out))
}

/// An attachment of the workspace with fresh links (a message's links expire after an
/// hour or two).
#[utoipa::path(tag = "attachments", security(("bearer" = []), ("api_key" = ["conversations:read"])), params(("ws" = Uuid, Path), ("attachment" = Uuid, Path)),
    responses((status = 200, body = AttachmentOut), (status = 404, body = ErrorBody)))]
#[get("/api/v1/workspaces/{ws}/attachments/{attachment}")]
async fn get_attachment(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<web::Json<AttachmentOut>> {
    let (ws, id) = path.into_inner();
    Ok(web::Json(service::get(&state, &principal, ws, id).await?))
}

async fn download(
    state: &AppState,
    id: Uuid,
    variant: Variant,
    q: &LinkQuery,
) -> ApiResult<HttpResponse> {
    let d = service::download(state, id, variant, q.exp, &q.sig).await?;
    let inline = variant == Variant::Thumbnail || shown_inline(&d.attachment.content_type);
    let mut filename = d.attachment.filename.clone();
    if variant == Variant::Thumbnail {
        filename = format!("thumbnail-{filename}.jpg");
    }
    let disposition = ContentDisposition {
        disposition: if inline {
            DispositionType::Inline
        } else {
            DispositionType::Attachment
        },
        parameters: vec![
            DispositionParam::Filename(
                filename
                    .chars()
                    .map(|c| {
                        if c.is_ascii_graphic() || c == ' ' {
                            c
                        } else {
                            '_'
                        }
                    })
                    .collect(),
            ),
            DispositionParam::FilenameExt(actix_web::http::header::ExtendedValue {
                charset: actix_web::http::header::Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: filename.into_bytes(),
            }),
        ],
    };
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, d.content_type))
        .insert_header((CONTENT_DISPOSITION, disposition))
        .insert_header((X_CONTENT_TYPE_OPTIONS, "nosniff"))
        // Whatever the file holds, it runs nothing and loads nothing if opened.
        .insert_header((CONTENT_SECURITY_POLICY, "default-src 'none'; sandbox"))
        .insert_header((CACHE_CONTROL, format!("private, max-age={}", d.fresh_for)))
        .streaming(d.body))
}

/// A file, by a signed link from a message (`attachments[].url`). Images open in place;
/// every other type downloads (`Content-Disposition: attachment`). A wrong signature is
/// 404; an expired link 410 `link_expired` (read the message again for a fresh one).
#[utoipa::path(tag = "attachments", params(("attachment" = Uuid, Path), LinkQuery),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"),
        (status = 404, body = ErrorBody), (status = 410, body = ErrorBody, description = "link_expired")))]
#[get("/api/v1/attachments/{attachment}/content")]
async fn attachment_content(
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    q: web::Query<LinkQuery>,
) -> ApiResult<HttpResponse> {
    download(&state, path.into_inner(), Variant::Content, &q).await
}

/// An image's thumbnail (JPEG, longest side 320 px), by a signed link
/// (`attachments[].thumbnail_url`).
#[utoipa::path(tag = "attachments", params(("attachment" = Uuid, Path), LinkQuery),
    responses((status = 200, description = "The thumbnail", content_type = "image/jpeg"),
        (status = 404, body = ErrorBody), (status = 410, body = ErrorBody, description = "link_expired")))]
#[get("/api/v1/attachments/{attachment}/thumbnail")]
async fn attachment_thumbnail(
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    q: web::Query<LinkQuery>,
) -> ApiResult<HttpResponse> {
    download(&state, path.into_inner(), Variant::Thumbnail, &q).await
}
