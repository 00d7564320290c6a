import type { Claim, Identifier } from 'fhir/r4';
import { asReplacement, type ReplacementOf } from '../../../src/claims/replacement-claim.ts';
import type { ClaimResponse } from 'fhir/r4';
import {
  buildClaim,
  claimIdentifierFor,
  dateOfServiceOf,
} from '../../../src/claims/build-claim.ts';
import { drugOfChargeItem, type DrugLine } from '../../../src/claims/drug-line.ts';
import { priorAuthorizationsFor } from '../../../src/claims/prior-authorizations.ts';
import { codingFromFhir } from '../../../src/coding/coding-fhir.ts';
import { codingFromClaim } from '../../../src/claims/claim-coding.ts';
import { AppError } from '../../../src/errors/app-error.ts';
import type { FhirGateway } from '../../../src/fhir/fhir-gateway.ts';
import { writerTag } from '../../../src/fhir/systems.ts';
import { identifierToken } from '../../../src/fhir/identifier-query.ts';
import {
  identifierQuery,
  type ClaimWithId,
  type EncounterContext,
  type PipelineDeps,
} from '../pipeline-types.ts';
import { checkResource } from '../fhir-shapes.ts';
import { scrub, type ScrubResult } from './scrub.ts';

export interface CompletedClaim {
  claim: ClaimWithId;
  scrub: ScrubResult;
  /** True when the claim is `active` and can be submitted. */
  ready: boolean;
  /** True when this call wrote the claim (no earlier pass did): nothing can have answered it yet. */
  created: boolean;
  /** True when the claim is a draft billing staff edited, scrubbed as they left it. */
  edited?: boolean;
}

/** The encounter's claim in the billing store, if one was made already. */
export async function findClaim(
  billing: FhirGateway,
  encounterId: string,
  identifier: Identifier = claimIdentifierFor(encounterId),
): Promise<ClaimWithId | undefined> {
  const found = await billing.searchAll('Claim', { identifier: identifierToken(identifier) }, 10);
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
export async function completeClaim(
  ctx: EncounterContext,
  deps: PipelineDeps,
  existing: ClaimWithId | undefined,
  replacementOf?: ReplacementOf,
): Promise<CompletedClaim> {
  const { coverage, billingProvider } = ctx;
  if (!coverage) throw new Error('completeClaim needs a coverage');
  if (!billingProvider)
    throw new AppError(
      'CLAIM_INVALID',
      `${ctx.encounterRef} names no billing organization (Encounter.serviceProvider), so the claim has no billing provider`,
    );
  if (
    existing?.status === 'draft' &&
    deps.pass.claimVersion !== undefined &&
    existing.meta?.versionId !== deps.pass.claimVersion
  )
    return editedDraft(existing, ctx, deps);
  const coding = codingFromFhir(ctx.conditions, ctx.chargeItems);
  const result = scrub(coding, ctx, deps);
  const fresh = buildClaim({
    encounter: ctx.encounter,
    patient: ctx.patient,
    coverage,
    coding,
    billingProvider,
    feeSchedule: deps.chargeMaster,
    placeOfService: deps.placeOfService,
    created: deps.now().toISOString(),
    status: result.blocked ? 'draft' : 'active',
    drugs: drugsOf(ctx),
    priorAuthorizations: await priorAuthorizations(ctx, deps),
    ...(deps.practiceTimeZone ? { timeZone: deps.practiceTimeZone } : {}),
    ...(ctx.practitioner ? { practitioner: ctx.practitioner } : {}),
    ...(ctx.referring ? { referring: ctx.referring } : {}),
    ...(ctx.location ? { location: ctx.location } : {}),
  });
  const built = replacementOf ? asReplacement(fresh, replacementOf) : fresh;
  built.meta = { tag: [writerTag('worker')] };
  const { claim: current, created } = existing
    ? { claim: existing, created: false }
    : await create(deps.billing, built);
  if (current.status === 'active') return { claim: current, scrub: result, ready: true, created };
  if (current.status !== 'draft')
    throw new AppError(
      'CLAIM_INVALID',
      `Claim/${current.id} is ${current.status}; the worker leaves it alone`,
    );
  if (result.blocked) return { claim: current, scrub: result, ready: false, created };
  const versionId = current.meta?.versionId;
  const updated = await deps.billing.update<Claim>(
    { ...built, id: current.id },
    versionId ? { ifMatchVersion: versionId } : {},
  );
  return { claim: { ...updated, id: current.id }, scrub: result, ready: true, created: false };
}

/** The NDC and amount of each billable line that names a drug, by ChargeItem id (837P 2410). */
function drugsOf(ctx: EncounterContext): Map<string, DrugLine> {
  const drugs = new Map<string, DrugLine>();
  for (const item of ctx.chargeItems) {
    const drug = drugOfChargeItem(item);
    if (drug && item.id) drugs.set(item.id, drug);
  }
  return drugs;
}

/** The payer's approved prior authorizations for the patient that cover the date of service. */
async function priorAuthorizations(ctx: EncounterContext, deps: PipelineDeps): Promise<string[]> {
  // One search per chunk of encounters when the tick prefetched them (prefetch-contexts.ts).
  const found =
    ctx.preauthorizations ??
    (await deps.billing.searchAll(
      'ClaimResponse',
      { patient: `Patient/${ctx.patient.id ?? ''}`, use: 'preauthorization' },
      50,
    ));
  return priorAuthorizationsFor(
    found.filter((r): r is ClaimResponse => r.resourceType === 'ClaimResponse'),
    dateOfServiceOf(ctx.encounter, deps.practiceTimeZone),
  );
}

/**
 * A draft billing staff edited since the worker wrote it is theirs: it is scrubbed as they left
 * it (not rebuilt from the chart) and, once clean, made `active` with nothing else changed.
 */
async function editedDraft(
  existing: ClaimWithId,
  ctx: EncounterContext,
  deps: PipelineDeps,
): Promise<CompletedClaim> {
  const result = scrub(codingFromClaim(existing), ctx, deps);
  if (result.blocked)
    return { claim: existing, scrub: result, ready: false, created: false, edited: true };
  const versionId = existing.meta?.versionId;
  const updated = await deps.billing.update<Claim>(
    { ...existing, status: 'active' },
    versionId ? { ifMatchVersion: versionId } : {},
  );
  return {
    claim: { ...updated, id: existing.id },
    scrub: result,
    ready: true,
    created: false,
    edited: true,
  };
}

async function create(
  billing: FhirGateway,
  claim: Claim,
): Promise<{ claim: ClaimWithId; created: boolean }> {
  const { resource, created } = await billing.create(claim, {
    ifNoneExist: identifierQuery(claim.identifier?.[0] ?? {}),
  });
  // One that existed already is checked like any claim read (a claim without a patient is quarantined).
  if (!created) return { claim: checkResource('Claim', resource) as ClaimWithId, created };
  if (!resource.id)
    throw new AppError(
      'FHIR_REQUEST_FAILED',
      'The billing store created the claim without an id',
      {},
    );
  return { claim: { ...resource, id: resource.id }, created };
}
