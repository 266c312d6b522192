import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Message } from '../../../lib/types';
import { MessageList } from '../../conversations/components/MessageList';
import { humanSize } from './AttachmentList';

const base = { conversation_id: 'c1', created_at: '2026-12-03T10:00:00Z', channel: 'chat' as const };
const link = (id: string, v: string) => `/api/v1/attachments/${id}/${v}?exp=1&sig=ab`;

describe('attachments in the conversation', () => {
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

  it('words sizes', () => {
    expect(humanSize(512)).toBe('512 B');
    expect(humanSize(12 * 1024)).toBe('12 KB');
    expect(humanSize(3.4 * 1024 * 1024)).toBe('3.4 MB');
  });
});
