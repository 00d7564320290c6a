import type { CorrectAnswer, CorrectRequest } from '../../src/billing-office/claim-actions-api.ts';
import type { ClaimAnswer } from '../../src/billing-office/claim-detail-types.ts';
import { requireAction } from '../../src/billing-office/roles.ts';
import { sameBilledCoding } from '../../src/claims/claim-coding.ts';
import type { CodeSet } from '../../src/codes/code-set.ts';
import type { EncounterCoding } from '../../src/coding/coding-model.ts';
import type { EditReference } from '../../src/edits/edit-reference.ts';
import { hasBlockingErrors, runEdits } from '../../src/edits/run-edits.ts';
import { AppError } from '../../src/errors/app-error.ts';
import { saveCoding } from '../coding/save-coding.ts';
import type { ActionContext } from './claim-actions.ts';

/**
 * The answers the worker sends a replacement for (worker/ledger/item-states.ts reopens FHIR
 * `error` and `partial`, and an adjudicated denial answered `complete`): read from the
 * adjudication, since an 835 answers a denial `complete`.
 */
const REPLACEABLE: ReadonlySet<ClaimAnswer | undefined> = new Set([
  'rejected',
  'denied',
  'partly denied',
] as const);

/** The request's coding as the edit engine and the save take it; E/M documentation kept from the chart. */
export function requestedCoding(body: CorrectRequest, chart: EncounterCoding): EncounterCoding {
  return {
    diagnoses: body.coding.diagnoses.map((d) => ({ ...d })),
    lines: body.coding.lines.map((l) => {
      const before = chart.lines.find((c) => c.chargeItemId && c.chargeItemId === l.chargeItemId);
      return {
        ...l,
        ...(before?.emDocumentation ? { emDocumentation: before.emDocumentation } : {}),
      };
    }),
  };
}

/**
 * Correct and resubmit: the chart's coding (Condition, ChargeItem) is edited in place with the
 * same edit engine the panel runs, as the signed-in coder or biller, signed off; the worker sees
 * the change and sends a replacement claim (frequency 7, REF*F8 the payer claim number) through
 * its usual path (worker/pipeline/process-encounter.ts), so the chart and the claim never
 * diverge. Only the newest claim of a denied or partly denied visit is corrected this way.
 */
export async function correctClaim(
  a: ActionContext,
  body: CorrectRequest,
  codes: CodeSet,
  reference: EditReference,
): Promise<CorrectAnswer> {
  requireAction(a.caller.roles, 'claim.correct');
  const { detail, encounter } = a.loaded;
  if (!encounter)
    throw new AppError(
      'BILLING_ACTION_NOT_APPLICABLE',
      'This claim names no encounter, so its coding cannot be corrected here.',
    );
  const coding = requestedCoding(body, encounter.coding);
  const base = { action: 'correct' as const, claimId: detail.claimId };
  // The same correction again (a retry, another instance): nothing to write, the same answer.
  if (sameBilledCoding(coding, encounter.coding))
    return { ...base, repeated: true, replacementQueued: !detail.replacedBy };
  if (detail.replacedBy)
    throw new AppError(
      'BILLING_ACTION_NOT_APPLICABLE',
      `This claim was replaced by ${detail.replacedBy}; correct the newest claim.`,
    );
  if (!REPLACEABLE.has(detail.answer) || detail.frequency === '8')
    throw new AppError(
      'BILLING_ACTION_NOT_APPLICABLE',
      'Only a denied or partly denied claim is corrected and resubmitted as a replacement.',
      { hint: 'For a paid claim, void it first or ask the payer for a reopening.' },
    );
  const findings = runEdits(coding, encounter.facts, codes, reference);
  if (hasBlockingErrors(findings))
    throw new AppError(
      'EDITS_BLOCK_SIGNOFF',
      `The corrected coding still has errors: ${findings
        .filter((f) => f.severity === 'error')
        .map((f) => f.message)
        .join(' ')}`,
      { hint: 'Fix each error shown in red, then resubmit.' },
    );
  await saveCoding(
    {
      fhir: a.caller.fhir,
      codes,
      loaded: encounter,
      fhirUser: a.caller.user.reference,
      signOff: true,
      seen: body.seen,
    },
    coding,
    { diagnoses: [], lines: [] },
  );
  return { ...base, repeated: false, replacementQueued: true };
}
