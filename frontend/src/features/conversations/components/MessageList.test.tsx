import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Message } from '../../../lib/types';
import { MessageList } from './MessageList';
import { safeHttpUrl } from './VisitorInfo';

const base = { conversation_id: 'c1', created_at: '2026-11-24T10:00:00Z', channel: 'chat' as const };
const evil = '<img src=x onerror=alert(1)>';

describe('MessageList', () => {
  it('renders visitor text as text, never as HTML', () => {
    const messages: Message[] = [
      { ...base, id: 'm1', sender: 'visitor', body: evil },
      { ...base, id: 'm2', sender: 'assistant', body: '<b>bold?</b> <script>alert(2)</script>' },
    ];
    const { container } = render(<MessageList messages={messages} />);
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('script')).toBeNull();
    expect(container.querySelector('b')).toBeNull();
    expect(screen.getByText(evil)).toBeTruthy();
    expect(container.innerHTML).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('names the knowledge-base articles an answer came from', () => {
    const messages: Message[] = [
      { ...base, id: 'a', sender: 'visitor', body: 'which cards work?' },
      {
        ...base,
        id: 'b',
        sender: 'assistant',
        body: 'From our article “Payment methods”: We accept Visa.',
        sources: [{ passage_id: 'p1', article_id: 'a1', title: 'Payment methods' }],
      },
    ];
    render(<MessageList messages={messages} />);
    expect(screen.getByTestId('msg-sources').textContent).toBe('Source: Payment methods');
  });

  it('marks visitor, AI and agent messages distinctly, in order', () => {
    const messages: Message[] = [
      { ...base, id: 'a', sender: 'visitor', body: 'I want a refund' },
      { ...base, id: 'b', sender: 'assistant', body: 'I can create a ticket' },
      { ...base, id: 'c', sender: 'agent', author_name: 'Sam', body: 'Refund issued' },
      { ...base, id: 'd', sender: 'system', body: 'Ticket TKT-10001 created' },
    ];
    const { container } = render(<MessageList messages={messages} visitorLabel="jane@example.com" />);
    const items = [...container.querySelectorAll('li.msg')];
    expect(items.map((li) => li.getAttribute('data-sender'))).toEqual(['visitor', 'assistant', 'agent', 'system']);
    expect(items[0].textContent).toContain('jane@example.com');
    expect(items[1].textContent).toContain('AI');
    expect(items[2].textContent).toContain('Sam');
  });

  it('links only http(s) pages', () => {
    expect(safeHttpUrl('https://shop.example.com/cart')).toBe('https://shop.example.com/cart');
    expect(safeHttpUrl('javascript:alert(1)')).toBeNull();
    expect(safeHttpUrl('data:text/html,hi')).toBeNull();
    expect(safeHttpUrl(null)).toBeNull();
  });
});
