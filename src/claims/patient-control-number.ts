import { createHash } from 'node:crypto';
import type { Claim, Identifier } from 'fhir/r4';
import { SYSTEM } from '../fhir/systems.ts';

/** 837P CLM01 is AN 1/20; the 835's CLP01 and the 277CA's REF*1K echo it back. */
export const PATIENT_CONTROL_NUMBER_MAX = 20;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The patient control number of a claim, derived from its claim identifier so every rerun
 * gets the same one. A short identifier (`enc-123`, `enc-123-r1`) is used as it is, so billing
 * staff can read the encounter off an ERA; a long one (`enc-<uuid>`, 40 characters) becomes
 * `CB` and 18 Crockford base-32 characters of its SHA-256 (90 bits: no two of a practice's
 * claims share one), which the Claim keeps next to its identifier, so the link to the encounter
 * is one search away (`Claim?identifier=<this system>|<number>`).
 */
export function patientControlNumberFor(claimIdentifierValue: string): Identifier {
  const readable =
    claimIdentifierValue.length <= PATIENT_CONTROL_NUMBER_MAX &&
    /^[A-Za-z0-9-]+$/.test(claimIdentifierValue);
  return {
    system: SYSTEM.patientControlNumber,
    value: readable ? claimIdentifierValue : `CB${base32(claimIdentifierValue, 18)}`,
  };
}

/** Sets the claim's patient control number to the one its (first ChartBill) identifier gives. */
export function withPatientControlNumber(claim: Claim): Claim {
  const ours = claim.identifier?.find((i) => i.system === SYSTEM.claimId)?.value;
  if (!ours) return claim;
  const others = (claim.identifier ?? []).filter((i) => i.system !== SYSTEM.patientControlNumber);
  return { ...claim, identifier: [...others, patientControlNumberFor(ours)] };
}

/**
 * The one key of a claim on the X12 path (837P CLM01; the 277CA's and 277's REF*EJ, the 835's
 * CLP01 echo it): its patient control number, which ChartBill derives from its claim identifier
 * (`patientControlNumberFor`). So a claim asked about by its claim identifier (a 276, a look
 * after a crash) is found under the number its file carried, a replacement (`enc-<id>-r1`,
 * longer than 20 characters) included. Undefined for an identifier of another system.
 */
export function patientControlNumberOfIdentifier(identifier: Identifier): string | undefined {
  if (!identifier.value) return undefined;
  if (identifier.system === SYSTEM.patientControlNumber) return identifier.value;
  if (identifier.system === SYSTEM.claimId) return patientControlNumberFor(identifier.value).value;
  return undefined;
}

/** The patient control number a claim carries, if any. */
export function patientControlNumberOf(claim: Claim): string | undefined {
  return claim.identifier?.find((i) => i.system === SYSTEM.patientControlNumber)?.value;
}

function base32(text: string, length: number): string {
  const digest = createHash('sha256').update(text).digest();
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += CROCKFORD.charAt((value >>> (bits - 5)) & 31);
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}
