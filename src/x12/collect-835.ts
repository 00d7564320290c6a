import type { X12Source } from './envelope-check.ts';
import type { EraClaim, EraPayment, ProviderAdjustment } from './era-types.ts';
import { read835 } from './read-835.ts';
import type { ReadSegmentsOptions } from './segment-reader.ts';

/** One 835 transaction set, read whole: its payment, claims and provider adjustments. */
export interface Era835 {
  payment: EraPayment;
  claims: EraClaim[];
  providerAdjustments: ProviderAdjustment[];
  /** Sum of CLP04. */
  claimsPaid: number;
}

/**
 * Reads every 835 transaction in a file into memory (the CLI and tests; the importer of a large
 * ERA should consume `read835` directly). A file that does not balance is refused as a whole.
 */
export async function collect835(
  source: X12Source,
  options: ReadSegmentsOptions = {},
): Promise<Era835[]> {
  const out: Era835[] = [];
  let claims: EraClaim[] = [];
  for await (const event of read835(source, options)) {
    if (event.kind === 'claim') claims.push(event.claim);
    else if (event.kind === 'end') {
      out.push({
        payment: event.payment,
        claims,
        providerAdjustments: event.providerAdjustments,
        claimsPaid: event.claimsPaid,
      });
      claims = [];
    }
  }
  return out;
}
