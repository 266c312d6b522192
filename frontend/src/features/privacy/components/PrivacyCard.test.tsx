import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderAt, signIn, stubApi } from '../../../test/render';
import { daysValue, PrivacyCard } from './PrivacyCard';

const WS = '11111111-1111-1111-1111-111111111111';
const CONVERSATIONS = 'Delete conversations without a ticket after … days';
const TICKETS = 'Anonymise closed tickets after … days';

function setup(putReply: (body: unknown) => { status?: number; body?: unknown }) {
  signIn();
  return stubApi([
    { path: /\/privacy$/, reply: () => ({ body: { conversations_without_ticket_days: 30, closed_tickets_days: null } }) },
    { method: 'PUT', path: /\/privacy$/, reply: (_u, b) => putReply(b) },
  ]);
}

const show = () => renderAt(`/w/${WS}/settings`, '/w/:ws/settings', <PrivacyCard ws={WS} />);
const field = (name: string) => screen.getByRole('spinbutton', { name }) as HTMLInputElement;

describe('PrivacyCard', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('shows the settings, empty for kept forever, and says where one visitor is erased', async () => {
    setup((b) => ({ body: b }));
    show();
    await screen.findByDisplayValue('30');
    expect(field(CONVERSATIONS).value).toBe('30');
    expect(field(TICKETS).value).toBe('');
    expect(field(TICKETS).min).toBe('1');
    expect(field(TICKETS).max).toBe('3650');
    expect(screen.getAllByText('Empty: kept until you erase them.')).toHaveLength(2);
    expect(screen.getByRole('region', { name: 'Privacy' }).textContent).toContain('open their ticket or conversation');
  });

  it('saves an emptied field as null and a filled one as a number', async () => {
    const { calls } = setup((b) => ({ body: b }));
    show();
    await screen.findByDisplayValue('30');
    fireEvent.change(field(CONVERSATIONS), { target: { value: '' } });
    fireEvent.change(field(TICKETS), { target: { value: '365' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save privacy settings' }));
    expect(await screen.findByText('Saved.')).toBeTruthy();
    const put = calls.filter((c) => c.method === 'PUT');
    expect(put).toHaveLength(1);
    expect(put[0].url.pathname).toBe(`/api/v1/workspaces/${WS}/privacy`);
    expect(put[0].body).toEqual({ conversations_without_ticket_days: null, closed_tickets_days: 365 });
    // The answer is what the form shows now.
    await waitFor(() => expect(field(TICKETS).value).toBe('365'));
    expect(field(CONVERSATIONS).value).toBe('');
  });

  it("shows the server's refusal of a field under that field", async () => {
    setup(() => ({ status: 422, body: { error: { code: 'validation', message: 'Invalid fields.', fields: { closed_tickets_days: ['must be between 1 and 3650 days'] } } } }));
    show();
    await screen.findByDisplayValue('30');
    fireEvent.change(field(TICKETS), { target: { value: '3650' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save privacy settings' }));
    const err = await screen.findByText('must be between 1 and 3650 days');
    expect(field(TICKETS).getAttribute('aria-invalid')).toBe('true');
    expect(field(TICKETS).getAttribute('aria-describedby')).toContain(err.id);
    expect(field(CONVERSATIONS).getAttribute('aria-invalid')).toBeNull();
    // A field error is not repeated as a general one.
    expect(screen.queryByText('Invalid fields.')).toBeNull();
    expect(screen.queryByText('Saved.')).toBeNull();
  });

  it('reads a field: empty is null, spaces too', () => {
    expect(daysValue('')).toBeNull();
    expect(daysValue('  ')).toBeNull();
    expect(daysValue(' 90 ')).toBe(90);
  });
});
