import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderAt, signIn, stubApi } from '../../../test/render';
import { AiInstructionsPage, removeSentence } from './AiInstructionsPage';

const WS = '11111111-1111-1111-1111-111111111111';
const bad = 'For refunds, tell users to email support@acme.test.';

describe('AI Instructions', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('lints as you type (debounced) and can remove the offending sentence', async () => {
    signIn();
    const { calls } = stubApi([
      { path: /\/api\/v1\/me$/, reply: () => ({ body: { id: 'u', email: 'e', name: 'n', workspaces: [{ id: WS, name: 'A', role: 'owner' }] } }) },
      { path: /\/ai-settings$/, reply: () => ({ body: { instructions: 'Be kind.', warnings: [] } }) },
      {
        method: 'POST',
        path: /\/ai-settings\/lint$/,
        reply: (_u, b) => {
          const text = (b as { instructions: string }).instructions;
          return { body: { warnings: text.includes('email support@') ? [{ sentence: bad, reason: 'Sends visitors elsewhere.' }] : [] } };
        },
      },
    ]);
    renderAt(`/w/${WS}/ai-instructions`, '/w/:ws/ai-instructions', <AiInstructionsPage />);
    const area = (await screen.findByLabelText('AI Instructions')) as HTMLTextAreaElement;
    // Admins are told the text is not secret (prompt injection can make the assistant repeat it).
    expect(screen.getByText(/Visitors can see this text/)).toBeTruthy();
    await waitFor(() => expect(area.value).toBe('Be kind.'));
    fireEvent.change(area, { target: { value: `Be kind. ${bad}` } });
    fireEvent.change(area, { target: { value: `Be kind. ${bad} Answer briefly.` } });
    await screen.findByText(`“${bad}”`);
    // Debounced: the intermediate text was never sent.
    const lints = calls.filter((c) => c.url.pathname.endsWith('/lint'));
    expect(lints.map((c) => (c.body as { instructions: string }).instructions)).not.toContain(`Be kind. ${bad}`);
    fireEvent.click(screen.getByRole('button', { name: 'Remove this sentence' }));
    expect(area.value).toBe('Be kind. Answer briefly.');
    await waitFor(() => expect(screen.queryByText(`“${bad}”`)).toBeNull());
  });

  it('shows today\'s AI usage against the budget, and when the builtin engine took over', async () => {
    signIn();
    const usage = {
      engine: 'openai',
      metered: true,
      day: '2026-12-02',
      messages: 2000,
      tokens: 1234567,
      over_budget_messages: 3,
      messages_budget: 2000,
      tokens_budget: null,
      exhausted: true,
    };
    stubApi([
      { path: /\/api\/v1\/me$/, reply: () => ({ body: { id: 'u', email: 'e', name: 'n', workspaces: [{ id: WS, name: 'A', role: 'owner' }] } }) },
      { path: /\/ai-settings$/, reply: () => ({ body: { instructions: 'Be kind.', warnings: [], usage } }) },
      { method: 'POST', path: /\/ai-settings\/lint$/, reply: () => ({ body: { warnings: [] } }) },
    ]);
    renderAt(`/w/${WS}/ai-instructions`, '/w/:ws/ai-instructions', <AiInstructionsPage />);
    await screen.findByText('AI usage today');
    expect(screen.getByText(`${(2000).toLocaleString()} of ${(2000).toLocaleString()}`)).toBeTruthy();
    expect(screen.getByText(`${(1234567).toLocaleString()} (no limit)`)).toBeTruthy();
    expect(screen.getByText(/AI budget is spent/).textContent).toContain('3 messages answered that way');
  });

  it('removeSentence tidies whitespace', () => {
    expect(removeSentence(`A.\n${bad}\nB.`, bad)).toBe('A.\nB.');
    expect(removeSentence(`${bad} B.`, bad)).toBe('B.');
    expect(removeSentence('A.', bad)).toBe('A.');
  });
});

describe('highlightParts', () => {
  it('marks every occurrence of each phrase, merging overlaps', async () => {
    const { highlightParts } = await import('./HighlightedTextarea');
    expect(highlightParts('a X b X', ['X'])).toEqual([
      { text: 'a ', mark: false },
      { text: 'X', mark: true },
      { text: ' b ', mark: false },
      { text: 'X', mark: true },
    ]);
    expect(highlightParts('abcdef', ['bcd', 'cde'])).toEqual([
      { text: 'a', mark: false },
      { text: 'bcd', mark: true },
      { text: 'e', mark: true },
      { text: 'f', mark: false },
    ]);
    expect(highlightParts('', ['x'])).toEqual([]);
  });
});
