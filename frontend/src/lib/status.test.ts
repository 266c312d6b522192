import { describe, expect, it } from 'vitest';
import { allowedMoves, statusActions } from './status';

describe('ticket workflow', () => {
  it('offers exactly the moves of the server workflow', () => {
    expect(allowedMoves('open')).toEqual(['in_progress', 'resolved', 'closed']);
    expect(allowedMoves('in_progress')).toEqual(['open', 'resolved', 'closed']);
    expect(allowedMoves('resolved')).toEqual(['closed', 'open']);
    expect(allowedMoves('closed')).toEqual(['open']);
  });

  it('never offers the current status or resolved→in_progress / closed→resolved', () => {
    for (const s of ['open', 'in_progress', 'resolved', 'closed'] as const) expect(allowedMoves(s)).not.toContain(s);
    expect(allowedMoves('resolved')).not.toContain('in_progress');
    expect(allowedMoves('closed')).not.toContain('resolved');
    expect(allowedMoves('closed')).not.toContain('in_progress');
  });

  it('labels the way back to open "Reopen" only from resolved and closed', () => {
    expect(statusActions('resolved').map((a) => a.label)).toEqual(['Closed', 'Reopen']);
    expect(statusActions('closed').map((a) => a.label)).toEqual(['Reopen']);
    expect(statusActions('open').map((a) => a.label)).toEqual(['In Progress', 'Resolved', 'Closed']);
    expect(statusActions('in_progress').map((a) => a.label)).toEqual(['Back to Open', 'Resolved', 'Closed']);
  });
});
