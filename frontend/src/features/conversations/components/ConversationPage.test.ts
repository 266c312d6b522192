import { describe, expect, it } from 'vitest';
import { answererText } from './ConversationPage';

const base = {
  id: 'c1',
  visitor_id: 'v1',
  visitor_unread_count: 0,
  created_at: '2026-12-02T10:00:00Z',
  last_message_at: '2026-12-02T10:00:00Z',
  waiting_since: null,
  visitor_online: true,
};

describe('who answers', () => {
  it('names the assistant, the viewer or the colleague who has the conversation', () => {
    expect(answererText({ ...base, taken_over: null }, 'u1')).toBe('The AI assistant answers this conversation.');
    const taken = { user_id: 'u1', name: 'Sam', at: '2026-12-02T10:00:00Z', falls_back_at: null };
    expect(answererText({ ...base, taken_over: taken }, 'u1')).toBe('You have this conversation: the AI assistant stays silent.');
    expect(answererText({ ...base, taken_over: taken }, 'u2')).toBe('Sam has this conversation: the AI assistant stays silent.');
    expect(answererText({ ...base, taken_over: { ...taken, falls_back_at: '2026-12-02T10:30:00Z' } }, 'u1')).toMatch(/goes back to the AI at .+ if nobody replies\.$/);
  });
});
