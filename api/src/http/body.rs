//! Raw request bodies with a size limit: refused from `Content-Length` before anything is
//! read, and while reading when the client sends more than it said (or sends chunks).

use actix_web::{HttpRequest, web};
use futures_util::StreamExt;

use crate::error::{ApiError, ApiResult};

/// The whole body, at most `limit` bytes; `too_large` is the error past it.
pub async fn read_limited(
    req: &HttpRequest,
    mut payload: web::Payload,
    limit: usize,
    too_large: impl Fn() -> ApiError,
) -> ApiResult<web::Bytes> {
    let declared = req
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let mut raw = web::BytesMut::with_capacity(declared.unwrap_or(0).min(limit));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| ApiError::bad_request("The body could not be read."))?;
        if raw.len() + chunk.len() > limit {
            return Err(too_large());
        }
        raw.extend_from_slice(&chunk);
    }
    Ok(raw.freeze())
}

/// The request's `Content-Type`, if it has a readable one.
pub fn content_type(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}
