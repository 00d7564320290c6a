import type { ClaimResponse, Encounter, OperationOutcome } from 'fhir/r4';
import { AppError, isAppError } from '../../src/errors/app-error.ts';
import { claimIdentifierFor } from '../../src/claims/build-claim.ts';
import {
  replacementIdentifierFor,
  sameCoding,
  type ReplacementOf,
} from '../../src/claims/replacement-claim.ts';
import { codingFromFhir } from '../../src/coding/coding-fhir.ts';
import { checkResource } from './fhir-shapes.ts';
import { resolveTask } from './resolve-tasks.ts';
import { quarantineFor } from '../ledger/quarantine.ts';
import { buildTask, taskIdentifierQuery, type WorkItemCode } from './build-task.ts';
import type {
  ClaimWithId,
  EncounterContext,
  EncounterPass,
  ItemOutcome,
  PipelineDeps,
  PipelineServices,
} from './pipeline-types.ts';
import { checkEligibility } from './stages/check-eligibility.ts';
import { completeClaim, findClaim } from './stages/complete-claim.ts';
import { loadContext } from './stages/load-context.ts';
import type { PrefetchedContext } from './stages/prefetch-contexts.ts';
import {
  denialSuffix,
  findAnswer,
  payerClaimNumberOf,
  recordAnswer,
} from './stages/record-answer.ts';
import { describeFindings } from './stages/scrub.ts';
import { hasBlockingErrors } from '../../src/edits/run-edits.ts';
import { submitClaim } from './stages/submit.ts';

/**
 * One finished encounter through the pipeline: load, eligibility, complete + scrub, submit,
 * record the answer. Every step is idempotent, so a rerun after a crash or a retry picks up
 * where it stopped without a second claim, answer or work item. Stops at the first step that
 * needs a person, with a Task saying what to do.
 */
export async function processEncounter(
  encounter: Encounter & { id: string },
  services: PipelineServices,
  pass: EncounterPass,
  prefetched?: PrefetchedContext,
): Promise<ItemOutcome> {
  const deps: PipelineDeps = { ...services, pass };
  try {
    const checked = checkResource('Encounter', encounter) as Encounter & { id: string };
    return await pipeline(
      await loadContext(deps.clinical, checked, prefetched, deps.practiceTimeZone),
      deps,
    );
  } catch (err) {
    const patient = patientOf(encounter);
    // Missing data (no billing provider, no date of service) will not fix itself by retrying.
    // A claim an 837P cannot express (issue 15): a Task naming the missing element, no retry loop.
    if (isAppError(err, 'X12_CLAIM_INCOMPLETE')) {
      await createTask(
        deps,
        encounter.id,
        patient,
        'claim-data-missing',
        `The claim cannot be sent to the clearinghouse: ${err.message}. Add it in the EHR (or the X12 settings); the worker checks it again.`,
      );
      return { stage: 'held', reason: 'claim-data-missing' };
    }
    if (isAppError(err, 'CLAIM_INVALID')) {
      await createTask(
        deps,
        encounter.id,
        patient,
        'claim-data-missing',
        `The claim cannot be completed: ${err.message}. Correct the encounter in the EHR; the worker checks it again.`,
      );
      return { stage: 'held', reason: 'claim-data-missing' };
    }
    const quarantine = quarantineFor(err);
    if (!quarantine) throw err;
    deps.log.warn(
      { encounter: `Encounter/${encounter.id}`, err: quarantine.summary },
      'quarantined: the data needs a person',
    );
    await createTask(
      deps,
      encounter.id,
      patient,
      'data-invalid',
      `The worker set this encounter aside because a record it needs is not usable:\n- ${quarantine.summary}\nCorrect the record in the EHR; the worker checks it again.`,
      quarantine.outcome,
    );
    return { stage: 'held', reason: 'data-invalid' };
  }
}

/** The coverage-inactive work item's words, the same whether found early or at the claim. */
export function coverageInactiveText(reason: string): string {
  return `The payer says the coverage is not in force on the date of service: ${reason} Update the patient's insurance, or bill the patient.`;
}

/** `Patient/123` when the encounter's subject is a patient reference. */
function patientOf(encounter: Encounter): string | undefined {
  const reference = encounter.subject?.reference;
  return reference?.startsWith('Patient/') ? reference : undefined;
}

async function pipeline(ctx: EncounterContext, deps: PipelineDeps): Promise<ItemOutcome> {
  if (ctx.chargeItems.length === 0) {
    return hold(
      ctx,
      deps,
      'not-coded',
      'Encounter finished without signed charges: code the visit and sign off its charges in ChartBill.',
    );
  }
  if (!ctx.coverage) {
    return hold(
      ctx,
      deps,
      'no-coverage',
      "No active coverage on file for this patient: add the patient's insurance or mark self-pay.",
    );
  }
  if (!ctx.billingProvider) {
    throw new AppError(
      'CLAIM_INVALID',
      `${ctx.encounterRef} names no billing organization (Encounter.serviceProvider)`,
    );
  }
  const prior = deps.pass.replacing ? await priorClaim(ctx, deps, deps.pass.replacing) : undefined;
  if (prior?.answer && sameCoding(codingFromFhir(ctx.conditions, ctx.chargeItems), prior.claim)) {
    // Touched but not corrected: the prior answer stands, no replacement.
    return {
      ...(await recordAnswer(ctx, prior.claim, prior.answer, {
        ...deps,
        pass: { ...deps.pass, replacing: (deps.pass.replacing ?? 1) - 1 },
      })),
      unchanged: true,
    };
  }
  const replacementOf = prior?.replacement;
  const identifier = replacementOf
    ? replacementIdentifierFor(ctx.encounter.id, replacementOf.sequence)
    : claimIdentifierFor(ctx.encounter.id);
  const existing = deps.pass.firstPass
    ? undefined
    : await findClaim(deps.billing, ctx.encounter.id, identifier);
  let claim = existing?.status === 'active' ? existing : undefined;
  let created = false;
  if (!claim) {
    const eligibility = await checkEligibility(ctx, deps);
    deps.log.info(
      { eligibilityResponse: eligibility.response, inforce: eligibility.inforce },
      'eligibility checked',
    );
    if (!eligibility.inforce) {
      return hold(ctx, deps, 'coverage-inactive', coverageInactiveText(eligibility.reason));
    }
    const completed = await completeClaim(ctx, deps, existing, replacementOf);
    if (!completed.ready) {
      // Coding errors first; a claim whose only problem is a missing price is a pricing work item.
      const coding = hasBlockingErrors(completed.scrub.findings);
      const outcome = await hold(
        ctx,
        deps,
        coding ? 'claim-scrub-errors' : 'claim-unpriced',
        coding
          ? `The claim was kept as a draft because of coding errors:\n${describeFindings(completed.scrub.findings)}`
          : `The claim was kept as a draft because the charge master has no price for a billed code (the codes stay as documented):\n${describeFindings(completed.scrub.findings)}`,
      );
      // An edited draft stays the staff's: the version the worker wrote is kept as the reference.
      const version = completed.edited ? deps.pass.claimVersion : completed.claim.meta?.versionId;
      return {
        ...outcome,
        claim: `Claim/${completed.claim.id}`,
        ...(version ? { claimVersion: version } : {}),
      };
    }
    claim = completed.claim;
    created = completed.created;
  }
  // A claim written just now has no answer yet; one that existed may have (a lost ledger).
  const recorded = created ? undefined : await findAnswer(deps.billing, claim);
  if (recorded) return recordAnswer(ctx, claim, recorded, deps);
  const known = await askPayerFirst(claim, deps, !created);
  if (known) return recordAnswer(ctx, claim, known, deps);
  await deps.pass.outbox.record(`Claim/${claim.id}`);
  const started = Date.now();
  const answer = await submitClaim(ctx, claim, deps);
  const outcome = await recordAnswer(ctx, claim, answer, deps);
  // The replaced claim's denial is dealt with: the corrected claim went out.
  if (replacementOf)
    await resolveTask(
      deps.billing,
      ctx.encounter.id,
      'claim-denied',
      deps.now(),
      denialSuffix(replacementOf.sequence - 1),
    );
  deps.log.info(
    {
      claim: `Claim/${claim.id}`,
      encounter: ctx.encounterRef,
      outcome: answer.outcome,
      ms: Date.now() - started,
    },
    'claim submitted',
  );
  return outcome;
}

/**
 * The claim a replacement replaces (the original, or the previous replacement) and the payer's
 * control number for it, read from the billing store.
 */
async function priorClaim(
  ctx: EncounterContext,
  deps: PipelineDeps,
  sequence: number,
): Promise<{ claim: ClaimWithId; answer: ClaimResponse | undefined; replacement: ReplacementOf }> {
  const priorIdentifier =
    sequence === 1
      ? claimIdentifierFor(ctx.encounter.id)
      : replacementIdentifierFor(ctx.encounter.id, sequence - 1);
  const prior = await findClaim(deps.billing, ctx.encounter.id, priorIdentifier);
  if (!prior)
    throw new AppError(
      'CLAIM_INVALID',
      `${ctx.encounterRef} has no prior claim ${priorIdentifier.value ?? ''} to replace`,
    );
  const answer = await findAnswer(deps.billing, prior);
  // The payer's claim control number (REF*F8 of the replacement), whichever path answered.
  const payerClaimNumber = payerClaimNumberOf(answer);
  return {
    claim: prior,
    answer,
    replacement: {
      claim: `Claim/${prior.id}`,
      sequence,
      encounterId: ctx.encounter.id,
      ...(payerClaimNumber ? { payerClaimNumber } : {}),
    },
  };
}

/**
 * When the outbox says a submission was started (the worker died, or the payer queued the
 * claim), or the claim was made before this pass (a ledger lost, moved away or recovered from
 * damage knows nothing of what was sent), the payer's own record decides: an answer it has is
 * recorded, and only a claim it never received is sent. So no crash window sends a claim twice.
 */
async function askPayerFirst(
  claim: ClaimWithId,
  deps: PipelineDeps,
  existed: boolean,
): Promise<ClaimResponse | undefined> {
  const identifier = claim.identifier?.[0];
  if ((!deps.pass.outbox.pending && !existed) || !identifier) return undefined;
  const answer = await deps.payer.claimStatus(identifier);
  deps.log.info(
    { claim: `Claim/${claim.id}`, known: answer !== undefined, outcome: answer?.outcome },
    'asked the payer about an earlier submission',
  );
  return answer;
}

async function hold(
  ctx: EncounterContext,
  deps: PipelineDeps,
  reason: WorkItemCode,
  description: string,
): Promise<ItemOutcome> {
  await createTask(deps, ctx.encounter.id, `Patient/${ctx.patient.id ?? ''}`, reason, description);
  deps.log.info({ encounter: ctx.encounterRef, reason }, 'held for billing staff');
  return { stage: reason === 'not-coded' ? 'not-coded' : 'held', reason };
}

/** Created with If-None-Exist on the task identifier, so reruns never duplicate a work item. */
export async function createTask(
  deps: Pick<PipelineServices, 'billing' | 'now'>,
  encounterId: string,
  patient: string | undefined,
  code: WorkItemCode,
  description: string,
  outcome?: OperationOutcome,
): Promise<void> {
  const task = buildTask({
    code,
    description,
    encounterId,
    now: deps.now(),
    ...(patient ? { patient } : {}),
    ...(outcome ? { outcome } : {}),
  });
  await deps.billing.create(task, { ifNoneExist: taskIdentifierQuery(encounterId, code) });
}
