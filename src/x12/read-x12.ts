import { collect835, type Era835 } from './collect-835.ts';
import { openX12, type X12Source } from './envelope-check.ts';
import { read837, type Read837 } from './read-837.ts';
import { AckCollector, type Ack999, type Ta1 } from './read-999.ts';
import { EligibilityCollector, type Eligibility271 } from './read-271.ts';
import { StatusCollector, type StatusReport } from './read-277.ts';
import { el, positionOf, type ReadSegmentsOptions } from './segment-reader.ts';
import { X12InputError } from './x12-error.ts';

/** Any X12 file ChartBill reads, by what it is. */
export type X12Document =
  | { kind: 'ack'; ta1: Ta1[]; acks: Ack999[] }
  | { kind: 'status'; reports: StatusReport[] }
  | { kind: 'eligibility'; answers: Eligibility271[] }
  | { kind: 'remittance'; eras: Era835[] }
  | { kind: 'claims'; claims: Read837[] };

/** The transaction sets ChartBill reads (ST01), and TA1 for an interchange acknowledgment. */
export const READABLE_SETS = ['TA1', '999', '277', '271', '835', '837'] as const;
export type ReadableSet = (typeof READABLE_SETS)[number];

/**
 * What a file holds, from its first ST01 (or a TA1 before any ST). Refuses an unknown
 * transaction set, naming the ST and its position.
 */
export async function detectTransactionSet(
  source: X12Source,
  options: ReadSegmentsOptions = {},
): Promise<ReadableSet> {
  const stream = openX12(source, options);
  for await (const s of stream.segments) {
    if (s.tag === 'TA1') return 'TA1';
    if (s.tag !== 'ST') continue;
    const set = el(s, 1);
    if ((READABLE_SETS as readonly string[]).includes(set)) return set as ReadableSet;
    throw new X12InputError(
      `Unknown transaction set '${set}' in ST01: ChartBill reads ${READABLE_SETS.join(', ')}`,
      positionOf(s),
    );
  }
  throw new X12InputError('The file holds no transaction set (no ST) and no TA1');
}

/**
 * Reads a whole X12 file of the given kind (the CLI's `x12 read`). A file's sets must all be of
 * the first one's kind. For large 835s use `read835`, which streams.
 */
export async function readX12(
  source: X12Source,
  set: ReadableSet,
  options: ReadSegmentsOptions = {},
): Promise<X12Document> {
  if (set === '835') return { kind: 'remittance', eras: await collect835(source, options) };
  if (set === '837') return { kind: 'claims', claims: await read837(source, options) };
  const stream = openX12(source, options);
  const acks = new AckCollector();
  const status = new StatusCollector();
  const eligibility = new EligibilityCollector();
  for await (const s of stream.segments) {
    if (s.tag === 'ST' && el(s, 1) !== set && !(set === 'TA1' && el(s, 1) === '999'))
      throw new X12InputError(
        `A ${el(s, 1)} in a file of ${set}s: read one kind per file`,
        positionOf(s),
      );
    if (set === '999' || set === 'TA1') acks.add(s);
    else if (set === '277') status.add(s, stream.delimiters());
    else eligibility.add(s, stream.delimiters());
  }
  if (set === '277') return { kind: 'status', reports: status.reports };
  if (set === '271') return { kind: 'eligibility', answers: eligibility.answers };
  return { kind: 'ack', ta1: acks.ta1, acks: acks.acks };
}
