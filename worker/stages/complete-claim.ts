import type { Claim } from 'fhir/r4';
import { buildClaim, claimIdentifierFor } from '../../src/claims/build-claim.ts';
import { codingFromFhir } from '../../src/coding/coding-fhir.ts';
import { AppError } from '../../src/errors/app-error.ts';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import { writerTag } from '../../src/fhir/systems.ts';
import { identifierQuery, type ClaimWithId, type EncounterContext, type PipelineDeps } from '../pipeline-types.ts';
import { scrub, type ScrubResult } from './scrub.ts';

export interface CompletedClaim {
  claim: ClaimWithId;
  scrub: ScrubResult;
  /** True when the claim is `active` and can be submitted. */
  ready: boolean;
}

/** The encounter's claim in the billing store, if one was made already. */
export async function findClaim(billing: FhirGateway, encounterId: string): Promise<ClaimWithId | undefined> {
  const found = await billing.searchAll('Claim', { identifier: identifierValue(encounterId) }, 10);
  return found.find((r): r is ClaimWithId => r.resourceType === 'Claim' && r.id !== undefined);
}

/**
 * Builds the claim from the encounter's coding, scrubs it and writes it: `draft` while the
 * scrubber finds errors, `active` when clean. The claim is created with `If-None-Exist` on its
 * identifier, so a rerun or a second worker never makes another one; a draft that now scrubs
 * clean is updated to `active` with `If-Match`.
 */
export async function completeClaim(ctx: EncounterContext, deps: PipelineDeps, existing: ClaimWithId | undefined): Promise<CompletedClaim> {
  const { coverage, billingProvider } = ctx;
  if (!coverage) throw new Error('completeClaim needs a coverage');
  if (!billingProvider) throw new AppError('CLAIM_INVALID', `${ctx.encounterRef} names no billing organization (Encounter.serviceProvider), so the claim has no billing provider`, { status: 422 });
  const coding = codingFromFhir(ctx.conditions, ctx.chargeItems);
  const result = scrub(coding, ctx, deps);
  const built = buildClaim({
    encounter: ctx.encounter, patient: ctx.patient, coverage, coding, billingProvider, feeSchedule: deps.chargeMaster,
    placeOfService: deps.placeOfService, created: deps.now().toISOString(), status: result.blocked ? 'draft' : 'active',
    ...(ctx.practitioner ? { practitioner: ctx.practitioner } : {}),
  });
  built.meta = { tag: [writerTag('worker')] };
  const current = existing ?? (await create(deps.billing, built, ctx.encounter.id));
  if (current.status === 'active') return { claim: current, scrub: result, ready: true };
  if (current.status !== 'draft') throw new AppError('CLAIM_INVALID', `Claim/${current.id} is ${current.status}; the worker leaves it alone`, { status: 409 });
  if (result.blocked) return { claim: current, scrub: result, ready: false };
  const versionId = current.meta?.versionId;
  const updated = await deps.billing.update<Claim>({ ...built, id: current.id }, versionId ? { ifMatchVersion: versionId } : {});
  return { claim: { ...updated, id: current.id }, scrub: result, ready: true };
}

async function create(billing: FhirGateway, claim: Claim, encounterId: string): Promise<ClaimWithId> {
  const { resource } = await billing.create(claim, { ifNoneExist: identifierQuery(claimIdentifierFor(encounterId)) });
  if (!resource.id) throw new AppError('FHIR_REQUEST_FAILED', 'The billing store created the claim without an id', { status: 502 });
  return { ...resource, id: resource.id };
}

function identifierValue(encounterId: string): string {
  const identifier = claimIdentifierFor(encounterId);
  return `${identifier.system ?? ''}|${identifier.value ?? ''}`;
}
