//! The knowledge index's use cases: queueing an article's (re-)indexing in the
//! transaction that changes it, running a `knowledge.index` job (split into passages,
//! embed in batches, replace the article's passages, announce `knowledge.changed`), and
//! `handoff reindex` (every article whose passages are not in the current vector space).
//! Indexing never happens in a request.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::db::knowledge::{self as store, NewPassage};
use crate::db::{self, Conn, articles};
use crate::domain::passages;
use crate::error::ApiResult;
use crate::events::BusEvent;
use crate::outbox;
use crate::state::AppState;

pub const JOB_KIND: &str = "knowledge.index";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IndexJob {
    pub workspace_id: Uuid,
    pub article_id: Uuid,
}

/// Queues the indexing of an article, in the caller's transaction.
pub async fn enqueue(conn: &mut Conn, workspace_id: Uuid, article_id: Uuid) -> ApiResult<i64> {
    outbox::enqueue(
        conn,
        Some(workspace_id),
        JOB_KIND,
        &IndexJob {
            workspace_id,
            article_id,
        },
    )
    .await
}

/// An article as the job read it.
pub struct ToIndex {
    pub workspace_id: Uuid,
    pub article_id: Uuid,
    /// `None`: the article is gone, its passages go too.
    pub article: Option<(String, String, DateTime<Utc>)>,
}

/// The job's first step (with the claim's connection): read the article.
pub async fn prepare(conn: &mut Conn, payload: &serde_json::Value) -> anyhow::Result<ToIndex> {
    let job: IndexJob = serde_json::from_value(payload.clone())?;
    let article = articles::get(conn, job.workspace_id, job.article_id)
        .await?
        .map(|a| (a.title, a.body, a.updated_at));
    Ok(ToIndex {
        workspace_id: job.workspace_id,
        article_id: job.article_id,
        article,
    })
}

/// The text a passage is embedded as: its article's title, then the passage.
pub fn embedded_text(title: &str, passage: &str) -> String {
    format!("{title}. {passage}")
}

/// The passages to store, embedded (no connection held).
pub async fn embed(state: &AppState, job: &ToIndex) -> anyhow::Result<Vec<NewPassage>> {
    let Some((title, body, _)) = &job.article else {
        return Ok(vec![]);
    };
    let texts = passages::split(body);
    let texts = if texts.is_empty() {
        vec![title.clone()]
    } else {
        texts
    };
    let model = state.knowledge.model().to_string();
    let vectors: Vec<Option<Vec<f32>>> = match state.knowledge.embedder() {
        Some(e) => {
            let inputs: Vec<String> = texts.iter().map(|t| embedded_text(title, t)).collect();
            e.embed(&inputs).await?.into_iter().map(Some).collect()
        }
        None => texts.iter().map(|_| None).collect(),
    };
    Ok(texts
        .into_iter()
        .zip(vectors)
        .enumerate()
        .map(|(i, (body, v))| NewPassage {
            id: Uuid::new_v4(),
            workspace_id: job.workspace_id,
            article_id: job.article_id,
            position: i32::try_from(i).unwrap_or(i32::MAX),
            title: title.clone(),
            body,
            model: model.clone(),
            dimension: v
                .as_ref()
                .map(|v| i32::try_from(v.len()).unwrap_or(0))
                .unwrap_or(0),
            vector: v.as_deref().map(store::encode),
        })
        .collect())
}

/// The job's last step: replace the article's passages (unless the article changed
/// meanwhile: its own job indexes the new text) and announce the change.
pub async fn record(
    state: &AppState,
    conn: &mut Conn,
    job: &ToIndex,
    rows: Vec<NewPassage>,
) -> anyhow::Result<()> {
    use diesel_async::AsyncConnection;
    let (ws, article_id) = (job.workspace_id, job.article_id);
    let indexed_version = job.article.as_ref().map(|a| a.2);
    let changed = conn
        .transaction::<_, anyhow::Error, _>(async |c| {
            let now = articles::updated_at_held(c, ws, article_id).await?;
            if now != indexed_version {
                return Ok(false);
            }
            store::replace_article(c, ws, article_id, rows).await?;
            Ok(true)
        })
        .await?;
    if changed {
        state.publish_all(vec![BusEvent::knowledge(ws)]).await;
    }
    Ok(())
}

/// Queues indexing for every article without passages in the current vector space (or
/// every article with `all`); returns how many were queued.
pub async fn reindex(state: &AppState, all: bool) -> ApiResult<usize> {
    let model = state.knowledge.model().to_string();
    let mut conn = db::conn(&state.pool).await?;
    let mut after = Uuid::nil();
    let mut queued = 0;
    loop {
        let page = if all {
            store::all_articles(&mut conn, after, 500).await?
        } else {
            store::stale_articles(&mut conn, &model, after, 500).await?
        };
        let Some(last) = page.last() else { break };
        after = last.article_id;
        for a in &page {
            enqueue(&mut conn, a.workspace_id, a.article_id).await?;
        }
        queued += page.len();
    }
    Ok(queued)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passages_are_embedded_with_their_title() {
        assert_eq!(
            embedded_text("Payment methods", "We accept Visa."),
            "Payment methods. We accept Visa."
        );
    }
}
