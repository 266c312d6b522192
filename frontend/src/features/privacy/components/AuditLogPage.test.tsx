import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuditEvent, Role } from '../../../lib/types';
import { dateTime } from '../../../lib/time';
import { renderAt, signIn, stubApi } from '../../../test/render';
import { actorText, auditDetails, auditText } from '../api/audit';
import { AuditLogPage } from './AuditLogPage';

const WS = '11111111-1111-1111-1111-111111111111';
const KIM = { type: 'user' as const, id: 'u2', name: 'Kim Park' };

let seq = 0;
function ev(action: string, data: Record<string, unknown> = {}, over: Partial<AuditEvent> = {}): AuditEvent {
  seq += 1;
  return { id: `a${seq}`, action, actor: KIM, data: data as AuditEvent['data'], created_at: '2026-12-02T10:00:00Z', ...over };
}

describe('audit log wording', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['workspace.updated', { fields: ['name', 'greeting'] }, 'Changed workspace settings (name, greeting)'],
    ['workspace.updated', { fields: ['widget_color', 'allowed_origins'] }, 'Changed workspace settings (widget color, allowed origins)'],
    ['privacy.updated', { conversations_without_ticket_days: 30, closed_tickets_days: null }, 'Changed the privacy settings'],
    ['visitor.exported', { visitor_id: 'v1' }, 'Exported a visitor’s data'],
    ['visitor.erased', { visitor_id: 'v1', messages_deleted: 12, attachments_deleted: 2, tickets_anonymised: 1 }, 'Erased a visitor'],
    ['member.invited', { email: 'lee@acme.test', role: 'agent' }, 'Invited lee@acme.test as agent'],
    ['member.role_changed', { user_id: 'u3', name: 'Lee Chan', role: 'admin' }, 'Made Lee Chan admin'],
    ['member.removed', { user_id: 'u3', name: 'Lee Chan' }, 'Removed Lee Chan'],
    ['api_key.created', { name: 'CRM sync' }, 'Created the API key CRM sync'],
    ['api_key.revoked', { name: 'CRM sync' }, 'Revoked the API key CRM sync'],
    ['webhook.created', { url: 'https://crm.example.com/hooks' }, 'Added the webhook https://crm.example.com/hooks'],
    ['webhook.updated', { url: 'https://crm.example.com/hooks' }, 'Changed the webhook https://crm.example.com/hooks'],
    ['webhook.deleted', { url: 'https://crm.example.com/hooks' }, 'Removed the webhook https://crm.example.com/hooks'],
    ['identity_secret.rotated', {}, 'Made a new identity secret'],
    ['identity_secret.removed', {}, 'Turned identity verification off'],
    ['ticket_settings.updated', { enabled: true }, 'Turned tickets on'],
    ['ticket_settings.updated', { enabled: false }, 'Turned tickets off'],
    ['plan.changed', { plan: 'pro' }, 'Plan set to Pro'],
    ['plan.changed', { plan: 'standard' }, 'Plan set to Standard'],
    ['something.new', { x: 1 }, 'something.new'],
  ];
  it.each(cases)('%s %j → %s', (action, data, text) => {
    expect(auditText({ action, data: data as AuditEvent['data'] })).toBe(text);
  });

  it('says who: a member by name, an API key, the system, the instance operator for a plan', () => {
    expect(actorText(KIM)).toBe('Kim Park');
    expect(actorText({ type: 'api', id: 'k1', name: 'CRM sync' })).toBe('API key CRM sync');
    expect(actorText({ type: 'api', id: 'k1', name: null })).toBe('An API key');
    expect(actorText({ type: 'system' })).toBe('System');
    expect(actorText({ type: 'system' }, 'plan.changed')).toBe('Instance operator');
    expect(actorText({ type: 'user', id: 'u9', name: null })).toBe('A former member');
  });

  it('sums up the details: an erasure’s numbers, the retention, the visitor, an unknown action’s data', () => {
    expect(auditDetails(ev('visitor.erased', { visitor_id: 'v1', messages_deleted: 12, attachments_deleted: 1, tickets_anonymised: 2 }))).toBe(
      '12 messages and 1 file deleted, 2 tickets anonymised',
    );
    expect(auditDetails(ev('privacy.updated', { conversations_without_ticket_days: 30, closed_tickets_days: null }))).toBe(
      'Conversations without a ticket: 30 days · Closed tickets: kept until erased',
    );
    expect(auditDetails(ev('visitor.exported', { visitor_id: 'v1' }))).toBe('Visitor v1');
    expect(auditDetails(ev('member.invited', { email: 'lee@acme.test', role: 'agent' }))).toBe('');
    expect(auditDetails(ev('something.new', { old_value: 'a', count: 2, tags: ['x', 'y'], nested: { k: true } }))).toBe(
      'old value: a · count: 2 · tags: x, y · nested: {"k":true}',
    );
    expect(auditDetails(ev('something.new', { long: 'x'.repeat(300) })).length).toBe(140);
  });
});

function setup(role: Role, pages: Record<string, { items: AuditEvent[]; next_cursor?: string | null }>) {
  signIn();
  return stubApi([
    { path: /\/api\/v1\/me$/, reply: () => ({ body: { id: 'u-me', email: 'me@acme.test', name: 'Me', workspaces: [{ id: WS, name: 'Acme', role }] } }) },
    { path: /\/audit-log$/, reply: (url) => ({ body: pages[url.searchParams.get('cursor') ?? ''] ?? { items: [] } }) },
  ]);
}

const show = () => renderAt(`/w/${WS}/audit-log`, '/w/:ws/audit-log', <AuditLogPage />);

describe('AuditLogPage', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('lists who did what, newest first, and loads more with the cursor', async () => {
    const { calls } = setup('owner', {
      '': {
        items: [
          ev('visitor.erased', { visitor_id: 'v1', messages_deleted: 12, attachments_deleted: 2, tickets_anonymised: 1 }, { created_at: '2026-12-02T10:00:00Z' }),
          ev('api_key.created', { name: 'CRM sync' }, { actor: { type: 'api', id: 'k1', name: 'Deploy bot' } }),
          ev('plan.changed', { plan: 'pro' }, { actor: { type: 'system' } }),
        ],
        next_cursor: 'c2',
      },
      c2: { items: [ev('member.removed', { user_id: 'u3', name: 'Lee Chan' })], next_cursor: null },
    });
    show();
    expect(screen.getByRole('heading', { level: 1, name: 'Audit log' })).toBeTruthy();
    expect(screen.getByText('What your team changed: settings, plan, members, API keys, webhooks, exports and erasures.')).toBeTruthy();
    const table = await screen.findByRole('table', { name: 'Audit log' });
    expect(within(table).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['When', 'Who', 'What', 'Details']);
    const rows = () => within(table).getAllByRole('row').slice(1) as HTMLTableRowElement[];
    expect(rows().map((r) => Array.from(r.cells).slice(1).map((c) => c.textContent))).toEqual([
      ['Kim Park', 'Erased a visitor', '12 messages and 2 files deleted, 1 ticket anonymised'],
      ['API key Deploy bot', 'Created the API key CRM sync', '—'],
      ['Instance operator', 'Plan set to Pro', '—'],
    ]);
    const when = rows()[0].cells[0].querySelector('time')!;
    expect(when.getAttribute('datetime')).toBe('2026-12-02T10:00:00Z');
    expect(when.getAttribute('title')).toBe(dateTime('2026-12-02T10:00:00Z'));
    expect(calls.find((c) => c.url.pathname.endsWith('/audit-log'))?.url.searchParams.get('cursor')).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(rows()).toHaveLength(4));
    expect(rows()[3].cells[2].textContent).toBe('Removed Lee Chan');
    expect(calls.filter((c) => c.url.pathname.endsWith('/audit-log')).map((c) => c.url.searchParams.get('cursor'))).toEqual([null, 'c2']);
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
  });

  it('shows names, emails and URLs as text, never as markup', async () => {
    setup('admin', {
      '': {
        items: [
          ev('member.invited', { email: '<img src=x onerror="alert(1)">@acme.test', role: 'agent' }, { actor: { type: 'user', id: 'u5', name: '<b>Mallory</b>' } }),
          ev('webhook.created', { url: 'javascript:alert(1)' }),
        ],
      },
    });
    show();
    const table = await screen.findByRole('table', { name: 'Audit log' });
    expect(within(table).getByText('<b>Mallory</b>')).toBeTruthy();
    expect(within(table).getByText('Invited <img src=x onerror="alert(1)">@acme.test as agent')).toBeTruthy();
    expect(within(table).getByText('Added the webhook javascript:alert(1)')).toBeTruthy();
    expect(table.querySelector('img, b, a')).toBeNull();
  });

  it('says when nothing is recorded yet', async () => {
    setup('owner', { '': { items: [], next_cursor: null } });
    show();
    expect(await screen.findByText('Nothing recorded yet')).toBeTruthy();
    expect(screen.queryByRole('table')).toBeNull();
  });

  it('is for owners and admins only: an agent gets a note, and nothing is asked of the server', async () => {
    const { calls } = setup('agent', { '': { items: [ev('privacy.updated')] } });
    show();
    expect(await screen.findByText('Only owners and admins can see the audit log.')).toBeTruthy();
    expect(screen.queryByRole('table')).toBeNull();
    expect(calls.some((c) => c.url.pathname.endsWith('/audit-log'))).toBe(false);
  });
});
