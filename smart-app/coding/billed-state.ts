import type { Claim, ClaimResponse } from 'fhir/r4';
import { AppError } from '../../src/errors/app-error.ts';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import { EXT } from '../../src/fhir/systems.ts';

/**
 * Where the encounter's claim stands once it went to the payer (issue 17, item 5): the panel
 * shows it and the coding becomes read-only for clinicians; billing staff correct through the
 * workspace (a replacement claim), so the chart and the claim never silently diverge.
 */
export interface BilledState {
  claimId: string;
  /** In words: submitted, paid, partly paid, denied, voided. */
  state: 'submitted' | 'paid' | 'partly paid' | 'denied' | 'voided';
  /** YYYY-MM-DD of the newest answer, else of the claim. */
  date: string;
}

const frequency = (c: Claim) =>
  c.extension?.find((e) => e.url === EXT.claimFrequency)?.valueCoding?.code ?? '1';

/**
 * The billed state of the encounter: its newest claim that is not a draft (a draft is held by
 * the worker and still follows the chart). Undefined while nothing was submitted.
 */
export async function billedState(
  fhir: FhirGateway,
  patientId: string,
  encounterId: string,
): Promise<BilledState | undefined> {
  // With the patient, so a chart session's patient-compartment scopes cover the search.
  const patient = `Patient/${patientId}`;
  const found = await fhir.searchAll('Claim', {
    patient,
    encounter: `Encounter/${encounterId}`,
    _count: 50,
  });
  const claims = found
    .filter((r): r is Claim & { id: string } => r.resourceType === 'Claim' && r.id !== undefined)
    .filter((c) => c.status !== 'draft' && c.status !== 'entered-in-error' && frequency(c) !== '8')
    .sort((a, b) => b.created.localeCompare(a.created));
  const claim = claims[0];
  if (!claim) return undefined;
  const answers = await fhir.searchAll(
    'ClaimResponse',
    { patient, request: `Claim/${claim.id}` },
    10,
  );
  const answer = answers
    .filter((r): r is ClaimResponse => r.resourceType === 'ClaimResponse')
    .sort((a, b) => b.created.localeCompare(a.created))[0];
  const state: BilledState['state'] =
    claim.status === 'cancelled'
      ? 'voided'
      : answer?.outcome === 'complete'
        ? 'paid'
        : answer?.outcome === 'partial'
          ? 'partly paid'
          : answer?.outcome === 'error'
            ? 'denied'
            : 'submitted';
  return { claimId: claim.id, state, date: (answer?.created ?? claim.created).slice(0, 10) };
}

/** Refuses a clinician's save of coding that was billed: the server's rule, not only the page's. */
export function refuseBilled(billed: BilledState | undefined): void {
  if (!billed) return;
  throw new AppError(
    'CODING_ALREADY_BILLED',
    `This visit was billed on ${billed.date} (claim ${billed.claimId}, ${billed.state}); its coding can no longer be changed here.`,
    {
      hint: 'Use “Request a correction”: billing staff correct the claim and send a replacement.',
    },
  );
}
