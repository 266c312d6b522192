//! Knowledge-base JSON.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use crate::db::models::Article;

#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleOut {
    pub id: Uuid,
    pub title: String,
    pub body: String,
    /// Where the article lives on the website (http or https); the assistant links it.
    pub url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Article> for ArticleOut {
    fn from(a: Article) -> Self {
        ArticleOut {
            id: a.id,
            title: a.title,
            body: a.body,
            url: a.url,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleList {
    pub items: Vec<ArticleOut>,
    /// Pass as `cursor` for the next page; null on the last page (and for searches).
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListQuery {
    pub cursor: Option<String>,
    /// 1..100, default 25.
    pub limit: Option<i64>,
    /// Full-text search (words, "phrases", -exclusions); results ranked, one page.
    pub q: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ArticleIn {
    #[validate(length(min = 1, max = 200, message = "must be between 1 and 200 characters"))]
    pub title: String,
    #[validate(length(
        min = 1,
        max = 50000,
        message = "must be between 1 and 50000 characters"
    ))]
    pub body: String,
    /// The article's page on the website: an absolute http(s) URL (at most 2,000
    /// characters); empty or absent for none.
    #[serde(default)]
    pub url: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ArticlePatch {
    #[validate(length(min = 1, max = 200, message = "must be between 1 and 200 characters"))]
    pub title: Option<String>,
    #[validate(length(
        min = 1,
        max = 50000,
        message = "must be between 1 and 50000 characters"
    ))]
    pub body: Option<String>,
    /// The article's page on the website (absolute http(s) URL); `null` or `""` removes
    /// it, absent leaves it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, nullable)]
    pub url: Option<Option<String>>,
}

/// A field that is present (even as `null`) is `Some`.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// An article's URL as stored: `None` for an empty one; an error (the reason) unless it
/// is an absolute http or https URL with a host, without credentials or spaces, at most
/// 2,000 characters.
pub fn article_url(raw: Option<&str>) -> Result<Option<String>, &'static str> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    const BAD: &str = "must be an absolute http:// or https:// URL";
    if raw.chars().count() > 2_000 {
        return Err("must be at most 2000 characters");
    }
    if raw.chars().any(char::is_whitespace) {
        return Err(BAD);
    }
    let u = url::Url::parse(raw).map_err(|_| BAD)?;
    if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none_or(str::is_empty) {
        return Err(BAD);
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Err("must not contain a user name or password");
    }
    let out = u.to_string();
    if out.chars().count() > 2_000 {
        return Err("must be at most 2000 characters");
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::article_url;

    #[test]
    fn article_urls_are_absolute_http_or_https() {
        assert_eq!(article_url(None), Ok(None));
        assert_eq!(article_url(Some("  ")), Ok(None));
        assert_eq!(
            article_url(Some(" https://shop.example/help/payment ")),
            Ok(Some("https://shop.example/help/payment".into()))
        );
        assert_eq!(
            article_url(Some("http://shop.example")),
            Ok(Some("http://shop.example/".into()))
        );
        for bad in [
            "javascript:alert(1)",
            "ftp://shop.example/x",
            "/help/payment",
            "shop.example/help",
            "https://",
            "https://user:pw@shop.example/",
            "https://shop.example/a b",
            "data:text/html,<b>x</b>",
        ] {
            assert!(article_url(Some(bad)).is_err(), "{bad}");
        }
        let long = format!("https://shop.example/{}", "a".repeat(2_000));
        assert!(article_url(Some(&long)).is_err());
    }
}
