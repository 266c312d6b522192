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
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Article> for ArticleOut {
    fn from(a: Article) -> Self {
        ArticleOut {
            id: a.id,
            title: a.title,
            body: a.body,
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
}
