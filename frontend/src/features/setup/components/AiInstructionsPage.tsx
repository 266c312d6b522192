import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Alert, Button, Card, ErrorBox, PageHeader, Spinner } from '../../../components/ui';
import { useDebounced } from '../../../lib/useDebounced';
import { isAdmin, useMyRole, useWs } from '../../workspaces/api/workspaces';
import type { components } from '../../../lib/api-types';
import { aiSettingsQuery, lintQuery, useSaveAiSettings } from '../api/setup';
import { HighlightedTextarea } from './HighlightedTextarea';
import { LintWarnings } from './LintWarnings';

export function AiInstructionsPage() {
  const ws = useWs();
  const role = useMyRole(ws);
  const q = useQuery(aiSettingsQuery(ws));
  const save = useSaveAiSettings(ws);
  const [text, setText] = useState<string | null>(null);
  useEffect(() => {
    if (q.data && text === null) setText(q.data.instructions);
  }, [q.data, text]);
  const value = text ?? '';
  const debounced = useDebounced(value, 400);
  const dirty = q.data ? value !== q.data.instructions : false;
  const lint = useQuery({ ...lintQuery(ws, debounced), enabled: q.isSuccess && text !== null && debounced.trim().length > 0 });
  const warnings = debounced.trim() === '' ? [] : (lint.data?.warnings ?? q.data?.warnings ?? []);
  const canEdit = role === undefined || isAdmin(role);

  return (
    <div className="page">
      <PageHeader
        title="AI Instructions"
        subtitle="Your own instructions for the assistant: tone, what your business does, what to avoid. They are added to every conversation."
      />
      <Alert kind="warning">
        Visitors can see this text: anyone chatting with the assistant can get it to repeat its instructions. Don&rsquo;t put
        anything here you wouldn&rsquo;t publish (discount codes, internal escalation rules, staff names).
      </Alert>
      {q.isPending ? <Spinner /> : null}
      {q.error ? <ErrorBox error={q.error} onRetry={() => void q.refetch()} /> : null}
      {q.data ? (
        <div className="split">
          <Card title="Instructions" id="instr">
            <form
              className="stack"
              onSubmit={(e) => {
                e.preventDefault();
                save.mutate(value);
              }}
            >
              <label htmlFor="instructions" className="sr-only">
                AI Instructions
              </label>
              <HighlightedTextarea
                id="instructions"
                className="instructions"
                rows={16}
                value={value}
                highlights={warnings.map((w) => w.sentence)}
                onChange={(e) => setText(e.target.value)}
                readOnly={!canEdit}
                placeholder="You are the friendly assistant of Acme Shop. Answer briefly…"
                aria-describedby="instr-live"
              />
              <div className="row-between">
                <span id="instr-live" className="muted small" aria-live="polite">
                  {lint.isFetching ? 'Checking…' : warnings.length ? `${warnings.length} warning${warnings.length > 1 ? 's' : ''}` : 'No problems found'}
                </span>
                {canEdit ? (
                  <Button type="submit" variant="primary" busy={save.isPending} disabled={!dirty}>
                    Save
                  </Button>
                ) : null}
              </div>
              {save.error ? <ErrorBox error={save.error} /> : null}
              {save.isSuccess && !dirty ? (
                <Alert kind={save.data.warnings.length ? 'warning' : 'success'}>
                  {save.data.warnings.length ? 'Saved, but some sentences may stop the AI from creating tickets (see the warnings).' : 'Saved.'}
                </Alert>
              ) : null}
              {lint.error ? <ErrorBox error={lint.error} title="Live check unavailable." /> : null}
            </form>
          </Card>
          <div className="stack">
            {q.data.usage ? <AiUsageCard usage={q.data.usage} /> : null}
            {warnings.length ? (
              <LintWarnings warnings={warnings} onRemove={canEdit ? (sentence) => setText(removeSentence(value, sentence)) : undefined} />
            ) : (
              <Card title="Tickets-friendly" id="ok">
                <p className="muted">
                  Nothing here sends visitors elsewhere for help, so the AI can create a ticket whenever it can’t help. Avoid sentences like “email support@…”, “call us at…”
                  or “visit our help center”.
                </p>
              </Card>
            )}
          </div>
        </div>
      ) : null}
    </div>
  );
}

type AiUsage = components['schemas']['AiUsage'];

/** Today's AI usage against the daily budget (budgets apply to the `openai` engine). */
export function AiUsageCard({ usage }: { usage: AiUsage }) {
  if (!usage.metered) {
    return (
      <Card title="AI usage today" id="usage">
        <p className="muted">The builtin assistant answers visitors on this server: it has no usage budget.</p>
      </Card>
    );
  }
  const of = (used: number, budget: number | null | undefined) =>
    budget == null ? `${used.toLocaleString()} (no limit)` : `${used.toLocaleString()} of ${budget.toLocaleString()}`;
  return (
    <Card title="AI usage today" id="usage">
      <dl className="stack small">
        <div className="row-between">
          <dt>Messages answered by the AI model</dt>
          <dd>{of(usage.messages, usage.messages_budget)}</dd>
        </div>
        <div className="row-between">
          <dt>Model tokens</dt>
          <dd>{of(usage.tokens, usage.tokens_budget)}</dd>
        </div>
      </dl>
      {usage.exhausted ? (
        <Alert kind="warning">
          Today&rsquo;s AI budget is spent: until the day ends (UTC), the builtin assistant answers from your help articles and offers
          tickets.{usage.over_budget_messages ? ` ${usage.over_budget_messages.toLocaleString()} message${usage.over_budget_messages > 1 ? 's' : ''} answered that way so far.` : ''}
        </Alert>
      ) : (
        <p className="muted small">Budgets reset every day at midnight UTC. Past one, the builtin assistant answers instead of the model.</p>
      )}
    </Card>
  );
}

/** Drops one sentence from the instructions and tidies the whitespace it leaves behind. */
export function removeSentence(text: string, sentence: string): string {
  const i = text.indexOf(sentence);
  if (i < 0) return text;
  const before = text.slice(0, i).replace(/[ \t]+$/, '');
  let after = text.slice(i + sentence.length).replace(/^[ \t]+/, '');
  if ((before.endsWith('\n') || !before) && after.startsWith('\n')) after = after.slice(1);
  const joined = before && after && !before.endsWith('\n') && !after.startsWith('\n') ? `${before} ${after}` : `${before}${after}`;
  return joined.replace(/\n{3,}/g, '\n\n').trim();
}
