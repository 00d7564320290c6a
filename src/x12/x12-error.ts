import { AppError } from '../errors/app-error.ts';

/** Where in an X12 file something was found: the segment's ordinal (1 = first) and character offset. */
export interface X12Position {
  /** 1-based ordinal of the segment in the file. */
  segment: number;
  /** 0-based character offset of the segment's first character in the file. */
  offset: number;
  /** The segment's tag (ISA, CLP, …), when known. */
  tag?: string;
}

/** Words for a position: `segment 12 (CLP) at character 840`. */
export function positionText(at: X12Position): string {
  return `segment ${at.segment}${at.tag ? ` (${at.tag})` : ''} at character ${at.offset}`;
}

/**
 * An X12 file ChartBill refuses: malformed, truncated, out of balance. The message names the
 * segment and its position; nothing is changed by a refused file, so it can be fixed and read again.
 */
export class X12InputError extends AppError {
  readonly at: X12Position | undefined;
  constructor(
    message: string,
    at?: X12Position,
    options: { code?: 'X12_INVALID' | 'X12_UNBALANCED'; hint?: string } = {},
  ) {
    super(options.code ?? 'X12_INVALID', at ? `${message} (${positionText(at)})` : message, {
      hint:
        options.hint ??
        'Ask the sender (clearinghouse or payer) for a corrected file; nothing was imported from this one.',
    });
    this.name = 'X12InputError';
    this.at = at;
  }
}

/**
 * A claim that cannot be expressed as an 837P: `element` names what is missing (a FHIRPath-like
 * path such as `Patient.birthDate`, or a `CHARTBILL_X12_*` setting), so the worker can make a
 * Task naming it.
 */
export class ClaimNotExpressibleError extends AppError {
  readonly element: string;
  /** The 837P loop/segment that needs it (e.g. `2010BA NM1`). */
  readonly x12: string;
  constructor(element: string, x12: string, why: string) {
    super('X12_CLAIM_INCOMPLETE', `The 837P needs ${element} for ${x12}: ${why}`, {
      hint: `Add ${element} and build the claim again.`,
    });
    this.name = 'ClaimNotExpressibleError';
    this.element = element;
    this.x12 = x12;
  }
}
