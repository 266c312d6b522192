-- AI cost budgets (M4): what the `openai` engine used per workspace per UTC day, shared by
-- every server, so the daily budget (AI_DAILY_MESSAGES, AI_DAILY_TOKENS) holds across them.
CREATE TABLE ai_usage (
    workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    day          date NOT NULL,
    -- Visitor messages the provider was asked about.
    messages     integer NOT NULL DEFAULT 0,
    -- The provider's usage.total_tokens, summed.
    tokens       bigint NOT NULL DEFAULT 0,
    -- Visitor messages the builtin engine answered because the budget was spent.
    over_budget  integer NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, day)
);
-- Retention (services/retention.rs) deletes old days through it.
CREATE INDEX ai_usage_day_idx ON ai_usage (day);
