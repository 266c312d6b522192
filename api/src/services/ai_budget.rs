//! Daily AI budgets per workspace (for the `openai` engine, which costs money per call):
//! at most `AI_DAILY_MESSAGES` visitor messages and `AI_DAILY_TOKENS` provider tokens
//! (`usage.total_tokens`) per UTC day, counted in Postgres (`ai_usage`) so the budget holds
//! across servers. Past either, the builtin engine answers (knowledge-base retrieval and
//! the ticket flow, no provider call) until the day ends. The check comes before the call
//! and the count after it, so concurrent messages can overshoot by at most the messages in
//! flight at that moment.

use chrono::{NaiveDate, Utc};
use uuid::Uuid;

use crate::assistant::Usage;
use crate::config::Config;
use crate::db::{self, Conn, ai_usage};
use crate::error::ApiResult;
use crate::state::AppState;
use crate::views::settings::AiUsage;

/// The budget's day (UTC).
pub fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// Whether `used` leaves room for another message under the configured budget.
pub fn within(config: &Config, used: &ai_usage::Day) -> bool {
    let messages = u64::try_from(used.messages).unwrap_or(0);
    let tokens = u64::try_from(used.tokens).unwrap_or(0);
    (config.ai_daily_messages == 0 || messages < config.ai_daily_messages)
        && (config.ai_daily_tokens == 0 || tokens < config.ai_daily_tokens)
}

/// Whether the workspace may ask the provider now.
pub async fn allows(state: &AppState, workspace_id: Uuid) -> ApiResult<bool> {
    let c = &state.config;
    if c.ai_daily_messages == 0 && c.ai_daily_tokens == 0 {
        return Ok(true);
    }
    let mut conn = db::conn(&state.pool).await?;
    let used = ai_usage::day(&mut conn, workspace_id, today()).await?;
    Ok(within(c, &used))
}

/// Counts a message the provider answered (or tried to), with its tokens.
pub async fn record(state: &AppState, workspace_id: Uuid, usage: Usage) -> ApiResult<()> {
    if usage.calls == 0 {
        return Ok(());
    }
    let mut conn = db::conn(&state.pool).await?;
    let add = ai_usage::Day {
        messages: 1,
        tokens: i64::try_from(usage.tokens).unwrap_or(i64::MAX),
        over_budget: 0,
    };
    ai_usage::add(&mut conn, workspace_id, today(), add).await?;
    Ok(())
}

/// Counts a message the builtin engine answered because the budget was spent.
pub async fn record_over_budget(state: &AppState, workspace_id: Uuid) -> ApiResult<()> {
    state.metrics.assistant_over_budget.inc();
    let mut conn = db::conn(&state.pool).await?;
    let add = ai_usage::Day {
        over_budget: 1,
        ..Default::default()
    };
    ai_usage::add(&mut conn, workspace_id, today(), add).await?;
    Ok(())
}

/// Today's usage against the budget (the AI settings page).
pub async fn status(
    conn: &mut Conn,
    config: &Config,
    engine: &str,
    metered: bool,
    workspace_id: Uuid,
) -> ApiResult<AiUsage> {
    let day = today();
    let used = ai_usage::day(conn, workspace_id, day).await?;
    let budget = |n: u64| (n > 0).then_some(n);
    Ok(AiUsage {
        engine: engine.to_string(),
        metered,
        day,
        messages: i64::from(used.messages),
        tokens: used.tokens,
        over_budget_messages: i64::from(used.over_budget),
        messages_budget: budget(config.ai_daily_messages),
        tokens_budget: budget(config.ai_daily_tokens),
        exhausted: metered && !within(config, &used),
    })
}
