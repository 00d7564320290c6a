import type { Bundle, Claim, Coverage } from 'fhir/r4';
import { buildClaim } from '../../src/claims/build-claim.ts';
import { buildEligibilityRequest } from '../../src/claims/build-eligibility-request.ts';
import { PRACTICE_CHARGE_MASTER } from '../../src/claims/fee-schedule.ts';
import { submissionBundle } from '../../src/claims/submission-bundle.ts';
import type { EncounterCoding } from '../../src/coding/coding-model.ts';
import {
  billingOrg,
  coverage,
  encounter,
  officeVisitCoding,
  patient,
  payerOrg,
  practitioner,
} from '../claims/fixtures.ts';

export interface ClaimBundleOptions {
  encounterId?: string;
  dateOfService?: string;
  coverage?: Coverage;
  coding?: EncounterCoding;
}

/** A claim as the worker would submit it, with an id as the billing store would give it. */
export function claimFor(options: ClaimBundleOptions = {}): Claim {
  const claim = buildClaim({
    encounter: encounter(
      options.encounterId ?? 'enc-1',
      `${options.dateOfService ?? '2026-03-02'}T09:00:00-05:00`,
    ),
    patient: patient(),
    coverage: options.coverage ?? coverage(),
    coding: options.coding ?? officeVisitCoding(),
    billingProvider: billingOrg(),
    practitioner: practitioner(),
    feeSchedule: PRACTICE_CHARGE_MASTER,
    status: 'active',
    created: '2026-03-03T10:00:00Z',
  });
  return { ...claim, id: `claim-${options.encounterId ?? 'enc-1'}` };
}

export function claimBundle(options: ClaimBundleOptions = {}): Bundle {
  return submissionBundle(claimFor(options), [
    patient(),
    options.coverage ?? coverage(),
    billingOrg(),
    payerOrg(),
    practitioner(),
  ]);
}

export function eligibilityBundle(
  options: { dateOfService?: string; coverage?: Coverage } = {},
): Bundle {
  const cov = options.coverage ?? coverage();
  const request = buildEligibilityRequest({
    encounter: encounter('enc-1', `${options.dateOfService ?? '2026-03-02'}T09:00:00Z`),
    patient: patient(),
    coverage: cov,
    provider: billingOrg(),
    created: '2026-03-03T10:00:00Z',
  });
  return submissionBundle(request, [patient(), cov, billingOrg(), payerOrg()]);
}

/** POSTs JSON to the payer over real HTTP and returns status, content type and parsed body. */
export async function post(
  url: string,
  body: unknown,
  contentType = 'application/fhir+json',
): Promise<{ status: number; type: string | null; body: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    body: (await res.json()) as Record<string, unknown>,
  };
}
