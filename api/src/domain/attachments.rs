//! Attachments' rules, without I/O: which files are accepted (a type allowlist checked
//! against the bytes, not only the name or the declared type), how names are cleaned, and
//! the signed, expiring download links.
//!
//! A link is `…/attachments/{id}/{variant}?exp={unix}&sig={hex}` with `sig` =
//! HMAC-SHA256(the attachment's own 256-bit key, `"{id}:{variant}:{exp}"`). Links made
//! within the same hour carry the same `exp` (the end of the next hour), so a page that
//! shows an image twice, or reloads, hits the browser's cache.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

/// Files a message may carry.
pub const MAX_PER_MESSAGE: usize = 10;
/// The longest file name kept (characters).
pub const FILENAME_MAX: usize = 200;
/// The thumbnail's longest side, in pixels.
pub const THUMBNAIL_SIDE: u32 = 320;
/// How long a link made now works at least, in seconds (and at most twice that).
pub const LINK_WINDOW_SECS: i64 = 3600;
/// Links in mail (the agent's attachments in a reply copy) work this long.
pub const MAIL_LINK_SECS: i64 = 30 * 24 * 3600;

/// What the bytes of an allowed type must look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A raster image the server decodes (dimensions, thumbnail) and shows inline.
    Image,
    /// `%PDF-`
    Pdf,
    /// A zip container (zip, and the Office Open XML documents).
    Zip,
    /// An ISO media file (`ftyp` box): MP4, QuickTime.
    Video,
    /// UTF-8 text without NUL.
    Text,
}

/// The allowlist: content type, the extensions that imply it, what the bytes must be.
const ALLOWED: &[(&str, &[&str], Kind)] = &[
    ("image/png", &["png"], Kind::Image),
    ("image/jpeg", &["jpg", "jpeg"], Kind::Image),
    ("image/gif", &["gif"], Kind::Image),
    ("image/webp", &["webp"], Kind::Image),
    ("application/pdf", &["pdf"], Kind::Pdf),
    ("text/plain", &["txt", "log", "text"], Kind::Text),
    ("text/csv", &["csv"], Kind::Text),
    ("application/zip", &["zip"], Kind::Zip),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &["docx"],
        Kind::Zip,
    ),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &["xlsx"],
        Kind::Zip,
    ),
    (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        &["pptx"],
        Kind::Zip,
    ),
    ("video/mp4", &["mp4", "m4v"], Kind::Video),
    ("video/quicktime", &["mov"], Kind::Video),
];

/// Why a file is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// 415: the type is not on the allowlist (HTML, SVG, executables…).
    #[error("files of type {0} can't be attached")]
    Type(String),
    /// 415: the bytes are not what the type says (a `.png` that isn't a PNG).
    #[error("the file's content is not {0}")]
    Content(&'static str),
    /// 422: nothing to store.
    #[error("the file is empty")]
    Empty,
}

/// A type as declared (`Content-Type`), without parameters, lower case; `None` when it
/// says nothing (`application/octet-stream`, empty).
fn declared(content_type: Option<&str>) -> Option<String> {
    let t = content_type?.split(';').next()?.trim().to_ascii_lowercase();
    (!t.is_empty() && t != "application/octet-stream").then_some(t)
}

fn extension(filename: &str) -> Option<String> {
    let (_, ext) = filename.rsplit_once('.')?;
    Some(ext.to_ascii_lowercase())
}

/// Whether `head` (the file's bytes) is a file of `kind`.
fn looks_like(kind: Kind, content_type: &str, bytes: &[u8]) -> bool {
    match kind {
        Kind::Image => match content_type {
            "image/png" => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
            "image/jpeg" => bytes.starts_with(&[0xff, 0xd8, 0xff]),
            "image/gif" => bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a"),
            "image/webp" => bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP",
            _ => false,
        },
        Kind::Pdf => bytes.starts_with(b"%PDF-"),
        Kind::Zip => bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06"),
        Kind::Video => bytes.len() >= 12 && &bytes[4..8] == b"ftyp",
        Kind::Text => !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok(),
    }
}

/// The file's type: the declared one (or, when it declares none, the one its extension
/// implies), on the allowlist and matching the bytes.
pub fn file_type(
    content_type: Option<&str>,
    filename: &str,
    bytes: &[u8],
) -> Result<(&'static str, Kind), Refused> {
    if bytes.is_empty() {
        return Err(Refused::Empty);
    }
    let wanted = match declared(content_type) {
        Some(t) => ALLOWED
            .iter()
            .find(|(allowed, _, _)| *allowed == t)
            .ok_or(Refused::Type(t))?,
        None => {
            let ext = extension(filename).unwrap_or_default();
            ALLOWED
                .iter()
                .find(|(_, exts, _)| exts.contains(&ext.as_str()))
                .ok_or_else(|| {
                    Refused::Type(if ext.is_empty() {
                        "application/octet-stream".to_string()
                    } else {
                        format!(".{ext}")
                    })
                })?
        }
    };
    let (t, _, kind) = *wanted;
    if !looks_like(kind, t, bytes) {
        return Err(Refused::Content(t));
    }
    Ok((t, kind))
}

/// A file name as stored and sent back: its last path segment, without control
/// characters and quotes, at most `FILENAME_MAX` characters (the extension kept), `file`
/// when nothing is left.
pub fn clean_filename(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\u{202e}' | '\u{202d}'))
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    if cleaned.is_empty() {
        return "file".to_string();
    }
    if cleaned.chars().count() <= FILENAME_MAX {
        return cleaned.to_string();
    }
    let ext = cleaned
        .rsplit_once('.')
        .map(|(_, e)| e)
        .filter(|e| e.chars().count() <= 10)
        .unwrap_or_default();
    let keep = FILENAME_MAX - ext.chars().count() - usize::from(!ext.is_empty());
    let stem: String = cleaned.chars().take(keep).collect();
    if ext.is_empty() {
        stem
    } else {
        format!("{stem}.{ext}")
    }
}

/// Whether the browser may show this type in place (`Content-Disposition: inline`):
/// raster images only; everything else downloads.
pub fn shown_inline(content_type: &str) -> bool {
    ALLOWED
        .iter()
        .any(|(t, _, kind)| *t == content_type && *kind == Kind::Image)
}

/// Who uploaded a pending attachment: only they can send it with a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uploader {
    /// A member, from the dashboard or with their session.
    Member(Uuid),
    /// A workspace API key (or MCP client): any key of the workspace may send it.
    ApiKey,
    /// The widget's visitor.
    Visitor(Uuid),
}

/// The variants of an attachment a link can fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    Content,
    Thumbnail,
}

impl Variant {
    pub fn as_str(self) -> &'static str {
        match self {
            Variant::Content => "content",
            Variant::Thumbnail => "thumbnail",
        }
    }
}

/// A new attachment's link key (hex of 32 random bytes).
pub fn new_url_key() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

fn mac(url_key: &str, id: Uuid, variant: Variant, exp: i64) -> Option<Hmac<Sha256>> {
    let key = hex::decode(url_key).ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(format!("{id}:{}:{exp}", variant.as_str()).as_bytes());
    Some(mac)
}

/// The expiry of a link made at `now` (unix seconds): the end of the next hour.
pub fn link_expiry(now: i64) -> i64 {
    (now.div_euclid(LINK_WINDOW_SECS) + 2) * LINK_WINDOW_SECS
}

/// A download link's path and query (relative to the server's base URL).
pub fn link(url_key: &str, id: Uuid, variant: Variant, exp: i64) -> String {
    let sig = mac(url_key, id, variant, exp)
        .map(|m| hex::encode(m.finalize().into_bytes()))
        .unwrap_or_default();
    format!(
        "/api/v1/attachments/{id}/{}?exp={exp}&sig={sig}",
        variant.as_str()
    )
}

/// Why a link does not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkRefused {
    BadSignature,
    Expired,
}

/// Checks a link's signature, then its expiry.
pub fn check_link(
    url_key: &str,
    id: Uuid,
    variant: Variant,
    exp: i64,
    sig: &str,
    now: i64,
) -> Result<(), LinkRefused> {
    let given = hex::decode(sig).map_err(|_| LinkRefused::BadSignature)?;
    mac(url_key, id, variant, exp)
        .ok_or(LinkRefused::BadSignature)?
        .verify_slice(&given)
        .map_err(|_| LinkRefused::BadSignature)?;
    if now >= exp {
        return Err(LinkRefused::Expired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn the_type_is_the_declared_one_checked_against_the_bytes() {
        assert_eq!(
            file_type(Some("image/png"), "x.png", PNG),
            Ok(("image/png", Kind::Image))
        );
        assert_eq!(
            file_type(Some("Image/PNG; charset=x"), "x", PNG),
            Ok(("image/png", Kind::Image))
        );
        // No declared type: the extension says.
        assert_eq!(
            file_type(Some("application/octet-stream"), "shot.PNG", PNG),
            Ok(("image/png", Kind::Image))
        );
        assert_eq!(
            file_type(None, "notes.txt", "héllo\n".as_bytes()),
            Ok(("text/plain", Kind::Text))
        );
        // A renamed file is refused by its bytes.
        assert_eq!(
            file_type(Some("image/png"), "x.png", b"<svg></svg>"),
            Err(Refused::Content("image/png"))
        );
        assert_eq!(
            file_type(Some("text/plain"), "x.txt", b"a\0b"),
            Err(Refused::Content("text/plain"))
        );
    }

    #[test]
    fn markup_and_programs_are_not_on_the_list() {
        for (t, name) in [
            (Some("image/svg+xml"), "x.svg"),
            (Some("text/html"), "x.html"),
            (Some("application/x-msdownload"), "x.exe"),
            (None, "x.svg"),
            (None, "x.html"),
            (None, "noextension"),
        ] {
            assert!(
                matches!(file_type(t, name, b"<html>"), Err(Refused::Type(_))),
                "{t:?} {name}"
            );
        }
        assert_eq!(
            file_type(Some("image/png"), "x.png", b""),
            Err(Refused::Empty)
        );
        assert!(!shown_inline("application/pdf"));
        assert!(shown_inline("image/png"));
    }

    #[test]
    fn names_lose_paths_controls_and_length() {
        assert_eq!(clean_filename("C:\\Users\\me\\shot.png"), "shot.png");
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(clean_filename("a\"b\r\n.txt"), "ab.txt");
        assert_eq!(clean_filename("  "), "file");
        assert_eq!(clean_filename(".htaccess"), "htaccess");
        let long = format!("{}.pdf", "x".repeat(500));
        let cleaned = clean_filename(&long);
        assert_eq!(cleaned.chars().count(), FILENAME_MAX);
        assert!(cleaned.ends_with(".pdf"));
    }

    #[test]
    fn links_are_signed_per_attachment_and_expire() {
        let key = new_url_key();
        let id = Uuid::now_v7();
        let now = 1_800_000_000;
        let exp = link_expiry(now);
        assert!(exp - now > LINK_WINDOW_SECS && exp - now <= 2 * LINK_WINDOW_SECS);
        assert_eq!(link_expiry(now + 1), exp, "one hour's links are the same");
        let url = link(&key, id, Variant::Content, exp);
        let sig = url.rsplit_once("sig=").map(|(_, s)| s).unwrap_or_default();
        assert_eq!(
            check_link(&key, id, Variant::Content, exp, sig, now),
            Ok(())
        );
        assert_eq!(
            check_link(&key, id, Variant::Content, exp, sig, exp),
            Err(LinkRefused::Expired)
        );
        // Another variant, expiry, attachment or key: the signature does not hold.
        for (k, i, v, e) in [
            (key.clone(), id, Variant::Thumbnail, exp),
            (key.clone(), id, Variant::Content, exp + 1),
            (key.clone(), Uuid::now_v7(), Variant::Content, exp),
            (new_url_key(), id, Variant::Content, exp),
        ] {
            assert_eq!(
                check_link(&k, i, v, e, sig, now),
                Err(LinkRefused::BadSignature)
            );
        }
        assert_eq!(
            check_link(&key, id, Variant::Content, exp, "zz", now),
            Err(LinkRefused::BadSignature)
        );
    }
}
