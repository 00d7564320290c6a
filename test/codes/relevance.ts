/** Top-5 hit rate of the relevance set over a code set (shared by the test and the bench). */
import type { CodeSet } from '../../src/codes/code-set.ts';
import { RELEVANCE_SET } from './search-relevance-set.ts';

export function relevanceTop5(codes: CodeSet): { rate: number; misses: string[] } {
  const misses = RELEVANCE_SET.filter(
    (c) => !codes.search(c.query, c.kind, 5).some((e) => c.expected.includes(e.code)),
  ).map((c) => c.query);
  return { rate: (RELEVANCE_SET.length - misses.length) / RELEVANCE_SET.length, misses };
}
