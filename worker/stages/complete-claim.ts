import type { Claim, Identifier } from 'fhir/r4';
import { asReplacement, type ReplacementOf } from '../../src/claims/replacement-claim.ts';
import { buildClaim, claimIdentifierFor } from '../../src/claims/build-claim.ts';
import { codingFromFhir } from '../../src/coding/coding-fhir.ts';
import { AppError } from '../../src/errors/app-error.ts';
import type { FhirGateway } from '../../src/fhir/fhir-gateway.ts';
import { writerTag } from '../../src/fhir/systems.ts';
import { identifierQuery, type ClaimWithId, type EncounterContext, type PipelineDeps } from '../pipeline-types.ts';
import { checkResource } from '../fhir-shapes.ts';
import { scrub, type ScrubResult } from './scrub.ts';

export interface CompletedClaim {
  claim: ClaimWithId;
  scrub: ScrubResult;
  /** True when the claim is `active` and can be submitted. */
  ready: boolean;
}

/** The encounter's claim in the billing store, if one was made already. */
export async function findClaim(billing: FhirGateway, encounterId: string, identifier: Identifier = claimIdentifierFor(encounterId)): Promise<ClaimWithId | undefined> {
  const found = await billing.searchAll('Claim', { identifier: `${identifier.system ?? ''}|${identifier.value ?? ''}` }, 10);
  const claim = found.find((r) => r.resourceType === 'Claim');
  // Checked like any resource read: a claim without a patient or identifier is quarantined.
  return claim ? (checkResource('Claim', claim) as ClaimWithId) : undefined;
}

/**
 * Builds the claim from the encounter's coding, scrubs it and writes it: `draft` while the
 * scrubber finds errors, `active` when clean. The claim is created with `If-None-Exist` on its
 * identifier, so a rerun or a second worker never makes another one; a draft that now scrubs
 * clean is updated to `active` with `If-Match`.
 */
export async function completeClaim(ctx: EncounterContext, deps: PipelineDeps, existing: ClaimWithId | undefined, replacing?: ReplacementOf): Promise<CompletedClaim> {
  const { coverage, billingProvider } = ctx;
  if (!coverage) throw new Error('completeClaim needs a coverage');
  if (!billingProvider) throw new AppError('CLAIM_INVALID', `${ctx.encounterRef} names no billing organization (Encounter.serviceProvider), so the claim has no billing provider`, { status: 422 });
  const coding = codingFromFhir(ctx.conditions, ctx.chargeItems);
  const result = scrub(coding, ctx, deps);
  const fresh = buildClaim({
    encounter: ctx.encounter, patient: ctx.patient, coverage, coding, billingProvider, feeSchedule: deps.chargeMaster,
    placeOfService: deps.placeOfService, created: deps.now().toISOString(), status: result.blocked ? 'draft' : 'active',
    ...(ctx.practitioner ? { practitioner: ctx.practitioner } : {}),
  });
  const built = replacing ? asReplacement(fresh, replacing) : fresh;
  built.meta = { tag: [writerTag('worker')] };
  const current = existing ?? (await create(deps.billing, built));
  if (current.status === 'active') return { claim: current, scrub: result, ready: true };
  if (current.status !== 'draft') throw new AppError('CLAIM_INVALID', `Claim/${current.id} is ${current.status}; the worker leaves it alone`, { status: 409 });
  if (result.blocked) return { claim: current, scrub: result, ready: false };
  const versionId = current.meta?.versionId;
  const updated = await deps.billing.update<Claim>({ ...built, id: current.id }, versionId ? { ifMatchVersion: versionId } : {});
  return { claim: { ...updated, id: current.id }, scrub: result, ready: true };
}

async function create(billing: FhirGateway, claim: Claim): Promise<ClaimWithId> {
  const { resource } = await billing.create(claim, { ifNoneExist: identifierQuery(claim.identifier?.[0] ?? {}) });
  if (!resource.id) throw new AppError('FHIR_REQUEST_FAILED', 'The billing store created the claim without an id', { status: 502 });
  return { ...resource, id: resource.id };
}
