import { describe, expect, it } from 'vitest';
import { humanSize } from './AttachmentList';

describe('attachments', () => {
  it('words sizes', () => {
    expect(humanSize(512)).toBe('512 B');
    expect(humanSize(12 * 1024)).toBe('12 KB');
    expect(humanSize(3.4 * 1024 * 1024)).toBe('3.4 MB');
  });
});
