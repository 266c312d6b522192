//! Fixed-window rate limits kept in Postgres (`db::rate_limits`), so every server process
//! shares them. The limits themselves are named here, in one table.

use std::fmt::Display;

use crate::db::{self, Pool, rate_limits};
use crate::error::{ApiError, ApiResult};

/// A limit: at most `max` hits per `window_secs` for each subject (an IP, a visitor…).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub name: &'static str,
    pub max: u32,
    pub window_secs: u32,
}

impl Rule {
    /// This rule applied to one subject.
    pub fn on(self, subject: impl Display) -> Check {
        let subject = subject.to_string();
        // Keys are a primary key: a long subject (any length a caller sends) is hashed.
        let subject = if subject.len() > MAX_SUBJECT {
            use sha2::Digest;
            format!(
                "sha256:{}",
                hex::encode(sha2::Sha256::digest(subject.as_bytes()))
            )
        } else {
            subject
        };
        Check {
            key: format!("{}:{subject}", self.name),
            rule: self,
        }
    }
}

/// Subjects longer than this are keyed by their hash.
const MAX_SUBJECT: usize = 128;

/// One rule for one subject, ready to count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    key: String,
    rule: Rule,
}

impl Rule {
    const fn new(name: &'static str, max: u32, window_secs: u32) -> Rule {
        Rule {
            name,
            max,
            window_secs,
        }
    }
}

/// Widget sessions started per client address, and resumed per visitor, a minute.
pub const WIDGET_SESSIONS_PER_IP: Rule = Rule::new("widget:session:ip", 30, 60);
pub const WIDGET_SESSIONS_PER_VISITOR: Rule = Rule::new("widget:session:visitor", 20, 60);
/// Visitor messages: per visitor a minute and a day, per client address a minute.
pub const WIDGET_MESSAGES_PER_VISITOR: Rule = Rule::new("widget:msg:visitor", 20, 60);
pub const WIDGET_MESSAGES_PER_VISITOR_DAY: Rule = Rule::new("widget:msg:visitor-day", 300, 86_400);
pub const WIDGET_MESSAGES_PER_IP: Rule = Rule::new("widget:msg:ip", 60, 60);
/// Visitor uploads: per visitor and per client address an hour.
pub const WIDGET_UPLOADS_PER_VISITOR: Rule = Rule::new("widget:upload:visitor", 30, 3600);
pub const WIDGET_UPLOADS_PER_IP: Rule = Rule::new("widget:upload:ip", 100, 3600);
/// A member joining or leaving a ticket's viewers, announced to the team's dashboards, per
/// member and ticket a minute (more are stored but not announced; pages catch up when they
/// renew their own viewing).
pub const VIEWING_ANNOUNCEMENTS: Rule = Rule::new("viewing:announce", 20, 60);
/// Sign-ups per client address an hour.
pub const REGISTRATIONS_PER_IP: Rule = Rule::new("register:ip", 20, 3600);
pub const VERIFICATION_MAILS_PER_USER: Rule = Rule::new("verify-mail:user", 5, 3600);

/// Login attempts per client network, five minutes (every attempt counts).
pub const LOGINS_PER_IP: Rule = Rule::new("login:ip", 30, 300);
/// Failed logins per (email, client network), five minutes. Only failures count, and only
/// from that network: a stranger guessing a user's password from elsewhere can't lock the
/// real user out, and the right password is never refused because of others' failures.
pub const LOGIN_FAILURES: Rule = Rule::new("login:fail", 10, 300);

/// The subject of `LOGIN_FAILURES`.
pub fn login_failure_subject(email: &str, network: &str) -> String {
    format!("{email}|{network}")
}

#[derive(Clone)]
pub struct Limiter {
    pool: Pool,
    enabled: bool,
}

impl Limiter {
    pub fn new(pool: Pool, enabled: bool) -> Self {
        Limiter { pool, enabled }
    }

    /// Counts one hit on every check in one round trip; past any rule's `max` in its
    /// current window → 429 with the seconds until the latest such window ends.
    pub async fn check(&self, checks: &[Check]) -> ApiResult<()> {
        if !self.enabled || checks.is_empty() {
            return Ok(());
        }
        let keys: Vec<String> = checks.iter().map(|c| c.key.clone()).collect();
        let windows: Vec<i32> = checks
            .iter()
            .map(|c| i32::try_from(c.rule.window_secs).unwrap_or(i32::MAX))
            .collect();
        let mut conn = db::conn(&self.pool).await?;
        let hits = rate_limits::hit_all(&mut conn, &keys, &windows).await?;
        drop(conn);
        let retry_after = hits
            .iter()
            .filter_map(|hit| {
                let check = checks.iter().find(|c| c.key == hit.key)?;
                let over = u32::try_from(hit.count).unwrap_or(u32::MAX) > check.rule.max;
                over.then(|| (f64::from(check.rule.window_secs) - hit.elapsed_secs).ceil())
            })
            .fold(None, |acc: Option<f64>, s| {
                Some(acc.map_or(s, |a| a.max(s)))
            });
        match retry_after {
            Some(secs) => Err(ApiError::rate_limited(secs.max(1.0) as u64)),
            None => Ok(()),
        }
    }

    /// 429 when `check`'s subject is already past its rule's `max` in the current window;
    /// counts nothing (see `hit`).
    pub async fn peek(&self, check: &Check) -> ApiResult<()> {
        if !self.enabled {
            return Ok(());
        }
        let window = i32::try_from(check.rule.window_secs).unwrap_or(i32::MAX);
        let mut conn = db::conn(&self.pool).await?;
        let hit = rate_limits::peek(&mut conn, &check.key, window).await?;
        match hit {
            Some(h) if u32::try_from(h.count).unwrap_or(u32::MAX) >= check.rule.max => {
                let secs = (f64::from(check.rule.window_secs) - h.elapsed_secs).ceil();
                Err(ApiError::rate_limited(secs.max(1.0) as u64))
            }
            _ => Ok(()),
        }
    }

    /// Counts one hit without refusing anything (the failure just happened).
    pub async fn hit(&self, check: &Check) -> ApiResult<()> {
        if !self.enabled {
            return Ok(());
        }
        let window = i32::try_from(check.rule.window_secs).unwrap_or(i32::MAX);
        let mut conn = db::conn(&self.pool).await?;
        rate_limits::hit_all(&mut conn, std::slice::from_ref(&check.key), &[window]).await?;
        Ok(())
    }

    /// Forgets windows that ended long ago.
    pub async fn cleanup(&self) -> ApiResult<usize> {
        let mut conn = db::conn(&self.pool).await?;
        Ok(rate_limits::cleanup(&mut conn).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_subjects_are_hashed_into_short_keys() {
        let long = "x".repeat(100_000);
        let key = LOGIN_FAILURES.on(&long).key;
        assert!(key.len() < 100, "{key}");
        assert_ne!(key, LOGIN_FAILURES.on("y".repeat(100_000)).key);
        assert_eq!(LOGINS_PER_IP.on("203.0.113.9").key, "login:ip:203.0.113.9");
    }

    #[test]
    fn keys_name_the_rule_and_the_subject() {
        let c = LOGIN_FAILURES.on(login_failure_subject("a@b.co", "2001:db8::/64"));
        assert_eq!(c.key, "login:fail:a@b.co|2001:db8::/64");
        assert_eq!(c.rule.max, 10);
    }
}
