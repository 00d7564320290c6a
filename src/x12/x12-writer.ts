import type { X12Config } from './x12-config.ts';

/** A segment to write: the tag, then its elements (element 01 first); trailing empties are cut. */
export type OutSegment = readonly string[];

/** The delimiters ChartBill writes: `*` elements, `:` components, `^` repetitions, `~` segments. */
export const OUT = { element: '*', component: ':', repetition: '^', segment: '~' } as const;

/**
 * A value made safe for an element: the delimiters and control characters removed (X12.6: the
 * delimiters must not occur in data), spaces collapsed, upper case for names and addresses
 * (the basic character set), cut to `max` characters.
 */
export function text(value: string | undefined, max = 60): string {
  if (value === undefined) return '';
  // Most values are plain: skip the Unicode folding (this runs for every element of every claim).
  if (PLAIN.test(value)) return value.toUpperCase().slice(0, max).trim();
  return value
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[*:^~\r\n\t]|[^\x20-\x7e]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .toUpperCase()
    .slice(0, max)
    .trim();
}

/** Components joined with `:` (e.g. `HC:99213:25`), trailing empties cut. */
export function composite(...parts: (string | undefined)[]): string {
  const out = parts.map((p) => p ?? '');
  while (out.length > 1 && out[out.length - 1] === '') out.pop();
  return out.join(OUT.component);
}

/** One segment as text, trailing empty elements removed (X12.6 §: they must not be sent). */
export function segmentText(segment: OutSegment): string {
  const parts = [...segment];
  while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return parts.join(OUT.element) + OUT.segment;
}

/** Segments as a file: one per line (the line break after `~` is ignored by readers). */
export function serialize(segments: readonly OutSegment[]): string {
  return segments.map(segmentText).join('\n') + '\n';
}

/** The functional group and version of each transaction ChartBill writes. */
export interface TransactionKind {
  /** ST01: 837, 270, 276. */
  set: string;
  /** GS01: HC claims, HS eligibility inquiry, HR claim status inquiry. */
  functionalId: string;
  /** GS08 / ST03: the implementation guide. */
  version: string;
}

export const KIND_837P: TransactionKind = {
  set: '837',
  functionalId: 'HC',
  version: '005010X222A1',
};
export const KIND_270: TransactionKind = {
  set: '270',
  functionalId: 'HS',
  version: '005010X279A1',
};
export const KIND_276: TransactionKind = { set: '276', functionalId: 'HR', version: '005010X212' };

const PLAIN = /^[A-Za-z0-9.,'#&()/-]+( [A-Za-z0-9.,'#&()/-]+)*$/;
const pad = (value: string, width: number) => value.padEnd(width, ' ').slice(0, width);

/**
 * Wraps transaction bodies (each without ST/SE) in ST/SE, one GS/GE and one ISA/IEA. The ISA's
 * elements are fixed-width (X12.5), so it is always 106 characters. `control` (from a
 * ControlNumberStore) is ISA13 and GS06; ST02 counts 0001, 0002, … within the group.
 */
export function envelope(
  config: X12Config,
  kind: TransactionKind,
  bodies: readonly (readonly OutSegment[])[],
  control: number,
  now: Date,
): OutSegment[] {
  const ymd = now.toISOString().slice(0, 10).replace(/-/g, '');
  const hhmm = now.toISOString().slice(11, 16).replace(':', '');
  const isa13 = String(control).padStart(9, '0');
  const out: OutSegment[] = [
    [
      'ISA',
      '00',
      pad('', 10),
      '00',
      pad('', 10),
      config.senderQualifier,
      pad(config.senderId, 15),
      config.receiverQualifier,
      pad(config.receiverId, 15),
      ymd.slice(2),
      hhmm,
      OUT.repetition,
      '00501',
      isa13,
      config.ackRequested,
      config.usage,
      OUT.component,
    ],
    [
      'GS',
      kind.functionalId,
      config.senderId,
      config.receiverId,
      ymd,
      hhmm,
      String(control),
      'X',
      kind.version,
    ],
  ];
  bodies.forEach((body, i) => {
    const st02 = String(i + 1).padStart(4, '0');
    out.push(['ST', kind.set, st02, kind.version], ...body, ['SE', String(body.length + 2), st02]);
  });
  out.push(['GE', String(bodies.length), String(control)], ['IEA', '1', isa13]);
  return out;
}
