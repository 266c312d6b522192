//! Webhook signatures (documented for receivers in docs/webhooks.md).
//!
//! Every delivery carries `Handoff-Signature: t=<unix seconds>,v1=<hex>` where the hex
//! is HMAC-SHA256, keyed with the webhook's secret, over `"{t}.{raw body}"`. Signing the
//! timestamp with the body lets receivers refuse replays of old deliveries.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The header that carries the signature.
pub const SIGNATURE_HEADER: &str = "Handoff-Signature";

/// HMAC-SHA256 over `"{timestamp}.{body}"`, hex encoded.
pub fn compute(secret: &str, timestamp: i64, body: &[u8]) -> String {
    // HMAC accepts keys of any length, so this never fails.
    let mut mac = match HmacSha256::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// The full header value: `t=<timestamp>,v1=<hex>`.
pub fn header_value(secret: &str, timestamp: i64, body: &[u8]) -> String {
    format!("t={timestamp},v1={}", compute(secret, timestamp, body))
}

/// Why a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the signature header is malformed")]
    Malformed,
    #[error("the signature timestamp is outside the tolerance")]
    Expired,
    #[error("the signature does not match")]
    Mismatch,
}

/// Checks a `Handoff-Signature` header value against the body, as a receiver would.
/// `tolerance_secs` bounds the age (and future skew) of the timestamp.
pub fn verify(
    secret: &str,
    header: &str,
    body: &[u8],
    now: i64,
    tolerance_secs: i64,
) -> Result<(), VerifyError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => {
                timestamp = Some(t.parse::<i64>().map_err(|_| VerifyError::Malformed)?)
            }
            Some(("v1", sig)) => signatures.push(sig),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(VerifyError::Malformed)?;
    if signatures.is_empty() {
        return Err(VerifyError::Malformed);
    }
    if (now - timestamp).abs() > tolerance_secs {
        return Err(VerifyError::Expired);
    }
    let mut mac =
        HmacSha256::new_from_slice(secret.as_bytes()).map_err(|_| VerifyError::Malformed)?;
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    for sig in signatures {
        let Ok(bytes) = hex::decode(sig) else {
            continue;
        };
        // verify_slice compares in constant time.
        if mac.clone().verify_slice(&bytes).is_ok() {
            return Ok(());
        }
    }
    Err(VerifyError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vector() {
        // printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
        assert_eq!(
            compute("whsec_test", 1_700_000_000, br#"{"a":1}"#),
            "38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789"
        );
    }

    #[test]
    fn header_round_trips() {
        let body = br#"{"event":"ticket.created"}"#;
        let header = header_value("s3cret", 1_700_000_000, body);
        assert!(header.starts_with("t=1700000000,v1="));
        assert_eq!(verify("s3cret", &header, body, 1_700_000_100, 300), Ok(()));
    }

    #[test]
    fn rejects_tampering_wrong_secret_and_age() {
        let body = br#"{"event":"ticket.created"}"#;
        let header = header_value("s3cret", 1_700_000_000, body);
        assert_eq!(
            verify("s3cret", &header, b"{}", 1_700_000_000, 300),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify("other", &header, body, 1_700_000_000, 300),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify("s3cret", &header, body, 1_700_001_000, 300),
            Err(VerifyError::Expired)
        );
        assert_eq!(
            verify("s3cret", "garbage", body, 1_700_000_000, 300),
            Err(VerifyError::Malformed)
        );
        // The timestamp is signed: changing it breaks the signature.
        let forged = header.replace("t=1700000000", "t=1700000500");
        assert_eq!(
            verify("s3cret", &forged, body, 1_700_000_500, 300),
            Err(VerifyError::Mismatch)
        );
    }
}
