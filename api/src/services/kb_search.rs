//! Searching the knowledge base the way the assistant does (for the MCP tool
//! `search_knowledge_base`): the query's spelling corrected against the workspace's
//! words, embedded, and the passages ranked by meaning and full-text rank together
//! (`assistant::knowledge`), one hit per article, best first. Without an embedder, or
//! when embedding fails, the assistant's word matching (`db::articles::search_any`).

use serde::Serialize;
use uuid::Uuid;

use crate::assistant::retrieval::{excerpt, query_words};
use crate::db::{self, articles};
use crate::domain::access::Principal;
use crate::error::{ApiError, ApiResult};
use crate::services::access::access;
use crate::state::AppState;

/// The longest query.
pub const QUERY_MAX_CHARS: usize = 500;
/// At most this many articles per search.
pub const LIMIT_MAX: usize = 20;
pub const LIMIT_DEFAULT: usize = 5;
/// Passages read per search (several may be of one article).
const PASSAGES: usize = 40;

/// An article that answers the query, with the passage that does.
#[derive(Debug, Clone, Serialize)]
pub struct KbHit {
    pub article_id: Uuid,
    pub title: String,
    /// The article's page on the website, if it has one.
    pub url: Option<String>,
    /// The part of the article that matches best.
    pub excerpt: String,
    /// How well it matches, higher is better (comparable within one search only).
    pub score: f32,
    /// `semantic` (meaning and words) or `words` (full-text only).
    pub matched_by: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct KbSearch {
    pub query: String,
    pub items: Vec<KbHit>,
}

/// The workspace's articles that best answer `query` (1..=`LIMIT_MAX`, default 5).
pub async fn search(
    state: &AppState,
    principal: &Principal,
    ws: Uuid,
    query: &str,
    limit: Option<i64>,
) -> ApiResult<KbSearch> {
    let query = query.trim();
    if query.is_empty() {
        return Err(ApiError::validation("query", "must not be empty"));
    }
    if query.chars().count() > QUERY_MAX_CHARS {
        return Err(ApiError::validation(
            "query",
            format!("must be at most {QUERY_MAX_CHARS} characters"),
        ));
    }
    let limit = match limit {
        None => LIMIT_DEFAULT,
        Some(n) if (1..=LIMIT_MAX as i64).contains(&n) => n as usize,
        Some(_) => {
            return Err(ApiError::validation(
                "limit",
                format!("must be between 1 and {LIMIT_MAX}"),
            ));
        }
    };
    let (mut conn, access) = access(state, principal, ws).await?;
    let ws = access.workspace_id;
    if state.knowledge.embedder().is_some() {
        let corrected = state.knowledge.correct_query(&mut conn, ws, query).await;
        // No connection held while embedding: an endpoint may take a while.
        drop(conn);
        if let Some(vectors) = state.knowledge.embed_query(&corrected, &corrected).await {
            let mut conn = db::conn(&state.pool).await?;
            match state
                .knowledge
                .search(&mut conn, ws, &corrected, &vectors, PASSAGES)
                .await
            {
                // Nothing indexed yet (a new article is indexed within seconds): the
                // words still find it.
                Ok(hits) if !hits.is_empty() => {
                    let mut items: Vec<KbHit> = Vec::new();
                    for h in hits {
                        if items.iter().any(|i| i.article_id == h.passage.article_id) {
                            continue;
                        }
                        items.push(KbHit {
                            article_id: h.passage.article_id,
                            title: h.passage.title.clone(),
                            url: h.passage.url.clone(),
                            excerpt: excerpt(query, &h.passage.body),
                            score: h.fused,
                            matched_by: "semantic",
                        });
                        if items.len() == limit {
                            break;
                        }
                    }
                    return Ok(KbSearch {
                        query: query.to_string(),
                        items,
                    });
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "semantic search failed; using word matching")
                }
            }
        }
        conn = db::conn(&state.pool).await?;
    }
    let hits = articles::search_any(&mut conn, ws, &query_words(query), limit as i64).await?;
    Ok(KbSearch {
        query: query.to_string(),
        items: hits
            .into_iter()
            .map(|h| KbHit {
                article_id: h.id,
                excerpt: excerpt(query, &h.body),
                title: h.title,
                url: h.url,
                score: h.rank,
                matched_by: "words",
            })
            .collect(),
    })
}
