import type { Claim, Identifier } from 'fhir/r4';
import type { EncounterCoding } from '../coding/coding-model.ts';
import { EXT, SYSTEM, SYSTEM_CLAIM_FREQUENCY, SYSTEM_RELATED_CLAIM } from '../fhir/systems.ts';
import { codingFromClaim, sameBilledCoding } from './claim-coding.ts';
import { withPatientControlNumber } from './patient-control-number.ts';

/** The identifier of the void (cancellation) of an encounter's claim. */
export function voidIdentifierFor(encounterId: string, sequence: number): Identifier {
  return { system: SYSTEM.claimId, value: `enc-${encounterId}-v${String(sequence)}` };
}

/** The identifier of the n-th replacement (1, 2, …) of an encounter's claim. */
export function replacementIdentifierFor(encounterId: string, sequence: number): Identifier {
  return { system: SYSTEM.claimId, value: `enc-${encounterId}-r${String(sequence)}` };
}

export interface ReplacementOf {
  /** `Claim/123`: the claim being replaced (the original or the previous replacement). */
  claim: string;
  /** The payer's claim control number of that claim (X12 REF*F8, required with frequency 7). */
  payerClaimNumber?: Identifier;
  /** 1 for the first replacement. */
  sequence: number;
  encounterId: string;
}

/**
 * Turns a freshly built claim into the replacement of a prior one (a corrected claim after a
 * denial), as the 837P sends it: claim frequency type code 7 (CLM05-3) and the payer's control
 * number of the prior claim (REF*F8). In FHIR R4: `Claim.related` with relationship `prior`,
 * `related.claim` → the prior Claim and `related.reference` = its payer control number; the
 * frequency code, for which R4 Claim has no element, in the EXT.claimFrequency extension.
 * A new identifier, because payers are idempotent on the claim number: the same number would
 * get the prior answer back.
 */
export function asReplacement(claim: Claim, prior: ReplacementOf): Claim {
  // Its own patient control number too (CLM01), derived from the new identifier.
  return withPatientControlNumber({
    ...claim,
    identifier: [replacementIdentifierFor(prior.encounterId, prior.sequence)],
    extension: [
      ...(claim.extension ?? []).filter((e) => e.url !== EXT.claimFrequency),
      {
        url: EXT.claimFrequency,
        valueCoding: {
          system: SYSTEM_CLAIM_FREQUENCY,
          code: '7',
          display: 'Replacement of Prior Claim',
        },
      },
    ],
    related: [
      {
        claim: { reference: prior.claim },
        relationship: {
          coding: [{ system: SYSTEM_RELATED_CLAIM, code: 'prior', display: 'Prior Claim' }],
        },
        ...(prior.payerClaimNumber ? { reference: prior.payerClaimNumber } : {}),
      },
    ],
  });
}

/**
 * Turns a copy of the prior claim into its void (837P CLM05-3 = 8, "void/cancel of prior
 * claim", with the payer's claim control number in REF*F8), as payers ask for a claim sent to
 * the wrong payer or for a visit that did not happen. Same FHIR shape as a replacement.
 */
export function asVoid(prior: Claim, of: ReplacementOf): Claim {
  const replaced = asReplacement(prior, of);
  return withPatientControlNumber({
    ...replaced,
    identifier: [voidIdentifierFor(of.encounterId, of.sequence)],
    extension: (replaced.extension ?? []).map((e) =>
      e.url === EXT.claimFrequency
        ? {
            url: EXT.claimFrequency,
            valueCoding: {
              system: SYSTEM_CLAIM_FREQUENCY,
              code: '8',
              display: 'Void/Cancel of Prior Claim',
            },
          }
        : e,
    ),
  });
}

/**
 * Whether the coding on the chart still says what a prior claim said: the same diagnoses in
 * order, and the same lines (code, modifiers, units, pointers). Only a real correction is sent
 * as a replacement; a touched but unchanged record is not.
 */
export function sameCoding(coding: EncounterCoding, prior: Claim): boolean {
  return sameBilledCoding(coding, codingFromClaim(prior));
}
