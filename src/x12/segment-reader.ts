import { X12InputError, type X12Position } from './x12-error.ts';

/** The separators an interchange declares in its ISA (X12.5 / X12.6 interchange control). */
export interface Delimiters {
  element: string;
  /** ISA16, the component (sub-element) separator. */
  component: string;
  /** ISA11 in 00501, the repetition separator. */
  repetition: string;
  segment: string;
}

/** One segment as read: tag, elements (index 0 = element 01) and where it was. */
export interface Segment {
  tag: string;
  elements: string[];
  /** 1-based ordinal of the segment in the file. */
  index: number;
  /** 0-based character offset of its first character. */
  offset: number;
}

export interface ReadSegmentsOptions {
  /**
   * Read files damaged the way de-identified samples are: an ISA whose fixed-width elements were
   * not padded (its length is not 106), a trailer control number (IEA02, GE02, SE02) that
   * differs from its header's, and a trailer count (SE01, GE01, IEA01) that is off (excerpts).
   * Each is reported to `onWarning` instead of refusing the file. Strict by default: X12 5010
   * fixes the ISA at 106 characters, and a TA1/999 would reject the others. Terminators,
   * truncation, tags and (in the 835) balancing are enforced either way.
   */
  lenient?: boolean;
  /** Receives what a lenient read accepted (with the segment and position). */
  onWarning?: (message: string) => void;
  /**
   * The component separator of a bare transaction set (a file that starts at ST, as some payer
   * portals export an 835): it has no ISA16 to declare one. Default `:`. With `lenient`, it also
   * overrides an ISA16 that the file does not use (a warning says so).
   */
  componentSeparator?: string;
}

/** The ISA is exactly 106 characters (X12.5, ISA fixed-width elements, ISA16 then terminator). */
export const ISA_LENGTH = 106;
const TAG = /^[A-Z][A-Z0-9]{1,2}$/;
const LINE_BREAK_TAG = /[\r\n]+[A-Z][A-Z0-9]{1,2}\*/;

/** Elements of a segment, 1-based like the implementation guides (`el(s, 2)` is CLP02). */
export function el(segment: Segment, position: number): string {
  return segment.elements[position - 1] ?? '';
}

/** Components of a composite element (`HC:99213:25` → `['HC', '99213', '25']`). */
export function components(value: string, delimiters: Delimiters): string[] {
  return value === '' ? [] : value.split(delimiters.component);
}

export function positionOf(segment: Segment): X12Position {
  return { segment: segment.index, offset: segment.offset, tag: segment.tag };
}

/** Reads the delimiters from the start of a file (an ISA, or a bare ST with the defaults). */
export function delimitersOf(head: string, options: ReadSegmentsOptions = {}): Delimiters {
  const tag = /^[A-Z][A-Z0-9]{1,2}/.exec(head)?.[0];
  const at = { segment: 1, offset: 0, ...(tag ? { tag } : {}) };
  if (head.startsWith('ST') && /^ST[^A-Z0-9]/.test(head))
    return {
      element: head[2] ?? '*',
      component: options.componentSeparator ?? ':',
      repetition: '^',
      segment: '~',
    };
  if (!head.startsWith('ISA'))
    throw new X12InputError(
      `Not an X12 file: it starts with '${head.slice(0, 12).replace(/[^\x20-\x7e]/g, '?')}' where an ISA (or a bare ST) must be`,
      at,
    );
  const element = head[3] ?? '';
  let index = 3;
  for (let n = 1; n < 16; n++) {
    index = head.indexOf(element, index + 1);
    if (index < 0)
      throw new X12InputError(
        `The ISA has ${n} elements where X12 5010 has 16 (the file is truncated or its ISA is damaged)`,
        at,
      );
  }
  const component = head[index + 1] ?? '';
  const segment = head[index + 2] ?? '';
  const length = index + 3;
  if (length !== ISA_LENGTH) {
    const error = new X12InputError(
      `The ISA is ${length} characters long; X12 5010 fixes it at ${ISA_LENGTH} (ISA06 and ISA08 padded to 15 characters, ISA13 9 digits)`,
      at,
    );
    if (!options.lenient) throw error;
    options.onWarning?.(error.message);
  }
  if (
    segment === '' ||
    /[A-Za-z0-9 ]/.test(segment) ||
    segment === element ||
    segment === component
  )
    throw new X12InputError(
      `The ISA's segment terminator (character ${length}) is '${segment.replace(/[^\x21-\x7e]/g, '?')}', which cannot end segments: the terminator must follow ISA16`,
      at,
    );
  const isa11 = head.split(element)[11] ?? '^';
  const declared = { element, component, repetition: isa11.length === 1 ? isa11 : '^', segment };
  const override = options.componentSeparator;
  if (override && override !== component) {
    const message = `ISA16 declares '${component}' as the component separator; read with '${override}' as asked`;
    if (!options.lenient)
      throw new X12InputError(`${message}, which only a lenient read allows`, at);
    options.onWarning?.(message);
    return { ...declared, component: override };
  }
  return declared;
}

/**
 * Streams the segments of an X12 file: any chunking of the input, constant memory. Refuses,
 * naming the segment and its position, a file that is not X12, an ISA of the wrong length, a
 * segment that is not ended by the terminator the ISA declares (line breaks instead of `~`), a
 * tag that is not a segment tag, and a file that ends inside a segment. Envelope counts and
 * control numbers are checked by `checkEnvelopes`.
 */
export async function* readSegments(
  source: AsyncIterable<string | Uint8Array> | Iterable<string>,
  options: ReadSegmentsOptions = {},
  onDelimiters?: (d: Delimiters) => void,
): AsyncGenerator<Segment, void, undefined> {
  const decoder = new TextDecoder('utf-8');
  let buffer = '';
  let consumed = 0;
  let index = 0;
  let delimiters: Delimiters | undefined;
  for await (const chunk of source) {
    buffer += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (!delimiters) {
      const start = buffer.search(/\S/);
      if (start < 0 || buffer.length - start < ISA_LENGTH + 1) continue;
      consumed += start;
      buffer = buffer.slice(start).replace(/^\uFEFF/, '');
      delimiters = delimitersOf(buffer, options);
      onDelimiters?.(delimiters);
    }
    const end = buffer.lastIndexOf(delimiters.segment);
    if (end < 0) continue;
    const complete = buffer.slice(0, end + 1);
    buffer = buffer.slice(end + 1);
    for (const segment of splitSegments(complete, delimiters, consumed, index)) {
      index = segment.index;
      yield segment;
    }
    consumed += complete.length;
  }
  buffer += decoder.decode();
  if (!delimiters) {
    const text = buffer.trim().replace(/^\uFEFF/, '');
    if (text === '') throw new X12InputError('The file is empty');
    consumed += buffer.indexOf(text[0] ?? '');
    delimiters = delimitersOf(text, options);
    onDelimiters?.(delimiters);
    buffer = text;
  }
  const lastEnd = buffer.lastIndexOf(delimiters.segment);
  const complete = buffer.slice(0, lastEnd + 1);
  for (const segment of splitSegments(complete, delimiters, consumed, index)) {
    index = segment.index;
    yield segment;
  }
  const rest = buffer.slice(lastEnd + 1);
  if (rest.trim() !== '') {
    const tag = rest.trim().split(delimiters.element)[0]?.slice(0, 3);
    throw new X12InputError(
      `The file is truncated: its last segment '${rest.trim().slice(0, 20)}…' has no segment terminator '${delimiters.segment}'`,
      {
        segment: index + 1,
        offset: consumed + complete.length + rest.search(/\S/),
        ...(tag ? { tag } : {}),
      },
    );
  }
}

function* splitSegments(
  text: string,
  d: Delimiters,
  offset: number,
  index: number,
): Generator<Segment> {
  let position = 0;
  while (position < text.length) {
    const end = text.indexOf(d.segment, position);
    if (end < 0) return;
    let start = position;
    while (start < end && isSpace(text.charCodeAt(start))) start++;
    position = end + 1;
    if (start === end) continue;
    const raw = text.slice(start, end);
    index += 1;
    const elements = raw.split(d.element);
    const tag = elements.shift() ?? '';
    const at = { segment: index, offset: offset + start, tag: tag.slice(0, 3) };
    if (LINE_BREAK_TAG.test(raw))
      throw new X12InputError(
        `Segments are ended by line breaks, not by the terminator '${d.segment}' the ISA declares (ISA position 106), so ${tag} runs into the next segment`,
        at,
      );
    if (!TAG.test(tag))
      throw new X12InputError(
        `'${tag.slice(0, 12).replace(/[^\x20-\x7e]/g, '?')}' is not a segment tag (the file is damaged, or its terminator is not '${d.segment}')`,
        at,
      );
    yield { tag, elements, index, offset: offset + start };
  }
}

function isSpace(code: number): boolean {
  return code === 10 || code === 13 || code === 32 || code === 9;
}
