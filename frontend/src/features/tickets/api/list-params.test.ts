import { describe, expect, it } from 'vitest';
import { DEFAULT_LIST_STATE, listStateToSearch, parseListState, ticketListParams } from './list-params';

describe('ticket list parameters', () => {
  it('All asks for everything, newest first', () => {
    expect(ticketListParams(DEFAULT_LIST_STATE)).toEqual({ sort: 'created_desc', limit: 25 });
  });

  it('a status filter becomes ?status=', () => {
    expect(ticketListParams({ ...DEFAULT_LIST_STATE, filter: 'in_progress' })).toEqual({ status: 'in_progress', sort: 'created_desc', limit: 25 });
  });

  it('My Tickets is assignee=me and wins over the assignee picker', () => {
    expect(ticketListParams({ ...DEFAULT_LIST_STATE, filter: 'mine', assignee: 'someone' })).toEqual({ assignee: 'me', sort: 'created_desc', limit: 25 });
  });

  it('assignee picker, trimmed search and sort pass through', () => {
    expect(ticketListParams({ filter: 'open', assignee: 'none', q: '  refund ', sort: 'updated_desc', tag: '' })).toEqual({
      status: 'open',
      assignee: 'none',
      q: 'refund',
      sort: 'updated_desc',
      limit: 25,
    });
  });

  it('round-trips through the page URL and ignores junk', () => {
    const s = { filter: 'resolved' as const, assignee: 'u1', q: 'TKT-10001', sort: 'created_asc' as const, tag: '' };
    expect(parseListState(listStateToSearch(s))).toEqual(s);
    expect(listStateToSearch(DEFAULT_LIST_STATE).toString()).toBe('');
    expect(parseListState(new URLSearchParams('filter=bogus&sort=nope'))).toEqual(DEFAULT_LIST_STATE);
  });

  it('carries the tag filter and the priority sort to the API and the URL', () => {
    const s = { ...DEFAULT_LIST_STATE, filter: 'open' as const, tag: 'tag-1', sort: 'priority_desc' as const };
    expect(ticketListParams(s)).toEqual({ status: 'open', tag: 'tag-1', sort: 'priority_desc', limit: 25 });
    expect(listStateToSearch(s).toString()).toBe('filter=open&sort=priority_desc&tag=tag-1');
    expect(parseListState(listStateToSearch(s))).toEqual(s);
  });
});
