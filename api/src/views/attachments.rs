//! Attachments as the API shows them: metadata and signed, expiring download links
//! (`domain::attachments::link`), relative to the server's base URL.

use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::db::models::Attachment;
use crate::domain::attachments::{Variant, link, link_expiry};

/// What a message keeps of each of its attachments (the `messages.attachments` jsonb):
/// enough to show it and sign its links without reading another table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored {
    pub id: Uuid,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<i32>,
    #[serde(default)]
    pub thumbnail: bool,
    pub url_key: String,
}

impl From<&Attachment> for Stored {
    fn from(a: &Attachment) -> Self {
        Stored {
            id: a.id,
            filename: a.filename.clone(),
            content_type: a.content_type.clone(),
            size: a.size_bytes,
            width: a.width,
            height: a.height,
            thumbnail: a.has_thumbnail,
            url_key: a.url_key.clone(),
        }
    }
}

/// A file sent with a message (or uploaded, to be sent).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttachmentOut {
    pub id: Uuid,
    /// The file's name as uploaded (paths and control characters removed).
    pub filename: String,
    /// One of the allowed types (`image/png`, `application/pdf`, …).
    pub content_type: String,
    /// Bytes.
    pub size: i64,
    /// Images: pixels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<i32>,
    /// The file (a signed link, relative to the server's base URL, that works until
    /// `links_expire_at`); images open in place, other files download.
    pub url: String,
    /// A small version of an image (longest side 320 px), when it is larger than that.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail_url: Option<String>,
    /// When `url` and `thumbnail_url` stop working (at least an hour from when they were
    /// made); read the message or the attachment again for fresh ones.
    pub links_expire_at: DateTime<Utc>,
}

impl Stored {
    /// The attachment with links valid until `exp` (unix seconds).
    pub fn out_until(&self, exp: i64) -> AttachmentOut {
        AttachmentOut {
            id: self.id,
            filename: self.filename.clone(),
            content_type: self.content_type.clone(),
            size: self.size,
            width: self.width,
            height: self.height,
            url: link(&self.url_key, self.id, Variant::Content, exp),
            thumbnail_url: self
                .thumbnail
                .then(|| link(&self.url_key, self.id, Variant::Thumbnail, exp)),
            links_expire_at: Utc.timestamp_opt(exp, 0).single().unwrap_or_else(Utc::now),
        }
    }

    /// The attachment with links made now.
    pub fn out(&self) -> AttachmentOut {
        self.out_until(link_expiry(Utc::now().timestamp()))
    }
}

impl From<&Attachment> for AttachmentOut {
    fn from(a: &Attachment) -> Self {
        Stored::from(a).out()
    }
}

/// What a message keeps of its attachments, from its jsonb (nothing when unreadable).
pub fn stored(value: Option<&serde_json::Value>) -> Vec<Stored> {
    value
        .and_then(|v| Vec::<Stored>::deserialize(v).ok())
        .unwrap_or_default()
}

/// The attachments a message shows, with links made now.
pub fn of_message(value: Option<&serde_json::Value>) -> Vec<AttachmentOut> {
    stored(value).iter().map(Stored::out).collect()
}

/// `POST …/attachments?filename=`: the file is the request body, its type the
/// `Content-Type` header.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The file's name (`screenshot.png`); its extension gives the type when the
    /// `Content-Type` header says none (`application/octet-stream`). Required.
    pub filename: Option<String>,
}

/// A download link's signature.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LinkQuery {
    /// Expiry (unix seconds).
    pub exp: i64,
    /// HMAC-SHA256, hex.
    pub sig: String,
}
