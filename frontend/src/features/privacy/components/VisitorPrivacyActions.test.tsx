import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Role } from '../../../lib/types';
import { renderAt, signIn, stubApi } from '../../../test/render';
import { erasureSummary, VisitorPrivacyActions } from './VisitorPrivacyActions';

const WS = '11111111-1111-1111-1111-111111111111';
const VISITOR = { id: 'v1', email: 'jane@example.com', erased_at: null };
const EXPORT = { visitor: { id: 'v1', email: 'jane@example.com' }, conversations: [{ id: 'c1', messages: [{ body: 'Hi <b>there</b>' }] }] };
const ERASURE = { visitor_id: 'v1', erased_at: '2026-12-02T10:00:00Z', conversations: 2, messages_deleted: 12, attachments_deleted: 2, tickets_anonymised: 1 };

function setup(role: Role, eraseReply: () => { status?: number; body?: unknown } = () => ({ body: ERASURE })) {
  signIn();
  return stubApi([
    { path: /\/api\/v1\/me$/, reply: () => ({ body: { id: 'u-me', email: 'me@acme.test', name: 'Me', email_verified: true, is_operator: false, workspaces: [{ id: WS, name: 'Acme', role }] } }) },
    { path: /\/visitors\/v1\/export$/, reply: () => ({ body: EXPORT }) },
    { method: 'POST', path: /\/visitors\/v1\/erase$/, reply: eraseReply },
  ]);
}

const show = (visitor: { id: string; email: string | null; erased_at: string | null } = VISITOR, email?: string | null) =>
  renderAt(`/w/${WS}/tickets/TKT-1`, '/w/:ws/tickets/:ticket', <VisitorPrivacyActions ws={WS} visitor={visitor} email={email} />);

/** jsdom's Blob has no text(): read it the old way. */
function readText(b: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(r.error);
    r.readAsText(b);
  });
}

// jsdom has no object URLs: each test that downloads puts in its own.
const objectUrls = { create: URL.createObjectURL, revoke: URL.revokeObjectURL };

describe('VisitorPrivacyActions', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
    URL.createObjectURL = objectUrls.create;
    URL.revokeObjectURL = objectUrls.revoke;
  });

  it('Export data fetches the export with my token and saves it as visitor-<id>.json', async () => {
    const { fetchMock } = setup('admin');
    let saved: Blob | null = null;
    const created = vi.fn((b: Blob) => {
      saved = b;
      return 'blob:export-1';
    });
    const revoked = vi.fn();
    URL.createObjectURL = created;
    URL.revokeObjectURL = revoked;
    const clicked: HTMLAnchorElement[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this);
    });
    show();
    fireEvent.click(await screen.findByRole('button', { name: 'Export data' }));
    await waitFor(() => expect(clicked).toHaveLength(1));
    const req = fetchMock.mock.calls.map((c) => c[0]).find((r): r is Request => r instanceof Request && r.url.endsWith('/visitors/v1/export'));
    expect(req?.method).toBe('GET');
    expect(new URL(req!.url).pathname).toBe(`/api/v1/workspaces/${WS}/visitors/v1/export`);
    expect(req?.headers.get('Authorization')).toBe('Bearer a');
    expect(created).toHaveBeenCalledOnce();
    expect(saved!.type).toBe('application/json');
    expect(JSON.parse(await readText(saved!))).toEqual(EXPORT);
    expect(clicked[0].download).toBe('visitor-v1.json');
    expect(clicked[0].href).toBe('blob:export-1');
    // The temporary link is gone, and the object URL is let go.
    expect(document.querySelector('a[download]')).toBeNull();
    await waitFor(() => expect(revoked).toHaveBeenCalledWith('blob:export-1'));
  });

  it('says when the export is refused', async () => {
    signIn();
    stubApi([
      { path: /\/api\/v1\/me$/, reply: () => ({ body: { id: 'u-me', email: 'me@acme.test', name: 'Me', workspaces: [{ id: WS, name: 'Acme', role: 'owner' }] } }) },
      { path: /\/export$/, reply: () => ({ status: 403, body: { error: { code: 'forbidden', message: 'Only owners and admins can do this.' } } }) },
    ]);
    const created = vi.fn(() => 'blob:x');
    URL.createObjectURL = created;
    show();
    fireEvent.click(await screen.findByRole('button', { name: 'Export data' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Only owners and admins can do this.');
    expect(created).not.toHaveBeenCalled();
  });

  it('Erase visitor… asks first: Cancel and Escape close it without a request', async () => {
    const { calls } = setup('owner');
    show(VISITOR, 'jane@example.com');
    const opener = await screen.findByRole('button', { name: 'Erase visitor…' });
    expect(opener.className).toContain('btn-danger');
    opener.focus();
    fireEvent.click(opener);
    const dialog = screen.getByRole('dialog', { name: 'Erase this visitor?' });
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(dialog.textContent).toContain(
      'Everything stored about jane@example.com is deleted: their messages, email address, device and page data, and files. Their tickets stay as anonymous records for reports. This can’t be undone.',
    );
    // The focus moves into the dialog (to Cancel, the safe choice).
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(opener);

    fireEvent.click(opener);
    fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(calls.some((c) => c.method === 'POST')).toBe(false);
  });

  it('Erase visitor erases once and says what was deleted', async () => {
    const { calls } = setup('admin');
    show({ id: 'v1', email: null, erased_at: null });
    fireEvent.click(await screen.findByRole('button', { name: 'Erase visitor…' }));
    const dialog = screen.getByRole('dialog', { name: 'Erase this visitor?' });
    expect(dialog.textContent).toContain('Everything stored about this visitor is deleted');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Erase visitor' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Erase visitor' }));
    const done = await screen.findByText('Visitor erased: 12 messages and 2 files deleted, 1 ticket anonymised.');
    expect(done.closest('.alert')?.className).toContain('alert-success');
    expect(screen.queryByRole('dialog')).toBeNull();
    const posts = calls.filter((c) => c.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(posts[0].url.pathname).toBe(`/api/v1/workspaces/${WS}/visitors/v1/erase`);
    expect(posts[0].body).toBeUndefined();
  });

  it('keeps the dialog open with the refusal when erasing fails', async () => {
    setup('admin', () => ({ status: 403, body: { error: { code: 'forbidden', message: 'Only owners and admins can do this.' } } }));
    show();
    fireEvent.click(await screen.findByRole('button', { name: 'Erase visitor…' }));
    fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Erase visitor' }));
    expect((await within(screen.getByRole('dialog')).findByRole('alert')).textContent).toBe('Only owners and admins can do this.');
  });

  it('an erased visitor has neither button', async () => {
    setup('owner');
    show({ id: 'v1', email: null, erased_at: '2026-12-02T10:00:00Z' }, 'erased');
    // Give the role time to load: still nothing.
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.queryByRole('button', { name: 'Export data' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Erase visitor…' })).toBeNull();
  });

  it('agents see neither button', async () => {
    const { calls } = setup('agent');
    show();
    await waitFor(() => expect(calls.some((c) => c.url.pathname === '/api/v1/me')).toBe(true));
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.queryByRole('button', { name: 'Export data' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Erase visitor…' })).toBeNull();
  });
});

describe('erasureSummary', () => {
  it('counts in words, one or many', () => {
    expect(erasureSummary({ messages_deleted: 12, attachments_deleted: 2, tickets_anonymised: 1 })).toBe('Visitor erased: 12 messages and 2 files deleted, 1 ticket anonymised.');
    expect(erasureSummary({ messages_deleted: 1, attachments_deleted: 0, tickets_anonymised: 3 })).toBe('Visitor erased: 1 message and 0 files deleted, 3 tickets anonymised.');
  });
});
