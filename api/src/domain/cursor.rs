//! Opaque keyset cursors: base64url of `<sort tag>:<sort key µs>:<id>`.
//!
//! A cursor remembers the last row of a page (its sort timestamp and id); the next
//! page continues strictly after it, so page 1,000 costs what page 1 costs. The
//! sort tag ties a cursor to the order it was made for: a cursor from one sort
//! order is rejected by another instead of silently skipping rows.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// The position after which the next page starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub ts: DateTime<Utc>,
    pub id: Uuid,
}

/// The cursor text is not one this server made (for this sort order).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("is not a valid cursor for this list; pass next_cursor from the previous page unchanged")]
pub struct InvalidCursor;

impl Cursor {
    pub fn new(ts: DateTime<Utc>, id: Uuid) -> Self {
        Cursor { ts, id }
    }

    /// Encodes the cursor for the list ordered by `tag` (e.g. `created_desc`).
    pub fn encode(&self, tag: &str) -> String {
        let raw = format!("{tag}:{}:{}", self.ts.timestamp_micros(), self.id.simple());
        URL_SAFE_NO_PAD.encode(raw)
    }

    /// Decodes a cursor made by [`Cursor::encode`] with the same `tag`.
    pub fn decode(text: &str, tag: &str) -> Result<Self, InvalidCursor> {
        if text.is_empty() || text.len() > 200 {
            return Err(InvalidCursor);
        }
        let bytes = URL_SAFE_NO_PAD
            .decode(text.trim_end_matches('='))
            .map_err(|_| InvalidCursor)?;
        let raw = String::from_utf8(bytes).map_err(|_| InvalidCursor)?;
        let mut parts = raw.splitn(3, ':');
        let (Some(got_tag), Some(micros), Some(id)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(InvalidCursor);
        };
        if got_tag != tag {
            return Err(InvalidCursor);
        }
        let micros: i64 = micros.parse().map_err(|_| InvalidCursor)?;
        let ts = storable_micros(micros).ok_or(InvalidCursor)?;
        let id = Uuid::try_parse(id).map_err(|_| InvalidCursor)?;
        Ok(Cursor { ts, id })
    }
}

/// Microseconds since 1970 as a timestamp Postgres can store and compare: years 1 to
/// 9999 (chrono reaches far past Postgres' 4713 BC – 294276 AD, and a value outside
/// Postgres' range fails the query). `None` outside.
pub fn storable_micros(micros: i64) -> Option<DateTime<Utc>> {
    // 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z.
    const MIN: i64 = -62_135_596_800_000_000;
    const MAX: i64 = 253_402_300_799_999_999;
    if !(MIN..=MAX).contains(&micros) {
        return None;
    }
    DateTime::<Utc>::from_timestamp_micros(micros)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Cursor {
        let ts = DateTime::<Utc>::from_timestamp_micros(1_764_000_000_123_456).unwrap();
        Cursor::new(
            ts,
            Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef),
        )
    }

    #[test]
    fn timestamps_postgres_cannot_store_are_invalid() {
        let id = Uuid::nil().simple();
        for micros in [
            i64::MIN,
            -8_000_000_000_000_000_000,
            300_000_000_000_000_000,
        ] {
            let text = URL_SAFE_NO_PAD.encode(format!("created_desc:{micros}:{id}"));
            assert_eq!(
                Cursor::decode(&text, "created_desc"),
                Err(InvalidCursor),
                "{micros}"
            );
        }
        assert!(storable_micros(0).is_some());
    }

    #[test]
    fn round_trips_with_microseconds() {
        let c = sample();
        let text = c.encode("created_desc");
        assert!(
            text.chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
        );
        assert_eq!(Cursor::decode(&text, "created_desc"), Ok(c));
    }

    #[test]
    fn rejects_other_sort_orders() {
        let text = sample().encode("created_desc");
        assert_eq!(Cursor::decode(&text, "updated_desc"), Err(InvalidCursor));
    }

    #[test]
    fn rejects_garbage() {
        let bad = [
            String::new(),
            "!!!".to_string(),
            "abc".to_string(),
            URL_SAFE_NO_PAD.encode("created_desc:notanumber:0123"),
            URL_SAFE_NO_PAD.encode("created_desc:1:not-a-uuid"),
            URL_SAFE_NO_PAD
                .encode("created_desc:99999999999999999999:0123456789abcdef0123456789abcdef"),
            URL_SAFE_NO_PAD.encode("created_desc"),
            URL_SAFE_NO_PAD.encode([0xff, 0xfe]),
            "a".repeat(500),
        ];
        for text in bad {
            assert_eq!(
                Cursor::decode(&text, "created_desc"),
                Err(InvalidCursor),
                "{text}"
            );
        }
    }
}
