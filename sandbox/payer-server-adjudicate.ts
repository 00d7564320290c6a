import type { Claim, ClaimResponse, Coverage, Identifier, Reference } from 'fhir/r4';
import { carcConcept, carcText } from '../src/claims/carc-codes.ts';
import type { FeeSchedule } from '../src/claims/fee-schedule.ts';
import { patientControlNumberOf } from '../src/claims/patient-control-number.ts';
import { eraClaimToClaimResponse } from '../src/x12/era-to-fhir.ts';
import type { EraClaim } from '../src/x12/era-types.ts';
import { X12_SYSTEM } from '../src/x12/x12-systems.ts';
import {
  costSharingOf,
  coverageDenial,
  missingDiagnosisDenial,
  priorAuthDenial,
  timelyFilingDenial,
  type Denial,
} from './payer-server-rules.ts';
import { remitOf, sandboxPayment } from './payer-server-remit.ts';

/**
 * Identifier system of the payer's claim control number (835 CLP07, REF*F8 on a replacement):
 * the same system the 835 path writes, so a replacement finds it whichever way the answer came.
 */
export const PAYER_CONTROL_NUMBER_SYSTEM = X12_SYSTEM.payerClaimNumber;

/** A claim to adjudicate, with what the payer needs besides it. */
export interface AdjudicateInput {
  claim: Claim;
  /** The Coverage the claim's focal insurance references, when the bundle carried it. */
  coverage: Coverage | undefined;
  feeSchedule: FeeSchedule;
  received: Date;
  /** The ClaimResponse id and the payer's claim control number to assign. */
  responseId: string;
  controlNumber: string;
  /** Deductible the member already met this plan year (the payer's accumulator); 0 when absent. */
  deductibleMet?: number;
  /**
   * The payer's appeals desk overturned the denial (payer-server-appeals.ts): no claim-level
   * denial, and each line the rules deny is allowed at its charge.
   */
  overturned?: boolean;
}

/**
 * Adjudicates a professional claim. A claim with no diagnosis is rejected at the front door
 * (outcome `error`, as a 277CA rejection: nothing adjudicated). Otherwise claim-level rules
 * (coverage in force on the date of service, timely filing) and each line against the fee
 * schedule and the plan's cost sharing make a remittance (`remitOf`), which becomes the
 * ClaimResponse through the same mapping an 835 takes (`eraClaimToClaimResponse`): an
 * adjudicated denial is `complete` with its CARC on each line. Pure: the clock and the numbers
 * to assign are passed in.
 */
export function adjudicateClaim(input: AdjudicateInput): ClaimResponse {
  const { claim } = input;
  const judged = adjudicateRemit(input);
  if ('rejection' in judged) return rejected(input, judged.rejection);
  const { remit, claimDenial } = judged;
  const created = input.received.toISOString();
  const mapped = eraClaimToClaimResponse(remit, sandboxPayment(remit, created.slice(0, 10)), {
    created,
    claim: {
      reference: requestOf(claim),
      patient: claim.patient,
      insurer: claim.insurer ?? { display: 'Sandbox Health Plan' },
    },
  });
  const response: ClaimResponse = {
    ...mapped,
    id: input.responseId,
    identifier: [{ system: PAYER_CONTROL_NUMBER_SYSTEM, value: input.controlNumber }],
    type: claim.type,
    requestor: claim.provider,
    disposition: disposition(claimDenial, remit),
  };
  if (remit.paid <= 0) delete response.payment;
  const notes = deniedNotes(remit, claimDenial);
  if (notes.length > 0) response.processNote = notes;
  return response;
}

/** The outcome of the payer's rules on one claim, in 835 terms. */
export type AdjudicatedRemit =
  { rejection: Denial } | { remit: EraClaim; claimDenial: Denial | undefined };

/**
 * The payer's rules on one claim as a remittance (835 CLP/SVC/CAS), before any FHIR mapping: a
 * front-door rejection (no diagnosis), or the claim-level denial if any and the priced lines.
 * The clearinghouse writes its 835 from this, so both payer doors answer from one set of rules
 * (issue 15).
 */
export function adjudicateRemit(input: AdjudicateInput): AdjudicatedRemit {
  const { claim } = input;
  const dateOfService =
    claim.billablePeriod?.start?.slice(0, 10) ??
    claim.item?.[0]?.servicedDate ??
    claim.created.slice(0, 10);
  const rejection = missingDiagnosisDenial(claim);
  if (rejection) return { rejection };
  const preAuthRefs = claim.insurance.flatMap((i) => i.preAuthRef ?? []);
  const claimDenial = input.overturned
    ? undefined
    : (coverageDenial(input.coverage, dateOfService) ??
      timelyFilingDenial(dateOfService, input.received));
  const remit = remitOf({
    claim,
    claimDenial,
    feeSchedule: input.feeSchedule,
    sharing: costSharingOf(input.coverage),
    deductibleMet: input.deductibleMet ?? 0,
    patientControlNumber: patientControlNumberOf(claim) ?? claim.identifier?.[0]?.value ?? '',
    payerClaimNumber: input.controlNumber,
    // An appeal the payer overturned allows what its rules denied, prior authorization included.
    ...(input.overturned
      ? { overturned: true }
      : { lineDenial: (code: string) => priorAuthDenial(code, input.coverage, preAuthRefs) }),
  });
  return { remit, claimDenial };
}

/** The payer does not know the submitter's server ids: the identifier is what matches. */
function requestOf(claim: Claim): Reference {
  const claimIdentifier: Identifier | undefined = claim.identifier?.[0];
  return {
    ...(claim.id ? { reference: `Claim/${claim.id}` } : {}),
    ...(claimIdentifier ? { identifier: claimIdentifier } : {}),
  };
}

/** A front-end rejection: outcome `error`, the reason in `error`, nothing adjudicated. */
function rejected(input: AdjudicateInput, denial: Denial): ClaimResponse {
  const { claim } = input;
  return {
    resourceType: 'ClaimResponse',
    id: input.responseId,
    identifier: [{ system: PAYER_CONTROL_NUMBER_SYSTEM, value: input.controlNumber }],
    status: 'active',
    type: claim.type,
    use: 'claim',
    patient: claim.patient,
    created: input.received.toISOString(),
    insurer: claim.insurer ?? { display: 'Sandbox Health Plan' },
    requestor: claim.provider,
    request: requestOf(claim),
    outcome: 'error',
    disposition: `Claim rejected (${denial.group}-${denial.carc}): ${carcText(denial.carc)} ${denial.note}`,
    error: [{ code: carcConcept(denial.carc, denial.group, denial.rarc) }],
    processNote: [
      {
        number: 1,
        type: 'display',
        text: `${denial.group}-${denial.carc}: ${carcText(denial.carc)} ${denial.note}`,
      },
    ],
  };
}

function deniedNotes(
  remit: EraClaim,
  claimDenial: Denial | undefined,
): NonNullable<ClaimResponse['processNote']> {
  if (claimDenial)
    return [
      {
        number: 1,
        type: 'display',
        text: `${claimDenial.group}-${claimDenial.carc}: ${carcText(claimDenial.carc)} ${claimDenial.note}`,
      },
    ];
  return remit.lines
    .filter((l) => l.allowed === 0)
    .map((l, i) => {
      const a = l.adjustments[0];
      return {
        number: i + 1,
        type: 'display' as const,
        text: `Line ${l.lineControlNumber ?? ''}: ${a ? `${a.group}-${a.reason}: ${carcText(a.reason)}` : 'denied'}`,
      };
    });
}

function disposition(claimDenial: Denial | undefined, remit: EraClaim): string {
  if (claimDenial)
    return `Claim denied (${claimDenial.group}-${claimDenial.carc}): ${carcText(claimDenial.carc)} ${claimDenial.note}`;
  const denied = remit.lines.filter((l) => l.allowed === 0).map((l) => l.lineControlNumber);
  const deniedText =
    denied.length > 0 ? ` Line${denied.length > 1 ? 's' : ''} ${denied.join(', ')} denied.` : '';
  if (remit.status === '4') return `Claim denied: no line is payable.${deniedText}`;
  return `Processed: plan pays $${remit.paid.toFixed(2)}, patient owes $${(remit.patientResponsibility ?? 0).toFixed(2)}.${deniedText}`;
}
