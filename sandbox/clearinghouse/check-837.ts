import { openX12 } from '../../src/x12/envelope-check.ts';
import { delimitersOf, el, type Segment } from '../../src/x12/segment-reader.ts';
import { X12InputError } from '../../src/x12/x12-error.ts';
import type { Party } from './answer-envelope.ts';

/** One IK3 (a segment in error) with its IK4s, as a 999 reports it. */
export interface SegmentProblem {
  tag: string;
  /** IK302: the segment's position in its transaction set, ST = 1. */
  position: number;
  loop?: string;
  /** IK304. */
  code: string;
  elements: { position: number; reference: string; code: string }[];
}

/** One transaction set (ST…SE) of the file as checked. */
export interface CheckedTransaction {
  /** ST01: 837 (or 270/276 at the real-time endpoint). */
  set: string;
  control: string;
  /** Ordinal of its ST in the file. */
  start: number;
  /** CLM segments it holds (read837 returns claims in file order). */
  claims: number;
  /** REF*6R line item control numbers per claim, per line ('' when a line has none). */
  lineRefs: string[][];
  problems: SegmentProblem[];
  /** IK502 when the set's trailer is wrong (count, control number). */
  setError?: string;
}

/** What the clearinghouse's syntax check found: what a TA1 and a 999 report. */
export interface Checked837 {
  /** ISA13, ISA09/ISA10 and the sender (ISA05/ISA06), when the ISA could be read. */
  interchange: { control: string; date: string; time: string; ackRequested: boolean };
  sender: Party;
  group?: { control: string; functionalId: string; version: string };
  transactions: CheckedTransaction[];
  /** TA105 when the interchange itself is unusable. */
  interchangeNote?: string;
  /** AK905 when the group is (a GE that does not close it, …). */
  groupError?: string;
  /** The reason in words (for the sandbox's log). */
  message?: string;
}

/** Elements X12 5010 makes mandatory in the segments the check looks at: position → data element. */
const REQUIRED: Readonly<Record<string, readonly [number, string][]>> = {
  BHT: [
    [1, '1005'],
    [2, '353'],
  ],
  HL: [
    [1, '628'],
    [3, '735'],
  ],
  NM1: [
    [1, '98'],
    [2, '1065'],
  ],
  CLM: [
    [1, '1028'],
    [2, '782'],
    [5, 'C023'],
  ],
  SV1: [
    [1, 'C003'],
    [2, '782'],
    [4, '380'],
  ],
  DTP: [
    [1, '374'],
    [2, '1250'],
    [3, '1251'],
  ],
};

/**
 * Checks an 837 file as a clearinghouse's front end does before anything else: the ISA can be
 * read (else a TA1 rejection), the envelopes close with matching control numbers and counts,
 * every segment is well formed, and the mandatory elements are there (else a 999 naming the
 * segment and element). Uses ChartBill's own reader (`openX12`), whose errors name the segment.
 */
export async function check837(text: string): Promise<Checked837> {
  const out: Checked837 = {
    interchange: {
      control: isaElement(text, 13) || '000000000',
      date: '',
      time: '',
      ackRequested: false,
    },
    sender: { qualifier: isaElement(text, 5) || 'ZZ', id: isaElement(text, 6).trim() || 'UNKNOWN' },
    transactions: [],
  };
  out.interchange.date = isaElement(text, 9);
  out.interchange.time = isaElement(text, 10);
  out.interchange.ackRequested = isaElement(text, 14) === '1';
  try {
    delimitersOf(text.trimStart());
  } catch (err) {
    return { ...out, interchangeNote: '024', message: (err as Error).message };
  }
  let tx: CheckedTransaction | undefined;
  try {
    for await (const s of openX12(text).segments) tx = onSegment(out, tx, s);
  } catch (err) {
    if (!(err instanceof X12InputError)) throw err;
    placeError(out, tx, err);
  }
  return out;
}

function onSegment(
  out: Checked837,
  tx: CheckedTransaction | undefined,
  s: Segment,
): CheckedTransaction | undefined {
  if (s.tag === 'GS') {
    out.group = { control: el(s, 6), functionalId: el(s, 1), version: el(s, 8) };
    return tx;
  }
  if (s.tag === 'ST') {
    const started = {
      set: el(s, 1),
      control: el(s, 2),
      start: s.index,
      claims: 0,
      lineRefs: [],
      problems: [],
    };
    out.transactions.push(started);
    return started;
  }
  if (!tx) return tx;
  if (s.tag === 'SE') return undefined;
  if (s.tag === 'CLM') {
    tx.claims += 1;
    tx.lineRefs.push([]);
  }
  if (s.tag === 'SV1') tx.lineRefs[tx.lineRefs.length - 1]?.push('');
  if (s.tag === 'REF' && el(s, 1) === '6R') {
    const lines = tx.lineRefs[tx.lineRefs.length - 1];
    if (lines && lines.length > 0) lines[lines.length - 1] = el(s, 2);
  }
  const missing = (REQUIRED[s.tag] ?? []).filter(([position]) => el(s, position) === '');
  if (missing.length > 0)
    tx.problems.push({
      tag: s.tag,
      position: s.index - tx.start + 1,
      code: '8',
      elements: missing.map(([position, reference]) => ({ position, reference, code: '1' })),
    });
  return tx;
}

/** Where a reading error belongs: the interchange (TA1), the group or a transaction set (999). */
function placeError(out: Checked837, tx: CheckedTransaction | undefined, err: X12InputError) {
  out.message = err.message;
  const at = err.at;
  const tag = at?.tag ?? '';
  if (tag === 'ISA' || tag === 'IEA' || (!out.group && !tx)) {
    out.interchangeNote = /IEA02/.test(err.message)
      ? '001'
      : /truncated/.test(err.message)
        ? '023'
        : '024';
    return;
  }
  if (tag === 'GS' || tag === 'GE' || !tx) {
    out.groupError = /GE02/.test(err.message) ? '4' : '5';
    return;
  }
  if (tag === 'SE') {
    tx.setError = /SE02/.test(err.message) ? '3' : '4';
    return;
  }
  tx.problems.push({
    tag: /^[A-Z][A-Z0-9]{1,2}$/.test(tag) ? tag : 'UNK',
    position: (at?.segment ?? tx.start) - tx.start + 1,
    // IK304 1: unrecognized segment; 8: the segment has data element errors.
    code: /not a segment tag|line breaks/.test(err.message) ? '1' : '8',
    elements: [],
  });
  // Nothing after the damage can be trusted: the group is rejected as a whole.
  out.groupError = '5';
}

/** ISA element n read by position (fixed width), '' when the ISA is unreadable. */
function isaElement(text: string, n: number): string {
  const head = text.trimStart();
  if (!head.startsWith('ISA')) return '';
  return head.split(head[3] ?? '*')[n] ?? '';
}
