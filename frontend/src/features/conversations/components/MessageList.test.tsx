import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Message } from '../../../lib/types';
import { MessageList } from './MessageList';
import { safeHttpUrl } from './VisitorInfo';

const base = { conversation_id: 'c1', created_at: '2026-11-24T10:00:00Z', channel: 'chat' as const };
const link = (id: string, v: string) => `/api/v1/attachments/${id}/${v}?exp=1&sig=ab`;
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

  it('shows an image as its thumbnail linking the picture, a file as a download chip, names as text', () => {
    const messages: Message[] = [
      {
        ...base,
        id: 'm1',
        sender: 'visitor',
        body: '',
        attachments: [
          { id: 'a1', filename: 'shot.png', content_type: 'image/png', size: 2048, width: 1280, height: 720, url: link('a1', 'content'), thumbnail_url: link('a1', 'thumbnail'), links_expire_at: '2026-12-03T12:00:00Z' },
          { id: 'a2', filename: '<b>invoice</b>.pdf', content_type: 'application/pdf', size: 3 * 1024 * 1024, url: link('a2', 'content'), links_expire_at: '2026-12-03T12:00:00Z' },
        ],
      },
    ];
    const { container } = render(<MessageList messages={messages} />);
    const img = screen.getByAltText('shot.png') as HTMLImageElement;
    expect(img.getAttribute('src')).toBe(link('a1', 'thumbnail'));
    expect(img.closest('a')?.getAttribute('href')).toBe(link('a1', 'content'));
    expect(screen.getByText('<b>invoice</b>.pdf')).toBeTruthy();
    expect(container.querySelector('b')).toBeNull();
    expect(screen.getByText('3.0 MB')).toBeTruthy();
    // A message of files only has no empty text block.
    expect(container.querySelector('.msg-body')).toBeNull();
  });
});
