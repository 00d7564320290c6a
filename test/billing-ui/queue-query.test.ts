import { describe, expect, it } from 'vitest';
import {
  changeQuery,
  pageCount,
  queueApiPath,
  readQueueView,
  sortChange,
} from '../../smart-app/billing-ui/queue/queue-query.ts';

describe('the work queue address', () => {
  it('reads filters, sort and page from the address, with the server’s defaults', () => {
    const view = readQueueView(
      '?kind=claim-denied&payer=acme&q=CO-97&page=3&sort=deadline&order=asc',
    );
    expect(view).toMatchObject({
      kind: 'claim-denied',
      payer: 'acme',
      q: 'CO-97',
      page: 3,
      sort: 'deadline',
      order: 'asc',
      extra: [],
    });
    expect(readQueueView('')).toMatchObject({ sort: 'amount', order: 'desc', page: 1 });
    expect(readQueueView('?kind=nonsense&sort=nonsense&page=-2')).toMatchObject({
      sort: 'amount',
      page: 1,
    });
    expect(readQueueView('?kind=nonsense').kind).toBeUndefined();
  });

  it('keeps a chart’s drill-down parameters as chips and sends them to the server', () => {
    const search = '?carc=CO-97&payer=acme&from=2026-01';
    expect(readQueueView(search).extra).toEqual([
      ['carc', 'CO-97'],
      ['from', '2026-01'],
    ]);
    const path = queueApiPath(search, 25);
    expect(path.startsWith('/api/billing/queue?')).toBe(true);
    expect(new URLSearchParams(path.split('?')[1]).get('carc')).toBe('CO-97');
    expect(new URLSearchParams(path.split('?')[1]).get('pageSize')).toBe('25');
  });

  it('goes back to page 1 when a filter changes, but not when the page does', () => {
    expect(changeQuery('?kind=appeal&page=4', { payer: 'acme' })).toBe('?kind=appeal&payer=acme');
    expect(changeQuery('?kind=appeal&page=4', { page: '5' })).toBe('?kind=appeal&page=5');
    expect(changeQuery('?kind=appeal', { kind: '' })).toBe('');
  });

  it('flips the order on a second press of the same column; money starts largest first', () => {
    const view = readQueueView('');
    expect(sortChange(view, 'amount')).toEqual({ sort: 'amount', order: 'asc' });
    expect(sortChange(view, 'deadline')).toEqual({ sort: 'deadline', order: 'asc' });
    expect(sortChange(view, 'age')).toEqual({ sort: 'age', order: 'desc' });
  });

  it('counts pages, at least one', () => {
    expect(pageCount(0, 25)).toBe(1);
    expect(pageCount(51, 25)).toBe(3);
  });
});
