//! Mail quotas: at most so many mails per workspace and per recipient address in each
//! fixed hour (`MAIL_QUOTA_WORKSPACE_PER_HOUR`, `MAIL_QUOTA_RECIPIENT_PER_HOUR`), so no
//! tenant can turn the platform's sender identity into a relay. Over quota, a job waits
//! for the next window (`outbox::defer`): it is neither lost nor failed, and the dashboard
//! shows it waiting.

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use diesel_async::AsyncConnection;
use uuid::Uuid;

use crate::auth::tokens;
use crate::db::{Conn, mail_quota};

/// Why a job waits, as stored on it.
pub const WAITING: &str = "mail_quota";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub per_workspace_hour: u32,
    pub per_recipient_hour: u32,
}

/// The window `at` falls in.
pub fn window(at: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = at.duration_trunc(TimeDelta::hours(1)).unwrap_or(at);
    (start, start + TimeDelta::hours(1))
}

pub fn workspace_scope(ws: Uuid) -> String {
    format!("ws:{ws}")
}

/// Recipients are counted by a hash of the lower-cased address (bounded key, no address
/// kept).
pub fn recipient_scope(to: &str) -> String {
    format!("rcpt:{}", tokens::sha256_hex(&to.trim().to_lowercase()))
}

fn cap(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Counts one mail to `to` (of workspace `ws`, if any) when both quotas allow it: `None`.
/// Otherwise counts nothing and returns when the window ends.
pub async fn take(
    conn: &mut Conn,
    limits: Limits,
    ws: Option<Uuid>,
    to: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<DateTime<Utc>>> {
    let (start, end) = window(now);
    let taken = conn
        .transaction::<bool, diesel::result::Error, _>(async |conn| {
            if !mail_quota::take(
                conn,
                &recipient_scope(to),
                start,
                cap(limits.per_recipient_hour),
            )
            .await?
            {
                return Ok(false);
            }
            if let Some(ws) = ws
                && !mail_quota::take(
                    conn,
                    &workspace_scope(ws),
                    start,
                    cap(limits.per_workspace_hour),
                )
                .await?
            {
                // Undo the recipient's count: this mail isn't sent now.
                return Err(diesel::result::Error::RollbackTransaction);
            }
            Ok(true)
        })
        .await;
    match taken {
        Ok(true) => Ok(None),
        Ok(false) | Err(diesel::result::Error::RollbackTransaction) => Ok(Some(end)),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_whole_hours() {
        let at = DateTime::parse_from_rfc3339("2026-12-02T01:47:12Z")
            .map(|d| d.with_timezone(&Utc))
            .ok();
        let Some(at) = at else { panic!("a timestamp") };
        let (start, end) = window(at);
        assert_eq!(start.to_rfc3339(), "2026-12-02T01:00:00+00:00");
        assert_eq!(end.to_rfc3339(), "2026-12-02T02:00:00+00:00");
        assert_eq!(
            recipient_scope(" A@Example.com"),
            recipient_scope("a@example.com")
        );
    }
}
