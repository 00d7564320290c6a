import type { Bundle, ClaimResponse, CoverageEligibilityResponse, Identifier } from 'fhir/r4';
import type { PayerId } from './payer-ids.ts';

/**
 * How ChartBill talks to a payer (or a clearinghouse in front of it). Bundles are type
 * `collection`: the request resource first (CoverageEligibilityRequest or Claim), then the
 * Patient, Coverage, Organizations and Practitioner it references.
 *
 * Implementations: `createFhirPayerAdapter` (FHIR `$submit`); X12 270/837P later. Errors are
 * `AppError`s: `PAYER_UNAVAILABLE` (retry later) or `PAYER_REJECTED` (the payer refused the
 * submission; fix it, do not retry as is).
 */
export interface PayerAdapter {
  /**
   * The payers this connection reaches, by the payer id on their Organization. The worker bills
   * a Coverage only when its payor carries one of them (see `src/claims/claim-payer.ts`).
   */
  readonly payerIds: readonly PayerId[];
  checkEligibility(bundle: Bundle): Promise<CoverageEligibilityResponse>;
  /**
   * Sends the claim. Not idempotent at a real payer or clearinghouse (a second send is a
   * duplicate claim): implementations ask `claimStatus` before sending again after a lost answer.
   */
  submitClaim(bundle: Bundle): Promise<ClaimResponse>;
  /**
   * The payer's current answer to a claim it was sent, found by the claim's identifier (FHIR
   * `Claim/$inquire` as in Da Vinci PAS; X12 276/277 for a clearinghouse), or undefined when
   * the payer has no record of it. Used to follow `queued` answers and, after a crash, to learn
   * whether a submission arrived before sending it again.
   */
  claimStatus(claimIdentifier: Identifier): Promise<ClaimResponse | undefined>;
}
