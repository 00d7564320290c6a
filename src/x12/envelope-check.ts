import {
  el,
  positionOf,
  readSegments,
  type Delimiters,
  type ReadSegmentsOptions,
  type Segment,
} from './segment-reader.ts';
import { X12InputError } from './x12-error.ts';

/** An X12 file being read: its segments (envelopes checked) and the delimiters its ISA declared. */
export interface X12Stream {
  segments: AsyncGenerator<Segment, void, undefined>;
  /** Known once the first segment has been read. */
  delimiters(): Delimiters;
}

/** Anything a file can be read from: a Node stream, an async iterable of chunks, or a string. */
export type X12Source = AsyncIterable<string | Uint8Array> | Iterable<string> | string;

/** Opens an X12 source: segments streamed, envelopes checked as they close. */
export function openX12(source: X12Source, options: ReadSegmentsOptions = {}): X12Stream {
  let delimiters: Delimiters | undefined;
  const chunks = typeof source === 'string' ? [source] : source;
  const segments = checkEnvelopes(
    readSegments(chunks, options, (d) => {
      delimiters = d;
    }),
    options,
  );
  return {
    segments,
    delimiters() {
      if (!delimiters) throw new Error('delimiters() before the first segment was read');
      return delimiters;
    },
  };
}

interface Open {
  segment: Segment;
  control: string;
  count: number;
}

/**
 * Checks the X12 envelopes while passing segments through (X12.5 interchange control, X12.6
 * functional group and transaction set headers/trailers): ISA13 = IEA02 and IEA01 = the number of
 * groups; GS06 = GE02 and GE01 = the number of transaction sets; ST02 = SE02 and SE01 = the number
 * of segments from ST to SE. A file that ends inside an envelope is truncated.
 */
export async function* checkEnvelopes(
  segments: AsyncIterable<Segment>,
  options: ReadSegmentsOptions = {},
): AsyncGenerator<Segment, void, undefined> {
  const match = (name: string, value: string, headerName: string, header: string, s: Segment) => {
    if (value.trim() === header.trim()) return;
    const message = `${name} '${value}' does not match ${headerName} '${header}'`;
    if (!options.lenient) fail(message, s);
    options.onWarning?.(new X12InputError(message, positionOf(s)).message);
  };
  const count = (name: string, value: string, actual: number, what: string, s: Segment) => {
    if (Number(value) === actual) return;
    const message = `${name} says ${value} ${what} but there are ${actual}`;
    if (!options.lenient) fail(message, s);
    options.onWarning?.(new X12InputError(message, positionOf(s)).message);
  };
  let isa: Open | undefined;
  let gs: Open | undefined;
  let st: Open | undefined;
  let last: Segment | undefined;
  for await (const s of segments) {
    last = s;
    if (st) st.count += 1;
    switch (s.tag) {
      case 'ISA':
        if (isa) fail(`An ISA inside interchange ${isa.control}, which has no IEA`, s);
        isa = { segment: s, control: el(s, 13), count: 0 };
        break;
      case 'IEA':
        if (!isa) fail('An IEA with no ISA before it', s);
        if (gs) fail(`IEA closes the interchange while group ${gs.control} has no GE`, s);
        match('IEA02', el(s, 2), 'ISA13', isa.control, s);
        count('IEA01', el(s, 1), isa.count, 'functional groups', s);
        isa = undefined;
        break;
      case 'GS':
        if (gs) fail(`A GS inside group ${gs.control}, which has no GE`, s);
        if (isa) isa.count += 1;
        gs = { segment: s, control: el(s, 6), count: 0 };
        break;
      case 'GE':
        if (!gs) fail('A GE with no GS before it', s);
        if (st) fail(`GE closes the group while transaction set ${st.control} has no SE`, s);
        match('GE02', el(s, 2), 'GS06', gs.control, s);
        count('GE01', el(s, 1), gs.count, 'transaction sets', s);
        gs = undefined;
        break;
      case 'ST':
        if (st) fail(`An ST inside transaction set ${st.control}, which has no SE`, s);
        if (gs) gs.count += 1;
        st = { segment: s, control: el(s, 2), count: 1 };
        break;
      case 'SE':
        if (!st) fail('An SE with no ST before it', s);
        match('SE02', el(s, 2), 'ST02', st.control, s);
        count('SE01', el(s, 1), st.count, 'segments from ST to SE', s);
        st = undefined;
        break;
      default:
        if (!st && s.tag !== 'TA1')
          fail(`${s.tag} is outside any transaction set (no ST before it)`, s);
    }
    yield s;
  }
  const open = st ?? gs ?? isa;
  if (open && last)
    fail(
      `The file is truncated: ${open.segment.tag} ${open.control} (segment ${open.segment.index}) is never closed by its ${trailerOf(open.segment.tag)}`,
      last,
    );
}

function trailerOf(tag: string): string {
  return tag === 'ISA' ? 'IEA' : tag === 'GS' ? 'GE' : 'SE';
}

function fail(message: string, s: Segment): never {
  throw new X12InputError(message, positionOf(s));
}
