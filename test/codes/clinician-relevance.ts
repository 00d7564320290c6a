/** Top-1 and top-5 hit rates of the clinician query set over a code set (test and bench). */
import type { CodeSet } from '../../src/codes/code-set.ts';
import { CLINICIAN_QUERIES, type ClinicianQuery } from './clinician-queries.ts';

export interface Relevance {
  top1: number;
  top5: number;
  /** Queries whose accepted codes are not in the top five. */
  misses: string[];
}

export function clinicianRelevance(
  codes: CodeSet,
  queries: readonly ClinicianQuery[] = CLINICIAN_QUERIES,
): Relevance {
  let top1 = 0;
  let top5 = 0;
  const misses: string[] = [];
  for (const c of queries) {
    const found = codes.search(c.query, c.kind, 5).map((e) => e.code);
    if (c.accept.includes(found[0] ?? '')) top1++;
    if (found.some((code) => c.accept.includes(code))) top5++;
    else misses.push(c.query);
  }
  return { top1: top1 / queries.length, top5: top5 / queries.length, misses };
}
